"""The sync calls added to ApiClient: push/pull parsing, resync detection, retries."""

from __future__ import annotations

import json

import httpx
import pytest

from workstation.sync.api import ApiClient, ApiError
from workstation.sync.protocol import Mutation, encode_cursor
from workstation.sync.transport import Retrying, RetryPolicy


def _client(handler: object, **kw: object) -> ApiClient:
    return ApiClient(base_url="http://t", transport=httpx.MockTransport(handler), **kw)  # type: ignore[arg-type]


def test_push_sends_the_protocol_body_and_parses_the_answer() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"results": [{"mutation_id": 1, "status": "applied"}], "last_applied": 1})

    answer = _client(handler).push("c1", [Mutation(mutation_id=1, name="add_note", args={"body": "x"})])
    assert answer.last_applied == 1 and answer.results[0].status == "applied"
    body = json.loads(seen[0].content)
    assert body["client_id"] == "c1" and body["mutations"][0]["name"] == "add_note"
    assert seen[0].url.path == "/sync/push"


def test_pull_passes_cursor_limit_and_client_id() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"changes": [{"entity": "users", "id": "u", "seq": 3, "data": {}}],
                                         "cursor": encode_cursor(3), "has_more": False,
                                         "last_applied_mutation_id": 0})

    client = _client(handler)
    page = client.pull(cursor=None, limit=50, client_id="c1")
    assert page.changes[0].seq == 3
    assert "cursor" not in seen[0].url.params and seen[0].url.params["limit"] == "50"
    client.pull(cursor=page.cursor, limit=50)
    assert seen[1].url.params["cursor"] == page.cursor and "client_id" not in seen[1].url.params


def test_malformed_answer_is_an_api_error() -> None:
    client = _client(lambda r: httpx.Response(200, json={"nope": 1}))
    with pytest.raises(ApiError, match="Invalid response"):
        client.pull(cursor=None, limit=1)


@pytest.mark.parametrize(
    ("status", "type_", "resync"),
    [(409, "https://workstation.invalid/problems/resync-required", True), (410, "about:blank", True),
     (409, "https://workstation.invalid/problems/conflict", False), (400, "x/bad-cursor", False)],
)
def test_resync_required_is_recognised(status: int, type_: str, resync: bool) -> None:
    client = _client(lambda r: httpx.Response(status, json={"type": type_, "title": "t", "detail": "d"}))
    with pytest.raises(ApiError) as info:
        client.pull(cursor="x", limit=1)
    assert info.value.is_resync_required is resync


def test_transient_and_auth_classification() -> None:
    assert ApiError(0, "x").is_transient and ApiError(503, "x").is_transient and ApiError(500, "x").is_transient
    assert not ApiError(400, "x").is_transient and not ApiError(401, "x").is_transient
    assert ApiError(401, "x").is_auth


def test_retry_policy_applies_to_requests() -> None:
    calls = 0
    slept: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            return httpx.Response(503, headers={"Retry-After": "1"})
        return httpx.Response(200, json={"status": "ok"})

    client = _client(handler, retry=Retrying(RetryPolicy(max_attempts=3), sleep=slept.append))
    assert client.health() == {"status": "ok"}
    assert calls == 3 and slept == [1.0, 1.0]


def test_without_a_retry_policy_one_attempt_only() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused")

    with pytest.raises(ApiError) as info:
        _client(handler).health()
    assert info.value.is_network and calls == 1
