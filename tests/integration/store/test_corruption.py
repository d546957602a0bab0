"""A damaged cache is detected on open; its outbox is salvaged; the file is put aside."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.unit.store.factories import change, message
from workstation.store import outbox, state
from workstation.store.apply import apply_pull_page
from workstation.store.db import (
    CacheCorrupt,
    CacheDatabase,
    quarantine,
    salvage_outbox,
    salvage_state,
)


def _cache_with_outbox_and_bulk(path: Path) -> list[outbox.OutboxEntry]:
    db = CacheDatabase.open(path)
    with db.write() as s:
        state.ensure_client_id(s)
        for n in range(5):
            outbox.enqueue(s, "send_reply", {"body": f"回复{n}"}, entity="conversations", entity_id="c1")
    outbox.mark_rejected(db, 3, "closed", "会话已关闭")
    # Enough rows after the outbox that the tail of the file holds only messages.
    body = "这是一条很长的消息，用来填满数据库文件的后半部分。" * 10
    apply_pull_page(db, [change("messages", message(f"m{i}", "c1", f"{body}{i}")) for i in range(3000)], "cur", last_applied_mutation_id=0)
    entries = outbox.entries(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return entries


def test_garbage_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(CacheCorrupt) as info:
        CacheDatabase.open(path)
    assert info.value.path == path and "not a database" in info.value.reason
    assert salvage_outbox(path) == []
    assert salvage_state(path) == {}


def test_a_file_cut_short_inside_the_header(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    CacheDatabase.open(path).close()
    data = path.read_bytes()
    path.write_bytes(data[:50])
    with pytest.raises(CacheCorrupt):
        CacheDatabase.open(path)


def test_truncated_cache_is_detected_salvaged_and_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    entries = _cache_with_outbox_and_bulk(path)
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(size // 2)
    with pytest.raises(CacheCorrupt) as info:
        CacheDatabase.open(path)
    assert info.value.reason

    rows = salvage_outbox(path)
    assert [r["mutation_id"] for r in rows] == [e.mutation_id for e in entries] == [1, 2, 3, 4, 5]
    assert rows[2]["status"] == "rejected" and rows[2]["rejection_reason"] == "会话已关闭"
    assert rows[0]["args"] == {"body": "回复0"}
    saved_state = salvage_state(path)
    assert saved_state["next_mutation_id"] == "6" and saved_state["client_id"]

    Path(str(path) + "-shm").write_bytes(b"")  # a stale side file goes along
    moved = quarantine(path, now=datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC))
    assert moved.name == "cache.sqlite3.corrupt-20261102T030405Z"
    assert moved.exists() and not path.exists()
    assert Path(str(moved) + "-shm").exists() and not Path(str(path) + "-shm").exists()
    assert quarantine(path, now=datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC)).name.endswith("-1")

    fresh = CacheDatabase.open(path)
    outbox.restore(fresh, rows, saved_state)
    assert [e.mutation_id for e in outbox.entries(fresh)] == [1, 2, 3, 4, 5]
    assert outbox.get(fresh, 3).status == "rejected"  # type: ignore[union-attr]
    with fresh.write() as s:
        assert state.get(s, state.CLIENT_ID) == saved_state["client_id"]
        assert state.get(s, state.CURSOR) is None
        assert outbox.enqueue(s, "note", {}) == 6
    fresh.close()


def test_a_damaged_page_in_the_middle_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    _cache_with_outbox_and_bulk(path)
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek((size // 4096 // 2) * 4096)
        f.write(os.urandom(4096 * 4))
    with pytest.raises(CacheCorrupt):
        CacheDatabase.open(path)
    assert [r["mutation_id"] for r in salvage_outbox(path)] == [1, 2, 3, 4, 5]


def test_header_check_only_is_cheaper_but_still_catches_garbage(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    with pytest.raises(CacheCorrupt):
        CacheDatabase.open(path, check="header")


def _damage_the_tail(path: Path) -> None:
    """Garbage over one page near the end of the file (message rows), header left intact."""
    size = path.stat().st_size
    page = 4096
    with path.open("r+b") as f:
        f.seek((size // page - 3) * page)
        f.write(os.urandom(page))


def _bulk_cache(path: Path, *, finished: bool) -> None:
    from workstation.store.apply import BulkLoader, begin_bulk_load

    db = CacheDatabase.open(path)
    with db.write() as s:
        begin_bulk_load(s)
    body = "这是一条很长的消息，用来填满数据库文件的后半部分。" * 10
    with BulkLoader(db) as loader:
        loader.apply_page([change("messages", message(f"m{i}", "c1", f"{body}{i}")) for i in range(3000)],
                          "cur", last_applied_mutation_id=0)
        if finished:
            loader.finish()
            assert loader._conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL again
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def test_a_damaged_file_mid_bulk_load_is_caught_even_by_a_header_check(tmp_path: Path) -> None:
    from workstation.store.db import check_file

    pending, done = tmp_path / "pending.sqlite3", tmp_path / "done.sqlite3"
    _bulk_cache(pending, finished=False)
    _bulk_cache(done, finished=True)
    for path in (pending, done):
        _damage_the_tail(path)
        with pytest.raises(CacheCorrupt):
            check_file(path, check="quick")
    # A finished load is trusted like any other file by a header check (the caller's choice);
    # a pending one was written without fsync, so it is read in full whatever was asked.
    check_file(done, check="header")
    with pytest.raises(CacheCorrupt):
        check_file(pending, check="header")
    with pytest.raises(CacheCorrupt):
        CacheDatabase.open(pending, check="header")
