"""Read-side queries for the big lists: ids first, rows by page.

A list view asks `conversation_ids` once (ids only: 100k of them are a few MB and tens of
ms), keeps them, and fetches rows with `conversation_rows` page by page as they scroll into
view. Filtering and sorting happen in SQL on indexed columns; nothing loads every row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from workstation.store import state
from workstation.store.db import CacheDatabase
from workstation.store.tables import conversation_tags, conversations
from workstation.store.timefmt import to_ts

OPEN_STATUSES = ("new", "open", "pending_customer", "pending_internal")
CLOSED_STATUSES = ("resolved", "closed")
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
BREACH_WINDOW = timedelta(minutes=30)
_CHUNK = 500  # ids per IN (…) when fetching rows
LIST_READ_CACHE_KIB = -4000  # SQLite page cache of a list read (negative: KiB)


class View(StrEnum):
    """The inbox views (same meaning as the server's /conversations?view=)."""

    MINE = "mine"
    UNASSIGNED = "unassigned"
    URGENT = "urgent"
    ABOUT_TO_BREACH = "about_to_breach"
    ALL = "all"
    CLOSED = "closed"


class Sort(StrEnum):
    SLA = "sla"
    """Least SLA time left first (breached first), no deadline last. The default."""
    PRIORITY = "priority"
    """Most urgent priority first, then least SLA time left."""
    LAST_MESSAGE = "last_message"
    """Newest activity first."""
    OPENED = "opened"
    """Oldest first."""
    CLOSED_AT = "closed_at"
    """Most recently closed first (the Closed view's default)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Filters:
    """Each set narrows to those values; None or empty = no filter."""

    channels: frozenset[str] | None = None
    request_types: frozenset[str] | None = None
    priorities: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    tag: str | None = None
    queue: str | None = None
    customer_id: str | None = None


NO_FILTERS = Filters()


@contextmanager
def _read_unmapped(db: CacheDatabase) -> Iterator[Session]:
    """A read whose pages come through SQLite's bounded page cache, not the memory map.

    The desk's list reads touch rows all over a 1-2 GB cache; every page read through the
    map stays in the process's resident set (up to the map size per pooled connection), while
    the page cache is bounded (and kept small here). The connection's settings are
    restored afterwards. (The pool runs without a map already, `store.db.MMAP_SIZE`: this
    keeps the list reads off it should that setting change.)"""
    with db.read() as session:
        conn = session.connection()
        raw = conn.connection.driver_connection
        assert raw is not None
        mmap, cache = raw.execute("PRAGMA mmap_size").fetchone()[0], raw.execute("PRAGMA cache_size").fetchone()[0]
        # a scan reads each page once: a small cache serves it as well, and keeps it small
        raw.execute(f"PRAGMA cache_size={LIST_READ_CACHE_KIB}")
        raw.execute("PRAGMA mmap_size=0")
        try:
            yield session
        finally:
            raw.execute(f"PRAGMA mmap_size={int(mmap or 0)}")
            raw.execute(f"PRAGMA cache_size={int(cache)}")


def _user_id(session: Session, user_id: str | None) -> str | None:
    return user_id if user_id is not None else state.get(session, state.USER_ID)


def _where(
    session: Session,
    view: View,
    filters: Filters,
    user_id: str | None,
    now: datetime | None,
) -> list[ColumnElement[bool]]:
    c = conversations.c
    where: list[ColumnElement[bool]] = []
    if view is View.CLOSED:
        where.append(c.status.in_(CLOSED_STATUSES))
    elif not filters.statuses:
        where.append(c.status.in_(OPEN_STATUSES))
    if view is View.MINE:
        where.append(c.assignee_id == _user_id(session, user_id))
    elif view is View.UNASSIGNED:
        where.append(c.assignee_id.is_(None))
    elif view is View.URGENT:
        where.append(c.priority == "urgent")
    elif view is View.ABOUT_TO_BREACH:
        limit = to_ts((now or datetime.now(UTC)) + BREACH_WINDOW)
        # While a first response is due, `sla_due_at` is that deadline (store.apply.sla_due):
        # the implied bound lets the (status, sla_due_at) index range-scan instead of reading
        # every open row.
        where.append(and_(c.first_response_at.is_(None), c.first_response_due_at <= limit, c.sla_due_at <= limit))
    if filters.statuses:
        where.append(c.status.in_(sorted(filters.statuses)))
    if filters.channels:
        where.append(c.channel.in_(sorted(filters.channels)))
    if filters.request_types:
        where.append(c.request_type.in_(sorted(filters.request_types)))
    if filters.priorities:
        where.append(c.priority.in_(sorted(filters.priorities)))
    if filters.queue:
        where.append(c.queue == filters.queue)
    if filters.customer_id:
        where.append(c.customer_id == filters.customer_id)
    if filters.tag:
        t = conversation_tags.c
        where.append(exists().where(t.conversation_id == c.id, t.tag == filters.tag))
    return where


def _order(view: View, sort: Sort | None) -> list[Any]:
    c = conversations.c
    if sort is None:
        sort = Sort.CLOSED_AT if view is View.CLOSED else Sort.SLA
    sla = (c.sla_due_at.is_(None), c.sla_due_at)
    if sort is Sort.SLA:
        return [*sla, c.id]
    if sort is Sort.PRIORITY:
        rank = case(PRIORITY_RANK, value=c.priority, else_=len(PRIORITY_RANK))
        return [rank, *sla, c.id]
    if sort is Sort.LAST_MESSAGE:
        return [c.last_message_at.desc(), c.id]
    if sort is Sort.OPENED:
        return [c.opened_at, c.id]
    return [c.closed_at.is_(None), c.closed_at.desc(), c.id]


def _ids_query(
    session: Session,
    view: View,
    filters: Filters,
    sort: Sort | None,
    user_id: str | None,
    now: datetime | None,
) -> Select[tuple[str]]:
    where = _where(session, view, filters, user_id, now)
    return select(conversations.c.id).where(*where).order_by(*_order(view, sort))


def conversation_ids(
    db: CacheDatabase,
    *,
    view: View = View.ALL,
    filters: Filters = NO_FILTERS,
    sort: Sort | None = None,
    user_id: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
) -> list[str]:
    """The ids of a view, filtered and sorted (default: least SLA time left first; Closed:
    most recently closed first). `user_id` defaults to the signed-in user in sync_state."""
    with _read_unmapped(db) as session:
        stmt = _ids_query(session, view, filters, sort, user_id, now)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [str(i) for i in session.execute(stmt).scalars()]


def count_conversations(
    db: CacheDatabase,
    *,
    view: View = View.ALL,
    filters: Filters = NO_FILTERS,
    user_id: str | None = None,
    now: datetime | None = None,
) -> int:
    with _read_unmapped(db) as session:
        where = _where(session, view, filters, user_id, now)
        stmt = select(func.count()).select_from(conversations).where(*where)
        return int(session.execute(stmt).scalar_one())


def view_counts(
    db: CacheDatabase, *, user_id: str | None = None, now: datetime | None = None
) -> dict[View, int]:
    """The count of every view (for the sidebar badges)."""
    return {v: count_conversations(db, view=v, user_id=user_id, now=now) for v in View}


RowMemo = dict[str, tuple[tuple[Any, ...], dict[str, Any]]]
"""conversation id -> (the stored values a row was made from, the row): see `conversation_rows`."""
MEMO_LIMIT = 50_000


def conversation_rows(
    db: CacheDatabase, ids: Sequence[str], *, memo: RowMemo | None = None
) -> list[dict[str, Any]]:
    """The rows of `ids`, in the order given (missing ids are skipped): each the cached wire
    dict plus ``customer_name`` and ``sla_due_at`` (stored time text).

    With `memo` (kept by the caller between calls), a row whose stored JSON, SLA deadline
    and customer name are unchanged is not parsed again: a live refresh reads back every
    loaded row, and parsing them held the interpreter lock the UI thread needs to paint.
    Each call returns fresh dicts all the same."""
    found: dict[str, dict[str, Any]] = {}
    loads = json.loads
    if memo is not None and len(memo) > MEMO_LIMIT:
        memo.clear()
    with _read_unmapped(db) as session:
        conn = session.connection()
        for start in range(0, len(ids), _CHUNK):
            chunk = tuple(ids[start : start + _CHUNK])
            # Straight through the driver: the ORM's row processing cost more than the read.
            sql = (
                "SELECT c.id, c.data, c.sla_due_at, cu.display_name FROM conversations AS c"
                " LEFT OUTER JOIN customers AS cu ON cu.id = c.customer_id"
                f" WHERE c.id IN ({', '.join('?' * len(chunk))})"
            )
            for id_, data, sla_due_at, name in conn.exec_driver_sql(sql, chunk):
                key = (data, sla_due_at, name)
                hit = memo.get(id_) if memo is not None else None
                if hit is not None and hit[0] == key:
                    found[id_] = dict(hit[1])
                    continue
                row = loads(data) if isinstance(data, str | bytes) else dict(data)
                row["customer_name"] = name
                row["sla_due_at"] = sla_due_at
                if memo is not None:
                    memo[id_] = (key, row)
                    row = dict(row)
                found[id_] = row
    return [found[i] for i in ids if i in found]


def message_rows(
    db: CacheDatabase, conversation_id: str, *, limit: int = 200, before: str | None = None
) -> list[dict[str, Any]]:
    """A conversation's messages, oldest first; `limit` newest ones (before the stored time
    text `before`, to page back)."""
    # Straight through the driver: a conversation switch reads up to 500 of these, and the
    # ORM's row processing cost more than SQLite's read (the index serves the order).
    sql = "SELECT data FROM messages WHERE conversation_id = ?"
    params: tuple[Any, ...] = (conversation_id,)
    if before is not None:
        sql += " AND sent_at < ?"
        params += (before,)
    sql += " ORDER BY sent_at DESC, id DESC LIMIT ?"
    params += (limit,)
    loads = json.loads
    with db.read() as session:  # one conversation's messages: few pages, mapped is faster
        raw = session.connection().exec_driver_sql(sql, params).fetchall()
    rows = [loads(d) if isinstance(d, str | bytes) else dict(d) for (d,) in raw]
    rows.reverse()
    return rows
