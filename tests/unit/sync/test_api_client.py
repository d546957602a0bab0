"""The blocking API client against a mock transport: headers, problem bodies, network errors."""

from __future__ import annotations

import json

import httpx
import pytest

from workstation.sync.api import ApiClient, ApiError, decode_json


def _client(handler: object) -> ApiClient:
    return ApiClient(base_url="http://ticket.test/", transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def test_login_then_bearer_header_on_every_call() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/auth/login":
            return httpx.Response(200, json={"access_token": "tok", "refresh_token": "ref", "expires_in": 3600,
                                             "user": {"username": "agent", "role": "agent"}})
        return httpx.Response(200, json={"items": [], "total": 0})

    client = _client(handler)
    session = client.login("agent", "pw-123456")
    assert session.user["role"] == "agent" and session.expires_in == 3600
    assert client.list_conversations("mine", limit=10) == {"items": [], "total": 0}
    assert "authorization" not in seen[0].headers
    assert seen[1].headers["authorization"] == "Bearer tok"
    assert seen[1].url.params["view"] == "mine" and seen[1].url.params["limit"] == "10"


def test_problem_json_becomes_api_error_with_detail() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            json={"type": "https://x/bad-credentials", "title": "Sign-in failed", "status": 401,
                  "detail": "unknown user name or wrong password"},
            headers={"content-type": "application/problem+json"},
        )

    with pytest.raises(ApiError) as info:
        _client(handler).login("agent", "wrong-pass")
    err = info.value
    assert (err.status, err.title, err.detail) == (401, "Sign-in failed", "unknown user name or wrong password")
    assert err.type.endswith("bad-credentials") and not err.is_network


def test_unreachable_server_is_status_zero() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ApiError) as info:
        _client(handler).health()
    assert info.value.is_network and "unreachable" in info.value.title.lower()


def test_non_json_success_body_is_reported() -> None:
    with pytest.raises(ApiError, match="not JSON"):
        _client(lambda request: httpx.Response(200, text="<html>proxy page</html>")).me()


def test_unknown_view_is_refused_before_any_request() -> None:
    with pytest.raises(ValueError, match="unknown view"):
        _client(lambda request: httpx.Response(500)).list_conversations("everything")


def test_decode_json_matches_the_standard_parser() -> None:
    body = json.dumps({"changes": [{"entity": "messages", "id": "m1", "seq": 2**53 + 1,
                                    "data": {"body": "洗衣机 \"漏水\"\n", "f": 1.5e-7, "ok": True, "x": None}}]},
                      ensure_ascii=False).encode()
    assert decode_json(body) == json.loads(body)
    lone = b'{"s": "\\ud800"}'  # a lone surrogate: the standard parser's answer
    assert decode_json(lone) == json.loads(lone)
    with pytest.raises(ValueError):
        decode_json(b"{not json")
