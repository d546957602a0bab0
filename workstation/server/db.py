"""Engine and session factories for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Executable


class DatabaseUrlError(ValueError):
    """A --database URL that names no supported database."""


def normalise_url(url: str) -> str:
    """Accept the short spellings people type and map them to the drivers we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise DatabaseUrlError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUrlError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///PATH or postgresql://…"
        )
    return url


def create_db_engine(url: str, *, echo: bool = False, background_checkpoints: bool = False) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            # Webhook intake and the hint hub use the database on the event loop's own thread
            # (db.write_gate, hints.py): if every connection were out with worker threads, the
            # loop would stall in the pool's wait. So there is room for all of them: FastAPI's
            # 40 worker threads, asyncio's default executor (at most 32) and the loop. A SQLite
            # connection is a file handle and a page cache; extra ones close when returned.
            max_overflow=80,
        )
        _configure_sqlite(engine, background_checkpoints=background_checkpoints)
        return engine
    return create_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


_BEGIN = {mode: f"BEGIN {mode}" for mode in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")}


def _configure_sqlite(engine: Engine, *, background_checkpoints: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves, so writers can take the lock up front (BEGIN IMMEDIATE)
        # instead of failing on a read-to-write upgrade under contention.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if background_checkpoints:
            # A commit that also checkpoints the WAL costs about three times one that does not;
            # the serving process checkpoints from a background task instead (Database.checkpoint).
            cur.execute("PRAGMA wal_autocheckpoint=0")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        # Straight on the driver's connection: through exec_driver_sql this one statement cost
        # about as much as a webhook's INSERT (an execution context, a result, events).
        conn.connection.driver_connection.execute(_BEGIN[mode])


class _DriverStatement:
    """A Core statement compiled once for SQLite: its SQL and, per positional bind, its name, the
    bind processor of its type (None where the driver takes the value as it is) and the value
    the statement itself carries (used when the parameters do not name it)."""

    __slots__ = ("binds", "sql")

    def __init__(self, sql: str, binds: list[tuple[str, Callable[[Any], Any] | None, Any]]) -> None:
        self.sql = sql
        self.binds = binds

    def arguments(self, params: dict[str, Any]) -> list[Any]:
        args = []
        for name, process, own in self.binds:
            value = params.get(name, own)
            args.append(value if process is None else process(value))
        return args


# (statement, its parameter names) -> compiled form, or None where the statement needs what only
# SQLAlchemy's execution does (Python-side column defaults, expanding IN lists). Meant for
# prebuilt module-level statements; bounded in case a caller builds them per call.
_DRIVER_STATEMENTS: dict[tuple[Executable, tuple[str, ...]], _DriverStatement | None] = {}
_DRIVER_STATEMENTS_MAX = 512


def _driver_statement(conn: Connection, stmt: Executable, keys: tuple[str, ...]) -> _DriverStatement | None:
    cached = _DRIVER_STATEMENTS.get((stmt, keys), False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    dialect = conn.dialect
    compiled: Any = stmt.compile(dialect=dialect, column_keys=list(keys))  # type: ignore[attr-defined]
    prepared: _DriverStatement | None = None
    named = [(name, compiled.binds[name]) for name in compiled.positiontup or ()]
    if (
        compiled.positional
        and not (compiled.insert_prefetch or compiled.update_prefetch)
        and not (compiled.post_compile_params or compiled.literal_execute_params)
        and not compiled.escaped_bind_names  # bind names that differ from the parameter keys
        and all(name in keys or (param.callable is None and not param.required) for name, param in named)
    ):
        binds = [
            (name, param.type.dialect_impl(dialect).bind_processor(dialect), param.value) for name, param in named
        ]
        prepared = _DriverStatement(compiled.string, binds)
    if len(_DRIVER_STATEMENTS) >= _DRIVER_STATEMENTS_MAX:
        _DRIVER_STATEMENTS.clear()
    _DRIVER_STATEMENTS[(stmt, keys)] = prepared
    return prepared


def run_driver_sql(conn: Connection, stmt: Executable, params: dict[str, Any]) -> tuple[Any, ...] | None:
    """Execute a prebuilt Core statement (an INSERT, an UPDATE, a RETURNING of plain values) in
    `conn`'s transaction; return the first row it returns, if any.

    On SQLite it goes straight to the driver's cursor with the statement compiled once and the
    columns' own bind processors, so values are stored exactly as `conn.execute` stores them, and
    driver errors come out wrapped as SQLAlchemy's (IntegrityError …) all the same. Per statement
    that is about a third of what `conn.execute` costs (no execution context, result object or
    events), which is a fifth of a webhook's CPU over its few writes. Result rows are the
    driver's, without result processing: use it for statements whose returned values are plain.
    Elsewhere, and for statements that need SQLAlchemy's execution (Python-side defaults), it
    is `conn.execute`.
    """
    prepared = _driver_statement(conn, stmt, tuple(params)) if conn.dialect.name == "sqlite" else None
    if prepared is None:
        result = conn.execute(stmt, params)  # type: ignore[call-overload]
        row = result.first() if result.returns_rows else None
        return None if row is None else tuple(row)
    args = prepared.arguments(params)
    dbapi = conn.dialect.loaded_dbapi
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(prepared.sql, args)
        found = cursor.fetchone() if cursor.description else None
    except dbapi.Error as exc:
        raise DBAPIError.instance(prepared.sql, args, exc, dbapi.Error, dialect=conn.dialect, ismulti=False) from exc
    finally:
        cursor.close()
    return None if found is None else tuple(found)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@dataclass(frozen=True, kw_only=True)
class Database:
    """The server's handle on its database: one engine, a reader and a writer session factory."""

    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]
    background_checkpoints: bool = False
    # SQLite has one writer at a time, and a writer that finds the lock taken sleeps in steps of
    # up to 100 ms (busy_timeout) before it looks again. Queueing this process's writers on a
    # lock instead hands the database over the moment it is free (under webhook load: a p95 of a
    # few milliseconds instead of seconds), and lets a caller on the event loop see whether a
    # write can start at once (`write_gate.acquire(blocking=False)`). Reentrant, so a nested
    # write() behaves as it would without the gate. Unused on PostgreSQL.
    write_gate: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)

    @classmethod
    def connect(cls, url: str, *, echo: bool = False, background_checkpoints: bool = False) -> Database:
        """`background_checkpoints` (SQLite only): commits never checkpoint the WAL; the owner
        must call `checkpoint()` regularly, as the API server's lifespan does."""
        engine = create_db_engine(url, echo=echo, background_checkpoints=background_checkpoints)
        write_bind = engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(engine) else engine
        return cls(
            engine=engine,
            background_checkpoints=background_checkpoints and is_sqlite(engine),
            reader=sessionmaker(bind=engine, expire_on_commit=False),
            writer=sessionmaker(bind=write_bind, expire_on_commit=False),
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def serial_writes(self) -> bool:
        """Whether write() queues on `write_gate` (SQLite)."""
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with self.write_gate if self.serial_writes else nullcontext(), self.writer() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.reader() as session:
            yield session

    def checkpoint(self) -> tuple[int, int, int] | None:
        """Copy the SQLite WAL back into the database file without blocking readers or writers
        (PASSIVE). Returns (busy, wal frames, frames checkpointed); None on other databases."""
        if not is_sqlite(self.engine):
            return None
        with self.engine.connect() as conn:
            row = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
            return int(row[0]), int(row[1]), int(row[2])

    def dispose(self) -> None:
        self.engine.dispose()
