"""The cache's Alembic history builds exactly the tables the metadata describes, and an
upgrade keeps the outbox."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from workstation.store import outbox
from workstation.store.apply import BulkLoader, begin_bulk_load, bulk_load_pending, finish_bulk_load
from workstation.store.db import CacheDatabase, create_cache_engine
from workstation.store.migrate import (
    HEAD_REVISION,
    MIGRATIONS,
    alembic_config,
    current_revision,
    head_revision,
)
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


# --- 0002: the inbox index covers id; Alembic imported only when a migration is due ---------


def test_head_revision_constant_is_the_scripts_head() -> None:
    assert HEAD_REVISION == head_revision(), "bump store.migrate.HEAD_REVISION with the new revision"


def _schema(path: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(str(path))) as conn:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"
        ).fetchall()
    return [(str(t), str(n), str(q)) for t, n, q in rows]


def _at_0001(path: Path) -> None:
    engine = create_cache_engine(path)
    command.upgrade(alembic_config(engine.execution_options(sqlite_begin="IMMEDIATE")), "0001")
    engine.dispose()


def test_upgrading_from_0001_swaps_the_inbox_index(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    CacheDatabase.open(fresh).close()
    path = tmp_path / "old.sqlite3"
    _at_0001(path)
    names = {n for _t, n, _q in _schema(path)}
    assert "ix_conversations_status_sla_due_at" in names
    assert "ix_conversations_status_sla_due_at_id" not in names
    CacheDatabase.open(path).close()
    assert _schema(path) == _schema(fresh)


def test_a_bulk_load_cut_short_under_0001_ends_with_the_new_index(tmp_path: Path) -> None:
    """0001 client: bulk load starts (old index dropped, its SQL saved), process dies. New
    client: upgrade, resume, finish — the schema must be a fresh cache's, old index gone."""
    fresh = tmp_path / "fresh.sqlite3"
    CacheDatabase.open(fresh).close()
    path = tmp_path / "old.sqlite3"
    _at_0001(path)
    db = CacheDatabase.open(path, migrate=False)
    _enqueue_some(db)
    outbox_before = outbox.entries(db)
    with db.write() as s:
        assert begin_bulk_load(s) is True
    loader = BulkLoader(db)
    conv = {"id": "c1", "status": "open", "resolution_due_at": "2026-01-02T00:00:00Z"}
    loader.apply_page([{"entity": "conversations", "id": "c1", "seq": 1, "data": conv}], "v1:1", last_applied_mutation_id=0)
    db.engine.dispose()  # "crash" mid-load, under the old schema

    db = CacheDatabase.open(path)  # upgrades to head while the load is pending
    try:
        assert current_revision(db.engine) == head_revision()
        with db.read() as s:
            assert bulk_load_pending(s)
            names = set(s.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())
        # Still deferred: neither index is maintained row by row during the rest of the load.
        assert not names & {"ix_conversations_status_sla_due_at", "ix_conversations_status_sla_due_at_id"}
        assert finish_bulk_load(db) > 0
        assert outbox.entries(db) == outbox_before
        with db.read() as s:
            plan = " ".join(
                str(r[-1])
                for r in s.execute(text("EXPLAIN QUERY PLAN SELECT id FROM conversations WHERE status = 'open' ORDER BY sla_due_at"))
            )
        assert "COVERING INDEX ix_conversations_status_sla_due_at_id" in plan
    finally:
        db.close()
    assert _schema(path) == _schema(fresh)


def test_an_up_to_date_cache_opens_without_importing_alembic(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    CacheDatabase.open(path).close()
    probe = (
        "import sys; from pathlib import Path; from workstation.store.db import CacheDatabase; "
        f"CacheDatabase.open(Path({str(path)!r})).close(); "
        "print(sorted(m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    # A cache that does need migrating still gets it (and so imports Alembic).
    old = tmp_path / "old.sqlite3"
    _at_0001(old)
    probe_old = probe.replace(repr(str(path)), repr(str(old)))
    out = subprocess.run([sys.executable, "-c", probe_old], capture_output=True, text=True, check=True)
    assert out.stdout.strip() != "[]"
    assert _schema(old) == _schema(path)
