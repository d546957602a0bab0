"""The lean webhook path answers exactly as the FastAPI route would, and hands everything but the
common case to that route."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio.to_thread
import pytest
from sqlalchemy import func, select

from tests.integration.server.conftest import Api
from workstation.server.channels import fast_path
from workstation.server.channels.intake import IntakeResult
from workstation.server.channels.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from workstation.server.routes import channels as channel_routes
from workstation.server.tables import Message

SECRET = "test-secret"


def msg(message_id: str = "fp-1", **extra: Any) -> dict[str, Any]:
    return {"message_id": message_id, "sender": {"handle": "visitor-9", "name": "李雷"}, "text": "退款到哪了？", **extra}


def post(api: Api, channel: str, raw: bytes, headers: dict[str, str] | None = None, *, signed: bool = True) -> Any:
    hdrs = {"content-type": "application/json"}
    if signed:
        hdrs.update(signed_headers(SECRET, raw, timestamp=int(api.clock().timestamp())))
    hdrs.update(headers or {})
    return api.client.post(f"/channels/{channel}/messages", content=raw, headers=hdrs)


@contextmanager
def fastapi_only(api: Api) -> Iterator[None]:
    """Every request through the FastAPI stack, as before the fast path existed."""
    app = api.client.app
    saved = app.webhook_fast_path
    app.webhook_fast_path = None
    try:
        yield
    finally:
        app.webhook_fast_path = saved


def messages(api: Api) -> int:
    with api.db.read() as s:
        return int(s.execute(select(func.count()).select_from(Message)).scalar_one())


def answer(resp: Any) -> tuple[int, str, Any]:
    return resp.status_code, resp.headers["content-type"], resp.json()


BAD = [
    ("bad signature", "chat", json.dumps(msg()).encode(), {SIGNATURE_HEADER: "sha256=" + "0" * 64}, True),
    ("no signature", "chat", json.dumps(msg()).encode(), {}, False),
    ("stale", "chat", json.dumps(msg()).encode(), {TIMESTAMP_HEADER: "1000"}, True),
    ("malformed JSON", "chat", b'{"message_id": ', {}, True),
    ("not an object", "chat", b"[1, 2]", {}, True),
    ("unknown field", "chat", json.dumps(msg(colour="red")).encode(), {}, True),
    ("too long", "chat", json.dumps(msg(text="x" * 20_001)).encode(), {}, True),
    ("lone surrogate", "chat", b'{"message_id": "m", "sender": {"handle": "v"}, "text": "\\ud800"}', {}, True),
    ("empty body", "chat", b"", {}, True),
    ("not JSON content", "chat", json.dumps(msg()).encode(), {"content-type": "text/plain"}, True),
    ("unknown channel", "pigeon", json.dumps(msg()).encode(), {}, True),
]


@pytest.mark.parametrize(("name", "channel", "raw", "headers", "signed"), BAD, ids=[case[0] for case in BAD])
def test_refusals_are_the_routes_own(
    api: Api, name: str, channel: str, raw: bytes, headers: dict[str, str], signed: bool
) -> None:
    fast = post(api, channel, raw, headers, signed=signed)
    with fastapi_only(api):
        slow = post(api, channel, raw, headers, signed=signed)
    assert fast.status_code >= 400, name
    assert answer(fast) == answer(slow)
    assert messages(api) == 0


def test_unconfigured_channel_is_the_routes_503(api: Api) -> None:
    raw = json.dumps(msg()).encode()
    saved = api.settings.webhook_secrets.pop("app")
    try:
        fast = post(api, "app", raw)
        with fastapi_only(api):
            slow = post(api, "app", raw)
    finally:
        api.settings.webhook_secrets["app"] = saved
    assert fast.status_code == 503
    assert answer(fast) == answer(slow)


def test_stored_and_replayed_deliveries_answer_like_the_route(api: Api) -> None:
    first = post(api, "chat", json.dumps(msg("fp-a")).encode())
    again = post(api, "chat", json.dumps(msg("fp-a")).encode())
    with fastapi_only(api):
        routed = post(api, "chat", json.dumps(msg("fp-b")).encode())
        routed_again = post(api, "chat", json.dumps(msg("fp-a")).encode())
    assert (first.status_code, again.status_code, routed.status_code, routed_again.status_code) == (202, 200, 202, 200)
    assert first.headers["content-type"] == routed.headers["content-type"] == "application/json"
    assert first.json().keys() == routed.json().keys()
    assert again.json() == routed_again.json() == {**first.json(), "duplicate": True}
    assert first.headers["x-request-id"] != again.headers["x-request-id"]
    assert messages(api) == 2


def test_the_common_case_never_reaches_fastapi(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    async def route_used(*_args: Any) -> IntakeResult:
        raise AssertionError("the FastAPI route handled a well-formed delivery")

    monkeypatch.setattr(channel_routes, "store_message", route_used)
    assert post(api, "sms", json.dumps({**msg("fp-c"), "sender": {"handle": "13800138000"}}).encode()).status_code == 202
    with fastapi_only(api):  # the patch does bite on the route
        assert post(api, "sms", json.dumps(msg("fp-d")).encode()).status_code == 500


def test_a_chunked_delivery_is_stored_through_the_route(api: Api) -> None:
    """No Content-Length: the fast path hands it over, body included, and the route stores it."""
    raw = json.dumps(msg("fp-chunked"), ensure_ascii=False).encode()
    headers = {"content-type": "application/json", **signed_headers(SECRET, raw, timestamp=int(api.clock().timestamp()))}
    resp = api.client.post("/channels/web_form/messages", content=iter([raw[:10], raw[10:]]), headers=headers)
    assert resp.status_code == 202, resp.text
    assert messages(api) == 1


def test_an_oversized_body_is_refused_by_the_body_limit(api: Api) -> None:
    raw = json.dumps(msg(text="长" * 400_000), ensure_ascii=False).encode()
    assert len(raw) > api.settings.max_body_bytes
    resp = post(api, "chat", raw)
    assert resp.status_code == 413
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_an_intake_failure_is_the_same_500_problem(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_args: Any) -> IntakeResult:
        raise RuntimeError("disk on fire")

    def broken_batch(*_args: Any) -> list[Any]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(fast_path, "ingest_messages", broken_batch)  # SQLite: the intake queue
    monkeypatch.setattr(fast_path, "store_message", broken)  # PostgreSQL: one message at a time
    monkeypatch.setattr(channel_routes, "store_message", broken)
    fast = post(api, "chat", json.dumps(msg("fp-e")).encode())
    with fastapi_only(api):
        slow = post(api, "chat", json.dumps(msg("fp-e")).encode())
    assert fast.status_code == 500
    assert answer(fast) == answer(slow)


def test_each_delivery_gets_an_access_log_line(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="workstation.server.access"):
        resp = post(api, "chat", json.dumps(msg("fp-log")).encode())
    lines = [r for r in caplog.records if r.name == "workstation.server.access"]
    assert len(lines) == 1
    line: Any = lines[0]
    assert (line.method, line.path, line.status) == ("POST", "/channels/chat/messages", 202)
    assert line.request_id == resp.headers["x-request-id"]


def test_the_route_stays_documented(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    operation = schema["paths"]["/channels/{channel}/messages"]["post"]
    assert set(operation["responses"]) >= {"200", "202", "401", "422", "503"}
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/InboundMessage")


def test_the_event_loop_never_waits_for_a_pool_connection(api: Api) -> None:
    """Intake and the hint hub use SQLite on the loop's thread: with every worker thread holding
    a connection, one must still be free for the loop."""
    if api.db.dialect != "sqlite":
        pytest.skip("only SQLite work runs on the event loop")

    async def thread_tokens() -> int:
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    workers = asyncio.run(thread_tokens()) + 32  # FastAPI's worker threads + asyncio's executor at most
    held = [api.db.engine.connect() for _ in range(workers)]
    try:
        with api.db.engine.connect() as loops_own:
            assert loops_own.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        for conn in held:
            conn.close()
