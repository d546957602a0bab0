"""After-sales dialogue fragments in the polite service voice, in Chinese and English.

Slots: {product} {order_no} {agent} {tracking} {amount} {name}. Agents answer solution
first, use 您/请/感谢, and promise a time instead of saying they do not know.
Each scenario: which request type it serves, which categories it fits, and its lines.
"""

from __future__ import annotations

from typing import Any

PHYSICAL = ("electronics", "appliances", "home", "apparel", "beauty", "fresh_food", "custom_made")
REPAIRABLE = ("electronics", "appliances", "home", "custom_made")

Scenario = dict[str, Any]

GENERIC: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        "ack": (
            "您好，我是售后专员{agent}，很高兴为您服务。已收到您的问题，正在为您查询订单{order_no}，请稍等1分钟。",
            "您好，感谢您的耐心等待，我是{agent}。您反映的情况我已记录，马上为您处理。",
            "亲，您好！我是{agent}，已为您调出订单{order_no}，请稍候，我这边立即核实。",
            "您好，{name}，感谢您联系我们。我是{agent}，接下来由我全程为您跟进。",
        ),
        "thanks": ("好的，谢谢你！", "收到，辛苦了。", "行，那就这么办，谢谢。", "明白了，麻烦你们了。", "好的，这个处理我满意。"),
        "bye": (
            "不客气，感谢您的理解与支持！后续如有任何问题，欢迎随时联系我们，祝您生活愉快。",
            "感谢您的耐心，本次服务到此结束，稍后您会收到一份满意度邀请，期待您的评价。",
            "不客气，{name}。问题处理完毕，如还需要帮助，请随时在这里留言，我们会第一时间回复。",
        ),
        "wait": (
            "已提交仓库核实，承诺客户今天18:00前回电。",
            "已转财务加急处理，等待回执，预计2小时内有结果。",
            "已联系物流站点核实，站点承诺1小时内回复。",
            "需技术部门确认故障原因，已发起内部工单，今天下班前跟进。",
        ),
        "nudge": ("你好，还在吗？", "请问有结果了吗？", "麻烦快一点，我比较着急。", "我刚才发的信息你看到了吗？"),
        "cust": ("好的。", "嗯嗯，那我等你消息。", "还需要我提供什么吗？", "大概要多久？", "行，麻烦你了。", "明白。"),
        "agent": (
            "请您放心，我会持续跟进，有进展第一时间通知您。",
            "感谢您的耐心等待，我这边正在加急处理，预计30分钟内给您答复。",
            "已为您备注特殊需求，后续同事也能看到，无需您重复说明。",
            "暂时不需要您再提供材料了，后续进展我会主动联系您。",
        ),
    },
    "en": {
        "ack": (
            "Hello, this is {agent} from after-sales. Thank you for reaching out. I'm pulling up order {order_no} now and will be back with you within a minute.",
            "Hi {name}, thank you for your patience. I've noted what happened and I'm on it right away.",
            "Hello, {agent} here. I'll look after this for you from start to finish. Give me one moment to check the order.",
        ),
        "thanks": ("Great, thank you!", "Thanks, that works for me.", "OK, appreciate the help.", "Perfect, thanks a lot."),
        "bye": (
            "You're welcome! If anything else comes up, just message us here and we'll reply right away. Have a lovely day.",
            "Thank you for your patience. You'll receive a short satisfaction survey shortly; we'd be grateful for your feedback.",
            "My pleasure, {name}. This is all sorted now; we're here any time you need us.",
        ),
        "wait": (
            "Asked the warehouse to check; promised the customer a call back before 18:00 today.",
            "Escalated to finance for a priority refund; expecting confirmation within 2 hours.",
            "Courier depot contacted; they will reply within the hour.",
            "Opened an internal ticket with the technical team to confirm the fault; follow up before end of day.",
        ),
        "nudge": ("Hello, are you still there?", "Any update on this?", "Could you hurry a little, please? It's urgent for me.", "Did you see my last message?"),
        "cust": ("OK.", "Alright, I'll wait for your message.", "Do you need anything else from me?", "How long will it take?", "Understood."),
        "agent": (
            "Rest assured, I'll keep following this and update you as soon as there's news.",
            "Thank you for waiting; I'm prioritising this and will reply within 30 minutes.",
            "I've noted your request on the case, so any colleague can see it and you won't need to repeat it.",
        ),
    },
}

SCENARIOS: tuple[Scenario, ...] = (
    # ----------------------------------------------------------------------- inquiries
    {
        "key": "logistics", "type": "inquiry", "categories": PHYSICAL,
        "zh": {
            "subject": ("订单{order_no}物流查询", "快递怎么还没到？", "查询发货进度"),
            "open": (
                "你好，我买的{product}物流好几天没更新了，订单号{order_no}，帮我查一下到哪了？",
                "请问订单{order_no}什么时候能送到？显示已发货但一直没动静。",
                "我的{product}说好三天到，现在还没收到，能帮忙看看吗？",
            ),
            "cust": ("能不能催一下快递？", "我周末才在家，能周末送吗？", "快递员电话打不通怎么办？", "大概还要几天？"),
            "agent": (
                "已为您查到：包裹目前在转运中心，运单号{tracking}，预计明天送达，派送前快递员会先电话联系您。",
                "已为您备注“仅周末送货”，并同步给快递站点，请您放心。",
                "我已联系站点为您加急，承诺今天18:00前给您回复最新进展。",
                "为您推荐在订单页开启物流提醒，包裹每到一站都会通知您。",
            ),
            "note": ("物流节点停滞2天，已发起催件。", "客户要求周末送货，已备注站点。"),
            "ask": ("麻烦您确认一下收货地址和联系电话是否有变动？确认后我马上为您同步给快递。",),
            "solution": (
                "已为您加急处理：包裹将于明天上午送达，运单号{tracking}。如明天18:00前仍未收到，我们将直接为您补发。",
                "处理结果：快递已重新派送，预计今天送达，我会在18:00前再次为您确认签收情况。",
            ),
        },
        "en": {
            "subject": ("Where is my order {order_no}?", "Delivery status question", "Tracking hasn't updated"),
            "open": (
                "Hi, the tracking for my {product} hasn't moved in days. Order {order_no}. Can you check where it is?",
                "When will order {order_no} arrive? It says shipped but nothing since.",
            ),
            "cust": ("Can you ask the courier to hurry?", "I'm only home at weekends, can it come on Saturday?", "How many more days roughly?"),
            "agent": (
                "Good news: the parcel is at the sorting centre, tracking {tracking}, and is due tomorrow. The courier will call before delivery.",
                "I've marked the order 'weekend delivery only' and told the local depot.",
                "I've asked the depot to prioritise it and will update you before 18:00 today.",
            ),
            "note": ("Tracking stalled for 2 days; chase raised with the carrier.", "Customer wants weekend delivery; depot informed."),
            "ask": ("Could you please confirm your delivery address and phone number? As soon as you do, I'll pass them to the courier.",),
            "solution": (
                "Sorted: the parcel will be delivered tomorrow morning, tracking {tracking}. If it hasn't arrived by 18:00 tomorrow, we'll send a replacement straight away.",
            ),
        },
    },
    {
        "key": "usage", "type": "inquiry", "categories": ("electronics", "appliances", "home", "beauty"),
        "zh": {
            "subject": ("{product}使用咨询", "请问怎么使用？"),
            "open": (
                "你好，刚收到{product}，说明书看不太懂，想问下第一次怎么设置？",
                "请问{product}能不能和手机App连接？我试了几次没成功。",
                "{product}用了两天，想问一下日常怎么保养比较好？",
            ),
            "cust": ("我按你说的试了，还是不行。", "好的，我现在试一下。", "有没有视频教程？", "需要先充满电吗？"),
            "agent": (
                "请您先长按电源键5秒重启，然后在App中选择“添加设备”，按提示操作即可。",
                "已为您发送图文教程链接，第3步有详细的连接演示，您可以对照操作。",
                "建议首次使用前充满电，大约需要2小时，之后正常使用即可。",
                "如果仍无法连接，我可以为您预约技术专员，今天内电话指导您。",
            ),
            "note": ("客户对App配网步骤不熟，已发送教程。",),
            "ask": ("麻烦您告诉我设备指示灯现在是什么颜色？我好判断下一步怎么操作。",),
            "solution": ("问题已解决：设备已成功连接。为您整理了保养要点，已发送到您的订单消息里，方便随时查看。",),
        },
        "en": {
            "subject": ("How do I set up my {product}?", "Usage question"),
            "open": ("Hi, my {product} just arrived and the manual is confusing. How do I set it up the first time?", "Can the {product} connect to the phone app? I tried a few times without luck."),
            "cust": ("I tried that, still no luck.", "OK, trying now.", "Is there a video guide?"),
            "agent": (
                "Please hold the power button for 5 seconds to restart, then choose 'Add device' in the app and follow the prompts.",
                "I've sent you a step-by-step guide; step 3 shows the pairing in detail.",
                "If it still won't pair, I can book a technician to call you today.",
            ),
            "note": ("Customer unfamiliar with app pairing; guide sent.",),
            "ask": ("Could you tell me what colour the status light is right now? That tells me the next step.",),
            "solution": ("All set: the device is connected. I've also sent a short care guide to your order messages for later.",),
        },
    },
    {
        "key": "invoice", "type": "inquiry", "categories": PHYSICAL + ("virtual",),
        "zh": {
            "subject": ("订单{order_no}开具发票", "发票问题"),
            "open": ("你好，订单{order_no}需要开增值税普通发票，抬头是公司，怎么操作？", "请问{product}的发票什么时候能开出来？"),
            "cust": ("税号我发给你了。", "电子发票就可以。", "能发到我的邮箱吗？"),
            "agent": ("已为您提交开票申请，电子发票将在24小时内发送到您的邮箱。", "请您核对一下抬头和税号，确认无误后我立即提交。"),
            "note": ("开票信息已核对，提交财务。",),
            "ask": ("麻烦您提供一下发票抬头和税号，我这边马上为您登记。",),
            "solution": ("发票已开具，已发送到您预留的邮箱，请注意查收；如24小时内未收到，请随时联系我。",),
        },
        "en": {
            "subject": ("Invoice for order {order_no}",),
            "open": ("Hi, I need a company invoice for order {order_no}. How do I request it?",),
            "cust": ("I've sent the tax number.", "An e-invoice is fine.", "Can you e-mail it to me?"),
            "agent": ("I've submitted the invoice request; the e-invoice will reach your e-mail within 24 hours.",),
            "note": ("Invoice details checked; passed to finance.",),
            "ask": ("Could you please send the company name and tax number? I'll register them right away.",),
            "solution": ("Your invoice has been issued and e-mailed. If it hasn't arrived within 24 hours, just let me know.",),
        },
    },
    # ---------------------------------------------------------------------- complaints
    {
        "key": "damaged", "type": "complaint", "categories": ("electronics", "appliances", "home", "beauty", "custom_made"),
        "compensation": "damaged_goods",
        "zh": {
            "subject": ("收到的{product}有破损", "商品破损投诉"),
            "open": (
                "刚收到的{product}外壳裂了，包装也压坏了，订单{order_no}，这怎么处理？",
                "我要投诉！{product}拆开就是坏的，屏幕有划痕。",
                "收到货发现{product}有明显磕碰，送人的礼物，现在很尴尬。",
            ),
            "cust": ("照片已经发给你了。", "我不想等太久。", "你们的包装也太差了。", "能直接给我换新的吗？"),
            "agent": (
                "非常抱歉给您带来不好的体验。为您提供两个方案：1. 免费补发新品；2. 按商品价值50%给予补偿，商品无需退回。您看哪个更合适？",
                "照片已收到，破损情况已为您登记，我这边立即为您加急处理。",
                "已为您安排上门取件，免邮费，快递员会在今天18:00前联系您。",
            ),
            "note": ("破损照片已存档，物流责任，已向承运商发起索赔。", "客户情绪激动，已先行致歉，优先处理。"),
            "ask": ("为了尽快为您处理，麻烦您拍一下外包装和破损处的照片发给我，谢谢配合。",),
            "solution": ("已为您处理完成：补偿金额¥{amount}将在1-3个工作日内原路退回。再次为给您带来的不便致歉。",),
        },
        "en": {
            "subject": ("My {product} arrived damaged",),
            "open": ("The {product} I just received is cracked and the box was crushed. Order {order_no}. What now?", "I want to complain: the {product} came broken, the screen is scratched."),
            "cust": ("I've sent you the photos.", "I don't want to wait long.", "Can you just send a new one?"),
            "agent": (
                "I'm very sorry about this. Two options for you: 1. a free replacement shipped today; 2. compensation of 50% of the item's value, and you keep the item. Which would you prefer?",
                "Photos received and the damage is logged. I'm treating this as a priority.",
                "I've booked a free pick-up; the courier will contact you before 18:00 today.",
            ),
            "note": ("Damage photos filed; carrier at fault, claim raised.",),
            "ask": ("To settle this quickly, could you please send photos of the outer box and the damage? Thank you.",),
            "solution": ("Done: compensation of ¥{amount} goes back to your original payment method within 1-3 working days. Sorry again for the trouble.",),
        },
    },
    {
        "key": "fake", "type": "complaint", "categories": ("beauty", "electronics", "apparel"),
        "compensation": "fake_goods",
        "zh": {
            "subject": ("怀疑{product}是假货", "假货投诉"),
            "open": (
                "我怀疑买到的{product}是假货，防伪码查不到，订单{order_no}，你们怎么解释？",
                "{product}和专柜的对比了，气味和包装都不一样，我要求假一赔三！",
            ),
            "cust": ("我已经找专柜鉴定了。", "鉴定报告我可以提供。", "这个事情必须给我一个说法。"),
            "agent": (
                "非常理解您的心情。请您先将商品寄回检测，运费由我们承担；如确认非正品，将退还货款并按价款三倍赔偿，最低500元。",
                "已将您的投诉升级为紧急处理，由资深专员全程跟进，1小时内给您回复。",
                "检测费用凭票据由我们承担，请您保留好相关单据。",
            ),
            "note": ("疑似假货投诉，已升级主管审批赔偿方案。", "已调取该批次入库质检记录。"),
            "ask": ("麻烦您提供一下防伪码查询截图和鉴定报告照片，收到后我们立即启动核查。",),
            "solution": ("核查结果已出：我们将退还货款并赔偿¥{amount}，已提交主管审批，审批通过后1-3个工作日到账，我会全程为您跟进。",),
        },
        "en": {
            "subject": ("Suspected counterfeit: {product}",),
            "open": ("I think the {product} I bought is fake: the authenticity code doesn't verify. Order {order_no}.",),
            "cust": ("I had it checked at a counter store.", "I can send the test report."),
            "agent": (
                "I completely understand. Please send the item back for testing at our cost; if it isn't genuine you get a full refund plus three times the price as compensation, at least ¥500.",
                "I've escalated this as urgent; a senior specialist will reply within 1 hour.",
            ),
            "note": ("Counterfeit claim; compensation escalated for lead approval.",),
            "ask": ("Could you please send a screenshot of the code check and the test report? We'll start the review as soon as we have them.",),
            "solution": ("The review is complete: you'll receive a refund plus ¥{amount} compensation. It's with the team lead for approval and will arrive within 1-3 working days after that.",),
        },
    },
    {
        "key": "service", "type": "complaint", "categories": PHYSICAL + ("virtual",),
        "compensation": "service_failure",
        "zh": {
            "subject": ("投诉配送服务", "物流太慢了"),
            "open": (
                "快递员态度太差了，没打电话就把{product}扔在门口！",
                "订单{order_no}承诺次日达，结果晚了四天，耽误我事了。",
            ),
            "cust": ("我希望你们给个交代。", "以后还敢在你们家买吗？", "道歉有什么用。"),
            "agent": (
                "非常抱歉让您有这样的经历。为表歉意，为您发放一张订单金额20%的优惠券，同时已向配送站点反馈并要求整改。",
                "您的反馈对我们非常重要，已记录并将在3个工作日内给您回访处理结果。",
            ),
            "note": ("配送站点服务投诉，已提交物流部门整改。",),
            "ask": ("麻烦您告诉我大概的送达时间，方便我们调取站点记录核实。",),
            "solution": ("已为您发放¥{amount}优惠券到账户，配送站点已对快递员进行处理，再次向您致歉。",),
        },
        "en": {
            "subject": ("Complaint about delivery service",),
            "open": ("The courier left my {product} at the door without calling, very rude.", "Order {order_no} was promised next-day and came four days late."),
            "cust": ("I expect a proper answer.", "An apology alone isn't enough."),
            "agent": (
                "I'm sorry you had this experience. As an apology I'm issuing a coupon worth 20% of the order, and I've reported the depot for follow-up.",
                "Thank you for telling us; I'll call you back within 3 working days with what the depot has changed.",
            ),
            "note": ("Depot service complaint; forwarded to logistics.",),
            "ask": ("Could you tell me roughly when it was delivered? That helps us pull the depot records.",),
            "solution": ("A coupon of ¥{amount} is now in your account, and the depot has dealt with the courier. Sorry again.",),
        },
    },
    {
        "key": "fresh_damage", "type": "complaint", "categories": ("fresh_food",), "fresh_damage": True,
        "compensation": "damaged_goods",
        "zh": {
            "subject": ("生鲜破损：{product}", "收到的生鲜坏了"),
            "open": (
                "刚签收的{product}好几个都坏了，冰袋全化了，订单{order_no}。",
                "{product}到手就有异味，而且缺斤少两，我称了一下差很多。",
            ),
            "cust": ("照片和称重视频都发你了。", "这是买来过节的，太扫兴了。"),
            "agent": (
                "非常抱歉！生鲜破损为您优先处理：请在签收后24小时内提供照片，我们核实后全额退款，商品无需退回。",
                "照片已收到，已为您加急提交退款，预计2小时内到账。",
            ),
            "note": ("生鲜破损，24小时内报备，已走极速退款。", "冷链断链，已反馈仓配。"),
            "ask": ("麻烦您拍一下商品和外箱的照片，如有称重视频也请一并发送，谢谢。",),
            "solution": ("已为您全额退款¥{amount}，原路退回，商品无需寄回，请您放心处理。",),
        },
        "en": {
            "subject": ("Spoiled fresh food: {product}",),
            "open": ("Several of the {product} I just received are spoiled, the ice packs had melted. Order {order_no}.",),
            "cust": ("Photos and a weighing video are sent.", "These were for a family dinner, very disappointing."),
            "agent": (
                "I'm so sorry! Fresh-food damage goes to the front of the queue: with photos within 24 hours of delivery we refund in full, no need to send anything back.",
                "Photos received; the refund is submitted as a priority and should arrive within 2 hours.",
            ),
            "note": ("Fresh damage reported within 24 h; fast refund.",),
            "ask": ("Could you send photos of the goods and the box, and the weighing video if you have one? Thank you.",),
            "solution": ("A full refund of ¥{amount} is on its way to your original payment method; please keep or discard the goods.",),
        },
    },
    # ------------------------------------------------------------------------- returns
    {
        "key": "no_reason", "type": "return_refund", "categories": ("electronics", "home", "apparel", "beauty", "appliances"),
        "zh": {
            "subject": ("订单{order_no}申请七天无理由退货", "退货申请"),
            "open": (
                "你好，{product}不太适合我，还没拆封，想申请七天无理由退货。",
                "买的{product}颜色和图片差别有点大，想退货，订单{order_no}。",
            ),
            "cust": ("退货运费谁出？", "可以上门取件吗？", "退款多久能到账？"),
            "agent": (
                "可以为您办理七天无理由退货。已为您提交申请，审核通过后可预约免费上门取件。",
                "仓库签收退货后3天内为您原路退款，请您放心。",
                "退货时请保持商品及包装完好，附件和赠品请一并寄回。",
            ),
            "note": ("七天无理由，商品未使用，已审核通过。",),
            "ask": ("麻烦您确认一下商品是否已拆封使用？包装和配件是否齐全？",),
            "solution": ("退款¥{amount}已原路退回，预计1-3个工作日到账，感谢您的配合。",),
        },
        "en": {
            "subject": ("Return request for order {order_no}",),
            "open": ("Hi, the {product} isn't right for me. It's unopened, I'd like a 7-day no-reason return.",),
            "cust": ("Who pays the return postage?", "Can you pick it up from my home?", "How long does the refund take?"),
            "agent": (
                "Yes, a 7-day no-reason return is fine. I've submitted it; once approved you can book a free pick-up.",
                "We refund to your original payment method within 3 days of the warehouse receiving the item.",
            ),
            "note": ("No-reason return, unused; approved.",),
            "ask": ("Could you confirm the item is unused and the packaging and accessories are complete?",),
            "solution": ("Your refund of ¥{amount} has been issued to your original payment method and should arrive in 1-3 working days.",),
        },
    },
    {
        "key": "quality", "type": "return_refund", "categories": ("electronics", "appliances", "home", "apparel", "beauty", "custom_made"),
        "zh": {
            "subject": ("质量问题退货：{product}", "商品有质量问题，申请退款"),
            "open": (
                "{product}用了三天就坏了，开不了机，我要退货退款。",
                "收到的{product}和描述不符，做工也很粗糙，申请退货，订单{order_no}。",
            ),
            "cust": ("视频已经上传了。", "我不想换了，直接退吧。", "能先退款吗？"),
            "agent": (
                "非常抱歉！质量问题为您优先处理：退货运费由我们承担，并为您预约免费上门取件。",
                "您是我们的信用良好客户，可为您办理“先退款后退货”，退款今天内到账。",
            ),
            "note": ("质量问题，证据齐全，审核通过。",),
            "ask": ("麻烦您提供一下故障视频或照片，方便我们为您快速审核。",),
            "solution": ("已为您退款¥{amount}，原路退回；退货运费已由我们承担。给您添麻烦了，非常抱歉。",),
        },
        "en": {
            "subject": ("Faulty {product}, requesting a refund",),
            "open": ("My {product} stopped working after three days. I'd like to return it for a refund.",),
            "cust": ("Video uploaded.", "I'd rather not exchange, just refund please."),
            "agent": (
                "I'm sorry! For quality problems we cover the return postage and I've booked a free pick-up for you.",
                "As a trusted customer you qualify for refund-before-return: the money goes back today.",
            ),
            "note": ("Quality issue with evidence; approved.",),
            "ask": ("Could you please share a short video or photos of the fault so we can approve it quickly?",),
            "solution": ("Your refund of ¥{amount} is on its way; the return postage is on us. Sorry for the trouble.",),
        },
    },
    {
        "key": "virtual_unusable", "type": "return_refund", "categories": ("virtual",),
        "zh": {
            "subject": ("{product}无法使用", "充值未到账"),
            "open": ("我买的{product}一直没到账，订单{order_no}，已经过了两个小时了。", "{product}的激活码提示无效，用不了。"),
            "cust": ("截图发你了。", "我要退款。"),
            "agent": ("已为您核实：充值渠道异常导致未到账，为您全额退款，或重新为您充值，您看哪种方式更方便？", "已联系供应商核查激活码，1小时内给您答复。"),
            "note": ("虚拟商品未到账，非客户原因，可退款。",),
            "ask": ("麻烦您提供一下报错页面的截图，谢谢。",),
            "solution": ("已为您全额退款¥{amount}，原路退回，预计1-3个工作日到账。",),
        },
        "en": {
            "subject": ("{product} not working",),
            "open": ("The {product} I paid for never arrived. Order {order_no}, it's been two hours.",),
            "cust": ("Screenshot sent.", "I'd like my money back."),
            "agent": ("Checked: the top-up failed on the provider's side, not yours. I can refund in full or retry the top-up, whichever you prefer.",),
            "note": ("Virtual goods never delivered; not the customer's fault; refundable.",),
            "ask": ("Could you send a screenshot of the error page, please?",),
            "solution": ("A full refund of ¥{amount} has been issued and should arrive in 1-3 working days.",),
        },
    },
    # ----------------------------------------------------------------------- exchanges
    {
        "key": "size", "type": "exchange", "categories": ("apparel",),
        "zh": {
            "subject": ("{product}换尺码", "申请换货"),
            "open": ("{product}尺码偏小，想换大一码，订单{order_no}。", "衣服颜色想换成黑色的，可以吗？"),
            "cust": ("吊牌还在，没穿过。", "新的什么时候能寄出？"),
            "agent": ("可以为您换货，已为您预留新尺码库存。仓库收到退回商品后2天内为您寄出新品，并告知新的运单号。", "已为您预约上门取件，换货运费由我们承担。"),
            "note": ("换尺码，已锁定库存。",),
            "ask": ("麻烦您告诉我平时穿的尺码和身高体重，我帮您确认合适的码数。",),
            "solution": ("新商品已寄出，运单号{tracking}，预计2天内送达，请注意查收。",),
        },
        "en": {
            "subject": ("Exchange {product} for another size",),
            "open": ("The {product} runs small, could I exchange it for one size up? Order {order_no}.",),
            "cust": ("Tags still on, never worn.", "When will the new one ship?"),
            "agent": ("Of course. I've reserved the new size; we ship it within 2 days of receiving yours and send you the new tracking number.",),
            "note": ("Size exchange; stock reserved.",),
            "ask": ("Could you tell me the size you usually wear so I can check the best fit?",),
            "solution": ("Your new item has shipped, tracking {tracking}, and should arrive within 2 days.",),
        },
    },
    {
        "key": "defect_exchange", "type": "exchange", "categories": ("electronics", "appliances", "home", "beauty", "custom_made"),
        "zh": {
            "subject": ("{product}故障申请换货", "换货申请"),
            "open": ("新买的{product}有杂音，想换一台新的，订单{order_no}。", "{product}有个按键失灵，能换货吗？"),
            "cust": ("换的新品能先发吗？", "旧的我已经打包好了。"),
            "agent": ("质量问题可为您换新，已为您提交换货申请，仓库收到旧件后2天内发出新品。", "已为您安排免费上门取件，快递员将在明天上午联系您。"),
            "note": ("质量问题换货，已通知仓库优先处理。",),
            "ask": ("麻烦您拍一段故障视频发给我，方便仓库核对。",),
            "solution": ("换货新品已发出，运单号{tracking}，请您注意查收。",),
        },
        "en": {
            "subject": ("Exchange request: faulty {product}",),
            "open": ("My new {product} makes a rattling noise. I'd like a replacement. Order {order_no}.",),
            "cust": ("Could you send the new one first?", "The old one is packed already."),
            "agent": ("A faulty item qualifies for an exchange. Submitted: the replacement ships within 2 days of the old one reaching the warehouse.",),
            "note": ("Quality exchange; warehouse asked to prioritise.",),
            "ask": ("Could you please send a short video of the fault for the warehouse?",),
            "solution": ("Your replacement has shipped, tracking {tracking}.",),
        },
    },
    # ------------------------------------------------------------------------- repairs
    {
        "key": "fault", "type": "repair", "categories": REPAIRABLE,
        "zh": {
            "subject": ("{product}报修", "申请保修维修"),
            "open": (
                "{product}突然不工作了，还在保修期内，怎么报修？订单{order_no}。",
                "你好，{product}用了半年出现故障，指示灯一直闪，麻烦安排维修。",
                "{product}漏水了，需要上门维修。",
            ),
            "cust": ("能上门修吗？", "维修要收费吗？", "明天下午我在家。", "已经按你说的重启过了。"),
            "agent": (
                "您的商品在保修期内，非人为损坏可免费维修。我先为您远程诊断，预计2小时内给出结论。",
                "远程无法排除故障，已为您安排工程师48小时内上门，工程师会提前1小时电话确认时间。",
                "请您放心，工程师上门会出示工作证，维修完成后需要您签字确认。",
            ),
            "note": ("远程诊断未排除，已派单上门。", "确认在保修期内，免费维修。"),
            "ask": ("方便的话，请您拍一下故障时的指示灯或报错画面，并告诉我方便上门的时间段。",),
            "solution": ("维修已完成，工程师已更换故障部件并测试正常。本次维修{amount}元，感谢您的耐心等待。",),
        },
        "en": {
            "subject": ("Repair request: {product}",),
            "open": ("My {product} stopped working. It's still under warranty. Order {order_no}. How do I get it repaired?",),
            "cust": ("Can someone come to my home?", "Will I be charged?", "I'm home tomorrow afternoon."),
            "agent": (
                "Your item is in warranty, so a repair for a fault you didn't cause is free. I'll run a remote diagnosis first and get back to you within 2 hours.",
                "The remote check didn't clear the fault, so an engineer will visit within 48 hours and call you 1 hour ahead to confirm.",
            ),
            "note": ("Remote diagnosis failed; on-site visit dispatched.",),
            "ask": ("If you can, please send a photo of the error light or screen and tell me which times suit a visit.",),
            "solution": ("The repair is done: the engineer replaced the faulty part and tested it. Charge for this repair: ¥{amount}. Thank you for your patience.",),
        },
    },
    # --------------------------------------------------------------------- suggestions
    {
        "key": "suggestion", "type": "suggestion", "categories": PHYSICAL + ("virtual",),
        "zh": {
            "subject": ("关于包装和App的建议", "一点小建议"),
            "open": ("建议你们的{product}包装能更环保一点，泡沫太多了。", "App里查物流的入口太深了，希望能放到首页。"),
            "cust": ("希望能采纳。", "就是提个建议，不用回复也行。"),
            "agent": ("感谢您的宝贵建议！已记录并提交产品团队，3个工作日内给您反馈采纳情况。",),
            "note": ("客户建议已提交产品团队评估。",),
            "ask": ("方便说一下您最希望先改进哪一点吗？",),
            "solution": ("感谢您的建议，产品团队已采纳并计划在下个版本优化，为表感谢已赠送您100积分。",),
        },
        "en": {
            "subject": ("A suggestion about packaging",),
            "open": ("Could you use less plastic foam when shipping the {product}?", "The tracking page in the app is hard to find; please put it on the home screen."),
            "cust": ("Just a suggestion, no need to reply.",),
            "agent": ("Thank you for the suggestion! I've passed it to the product team and will let you know within 3 working days.",),
            "note": ("Suggestion forwarded to product team.",),
            "ask": ("Which change would matter most to you?",),
            "solution": ("Thank you: the product team will include this in the next release. We've added 100 points to your account as a thank-you.",),
        },
    },
)

CASE_NOTES: dict[str, dict[str, str]] = {
    "zh": {
        "submitted": "客户提交申请",
        "approved": "审核通过，已告知客户寄回时限",
        "rejected": "审核未通过，已向客户说明原因",
        "shipped_back": "客户已寄回，运单号已登记",
        "received": "仓库已签收并质检",
        "refunded": "财务已原路退款",
        "replacement_shipped": "新品已发出，运单号已告知客户",
        "diagnosing": "技术专员远程诊断中",
        "onsite_scheduled": "已派工程师上门",
        "repaired": "维修完成，客户签字确认",
        "closed": "服务完成，已发送满意度邀请",
        "cancelled": "客户撤销申请",
    },
    "en": {
        "submitted": "Customer submitted the request",
        "approved": "Approved; customer told the ship-back deadline",
        "rejected": "Not approved; reason explained to the customer",
        "shipped_back": "Customer shipped it back; tracking recorded",
        "received": "Warehouse received and inspected",
        "refunded": "Finance refunded to the original payment method",
        "replacement_shipped": "Replacement shipped; tracking sent",
        "diagnosing": "Remote diagnosis in progress",
        "onsite_scheduled": "Engineer visit booked",
        "repaired": "Repaired; customer signed off",
        "closed": "Completed; survey sent",
        "cancelled": "Customer withdrew the request",
    },
}
REJECTIONS: dict[str, tuple[str, ...]] = {
    "zh": (
        "商品已拆封使用且影响二次销售，不符合七天无理由退货条件；如有质量问题，可为您安排免费检测。",
        "定制商品无质量问题不支持无理由退货，感谢您的理解；我们可为您提供免费调整服务。",
        "申请已超过退货期限（签收后7天），可为您转为保修维修服务。",
    ),
    "en": (
        "The item has been used and can't be resold, so the no-reason return doesn't apply; we can test it for free if you suspect a fault.",
        "Made-to-order goods can be returned only for quality problems; we can offer a free adjustment instead.",
        "The return window (7 days after delivery) has passed; we can handle it as a warranty repair instead.",
    ),
}
SURVEY_COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        "very_satisfied": ("客服很耐心，处理很快！", "非常满意，点赞{agent}！", "退款秒到，体验很好。", ""),
        "satisfied": ("整体不错。", "处理及时，就是等了一会儿。", ""),
        "average": ("流程有点繁琐。", "回复有点慢。", ""),
        "unsatisfied": ("等了太久才有人回复。", "问题没有真正解决，还要反复说明情况。", "补偿太少了。"),
    },
    "en": {
        "very_satisfied": ("Very patient and quick, thank you!", "Great service from {agent}.", ""),
        "satisfied": ("Good overall.", "Fine, a bit of waiting.", ""),
        "average": ("Too many steps.", "Replies were slow.", ""),
        "unsatisfied": ("Waited far too long for a reply.", "Had to explain everything twice.", "The compensation was too low."),
    },
}
CALLBACK_NOTES: dict[str, tuple[str, ...]] = {
    "zh": ("已回访：客户主要不满等待时间，已致歉并赠送优惠券，客户表示理解。", "已回访：客户希望补偿提高，已上报主管评估，承诺2天内答复。"),
    "en": ("Called back: the wait was the main issue; apologised and sent a coupon, customer satisfied.", "Called back: customer wants more compensation; raised with the lead, answer promised within 2 days."),
}
CALL_NOTES: dict[str, tuple[str, ...]] = {
    "zh": ("来电咨询订单进度，已告知预计送达时间。", "客户来电反映故障，已远程指导并登记报修。", "来电投诉，已安抚并承诺1小时内回电。", "来电办理退货，已发送取件预约短信。"),
    "en": ("Caller asked about the order; told the expected delivery.", "Caller reported a fault; guided remotely and logged a repair.", "Complaint by phone; promised a call back within 1 hour."),
}
WRAP_UP_CODES: tuple[str, ...] = ("resolved_first_contact", "callback_promised", "case_opened", "info_given", "transferred", "escalated")
QA_COMMENTS: dict[str, tuple[str, ...]] = {
    "pass": ("话术规范，方案先行，响应及时。", "Clear, polite, solution first."),
    "fail": ("首次响应超时，且未告知处理时限。", "First reply was late and no time was promised."),
}
QA_ACTIONS: tuple[str, ...] = ("复训首响时效规范，下周复核。", "Re-train on promising a time; re-check next week.")
WORK_DIAGNOSES: dict[str, tuple[str, ...]] = {
    "zh": ("主板供电异常，更换后测试正常。", "电机碳刷磨损，已更换。", "门封老化漏水，已更换密封条。", "电池鼓包，已更换电池。"),
    "en": ("Power fault on the mainboard; replaced and tested.", "Worn motor brushes; replaced.", "Door seal leaking; replaced."),
}
ATTACHMENT_NAMES: tuple[str, ...] = ("photo_1.jpg", "photo_2.jpg", "damage.jpg", "video_01.mp4", "screenshot.png")
