"""The calculators beside the conversation (a dock): eligibility of a return / exchange,
compensation and a repair quote for the order item picked in the customer panel.

Keyboard-driven: Alt+1/2/3 switch the calculator, every input has a mnemonic, results update
as the inputs change. The panel computes with the same domain rules the server re-checks;
"Offer" emits `offer_requested(args)` (the desk window runs ``services.offer_compensation``),
and `result_changed(dict)` carries what a reply script may use (``compensation.amount``, …).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workstation.services import scripts as calc
from workstation.ui import labels, timefmt
from workstation.ui.models.inbox import BackgroundRunner


def _tr(text: str) -> str:
    return QCoreApplication.translate("CalculatorPanel", text)


REASONS = {
    "quality": "Quality problem (broken, faulty)",
    "not_as_described": "Not as described",
    "no_reason": "No reason (7 days)",
    "fresh_spoilage": "Fresh food spoiled / short weight",
    "virtual_unusable": "Virtual goods unusable",
}
KINDS = {
    "damaged_goods": "Damaged goods",
    "fake_goods": "Fake goods",
    "service_failure": "Service failure (coupon)",
    "goodwill": "Goodwill",
}
SEVERITIES = {"minor": "Minor", "moderate": "Moderate", "severe": "Severe"}
ROLE_NAMES = {"senior_agent": "a senior agent", "team_lead": "a team lead", "admin": "an admin"}


def _label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _when(value: datetime | None) -> str:
    return timefmt.date_time(value) if value else "—"


def _repair_line(line: Any) -> str:
    """A quote line named for people ("Screen", "屏幕"), not by its policy code."""
    name = labels.text(getattr(line, "label_code", None), getattr(line, "params", None), str(line.label))
    if line.amount == line.list_price:
        return _tr("{name}: {amount}").format(name=name, amount=timefmt.money(line.amount))
    return _tr("{name}: {amount} (list {list})").format(
        name=name, amount=timefmt.money(line.amount), list=timefmt.money(line.list_price)
    )


class CalculatorPanel(QWidget):
    offer_requested = Signal(dict)
    result_changed = Signal(dict)

    def __init__(
        self,
        *,
        policy: Callable[[], Any] | None,
        clock: Callable[[], datetime],
        quote: Callable[..., Any] | None = None,
        authority: Callable[[Decimal], tuple[bool, Decimal, str | None]] | None = None,
        runner: BackgroundRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """With `runner`, the compensation quote (which reads the cache) runs in the
        background and its figures land when it answers; without, it runs inline (tests)."""
        super().__init__(parent)
        self.setObjectName("calculatorPanel")
        self._policy = policy
        self._clock = clock
        self._quote = quote
        self._authority = authority
        self._runner = runner
        self._quote_generation = 0  # +1 per recompute: an answer for older inputs is dropped
        self._quoting = False
        self.item: dict[str, Any] | None = None
        self.order: dict[str, Any] | None = None
        self.conversation_id: str | None = None
        self.quote_result: Any = None
        self.eligibility: calc.EligibilityResult | None = None
        self.repair: Any = None
        self.result: dict[str, Any] = {}
        col = QVBoxLayout(self)
        col.setContentsMargins(4, 4, 4, 4)
        self.item_combo = QComboBox(self)
        self.item_combo.setAccessibleName(_tr("Order item"))
        self.item_combo.activated.connect(self._item_chosen)
        col.addWidget(self.item_combo)
        self.item_label = _label(self)
        col.addWidget(self.item_label)
        self._choices: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_eligibility(), _tr("&Eligibility"))
        self.tabs.addTab(self._build_compensation(), _tr("&Compensation"))
        self.tabs.addTab(self._build_repair(), _tr("Re&pair"))
        col.addWidget(self.tabs, 1)
        for i in range(3):
            sc = QShortcut(QKeySequence(f"Alt+{i + 1}"), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(lambda i=i: self.tabs.setCurrentIndex(i))
        self.set_item(None, None)

    # -- construction -----------------------------------------------------------------------

    def _combo(self, parent: QWidget, table: Mapping[str, str]) -> QComboBox:
        combo = QComboBox(parent)
        for value, text in table.items():
            combo.addItem(_tr(text), value)
        return combo

    def _build_eligibility(self) -> QWidget:
        w = QWidget(self)
        form = QFormLayout(w)
        self.reason_combo = self._combo(w, REASONS)
        self.evidence_check = QCheckBox(_tr("Evidence (photo, video, report)"), w)
        self.used_check = QCheckBox(_tr("Used"), w)
        self.packaging_check = QCheckBox(_tr("Packaging intact"), w)
        self.packaging_check.setChecked(True)
        self.eligibility_label = _label(w)
        form.addRow(_tr("&Reason"), self.reason_combo)
        form.addRow(self.evidence_check)
        form.addRow(self.used_check)
        form.addRow(self.packaging_check)
        form.addRow(self.eligibility_label)
        self.reason_combo.currentIndexChanged.connect(self.recompute)
        for check in (self.evidence_check, self.used_check, self.packaging_check):
            check.toggled.connect(self.recompute)
        return w

    def _build_compensation(self) -> QWidget:
        w = QWidget(self)
        form = QFormLayout(w)
        self.kind_combo = self._combo(w, KINDS)
        self.severity_combo = self._combo(w, SEVERITIES)
        self.testing_edit = QLineEdit("0", w)
        self.shipping_edit = QLineEdit("0", w)
        self.goodwill_edit = QLineEdit("", w)
        self.goodwill_edit.setPlaceholderText(_tr("policy default"))
        self.reship_check = QCheckBox(_tr("Reship instead of paying"), w)
        self.lines_label = _label(w)
        self.total_label = _label(w)
        self.authority_label = _label(w)
        self.offer_button = QPushButton(_tr("&Offer"), w)
        self.offer_button.clicked.connect(self.offer)
        form.addRow(_tr("&Kind"), self.kind_combo)
        form.addRow(_tr("Se&verity"), self.severity_combo)
        form.addRow(_tr("&Testing fee"), self.testing_edit)
        form.addRow(_tr("S&hipping fee"), self.shipping_edit)
        form.addRow(_tr("&Goodwill amount"), self.goodwill_edit)
        form.addRow(self.reship_check)
        form.addRow(self.lines_label)
        form.addRow(self.total_label)
        form.addRow(self.authority_label)
        form.addRow(self.offer_button)
        self.kind_combo.currentIndexChanged.connect(self.recompute)
        self.severity_combo.currentIndexChanged.connect(self.recompute)
        self.reship_check.toggled.connect(self.recompute)
        for edit in (self.testing_edit, self.shipping_edit, self.goodwill_edit):
            edit.textChanged.connect(self.recompute)
        return w

    def _build_repair(self) -> QWidget:
        w = QWidget(self)
        form = QFormLayout(w)
        self.user_caused_check = QCheckBox(_tr("Caused by the user (dropped, water)"), w)
        self.parts_list = QListWidget(w)
        self.parts_list.setAccessibleName(_tr("Parts"))
        self.labour_combo = QComboBox(w)
        self.repair_label = _label(w)
        form.addRow(self.user_caused_check)
        form.addRow(_tr("P&arts"), self.parts_list)
        form.addRow(_tr("&Labour"), self.labour_combo)
        form.addRow(self.repair_label)
        self.user_caused_check.toggled.connect(self.recompute)
        self.parts_list.itemChanged.connect(lambda _i: self.recompute())
        self.labour_combo.currentIndexChanged.connect(self.recompute)
        return w

    # -- inputs -----------------------------------------------------------------------------

    def set_items(self, choices: list[tuple[dict[str, Any], dict[str, Any]]], *,
                  conversation_id: str | None = None, prefer_order: str | None = None) -> None:
        """Every (item, order) of the customer; the calculators start on the conversation's order."""
        self._choices = list(choices)
        current = str(self.item.get("id")) if self.item else None
        self.item_combo.blockSignals(True)
        self.item_combo.clear()
        pick = -1
        for i, (item, order) in enumerate(self._choices):
            self.item_combo.addItem(f"{order.get('order_no') or order.get('id')} · {item.get('title')}", str(item.get("id")))
            if str(item.get("id")) == current and pick < 0:
                pick = i
        if pick < 0:
            pick = next((i for i, (_it, o) in enumerate(self._choices) if prefer_order and o.get("id") == prefer_order), 0)
        self.item_combo.blockSignals(False)
        if self._choices:
            self.item_combo.setCurrentIndex(pick)
            self.set_item(*self._choices[pick], conversation_id=conversation_id)
        else:
            self.set_item(None, None, conversation_id=conversation_id)

    def _item_chosen(self, index: int) -> None:
        if 0 <= index < len(self._choices):
            self.set_item(*self._choices[index], conversation_id=self.conversation_id)

    def set_item(self, item: Mapping[str, Any] | None, order: Mapping[str, Any] | None,
                 *, conversation_id: str | None = None) -> None:
        """The order item the calculators work on (from the customer panel)."""
        self.item = dict(item) if item else None
        self.order = dict(order) if order else None
        self.conversation_id = conversation_id
        if self.item is not None:
            found = self.item_combo.findData(str(self.item.get("id")))
            if found >= 0 and found != self.item_combo.currentIndex():
                self.item_combo.blockSignals(True)
                self.item_combo.setCurrentIndex(found)
                self.item_combo.blockSignals(False)
        if self.item is None or self.order is None:
            self.item_label.setText(_tr("Pick an order item in the customer panel."))
        else:
            self.item_label.setText(
                f"{self.item.get('title') or ''} × {self.item.get('quantity') or 1} · {timefmt.money(self.item.get('price'))}"
                f" · {self.order.get('order_no') or self.order.get('id')}"
            )
        self.parts_list.blockSignals(True)
        self.parts_list.clear()
        self.labour_combo.blockSignals(True)
        self.labour_combo.clear()
        self.labour_combo.addItem(_tr("none"), None)
        policy = self._policy() if self._policy and self.item else None
        if policy is not None and self.item is not None:
            parts, labour = calc.price_list(policy, self.item)
            for code, price in parts.items():
                entry = QListWidgetItem(f"{labels.repair_part(code)} · {timefmt.money(price)}", self.parts_list)
                entry.setData(Qt.ItemDataRole.UserRole, code)
                entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                entry.setCheckState(Qt.CheckState.Unchecked)
            for code, price in labour.items():
                self.labour_combo.addItem(f"{labels.repair_labour(code)} · {timefmt.money(price)}", code)
        self.parts_list.blockSignals(False)
        self.labour_combo.blockSignals(False)
        self.recompute()

    def _money(self, edit: QLineEdit, field: str, *, optional: bool = False) -> Decimal | None:
        text = edit.text().strip()
        if not text:
            if optional:
                return None
            return Decimal(0)
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise calc.CalculatorError(field, _tr("{field}: not an amount").format(field=field)) from None
        if value < 0 or not value.is_finite():
            raise calc.CalculatorError(field, _tr("{field}: must not be negative").format(field=field))
        return value

    def offer_args(self) -> dict[str, Any]:
        kind = str(self.kind_combo.currentData())
        args: dict[str, Any] = {"kind": kind}
        if self.item is not None:
            args["order_item_id"] = str(self.item["id"])
        if self.conversation_id:
            args["conversation_id"] = self.conversation_id
        if kind == "fake_goods":
            args["testing_fee"] = self._money(self.testing_edit, _tr("testing fee"))
            args["shipping_fee"] = self._money(self.shipping_edit, _tr("shipping fee"))
        if kind == "service_failure":
            args["severity"] = str(self.severity_combo.currentData())
        if kind == "damaged_goods":
            args["reship"] = self.reship_check.isChecked()
        if kind == "goodwill":
            amount = self._money(self.goodwill_edit, _tr("goodwill amount"), optional=True)
            if amount is not None:
                args["goodwill_amount"] = amount
        return args

    # -- results ----------------------------------------------------------------------------

    def recompute(self, *_args: object) -> None:
        kind = str(self.kind_combo.currentData())
        self.severity_combo.setEnabled(kind == "service_failure")
        for w in (self.testing_edit, self.shipping_edit):
            w.setEnabled(kind == "fake_goods")
        self.reship_check.setEnabled(kind == "damaged_goods")
        self.goodwill_edit.setEnabled(kind == "goodwill")
        self.result = {}
        self._eligibility()
        self._compensation()
        self._repair()
        self.result_changed.emit(dict(self.result))

    def _eligibility(self) -> None:
        self.eligibility = None
        policy = self._policy() if self._policy else None
        if self.item is None or self.order is None or policy is None:
            self.eligibility_label.setText("")
            return
        try:
            e = calc.assess_eligibility(
                policy, item=self.item, order=self.order, reason=str(self.reason_combo.currentData()),
                has_evidence=self.evidence_check.isChecked(), used=self.used_check.isChecked(),
                packaging_intact=self.packaging_check.isChecked(), now=self._clock(),
            )  # fmt: skip
        except calc.CalculatorError as exc:
            self.eligibility_label.setText(_tr("Cannot assess: {m}").format(m=labels.error(exc)))
            return
        self.eligibility = e
        lines = [
            _tr("Verdict: {v}").format(v=labels.verdict(str(e.verdict)))
            + (_tr(" ({options})").format(options=_tr(", ").join(labels.verdict(str(o)) for o in e.options))
               if e.options else ""),
            _tr("Rule: {r}").format(r=labels.rule(e.rule)),
            labels.text(e.reason_code, e.params, e.explanation),
        ]
        if e.deadline is not None:
            lines.append(_tr("Deadline: {d}").format(d=_when(e.deadline)))
            self.result["deadline"] = e.deadline.astimezone().strftime("%Y-%m-%d")
        if e.ship_back_days:
            lines.append(_tr("Ship back within {n} days").format(n=e.ship_back_days))
        self.eligibility_label.setText("\n".join(lines))

    @property
    def quoting(self) -> bool:
        """A background quote for the current inputs has not answered yet."""
        return self._quoting

    def _compensation(self) -> None:
        self._quote_generation += 1
        self._quoting = False
        self.quote_result = None
        self.offer_button.setEnabled(False)
        if self.item is None or self._quote is None:
            self.lines_label.setText(_tr("Pick an order item to compute compensation."))
            self.total_label.setText("")
            self.authority_label.setText("")
            return
        try:
            args = self.offer_args()  # bad amounts are reported at once, without a round trip
        except calc.CalculatorError as exc:
            self._quote_failed(exc)
            return
        quote = self._quote
        if self._runner is None:
            try:
                q = quote(**args)
            except Exception as exc:  # noqa: BLE001 - ServiceError / CalculatorError / DomainError
                self._quote_failed(exc)
                return
            self._quoted(q)
            return
        # The quote reads the cache (order, earlier offers): off the UI thread. The labels keep
        # the previous figures until the answer (no flicker); Offer stays off meanwhile.
        generation = self._quote_generation
        self._quoting = True
        self._runner.run_in_background(owner=self, fn=
            lambda: quote(**args),
            on_success=lambda q: self._quote_arrived(generation, q, None),
            on_failure=lambda exc: self._quote_arrived(generation, None, exc),
        )  # fmt: skip

    def _quote_arrived(self, generation: int, q: Any, exc: BaseException | None) -> None:
        if generation != self._quote_generation:
            return  # the inputs changed meanwhile; a newer quote is on its way
        self._quoting = False
        if exc is not None:
            self._quote_failed(exc)
        else:
            self._quoted(q)
        self.result_changed.emit(dict(self.result))

    def _quote_failed(self, exc: BaseException) -> None:
        self.lines_label.setText(labels.error(exc))
        self.total_label.setText("")
        self.authority_label.setText("")

    def _quoted(self, q: Any) -> None:
        self.quote_result = q
        lines = [
            _tr("{name}: {amount}").format(
                name=labels.text(getattr(line, "label_code", None), getattr(line, "params", None), line.label),
                amount=timefmt.money(line.amount),
            )
            for line in q.lines
        ]
        lines.append(_tr("Rule: {r}").format(r=labels.rule(q.rule)))
        self.lines_label.setText("\n".join(lines))
        rounding = labels.text(getattr(q, "rounding_code", None), fallback=q.rounding)
        self.total_label.setText(_tr("Total {t} · {rounding}").format(t=timefmt.money(q.total), rounding=rounding))
        amount = getattr(q, "authority_amount", q.total)
        if self._authority is not None:
            within, limit, needs = self._authority(amount)
            if within:
                self.authority_label.setText(_tr("Within your authority (limit {l}).").format(l=timefmt.money(limit)))
            else:
                who = _tr(ROLE_NAMES.get(needs or "", "a team lead"))
                self.authority_label.setText(
                    _tr("Above your limit of {l}: needs approval from {who}.").format(l=timefmt.money(limit), who=who)
                )
        self.offer_button.setEnabled(True)
        self.result.update({"amount": q.total, "kind": str(self.kind_combo.currentData()),
                            "kind_label": self.kind_combo.currentText()})  # fmt: skip
        if getattr(q, "refund_amount", None):
            self.result["refund_amount"] = q.refund_amount

    def _repair(self) -> None:
        self.repair = None
        policy = self._policy() if self._policy else None
        if self.item is None or self.order is None or policy is None:
            self.repair_label.setText("")
            return
        parts = [
            str(self.parts_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.parts_list.count())
            if self.parts_list.item(i).checkState() == Qt.CheckState.Checked
        ]
        try:
            r = calc.repair_quote(policy, item=self.item, order=self.order,
                                  user_caused=self.user_caused_check.isChecked(), parts=parts,
                                  labour_code=self.labour_combo.currentData(), now=self._clock())  # fmt: skip
        except calc.CalculatorError as exc:
            self.repair_label.setText(_tr("Cannot quote: {m}").format(m=labels.error(exc)))
            return
        self.repair = r
        status = _tr("In warranty until {d}") if r.in_warranty else _tr("Out of warranty (ended {d})")
        lines = [status.format(d=_when(r.warranty_ends))]
        lines += [_repair_line(line) for line in r.lines]
        lines.append(_tr("Total {t}").format(t=timefmt.money(r.total)))
        if r.needs_customer_acceptance:
            lines.append(_tr("The customer accepts the quote before work starts."))
        if r.extended_warranty_offer is not None:
            lines.append(_tr("Extended warranty: {p}").format(p=timefmt.money(r.extended_warranty_offer)))
        lines.append(_tr("Rule: {r}").format(r=labels.rule(r.rule)))
        self.repair_label.setText("\n".join(lines))
        if r.warranty_ends is not None:
            self.result["warranty_end"] = r.warranty_ends.astimezone().strftime("%Y-%m-%d")
        if parts or self.labour_combo.currentData():
            self.result["repair_amount"] = r.total

    def offer(self) -> None:
        if self.quote_result is None:
            return
        try:
            args = self.offer_args()
        except calc.CalculatorError as exc:
            self.lines_label.setText(labels.error(exc))
            return
        self.offer_button.setEnabled(False)
        self.offer_requested.emit(args)

    def offer_done(self, message: str = "") -> None:
        self.offer_button.setEnabled(self.quote_result is not None)
        if message:
            self.authority_label.setText(message)
