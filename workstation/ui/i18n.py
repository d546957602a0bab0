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
