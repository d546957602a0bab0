"""Alembic migrations, run programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from workstation.server.changes import ensure_counters
from workstation.server.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision and make sure the bookkeeping rows exist."""
    command.upgrade(alembic_config(db.engine), "head")
    with db.write() as session:
        ensure_counters(session)
