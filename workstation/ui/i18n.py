"""UI language. English is the source language; Simplified Chinese ships as a table here.

`DictTranslator` is a QTranslator fed from a Python dict keyed by (context, source text),
so the catalogue needs no compiled .qm file. Other languages can still be added as .qm
files through a normal QTranslator.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QTranslator

ZH_CN: dict[tuple[str, str], str] = {
    # labels
    ("Labels", "Online chat"): "在线客服",
    ("Labels", "In-app"): "APP咨询",
    ("Labels", "Phone"): "电话",
    ("Labels", "E-mail"): "邮件",
    ("Labels", "SMS"): "短信",
    ("Labels", "Social / WeChat"): "社交媒体/微信",
    ("Labels", "Live stream"): "直播间",
    ("Labels", "Web form"): "自助工单",
    ("Labels", "Complaint"): "投诉",
    ("Labels", "Return / refund"): "退货退款",
    ("Labels", "Exchange"): "换货",
    ("Labels", "Repair / warranty"): "维修/保修",
    ("Labels", "Inquiry"): "咨询",
    ("Labels", "Suggestion"): "建议",
    ("Labels", "Urgent"): "紧急",
    ("Labels", "High"): "高",
    ("Labels", "Normal"): "普通",
    ("Labels", "Low"): "低",
    ("Labels", "New"): "新建",
    ("Labels", "Open"): "处理中",
    ("Labels", "Waiting for customer"): "待客户回复",
    ("Labels", "Waiting internally"): "待内部处理",
    ("Labels", "Resolved"): "已解决",
    ("Labels", "Closed"): "已关闭",
    ("Labels", "Agent"): "客服坐席",
    ("Labels", "Senior agent"): "资深专员",
    ("Labels", "Team lead"): "主管",
    ("Labels", "Field engineer"): "上门工程师",
    ("Labels", "Administrator"): "管理员",
    # table
    ("ConversationTableModel", "Channel"): "渠道",
    ("ConversationTableModel", "Customer"): "客户",
    ("ConversationTableModel", "Subject / preview"): "主题 / 摘要",
    ("ConversationTableModel", "Type"): "诉求类型",
    ("ConversationTableModel", "Priority"): "优先级",
    ("ConversationTableModel", "Status"): "状态",
    ("ConversationTableModel", "SLA left"): "时效剩余",
    # main window
    ("MainWindow", "After-sales workstation"): "售后服务工作台",
    ("MainWindow", "Mine"): "我的",
    ("MainWindow", "Unassigned"): "待分配",
    ("MainWindow", "Urgent"): "紧急",
    ("MainWindow", "All"): "全部",
    ("MainWindow", "Closed"): "已关闭",
    ("MainWindow", "Refresh"): "刷新",
    ("MainWindow", "Signed in as {name}"): "当前用户：{name}",
    ("MainWindow", "Role: {role}"): "角色：{role}",
    ("MainWindow", "Server: {url}"): "服务器：{url}",
    ("MainWindow", "Online"): "在线",
    ("MainWindow", "Offline"): "离线",
    ("MainWindow", "Loading…"): "加载中…",
    ("MainWindow", "Not refreshed yet"): "尚未刷新",
    ("MainWindow", "Last refresh {time} ({ago} s ago)"): "上次刷新 {time}（{ago} 秒前）",
    ("MainWindow", "{loaded} of {total} conversations"): "已加载 {loaded} / 共 {total} 个会话",
    ("MainWindow", "Could not load conversations: {error}"): "无法加载会话：{error}",
    ("MainWindow", "&File"): "文件(&F)",
    ("MainWindow", "&Quit"): "退出(&Q)",
    ("MainWindow", "&View"): "视图(&V)",
    ("MainWindow", "View"): "视图",
    # labels added for the desk
    ("Labels", "Return"): "退货",
    ("Labels", "Repair"): "维修",
    ("Labels", "Submitted"): "已提交",
    ("Labels", "Approved"): "已批准",
    ("Labels", "Rejected"): "已驳回",
    ("Labels", "Shipped back"): "已寄回",
    ("Labels", "Received"): "已收货",
    ("Labels", "Refunded"): "已退款",
    ("Labels", "Replacement shipped"): "换新已发出",
    ("Labels", "Diagnosing"): "诊断中",
    ("Labels", "On-site visit scheduled"): "已预约上门",
    ("Labels", "Repaired"): "已修复",
    ("Labels", "Cancelled"): "已取消",
    ("Labels", "Service"): "客服部",
    ("Labels", "Warehouse"): "仓储部",
    ("Labels", "Finance"): "财务部",
    ("Labels", "Logistics"): "物流部",
    ("Labels", "Engineering"): "技术部",
    ("Labels", "VIP"): "VIP",
    ("Labels", "Frequent complainer"): "高投诉用户",
    ("Labels", "Offered"): "已提出",
    ("Labels", "Awaiting approval"): "待审批",
    ("Labels", "Accepted"): "已接受",
    ("Labels", "Declined"): "已拒绝",
    ("Labels", "Paid"): "已发放",
    ("Labels", "Very satisfied"): "非常满意",
    ("Labels", "Satisfied"): "满意",
    ("Labels", "Average"): "一般",
    ("Labels", "Unsatisfied"): "不满意",
    ("Labels", "WeChat"): "微信",
    ("Labels", "App account"): "APP账号",
    ("Labels", "Chat visitor"): "在线访客",
    ("Labels", "Live-stream user"): "直播间用户",
    ("Labels", "Social media"): "社交媒体",
    # inbox
    ("InboxModel", "Channel"): "渠道",
    ("InboxModel", "Customer"): "客户",
    ("InboxModel", "Preview"): "摘要",
    ("InboxModel", "Type"): "诉求类型",
    ("InboxModel", "Priority"): "优先级",
    ("InboxModel", "SLA left"): "时效剩余",
    ("InboxModel", "Unread"): "未读",
    # timeline
    ("Timeline", "Call · {duration}"): "通话 · {duration}",
    ("Timeline", "Call"): "通话",
    ("Timeline", "Missed call"): "未接来电",
    ("Timeline", "Wrap-up: {code}"): "小结代码：{code}",
    ("Timeline", "{case}: {state}"): "{case}：{state}",
    ("Timeline", "Internal note"): "内部备注",
    ("Timeline", "not sent yet"): "尚未发送",
    # conversation pane
    ("ConversationPanel", "Claim (C)"): "认领 (C)",
    ("ConversationPanel", "Type"): "类型",
    ("ConversationPanel", "Priority"): "优先级",
    ("ConversationPanel", "Status"): "状态",
    ("ConversationPanel", "Reply channel"): "回复渠道",
    ("ConversationPanel", "Internal note (N)"): "内部备注 (N)",
    ("ConversationPanel", "Reply on"): "回复渠道",
    ("ConversationPanel", "Reply"): "回复",
    ("ConversationPanel", "Write a reply… (Ctrl+Enter sends)"): "输入回复…（Ctrl+Enter 发送）",
    ("ConversationPanel", "Internal note, only colleagues see it… (Ctrl+Enter saves)"): "内部备注，仅同事可见…（Ctrl+Enter 保存）",
    ("ConversationPanel", "Send"): "发送",
    ("ConversationPanel", "Save note"): "保存备注",
    ("ConversationPanel", "Ctrl+Enter"): "Ctrl+Enter",
    ("ConversationPanel", "No conversation selected"): "未选择会话",
    ("ConversationPanel", "Pick one in the inbox (Ctrl+Down / J for the next)."): "请在收件箱中选择一个会话（Ctrl+↓ 或 J 切换到下一个）。",
    ("ConversationPanel", "unassigned"): "待分配",
    ("ConversationPanel", "assigned to you"): "由您负责",
    ("ConversationPanel", "assigned to {name}"): "由 {name} 负责",
    ("ConversationPanel", "{chars} characters · {parts} SMS"): "{chars} 字 · {parts} 条短信",
    ("ConversationPanel", "{chars} characters"): "{chars} 字",
    ("ConversationPanel", "Timeline"): "时间线",
    # customer 360
    ("CustomerPanel", "prefers {channel}"): "偏好{channel}",
    ("CustomerPanel", "Identities"): "身份信息",
    ("CustomerPanel", "Address"): "地址",
    ("CustomerPanel", "Orders"): "订单",
    ("CustomerPanel", "signed for {date}, {days} days ago"): "{date} 签收，已 {days} 天",
    ("CustomerPanel", "not delivered yet"): "尚未签收",
    ("CustomerPanel", "Conversations"): "历史会话",
    ("CustomerPanel", "Cases"): "售后单",
    ("CustomerPanel", "due {time}"): "截止 {time}",
    ("CustomerPanel", "Compensation"): "赔偿补偿",
    ("CustomerPanel", "Ratings"): "满意度评价",
    ("CustomerPanel", "Customer 360"): "客户全景",
    ("CustomerPanel", "Select a conversation to see its customer."): "选择一个会话以查看客户信息。",
    ("CustomerPanel", "This customer is not in the local cache yet."): "本地缓存中还没有该客户。",
    # pending changes
    ("PendingChanges", "#"): "#",
    ("PendingChanges", "Change"): "变更",
    ("PendingChanges", "State"): "状态",
    ("PendingChanges", "Reason"): "原因",
    ("PendingChanges", "Made at"): "时间",
    ("PendingChanges", "Claim conversation"): "认领会话",
    ("PendingChanges", "Send reply"): "发送回复",
    ("PendingChanges", "Internal note"): "内部备注",
    ("PendingChanges", "Change type / priority / status"): "修改类型/优先级/状态",
    ("PendingChanges", "Transfer"): "转交",
    ("PendingChanges", "Rejected"): "被拒绝",
    ("PendingChanges", "Waiting to send"): "等待发送",
    ("PendingChanges", "Pending changes"): "待同步的变更",
    ("PendingChanges", "Retry"): "重试",
    ("PendingChanges", "Discard…"): "放弃…",
    ("PendingChanges", "Everything is synced."): "全部已同步。",
    ("PendingChanges", "{count} changes not confirmed by the server; {rejected} rejected."): "{count} 项变更尚未被服务器确认，其中 {rejected} 项被拒绝。",
    ("PendingChanges", "Discard change #{id}? It will never reach the server."): "放弃变更 #{id}？它将不会再发送到服务器。",
    ("PendingChanges", "Discard change"): "放弃变更",
    # cheat sheet
    ("CheatSheet", "Keyboard shortcuts"): "快捷键",
    # desk window
    ("DeskWindow", "After-sales workstation"): "售后服务工作台",
    ("DeskWindow", "Mine"): "我的",
    ("DeskWindow", "Unassigned"): "待分配",
    ("DeskWindow", "Urgent"): "紧急",
    ("DeskWindow", "About to breach"): "即将超时",
    ("DeskWindow", "All"): "全部",
    ("DeskWindow", "Closed"): "已关闭",
    ("DeskWindow", "View"): "视图",
    ("DeskWindow", "Channel filter"): "渠道筛选",
    ("DeskWindow", "All channels"): "全部渠道",
    ("DeskWindow", "Search customers, orders, messages (Ctrl+F)"): "搜索客户、订单、消息（Ctrl+F）",
    ("DeskWindow", "Connecting…"): "连接中…",
    ("DeskWindow", "Pending: {count}"): "待同步：{count}",
    ("DeskWindow", "{count} rejected"): "{count} 项被拒绝",
    ("DeskWindow", "Changes not yet confirmed by the server (click for the list)"): "尚未被服务器确认的变更（点击查看列表）",
    ("DeskWindow", "Not synced yet"): "尚未同步",
    ("DeskWindow", "{name} · {role}"): "{name} · {role}",
    ("DeskWindow", "Server: {url}"): "服务器：{url}",
    ("DeskWindow", "Next conversation"): "下一个会话",
    ("DeskWindow", "Previous conversation"): "上一个会话",
    ("DeskWindow", "Reply to the customer"): "回复客户",
    ("DeskWindow", "Write an internal note"): "写内部备注",
    ("DeskWindow", "Claim the conversation"): "认领会话",
    ("DeskWindow", "Search"): "搜索",
    ("DeskWindow", "Send the reply or note"): "发送回复或备注",
    ("DeskWindow", "Sync now"): "立即同步",
    ("DeskWindow", "This cheat sheet"): "显示本快捷键表",
    ("DeskWindow", "&File"): "文件(&F)",
    ("DeskWindow", "&Quit"): "退出(&Q)",
    ("DeskWindow", "&View"): "视图(&V)",
    ("DeskWindow", "&Help"): "帮助(&H)",
    ("DeskWindow", "Pending changes…"): "待同步的变更…",
    ("DeskWindow", "Keyboard shortcuts"): "快捷键",
    ("DeskWindow", "Search failed: {error}"): "搜索失败：{error}",
    ("DeskWindow", "{count} conversations match “{text}”"): "{count} 个会话匹配“{text}”",
    ("DeskWindow", "Could not read the local cache: {error}"): "无法读取本地缓存：{error}",
    ("DeskWindow", "Online"): "在线",
    ("DeskWindow", "Syncing…"): "同步中…",
    ("DeskWindow", "Offline"): "离线",
    ("DeskWindow", "Sync error"): "同步出错",
    ("DeskWindow", "Working offline: changes are kept on this computer and sent when the server is back."): "离线工作中：变更保存在本机，服务器恢复后自动发送。",
    ("DeskWindow", "Last sync {time}"): "上次同步 {time}",
    ("DeskWindow", "Changes are not available in this session."): "本次会话无法进行修改。",
    ("DeskWindow", "Claimed."): "已认领。",
}

CATALOGUES: dict[str, dict[tuple[str, str], str]] = {"zh_CN": ZH_CN}


class DictTranslator(QTranslator):
    def __init__(self, table: dict[tuple[str, str], str], parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._table = table

    def translate(  # type: ignore[override]
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        return self._table.get((context, source_text))

    def isEmpty(self) -> bool:
        return not self._table


def pick_language(requested: str = "") -> str:
    """The catalogue to load: the requested one if we have it, else the system's, else English."""
    name = requested or QLocale.system().name()
    if name in CATALOGUES:
        return name
    if name.split("_")[0].lower() == "zh" and not name.lower().startswith(("zh_tw", "zh_hk")):
        return "zh_CN"
    return "en"


def make_translator(language: str) -> DictTranslator | None:
    table = CATALOGUES.get(language)
    return DictTranslator(table) if table else None
