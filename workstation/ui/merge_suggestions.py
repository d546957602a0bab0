"""Possible duplicates in Customer 360: a banner listing the server's merge suggestions (with
why: same phone, same e-mail, same name), a Merge… button for the roles the server lets merge
(team leads, admins) and Not the same person to dismiss; and the confirm dialog that shows
both records side by side and which one is kept.

A handful of suggestions at most, so plain widgets (no model) are enough here.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from workstation.services.customers import MergeSuggestion
from workstation.ui import i18n, labels, timefmt

CONTEXT = "MergeSuggestions"
MAX_SHOWN = 3

ZH: dict[str, str] = {
    "Possible duplicate": "疑似重复客户",
    "Possible duplicates ({count})": "疑似重复客户（{count}）",
    "same phone": "电话相同",
    "same e-mail": "邮箱相同",
    "same name": "姓名相同",
    "Merge…": "合并…",
    "Not the same person": "不是同一人",
    "Only a team lead or an admin can merge customers; ask yours if these are one person.":
        "只有组长或管理员可以合并客户；如确认为同一人，请联系组长。",
    "…and {count} more": "…另有 {count} 位",
    "Merging…": "正在合并…",
    "Merged: the desk now shows the kept record.": "已合并：当前显示保留的客户记录。",
    "Could not merge: {error}": "合并失败：{error}",
    "Merging needs the server; you are offline.": "合并需要连接服务器；当前离线。",
    "Merge customers": "合并客户",
    "This customer": "当前客户",
    "Keep this record": "保留此记录",
    "Name": "姓名",
    "Phone": "电话",
    "Created": "创建于",
    "Orders": "订单",
    "Conversations": "会话",
    "Cases": "售后单",
    "Tags": "标签",
    "Why suggested": "提示原因",
    "not in the local cache": "本地缓存中没有",
    "The record not kept is merged into the kept one: its conversations, orders, cases, calls "
    "and identities move over, and the kept record takes any phone, address and tags it lacks. "
    "The merge is audited and cannot be undone from the desk.":
        "未保留的记录将并入保留的记录：其会话、订单、售后单、通话和身份信息都会转移，"
        "保留的记录会补齐缺少的电话、地址和标签。合并会记入审计日志，且无法在工作台撤销。",
    "&Merge": "合并(&M)",
    "Cancel": "取消",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def register_zh() -> None:
    """This module's Chinese strings into the app's zh_CN catalogue (entries already there win)."""
    i18n.register(CONTEXT, ZH)
    i18n.register("DeskWindow", {"Customers merged; their histories are now one.": "客户已合并，历史记录已归为一处。"})


def reason_text(reason: str) -> str:
    return {"phone": _tr("same phone"), "email": _tr("same e-mail"), "name": _tr("same name")}.get(reason, reason)


def reasons_text(reasons: tuple[str, ...] | list[str]) -> str:
    return " · ".join(reason_text(r) for r in reasons)


def _e(value: object) -> str:
    return html.escape(str(value if value is not None else ""))


class MergeSuggestionsBar(QFrame):
    """The banner above the customer card. Hidden when there is nothing to suggest."""

    merge_requested = Signal(str)  # the other customer's id
    dismiss_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        register_zh()
        self.setObjectName("mergeSuggestions")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#mergeSuggestions { background: #fff8e1; border: 1px solid #f0c36d; border-radius: 4px; }"
            "#mergeSuggestions QLabel { color: #3c3c3c; }"
        )
        self.suggestions: list[MergeSuggestion] = []
        self.can_merge = False
        self._col = QVBoxLayout(self)
        self._col.setContentsMargins(8, 6, 8, 6)
        self._col.setSpacing(4)
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self._col.addWidget(self.title)
        self._rows = QVBoxLayout()
        self._rows.setSpacing(6)
        self._col.addLayout(self._rows)
        self.permission_label = QLabel(
            _tr("Only a team lead or an admin can merge customers; ask yours if these are one person."), self
        )
        self.permission_label.setWordWrap(True)
        self.permission_label.setStyleSheet("color: #5f6368;")
        self._col.addWidget(self.permission_label)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setObjectName("mergeMessage")
        self.message_label.hide()
        self._col.addWidget(self.message_label)
        self.merge_buttons: dict[str, QPushButton] = {}
        self.dismiss_buttons: dict[str, QPushButton] = {}
        self.hide()

    def set_suggestions(self, suggestions: list[MergeSuggestion], *, can_merge: bool) -> None:
        self.suggestions = list(suggestions)
        self.can_merge = can_merge
        self.merge_buttons.clear()
        self.dismiss_buttons.clear()
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.message_label.hide()
        if not self.suggestions:
            self.hide()
            return
        count = len(self.suggestions)
        self.title.setText(_tr("Possible duplicate") if count == 1 else _tr("Possible duplicates ({count})").format(count=count))
        for s in self.suggestions[:MAX_SHOWN]:
            self._rows.addWidget(self._row(s))
        if count > MAX_SHOWN:
            more = QLabel(_tr("…and {count} more").format(count=count - MAX_SHOWN), self)
            more.setStyleSheet("color: #5f6368;")
            self._rows.addWidget(more)
        self.permission_label.setVisible(not can_merge)
        self.show()

    def _row(self, s: MergeSuggestion) -> QWidget:
        row = QWidget(self)
        col = QVBoxLayout(row)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        who = QLabel(row)
        who.setTextFormat(Qt.TextFormat.RichText)
        who.setWordWrap(True)
        phone = f" <span style='color:#5f6368'>{_e(s.phone)}</span>" if s.phone else ""
        who.setText(
            f"<b>{_e(s.display_name or '—')}</b>{phone}<br>"
            f"<span style='color:#8a5a00'>{_e(reasons_text(s.reasons))}</span>"
        )
        col.addWidget(who)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        if self.can_merge:
            merge = QPushButton(_tr("Merge…"), row)
            merge.clicked.connect(lambda _=False, cid=s.customer_id: self.merge_requested.emit(cid))
            buttons.addWidget(merge)
            self.merge_buttons[s.customer_id] = merge
        dismiss = QPushButton(_tr("Not the same person"), row)
        dismiss.clicked.connect(lambda _=False, cid=s.customer_id: self.dismiss_requested.emit(cid))
        buttons.addWidget(dismiss)
        self.dismiss_buttons[s.customer_id] = dismiss
        buttons.addStretch(1)
        col.addLayout(buttons)
        return row

    def set_busy(self, busy: bool) -> None:
        for button in [*self.merge_buttons.values(), *self.dismiss_buttons.values()]:
            button.setEnabled(not busy)
        if busy:
            self.show_message(_tr("Merging…"))

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet("color: #c62828;" if error else "color: #1b5e20;")
        self.message_label.setText(text)
        self.message_label.show()
        self.show()


def _summary(card: Any, suggestion: MergeSuggestion | None) -> dict[str, str]:
    """The facts shown for one side of the dialog."""
    out: dict[str, str] = {}
    c = dict(card.customer) if card is not None else {}
    out["name"] = str(c.get("display_name") or (suggestion.display_name if suggestion else "") or "—")
    out["phone"] = str(c.get("phone") or (suggestion.phone if suggestion else "") or "—")
    created = c.get("created_at") or (suggestion.created_at if suggestion else "")
    out["created"] = timefmt.day(created) if created else "—"
    if card is not None:
        out["orders"] = str(len(card.orders))
        out["conversations"] = str(len(card.conversations))
        out["cases"] = str(len(card.cases))
        out["tags"] = " ".join(labels.tag(str(t)) for t in c.get("tags") or []) or "—"
    else:
        for key in ("orders", "conversations", "cases", "tags"):
            out[key] = _tr("not in the local cache")
    return out


class MergeConfirmDialog(QDialog):
    """Both records side by side; the agent picks which one is kept, then confirms."""

    def __init__(
        self,
        *,
        current_id: str,
        current_card: Any,
        suggestion: MergeSuggestion,
        other_card: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        register_zh()
        self.setObjectName("mergeConfirm")
        self.setWindowTitle(_tr("Merge customers"))
        self.current_id = current_id
        self.other_id = suggestion.customer_id
        col = QVBoxLayout(self)
        sides = QHBoxLayout()
        self.keep_current = QRadioButton(_tr("Keep this record"), self)
        self.keep_other = QRadioButton(_tr("Keep this record"), self)
        self.keep_current.setChecked(True)
        self.current_box = self._side(_tr("This customer"), _summary(current_card, None), self.keep_current)
        self.other_box = self._side(_tr("Possible duplicate"), _summary(other_card, suggestion), self.keep_other,
                                    why=reasons_text(suggestion.reasons))  # fmt: skip
        sides.addWidget(self.current_box, 1)
        sides.addWidget(self.other_box, 1)
        col.addLayout(sides)
        note = QLabel(
            _tr(
                "The record not kept is merged into the kept one: its conversations, orders, cases, calls "
                "and identities move over, and the kept record takes any phone, address and tags it lacks. "
                "The merge is audited and cannot be undone from the desk."
            ),
            self,
        )
        note.setWordWrap(True)
        col.addWidget(note)
        buttons = QDialogButtonBox(self)
        self.merge_button = buttons.addButton(_tr("&Merge"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(_tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setDefault(True)  # hard to undo: Enter does not merge
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self.setMinimumWidth(560)

    def _side(self, title: str, facts: dict[str, str], keep: QRadioButton, why: str = "") -> QGroupBox:
        box = QGroupBox(title, self)
        grid = QGridLayout(box)
        rows = [
            (_tr("Name"), facts["name"]),
            (_tr("Phone"), facts["phone"]),
            (_tr("Created"), facts["created"]),
            (_tr("Orders"), facts["orders"]),
            (_tr("Conversations"), facts["conversations"]),
            (_tr("Cases"), facts["cases"]),
            (_tr("Tags"), facts["tags"]),
        ]
        if why:
            rows.append((_tr("Why suggested"), why))
        for r, (label, value) in enumerate(rows):
            name = QLabel(label, box)
            name.setStyleSheet("color: #5f6368;")
            shown = QLabel(value, box)
            shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setWordWrap(True)
            grid.addWidget(name, r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(shown, r, 1)
        grid.setColumnStretch(1, 1)
        grid.addWidget(keep, len(rows), 0, 1, 2)
        return box

    def choice(self) -> tuple[str, str]:
        """(keep_id, duplicate_id) as chosen."""
        if self.keep_other.isChecked():
            return self.other_id, self.current_id
        return self.current_id, self.other_id
