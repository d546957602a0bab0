"""Engine and session factories for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


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
            max_overflow=8,
        )
        _configure_sqlite(engine, background_checkpoints=background_checkpoints)
        return engine
    return create_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


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
        conn.exec_driver_sql(f"BEGIN {mode}")


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
