"""The Alembic history builds exactly the schema the models describe, on every backend."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workstation.server import changes
from workstation.server.db import Database, normalise_url
from workstation.server.migrate import upgrade
from workstation.server.tables import Base


def _assert_matches_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], f"models and migrations differ; regenerate the migration: {diff}"
    with db.read() as session:
        assert changes.current(session) == 0


def test_upgrade_from_empty_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database.connect(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(db)
    upgrade(db)  # running it again is harmless
    _assert_matches_models(db)
    db.dispose()


@pytest.mark.skipif(not os.environ.get("WORKSTATION_TEST_PG_URL"), reason="WORKSTATION_TEST_PG_URL not set")
def test_upgrade_from_empty_postgresql() -> None:
    base = normalise_url(os.environ["WORKSTATION_TEST_PG_URL"])
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"ws_mig_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db = Database.connect(make_url(base).set(database=name).render_as_string(hide_password=False))
        upgrade(db)
        _assert_matches_models(db)
        db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
