"""The outbox: ids allocated in the caller's transaction, monotonic across reopen; ack,
reject, discard, retry."""

from __future__ import annotations

from pathlib import Path

import pytest

from workstation.store import outbox, state
from workstation.store.apply import get_row, save_local
from workstation.store.db import CacheDatabase

from .factories import message


def test_ids_are_monotonic_and_survive_reopen(cache_path: Path) -> None:
    db = CacheDatabase.open(cache_path)
    with db.write() as s:
        ids = [outbox.enqueue(s, "send_reply", {"n": n}) for n in range(3)]
    assert ids == [1, 2, 3]
    outbox.mark_acknowledged(db, 3)
    db.close()
    db = CacheDatabase.open(cache_path)
    with db.write() as s:
        assert outbox.enqueue(s, "claim", {}) == 4  # the outbox was empty: ids still go on
    db.close()


def test_a_local_write_and_its_entry_commit_or_vanish_together(db: CacheDatabase) -> None:
    with pytest.raises(RuntimeError), db.write() as s:
        save_local(s, "messages", message("m-local", "c1", "你好"))
        outbox.enqueue(s, "send_reply", {"message_id": "m-local"}, entity="conversations", entity_id="c1")
        raise RuntimeError("crash before commit")
    assert outbox.entries(db) == []
    with db.read() as s:
        assert get_row(s, "messages", "m-local") is None
    with db.write() as s:
        save_local(s, "messages", message("m-local", "c1", "你好"))
        mid = outbox.enqueue(s, "send_reply", {"message_id": "m-local"}, entity="conversations", entity_id="c1")
    entry = outbox.get(db, mid)
    assert entry is not None and entry.entity_id == "c1" and entry.args == {"message_id": "m-local"}
    assert entry.to_mutation()["mutation_id"] == mid


def test_ids_never_go_below_what_the_server_has_applied(db: CacheDatabase) -> None:
    with db.write() as s:
        state.put(s, state.SERVER_LAST_APPLIED, 41)
        assert outbox.enqueue(s, "claim", {}) == 42


def test_pending_acknowledge_reject(db: CacheDatabase) -> None:
    with db.write() as s:
        for n in range(5):
            outbox.enqueue(s, "note", {"n": n})
    assert [e.mutation_id for e in outbox.pending(db)] == [1, 2, 3, 4, 5]
    assert outbox.mark_rejected(db, 2, "already_claimed", "张三 claimed it first")
    assert outbox.mark_acknowledged(db, 3) == 2  # 1 and 3; the rejected 2 stays
    assert [e.mutation_id for e in outbox.pending(db)] == [4, 5]
    rejected = outbox.get(db, 2)
    assert rejected is not None and rejected.status == "rejected"
    assert (rejected.rejection_code, rejected.rejection_reason) == ("already_claimed", "张三 claimed it first")
    assert outbox.counts(db) == {"pending": 2, "rejected": 1}
    assert [e.mutation_id for e in outbox.entries(db)] == [2, 4, 5]


def test_only_a_rejected_entry_can_be_discarded(db: CacheDatabase) -> None:
    with db.write() as s:
        outbox.enqueue(s, "note", {})
        outbox.enqueue(s, "note", {})
    with pytest.raises(outbox.OutboxError):
        outbox.discard(db, 1)
    outbox.mark_rejected(db, 1, "over_authority", "needs a lead")
    assert outbox.discard(db, 1)
    assert not outbox.discard(db, 1)
    assert [e.mutation_id for e in outbox.entries(db)] == [2]


def test_retry_re_enqueues_a_rejection_under_a_new_id(db: CacheDatabase) -> None:
    with db.write() as s:
        outbox.enqueue(s, "offer_compensation", {"amount": "50.00"}, entity="conversations", entity_id="c9")
        outbox.enqueue(s, "note", {})
    outbox.mark_rejected(db, 1, "over_authority", "too much")
    new_id = outbox.retry(db, 1)
    assert new_id == 3
    assert outbox.get(db, 1) is None
    again = outbox.get(db, 3)
    assert again is not None and again.status == "pending" and again.args == {"amount": "50.00"}
    assert again.entity_id == "c9"
    assert outbox.retry(db, 2) == 2  # a pending one is simply left to the queue
    with pytest.raises(outbox.OutboxError):
        outbox.retry(db, 99)


def test_failed_attempts_are_counted(db: CacheDatabase) -> None:
    with db.write() as s:
        outbox.enqueue(s, "note", {})
    outbox.note_attempt(db, [1], "connect timeout")
    outbox.note_attempt(db, [1], "503")
    entry = outbox.get(db, 1)
    assert entry is not None and entry.attempts == 2 and entry.last_error == "503"


def test_restore_keeps_ids_and_the_client_identity(db: CacheDatabase) -> None:
    salvaged = [
        {"mutation_id": 7, "name": "note", "args": {"t": "x"}, "schema_version": 1, "created_at": "2026-11-02T02:00:00.000000Z", "status": "pending"},
        {"mutation_id": 8, "name": "claim", "args": "not json", "status": "pending"},
    ]
    restored = outbox.restore(db, salvaged, {"client_id": "abc", "next_mutation_id": "9", "cursor": "old"})
    assert restored == [7, 8]
    broken = outbox.get(db, 8)
    assert broken is not None and broken.args == {"_salvaged_raw": "not json"}
    with db.write() as s:
        assert state.get(s, state.CLIENT_ID) == "abc"
        assert state.get(s, state.CURSOR) is None  # a fresh cache pulls everything again
        assert outbox.enqueue(s, "note", {}) == 9


def test_schema_version_matches_the_protocol() -> None:
    from workstation.sync.protocol import SCHEMA_VERSION

    assert outbox.SCHEMA_VERSION == SCHEMA_VERSION
