"""The engine's fast paths: pages as plain dicts from the real `ApiClient`, one page fetched
ahead while the current one is applied, and the deferred full-text index of an initial sync."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.unit.sync.test_engine_fakes import FakeCache, FakeServer
from workstation.domain.clock import FixedClock
from workstation.store.apply import indexes_deferred, search_index_deferred
from workstation.store.db import CacheDatabase
from workstation.store.search import search
from workstation.sync.api import ApiClient, ApiError
from workstation.sync.engine import SyncEngine, _raw_pull, _RawPage
from workstation.sync.protocol import PullResponse, decode_cursor, encode_cursor

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _messages(server: FakeServer, n: int) -> None:
    for i in range(n):
        server.add_change("messages", f"m{i}", conversation_id="c1", direction="inbound", channel="chat",
                          body=f"洗衣机漏水 第{i}次", sent_at="2026-01-01T00:00:00Z")


@pytest.fixture
def cache(tmp_path: Path) -> Any:
    db = CacheDatabase.open(tmp_path / "cache.sqlite3")
    yield db
    db.close()


def _triggers(db: CacheDatabase) -> set[str]:
    with db.read() as s:
        return {r[0] for r in s.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}


def test_initial_sync_defers_the_index_and_rebuilds_it_at_the_end(cache: CacheDatabase) -> None:
    server = FakeServer()
    _messages(server, 25)
    before = _triggers(cache)
    seen_deferred: list[bool] = []

    def on_changes(_entities: frozenset[str]) -> None:
        with cache.read() as s:
            seen_deferred.append(search_index_deferred(s))

    engine = SyncEngine(api=server, cache=cache, client_id="c1", clock=FixedClock(NOW),  # type: ignore[arg-type]
                        page_size=10, on_changes=on_changes)
    r = engine.run_once()
    assert (r.pulled, r.state) == (25, "online")
    assert seen_deferred == [True, True, True]  # every page of the initial sync: deferred
    assert server.pulls == [None, encode_cursor(10), encode_cursor(20)]
    assert _triggers(cache) == before
    with cache.read() as s:
        assert not search_index_deferred(s)
        assert s.execute(text("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '洗衣机漏水'")).scalar() == 25
    result = search(cache, "洗衣机漏水")
    assert result.mode == "fts" and not result.indexing
    # A later round (cursor set) keeps the index row by row, as before.
    server.add_change("messages", "m99", conversation_id="c1", body="电池鼓包", sent_at="2026-01-01T00:00:00Z")
    seen_deferred.clear()
    assert engine.run_once().pulled == 1
    assert seen_deferred == [False]
    assert [h.id for h in search(cache, "电池鼓包").hits] == ["m99"]


def test_a_single_page_initial_sync_does_not_defer(cache: CacheDatabase) -> None:
    server = FakeServer()
    _messages(server, 5)
    engine = SyncEngine(api=server, cache=cache, client_id="c1", clock=FixedClock(NOW), page_size=10)  # type: ignore[arg-type]
    deferrals: list[bool] = []
    original = engine.cache.begin_bulk_load  # type: ignore[attr-defined]
    engine.cache.begin_bulk_load = lambda: deferrals.append(True) or original()  # type: ignore[attr-defined]
    assert engine.run_once().pulled == 5
    assert deferrals == []


def test_interrupted_initial_sync_stays_deferred_until_a_round_completes(cache: CacheDatabase) -> None:
    server = FakeServer()
    _messages(server, 30)
    calls = {"n": 0}
    real_pull = server.pull

    def flaky_pull(**kw: Any) -> PullResponse:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ApiError(0, "Server unreachable", "connection reset")
        return real_pull(**kw)

    server.pull = flaky_pull  # type: ignore[method-assign]
    engine = SyncEngine(api=server, cache=cache, client_id="c1", clock=FixedClock(NOW), page_size=10)  # type: ignore[arg-type]
    r = engine.run_once()
    assert r.state == "offline" and r.pulled == 20
    with cache.read() as s:
        assert search_index_deferred(s)
    assert search(cache, "洗衣机漏水").indexing
    r = engine.run_once()
    assert r.state == "online" and r.pulled == 10
    with cache.read() as s:
        assert not search_index_deferred(s)
        assert s.execute(text("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '洗衣机漏水'")).scalar() == 30


def _schema(db: CacheDatabase) -> list[tuple[str, str]]:
    with db.read() as s:
        return [(str(r[0]), str(r[1])) for r in s.execute(text("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"))]


def test_initial_sync_is_a_bulk_load_with_btree_indexes_built_at_the_end(cache: CacheDatabase) -> None:
    server = FakeServer()
    _messages(server, 25)
    before = _schema(cache)
    seen: list[tuple[bool, bool]] = []

    def on_changes(_entities: frozenset[str]) -> None:
        with cache.read() as s:
            seen.append((indexes_deferred(s), engine.cache._loader is not None))  # type: ignore[attr-defined]

    engine = SyncEngine(api=server, cache=cache, client_id="c1", clock=FixedClock(NOW),  # type: ignore[arg-type]
                        page_size=10, on_changes=on_changes)
    assert engine.run_once().state == "online"
    assert seen == [(True, True)] * 3  # every page over the bulk connection, indexes dropped
    assert _schema(cache) == before and engine.cache._loader is None  # type: ignore[attr-defined]


def test_a_cut_short_bulk_load_resumes_in_bulk_mode_and_completes(cache: CacheDatabase) -> None:
    server = FakeServer()
    _messages(server, 30)
    before = _schema(cache)
    calls = {"n": 0}
    real_pull = server.pull

    def flaky_pull(**kw: Any) -> PullResponse:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ApiError(0, "Server unreachable", "connection reset")
        return real_pull(**kw)

    server.pull = flaky_pull  # type: ignore[method-assign]
    engine = SyncEngine(api=server, cache=cache, client_id="c1", clock=FixedClock(NOW), page_size=10)  # type: ignore[arg-type]
    assert engine.run_once().state == "offline"
    assert engine.cache._loader is None  # type: ignore[attr-defined]  # connection let go
    with cache.read() as s:
        assert indexes_deferred(s)
    # A new process on the same file (the old one was killed): the round resumes from the
    # saved cursor over the bulk connection and builds the indexes when the pull completes.
    fresh = SyncEngine(api=server, cache=cache, client_id="c1", clock=FixedClock(NOW), page_size=10)  # type: ignore[arg-type]
    loaders: list[bool] = []
    real_apply = fresh.cache.apply_page

    def apply_page(*a: Any) -> None:
        loaders.append(fresh.cache._loader is not None)  # type: ignore[attr-defined]
        real_apply(*a)

    fresh.cache.apply_page = apply_page  # type: ignore[method-assign]
    r = fresh.run_once()
    assert (r.state, r.pulled) == ("online", 20) and loaders == [True, True]
    assert _schema(cache) == before
    with cache.read() as s:
        assert not indexes_deferred(s)
        assert s.execute(text("SELECT count(*) FROM messages")).scalar() == 30


def test_a_full_resync_reloads_in_bulk_and_ends_with_every_index(cache: CacheDatabase) -> None:
    server = FakeServer()
    _messages(server, 25)
    before = _schema(cache)
    engine = SyncEngine(api=server, cache=cache, client_id="c1", clock=FixedClock(NOW), page_size=10)  # type: ignore[arg-type]
    assert engine.run_once().state == "online"
    server.resync_once = True  # the next pull (with a cursor) is told to start over
    _messages(server, 3)
    loaders: list[bool] = []
    real_apply = engine.cache.apply_page

    def apply_page(*a: Any) -> None:
        with cache.read() as s:
            loaders.append(indexes_deferred(s) and engine.cache._loader is not None)  # type: ignore[attr-defined]
        real_apply(*a)

    engine.cache.apply_page = apply_page  # type: ignore[method-assign]
    r = engine.run_once()
    assert r.state == "online" and r.pulled == 28  # 25 rows, 3 of them changed since
    assert loaders == [True, True, True]  # rows dropped, indexes deferred, pages over the bulk connection
    assert _schema(cache) == before and engine.cache._loader is None  # type: ignore[attr-defined]
    with cache.read() as s:
        assert not indexes_deferred(s) and not search_index_deferred(s)
        assert s.execute(text("SELECT count(*) FROM messages")).scalar() == 25
        assert s.execute(text("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '洗衣机漏水'")).scalar() == 25


def test_prefetch_requests_follow_the_page_cursors_and_overlap_apply() -> None:
    server, fake = FakeServer(), FakeCache()
    for i in range(35):
        server.add_change("conversations", f"c{i}", subject=str(i))
    started_next = threading.Event()
    real_pull = server.pull
    applied_while_fetching: list[bool] = []

    def pull(**kw: Any) -> PullResponse:
        if kw["cursor"]:
            started_next.set()
        return real_pull(**kw)

    real_apply = fake.apply_page

    def apply_page(changes: Any, cursor: str, last: int) -> None:
        if decode_cursor(cursor) < 35:  # more pages follow: the next fetch is already under way
            applied_while_fetching.append(started_next.wait(5))
            started_next.clear()
        real_apply(changes, cursor, last)

    server.pull = pull  # type: ignore[method-assign]
    fake.apply_page = apply_page  # type: ignore[method-assign]
    engine = SyncEngine(api=server, cache=fake, client_id="c1", clock=FixedClock(NOW), page_size=10)  # type: ignore[arg-type]
    r = engine.run_once()
    assert (r.pulled, r.state) == (35, "online") and len(fake.rows) == 35
    assert server.pulls == [None, encode_cursor(10), encode_cursor(20), encode_cursor(30)]
    assert applied_while_fetching == [True, True, True]


def test_a_failed_apply_stops_the_round_and_nothing_is_skipped() -> None:
    server, fake = FakeServer(), FakeCache()
    for i in range(30):
        server.add_change("conversations", f"c{i}", subject=str(i))
    real_apply = fake.apply_page
    boom = {"armed": True}

    def apply_page(changes: Any, cursor: str, last: int) -> None:
        if decode_cursor(cursor) == 20 and boom["armed"]:
            boom["armed"] = False
            raise RuntimeError("disk full")
        real_apply(changes, cursor, last)

    fake.apply_page = apply_page  # type: ignore[method-assign]
    engine = SyncEngine(api=server, cache=fake, client_id="c1", clock=FixedClock(NOW), page_size=10)  # type: ignore[arg-type]
    r = engine.run_once()
    assert r.state == "error" and decode_cursor(r.cursor) == 10
    r = engine.run_once()
    assert r.state == "online" and len(fake.rows) == 30 and decode_cursor(r.cursor) == 30


def _client(handler: Any) -> ApiClient:
    return ApiClient(base_url="http://test", transport=httpx.MockTransport(handler))


def _body(changes: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return {"changes": changes, "cursor": kw.get("cursor", "v1:2"), "has_more": kw.get("has_more", False),
            "last_applied_mutation_id": kw.get("last", 0)}


def test_raw_pull_gives_dicts_and_sends_the_same_request() -> None:
    seen: list[httpx.Request] = []
    change = {"entity": "messages", "id": "m1", "seq": 2, "data": {"id": "m1", "body": "x"}}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=_body([change], has_more=True))

    page = _raw_pull(_client(handler), cursor="v1:1", limit=500, client_id="cid")
    assert isinstance(page, _RawPage)
    assert page.changes == [change] and page.cursor == "v1:2" and page.has_more is True
    assert dict(seen[0].url.params) == {"limit": "500", "cursor": "v1:1", "client_id": "cid"}


def test_raw_pull_falls_back_to_the_model_for_anything_unusual() -> None:
    odd = {"entity": "messages", "id": "m1", "seq": "2", "data": {"id": "m1"}}  # seq as text: pydantic coerces

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=_body([odd]))

    page = _raw_pull(_client(handler), cursor=None, limit=10, client_id=None)
    assert isinstance(page, PullResponse) and page.changes[0].seq == 2

    def bad(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps({"changes": [{"entity": "x"}]}))

    with pytest.raises(ApiError) as info:
        _raw_pull(_client(bad), cursor=None, limit=10, client_id=None)
    assert info.value.title == "Invalid response"


def test_engine_uses_the_raw_path_only_for_an_unpatched_api_client(cache: CacheDatabase) -> None:
    change = {"entity": "messages", "id": "m1", "seq": 1,
              "data": {"id": "m1", "conversation_id": "c1", "body": "hello there", "sent_at": "2026-01-01T00:00:00Z"}}

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=_body([change], cursor="v1:1"))

    api = _client(handler)
    entities: list[frozenset[str]] = []
    engine = SyncEngine(api=api, cache=cache, client_id="c1", clock=FixedClock(NOW), on_changes=entities.append)
    assert isinstance(engine._fetch(None), _RawPage)
    r = engine.run_once()
    assert (r.pulled, r.state) == (1, "online") and entities == [frozenset({"messages"})]
    patched: list[str | None] = []

    def pull(*, cursor: str | None, limit: int, client_id: str | None = None) -> PullResponse:
        patched.append(cursor)
        return PullResponse(changes=[], cursor=cursor or "v1:1", has_more=False, last_applied_mutation_id=0)

    api.pull = pull  # type: ignore[method-assign]
    engine.run_once()
    assert patched == ["v1:1"]
