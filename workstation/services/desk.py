"""`DeskServices`: the offline-first use cases the desk UI calls.

Every use case is ONE ``cache.write()`` transaction:

1. validate the input and check it against the local cache with the domain's rules (bad input
   → `ServiceError(field, message)`, nothing written);
2. apply the optimistic change to the cached row(s) (`services.effects`);
3. enqueue the exact mutation the server expects (`store.outbox.enqueue`);
4. commit, then call ``on_local_write`` (e.g. ``SyncEngine.poke``) and return `OpChanges`.

The server stays authoritative: what it rejects comes back in `pending_changes()` with its
reason; `discard()` undoes the local effect, `retry()` sends the intent again. After each
pull call `after_pull()` (wire it to the engine's ``on_changes``): it re-applies the effects of
still-pending changes on top of the fresh server rows.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from workstation.domain import cases as case_rules
from workstation.domain import conversations as conv_rules
from workstation.domain import qa as qa_rules
from workstation.domain import returns
from workstation.domain.compensation import CompensationQuote
from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import (
    CaseKind,
    CaseState,
    Category,
    Channel,
    CompensationKind,
    ConversationStatus,
    OfferStatus,
    Priority,
    RequestType,
    Role,
    WorkOrderState,
)
from workstation.domain.errors import DomainError
from workstation.domain.ids import new_id
from workstation.domain.policy import Policy, load_policy
from workstation.services import effects, pending
from workstation.services.calls import call_row
from workstation.services.changes import Key, OpChanges, ServiceError
from workstation.services.effects import EffectContext, load, money, parse_time, wire_time
from workstation.services.pending import PendingChange
from workstation.store import outbox
from workstation.store.db import CacheDatabase
from workstation.store.timefmt import from_ts, to_ts

E = TypeVar("E", bound=StrEnum)

MAX_TEXT = 20_000
MAX_SHORT = 300
MAX_TAGS = 30
MAX_TAG = 40
MAX_SIGNATURE_BYTES = 200 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_QUEUE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")
_WANTED = {CaseKind.RETURN: returns.Verdict.RETURN, CaseKind.EXCHANGE: returns.Verdict.EXCHANGE}


# --- input checks ------------------------------------------------------------------------


def _id(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _UUID.match(value):
        raise ServiceError(field, f"not a valid id: {value!r}")
    return value


def _opt_id(value: Any, field: str) -> str | None:
    return None if value is None else _id(value, field)


def _enum(kind: type[E], value: Any, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise ServiceError(field, f"{value!r} is not one of {allowed}") from None


def _text(value: Any, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise ServiceError(field, "must be text")
    if "\x00" in value:
        raise ServiceError(field, "contains a NUL character")
    if required and not value.strip():
        raise ServiceError(field, "must not be empty")
    if len(value) > limit:
        raise ServiceError(field, f"is {len(value)} characters long; the limit is {limit}")
    return value


def _money(value: Any, field: str) -> Decimal:
    if isinstance(value, float | bool):
        raise ServiceError(field, 'money must be a Decimal or a string like "12.50", not a float')
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ServiceError(field, f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("100000000"):
        raise ServiceError(field, f"{value} is not an amount from 0 to 100000000")
    if amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(field, f"{value} has more than two decimal places")
    return amount


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ServiceError(field, "must be a timezone-aware datetime")
    return value


def _domain(exc: DomainError, default_field: str) -> ServiceError:
    return ServiceError(exc.field or default_field, str(exc))


class DeskServices:
    """The use cases of the desk (agent, team lead, field engineer) over one local cache."""

    def __init__(
        self,
        *,
        cache: CacheDatabase,
        clock: Callable[[], datetime],
        user: Mapping[str, Any],
        on_local_write: Callable[[], None] | None = None,
        policy: Policy | None = None,
    ) -> None:
        """``user``: the signed-in user's ``id``, ``username``, ``role`` (and optionally
        ``tenure_months``). ``policy``: the business policy (default: the shipped one)."""
        self.cache = cache
        self.clock = clock
        self.user = dict(user)
        self.user_id = _id(self.user.get("id"), "user.id")
        self.role = _enum(Role, self.user.get("role"), "user.role")
        self.tenure_months = int(self.user.get("tenure_months") or 0)
        self.on_local_write = on_local_write
        self._policy = policy

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = load_policy()
        return self._policy

    # -- plumbing -----------------------------------------------------------------------

    def _context(self, at: datetime) -> EffectContext:
        return EffectContext(
            user_id=self.user_id,
            role=self.role,
            tenure_months=self.tenure_months,
            now=at,
            policy=self.policy,
        )

    def _context_for(self, created_at: str) -> EffectContext:
        return self._context(from_ts(created_at) or self.clock())

    def _submit(
        self,
        name: str,
        build: Callable[[Session, datetime], dict[str, Any]],
        *,
        entity: str,
        entity_id: str,
        created_id: str | None = None,
    ) -> OpChanges:
        """Validate (`build` returns the mutation's args or raises `ServiceError`), apply the
        optimistic effect and enqueue the mutation, in one transaction."""
        now = self.clock()
        with self.cache.write() as session:
            args = build(session, now)
            keys = effects.apply_effect(session, self._context(now), name, args)
            mutation_id = outbox.enqueue(
                session, name, args, entity=entity, entity_id=entity_id, created_at=to_ts(now)
            )
        self._poke()
        return OpChanges.of(keys, mutation_id=mutation_id, created_id=created_id)

    def _poke(self) -> None:
        if self.on_local_write is not None:
            self.on_local_write()

    @staticmethod
    def _row(session: Session, entity: str, id_: str, field: str, what: str) -> dict[str, Any]:
        row = load(session, entity, id_)
        if row is None:
            raise ServiceError(
                field, f"{what} {id_} is not in the local cache (not yet synced, or not yours)"
            )
        return row

    def _conversation(self, session: Session, conversation_id: str) -> dict[str, Any]:
        return self._row(
            session, "conversations", conversation_id, "conversation_id", "conversation"
        )

    # -- conversations --------------------------------------------------------------------

    def claim(self, conversation_id: str) -> OpChanges:
        """Take an unassigned conversation."""
        cid = _id(conversation_id, "conversation_id")

        def build(session: Session, now: datetime) -> dict[str, Any]:
            conv = self._conversation(session, cid)
            try:
                conv_rules.check_claim(assignee_id=conv.get("assignee_id"), agent_id=self.user_id)
            except DomainError as exc:
                raise ServiceError("conversation_id", str(exc)) from None
            priority = _enum(Priority, conv.get("priority") or "normal", "priority")
            if not conv_rules.may_take(
                self.policy, role=self.role, tenure_months=self.tenure_months, priority=priority
            ):
                raise ServiceError(
                    "conversation_id",
                    "urgent conversations go to senior agents (with the required tenure) or team leads",
                )
            return {"conversation_id": cid}

        return self._submit("claim_conversation", build, entity="conversations", entity_id=cid)

    def transfer(
        self, conversation_id: str, *, to_user_id: str | None = None, to_queue: str | None = None
    ) -> OpChanges:
        """Hand a conversation to a colleague (``to_user_id``) or back to a queue (``to_queue``)."""
        cid = _id(conversation_id, "conversation_id")
        if (to_user_id is None) == (to_queue is None):
            raise ServiceError("to_user_id", "give exactly one of to_user_id or to_queue")
        target = _opt_id(to_user_id, "to_user_id")
        if to_queue is not None and (not isinstance(to_queue, str) or not _QUEUE.match(to_queue)):
            raise ServiceError("to_queue", f"{to_queue!r} is not a queue name")

        def build(session: Session, now: datetime) -> dict[str, Any]:
            self._conversation(session, cid)
            if target is not None:
                user = load(session, "users", target)
                if user is not None and (
                    not user.get("active", True) or user.get("role") == Role.FIELD_ENGINEER.value
                ):
                    raise ServiceError("to_user_id", "that user cannot take conversations")
                return {"conversation_id": cid, "to_user_id": target}
            return {"conversation_id": cid, "to_queue": to_queue}

        return self._submit("transfer_conversation", build, entity="conversations", entity_id=cid)

    def reply(
        self,
        conversation_id: str,
        body: str,
        *,
        channel: str | None = None,
        subject: str | None = None,
        script_id: str | None = None,
        script_version: int | None = None,
    ) -> OpChanges:
        """Answer the customer (on the conversation's channel unless another is chosen)."""
        cid = _id(conversation_id, "conversation_id")
        _text(body, "body", required=True)
        chan = None if channel is None else _enum(Channel, channel, "channel").value
        if subject is not None:
            _text(subject, "subject", limit=MAX_SHORT)
        if (script_id is None) != (script_version is None):
            raise ServiceError("script_id", "script_id and script_version go together")
        _opt_id(script_id, "script_id")
        if script_version is not None and (
            isinstance(script_version, bool)
            or not isinstance(script_version, int)
            or script_version < 1
        ):
            raise ServiceError("script_version", "must be a version number from 1")
        message_id = new_id()

        def build(session: Session, now: datetime) -> dict[str, Any]:
            conv = self._conversation(session, cid)
            if conv.get("status") == ConversationStatus.CLOSED.value:
                raise ServiceError(
                    "conversation_id", "the conversation is closed; replies cannot be added"
                )
            if script_id is not None:
                script = load(session, "reply_scripts", script_id)
                if script is not None and (
                    script.get("status") != "approved" or script.get("version") != script_version
                ):
                    raise ServiceError(
                        "script_id",
                        f"script {script_id} version {script_version} is not an approved script",
                    )
            args: dict[str, Any] = {"message_id": message_id, "conversation_id": cid, "body": body}
            if chan is not None:
                args["channel"] = chan
            if subject is not None:
                args["subject"] = subject
            if script_id is not None:
                args["script_id"] = script_id
                args["script_version"] = script_version
            return args

        return self._submit(
            "send_reply", build, entity="conversations", entity_id=cid, created_id=message_id
        )

    def add_note(self, conversation_id: str, body: str) -> OpChanges:
        """An internal note, never sent to the customer."""
        cid = _id(conversation_id, "conversation_id")
        _text(body, "body", required=True)
        message_id = new_id()

        def build(session: Session, now: datetime) -> dict[str, Any]:
            self._conversation(session, cid)
            return {"message_id": message_id, "conversation_id": cid, "body": body}

        return self._submit(
            "add_note", build, entity="conversations", entity_id=cid, created_id=message_id
        )

    def set_fields(
        self,
        conversation_id: str,
        *,
        request_type: str | None = None,
        priority: str | None = None,
        status: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> OpChanges:
        """Ticket fields (field-level last-writer-wins: only the fields given are sent)."""
        cid = _id(conversation_id, "conversation_id")
        args: dict[str, Any] = {"conversation_id": cid}
        if request_type is not None:
            args["request_type"] = _enum(RequestType, request_type, "request_type").value
        if priority is not None:
            args["priority"] = _enum(Priority, priority, "priority").value
        new_status = None if status is None else _enum(ConversationStatus, status, "status")
        if new_status is not None:
            args["status"] = new_status.value
        if tags is not None:
            if isinstance(tags, str):
                raise ServiceError("tags", "give a list of tags, not one string")
            tag_list = list(tags)
            if len(tag_list) > MAX_TAGS:
                raise ServiceError("tags", f"{len(tag_list)} tags; the limit is {MAX_TAGS}")
            for tag in tag_list:
                if not isinstance(tag, str) or not 1 <= len(tag) <= MAX_TAG or "\x00" in tag:
                    raise ServiceError("tags", f"{tag!r} is not a tag (1 to {MAX_TAG} characters)")
            args["tags"] = list(dict.fromkeys(tag_list))
        if len(args) == 1:
            raise ServiceError(
                "request_type", "give at least one of request_type, priority, status, tags"
            )

        def build(session: Session, now: datetime) -> dict[str, Any]:
            conv = self._conversation(session, cid)
            current = conv.get("status")
            if new_status is not None and current and new_status.value != current:
                try:
                    conv_rules.check_status_transition(
                        _enum(ConversationStatus, current, "status"), new_status
                    )
                except DomainError as exc:
                    raise _domain(exc, "status") from None
            return args

        return self._submit("set_conversation_fields", build, entity="conversations", entity_id=cid)

    def update_case_record(
        self,
        conversation_id: str,
        *,
        asks: str | None = None,
        solution: str | None = None,
        promised_at: datetime | None = None,
        wishes: str | None = None,
    ) -> OpChanges:
        """What the customer asks, the solution offered, the time promised, special wishes."""
        cid = _id(conversation_id, "conversation_id")
        args: dict[str, Any] = {"conversation_id": cid}
        for key, value in (("asks", asks), ("solution", solution), ("wishes", wishes)):
            if value is not None:
                args[key] = _text(value, key)
        if promised_at is not None:
            args["promised_at"] = _aware(promised_at, "promised_at").isoformat()
        if len(args) == 1:
            raise ServiceError("asks", "give at least one of asks, solution, promised_at, wishes")

        def build(session: Session, now: datetime) -> dict[str, Any]:
            self._conversation(session, cid)
            return args

        return self._submit("update_case_record", build, entity="conversations", entity_id=cid)

    def record_call_notes(
        self,
        call_id: str,
        notes: str,
        wrap_up_code: str | None = None,
        *,
        allow_uncached: bool = False,
    ) -> OpChanges:
        """Notes and the wrap-up code of a call. ``allow_uncached``: the call id came from
        the server (a screen pop) and its row may not be pulled yet: queue the notes anyway;
        they show once the row arrives (pending effects are re-applied after each pull)."""
        call = _id(call_id, "call_id")
        _text(notes, "notes")
        if wrap_up_code is not None and (
            not isinstance(wrap_up_code, str) or not _CODE.match(wrap_up_code)
        ):
            raise ServiceError("wrap_up_code", f"{wrap_up_code!r} is not a wrap-up code")

        def build(session: Session, now: datetime) -> dict[str, Any]:
            if not allow_uncached:
                self._row(session, "calls", call, "call_id", "call")
            args: dict[str, Any] = {"call_id": call, "notes": notes}
            if wrap_up_code is not None:
                args["wrap_up_code"] = wrap_up_code
            return args

        return self._submit("record_call_notes", build, entity="calls", entity_id=call)

    def call(self, call_id: str) -> dict[str, Any] | None:
        """The cached call row (None until it is pulled). Reads only."""
        return call_row(self.cache, _id(call_id, "call_id"))

    # -- cases ------------------------------------------------------------------------------

    def _item_facts(
        self,
        item: Mapping[str, Any],
        order: Mapping[str, Any],
        *,
        used: bool,
        packaging_intact: bool,
    ) -> OrderItemFacts:
        paid = parse_time(order.get("paid_at")) or parse_time(order.get("placed_at"))
        if paid is None:
            raise ServiceError("order_item_id", "the cached order has no payment time")
        try:
            return OrderItemFacts(
                category=_enum(Category, item.get("category"), "category"),
                price=Decimal(str(item.get("price"))),
                quantity=int(item.get("quantity") or 1),
                paid_at=paid,
                delivered_at=parse_time(order.get("delivered_at")),
                high_value=bool(item.get("high_value")),
                warranty_months=item.get("warranty_months"),
                no_reason_excluded=bool(item.get("no_reason_excluded")),
                used=used,
                packaging_intact=packaging_intact,
            )
        except (DomainError, InvalidOperation, ValueError) as exc:
            raise ServiceError(
                "order_item_id", f"the order item cannot be assessed: {exc}"
            ) from None

    def open_case(
        self,
        *,
        kind: str,
        order_item_id: str,
        conversation_id: str | None,
        reason: str,
        description: str = "",
        has_evidence: bool = False,
        customer_fault: bool = False,
        used: bool = False,
        packaging_intact: bool = True,
    ) -> OpChanges:
        """Open a return, exchange or repair case; returns and exchanges are checked for
        eligibility here (offline) and refused with the policy rule's explanation."""
        case_kind = _enum(CaseKind, kind, "kind")
        item_id = _id(order_item_id, "order_item_id")
        conv_id = _opt_id(conversation_id, "conversation_id")
        why = _enum(returns.Reason, reason, "reason")
        _text(description, "description")
        case_id = new_id()

        def build(session: Session, now: datetime) -> dict[str, Any]:
            item = self._row(session, "order_items", item_id, "order_item_id", "order item")
            order = self._row(
                session, "orders", str(item.get("order_id")), "order_item_id", "order"
            )
            if conv_id is not None:
                conv = self._conversation(session, conv_id)
                if conv.get("customer_id") != order.get("customer_id"):
                    raise ServiceError(
                        "order_item_id",
                        "the order belongs to another customer than the conversation",
                    )
            if case_kind in _WANTED:
                facts = self._item_facts(item, order, used=used, packaging_intact=packaging_intact)
                try:
                    verdict = returns.assess_return(
                        self.policy,
                        item=facts,
                        reason=why,
                        has_evidence=has_evidence,
                        customer_fault=customer_fault,
                        remote_area=bool(order.get("remote_area")),
                        now=now,
                    )
                except DomainError as exc:
                    raise _domain(exc, "reason") from None
                if not verdict.eligible:
                    raise ServiceError("kind", f"{verdict.explanation} (rule {verdict.rule})")
                if _WANTED[case_kind] not in verdict.options:
                    offered = ", ".join(v.value for v in verdict.options)
                    raise ServiceError(
                        "kind",
                        f"{verdict.explanation} A {case_kind.value} is not possible; the policy allows: "
                        f"{offered} (rule {verdict.rule})",
                    )
            return {
                "case_id": case_id,
                "kind": case_kind.value,
                "order_item_id": item_id,
                "conversation_id": conv_id,
                "reason": why.value,
                "description": description,
                "has_evidence": bool(has_evidence),
                "customer_fault": bool(customer_fault),
                "used": bool(used),
                "packaging_intact": bool(packaging_intact),
            }

        return self._submit(
            "open_case", build, entity="cases", entity_id=case_id, created_id=case_id
        )

    def advance_case(
        self,
        case_id: str,
        to_state: str,
        *,
        reason: str | None = None,
        tracking_number: str | None = None,
        note: str = "",
    ) -> OpChanges:
        """Move a case along its state machine (checked here against the cached state)."""
        cid = _id(case_id, "case_id")
        target = _enum(CaseState, to_state, "to_state")
        if reason is not None:
            _text(reason, "reason")
        _text(note, "note")
        if tracking_number is not None:
            _text(tracking_number, "tracking_number", required=True, limit=40)
        event_id = new_id()

        def build(session: Session, now: datetime) -> dict[str, Any]:
            case = self._row(session, "cases", cid, "case_id", "case")
            try:
                case_rules.check_transition(
                    _enum(CaseKind, case.get("kind"), "kind"),
                    _enum(CaseState, case.get("state"), "to_state"),
                    target,
                    reason=reason,
                )
            except DomainError as exc:
                field = "to_state" if exc.field == "state" else (exc.field or "to_state")
                raise ServiceError(field, str(exc)) from None
            args: dict[str, Any] = {
                "case_id": cid,
                "to_state": target.value,
                "note": note,
                "event_id": event_id,
            }
            if reason is not None:
                args["reason"] = reason
            if tracking_number is not None:
                args["tracking_number"] = tracking_number.strip()
            return args

        return self._submit("advance_case", build, entity="cases", entity_id=cid)

    # -- compensation -----------------------------------------------------------------------

    def _offer_args(
        self,
        *,
        kind: str,
        conversation_id: str | None,
        case_id: str | None,
        order_id: str | None,
        order_item_id: str | None,
        quantity: int | None,
        testing_fee: Decimal | str,
        shipping_fee: Decimal | str,
        severity: str | None,
        reship: bool,
        goodwill_amount: Decimal | str | None,
        note: str,
    ) -> dict[str, Any]:
        args: dict[str, Any] = {"kind": _enum(CompensationKind, kind, "kind").value}
        for key, value in (
            ("conversation_id", conversation_id),
            ("case_id", case_id),
            ("order_id", order_id),
            ("order_item_id", order_item_id),
        ):
            if value is not None:
                args[key] = _id(value, key)
        if "order_id" not in args and "order_item_id" not in args and "case_id" not in args:
            raise ServiceError(
                "order_item_id", "give the order_item_id, order_id or case_id the offer is about"
            )
        if quantity is not None:
            if (
                isinstance(quantity, bool)
                or not isinstance(quantity, int)
                or not 1 <= quantity <= 10_000
            ):
                raise ServiceError("quantity", "must be a whole number from 1 to 10000")
            args["quantity"] = quantity
        args["testing_fee"] = money(_money(testing_fee, "testing_fee"))
        args["shipping_fee"] = money(_money(shipping_fee, "shipping_fee"))
        if severity is not None:
            args["severity"] = severity
        args["reship"] = bool(reship)
        if goodwill_amount is not None:
            args["goodwill_amount"] = money(_money(goodwill_amount, "goodwill_amount"))
        args["note"] = _text(note, "note")
        return args

    def _quote(self, session: Session, args: Mapping[str, Any]) -> CompensationQuote:
        facts = effects.offer_facts(session, args)
        if isinstance(facts, str):
            raise ServiceError(facts, f"{args.get(facts)} is not in the local cache")
        if args.get("order_id") and facts.order["id"] != args["order_id"]:
            raise ServiceError("order_id", "the order item does not belong to that order")
        if args.get("conversation_id"):
            conv = self._conversation(session, str(args["conversation_id"]))
            if conv.get("customer_id") != facts.order.get("customer_id"):
                raise ServiceError(
                    "conversation_id", "the order belongs to another customer than the conversation"
                )
        if facts.item is not None and facts.quantity > int(facts.item.get("quantity") or 1):
            raise ServiceError(
                "quantity", f"{facts.quantity} is more than the {facts.item.get('quantity')} bought"
            )
        if (
            args["kind"]
            in (CompensationKind.FAKE_GOODS.value, CompensationKind.DAMAGED_GOODS.value)
            and facts.item is None
        ):
            raise ServiceError("order_item_id", f"a {args['kind']} offer needs the order item")
        try:
            return effects.quote_offer(self.policy, facts, args)
        except DomainError as exc:
            raise _domain(exc, "kind") from None

    def quote_compensation(self, **offer: Any) -> CompensationQuote:
        """The policy's amount for an offer (same arguments as `offer_compensation`), to show
        before sending. Reads the cache; writes nothing."""
        args = self._offer_args(**{**_OFFER_DEFAULTS, **offer})
        with self.cache.read() as session:
            return self._quote(session, args)

    def offer_compensation(
        self,
        *,
        kind: str,
        conversation_id: str | None = None,
        case_id: str | None = None,
        order_id: str | None = None,
        order_item_id: str | None = None,
        quantity: int | None = None,
        testing_fee: Decimal | str = Decimal(0),
        shipping_fee: Decimal | str = Decimal(0),
        severity: str | None = None,
        reship: bool = False,
        goodwill_amount: Decimal | str | None = None,
        note: str = "",
    ) -> OpChanges:
        """Offer compensation: the amount is computed here with the policy and sent as
        ``expected_amount``, so the server refuses if its recompute differs."""
        args = self._offer_args(
            kind=kind,
            conversation_id=conversation_id,
            case_id=case_id,
            order_id=order_id,
            order_item_id=order_item_id,
            quantity=quantity,
            testing_fee=testing_fee,
            shipping_fee=shipping_fee,
            severity=severity,
            reship=reship,
            goodwill_amount=goodwill_amount,
            note=note,
        )
        offer_id = new_id()

        def build(session: Session, now: datetime) -> dict[str, Any]:
            quote = self._quote(session, args)
            return {"offer_id": offer_id, **args, "expected_amount": money(quote.total)}

        return self._submit(
            "offer_compensation",
            build,
            entity="compensation_offers",
            entity_id=offer_id,
            created_id=offer_id,
        )

    def decide_compensation(
        self,
        offer_id: str,
        decision: str,
        *,
        amount: Decimal | str | None = None,
        reason: str | None = None,
    ) -> OpChanges:
        """A team lead approves, changes (``amount``) or rejects (``reason``) a pending offer."""
        oid = _id(offer_id, "offer_id")
        if decision not in ("approve", "change", "reject"):
            raise ServiceError("decision", f"{decision!r} is not one of approve, change, reject")
        if decision == "change" and amount is None:
            raise ServiceError("amount", "a change needs the new amount")
        if decision != "change" and amount is not None:
            raise ServiceError("amount", "amount is only for a change")
        if decision == "reject" and (reason is None or not reason.strip()):
            raise ServiceError("reason", "a rejection must give its reason")
        if reason is not None:
            _text(reason, "reason")

        def build(session: Session, now: datetime) -> dict[str, Any]:
            offer = self._row(session, "compensation_offers", oid, "offer_id", "offer")
            if offer.get("status") != OfferStatus.PENDING_APPROVAL.value:
                raise ServiceError(
                    "offer_id", f"the offer is {offer.get('status')}, not waiting for approval"
                )
            args: dict[str, Any] = {"offer_id": oid, "decision": decision}
            if amount is not None:
                args["amount"] = money(_money(amount, "amount"))
            if reason is not None:
                args["reason"] = reason
            return args

        return self._submit(
            "decide_compensation", build, entity="compensation_offers", entity_id=oid
        )

    # -- field work -------------------------------------------------------------------------

    def _own_work_order(self, session: Session, work_order_id: str) -> dict[str, Any]:
        order = self._row(session, "work_orders", work_order_id, "work_order_id", "work order")
        if order.get("engineer_id") != self.user_id:
            raise ServiceError(
                "work_order_id", f"work order {work_order_id} is not assigned to you"
            )
        return order

    def confirm_work_order(
        self, work_order_id: str, *, visit_at: datetime | None = None
    ) -> OpChanges:
        """The engineer confirms the visit (optionally at a new time agreed with the customer)."""
        wid = _id(work_order_id, "work_order_id")
        when = None if visit_at is None else _aware(visit_at, "visit_at")

        def build(session: Session, now: datetime) -> dict[str, Any]:
            order = self._own_work_order(session, wid)
            if order.get("state") not in (
                WorkOrderState.SCHEDULED.value,
                WorkOrderState.CONFIRMED.value,
            ):
                raise ServiceError(
                    "work_order_id",
                    f"a work order that is {order.get('state')} cannot be confirmed",
                )
            args: dict[str, Any] = {"work_order_id": wid}
            if when is not None:
                args["visit_at"] = wire_time(when)
            return args

        return self._submit("confirm_work_order", build, entity="work_orders", entity_id=wid)

    def sign_off_work_order(
        self,
        work_order_id: str,
        *,
        diagnosis: str,
        signer_name: str,
        signature_png: bytes,
        parts: Iterable[str] = (),
        labour_code: str | None = None,
        user_caused: bool = False,
        report: str = "",
    ) -> OpChanges:
        """Diagnosis, parts, labour and the customer's signature (PNG bytes); final once sent."""
        wid = _id(work_order_id, "work_order_id")
        _text(diagnosis, "diagnosis", required=True)
        _text(signer_name, "signer_name", required=True, limit=120)
        _text(report, "report")
        if not isinstance(signature_png, bytes) or not signature_png.startswith(PNG_MAGIC):
            raise ServiceError("signature_png", "is not a PNG image")
        if len(signature_png) > MAX_SIGNATURE_BYTES:
            raise ServiceError(
                "signature_png",
                f"the image is {len(signature_png)} bytes; the limit is {MAX_SIGNATURE_BYTES}",
            )
        part_list = list(parts)
        if len(part_list) > 50 or any(
            not isinstance(p, str) or not _CODE.match(p) for p in part_list
        ):
            raise ServiceError("parts", "give up to 50 part codes")
        if labour_code is not None and (
            not isinstance(labour_code, str) or not _CODE.match(labour_code)
        ):
            raise ServiceError("labour_code", f"{labour_code!r} is not a labour code")

        def build(session: Session, now: datetime) -> dict[str, Any]:
            order = self._own_work_order(session, wid)
            state = order.get("state")
            if state == WorkOrderState.SIGNED_OFF.value:
                raise ServiceError(
                    "work_order_id", "the work order is already signed off; it cannot be changed"
                )
            if state not in (
                WorkOrderState.SCHEDULED.value,
                WorkOrderState.CONFIRMED.value,
                WorkOrderState.IN_PROGRESS.value,
            ):
                raise ServiceError(
                    "work_order_id", f"a work order that is {state} cannot be signed off"
                )
            return {
                "work_order_id": wid,
                "diagnosis": diagnosis,
                "parts": part_list,
                "labour_code": labour_code,
                "user_caused": bool(user_caused),
                "signer_name": signer_name,
                "signature": base64.b64encode(signature_png).decode("ascii"),
                "report": report,
            }

        return self._submit("sign_off_work_order", build, entity="work_orders", entity_id=wid)

    # -- quality ----------------------------------------------------------------------------

    def record_qa_evaluation(
        self,
        conversation_id: str,
        *,
        scores: Mapping[str, int],
        comment: str = "",
        corrective_action: str | None = None,
        agent_id: str | None = None,
        amends: str | None = None,
    ) -> OpChanges:
        """A team lead scores a conversation; insert-only (a correction ``amends`` an earlier one)."""
        cid = _id(conversation_id, "conversation_id")
        _text(comment, "comment")
        if corrective_action is not None:
            _text(corrective_action, "corrective_action")
        agent = _opt_id(agent_id, "agent_id")
        earlier = _opt_id(amends, "amends")
        try:
            result = qa_rules.score_evaluation(self.policy, dict(scores))
        except DomainError as exc:
            raise _domain(exc, "scores") from None
        if result.failed_items and not (corrective_action or "").strip():
            raise ServiceError(
                "corrective_action",
                f"failed items ({', '.join(result.failed_items)}) need a corrective action",
            )
        evaluation_id = new_id()

        def build(session: Session, now: datetime) -> dict[str, Any]:
            self._conversation(session, cid)
            if earlier is not None:
                found = load(session, "qa_evaluations", earlier)
                if found is None or found.get("conversation_id") != cid:
                    raise ServiceError("amends", f"no evaluation {earlier} of this conversation")
            args: dict[str, Any] = {
                "evaluation_id": evaluation_id,
                "conversation_id": cid,
                "scores": {k: int(v) for k, v in scores.items()},
                "comment": comment,
            }
            for key, value in (
                ("agent_id", agent),
                ("corrective_action", corrective_action),
                ("amends", earlier),
            ):
                if value is not None:
                    args[key] = value
            return args

        return self._submit(
            "record_qa_evaluation",
            build,
            entity="qa_evaluations",
            entity_id=evaluation_id,
            created_id=evaluation_id,
        )

    def record_survey_callback(self, survey_id: str, notes: str, *, done: bool = True) -> OpChanges:
        """Notes of the callback after an unsatisfied rating."""
        sid = _id(survey_id, "survey_id")
        _text(notes, "notes", required=True)

        def build(session: Session, now: datetime) -> dict[str, Any]:
            survey = self._row(session, "surveys", sid, "survey_id", "survey")
            rating = survey.get("rating")
            if rating is None or rating not in {
                r.value for r in self.policy.surveys.callback_ratings
            }:
                raise ServiceError(
                    "survey_id",
                    f"the survey's rating ({rating or 'no rating yet'}) asks for no callback",
                )
            return {"survey_id": sid, "notes": notes, "done": bool(done)}

        return self._submit("record_survey_callback", build, entity="surveys", entity_id=sid)

    # -- pending changes --------------------------------------------------------------------

    def pending_changes(self) -> list[PendingChange]:
        """The Pending Changes list: every unsent or rejected change, oldest first."""
        with self.cache.read() as session:
            return pending.pending_changes(session)

    def pending_counts(self) -> dict[str, int]:
        """{"pending": n, "rejected": m} for the status bar."""
        return outbox.counts(self.cache)

    def retry(self, mutation_id: int) -> OpChanges:
        """Send a rejected change again (under a new mutation id) and show its effect again."""
        now = self.clock()
        with self.cache.write() as session:
            new_mid, keys = pending.retry(session, self._context_for, mutation_id, to_ts(now))
        if keys:
            self._poke()
        return OpChanges.of(keys, mutation_id=new_mid, entities=("outbox",))

    def discard(self, mutation_id: int) -> OpChanges:
        """Drop a rejected change (the UI has asked the user first) and undo its local effect:
        the rows it touched show the server's version again."""
        with self.cache.write() as session:
            keys = pending.discard(session, self._context_for, mutation_id)
        return OpChanges.of(keys, mutation_id=mutation_id, entities=("outbox",))

    def reapply_pending(self) -> OpChanges:
        """Re-apply the optimistic effects of still-pending changes on top of the server rows
        (after a pull). Returns the rows written."""
        with self.cache.write() as session:
            keys: set[Key] = pending.reapply(session, self._context_for)
        return OpChanges.of(keys)

    def after_pull(self, entities: Iterable[str] = ()) -> OpChanges:
        """For the sync engine's ``on_changes``: re-apply pending effects; the result names
        the pulled entities too, so the UI refreshes them."""
        return self.reapply_pending() | OpChanges(entities=frozenset(entities))


_OFFER_DEFAULTS: dict[str, Any] = {
    "conversation_id": None,
    "case_id": None,
    "order_id": None,
    "order_item_id": None,
    "quantity": None,
    "testing_fee": Decimal(0),
    "shipping_fee": Decimal(0),
    "severity": None,
    "reship": False,
    "goodwill_amount": None,
    "note": "",
}
