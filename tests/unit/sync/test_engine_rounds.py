"""SyncEngine rounds against an in-memory cache and server."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from tests.unit.sync.test_engine_fakes import FakeCache, FakeServer
from workstation.domain.clock import FixedClock
from workstation.sync.api import ApiError
from workstation.sync.engine import SyncEngine, SyncStatus
from workstation.sync.protocol import decode_cursor

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _engine(server: FakeServer, cache: FakeCache, **kw: object) -> tuple[SyncEngine, list[SyncStatus]]:
    seen: list[SyncStatus] = []
    engine = SyncEngine(api=server, cache=cache, client_id="c1", clock=FixedClock(NOW),
                        on_state=seen.append, **kw)  # type: ignore[arg-type]
    return engine, seen


def test_first_round_pulls_everything_in_pages_then_only_changes() -> None:
    server, cache = FakeServer(), FakeCache()
    for i in range(25):
        server.add_change("conversations", f"c{i}", subject=str(i))
    engine, seen = _engine(server, cache, page_size=10)
    r = engine.run_once()
    assert (r.pulled, r.pushed, r.rejected, r.pending, r.state) == (25, 0, 0, 0, "online")
    assert cache.pages == 3 and len(cache.rows) == 25
    assert decode_cursor(r.cursor) == 25
    assert [s.state for s in seen] == ["syncing", "online"]
    assert seen[-1].last_sync_at == NOW
    server.add_change("conversations", "c3", subject="changed")
    r2 = engine.run_once()
    assert r2.pulled == 1 and cache.rows[("conversations", "c3")]["subject"] == "changed"
    assert engine.run_once().pulled == 0


def test_push_acknowledges_in_order_and_batches_of_at_most_the_limit() -> None:
    server, cache = FakeServer(), FakeCache()
    for i in range(7):
        cache.add("add_note", body=str(i))
    engine, _ = _engine(server, cache, push_batch=3)
    r = engine.run_once()
    assert (r.pushed, r.pending, r.pulled) == (7, 0, 7)
    assert server.pushes == [[1, 2, 3], [4, 5, 6], [7]]
    assert [mid for mid, _ in server.applied] == list(range(1, 8))


def test_push_batch_cannot_exceed_the_protocol_limit() -> None:
    with pytest.raises(ValueError):
        _engine(FakeServer(), FakeCache(), push_batch=501)


def test_rejection_is_recorded_with_reason_and_does_not_block() -> None:
    server, cache = FakeServer(reject_names={"claim": "already claimed by Bob"}), FakeCache()
    cache.add("claim", conversation_id="x")
    cache.add("add_note", body="after")
    engine, _ = _engine(server, cache)
    r = engine.run_once()
    assert (r.pushed, r.rejected, r.pending) == (1, 1, 0)
    assert cache.rejected == {1: ("nope", "already claimed by Bob")}
    assert server.applied == [(2, "add_note")]


def test_offline_keeps_the_outbox_and_reports_offline_then_all_land_in_order() -> None:
    server, cache = FakeServer(down=True), FakeCache()
    engine, seen = _engine(server, cache)
    for i in range(3):
        cache.add("add_note", body=str(i))
    r = engine.run_once()
    assert (r.state, r.pending, r.pushed) == ("offline", 3, 0)
    assert seen[-1].state == "offline" and seen[-1].pending == 3 and "unreachable" in seen[-1].message
    assert cache.failures == {1: 1, 2: 1, 3: 1}  # the attempt is counted, the entries kept
    cache.add("add_note", body="3")
    server.down = False
    r = engine.run_once()
    assert (r.state, r.pushed, r.pending) == ("online", 4, 0)
    assert [mid for mid, _ in server.applied] == [1, 2, 3, 4]


def test_reply_lost_after_commit_is_answered_duplicate_and_applied_once() -> None:
    server, cache = FakeServer(fail_after_commit=1), FakeCache()
    cache.add("add_note", body="once")
    engine, _ = _engine(server, cache)
    r = engine.run_once()
    assert (r.state, r.pending) == ("offline", 1)
    assert server.applied == [(1, "add_note")]
    r = engine.run_once()
    assert (r.state, r.pushed, r.pending) == ("online", 1, 0)
    assert server.applied == [(1, "add_note")]


def test_lost_reply_of_a_rejection_gets_the_same_reason_on_retry() -> None:
    server, cache = FakeServer(fail_after_commit=1, reject_names={"claim": "taken"}), FakeCache()
    cache.add("claim", conversation_id="x")
    engine, _ = _engine(server, cache)
    engine.run_once()
    r = engine.run_once()
    assert r.rejected == 1 and cache.rejected == {1: ("nope", "taken")}


def test_transient_stop_on_the_server_keeps_the_rest_for_later() -> None:
    server, cache = FakeServer(fail_on={2}), FakeCache()
    for i in range(3):
        cache.add("add_note", body=str(i))
    engine, _ = _engine(server, cache)
    r = engine.run_once()
    assert (r.state, r.pushed, r.pending) == ("offline", 1, 2)
    r = engine.run_once()
    assert (r.state, r.pushed, r.pending) == ("online", 2, 0)
    assert [mid for mid, _ in server.applied] == [1, 2, 3]


def test_gap_without_the_missing_id_is_an_error_until_it_is_there() -> None:
    server, cache = FakeServer(), FakeCache()
    for i in range(3):
        cache.add("add_note", body=str(i))
    # 2 is missing from the outbox: 1 applies, 3 is a gap; the resend from 2 finds nothing to
    # send, so the round stops with an error naming both ids. Once 2 is back, all land in order.
    engine, _ = _engine(server, cache)
    hole = cache.outbox.pop(2)
    r = engine.run_once()
    assert r.state == "error" and "#1" in r.message and "#3" in r.message
    assert r.pending == 1
    cache.outbox[2] = hole
    r = engine.run_once()
    assert (r.state, r.pending) == ("online", 0)
    assert [mid for mid, _ in server.applied] == [1, 2, 3]


def test_gap_mid_batch_continues_from_last_applied() -> None:
    server, cache = FakeServer(), FakeCache()
    for i in range(4):
        cache.add("add_note", body=str(i))
    cache.outbox.pop(3)  # a hole: 1, 2 apply, 4 is a gap and no 3 is held
    engine, _ = _engine(server, cache)
    r = engine.run_once()
    assert r.pushed == 2 and r.pending == 1 and r.state == "error"
    assert server.pushes == [[1, 2, 4], [4]]


def test_resync_required_keeps_the_outbox_and_pulls_from_scratch() -> None:
    server, cache = FakeServer(), FakeCache()
    server.add_change("conversations", "a")
    engine, _ = _engine(server, cache)
    engine.run_once()
    server.down = True
    cache.add("add_note", body="offline")
    engine.run_once()
    server.down = False
    server.resync_once = True
    server.add_change("conversations", "b")
    r = engine.run_once()
    assert cache.resyncs == 1
    assert r.state == "online" and r.pushed == 1
    assert server.pulls[-2] is not None and server.pulls[-1] is None
    assert set(cache.rows) == {("conversations", "a"), ("conversations", "b"), ("notes", "n1")}


def test_auth_failure_is_an_error_asking_to_sign_in() -> None:
    class Expired(FakeServer):
        def pull(self, **kw: object) -> object:  # type: ignore[override]
            raise ApiError(401, "Unauthorized", "token expired")

    engine, seen = _engine(Expired(), FakeCache())
    r = engine.run_once()
    assert r.state == "error" and "sign in again" in r.message
    assert seen[-1].state == "error"


def test_unexpected_failure_is_reported_not_raised() -> None:
    class Broken(FakeCache):
        def apply_page(self, *a: object, **kw: object) -> None:
            raise RuntimeError("disk full")

    server = FakeServer()
    server.add_change("x", "1")
    engine, _ = _engine(server, Broken())
    r = engine.run_once()
    assert r.state == "error" and "disk full" in r.message


def test_a_failing_listener_does_not_stop_syncing() -> None:
    server, cache = FakeServer(), FakeCache()
    engine, _ = _engine(server, cache)

    def bad(_: SyncStatus) -> None:
        raise RuntimeError("ui bug")

    engine.subscribe(bad)
    assert engine.run_once().state == "online"


def test_background_thread_runs_at_start_on_poke_and_stops() -> None:
    server, cache = FakeServer(), FakeCache()
    rounds = threading.Semaphore(0)
    engine, _ = _engine(server, cache, poll_interval=60.0)
    engine.subscribe(lambda s: rounds.release() if s.state != "syncing" else None)
    engine.start()
    try:
        assert rounds.acquire(timeout=5)  # first round right away
        cache.add("add_note", body="x")
        engine.poke()
        assert rounds.acquire(timeout=5)
        deadline = time.monotonic() + 5
        while cache.outbox and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not cache.outbox
    finally:
        engine.stop()
    assert not engine.running


def test_polling_timer_runs_rounds_without_pokes() -> None:
    server, cache = FakeServer(), FakeCache()
    done = threading.Semaphore(0)
    engine, _ = _engine(server, cache, poll_interval=0.05)
    engine.subscribe(lambda s: done.release() if s.state != "syncing" else None)
    engine.start()
    try:
        for _ in range(3):
            assert done.acquire(timeout=5)
    finally:
        engine.stop()


def test_offline_rounds_back_off_but_never_beyond_the_poll_interval() -> None:
    server, cache = FakeServer(down=True), FakeCache()
    engine, _ = _engine(server, cache, poll_interval=30.0, rand=lambda: 0.999)
    assert engine.next_delay() == 30.0
    delays = []
    for _ in range(8):
        engine.run_once()
        delays.append(engine.next_delay())
    assert delays == sorted(delays) and delays[0] < 2 and delays[-1] == 30.0
    server.down = False
    engine.run_once()
    assert engine.next_delay() == 30.0


def test_changed_entities_are_reported_per_page() -> None:
    server, cache = FakeServer(), FakeCache()
    server.add_change("conversations", "c1")
    server.add_change("messages", "m1")
    server.add_change("customers", "u1")
    pages: list[frozenset[str]] = []
    engine, _ = _engine(server, cache, page_size=2, on_changes=pages.append)
    engine.run_once()
    assert pages == [frozenset({"conversations", "messages"}), frozenset({"customers"})]
    engine.run_once()
    assert len(pages) == 2  # nothing new, no call
