"""Live hints: the SSE parser and the reconnecting listener (mock transport)."""

from __future__ import annotations

import threading

import httpx

from workstation.sync.api import ApiClient, Session
from workstation.sync.live import LiveHints, SseEvent, parse_sse
from workstation.sync.transport import RetryPolicy


def test_parse_sse_events_comments_ids_retry_and_multiline_data() -> None:
    text = (
        "retry: 3000\n: hello amy\n\n"
        "id: 7\nevent: pull\ndata: {\"seq\": 7}\n\n"
        ": keep-alive\n\n"
        "data: line one\ndata:line two\n\n"
        "id: 9\r\nevent: pull\r\ndata: x\r\n\r\n"
        "event: pull\ndata: unterminated"
    )
    events = list(parse_sse(text.splitlines(keepends=True)))
    assert events == [
        SseEvent(event="", data="", id=None, retry_ms=3000),
        SseEvent(event="pull", data='{"seq": 7}', id="7", retry_ms=3000),
        SseEvent(event="message", data="line one\nline two", id="7", retry_ms=3000),
        SseEvent(event="pull", data="x", id="9", retry_ms=3000),
    ]


def _api(handler: object) -> ApiClient:
    api = ApiClient(base_url="http://t", transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    api.use_session(Session(access_token="tok", refresh_token=""))
    return api


def test_hints_reconnect_with_last_event_id_and_backoff_after_errors() -> None:
    requests: list[httpx.Request] = []
    hints: list[int | None] = []
    connects: list[int] = []
    disconnects: list[str] = []
    enough = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        n = len(requests)
        if n == 1:
            body = "retry: 3000\n\nid: 5\nevent: pull\ndata: {}\n\nid: 6\nevent: pull\ndata: {}\n\n"
            return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})
        if n == 2:
            return httpx.Response(503, text="busy")
        if n == 3:
            raise httpx.ConnectError("refused")
        if n == 4:
            return httpx.Response(200, text="id: 8\nevent: pull\ndata: {}\n\n")
        enough.set()
        return httpx.Response(200, text="")

    live = LiveHints(
        api=_api(handler),
        on_hint=hints.append,
        on_connect=lambda: connects.append(1),
        on_disconnect=disconnects.append,
        backoff=RetryPolicy(base=0.01, cap=0.02),
    )
    live.start()
    try:
        assert enough.wait(5)
    finally:
        live.stop()
    assert not live.running
    assert hints == [5, 6, 8]
    assert requests[0].headers["authorization"] == "Bearer tok"
    assert requests[0].headers["accept"] == "text/event-stream"
    assert "last-event-id" not in requests[0].headers
    assert [r.headers.get("last-event-id") for r in requests[1:4]] == ["6", "6", "6"]
    assert requests[4].headers["last-event-id"] == "8"
    assert len(connects) >= 2 and live.connects >= 2
    assert any("503" in d for d in disconnects) and any("refused" in d for d in disconnects)


def test_stop_before_any_connection_is_quick() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    live = LiveHints(api=_api(handler), on_hint=lambda _s: None, backoff=RetryPolicy(base=10.0, cap=10.0))
    live.start()
    live.stop(timeout=2)
    assert not live.running
