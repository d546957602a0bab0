"""Retries with exponential backoff and full jitter for calls to the ticket API.

A call is retried when the server was not reached or the answer was lost on the way
(connect, read, write and timeout errors) and when the server says "not now" (HTTP 429 and
503). A ``Retry-After`` header — seconds or an HTTP date — is honoured, up to a ceiling.
Pushes are safe to retry: the mutation-id rule makes a replay a no-op on the server.

Sleep, randomness and the wall clock are injected so tests run instantly and deterministically.
"""

from __future__ import annotations

import logging
import random as _random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

log = logging.getLogger("workstation.sync.transport")

RETRYABLE_STATUSES: frozenset[int] = frozenset({429, 503})

#: Errors where the request may not have reached the server or its answer was lost.
RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ReadError,
    httpx.WriteError,
    httpx.TimeoutException,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryPolicy:
    """``max_attempts`` counts the first try; ``base``·2^n seconds capped at ``cap``, jittered."""

    max_attempts: int = 4
    base: float = 0.5
    cap: float = 30.0
    max_retry_after: float = 120.0
    statuses: frozenset[int] = field(default=RETRYABLE_STATUSES)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base < 0 or self.cap < 0 or self.max_retry_after < 0:
            raise ValueError("delays cannot be negative")

    def ceiling(self, retry: int) -> float:
        """The upper bound of the delay before retry number ``retry`` (0-based)."""
        return min(self.cap, self.base * float(1 << min(retry, 62)))

    def backoff(self, retry: int, rand: Callable[[], float] = _random.random) -> float:
        """Full jitter: uniformly random in [0, ceiling(retry))."""
        return rand() * self.ceiling(retry)

    def delays(self, rand: Callable[[], float] = _random.random) -> Iterator[float]:
        """An endless series of jittered delays, e.g. for reconnecting a stream."""
        retry = 0
        while True:
            yield self.backoff(retry, rand)
            retry += 1


NO_RETRY = RetryPolicy(max_attempts=1)
DEFAULT_RETRY = RetryPolicy()


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date); None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


class Retrying:
    """Runs a request function under a `RetryPolicy`.

    ``send`` returns an `httpx.Response`; a retryable error or status leads to a pause and
    another try. When attempts run out, the last error is raised or the last response returned.
    """

    def __init__(
        self,
        policy: RetryPolicy = DEFAULT_RETRY,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = _random.random,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.policy = policy
        self._sleep = sleep
        self._rand = rand
        self._now = now
        self._should_stop = should_stop

    def delay_for(self, retry: int, response: httpx.Response | None) -> float:
        """The pause before retry ``retry``: Retry-After when the server gave one, else backoff."""
        if response is not None:
            hinted = parse_retry_after(response.headers.get("Retry-After"), now=self._now())
            if hinted is not None:
                return min(hinted, self.policy.max_retry_after)
        return self.policy.backoff(retry, self._rand)

    def call(self, send: Callable[[], httpx.Response], *, what: str = "request") -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            try:
                response = send()
            except RETRYABLE_ERRORS as exc:
                if attempt >= self.policy.max_attempts or self._should_stop():
                    raise
                delay = self.delay_for(attempt - 1, None)
                log.info("%s failed (%s); retry %d in %.2fs", what, exc, attempt, delay)
            else:
                if response.status_code not in self.policy.statuses:
                    return response
                if attempt >= self.policy.max_attempts or self._should_stop():
                    return response
                delay = self.delay_for(attempt - 1, response)
                log.info("%s answered %d; retry %d in %.2fs", what, response.status_code, attempt, delay)
                response.close()
            self._sleep(delay)
