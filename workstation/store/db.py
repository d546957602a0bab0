"""The local cache database: one SQLite file in the per-user data directory.

`CacheDatabase.open(path)` checks the file, runs the migrations and hands out sessions:

- WAL journal, `synchronous=NORMAL`, a busy timeout, `foreign_keys` OFF (the server is
  authoritative and rows may arrive before their parents);
- the DBAPI connection runs with ``isolation_level=None`` and a "begin" event issues BEGIN
  itself, so `write()` takes the write lock up front (BEGIN IMMEDIATE) instead of failing on a
  read-to-write upgrade, and `read()` uses a plain (deferred) BEGIN — a snapshot in WAL.

A damaged file raises `CacheCorrupt`. Recovery, for the caller (the sync engine):
``rows = salvage_outbox(path)``; ``quarantine(path)``; open a fresh cache; re-enqueue ``rows``;
full resync.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from workstation.store.state import BULK_LOAD_KEYS

BUSY_TIMEOUT_MS = 10_000

CACHE_KIB = 8000
"""Page cache per pooled connection (up to 8 of them), in KiB: every cached page counts in
the desk's RSS, and with no memory map (below) the OS page cache serves the rest of the file.
List scans shrink it further while they run (store.queries)."""
MMAP_SIZE = 0
"""No memory-mapped reads: every page read through a map stays in the process's resident
set (up to the map size per connection) however rarely it is needed again. With 100k
conversations cached this removed a 420-475 MB RSS peak (desk peak ~265 MB). The bulk-load
connection runs without a map too (store.apply.BulkLoader)."""
SQLITE_HEADER = b"SQLite format 3\x00"

Check = Literal["quick", "header", "none"]


class CacheCorrupt(Exception):
    """The cache file is damaged; salvage its outbox, quarantine it, start a fresh one."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"the local cache {path} is damaged: {reason}")
        self.path = path
        self.reason = reason


class CacheIncompatible(CacheCorrupt):
    """The cache was written by a newer client (a schema revision this one does not know).
    Same recovery as a damaged file: salvage the outbox, quarantine, resync."""


def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        cur.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
    finally:
        cur.close()


def _is_alembic_command_error(exc: BaseException) -> bool:
    # Alembic is imported only when a migration runs (store.migrate): if it is not loaded,
    # the exception cannot be one of its errors, and importing it here would cost the start.
    module = sys.modules.get("alembic.util.exc")
    return module is not None and isinstance(exc, module.CommandError)


def _on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_cache_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        pool_size=4,
        max_overflow=4,
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _bulk_load_pending(conn: sqlite3.Connection) -> bool:
    """True if the file's `sync_state` marks a bulk load as under way (written without fsync:
    see `store.apply.BulkLoader`); False for a file without the table (new or very old)."""
    marks = ", ".join("?" for _ in BULK_LOAD_KEYS)
    try:
        row = conn.execute(
            f"SELECT count(*) FROM sync_state WHERE key IN ({marks}) AND value IS NOT NULL AND value <> ''",
            BULK_LOAD_KEYS,
        ).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return False
        raise
    return bool(row and row[0])


def check_file(path: Path, *, check: Check = "quick") -> None:
    """Raise `CacheCorrupt` if `path` is not a sound SQLite database. A missing or empty file
    is fine (a new cache). ``"header"`` becomes ``"quick"`` while a bulk load is pending: its
    pages were written without fsync, so after a power cut the file must be read in full."""
    if check == "none" or not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        header = f.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise CacheCorrupt(path, "file is not a database (bad header)")
    try:
        with closing(sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if check == "quick" or _bulk_load_pending(conn):
                rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
                if rows != ["ok"]:
                    raise CacheCorrupt(path, "; ".join(str(r) for r in rows))
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed" …
        raise CacheCorrupt(path, str(exc)) from exc


@dataclass(frozen=True, kw_only=True)
class CacheDatabase:
    """The client's handle on its cache: one engine, reader and writer session factories."""

    path: Path
    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]

    @classmethod
    def open(cls, path: Path, *, check: Check = "quick", migrate: bool = True) -> CacheDatabase:
        """Open (creating if needed) the cache at `path` and bring its schema to head.

        `check="quick"` runs ``PRAGMA quick_check`` (reads the whole file: O(size));
        `"header"` only opens it and reads the schema. Raises `CacheCorrupt`.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        check_file(path, check=check)
        engine = create_cache_engine(path)
        db = cls(
            path=path,
            engine=engine,
            reader=sessionmaker(bind=engine, expire_on_commit=False),
            writer=sessionmaker(
                bind=engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
            ),
        )
        if migrate:
            from workstation.store.migrate import upgrade

            try:
                upgrade(db)
            except sqlite3.DatabaseError as exc:
                engine.dispose()
                raise CacheCorrupt(path, str(exc)) from exc
            except Exception as exc:
                engine.dispose()
                if _is_alembic_command_error(exc):  # e.g. "Can't locate revision identified by …"
                    raise CacheIncompatible(path, str(exc)) from exc
                orig = getattr(exc, "orig", None)
                if isinstance(orig, sqlite3.DatabaseError) and not isinstance(
                    orig, sqlite3.OperationalError
                ):
                    raise CacheCorrupt(path, str(orig)) from exc
                raise
        return db

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE, issued on entry, so the write lock is held —
        or waited for, up to the busy timeout — before any work): committed on success, rolled
        back on error."""
        with self.writer() as session, session.begin():
            session.connection()
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot (deferred BEGIN); never blocks a writer in WAL mode."""
        with self.reader() as session, session.begin():
            yield session

    def vacuum(self) -> None:
        """VACUUM, then rebuild the full-text indexes (VACUUM may renumber implicit rowids)."""
        from workstation.store.tables import FTS_TABLES

        raw = self.engine.raw_connection()  # outside any BEGIN: VACUUM cannot run in one
        try:
            raw.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
        finally:
            raw.close()
        with self.write() as session:
            conn = session.connection()
            for fts in FTS_TABLES:
                conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES('rebuild')")

    def close(self) -> None:
        self.engine.dispose()


# --- damaged files ----------------------------------------------------------------------

_OUTBOX_COLUMNS = (
    "mutation_id",
    "name",
    "args",
    "schema_version",
    "created_at",
    "status",
    "attempts",
    "last_error",
    "rejection_code",
    "rejection_reason",
    "entity",
    "entity_id",
)


def _read_damaged(path: Path, table: str, columns: tuple[str, ...], key: str) -> list[dict[str, Any]]:
    """The rows of `table` still readable from a (possibly damaged) file, ordered by `key`.
    Works on a copy (with its -wal), so the file itself is untouched. Reads forwards and then
    backwards, so a bad page in the middle loses as little as it can."""
    if not path.exists():
        return []
    found: dict[Any, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="ws-salvage-") as tmp:
        copy = Path(tmp) / "salvage.sqlite3"
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        try:
            conn = sqlite3.connect(str(copy))
        except sqlite3.DatabaseError:
            return []
        with closing(conn):
            try:
                # Lets SQLite open a file shorter than its header says (a truncated cache):
                # it then reads the pages that are there. Harmless: this is a throwaway copy.
                conn.execute("PRAGMA writable_schema=ON")
                have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            except sqlite3.DatabaseError:
                return []
            cols = [c for c in columns if c in have]
            if key not in cols:
                return []
            sql = f"SELECT {', '.join(cols)} FROM {table} ORDER BY {key}"
            for order in ("ASC", "DESC"):
                try:
                    for row in conn.execute(f"{sql} {order}"):
                        entry = dict(zip(cols, row, strict=True))
                        found.setdefault(entry[key], entry)
                except sqlite3.DatabaseError:
                    continue
    return [found[k] for k in sorted(found)]


def salvage_outbox(path: Path) -> list[dict[str, Any]]:
    """The outbox rows that can still be read from a damaged cache file, by mutation id;
    ``args`` decoded from JSON where it can be (else left as text)."""
    rows = _read_damaged(Path(path), "outbox", _OUTBOX_COLUMNS, "mutation_id")
    for entry in rows:
        if isinstance(entry.get("args"), str):
            try:
                entry["args"] = json.loads(entry["args"])
            except ValueError:
                pass  # keep the raw text: better than losing the intent
    return rows


def salvage_state(path: Path) -> dict[str, str | None]:
    """The `sync_state` entries still readable (above all ``client_id`` and
    ``next_mutation_id``: salvaged mutations must go out under the same client id)."""
    rows = _read_damaged(Path(path), "sync_state", ("key", "value"), "key")
    return {str(r["key"]): r["value"] for r in rows}


def quarantine(path: Path, *, now: datetime | None = None) -> Path:
    """Move a damaged cache (and its -wal / -shm) aside as ``<name>.corrupt-<UTC stamp>``;
    returns the new path of the main file. Close every engine on the file first."""
    path = Path(path)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    if path.exists():
        path.replace(target)
    return target
