"""Applying pulled changes to the cache.

`apply_pull_page` upserts a page of changes and saves the page's cursor in ONE write
transaction: after a crash either both are there or neither is, so a page is never skipped
and re-applying it is harmless (upserts are idempotent and keyed by the server's seq).

Rules per change ``{"entity", "id", "seq", "data"}``:

- known entity → ``INSERT … ON CONFLICT(id) DO UPDATE … WHERE excluded.seq >= stored.seq``:
  an older version never overwrites a newer one; the same seq again re-applies the server's
  row over any optimistic local edit (`save_local`). Within a page the highest seq per id wins.
- ``data`` of None → the row is deleted (if the stored seq is not newer).
- unknown entity → kept in `unknown_changes` (same seq rule), for a later client version.

Rows go in with one ``executemany`` per entity on the DBAPI cursor; the full-text indexes and
`conversation_tags` follow by triggers inside the same transaction.

**Big initial loads** (`BulkLoader`, `begin_bulk_load` / `finish_bulk_load`): keeping the
FTS5 trigram indexes row by row costs ~50 µs a message, and keeping a dozen b-tree indexes
over a million rows means random page writes for every row. During an initial sync (or a full
resync) the sync engine drops the FTS triggers and the secondary b-tree indexes (their SQL is
saved in `sync_state` under `SEARCH_INDEX_DEFERRED` / `INDEXES_DEFERRED`, in the same
transaction), loads the pages over one dedicated connection (big page cache, no fsync: see
`BulkLoader`), then builds every index once, sorted, and rebuilds every FTS index from its
content table, and puts the triggers back — in one transaction, so a reader sees either the
deferred state or complete indexes. A crash in between leaves the saved SQL in `sync_state`:
the next round resumes the load (from the saved cursor) in the same mode and its completed pull
builds the indexes. While deferred, `store.search` scans instead of using the FTS index and
says so (``indexing``); list queries are answered without their indexes (slower, same rows).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from pydantic_core import to_json as _to_json
from sqlalchemy import text
from sqlalchemy.orm import Session

from workstation.store import state
from workstation.store.db import CacheDatabase
from workstation.store.tables import DERIVED, ENTITY_TABLES, FIELDS, FTS_TABLES, Kind
from workstation.store.timefmt import norm_ts, now_ts

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def dumps(value: Any) -> str:
    """Compact JSON as the cache stores it."""
    return _dumps(value)


def _wire_dumps(value: Any) -> str:
    """`dumps` for pulled data (decoded from the wire: JSON types): pydantic-core's encoder,
    ~3x faster, the same compact UTF-8 text (a float may be spelled differently, e.g. 1e-7 for
    1e-07: the same value; a datetime object, which the wire never carries, would be written
    ISO-8601 rather than ``str()``). Anything it refuses goes through `dumps`."""
    if type(value) is dict:
        try:
            return _to_json(value).decode()
        except Exception:  # e.g. a non-str key: let the reference encoder decide
            pass
    return _dumps(value)


def _fen(value: Any) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def _text(value: Any) -> str:
    return dumps(value) if isinstance(value, dict | list) else str(value)


_CONVERT: dict[Kind, Callable[[Any], Any]] = {
    Kind.STR: _text,
    Kind.INT: int,
    Kind.BOOL: lambda v: 1 if v else 0,
    Kind.TIME: norm_ts,
    Kind.MONEY: _fen,
    Kind.JSON: dumps,
}


def sla_due(data: Mapping[str, Any]) -> str | None:
    """The deadline that matters now: first response until there is one, then resolution."""
    first = data.get("first_response_due_at")
    if first is not None and data.get("first_response_at") is None:
        return norm_ts(first)
    resolution = data.get("resolution_due_at")
    return norm_ts(resolution if resolution is not None else first)


_DERIVE: dict[str, Callable[[Mapping[str, Any]], Any]] = {"sla_due_at": sla_due}

RowMaker = Callable[[str, int, Mapping[str, Any]], tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class _Spec:
    entity: str
    columns: tuple[str, ...]
    upsert_sql: str  # newer-or-equal seq wins
    local_sql: str  # optimistic local write: keeps the stored seq
    delete_sql: str
    make_row: RowMaker
    make_pull_row: RowMaker  # same row; `data` dumped by the faster wire-JSON encoder


@cache
def _spec(entity: str) -> _Spec:
    fields = FIELDS[entity]
    derived = DERIVED.get(entity, ())
    columns = ("id", "seq", "data", *(f.column for f in fields), *derived)
    converters = tuple((f.wire_key, _CONVERT[f.kind], f.kind is Kind.STR) for f in fields)
    derivers = tuple(_DERIVE[name] for name in derived)

    def row_maker(dump: Callable[[Any], str]) -> RowMaker:
        # One closure per encoder (no extra call layer per row: pages hold thousands).
        def make_row(id_: str, seq: int, data: Mapping[str, Any]) -> tuple[Any, ...]:
            out: list[Any] = [id_, seq, dump(data)]
            get = data.get
            for key, conv, is_str in converters:
                v = get(key)
                if v is None or (is_str and type(v) is str):
                    out.append(v)
                else:
                    out.append(conv(v))
            for derive in derivers:
                out.append(derive(data))
            return tuple(out)

        return make_row

    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    local_sets = ", ".join(f"{c} = excluded.{c}" for c in columns[2:])
    return _Spec(
        entity=entity,
        columns=columns,
        upsert_sql=(
            f"INSERT INTO {entity} ({names}) VALUES ({marks}) "
            f"ON CONFLICT(id) DO UPDATE SET {sets} WHERE excluded.seq >= {entity}.seq"
        ),
        local_sql=(
            f"INSERT INTO {entity} ({names}) VALUES ({marks}) "
            f"ON CONFLICT(id) DO UPDATE SET {local_sets}"
        ),
        delete_sql=f"DELETE FROM {entity} WHERE id = ? AND seq <= ?",
        make_row=row_maker(dumps),
        make_pull_row=row_maker(_wire_dumps),
    )


_UNKNOWN_SQL = (
    "INSERT INTO unknown_changes (entity, id, seq, data, received_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(entity, id) DO UPDATE SET seq = excluded.seq, data = excluded.data, "
    "received_at = excluded.received_at WHERE excluded.seq >= unknown_changes.seq"
)


@dataclass(slots=True)
class ChangeCounts:
    """What one batch of changes did to the cache."""

    received: dict[str, int] = field(default_factory=dict)
    """Changes per entity in the batch (unknown entities included)."""
    applied: dict[str, int] = field(default_factory=dict)
    """Rows written or deleted per known entity (stale versions not counted)."""
    unknown: dict[str, int] = field(default_factory=dict)
    """Changes per unknown entity, kept in `unknown_changes`."""

    @property
    def total(self) -> int:
        return sum(self.received.values())

    @property
    def total_applied(self) -> int:
        return sum(self.applied.values())

    @property
    def stale(self) -> int:
        """Known changes not applied because the cache held a newer (or the page a later) version."""
        known = sum(n for e, n in self.received.items() if e not in self.unknown)
        return known - self.total_applied


@dataclass(frozen=True, slots=True)
class AppliedPage:
    counts: ChangeCounts
    cursor: str
    last_applied_mutation_id: int
    seconds: float

    @property
    def entities(self) -> set[str]:
        """Entities with at least one row written: what the UI should refresh."""
        return {e for e, n in self.counts.applied.items() if n}


class ChangeLike(Protocol):
    """`workstation.sync.protocol.Change` or anything shaped like it."""

    @property
    def entity(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def data(self) -> dict[str, Any] | None: ...


AnyChange = Mapping[str, Any] | ChangeLike
"""A change as a dict (``{"entity", "id", "seq", "data"}``, e.g. straight from the JSON) or
as a parsed `protocol.Change`."""


def _get(change: AnyChange, key: str) -> Any:
    if isinstance(change, Mapping):
        return change.get(key)
    return getattr(change, key)


def apply_changes(session: Session, changes: Iterable[AnyChange]) -> ChangeCounts:
    """Upsert `changes` inside the caller's (write) transaction."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        return _apply_rows(cursor, changes)
    finally:
        cursor.close()


def _apply_rows(cursor: sqlite3.Cursor, changes: Iterable[AnyChange]) -> ChangeCounts:
    """`apply_changes` on a DBAPI cursor, inside its connection's open transaction."""
    counts = ChangeCounts()
    received = counts.received
    by_entity: dict[str, dict[str, tuple[int, Any]]] = {}
    for change in changes:
        if type(change) is dict:  # straight from the JSON: the common, hot case
            get: Callable[[str], Any] = change.get
            entity, id_, seq, data = get("entity"), get("id"), get("seq"), get("data")
            if type(entity) is not str or type(id_) is not str or type(seq) is not int:
                entity, id_, seq = str(entity), str(id_), int(seq)
        else:
            entity = str(_get(change, "entity"))
            id_ = str(_get(change, "id"))
            seq = int(_get(change, "seq"))
            data = _get(change, "data")
        received[entity] = received.get(entity, 0) + 1
        rows = by_entity.get(entity)
        if rows is None:
            rows = by_entity[entity] = {}
        held = rows.get(id_)
        if held is None or seq >= held[0]:
            rows[id_] = (seq, data)
    for entity, rows in by_entity.items():
        if entity not in ENTITY_TABLES:
            received_at = now_ts()
            cursor.executemany(
                _UNKNOWN_SQL,
                [
                    (entity, i, s, None if d is None else dumps(d), received_at)
                    for i, (s, d) in rows.items()
                ],
            )
            counts.unknown[entity] = counts.received[entity]
            continue
        spec = _spec(entity)
        make = spec.make_pull_row
        upserts = [make(i, s, d) for i, (s, d) in rows.items() if d is not None]
        deletes = [(i, s) for i, (s, d) in rows.items() if d is None]
        applied = 0
        if upserts:
            cursor.executemany(spec.upsert_sql, upserts)
            applied += max(cursor.rowcount, 0)
        if deletes:
            cursor.executemany(spec.delete_sql, deletes)
            applied += max(cursor.rowcount, 0)
        counts.applied[entity] = applied
    return counts


@contextmanager
def _unmapped(session: Session, active: bool = True) -> Iterator[None]:
    """Within the caller's transaction: no memory-mapped reads on this connection, the
    connection's ``mmap_size`` restored afterwards. Pages read through a memory map count in
    the process's RSS (up to the map size) however little of them is needed again; a bulk load
    walks the whole file, so it reads through the bounded page cache instead. The pool's
    connections run without a map already (`store.db.MMAP_SIZE`): this keeps a load off it
    should that setting change."""
    if not active:
        yield
        return
    conn = session.connection()
    before = conn.exec_driver_sql("PRAGMA mmap_size").scalar()
    conn.exec_driver_sql("PRAGMA mmap_size=0")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA mmap_size={int(before or 0)}")


def apply_pull_page(
    db: CacheDatabase,
    page_changes: Sequence[AnyChange],
    cursor: str,
    *,
    last_applied_mutation_id: int,
) -> AppliedPage:
    """Apply one pull page and save its cursor (and the server's last applied mutation id)
    in one write transaction. Idempotent: applying the same page again changes nothing.

    `last_applied_mutation_id` is recorded, not acted on: outbox entries are dropped only when
    a push result acknowledges them (a replayed push returns the server's recorded outcome,
    including a rejection's reason)."""
    started = time.perf_counter()
    with db.write() as session:
        # A bulk load (index deferred) touches the whole file: read it through the page cache,
        # not the memory map, so the syncing process's RSS stays flat (see `_unmapped`).
        with _unmapped(session, search_index_deferred(session)):
            counts = apply_changes(session, page_changes)
            state.put(session, state.CURSOR, cursor)
            state.put(session, state.SERVER_LAST_APPLIED, last_applied_mutation_id)
            state.put(session, state.LAST_SYNC_AT, now_ts())
    return AppliedPage(
        counts=counts,
        cursor=cursor,
        last_applied_mutation_id=last_applied_mutation_id,
        seconds=time.perf_counter() - started,
    )


def save_local(session: Session, entity: str, data: Mapping[str, Any]) -> None:
    """An optimistic local write of one row (services, inside their outbox transaction).

    Keeps the stored seq (0 for a new row), so the server's version of the row replaces it
    on the next pull that carries it."""
    spec = _spec(entity)
    row = spec.make_row(str(data["id"]), 0, data)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(spec.local_sql, row)
    finally:
        cursor.close()


def get_row(session: Session, entity: str, id_: str) -> dict[str, Any] | None:
    """The cached wire dict of one row, or None."""
    table = ENTITY_TABLES[entity]
    raw = session.execute(table.select().with_only_columns(table.c.data).where(table.c.id == id_)).scalar()
    if raw is None:
        return None
    return dict(raw)


def stored_seq(session: Session, entity: str, id_: str) -> int | None:
    table = ENTITY_TABLES[entity]
    return session.execute(
        table.select().with_only_columns(table.c.seq).where(table.c.id == id_)
    ).scalar()


# --- deferred full-text indexing (big initial loads) -------------------------------------

SEARCH_INDEX_DEFERRED = state.SEARCH_INDEX_DEFERRED
"""`sync_state` key: JSON list of ``[name, sql]`` of the FTS triggers dropped for a bulk load."""


def _fts_triggers(session: Session) -> list[list[str]]:
    rows = session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    ).all()
    return [[str(name), str(sql)] for name, sql in rows if sql and any(f in sql for f in FTS_TABLES)]


def search_index_deferred(session: Session) -> bool:
    """True while the FTS indexes are not maintained (a bulk load is under way)."""
    return bool(state.get(session, SEARCH_INDEX_DEFERRED))


def defer_search_index(session: Session, *, clear: bool = False) -> bool:
    """Stop maintaining the FTS indexes row by row (inside the caller's write transaction):
    drop their triggers and remember them. ``clear`` also empties the indexes (before a full
    resync deletes every row: far cheaper than a per-row 'delete'). Returns False when already
    deferred (or there is nothing to defer)."""
    if search_index_deferred(session):
        if clear:
            for fts in FTS_TABLES:
                session.connection().exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES('delete-all')")
        return False
    triggers = _fts_triggers(session)
    if not triggers:
        return False
    state.put(session, SEARCH_INDEX_DEFERRED, dumps(triggers))
    conn = session.connection()
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    if clear:
        for fts in FTS_TABLES:
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES('delete-all')")
    return True


# --- bulk loads: secondary b-tree indexes built once at the end ----------------------------

INDEXES_DEFERRED = state.INDEXES_DEFERRED
"""`sync_state` key: JSON list of ``[name, sql]`` of the b-tree indexes dropped for a bulk load."""

_BULK_TABLES = frozenset(ENTITY_TABLES) | {"conversation_tags"}
"""Tables whose secondary indexes a bulk load drops (the synced rows; not the outbox)."""


def _secondary_indexes(session: Session) -> list[list[str]]:
    # `sql IS NULL` are the automatic indexes of primary keys / unique constraints: they stay
    # (upserts need them to find the row).
    rows = session.execute(
        text(
            "SELECT name, tbl_name, sql FROM sqlite_master "
            "WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        )
    ).all()
    return [[str(name), str(sql)] for name, table, sql in rows if table in _BULK_TABLES]


def indexes_deferred(session: Session) -> bool:
    """True while the synced tables' secondary indexes are dropped (a bulk load is under way)."""
    return bool(state.get(session, INDEXES_DEFERRED))


def defer_indexes(session: Session) -> bool:
    """Drop the synced tables' secondary b-tree indexes (inside the caller's write transaction),
    remembering their SQL. Returns False when already deferred (or there are none)."""
    if indexes_deferred(session):
        return False
    indexes = _secondary_indexes(session)
    if not indexes:
        return False
    state.put(session, INDEXES_DEFERRED, dumps(indexes))
    conn = session.connection()
    for name, _sql in indexes:
        conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
    return True


def begin_bulk_load(session: Session, *, clear: bool = False) -> bool:
    """A big load starts (inside the caller's write transaction): stop maintaining the FTS
    indexes and the secondary b-tree indexes row by row (`defer_search_index`,
    `defer_indexes`). Returns False when nothing was left to defer."""
    fts = defer_search_index(session, clear=clear)
    btree = defer_indexes(session)
    return fts or btree


def bulk_load_pending(session: Session) -> bool:
    """True while any index is deferred: a bulk load is under way (or was cut short)."""
    return search_index_deferred(session) or indexes_deferred(session)


BULK_CACHE_KIB = 64 * 1024
"""Page cache of the bulk-load connection. Big enough to hold the right edge of every table's
b-trees and a good part of the index sorts; it counts in the syncing process's RSS."""

_STATE_UPSERT_SQL = (
    "INSERT INTO sync_state (key, value) VALUES (?, ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
)


class BulkLoader:
    """Pages of a bulk load (initial sync, full resync) written over ONE dedicated connection,
    then every deferred index built once (`finish`).

    The connection runs with

    - ``synchronous=OFF``: no fsync at WAL checkpoints. A killed *process* loses nothing
      (committed pages are in the OS); a power cut or OS crash may lose the last pages or
      damage the file. Both are safe here: each page commits together with its cursor, so a
      lost page is pulled again; and while a bulk load is pending (`bulk_load_pending`) every
      open of the cache runs ``quick_check`` whatever check the caller asked for
      (`store.db.check_file`), so a damaged file raises `CacheCorrupt`: its outbox is salvaged
      and the cache resynced from scratch — which is all this load was doing. `finish` goes
      back to ``synchronous=NORMAL`` and fsyncs the file *before* the transaction that clears
      the pending mark, so "load complete" on disk implies every page of the load is there.
      Other connections (the services' outbox writes) keep their own ``synchronous=NORMAL``.
    - a big page cache (`BULK_CACHE_KIB`), kept across pages because the connection is kept;
    - no memory map: pages read through a map count in RSS however little they are needed
      again, and a load walks the whole file.

    The connection is discarded by `close` (never returned to the pool with these settings).
    """

    def __init__(self, db: CacheDatabase, *, cache_kib: int = BULK_CACHE_KIB) -> None:
        self._db = db
        self._raw = db.engine.raw_connection()
        conn = self._raw.driver_connection
        assert isinstance(conn, sqlite3.Connection)
        self._conn: sqlite3.Connection = conn
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        conn.execute("PRAGMA mmap_size=0")

    def __enter__(self) -> BulkLoader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        # Discard the connection: its pragmas must not leak into the pool.
        self._raw.invalidate()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        cursor = conn.cursor()
        try:
            yield cursor
        except BaseException:
            cursor.close()
            conn.execute("ROLLBACK")
            raise
        cursor.close()
        conn.execute("COMMIT")

    def apply_page(
        self, page_changes: Sequence[AnyChange], cursor: str, *, last_applied_mutation_id: int
    ) -> AppliedPage:
        """`apply_pull_page` on this connection: the page and its cursor in one transaction."""
        started = time.perf_counter()
        with self._transaction() as cur:
            counts = _apply_rows(cur, page_changes)
            cur.executemany(
                _STATE_UPSERT_SQL,
                [
                    (state.CURSOR, cursor),
                    (state.SERVER_LAST_APPLIED, str(last_applied_mutation_id)),
                    (state.LAST_SYNC_AT, now_ts()),
                ],
            )
        return AppliedPage(
            counts=counts,
            cursor=cursor,
            last_applied_mutation_id=last_applied_mutation_id,
            seconds=time.perf_counter() - started,
        )

    def finish(self) -> float:
        """End the bulk load: build every deferred b-tree index, rebuild every FTS index from
        its content table and restore the triggers, in one transaction. Returns the seconds
        spent (0.0 if nothing was deferred)."""
        started = time.perf_counter()
        # Durable from here on (see the class docstring): the pages written by no-fsync
        # checkpoints reach the disk before the pending mark can be cleared.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        _fsync(self._db.path)
        with self._transaction() as cur:
            saved = dict(
                cur.execute(
                    "SELECT key, value FROM sync_state WHERE key IN (?, ?)",
                    (INDEXES_DEFERRED, SEARCH_INDEX_DEFERRED),
                ).fetchall()
            )
            if not any(saved.values()):
                return 0.0
            present = {
                str(name)
                for (name,) in cur.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")
            }
            for name, sql in json.loads(saved.get(INDEXES_DEFERRED) or "[]"):
                if name not in present:
                    cur.execute(sql)
            if saved.get(SEARCH_INDEX_DEFERRED):
                for fts in FTS_TABLES:
                    cur.execute(f"INSERT INTO {fts}({fts}) VALUES('rebuild')")
                for name, sql in json.loads(saved[SEARCH_INDEX_DEFERRED]):
                    if name not in present:
                        cur.execute(sql)
            cur.execute(
                "DELETE FROM sync_state WHERE key IN (?, ?)", (INDEXES_DEFERRED, SEARCH_INDEX_DEFERRED)
            )
        return time.perf_counter() - started


def _fsync(path: Path) -> None:
    if path.exists():
        with path.open("r+b") as f:  # writable: Windows refuses to flush a read-only handle
            os.fsync(f.fileno())


def finish_bulk_load(db: CacheDatabase) -> float:
    """End a bulk load (see `BulkLoader.finish`) over a connection of its own. Returns the
    seconds spent (0.0 if nothing was deferred)."""
    with db.read() as session:
        if not bulk_load_pending(session):
            return 0.0
    with BulkLoader(db) as loader:
        return loader.finish()
