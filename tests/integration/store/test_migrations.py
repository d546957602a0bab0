"""The cache's Alembic history builds exactly the tables the metadata describes, and an
upgrade keeps the outbox."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from workstation.store import outbox
from workstation.store.db import CacheDatabase, create_cache_engine
from workstation.store.migrate import MIGRATIONS, alembic_config, current_revision, head_revision
from workstation.store.tables import FTS_TABLES, metadata, outside_metadata


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and outside_metadata(name))


def test_migrated_schema_matches_the_metadata(tmp_path: Path) -> None:
    db = CacheDatabase.open(tmp_path / "fresh.sqlite3")
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _include_name})
        diff = compare_metadata(ctx, metadata)
    assert diff == [], f"metadata and migrations differ; add a revision: {diff}"
    with db.read() as s:
        names = set(s.execute(text("SELECT name FROM sqlite_master")).scalars())
    assert set(FTS_TABLES) <= names
    assert {f"{fts}_{op}" for fts in FTS_TABLES for op in ("ai", "ad", "au")} <= names
    db.close()


def test_downgrade_to_nothing_and_back(tmp_path: Path) -> None:
    db = CacheDatabase.open(tmp_path / "c.sqlite3")
    cfg = alembic_config(db.engine)
    command.downgrade(cfg, "base")
    with db.engine.connect() as conn:
        left = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars())
    assert left <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert current_revision(db.engine) == head_revision()
    db.close()


def _enqueue_some(db: CacheDatabase) -> None:
    with db.write() as s:
        for n in range(3):
            outbox.enqueue(s, "send_reply", {"body": f"第{n}条"}, entity="conversations", entity_id="c1")
    outbox.mark_rejected(db, 2, "gone", "conversation closed")


def test_upgrading_from_the_initial_revision_keeps_the_outbox(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    engine = create_cache_engine(path)
    command.upgrade(alembic_config(engine.execution_options(sqlite_begin="IMMEDIATE")), "0001")
    engine.dispose()
    db = CacheDatabase.open(path, migrate=False)
    _enqueue_some(db)
    before = outbox.entries(db)
    db.close()
    db = CacheDatabase.open(path)  # upgrades to head
    assert current_revision(db.engine) == head_revision()
    assert outbox.entries(db) == before
    db.close()


def test_a_revision_that_rebuilds_the_outbox_table_keeps_its_rows(tmp_path: Path) -> None:
    """A later batch migration recreates tables on SQLite (copy, drop, rename): prove the rows
    survive it, with a throwaway revision 9999 in a copy of the scripts."""
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_probe.py").write_text(
        f'''"""probe"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head_revision()}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", recreate="always") as batch:
        batch.add_column(sa.Column("probe", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("probe")
''',
        encoding="utf-8",
    )
    path = tmp_path / "c.sqlite3"
    db = CacheDatabase.open(path)
    _enqueue_some(db)
    with db.engine.connect() as conn:
        before = [tuple(r) for r in conn.execute(text("SELECT * FROM outbox ORDER BY mutation_id"))]
    cfg = alembic_config(db.engine.execution_options(sqlite_begin="IMMEDIATE"))
    cfg.set_main_option("script_location", str(scripts))
    command.upgrade(cfg, "head")
    with db.engine.connect() as conn:
        after = [tuple(r)[:-1] for r in conn.execute(text("SELECT * FROM outbox ORDER BY mutation_id"))]
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    assert after == before and len(after) == 3
    db.close()


def test_a_cache_from_a_newer_client_is_reported_incompatible(tmp_path: Path) -> None:
    import pytest

    from workstation.store.db import CacheCorrupt, CacheIncompatible

    path = tmp_path / "c.sqlite3"
    db = CacheDatabase.open(path)
    with db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    db.close()
    with pytest.raises(CacheIncompatible) as info:
        CacheDatabase.open(path)
    assert isinstance(info.value, CacheCorrupt)
