"""The desk's read side over the local cache: plain functions, no Qt, safe on any thread.

The desk's models call these from background operations (workstation.ui.tasks); each opens
its own read snapshot. Writes never happen here: they go through the desk services.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from workstation.store import queries, search
from workstation.store.db import CacheDatabase
from workstation.store.queries import Filters, View
from workstation.store.tables import (
    calls,
    case_events,
    cases,
    compensation_offers,
    conversations,
    customers,
    identities,
    order_items,
    orders,
    surveys,
    users,
)

TIMELINE_LIMIT = 500


def _data(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    return dict(json.loads(value))


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxQuery:
    view: str = "all"
    channel: str | None = None
    search_ids: tuple[str, ...] | None = None
    """When set (a search is active), these ids in this order instead of the view."""
    request_type: str | None = None
    priority: str | None = None
    status: str | None = None
    tag: str | None = None

    def filters(self) -> Filters:
        def one(value: str | None) -> frozenset[str] | None:
            return frozenset({value}) if value else None

        return Filters(
            channels=one(self.channel),
            request_types=one(self.request_type),
            priorities=one(self.priority),
            statuses=one(self.status),
            tag=self.tag or None,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class CustomerCard:
    customer: dict[str, Any]
    identities: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    """Each order dict with an ``items`` list."""
    conversations: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    compensation: list[dict[str, Any]] = field(default_factory=list)
    surveys: list[dict[str, Any]] = field(default_factory=list)


class CacheReader:
    """What the desk's models read from the cache (a fake stands in for it in UI tests)."""

    def __init__(self, db: CacheDatabase, *, user_id: str | None = None) -> None:
        self.db = db
        self.user_id = user_id
        self._rows_memo: queries.RowMemo = {}  # parsed inbox rows, reused while unchanged

    # -- inbox ------------------------------------------------------------------------------

    def conversation_ids(self, query: InboxQuery) -> list[str]:
        if query.search_ids is not None:
            return list(query.search_ids)
        return queries.conversation_ids(
            self.db, view=View(query.view), filters=query.filters(), user_id=self.user_id
        )

    def conversation_rows(self, ids: list[str]) -> list[dict[str, Any]]:
        return queries.conversation_rows(self.db, ids, memo=self._rows_memo)

    def view_counts(self, channel: str | None = None, query: InboxQuery | None = None) -> dict[str, int]:
        filters = query.filters() if query is not None else Filters(channels=frozenset({channel}) if channel else None)
        return {
            str(v): queries.count_conversations(self.db, view=v, filters=filters, user_id=self.user_id)
            for v in View
        }

    def search(self, text: str) -> list[str]:
        return search.search(self.db, text).conversation_ids

    # -- one conversation -------------------------------------------------------------------

    def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        rows = queries.conversation_rows(self.db, [conversation_id])
        return rows[0] if rows else None

    def timeline(self, conversation_id: str) -> list[dict[str, Any]]:
        """Messages, calls and case events of one conversation, oldest first. Each item has
        ``kind`` (message | call | event) and ``at`` (ISO time) besides its wire fields."""
        items: list[dict[str, Any]] = []
        for m in queries.message_rows(self.db, conversation_id, limit=TIMELINE_LIMIT):
            items.append({**m, "kind": "message", "at": m.get("sent_at") or ""})
        with self.db.read() as s:
            for (d,) in s.execute(select(calls.c.data).where(calls.c.conversation_id == conversation_id)):
                c = _data(d)
                items.append({**c, "kind": "call", "at": c.get("ringing_at") or ""})
            case_rows = s.execute(
                select(cases.c.id, cases.c.data).where(cases.c.conversation_id == conversation_id)
            ).all()
            kinds = {cid: _data(d).get("kind") for cid, d in case_rows}
            if kinds:
                stmt = select(case_events.c.data).where(case_events.c.case_id.in_(list(kinds)))
                for (d,) in s.execute(stmt):
                    e = _data(d)
                    items.append(
                        {**e, "kind": "event", "case_kind": kinds.get(e.get("case_id")), "at": e.get("at") or ""}
                    )
        items.sort(key=lambda i: (_norm(i["at"]), str(i.get("id") or "")))
        return items

    def order_item(self, item_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """One cached order item and its order (for the open-a-case dialog)."""
        with self.db.read() as s:
            d = s.execute(select(order_items.c.data).where(order_items.c.id == item_id)).scalar()
            if d is None:
                return None
            item = _data(d)
            o = s.execute(select(orders.c.data).where(orders.c.id == str(item.get("order_id")))).scalar()
        return (item, _data(o)) if o is not None else None

    def latest_conversation_of(self, customer_id: str) -> str | None:
        with self.db.read() as s:
            return s.execute(
                select(conversations.c.id).where(conversations.c.customer_id == customer_id)
                .order_by(conversations.c.last_message_at.desc()).limit(1)
            ).scalar()

    def user_names(self) -> dict[str, str]:
        with self.db.read() as s:
            return {
                str(i): str(n or u or i)
                for i, u, n in s.execute(select(users.c.id, users.c.username, users.c.display_name))
            }

    # -- customer 360 -----------------------------------------------------------------------

    def customer_card(self, customer_id: str) -> CustomerCard | None:
        with self.db.read() as s:
            d = s.execute(select(customers.c.data).where(customers.c.id == customer_id)).scalar()
            if d is None:
                return None
            ids = [_data(x) for x in s.execute(
                select(identities.c.data).where(identities.c.customer_id == customer_id)
            ).scalars()]
            order_list = [_data(x) for x in s.execute(
                select(orders.c.data).where(orders.c.customer_id == customer_id)
                .order_by(orders.c.placed_at.desc()).limit(20)
            ).scalars()]
            if order_list:
                by_order: dict[str, list[dict[str, Any]]] = {}
                stmt = select(order_items.c.data).where(
                    order_items.c.order_id.in_([o["id"] for o in order_list])
                )
                for x in s.execute(stmt).scalars():
                    item = _data(x)
                    by_order.setdefault(str(item.get("order_id")), []).append(item)
                for o in order_list:
                    o["items"] = by_order.get(str(o["id"]), [])
            convs = [_data(x) for x in s.execute(
                select(conversations.c.data).where(conversations.c.customer_id == customer_id)
                .order_by(conversations.c.last_message_at.desc()).limit(30)
            ).scalars()]
            case_list = [_data(x) for x in s.execute(
                select(cases.c.data).where(cases.c.customer_id == customer_id)
                .order_by(cases.c.created_at.desc()).limit(20)
            ).scalars()]
            comp = [_data(x) for x in s.execute(
                select(compensation_offers.c.data).where(compensation_offers.c.customer_id == customer_id)
                .order_by(compensation_offers.c.created_at.desc()).limit(20)
            ).scalars()]
            surv = [_data(x) for x in s.execute(
                select(surveys.c.data).where(surveys.c.customer_id == customer_id)
                .order_by(surveys.c.invited_at.desc()).limit(20)
            ).scalars()]
        return CustomerCard(
            customer=_data(d),
            identities=ids,
            orders=order_list,
            conversations=convs,
            cases=case_list,
            compensation=comp,
            surveys=surv,
        )


    # -- scripts and compensation --------------------------------------------------------------

    def approved_scripts(self) -> list[Any]:
        """The approved reply scripts in the cache (what the picker offers)."""
        from workstation.services.scripts import approved_scripts

        return approved_scripts(self.db)

    def offers(self, status: str | None = "pending_approval") -> list[dict[str, Any]]:
        """Compensation offers (default: those waiting for a team lead), newest first, each
        with ``order`` (its order number) and ``customer_name`` when cached."""
        with self.db.read() as s:
            stmt = select(compensation_offers.c.data).order_by(compensation_offers.c.created_at.desc()).limit(500)
            if status is not None:
                stmt = stmt.where(compensation_offers.c.status == status)
            out = [_data(x) for x in s.execute(stmt).scalars()]
            # one IN (…) per table for all offers, not two look-ups per offer
            order_ids = sorted({str(o["order_id"]) for o in out if o.get("order_id")})
            customer_ids = sorted({str(o["customer_id"]) for o in out if o.get("customer_id")})
            order_no: dict[str, Any] = {}
            names: dict[str, Any] = {}
            for start in range(0, len(order_ids), 500):
                chunk = order_ids[start : start + 500]
                for oid, d in s.execute(select(orders.c.id, orders.c.data).where(orders.c.id.in_(chunk))):
                    order_no[oid] = _data(d).get("order_no")
            for start in range(0, len(customer_ids), 500):
                chunk = customer_ids[start : start + 500]
                for cid, d in s.execute(select(customers.c.id, customers.c.data).where(customers.c.id.in_(chunk))):
                    c = _data(d)
                    names[cid] = c.get("display_name") or c.get("name")
            for o in out:
                if o.get("order_id") and str(o["order_id"]) in order_no:
                    o["order_no"] = order_no[str(o["order_id"])]
                if o.get("customer_id") and str(o["customer_id"]) in names:
                    o["customer_name"] = names[str(o["customer_id"])]
        return out


def _norm(value: object) -> str:
    """Wire times compare as text once normalised to microseconds."""
    from workstation.store.timefmt import norm_ts

    try:
        return norm_ts(value) or ""
    except (TypeError, ValueError):
        return str(value or "")
