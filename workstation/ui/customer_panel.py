"""Customer 360: identities (masked), tags, preferences, orders with items and sign-off, past
conversations on every channel (a click opens one), cases, compensation and ratings.

The card is read in a background operation and rendered as rich text in a QTextBrowser
(which wraps, scrolls and never clips). Links ``conversation:<id>`` emit `open_conversation`.

Above the card, a banner lists possible duplicates of the customer (the server's merge
suggestions, fetched in the background when `set_merges` gave the panel a
`CustomerMerges`); permitted roles merge from it after a confirm dialog, everyone may
dismiss a suggestion. After a merge the panel shows the kept customer.
"""

from __future__ import annotations

import html
import re
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from workstation.services.customers import CustomerMerges, MergeOutcome, MergeSuggestion
from workstation.ui import labels, timefmt
from workstation.ui.merge_suggestions import MergeConfirmDialog, MergeSuggestionsBar
from workstation.ui.merge_suggestions import _tr as _merge_tr
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
        when = _tr("not delivered yet") if not signed or days is None else _signed_text(timefmt.day(signed), days)
        out.append(
            f"<div><b>{_e(o.get('order_no'))}</b> <span class='muted'>{_e(o.get('shop'))} · "
            f"{_e(timefmt.money(o.get('amount')))}</span><br><span class='muted'>{_e(when)}</span><ul style='margin:0'>"
        )
        for item in o.get("items") or []:
            qty = item.get("quantity") or 1
            action = (
                f" <a href='item:{_e(item.get('id'))}'>{_e(_tr('Return / exchange / repair…')).replace(' ', '&nbsp;')}</a>"
                if can_open_cases and item.get("id")
                else ""
            )
            out.append(
                f"<li>{_e(item.get('title'))} × {_e(qty)} <span class='muted'>{_e(timefmt.money(item.get('price')))}</span>{action}</li>"
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
            f"<td class='muted' style='white-space:nowrap'>{_e(labels.status(str(conv.get('status') or '')))}</td></tr>"
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
                f"<tr><td style='white-space:nowrap'>{_e(timefmt.money(offer.get('amount')))}</td>"
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
    merged = Signal(str, str)  # kept customer id, merged (gone) customer id

    def __init__(self, *, reader: CardReader, runner: BackgroundRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reader = reader
        self._runner = runner
        self._generation = 0
        self._announce = False  # a show_customer() is waiting for its card: always render + emit loaded
        self._html = ""  # what the browser shows, so an identical re-render can be skipped
        self.customer_id: str | None = None
        self.conversation_id: str | None = None
        self.card: CustomerCard | None = None
        self.can_reveal = False
        self.can_open_cases = False
        self._revealed: dict[str, dict[str, str]] = {}  # this session only, never stored
        self.merges: CustomerMerges | None = None
        self.merge_dialog: MergeConfirmDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.merge_bar = MergeSuggestionsBar(self)
        self.merge_bar.merge_requested.connect(self.request_merge)
        self.merge_bar.dismiss_requested.connect(self.dismiss_suggestion)
        layout.addWidget(self.merge_bar)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName(_tr("Customer 360"))
        self.browser.anchorClicked.connect(self._on_link)
        layout.addWidget(self.browser)
        self.show_placeholder()

    def show_placeholder(self) -> None:
        self._set_html(f"<p style='color:#5f6368'>{_e(_tr('Select a conversation to see its customer.'))}</p>")
        self.browser.setProperty("customer", None)

    def show_customer(self, customer_id: str | None, *, conversation_id: str | None = None) -> None:
        self._announce = True
        self._load(customer_id, conversation_id)

    def reload(self) -> None:
        """Read the card again after a live change that may concern it. The pane is rebuilt
        (and `loaded` emitted) only when the card differs from the one shown: live changes
        name tables, not rows, and most of them are about other customers."""
        if self.customer_id:
            self._load(self.customer_id, self.conversation_id)

    def _load(self, customer_id: str | None, conversation_id: str | None) -> None:
        self._generation += 1
        generation = self._generation
        if customer_id != self.customer_id:
            self.merge_bar.set_suggestions([], can_merge=False)
        self.customer_id = customer_id
        self.conversation_id = conversation_id
        if not customer_id:
            self._announce = False
            self.card = None
            self.show_placeholder()
            return
        reader = self._reader
        self._runner.run_in_background(owner=self, fn=
            lambda: reader.customer_card(customer_id),
            on_success=lambda card: self._arrived(generation, customer_id, card),
            on_failure=lambda exc: self._arrived(generation, customer_id, None),
        )

    def _arrived(self, generation: int, customer_id: str, card: CustomerCard | None) -> None:
        if generation != self._generation:
            return
        shown = self.browser.property("customer") == customer_id
        if not self._announce and shown and card is not None and card == self.card:
            return  # a live reload that found nothing new for this customer: leave the pane be
        self._announce = False
        if card is None:
            self.card = None
            self._set_html(f"<p>{_e(_tr('This customer is not in the local cache yet.'))}</p>")
            self.browser.setProperty("customer", None)
        else:
            bar = self.browser.verticalScrollBar()
            keep = bar.value() if shown else 0
            self.card = card
            self._render(customer_id)
            bar.setValue(keep)
            self._load_suggestions(generation, customer_id)
        self.loaded.emit(customer_id)

    def _set_html(self, text: str) -> None:
        # setHtml re-lays out the whole document (~18 ms for a big card): skip it when the
        # text is what the browser already shows (a change the card does not display).
        if text != self._html:
            self._html = text
            self.browser.setHtml(text)

    def _render(self, customer_id: str) -> None:
        if self.card is None:
            return
        self._set_html(
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

    # -- possible duplicates ----------------------------------------------------------------

    def set_merges(self, merges: CustomerMerges | None) -> None:
        """Where suggestions and merges come from (None: no banner)."""
        self.merges = merges
        self.reload()

    def _load_suggestions(self, generation: int, customer_id: str) -> None:
        merges = self.merges
        if merges is None or not merges.can_see:
            return
        self._runner.run_in_background(owner=self, fn=
            lambda: merges.suggestions(customer_id),
            on_success=lambda found: self._suggestions_arrived(generation, customer_id, found),
            on_failure=lambda _exc: None,  # offline or not allowed: no banner, the card stays
        )  # fmt: skip

    def _suggestions_arrived(self, generation: int, customer_id: str, found: list[MergeSuggestion]) -> None:
        if generation != self._generation or customer_id != self.customer_id or self.merges is None:
            return
        if self.merge_dialog is not None and self.merge_dialog.isVisible():
            return  # do not pull the rows away under an open dialog
        self.merge_bar.set_suggestions(list(found), can_merge=self.merges.can_merge)

    def suggestion(self, other_id: str) -> MergeSuggestion | None:
        return next((s for s in self.merge_bar.suggestions if s.customer_id == other_id), None)

    def dismiss_suggestion(self, other_id: str) -> None:
        if self.merges is None or not self.customer_id:
            return
        self.merges.dismiss(self.customer_id, other_id)
        rest = [s for s in self.merge_bar.suggestions if s.customer_id != other_id]
        self.merge_bar.set_suggestions(rest, can_merge=self.merges.can_merge)

    def request_merge(self, other_id: str) -> None:
        """Read the other record from the cache (in the background), then ask to confirm."""
        suggestion, customer_id, merges = self.suggestion(other_id), self.customer_id, self.merges
        if suggestion is None or not customer_id or merges is None or not merges.can_merge:
            return
        reader = self._reader
        self._runner.run_in_background(owner=self, fn=
            lambda: reader.customer_card(other_id),
            on_success=lambda card: self._confirm_merge(customer_id, suggestion, card),
            on_failure=lambda _exc: self._confirm_merge(customer_id, suggestion, None),
        )  # fmt: skip

    def _confirm_merge(self, customer_id: str, suggestion: MergeSuggestion, other_card: Any) -> None:
        if customer_id != self.customer_id:
            return
        dialog = MergeConfirmDialog(
            current_id=customer_id, current_card=self.card, suggestion=suggestion, other_card=other_card, parent=self
        )
        dialog.accepted.connect(lambda: self.merge(*dialog.choice()))
        self.merge_dialog = dialog
        dialog.open()

    def merge(self, keep_id: str, duplicate_id: str) -> None:
        merges = self.merges
        if merges is None:
            return
        self.merge_bar.set_busy(True)
        self._runner.run_in_background(owner=self, fn=
            lambda: merges.merge(keep_id=keep_id, duplicate_id=duplicate_id),
            on_success=self._merged,
            on_failure=self._merge_failed,
        )  # fmt: skip

    def _merged(self, outcome: MergeOutcome) -> None:
        rest = [s for s in self.merge_bar.suggestions if s.customer_id not in (outcome.kept_id, outcome.merged_id)]
        kept_current = outcome.kept_id == self.customer_id
        self.show_customer(outcome.kept_id, conversation_id=self.conversation_id if kept_current else None)
        if self.merges is not None:
            self.merge_bar.set_suggestions(rest, can_merge=self.merges.can_merge)
        self.merge_bar.show_message(_merge_tr("Merged: the desk now shows the kept record."))
        self.merged.emit(outcome.kept_id, outcome.merged_id)

    def _merge_failed(self, exc: BaseException) -> None:
        self.merge_bar.set_busy(False)
        if getattr(exc, "is_network", False):
            text = _merge_tr("Merging needs the server; you are offline.")
        else:
            detail = getattr(exc, "detail", "") or getattr(exc, "message", "") or str(exc)
            text = _merge_tr("Could not merge: {error}").format(error=detail)
        self.merge_bar.show_message(text, error=True)


def _signed_text(date: str, days: int) -> str:
    # English needs its own wording for today and for one day; Chinese uses one form.
    if days == 0:
        return _tr("signed for {date}, today").format(date=date)
    if days == 1:
        return _tr("signed for {date}, 1 day ago").format(date=date)
    return _tr("signed for {date}, {days} days ago").format(date=date, days=days)
