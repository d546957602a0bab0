"""Retry policy: backoff with full jitter, Retry-After, which failures are retried."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from workstation.sync.transport import Retrying, RetryPolicy, parse_retry_after

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _retrying(policy: RetryPolicy, slept: list[float], rand: float = 1.0) -> Retrying:
    return Retrying(policy, sleep=slept.append, rand=lambda: rand, now=lambda: NOW)


def _resp(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", "http://t/x"))


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    policy = RetryPolicy(base=0.5, cap=4.0)
    assert [policy.ceiling(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert policy.ceiling(10_000) == 4.0  # no overflow


def test_full_jitter_scales_the_ceiling_by_the_random_draw() -> None:
    policy = RetryPolicy(base=1.0, cap=100.0)
    assert policy.backoff(3, lambda: 0.25) == 2.0
    assert policy.backoff(3, lambda: 0.0) == 0.0
    delays = policy.delays(lambda: 0.5)
    assert [next(delays) for _ in range(4)] == [0.5, 1.0, 2.0, 4.0]


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base=-1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Mon, 02 Nov 2026 02:00:30 GMT", 30.0),
        ("Mon, 02 Nov 2026 01:00:00 GMT", 0.0),  # in the past: go now
        ("soon", None),
        ("", None),
        (None, None),
        ("-5", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.RemoteProtocolError("closed mid-answer"),
    ],
)
def test_transport_errors_are_retried_then_succeed(error: Exception) -> None:
    slept: list[float] = []
    outcomes: list[Exception | httpx.Response] = [error, error, _resp(200)]

    def send() -> httpx.Response:
        item = outcomes.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    resp = _retrying(RetryPolicy(max_attempts=5, base=1.0, cap=10.0), slept).call(send)
    assert resp.status_code == 200
    assert slept == [1.0, 2.0]


def test_the_last_error_is_raised_when_attempts_run_out() -> None:
    slept: list[float] = []
    calls = 0

    def send() -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused")

    with pytest.raises(httpx.ConnectError):
        _retrying(RetryPolicy(max_attempts=3, base=1.0), slept).call(send)
    assert calls == 3
    assert len(slept) == 2


def test_other_errors_are_not_retried() -> None:
    slept: list[float] = []

    def send() -> httpx.Response:
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        _retrying(RetryPolicy(max_attempts=5), slept).call(send)
    assert slept == []


@pytest.mark.parametrize("status", [429, 503])
def test_busy_statuses_are_retried_honouring_retry_after_seconds(status: int) -> None:
    slept: list[float] = []
    answers = [_resp(status, {"Retry-After": "7"}), _resp(200)]
    resp = _retrying(RetryPolicy(max_attempts=3), slept).call(lambda: answers.pop(0))
    assert resp.status_code == 200
    assert slept == [7.0]


def test_retry_after_as_http_date_and_capped() -> None:
    slept: list[float] = []
    answers = [
        _resp(503, {"Retry-After": "Mon, 02 Nov 2026 02:00:12 GMT"}),
        _resp(429, {"Retry-After": "99999"}),
        _resp(200),
    ]
    policy = RetryPolicy(max_attempts=3, max_retry_after=60.0)
    assert _retrying(policy, slept).call(lambda: answers.pop(0)).status_code == 200
    assert slept == [12.0, 60.0]


def test_busy_without_retry_after_uses_backoff() -> None:
    slept: list[float] = []
    answers = [_resp(503), _resp(503), _resp(200)]
    policy = RetryPolicy(max_attempts=3, base=2.0, cap=100.0)
    _retrying(policy, slept, rand=0.5).call(lambda: answers.pop(0))
    assert slept == [1.0, 2.0]


def test_last_busy_response_is_returned_when_attempts_run_out() -> None:
    slept: list[float] = []
    resp = _retrying(RetryPolicy(max_attempts=2), slept).call(lambda: _resp(503))
    assert resp.status_code == 503
    assert len(slept) == 1


@pytest.mark.parametrize("status", [200, 400, 401, 404, 409, 500])
def test_other_statuses_are_returned_at_once(status: int) -> None:
    slept: list[float] = []
    calls = 0

    def send() -> httpx.Response:
        nonlocal calls
        calls += 1
        return _resp(status)

    assert _retrying(RetryPolicy(max_attempts=5), slept).call(send).status_code == status
    assert calls == 1 and slept == []


def test_should_stop_ends_retrying_early() -> None:
    slept: list[float] = []
    retrying = Retrying(RetryPolicy(max_attempts=5), sleep=slept.append, should_stop=lambda: True)
    with pytest.raises(httpx.ConnectError):
        retrying.call(lambda: (_ for _ in ()).throw(httpx.ConnectError("x")))
    assert slept == []
