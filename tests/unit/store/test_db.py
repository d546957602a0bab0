"""CacheDatabase: pragmas, transactions that begin immediate, reopen, time text."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from workstation.store import state
from workstation.store.db import CacheDatabase
from workstation.store.migrate import current_revision, head_revision
from workstation.store.timefmt import from_ts, norm_ts, to_ts


def test_open_creates_a_migrated_wal_file(db: CacheDatabase, cache_path: Path) -> None:
    assert cache_path.exists()
    with db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 0
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    assert current_revision(db.engine) == head_revision()


def test_reopen_is_harmless_and_keeps_data(cache_path: Path) -> None:
    db = CacheDatabase.open(cache_path)
    with db.write() as s:
        state.put(s, state.CURSOR, "abc")
    db.close()
    db = CacheDatabase.open(cache_path)
    with db.read() as s:
        assert state.get(s, state.CURSOR) == "abc"
    db.close()


def test_write_takes_the_write_lock_up_front(db: CacheDatabase, cache_path: Path) -> None:
    other = sqlite3.connect(str(cache_path), timeout=0.05, isolation_level=None)
    try:
        with db.write():
            # Nothing written yet, but BEGIN IMMEDIATE already holds the RESERVED lock.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            # Readers are not blocked (WAL).
            assert other.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_read_does_not_take_the_write_lock(db: CacheDatabase, cache_path: Path) -> None:
    other = sqlite3.connect(str(cache_path), timeout=0.05, isolation_level=None)
    try:
        with db.read() as s:
            s.execute(text("SELECT count(*) FROM outbox")).scalar()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_write_rolls_back_on_error(db: CacheDatabase) -> None:
    with pytest.raises(RuntimeError), db.write() as s:
        state.put(s, state.CURSOR, "lost")
        raise RuntimeError("boom")
    with db.read() as s:
        assert state.get(s, state.CURSOR) is None


def test_client_id_is_made_once(db: CacheDatabase) -> None:
    with db.write() as s:
        first = state.ensure_client_id(s)
    with db.write() as s:
        assert state.ensure_client_id(s) == first
    assert len(first) == 36


def test_vacuum_keeps_search_working(db: CacheDatabase) -> None:
    from workstation.store.apply import apply_pull_page
    from workstation.store.search import search

    from .factories import change, message

    apply_pull_page(db, [change("messages", message(f"m{i}", "c1", f"第{i}条 退货申请")) for i in range(20)], "c", last_applied_mutation_id=0)
    apply_pull_page(db, [{"entity": "messages", "id": f"m{i}", "seq": 10**9, "data": None} for i in range(0, 20, 2)], "c2", last_applied_mutation_id=0)
    db.vacuum()
    hits = search(db, "退货申请", limit=100).hits
    assert sorted(h.id for h in hits) == sorted(f"m{i}" for i in range(1, 20, 2))


@pytest.mark.parametrize(
    ("wire", "stored"),
    [
        ("2026-11-02T02:00:00Z", "2026-11-02T02:00:00.000000Z"),
        ("2026-11-02T02:00:00.5Z", "2026-11-02T02:00:00.500000Z"),
        ("2026-11-02T02:00:00.123456Z", "2026-11-02T02:00:00.123456Z"),
        ("2026-11-02T10:00:00+08:00", "2026-11-02T02:00:00.000000Z"),
        (None, None),
    ],
)
def test_times_are_stored_as_fixed_width_utc_text(wire: str | None, stored: str | None) -> None:
    assert norm_ts(wire) == stored


def test_stored_time_text_sorts_as_time() -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    times = [base + timedelta(microseconds=n) for n in (0, 1, 500_000, 1_000_000)]
    assert sorted(to_ts(t) for t in reversed(times)) == [to_ts(t) for t in times]
    assert from_ts(to_ts(times[2])) == times[2]
    assert to_ts(datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))) == to_ts(base)
    with pytest.raises(ValueError):
        to_ts(datetime(2026, 1, 1))
