"""Alembic migrations of the cache, run programmatically at open (no alembic.ini needed).

All pending revisions run in ONE write transaction (BEGIN IMMEDIATE; SQLite DDL is
transactional), so a crash mid-upgrade leaves the previous schema — and the outbox — intact.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

if TYPE_CHECKING:
    from workstation.store.db import CacheDatabase

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine.execution_options(sqlite_begin="IMMEDIATE")), revision)


def upgrade(db: CacheDatabase, revision: str = "head") -> None:
    """Bring the cache schema to `revision` (default: the newest), unless it is there already."""
    if revision == "head" and current_revision(db.engine) == head_revision():
        return
    upgrade_engine(db.engine, revision)
