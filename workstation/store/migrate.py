"""Alembic migrations of the cache, run programmatically at open (no alembic.ini needed).

All pending revisions run in ONE write transaction (BEGIN IMMEDIATE; SQLite DDL is
transactional), so a crash mid-upgrade leaves the previous schema — and the outbox — intact.

Alembic is imported only when the cache actually needs migrating: importing it costs a good
part of the desk's start, and almost every start finds the cache at `HEAD_REVISION` already
(read from ``alembic_version`` with plain SQL).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

    from workstation.store.db import CacheDatabase

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

HEAD_REVISION: Final = "0002"
"""The newest revision in `MIGRATIONS` (a test checks it against Alembic's head): bump it with
every new revision, or every start imports Alembic and runs the (no-op) upgrade."""


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The head as Alembic reads it from the scripts (imports Alembic; tests and tools)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the cache (None for a new file), read without Alembic."""
    with engine.connect() as conn:
        try:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
        except OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
    # More than one row would be a branched history, which this cache never has: let
    # Alembic sort it out.
    return str(rows[0]) if len(rows) == 1 else None


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine.execution_options(sqlite_begin="IMMEDIATE")), revision)


def upgrade(db: CacheDatabase, revision: str = "head") -> None:
    """Bring the cache schema to `revision` (default: the newest), unless it is there already."""
    if revision == "head" and current_revision(db.engine) == HEAD_REVISION:
        return
    upgrade_engine(db.engine, revision)
