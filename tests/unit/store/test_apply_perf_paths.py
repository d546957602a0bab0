"""The fast paths of `store.apply`: deferred full-text indexing for big initial loads, plain
dict changes, the wire-JSON encoder and the memory-map switch; `store.search` while the
index is deferred."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from workstation.store import state
from workstation.store.apply import (
    INDEXES_DEFERRED,
    SEARCH_INDEX_DEFERRED,
    BulkLoader,
    _unmapped,
    _wire_dumps,
    apply_changes,
    apply_pull_page,
    begin_bulk_load,
    bulk_load_pending,
    defer_search_index,
    dumps,
    finish_bulk_load,
    indexes_deferred,
    search_index_deferred,
)
from workstation.store.db import CACHE_KIB, MMAP_SIZE, CacheDatabase
from workstation.store.search import search
from workstation.sync.protocol import Change


def _message(i: int, body: str, conv: str = "c1") -> dict[str, Any]:
    return {
        "entity": "messages",
        "id": f"m{i}",
        "seq": i,
        "data": {
            "id": f"m{i}", "conversation_id": conv, "direction": "inbound", "channel": "chat",
            "body": body, "subject": None, "attachments": [], "sent_at": f"2026-01-01T00:00:{i % 60:02d}Z",
        },
    }


def _triggers(db: CacheDatabase) -> list[tuple[str, str]]:
    with db.read() as s:
        return [(r[0], r[1]) for r in s.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"))]


def _fts_count(db: CacheDatabase, term: str) -> int:
    with db.read() as s:
        return int(s.execute(text("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH :q"), {"q": term}).scalar() or 0)


def test_deferred_index_is_rebuilt_once_and_triggers_come_back(db: CacheDatabase) -> None:
    before = _triggers(db)
    assert any("messages_fts" in sql for _name, sql in before)
    with db.write() as s:
        assert defer_search_index(s) is True
        assert defer_search_index(s) is False  # already deferred
    during = _triggers(db)
    assert not any("_fts" in sql for _name, sql in during)
    assert [t for t in during if "conversation_tags" in t[1]]  # other triggers untouched
    apply_pull_page(db, [_message(1, "洗衣机漏水怎么办"), _message(2, "refund please")], "v1:2", last_applied_mutation_id=0)
    assert _fts_count(db, "洗衣机漏水") == 0  # not indexed row by row
    with db.read() as s:
        assert search_index_deferred(s)
    # Search still answers, by scanning, and says the index is being built.
    result = search(db, "洗衣机漏水")
    assert result.indexing and result.mode == "fallback"
    assert [h.id for h in result.hits if h.kind == "message"] == ["m1"]

    assert finish_bulk_load(db) > 0
    assert _triggers(db) == before
    assert _fts_count(db, "洗衣机漏水") == 1 and _fts_count(db, "refund") == 1
    with db.read() as s:
        assert not search_index_deferred(s)
        assert state.get(s, SEARCH_INDEX_DEFERRED) is None
    result = search(db, "洗衣机漏水")
    assert not result.indexing and result.mode == "fts" and [h.id for h in result.hits] == ["m1"]
    # Triggers are back: later writes are indexed at once, updates replace the old text.
    apply_pull_page(db, [_message(3, "电池鼓包了"), {**_message(1, "已经修好了"), "seq": 4}], "v1:4", last_applied_mutation_id=0)
    assert _fts_count(db, "电池鼓包") == 1
    assert _fts_count(db, "洗衣机漏水") == 0 and _fts_count(db, "已经修好") == 1
    with db.read() as s:
        s.execute(text("INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')"))
    assert finish_bulk_load(db) == 0.0  # nothing deferred: no-op


def test_defer_with_clear_empties_the_index(db: CacheDatabase) -> None:
    apply_pull_page(db, [_message(1, "洗衣机漏水怎么办")], "v1:1", last_applied_mutation_id=0)
    assert _fts_count(db, "洗衣机漏水") == 1
    with db.write() as s:
        defer_search_index(s, clear=True)
        s.execute(text("DELETE FROM messages"))
    assert _fts_count(db, "洗衣机漏水") == 0
    finish_bulk_load(db)
    with db.read() as s:
        s.execute(text("INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')"))
    assert _fts_count(db, "洗衣机漏水") == 0


def test_a_crash_while_deferred_is_finished_by_the_next_rebuild(cache_path: Any) -> None:
    db = CacheDatabase.open(cache_path)
    before = _triggers(db)
    with db.write() as s:
        defer_search_index(s)
    apply_pull_page(db, [_message(1, "屏幕有坏点")], "v1:1", last_applied_mutation_id=0)
    db.close()  # "crash": the process goes away while deferred
    db = CacheDatabase.open(cache_path)
    try:
        with db.read() as s:
            assert search_index_deferred(s)
        finish_bulk_load(db)
        assert _triggers(db) == before and _fts_count(db, "屏幕有坏点") == 1
    finally:
        db.close()


def test_dict_and_model_changes_store_the_same_rows(db: CacheDatabase, tmp_path: Any) -> None:
    other = CacheDatabase.open(tmp_path / "other.sqlite3")
    try:
        dicts = [_message(1, "a"), _message(2, "b"), {**_message(1, "a2"), "seq": 3},
                 {"entity": "conversations", "id": "c1", "seq": 4, "data": {"id": "c1", "tags": ["vip"], "unread": 2}},
                 {"entity": "future_things", "id": "f1", "seq": 5, "data": {"x": 1}}]
        models = [Change(**d) for d in dicts]
        with db.write() as s:
            a = apply_changes(s, dicts)
        with other.write() as s:
            b = apply_changes(s, models)
        assert a == b
        assert a.received == {"messages": 3, "conversations": 1, "future_things": 1}
        for d in (db, other):
            with d.read() as s:
                rows = s.execute(text("SELECT id, seq, body FROM messages ORDER BY id")).all()
                assert [tuple(r) for r in rows] == [("m1", 3, "a2"), ("m2", 2, "b")]
        with db.read() as s1, other.read() as s2:
            q = text("SELECT id, seq, data FROM messages ORDER BY id")
            assert [tuple(r) for r in s1.execute(q)] == [tuple(r) for r in s2.execute(q)]
    finally:
        other.close()


def test_wire_dumps_matches_dumps_for_wire_data() -> None:
    data = {"id": "m1", "body": "您好 \"quoted\" \\ back\nline\ttab \u2028 /slash", "n": 3, "ok": True,
            "none": None, "tags": ["a", "中文"], "nested": {"k": [1, {"x": "y"}]}, "amount": "12.50"}
    assert _wire_dumps(data) == dumps(data)
    assert json.loads(_wire_dumps({"f": 1e-07})) == {"f": 1e-07}
    assert _wire_dumps([1, 2]) == dumps([1, 2])
    assert json.loads(_wire_dumps({1: "non-str key"})) == json.loads(dumps({1: "non-str key"}))


def test_unmapped_restores_the_connections_mmap_size(db: CacheDatabase) -> None:
    with db.write() as s:
        conn = s.connection()
        before = conn.exec_driver_sql("PRAGMA mmap_size").scalar()
        with _unmapped(s):
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == 0
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == before
        with _unmapped(s, active=False):
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == before


# --- bulk loads: b-tree indexes deferred and built once -------------------------------------


def _schema(db: CacheDatabase) -> list[tuple[str, str, str]]:
    with db.read() as s:
        rows = s.execute(text("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"))
        return [(str(t), str(n), str(q)) for t, n, q in rows]


def _indexes(db: CacheDatabase) -> set[str]:
    return {name for kind, name, _sql in _schema(db) if kind == "index"}


def _plan(db: CacheDatabase, sql: str) -> str:
    with db.read() as s:
        return " ".join(str(r[-1]) for r in s.execute(text("EXPLAIN QUERY PLAN " + sql)))


def test_bulk_load_defers_the_btree_indexes_and_builds_them_back(db: CacheDatabase) -> None:
    before = _schema(db)
    assert "ix_messages_conversation_id_sent_at" in _indexes(db)
    with db.write() as s:
        assert begin_bulk_load(s) is True
        assert begin_bulk_load(s) is False  # already deferred
        assert bulk_load_pending(s) and indexes_deferred(s) and search_index_deferred(s)
    during = _indexes(db)
    assert not {i for i in during if i.startswith(("ix_messages", "ix_conversations", "ix_conversation_tags"))}
    assert {"ix_outbox_status", "ix_outbox_entity_id"} <= during  # not a synced table: untouched
    with BulkLoader(db) as loader:
        page = loader.apply_page(
            [_message(1, "洗衣机漏水怎么办"), _message(2, "refund please", conv="c2"),
             {"entity": "conversations", "id": "c1", "seq": 3, "data": {"id": "c1", "tags": ["vip"], "status": "open"}}],
            "v1:3", last_applied_mutation_id=5,
        )
        assert page.counts.applied == {"messages": 2, "conversations": 1}
        # The rows are there (and conversation_tags, whose trigger stays), without their indexes.
        assert "ix_messages_conversation_id_sent_at" not in _plan(db, "SELECT id FROM messages WHERE conversation_id = 'c1'")
        assert loader.finish() > 0
    assert _schema(db) == before  # every index, trigger and FTS table as it was
    assert "ix_messages_conversation_id_sent_at" in _plan(db, "SELECT id FROM messages WHERE conversation_id = 'c1' ORDER BY sent_at")
    with db.read() as s:
        assert not bulk_load_pending(s)
        assert state.get(s, INDEXES_DEFERRED) is None and state.get(s, SEARCH_INDEX_DEFERRED) is None
        assert state.get(s, state.CURSOR) == "v1:3" and state.get_int(s, state.SERVER_LAST_APPLIED) == 5
        assert s.execute(text("SELECT tag FROM conversation_tags WHERE conversation_id = 'c1'")).scalars().all() == ["vip"]
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        s.execute(text("INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')"))
    assert _fts_count(db, "洗衣机漏水") == 1
    assert finish_bulk_load(db) == 0.0  # nothing deferred: no-op


def test_bulk_loader_page_and_cursor_commit_together(db: CacheDatabase) -> None:
    with db.write() as s:
        begin_bulk_load(s)
    with BulkLoader(db) as loader:
        loader.apply_page([_message(1, "a")], "v1:1", last_applied_mutation_id=0)
        bad = {"entity": "messages", "id": "m2", "seq": 2, "data": {"id": "m2", "sent_at": "not a time"}}
        with pytest.raises(ValueError):
            loader.apply_page([_message(3, "b"), bad], "v1:3", last_applied_mutation_id=0)
    with db.read() as s:
        assert state.get(s, state.CURSOR) == "v1:1"
        assert s.execute(text("SELECT id FROM messages")).scalars().all() == ["m1"]


def test_bulk_loader_settings_do_not_leak_into_the_pool(db: CacheDatabase) -> None:
    with BulkLoader(db) as loader:
        conn = loader._conn
        assert conn.execute("PRAGMA synchronous").fetchone() == (0,)  # OFF
        assert conn.execute("PRAGMA mmap_size").fetchone() == (0,)
    for _ in range(6):  # every pooled connection, old or new, has the normal settings
        with db.write() as s:
            c = s.connection()
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert c.exec_driver_sql("PRAGMA mmap_size").scalar() == MMAP_SIZE
            assert c.exec_driver_sql("PRAGMA cache_size").scalar() == -CACHE_KIB


def test_a_crash_mid_bulk_load_is_detected_and_finished_on_the_next_start(cache_path: Any) -> None:
    db = CacheDatabase.open(cache_path)
    before = _schema(db)
    with db.write() as s:
        begin_bulk_load(s)
    loader = BulkLoader(db)
    loader.apply_page([_message(1, "屏幕有坏点")], "v1:1", last_applied_mutation_id=0)
    db.engine.dispose()  # "crash": the process goes away mid-load, the loader never closed
    db = CacheDatabase.open(cache_path)
    try:
        with db.read() as s:
            assert bulk_load_pending(s) and state.get(s, state.CURSOR) == "v1:1"
        assert finish_bulk_load(db) > 0
        assert _schema(db) == before and _fts_count(db, "屏幕有坏点") == 1
    finally:
        db.close()
