"""Pull: pages of changes over the server-wide change sequence, filtered by the caller's scope.

A page is built in two steps so memory and time depend on the page size, not on history:

1. For each synced table, one indexed query of the `change_seq` values the caller may see,
   `WHERE change_seq > :cursor AND change_seq <= :high ORDER BY change_seq LIMIT :n`, where
   `high` is the change counter read first (every row up to it is committed: the counter's row
   lock orders commits). Merging those lists gives the page's last sequence value.
2. The rows themselves, `WHERE change_seq > :cursor AND change_seq <= :boundary`, per table.

When fewer than `n` visible rows exist up to `high`, the cursor moves to `high`: rows the caller
cannot see still move it on, so a page of nothing but invisible rows never stalls a client.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from operator import attrgetter, itemgetter
from typing import Any, TypeVar, cast

from pydantic_core import from_json, to_json
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    Integer,
    String,
    Table,
    inspect,
    literal,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from workstation.domain.enums import Role
from workstation.server import changes, serialize
from workstation.server.auth import Principal
from workstation.server.context import ServerContext
from workstation.server.problems import Problem, forbidden
from workstation.server.scope import conversation_filter
from workstation.server.tables import (
    SYNCED_TABLES,
    Base,
    Call,
    Case,
    CaseEvent,
    Client,
    CompensationOffer,
    Conversation,
    Customer,
    Identity,
    Message,
    Order,
    OrderItem,
    QaEvaluation,
    ReplyScript,
    Survey,
    User,
    UtcDateTime,
    WorkOrder,
)
from workstation.sync.protocol import (
    Change,
    CursorError,
    PullResponse,
    decode_cursor,
    encode_cursor,
)

Filter = ColumnElement[bool]
T = TypeVar("T")


def _agent_filters(principal: Principal) -> dict[type[Base], Filter]:
    visible = select(Conversation.id).where(conversation_filter(principal))
    cases = select(Case.id).where(
        (Case.conversation_id.in_(visible)) | (Case.created_by == principal.id)
    )
    return {
        User: true(),
        Customer: true(),
        Identity: true(),
        Order: true(),
        OrderItem: true(),
        Conversation: conversation_filter(principal),
        Message: Message.conversation_id.in_(visible),
        Call: Call.conversation_id.in_(visible) | (Call.agent_id == principal.id),
        Case: Case.conversation_id.in_(visible) | (Case.created_by == principal.id),
        CaseEvent: CaseEvent.case_id.in_(cases),
        CompensationOffer: CompensationOffer.conversation_id.in_(visible)
        | (CompensationOffer.offered_by == principal.id),
        QaEvaluation: QaEvaluation.conversation_id.in_(visible) | (QaEvaluation.agent_id == principal.id),
        Survey: Survey.conversation_id.in_(visible),
        # Once approved, later states (retired) must reach agents too, or a retired script
        # would live on in their offline caches.
        ReplyScript: ReplyScript.approved_at.is_not(None),
    }


def _engineer_filters(principal: Principal) -> dict[type[Base], Filter]:
    mine = select(WorkOrder.case_id).where(WorkOrder.engineer_id == principal.id, WorkOrder.case_id.is_not(None))
    customers = select(WorkOrder.customer_id).where(WorkOrder.engineer_id == principal.id)
    orders = select(Case.order_id).where(Case.id.in_(mine))
    return {
        User: true(),
        WorkOrder: WorkOrder.engineer_id == principal.id,
        Customer: Customer.id.in_(customers),
        Case: Case.id.in_(mine),
        Order: Order.id.in_(orders),
        OrderItem: OrderItem.order_id.in_(orders),
    }


def scope_filters(principal: Principal) -> dict[type[Base], Filter]:
    """Per synced table, the rows the caller may receive; a table not listed sends nothing."""
    if principal.sees_everything:
        return {model: true() for model in SYNCED_TABLES}
    if principal.role in (Role.AGENT, Role.SENIOR_AGENT):
        return _agent_filters(principal)
    if principal.role is Role.FIELD_ENGINEER:
        return _engineer_filters(principal)
    return {}


# --- what goes on the wire ------------------------------------------------------------


def _mask_customer(data: dict[str, Any]) -> None:
    data["phone"] = serialize.mask_phone(data.get("phone"))
    data["address"] = serialize.mask_address(data.get("address"))


def _mask_order(data: dict[str, Any]) -> None:
    data["address"] = serialize.mask_address(data.get("address"))


def _mask_identity(data: dict[str, Any]) -> None:
    if data.get("kind") == "phone":
        data["handle"] = serialize.mask_phone(data.get("handle"))


def _mask_call(data: dict[str, Any]) -> None:
    data["caller"] = serialize.mask_phone(data.get("caller"))


_MASKS: dict[type[Base], Callable[[dict[str, Any]], None]] = {
    Customer: _mask_customer,
    Order: _mask_order,
    Identity: _mask_identity,
    Call: _mask_call,
}


def wire(obj: Base) -> dict[str, Any]:
    """A row as sent to clients: private columns dropped, contact details masked."""
    data = serialize.row(obj)
    mask = _MASKS.get(type(obj))
    if mask is not None:
        mask(data)
    return data


_PLAIN = (str, int, bool, type(None))


@cache
def _columns(model: type[Base]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The keys serialize.row gives a row of ``model`` and the mapped columns behind them."""
    keys = tuple(
        attr.key for attr in inspect(model).column_attrs if attr.key not in serialize._PRIVATE
    )
    table = cast(Table, model.__table__)
    return keys, tuple(table.c[inspect(model).column_attrs[key].columns[0].key] for key in keys)


def _wire_row(model: type[Base], keys: tuple[str, ...], values: Any) -> dict[str, Any]:
    """Same output as `wire` on the loaded object, without building ORM objects (pages are hot)."""
    value = serialize.value
    data = {k: (v if type(v) in _PLAIN else value(v)) for k, v in zip(keys, values, strict=True)}
    mask = _MASKS.get(model)
    if mask is not None:
        mask(data)
    return data


def _sqlite_time(raw: str) -> str:
    """A UtcDateTime column's SQLite text (``YYYY-MM-DD HH:MM:SS.ffffff``, naive UTC) as
    `serialize.value` writes the aware datetime: ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``."""
    if len(raw) == 26 and raw[10] == " " and raw[19] == "." and raw[4] == "-" and raw[13] == ":":
        return raw[:10] + "T" + raw[11:19] + ("Z" if raw.endswith(".000000") else raw[19:] + "Z")
    parsed = datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return cast(str, serialize.value(parsed.astimezone(UTC)))


_SAFE_TYPES = (String, Integer, Boolean, JSON, Date)
"""Column types whose values never need `serialize.value` (it only changes datetime and Decimal)."""


def _sqlite_json(raw: Any) -> Any:
    """A JSON column's SQLite value as SQLAlchemy's JSON type reads it (``json.loads`` of the
    text; a number stored as a number as is), with the commonest values short-cut (a fresh
    object each time) and pydantic-core's faster parser for the rest."""
    if type(raw) is not str:
        return raw
    if raw == "[]":
        return []
    if raw == "{}":
        return {}
    if raw == "null":
        return None
    try:
        return from_json(raw)
    except ValueError:  # e.g. NaN written by json.dumps, a lone surrogate: the reference verdict
        return json.loads(raw)


@cache
def _plan(
    model: type[Base], sqlite: bool
) -> tuple[tuple[str, ...], tuple[Any, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Keys, the columns to select, the keys of UTC time columns read as raw SQLite text, the
    keys of JSON columns read as raw SQLite text, and the keys of the other columns that may
    need `serialize.value` (money, other times).

    On SQLite, times are selected as their stored text and turned into wire text directly
    (`_sqlite_time`), skipping datetime parsing and formatting per value; JSON columns as their
    text, decoded by `_sqlite_json`; columns of a `_SAFE_TYPES` type are taken as they come."""
    keys, columns = _columns(model)
    selected: list[Any] = []
    times: list[str] = []
    jsons: list[str] = []
    others: list[str] = []
    for n, (key, column) in enumerate(zip(keys, columns, strict=True)):
        if sqlite and isinstance(column.type, UtcDateTime):
            selected.append(type_coerce(column, String).label(f"t_{n}"))
            times.append(key)
            continue
        if sqlite and isinstance(column.type, JSON):
            selected.append(type_coerce(column, String).label(f"j_{n}"))
            jsons.append(key)
            continue
        selected.append(column)
        if not isinstance(column.type, _SAFE_TYPES):
            others.append(key)
    return keys, tuple(selected), tuple(times), tuple(jsons), tuple(others)


def _wire_row_planned(
    model: type[Base],
    keys: tuple[str, ...],
    times: tuple[str, ...],
    jsons: tuple[str, ...],
    others: tuple[str, ...],
    values: Any,
) -> dict[str, Any]:
    """`_wire_row` with the conversions worked out per column once (see `_plan`)."""
    data = dict(zip(keys, values, strict=True))
    for key in times:
        raw = data[key]
        if raw is not None:
            data[key] = _sqlite_time(raw)
    for key in jsons:
        data[key] = _sqlite_json(data[key])
    if others:
        value = serialize.value
        for key in others:
            v = data[key]
            if type(v) not in _PLAIN:
                data[key] = value(v)
    mask = _MASKS.get(model)
    if mask is not None:
        mask(data)
    return data


_CHANGE_FIELDS = frozenset(("entity", "id", "seq", "data"))


def _change(entity: str, id_: str, seq: int, data: dict[str, Any]) -> Change:
    """`Change.model_construct(...)` for our own, already typed values — without its per-call
    bookkeeping (a page holds thousands)."""
    change = Change.__new__(Change)
    object.__setattr__(change, "__dict__", {"entity": entity, "id": id_, "seq": seq, "data": data})
    object.__setattr__(change, "__pydantic_fields_set__", set(_CHANGE_FIELDS))
    object.__setattr__(change, "__pydantic_extra__", None)
    object.__setattr__(change, "__pydantic_private__", None)
    return change


# --- the page ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Page:
    changes: list[Change]
    cursor: int
    has_more: bool


def read_page(session: Session, principal: Principal, *, after: int, limit: int) -> Page:
    changes, cursor, has_more = _read(session, principal, after=after, limit=limit, make=_change)
    changes.sort(key=attrgetter("seq"))
    return Page(changes=changes, cursor=cursor, has_more=has_more)


def _change_dict(entity: str, id_: str, seq: int, data: dict[str, Any]) -> dict[str, Any]:
    return {"entity": entity, "id": id_, "seq": seq, "data": data}


def _read(
    session: Session, principal: Principal, *, after: int, limit: int, make: Callable[[str, str, int, dict[str, Any]], T]
) -> tuple[list[T], int, bool]:
    """The page's changes (each built by ``make(entity, id, seq, data)``, in table order: the
    caller sorts them by seq), its cursor position and whether more follow."""
    high = changes.current(session)
    if after > high:
        raise Problem(
            409,
            "Resync required",
            "the cursor is ahead of this server's change sequence (the database was replaced?): "
            "save unsent changes and pull again without a cursor",
            kind="resync-required",
        )
    filters = scope_filters(principal)
    if after == high or not filters:
        return [], high, False
    # Core, not ORM: nothing here needs identity maps, and pages are hot.
    conn = session.connection()
    # Step 1: the first `limit` + 1 visible sequence values over all tables, with the table
    # each comes from: one UNION ALL ordered by seq, which the database answers by merging the
    # tables' change_seq index walks and stopping at the limit (no per-table over-fetch).
    models = list(filters)
    union = union_all(
        *(
            select(model.change_seq.label("seq"), literal(n).label("t")).where(  # type: ignore[attr-defined]
                model.change_seq > after, model.change_seq <= high, filters[model]  # type: ignore[attr-defined]
            )
            for n, model in enumerate(models)
        )
    ).subquery()
    head = conn.execute(select(union.c.seq, union.c.t).order_by(union.c.seq).limit(limit + 1)).all()
    if not head:
        return [], high, False
    if len(head) > limit:
        boundary, has_more = head[limit - 1][0], True
    elif len(head) == limit:
        boundary = head[-1][0]
        # Exactly `limit` visible rows: as before, more is announced when one table held all
        # of them (it was "cut off" at the limit) and the sequence goes on.
        has_more = len({t for _seq, t in head}) == 1 and boundary < high
        if not has_more:
            boundary = high
    else:
        boundary, has_more = high, False
    shown = head[: min(limit, len(head))]
    last_row = shown[-1][0]
    present = {t for _seq, t in shown}
    # Step 2: the rows of the page.
    found: list[T] = []
    sqlite = conn.dialect.name == "sqlite"
    for n, model in enumerate(models):
        if n not in present:
            continue
        keys, columns, times, jsons, others = _plan(model, sqlite)
        seq = model.change_seq  # type: ignore[attr-defined]
        rows = conn.execute(
            select(*columns).where(seq > after, seq <= last_row, filters[model]).order_by(seq)
        ).all()
        table = model.__tablename__
        for row in rows:
            data = _wire_row_planned(model, keys, times, jsons, others, row)
            # Built from our own typed columns: no need to validate each one again.
            found.append(make(table, str(data["id"]), data["change_seq"], data))
    return found, boundary, has_more


def _checked_after(ctx: ServerContext, cursor: str | None, limit: int) -> int:
    try:
        after = decode_cursor(cursor)
    except CursorError as exc:
        raise Problem(400, "Bad cursor", str(exc), kind="bad-cursor") from None
    if not 1 <= limit <= ctx.settings.pull_page_max:
        raise Problem(
            422,
            "Invalid input",
            f"query.limit: must be from 1 to {ctx.settings.pull_page_max}",
            kind="invalid-input",
            errors=[{"field": "query.limit", "message": f"must be from 1 to {ctx.settings.pull_page_max}"}],
        )
    return after


def _last_applied(session: Session, principal: Principal, client_id: str | None) -> int:
    if not client_id:
        return 0
    client = session.get(Client, client_id)
    if client is None:
        return 0
    if client.user_id != principal.id:
        raise forbidden(f"client {client_id!r} belongs to another user")
    return int(client.last_applied)


def pull(
    ctx: ServerContext, principal: Principal, *, cursor: str | None, limit: int, client_id: str | None
) -> PullResponse:
    after = _checked_after(ctx, cursor, limit)
    with ctx.db.read() as session, session.begin():
        last_applied = _last_applied(session, principal, client_id)
        page = read_page(session, principal, after=after, limit=limit)
    return PullResponse(
        changes=page.changes,
        cursor=encode_cursor(page.cursor),
        has_more=page.has_more,
        last_applied_mutation_id=last_applied,
    )


def pull_json(
    ctx: ServerContext, principal: Principal, *, cursor: str | None, limit: int, client_id: str | None
) -> bytes:
    """`pull` as the response body: the same JSON as ``pull(...).model_dump_json()``, with the
    changes built as plain dicts and serialized straight to UTF-8 (no model object per change,
    no str round trip; pages hold thousands of changes)."""
    after = _checked_after(ctx, cursor, limit)
    with ctx.db.read() as session, session.begin():
        last_applied = _last_applied(session, principal, client_id)
        found, position, has_more = _read(session, principal, after=after, limit=limit, make=_change_dict)
    found.sort(key=itemgetter("seq"))
    return to_json(
        {
            "changes": found,
            "cursor": encode_cursor(position),
            "has_more": has_more,
            "last_applied_mutation_id": last_applied,
        }
    )
