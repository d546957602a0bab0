"""Customer 360: identities (masked), tags, preferences, orders with items and sign-off, past
conversations on every channel (a click opens one), cases, compensation and ratings.

The card is read in a background operation and rendered as rich text in a QTextBrowser
(which wraps, scrolls and never clips). Links ``conversation:<id>`` emit `open_conversation`.
"""

from __future__ import annotations

import html
import re
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from workstation.ui import labels, timefmt
from workstation.ui.models.inbox import BackgroundRunner
from workstation.ui.reader import CustomerCard

_PHONE = re.compile(r"^(\+?\d{3})(\d+)(\d{4})$")


def _tr(text: str) -> str:
    return QCoreApplication.translate("CustomerPanel", text)


def mask(handle: str) -> str:
    """138****1234 for phone numbers (the server masks them already; this is a backstop)."""
    digits = handle.replace(" ", "").replace("-", "")
    match = _PHONE.match(digits)
    if match and "*" not in handle:
        return match.group(1) + "*" * len(match.group(2)) + match.group(3)
    return handle


class CardReader(Protocol):
    def customer_card(self, customer_id: str) -> CustomerCard | None: ...


def _e(value: object) -> str:
    return html.escape(str(value or ""))


def _last4(value: object) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())[-4:]


def _contact_row(label: str, value: str, field: str, revealed: dict[str, str], can_reveal: bool) -> str:
    if field in revealed:
        shown = f"<b>{_e(revealed[field])}</b> <span class='muted'>{_e(_tr('(revealed for this session)'))}</span>"
    else:
        shown = _e(value)
        if can_reveal and value:
            shown += f" <a href='reveal:{field}'>{_e(_tr('Reveal'))}</a>"
    return f"<tr><td class='muted'>{_e(label)}</td><td>{shown}</td></tr>"


def render(
    card: CustomerCard,
    *,
    current_conversation: str | None = None,
    revealed: dict[str, str] | None = None,
    can_reveal: bool = False,
    can_open_cases: bool = False,
) -> str:
    c = card.customer
    revealed = revealed or {}
    out: list[str] = [
        "<style>h3{margin:10px 0 4px 0;} .muted{color:#5f6368;} .tag{background:#fde7e9;"
        "color:#b3261e;} td{padding:1px 6px 1px 0;vertical-align:top;}</style>",
        f"<h2 style='margin:2px 0'>{_e(c.get('display_name'))}</h2>",
    ]
    tags = [labels.tag(str(t)) for t in c.get("tags") or []]
    if tags:
        out.append(" ".join(f"<span class='tag'>&nbsp;{_e(t)}&nbsp;</span>" for t in tags))
    prefs = []
    if c.get("preferred_channel"):
        prefs.append(_tr("prefers {channel}").format(channel=labels.channel(str(c["preferred_channel"]))))
    if c.get("preferred_time"):
        prefs.append(_e(c["preferred_time"]))
    if prefs:
        out.append(f"<div class='muted'>{_e(' · '.join(prefs))}</div>")
    if c.get("notes"):
        out.append(f"<div>{_e(c['notes'])}</div>")

    out.append(f"<h3>{_e(_tr('Identities'))}</h3><table>")
    if c.get("phone"):
        out.append(_contact_row(_tr("Phone"), mask(str(c["phone"])), "phone", revealed, can_reveal))
    for ident in card.identities:
        if ident.get("kind") == "phone" and c.get("phone") and _last4(ident.get("handle")) == _last4(c["phone"]):
            continue  # the customer's own phone, shown above with its Reveal link
        out.append(
            f"<tr><td class='muted'>{_e(labels.identity_kind(str(ident.get('kind') or '')))}</td>"
            f"<td>{_e(mask(str(ident.get('handle') or '')))}</td></tr>"
        )
    if c.get("address"):
        out.append(_contact_row(_tr("Address"), str(c["address"]), "address", revealed, can_reveal))
    out.append("</table>")

    out.append(f"<h3>{_e(_tr('Orders'))} ({len(card.orders)})</h3>")
    for o in card.orders:
        signed = o.get("delivered_at")
        days = timefmt.days_since(signed)
        when = (
            _tr("signed for {date}, {days} days ago").format(date=timefmt.day(signed), days=days)
            if signed and days is not None
            else _tr("not delivered yet")
        )
        out.append(
            f"<div><b>{_e(o.get('order_no'))}</b> <span class='muted'>{_e(o.get('shop'))} · "
            f"¥{_e(o.get('amount'))}</span><br><span class='muted'>{_e(when)}</span><ul style='margin:0'>"
        )
        for item in o.get("items") or []:
            qty = item.get("quantity") or 1
            action = (
                f" <a href='item:{_e(item.get('id'))}'>{_e(_tr('Return / exchange / repair…')).replace(' ', '&nbsp;')}</a>"
                if can_open_cases and item.get("id")
                else ""
            )
            out.append(
                f"<li>{_e(item.get('title'))} × {_e(qty)} <span class='muted'>¥{_e(item.get('price'))}</span>{action}</li>"
            )
        out.append("</ul></div>")

    out.append(f"<h3>{_e(_tr('Conversations'))} ({len(card.conversations)})</h3><table>")
    for conv in card.conversations:
        cid = str(conv.get("id") or "")
        subject = _e(conv.get("subject") or conv.get("preview") or "—")
        link = subject if cid == current_conversation else f"<a href='conversation:{_e(cid)}'>{subject}</a>"
        out.append(
            f"<tr><td class='muted' style='white-space:nowrap'>{_e(timefmt.day(conv.get('last_message_at')))}</td>"
            f"<td style='white-space:nowrap'>{_e(labels.channel(str(conv.get('channel') or '')))}</td><td>{link}</td>"
            f"<td class='muted'>{_e(labels.status(str(conv.get('status') or '')))}</td></tr>"
        )
    out.append("</table>")

    if card.cases:
        out.append(f"<h3>{_e(_tr('Cases'))} ({len(card.cases)})</h3><table>")
        for case in card.cases:
            deadline = timefmt.short(case.get("deadline_at"))
            out.append(
                f"<tr><td>{_e(labels.case_kind(str(case.get('kind') or '')))}</td>"
                f"<td>{_e(labels.case_state(str(case.get('state') or '')))}</td>"
                f"<td class='muted'>{_e(labels.department(str(case.get('owner_department') or '')))}</td>"
                f"<td class='muted'>{_e(_tr('due {time}').format(time=deadline) if deadline else '')}</td></tr>"
            )
        out.append("</table>")
    if card.compensation:
        out.append(f"<h3>{_e(_tr('Compensation'))}</h3><table>")
        for offer in card.compensation:
            out.append(
                f"<tr><td>¥{_e(offer.get('amount'))}</td>"
                f"<td>{_e(labels.offer_status(str(offer.get('status') or '')))}</td>"
                f"<td class='muted' style='white-space:nowrap'>{_e(timefmt.day(offer.get('created_at')))}</td></tr>"
            )
        out.append("</table>")
    rated = [s for s in card.surveys if s.get("rating")]
    if rated:
        out.append(f"<h3>{_e(_tr('Ratings'))}</h3><table>")
        for survey in rated:
            out.append(
                f"<tr><td>{_e(labels.rating(str(survey.get('rating'))))}</td>"
                f"<td class='muted'>{_e(survey.get('comment'))}</td>"
                f"<td class='muted' style='white-space:nowrap'>{_e(timefmt.day(survey.get('responded_at')))}</td></tr>"
            )
        out.append("</table>")
    return "".join(out)


class CustomerPanel(QWidget):
    open_conversation = Signal(str)
    loaded = Signal(str)  # customer id
    open_case_requested = Signal(dict, dict)  # order item, its order
    reveal_requested = Signal(str, str)  # customer id, "phone" | "address"

    def __init__(self, *, reader: CardReader, runner: BackgroundRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reader = reader
        self._runner = runner
        self._generation = 0
        self.customer_id: str | None = None
        self.conversation_id: str | None = None
        self.card: CustomerCard | None = None
        self.can_reveal = False
        self.can_open_cases = False
        self._revealed: dict[str, dict[str, str]] = {}  # this session only, never stored
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName(_tr("Customer 360"))
        self.browser.anchorClicked.connect(self._on_link)
        layout.addWidget(self.browser)
        self.show_placeholder()

    def show_placeholder(self) -> None:
        self.browser.setHtml(f"<p style='color:#5f6368'>{_e(_tr('Select a conversation to see its customer.'))}</p>")

    def show_customer(self, customer_id: str | None, *, conversation_id: str | None = None) -> None:
        self._generation += 1
        generation = self._generation
        self.customer_id = customer_id
        self.conversation_id = conversation_id
        if not customer_id:
            self.show_placeholder()
            return
        reader = self._reader
        self._runner.run_in_background(owner=self, fn=
            lambda: reader.customer_card(customer_id),
            on_success=lambda card: self._arrived(generation, customer_id, card),
            on_failure=lambda exc: self._arrived(generation, customer_id, None),
        )

    def reload(self) -> None:
        if self.customer_id:
            self.show_customer(self.customer_id, conversation_id=self.conversation_id)

    def _arrived(self, generation: int, customer_id: str, card: CustomerCard | None) -> None:
        if generation != self._generation:
            return
        if card is None:
            self.card = None
            self.browser.setHtml(f"<p>{_e(_tr('This customer is not in the local cache yet.'))}</p>")
        else:
            bar = self.browser.verticalScrollBar()
            keep = bar.value() if self.browser.property("customer") == customer_id else 0
            self.card = card
            self._render(customer_id)
            bar.setValue(keep)
        self.loaded.emit(customer_id)

    def _render(self, customer_id: str) -> None:
        if self.card is None:
            return
        self.browser.setHtml(
            render(
                self.card,
                current_conversation=self.conversation_id,
                revealed=self._revealed.get(customer_id),
                can_reveal=self.can_reveal,
                can_open_cases=self.can_open_cases,
            )
        )
        self.browser.setProperty("customer", customer_id)

    def set_revealed(self, customer_id: str, field: str, value: str) -> None:
        """Show one unmasked value (kept in memory for this session only)."""
        self._revealed.setdefault(customer_id, {})[field] = value
        if customer_id == self.customer_id:
            bar = self.browser.verticalScrollBar()
            keep = bar.value()
            self._render(customer_id)
            bar.setValue(keep)

    def forget_revealed(self) -> None:
        self._revealed.clear()
        if self.customer_id:
            self._render(self.customer_id)

    def revealed(self, customer_id: str) -> dict[str, str]:
        return dict(self._revealed.get(customer_id, {}))

    def find_item(self, item_id: str) -> tuple[dict, dict] | None:  # type: ignore[type-arg]
        for order in (self.card.orders if self.card else []):
            for item in order.get("items") or []:
                if str(item.get("id")) == item_id:
                    return dict(item), {k: v for k, v in order.items() if k != "items"}
        return None

    def request_case(self, item_id: str) -> None:
        found = self.find_item(item_id)
        if found is not None:
            self.open_case_requested.emit(*found)

    def _on_link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("conversation:"):
            self.open_conversation.emit(text.split(":", 1)[1])
        elif text.startswith("item:"):
            self.request_case(text.split(":", 1)[1])
        elif text.startswith("reveal:") and self.customer_id:
            self.reveal_requested.emit(self.customer_id, text.split(":", 1)[1])
