"""apply_pull_page: idempotent, seq-ordered, atomic with its cursor, tolerant of new entities."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from workstation.store import state
from workstation.store.apply import apply_pull_page, get_row, save_local, stored_seq
from workstation.store.db import CacheDatabase
from workstation.store.search import search
from workstation.store.tables import metadata

from .factories import change, conversation, customer, message, order


def snapshot(db: CacheDatabase) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the metadata knows, plus the FTS row counts."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as s:
        for table in metadata.sorted_tables:
            if table.name == "sync_state":
                rows = s.execute(text("SELECT key, value FROM sync_state WHERE key != 'last_sync_at' ORDER BY key"))
            else:
                rows = s.execute(table.select().order_by(*table.primary_key.columns))
            out[table.name] = [tuple(r) for r in rows]
        for fts in ("messages_fts", "customers_fts"):
            out[fts] = [(s.execute(text(f"SELECT count(*) FROM {fts}")).scalar(),)]
    return out


def page() -> list[dict[str, Any]]:
    return [
        change("customers", customer("k1", "王芳")),
        change("orders", order("o1", "k1", "JD001", amount="1299.50")),
        change("conversations", conversation("c1", tags=["vip", "退货"], priority="urgent")),
        change("messages", message("m1", "c1", "洗衣机漏水，要求退货")),
        change("messages", message("m2", "c1", "The washer is leaking")),
    ]


def test_a_page_lands_with_its_cursor(db: CacheDatabase) -> None:
    result = apply_pull_page(db, page(), "cur-1", last_applied_mutation_id=7)
    assert result.counts.received == {"customers": 1, "orders": 1, "conversations": 1, "messages": 2}
    assert result.counts.applied == result.counts.received
    assert result.entities == {"customers", "orders", "conversations", "messages"}
    with db.read() as s:
        assert state.get(s, state.CURSOR) == "cur-1"
        assert state.get_int(s, state.SERVER_LAST_APPLIED) == 7
        assert state.get(s, state.LAST_SYNC_AT)
        row = s.execute(text("SELECT amount_fen, placed_at FROM orders WHERE id='o1'")).one()
        assert tuple(row) == (129950, "2026-10-30T02:00:00.000000Z")
        conv = s.execute(text("SELECT priority, sla_due_at, tags FROM conversations")).one()
        assert tuple(conv) == ("urgent", "2026-11-02T02:05:00.000000Z", '["vip","退货"]')
        tags = s.execute(text("SELECT tag FROM conversation_tags ORDER BY tag")).scalars().all()
        assert tags == ["vip", "退货"]
        assert get_row(s, "messages", "m1")["body"] == "洗衣机漏水，要求退货"  # type: ignore[index]


def test_the_same_page_twice_gives_the_same_state(db: CacheDatabase) -> None:
    p = page()
    apply_pull_page(db, p, "cur-1", last_applied_mutation_id=0)
    first = snapshot(db)
    apply_pull_page(db, p, "cur-1", last_applied_mutation_id=0)
    assert snapshot(db) == first


def test_an_older_seq_never_overwrites_a_newer_one(db: CacheDatabase) -> None:
    apply_pull_page(db, [change("conversations", conversation("c1", status="closed"), seq=50)], "a", last_applied_mutation_id=0)
    result = apply_pull_page(db, [change("conversations", conversation("c1", status="open"), seq=40)], "b", last_applied_mutation_id=0)
    assert result.counts.applied == {"conversations": 0}
    assert result.counts.stale == 1
    with db.read() as s:
        assert get_row(s, "conversations", "c1")["status"] == "closed"  # type: ignore[index]
        assert stored_seq(s, "conversations", "c1") == 50
        assert state.get(s, state.CURSOR) == "b"  # the page still counts as seen


def test_within_a_page_the_highest_seq_wins_whatever_the_order(db: CacheDatabase) -> None:
    newer = change("conversations", conversation("c1", status="resolved"), seq=9)
    older = change("conversations", conversation("c1", status="open"), seq=3)
    apply_pull_page(db, [newer, older], "a", last_applied_mutation_id=0)
    with db.read() as s:
        assert get_row(s, "conversations", "c1")["status"] == "resolved"  # type: ignore[index]


def test_a_crash_before_the_cursor_is_saved_leaves_nothing(db: CacheDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    apply_pull_page(db, [change("customers", customer("k0", "李雷"))], "cur-0", last_applied_mutation_id=0)
    before = snapshot(db)
    real_put = state.put

    def crash_on_cursor(session: Any, key: str, value: Any) -> None:
        if key == state.CURSOR:
            raise KeyboardInterrupt("killed after the upserts, before the cursor")
        real_put(session, key, value)

    monkeypatch.setattr(state, "put", crash_on_cursor)
    with pytest.raises(KeyboardInterrupt):
        apply_pull_page(db, page(), "cur-1", last_applied_mutation_id=3)
    monkeypatch.undo()
    assert snapshot(db) == before
    with db.read() as s:
        assert state.get(s, state.CURSOR) == "cur-0"
        assert s.execute(text("SELECT count(*) FROM messages")).scalar() == 0
    assert search(db, "洗衣机漏水").hits == []
    # and the retried page applies normally
    apply_pull_page(db, page(), "cur-1", last_applied_mutation_id=3)
    assert [h.id for h in search(db, "洗衣机漏水").hits] == ["m1"]


def test_unknown_entities_are_kept_aside(db: CacheDatabase) -> None:
    new_kind = {"entity": "loyalty_points", "id": "p1", "seq": 5, "data": {"id": "p1", "points": 10}}
    result = apply_pull_page(db, [new_kind, change("customers", customer("k1", "王芳"))], "a", last_applied_mutation_id=0)
    assert result.counts.unknown == {"loyalty_points": 1}
    assert result.counts.applied == {"customers": 1}
    older = {**new_kind, "seq": 4, "data": {"id": "p1", "points": 1}}
    apply_pull_page(db, [older], "b", last_applied_mutation_id=0)
    with db.read() as s:
        row = s.execute(text("SELECT entity, id, seq, data FROM unknown_changes")).one()
    assert tuple(row)[:3] == ("loyalty_points", "p1", 5)
    assert '"points":10' in row[3]


def test_a_change_without_data_deletes_the_row_and_its_index_entries(db: CacheDatabase) -> None:
    apply_pull_page(db, page(), "a", last_applied_mutation_id=0)
    # Deletions newer than any seq the shared factory counter hands out, whatever ran before.
    gone = [
        {"entity": "messages", "id": "m1", "seq": 10**9, "data": None},
        {"entity": "conversations", "id": "c1", "seq": 10**9 + 1, "data": None},
    ]
    result = apply_pull_page(db, gone, "b", last_applied_mutation_id=0)
    assert result.counts.applied == {"messages": 1, "conversations": 1}
    assert search(db, "洗衣机漏水").hits == []
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM conversation_tags")).scalar() == 0


def test_search_indexes_follow_updates(db: CacheDatabase) -> None:
    apply_pull_page(db, [change("messages", message("m1", "c1", "屏幕碎了"))], "a", last_applied_mutation_id=0)
    apply_pull_page(db, [change("messages", message("m1", "c1", "电池鼓包"))], "b", last_applied_mutation_id=0)
    assert search(db, "屏幕碎了").hits == []
    assert [h.id for h in search(db, "电池鼓包").hits] == ["m1"]
    apply_pull_page(db, [change("customers", customer("k1", "张三丰"))], "c", last_applied_mutation_id=0)
    apply_pull_page(db, [change("customers", customer("k1", "张无忌"))], "d", last_applied_mutation_id=0)
    assert [h.id for h in search(db, "张无忌", kinds=["customer"]).hits] == ["k1"]
    assert search(db, "张三丰", kinds=["customer"]).hits == []


def test_tags_follow_updates(db: CacheDatabase) -> None:
    apply_pull_page(db, [change("conversations", conversation("c1", tags=["a", "b"]))], "a", last_applied_mutation_id=0)
    apply_pull_page(db, [change("conversations", conversation("c1", tags=["b", "c"]))], "b", last_applied_mutation_id=0)
    with db.read() as s:
        assert s.execute(text("SELECT tag FROM conversation_tags ORDER BY tag")).scalars().all() == ["b", "c"]


def test_a_local_write_keeps_its_seq_and_the_server_version_replaces_it(db: CacheDatabase) -> None:
    apply_pull_page(db, [change("conversations", conversation("c1"), seq=10)], "a", last_applied_mutation_id=0)
    with db.write() as s:
        save_local(s, "conversations", conversation("c1", assignee_id="me", status="open"))
        save_local(s, "messages", message("local-1", "c1", "好的，马上为您处理"))
    with db.read() as s:
        assert get_row(s, "conversations", "c1")["assignee_id"] == "me"  # type: ignore[index]
        assert stored_seq(s, "conversations", "c1") == 10
        assert stored_seq(s, "messages", "local-1") == 0
    assert [h.id for h in search(db, "马上为您处理").hits] == ["local-1"]
    apply_pull_page(db, [change("conversations", conversation("c1", assignee_id="other"), seq=10)], "b", last_applied_mutation_id=0)
    with db.read() as s:
        assert get_row(s, "conversations", "c1")["assignee_id"] == "other"  # type: ignore[index]


def test_new_server_fields_are_kept_in_data(db: CacheDatabase) -> None:
    conv = conversation("c1", brand_new_field={"x": 1})
    apply_pull_page(db, [change("conversations", conv)], "a", last_applied_mutation_id=0)
    with db.read() as s:
        assert get_row(s, "conversations", "c1")["brand_new_field"] == {"x": 1}  # type: ignore[index]


def test_a_page_of_thousands_applies_in_one_go(db: CacheDatabase) -> None:
    changes = [change("conversations", conversation(f"c{i}", tags=["t"])) for i in range(3000)]
    changes += [change("messages", message(f"m{i}", f"c{i % 3000}", f"第{i}条消息 order {i}")) for i in range(3000)]
    result = apply_pull_page(db, changes, "a", last_applied_mutation_id=0)
    assert result.counts.total_applied == 6000
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM conversation_tags")).scalar() == 3000


def test_parsed_protocol_changes_are_accepted(db: CacheDatabase) -> None:
    from workstation.sync.protocol import Change, PullResponse

    raw = {"changes": page(), "cursor": "cur-9", "has_more": False, "last_applied_mutation_id": 2}
    response = PullResponse.model_validate(raw)
    assert isinstance(response.changes[0], Change)
    result = apply_pull_page(db, response.changes, response.cursor, last_applied_mutation_id=response.last_applied_mutation_id)
    assert result.counts.total_applied == 5


def test_every_server_entity_has_a_table() -> None:
    from workstation.store.tables import ENTITY_TABLES
    from workstation.sync.protocol import ENTITIES

    assert set(ENTITY_TABLES) == set(ENTITIES)
