"""The demo shop's catalogue: products by category with realistic prices (yuan, as strings)."""

from __future__ import annotations

# category -> [(sku, zh title, en title, price, no-reason excluded on the product page)]
PRODUCTS: dict[str, tuple[tuple[str, str, str, str, bool], ...]] = {
    "electronics": (
        ("EL-PH20P", "星曜 X20 Pro 智能手机 12+256GB", "Xingyao X20 Pro smartphone 12+256GB", "4999.00", False),
        ("EL-PH12", "星曜 Note 12 手机 8+128GB", "Xingyao Note 12 phone 8+128GB", "1599.00", False),
        ("EL-BT3", "降噪蓝牙耳机 Air 3", "Air 3 noise-cancelling earbuds", "399.00", False),
        ("EL-NB14", "轻薄笔记本电脑 14英寸 i7/16G/1T", "14-inch ultrabook i7/16GB/1TB", "6999.00", False),
        ("EL-TB11", "11英寸平板电脑 WiFi版 256GB", "11-inch tablet Wi-Fi 256GB", "2999.00", False),
        ("EL-WT5", "智能手表 S5 运动版", "Smart watch S5 sport", "1299.00", False),
        ("EL-PB20", "20000mAh 快充充电宝", "20,000 mAh fast-charge power bank", "149.00", False),
        ("EL-KB87", "87键机械键盘 茶轴", "87-key mechanical keyboard, brown switches", "499.00", False),
        ("EL-CAM4", "家用智能摄像头 4K", "4K home security camera", "299.00", False),
    ),
    "appliances": (
        ("AP-WM10", "10公斤滚筒洗衣机 变频", "10 kg inverter front-load washer", "3299.00", False),
        ("AP-RF500", "500升对开门冰箱 风冷无霜", "500 L side-by-side fridge, frost-free", "4599.00", False),
        ("AP-AF5", "5升大容量空气炸锅", "5 L air fryer", "399.00", False),
        ("AP-RB9", "扫拖一体扫地机器人 T9", "T9 robot vacuum and mop", "2499.00", False),
        ("AP-WH60", "60升电热水器 一级能效", "60 L electric water heater", "1599.00", False),
        ("AP-BL2", "静音破壁料理机", "Quiet high-speed blender", "699.00", False),
        ("AP-AC15", "1.5匹变频空调挂机", "1.5 HP inverter air conditioner", "3999.00", False),
        ("AP-DW8", "嵌入式洗碗机 8套", "Built-in dishwasher, 8 place settings", "2899.00", False),
    ),
    "home": (
        ("HM-PL2", "记忆棉护颈枕 两只装", "Memory-foam pillows, pair", "199.00", False),
        ("HM-DT6", "北欧实木餐桌 1.4米", "Solid-wood dining table 1.4 m", "2399.00", False),
        ("HM-BS4", "60支长绒棉四件套", "Long-staple cotton bedding set", "299.00", False),
        ("HM-SC5", "五斗收纳柜", "Five-drawer storage chest", "459.00", False),
        ("HM-LP1", "护眼LED台灯", "Eye-care LED desk lamp", "129.00", False),
        ("HM-SF3", "布艺三人沙发 可拆洗", "Three-seat fabric sofa, washable covers", "4999.00", False),
        ("HM-OC2", "人体工学办公椅", "Ergonomic office chair", "899.00", False),
    ),
    "apparel": (
        ("AQ-DJ9", "90白鸭绒轻薄羽绒服", "Light down jacket, 90% duck down", "899.00", False),
        ("AQ-RS42", "缓震跑步鞋 42码", "Cushioned running shoes, EU 42", "599.00", False),
        ("AQ-SH3", "免烫商务衬衫", "Non-iron business shirt", "259.00", False),
        ("AQ-JN5", "直筒弹力牛仔裤", "Straight stretch jeans", "329.00", False),
        ("AQ-DR7", "法式碎花连衣裙", "French floral dress", "459.00", False),
        ("AQ-UW2", "纯棉贴身内衣套装", "Cotton underwear set", "129.00", True),
    ),
    "beauty": (
        ("BT-SR50", "修护精华液 50ml", "Repair serum 50 ml", "680.00", False),
        ("BT-CR30", "保湿面霜 30g", "Moisturising cream 30 g", "420.00", False),
        ("BT-LS3", "丝绒哑光口红 #3", "Velvet matte lipstick #3", "290.00", False),
        ("BT-SS50", "清爽防晒霜 SPF50+", "Light sunscreen SPF50+", "169.00", False),
        ("BT-CL1", "氨基酸洗面奶", "Amino-acid facial cleanser", "89.00", False),
        ("BT-CT2", "彩色隐形眼镜 月抛", "Coloured contact lenses, monthly", "99.00", True),
    ),
    "fresh_food": (
        ("FF-CB8", "阳澄湖大闸蟹 8只装", "Yangcheng Lake hairy crabs, 8 pcs", "588.00", False),
        ("FF-CH2", "智利车厘子 2kg 礼盒", "Chilean cherries 2 kg gift box", "268.00", False),
        ("FF-OR5", "赣南脐橙 5kg", "Gannan navel oranges 5 kg", "79.00", False),
        ("FF-ST1", "澳洲谷饲牛排 1kg", "Australian grain-fed steak 1 kg", "198.00", False),
        ("FF-SM5", "冰鲜三文鱼 500g", "Chilled salmon 500 g", "168.00", False),
        ("FF-MG3", "海南贵妃芒 3kg", "Hainan mangoes 3 kg", "59.90", False),
    ),
    "virtual": (
        ("VT-VIP12", "视频会员年卡", "Video streaming annual membership", "198.00", False),
        ("VT-TOP100", "话费充值 100元", "Mobile top-up ¥100", "100.00", False),
        ("VT-ENG1", "在线英语口语课程 48课时", "Online English speaking course, 48 lessons", "1999.00", False),
        ("VT-OFF1", "办公软件激活码 一年", "Office suite licence key, 1 year", "398.00", False),
        ("VT-GC50", "游戏点卡 50元", "Game card ¥50", "50.00", False),
    ),
    "custom_made": (
        ("CM-PEN", "定制刻字钢笔", "Engraved fountain pen", "368.00", False),
        ("CM-PB", "定制照片书 30页", "Custom photo book, 30 pages", "158.00", False),
        ("CM-SUIT", "量体定制西装", "Made-to-measure suit", "2680.00", False),
        ("CM-CUR", "定制遮光窗帘 全屋", "Made-to-measure blackout curtains", "1280.00", False),
        ("CM-WD", "定制实木衣柜 2米", "Custom solid-wood wardrobe 2 m", "8999.00", False),
    ),
}

HIGH_VALUE_FROM = "2000.00"  # catalogue flag: goods at or above this price are high-value

SHOPS_ZH: tuple[str, ...] = ("星曜官方旗舰店", "优品家电自营店", "悦享家居馆", "潮流服饰旗舰店", "鲜果生鲜直营", "数字权益中心", "匠心定制工坊")
SHOP_BY_CATEGORY: dict[str, str] = {
    "electronics": "星曜官方旗舰店",
    "appliances": "优品家电自营店",
    "home": "悦享家居馆",
    "apparel": "潮流服饰旗舰店",
    "beauty": "潮流服饰旗舰店",
    "fresh_food": "鲜果生鲜直营",
    "virtual": "数字权益中心",
    "custom_made": "匠心定制工坊",
}
CARRIERS: tuple[str, ...] = ("SF", "JD", "YT", "ZTO", "YD", "EMS")

# Repair parts and labour codes per category, as the policy's price lists name them.
REPAIR_PARTS: dict[str, tuple[str, ...]] = {
    "electronics": ("screen", "battery", "charging_port", "camera", "back_cover"),
    "appliances": ("motor", "control_board", "heating_element", "door_seal"),
    "home": ("hinge", "caster"),
    "custom_made": (),
}
REPAIR_LABOUR: dict[str, str] = {"electronics": "basic", "appliances": "onsite", "home": "basic", "custom_made": "basic"}
