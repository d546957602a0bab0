"""Case work dialogs of the conversation pane: open a return / exchange / repair from an
order item (the eligibility verdict and deadlines first), and transfer a conversation.

The dialogs only ask; the desk window runs the use cases (`services.open_case`,
`services.transfer`) in the background and reports back with `failed(message)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from workstation.services.scripts import CalculatorError, assess_eligibility
from workstation.ui import labels, timefmt

REASONS = {
    "quality": "Quality problem (broken, faulty)",
    "not_as_described": "Not as described",
    "no_reason": "No reason (7-day return)",
    "fresh_spoilage": "Fresh food spoiled or short weight",
    "virtual_unusable": "Virtual goods unusable",
}
KINDS = ("return", "exchange", "repair")
QUEUES = ("general", "complaints", "returns", "repairs")
QUEUE_NAMES = {"general": "General", "complaints": "Complaints", "returns": "Returns", "repairs": "Repairs"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("CaseDialogs", text)


@dataclass(frozen=True, kw_only=True, slots=True)
class Verdict:
    """What the dialog shows before the agent commits: may it be opened, why, until when."""

    eligible: bool
    options: tuple[str, ...]
    explanation: str  # the domain's English; shown only for a code this build cannot word
    rule: str = ""
    deadline: datetime | None = None
    ship_back_days: int | None = None
    reason_code: str | None = None
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    def text(self) -> str:
        """The explanation in the UI language (call on the UI thread)."""
        return labels.text(self.reason_code, self.params, self.explanation)


def assess(
    policy: Any,
    *,
    item: Mapping[str, Any],
    order: Mapping[str, Any],
    reason: str,
    has_evidence: bool,
    used: bool,
    packaging_intact: bool,
    customer_fault: bool = False,
    now: datetime,
) -> Verdict:
    """The return-policy verdict for one cached order item (the same rule the use case checks
    before it opens a return or exchange). Runs off the UI thread."""
    try:
        result = assess_eligibility(
            policy, item=item, order=order, reason=reason, has_evidence=has_evidence, used=used,
            packaging_intact=packaging_intact, customer_fault=customer_fault, now=now,
        )  # fmt: skip
    except CalculatorError as exc:
        return Verdict(eligible=False, options=(), explanation=str(exc), reason_code=exc.code, params=exc.params)
    return Verdict(
        eligible=result.verdict != "not_eligible",
        options=result.options,
        explanation=result.explanation,
        rule=result.rule,
        deadline=result.deadline,
        ship_back_days=result.ship_back_days,
        reason_code=result.reason_code,
        params=result.params,
    )


class OpenCaseDialog(QDialog):
    """Reason, evidence, used / packaging; the verdict is re-assessed as they change."""

    submitted = Signal(dict)  # the keyword arguments of services.open_case (without ids)

    def __init__(
        self,
        *,
        item: Mapping[str, Any],
        order: Mapping[str, Any],
        assess_fn: Callable[..., Verdict],
        kind: str = "return",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("openCaseDialog")
        self.setWindowTitle(_tr("Open a case"))
        self.item, self.order = dict(item), dict(order)
        self._assess = assess_fn
        self.verdict: Verdict | None = None
        col = QVBoxLayout(self)
        head = QLabel(self)
        head.setTextFormat(Qt.TextFormat.PlainText)
        head.setWordWrap(True)
        head.setText(
            f"{item.get('title') or '—'} × {item.get('quantity') or 1} · {timefmt.money(item.get('price')) or '—'}\n"
            + _tr("Order {no} · {when}").format(
                no=order.get("order_no") or "—",
                when=_tr("signed for {date}").format(date=timefmt.day(order.get("delivered_at")))
                if order.get("delivered_at")
                else _tr("not delivered yet"),
            )
        )
        col.addWidget(head)
        form = QFormLayout()
        kinds = QWidget(self)
        row = QVBoxLayout(kinds)
        row.setContentsMargins(0, 0, 0, 0)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for value in KINDS:
            button = QRadioButton(labels.case_kind(value), kinds)
            button.setProperty("kind", value)
            self.kind_group.addButton(button)
            self.kind_buttons[value] = button
            row.addWidget(button)
        self.kind_buttons.get(kind, self.kind_buttons["return"]).setChecked(True)
        form.addRow(_tr("Kind"), kinds)
        self.reason_combo = QComboBox(self)
        self.reason_combo.setAccessibleName(_tr("Reason"))
        for value, text in REASONS.items():
            self.reason_combo.addItem(_tr(text), value)
        form.addRow(_tr("Reason"), self.reason_combo)
        self.evidence_box = QCheckBox(_tr("Photos or other evidence provided"), self)
        self.used_box = QCheckBox(_tr("The item has been used"), self)
        self.packaging_box = QCheckBox(_tr("Packaging intact"), self)
        self.packaging_box.setChecked(True)
        self.fault_box = QCheckBox(_tr("Damage caused by the customer"), self)
        for box in (self.evidence_box, self.used_box, self.packaging_box, self.fault_box):
            form.addRow("", box)
        self.description = QPlainTextEdit(self)
        self.description.setAccessibleName(_tr("Description"))
        self.description.setPlaceholderText(_tr("What is wrong, in the customer's words"))
        self.description.setFixedHeight(self.description.fontMetrics().lineSpacing() * 3 + 14)
        form.addRow(_tr("Description"), self.description)
        col.addLayout(form)
        self.verdict_label = QLabel(self)
        self.verdict_label.setObjectName("verdict")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setTextFormat(Qt.TextFormat.PlainText)
        col.addWidget(self.verdict_label)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        col.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_tr("Open case"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        col.addWidget(self.buttons)
        self.kind_group.buttonToggled.connect(lambda *_: self.reassess())
        self.reason_combo.currentIndexChanged.connect(lambda *_: self.reassess())
        for box in (self.evidence_box, self.used_box, self.packaging_box, self.fault_box):
            box.toggled.connect(lambda *_: self.reassess())
        self.reassess()

    def kind(self) -> str:
        button = self.kind_group.checkedButton()
        return str(button.property("kind")) if button is not None else "return"

    def arguments(self) -> dict[str, Any]:
        return {
            "kind": self.kind(),
            "reason": str(self.reason_combo.currentData()),
            "description": self.description.toPlainText().strip(),
            "has_evidence": self.evidence_box.isChecked(),
            "customer_fault": self.fault_box.isChecked(),
            "used": self.used_box.isChecked(),
            "packaging_intact": self.packaging_box.isChecked(),
        }

    def reassess(self) -> None:
        args = self.arguments()
        verdict = self._assess(
            item=self.item, order=self.order, reason=args["reason"], has_evidence=args["has_evidence"],
            used=args["used"], packaging_intact=args["packaging_intact"], customer_fault=args["customer_fault"],
        )  # fmt: skip
        self.verdict = verdict
        kind = args["kind"]
        allowed = kind == "repair" or (verdict.eligible and kind in verdict.options)
        lines = []
        if kind == "repair":
            lines.append(_tr("Repair: checked by the service department against the warranty."))
        elif verdict.eligible:
            offered = _tr(", ").join(labels.case_kind(o) if o in KINDS else _tr("repair only") for o in verdict.options)
            lines.append(_tr("Eligible: {options}").format(options=offered or "—"))
        else:
            lines.append(_tr("Not eligible"))
        if kind != "repair":
            explained = verdict.text()
            if verdict.rule:
                explained = _tr("{text} ({rule})").format(text=explained, rule=labels.rule(verdict.rule))
            lines.append(explained)
            if verdict.deadline is not None:
                lines.append(_tr("Deadline: {time}").format(time=timefmt.date_time(verdict.deadline) or "—"))
            if verdict.ship_back_days:
                lines.append(_tr("Ship back within {days} days of approval").format(days=verdict.ship_back_days))
            if verdict.eligible and kind not in verdict.options:
                lines.append(_tr("A {kind} is not possible for this item.").format(kind=labels.case_kind(kind)))
        self.verdict_label.setText("\n".join(lines))
        self.verdict_label.setStyleSheet("color: #2e7d32;" if allowed else "color: #c62828;")
        self.ok_button.setEnabled(allowed)

    def submit(self) -> None:
        if not self.ok_button.isEnabled():
            return
        self.error_label.hide()
        self.ok_button.setEnabled(False)
        self.submitted.emit(self.arguments())

    def failed(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.reassess()

    def done_ok(self) -> None:
        self.accept()


class TransferDialog(QDialog):
    """To a colleague or to a queue."""

    submitted = Signal(dict)  # to_user_id=... or to_queue=...

    def __init__(
        self, *, users: Mapping[str, str], me: str | None, current_queue: str | None = None,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("transferDialog")
        self.setWindowTitle(_tr("Transfer the conversation"))
        col = QVBoxLayout(self)
        form = QFormLayout()
        self.to_user = QRadioButton(_tr("To a colleague"), self)
        self.to_queue = QRadioButton(_tr("To a queue"), self)
        self.user_combo = QComboBox(self)
        self.user_combo.setAccessibleName(_tr("Colleague"))
        for uid, name in sorted(users.items(), key=lambda kv: kv[1]):
            if uid != me:
                self.user_combo.addItem(name, uid)
        self.queue_combo = QComboBox(self)
        self.queue_combo.setAccessibleName(_tr("Queue"))
        for queue in QUEUES:
            self.queue_combo.addItem(_tr(QUEUE_NAMES.get(queue, queue)), queue)
        if current_queue:
            self.queue_combo.setCurrentIndex(max(self.queue_combo.findData(current_queue), 0))
        form.addRow(self.to_user, self.user_combo)
        form.addRow(self.to_queue, self.queue_combo)
        col.addLayout(form)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        col.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_tr("Transfer"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        (self.to_user if self.user_combo.count() else self.to_queue).setChecked(True)
        self.to_user.setEnabled(self.user_combo.count() > 0)
        self.to_user.toggled.connect(self._sync)
        self._sync()

    def _sync(self, *_: object) -> None:
        self.user_combo.setEnabled(self.to_user.isChecked())
        self.queue_combo.setEnabled(not self.to_user.isChecked())

    def arguments(self) -> dict[str, Any]:
        if self.to_user.isChecked():
            return {"to_user_id": str(self.user_combo.currentData())}
        return {"to_queue": str(self.queue_combo.currentData())}

    def submit(self) -> None:
        self.error_label.hide()
        self.submitted.emit(self.arguments())

    def failed(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
