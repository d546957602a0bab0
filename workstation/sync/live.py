"""Live "pull now" hints over server-sent events (``GET /sync/events``). No Qt here.

`LiveHints` keeps one streaming request open on a background thread. Every ``event: pull``
calls ``on_hint(seq)``; every (re)connection calls ``on_connect()`` — the engine pokes a
round then, since hints may have been missed while away. A dropped stream reconnects with
jittered exponential backoff and sends ``Last-Event-ID`` so the server can tell at once
whether something happened meanwhile. Hints only wake the engine; it still polls on a timer.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import httpx

from workstation.sync.api import ApiClient
from workstation.sync.transport import RetryPolicy

log = logging.getLogger("workstation.sync.live")

EVENTS_PATH = "/sync/events"
RECONNECT_BACKOFF = RetryPolicy(base=0.5, cap=30.0)


@dataclass(frozen=True, slots=True)
class SseEvent:
    event: str
    data: str
    id: str | None
    retry_ms: int | None = None


def parse_sse(lines: Iterable[str]) -> Iterator[SseEvent]:
    """Events of a text/event-stream, per the WHATWG rules (comments, ``retry``, multi-line
    data; an event is dispatched at a blank line; ``id`` persists until changed)."""
    event = ""
    data: list[str] = []
    last_id: str | None = None
    retry: int | None = None
    saw_field = False
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line == "":
            if data or event:
                yield SseEvent(event=event or "message", data="\n".join(data), id=last_id, retry_ms=retry)
            elif saw_field and retry is not None:
                yield SseEvent(event="", data="", id=last_id, retry_ms=retry)
            event, data, saw_field = "", [], False
            continue
        if line.startswith(":"):
            continue
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        saw_field = True
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            if "\x00" not in value:
                last_id = value
        elif name == "retry" and value.isdigit():
            retry = int(value)


def _abort(response: httpx.Response) -> None:
    """Unblock a thread reading ``response``: shut its socket down (closing the response from
    another thread does not interrupt a blocking read)."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed
    else:  # pragma: no cover - other transports: the read timeout ends the thread
        log.debug("no socket to shut down for the event stream")


class LiveHints:
    """A reconnecting SSE listener; `start()` / `stop()` a daemon thread."""

    def __init__(
        self,
        *,
        api: ApiClient,
        on_hint: Callable[[int | None], None],
        on_connect: Callable[[], None] | None = None,
        on_disconnect: Callable[[str], None] | None = None,
        backoff: RetryPolicy = RECONNECT_BACKOFF,
        read_timeout: float = 45.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.api = api
        self.on_hint = on_hint
        self.on_connect = on_connect
        self.on_disconnect = on_disconnect
        self.backoff = backoff
        self.read_timeout = read_timeout
        self._rand = rand
        self.last_event_id: str | None = None
        self.connects = 0
        self.on_event: Callable[[SseEvent], None] | None = None
        """Called (on this listener's thread) with every event that is not a pull hint,
        e.g. ``screen_pop`` (see `screen_pop_of`)."""
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._response: httpx.Response | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="sync-live", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        with self._lock:
            response = self._response
        if response is not None:
            _abort(response)
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            reason = "the stream ended"
            before = self.connects
            try:
                self._listen()
            except httpx.HTTPError as exc:
                reason = f"{type(exc).__name__}: {exc}"
            except Exception as exc:  # never let the thread die silently
                log.exception("live hints failed")
                reason = str(exc)
            if self.connects > before:
                failures = 0  # it was up for a while: start the backoff over
            if self._stopping.is_set():
                return
            if self.on_disconnect is not None:
                self.on_disconnect(reason)
            delay = max(0.05, self.backoff.backoff(failures, self._rand))
            failures += 1
            log.debug("live hints: %s; reconnecting in %.2fs", reason, delay)
            self._stopping.wait(delay)

    def _other(self, event: SseEvent) -> None:
        """A non-pull event: hand it to ``on_event``; it also means the sequence moved."""
        handler = self.on_event
        if handler is not None and event.event:
            try:
                handler(event)
            except Exception:  # a listener's bug must not drop the stream
                log.exception("live event listener failed")
        if event.event == "screen_pop":
            seq = int(event.id) if event.id and event.id.isdigit() else None
            self.on_hint(seq)  # the call row changed too: pull it

    def _listen(self) -> None:
        """One connection, read until it ends."""
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache", **self.api.auth_headers()}
        if self.last_event_id:
            headers["Last-Event-ID"] = self.last_event_id
        timeout = httpx.Timeout(10.0, read=self.read_timeout)
        with self.api.http.stream("GET", EVENTS_PATH, headers=headers, timeout=timeout) as response:
            if response.status_code != 200:
                raise httpx.HTTPStatusError(
                    f"the event stream answered {response.status_code}", request=response.request, response=response
                )
            with self._lock:
                self._response = response
            try:
                self.connects += 1
                if self.on_connect is not None:
                    self.on_connect()
                for event in parse_sse(response.iter_lines()):
                    if self._stopping.is_set():
                        break
                    if event.id is not None:
                        self.last_event_id = event.id
                    if event.event == "pull":
                        seq = int(event.id) if event.id and event.id.isdigit() else None
                        self.on_hint(seq)
                    else:
                        self._other(event)
            finally:
                with self._lock:
                    self._response = None


def screen_pop_of(event: SseEvent) -> dict[str, object] | None:
    """The payload of a ``screen_pop`` event (``call_id``, ``caller_masked``, ``customer_id``,
    ``agent``), or None for other events or a payload without a call id."""
    import json

    if event.event != "screen_pop":
        return None
    try:
        data = json.loads(event.data or "{}")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    inner = data.get("data")
    if isinstance(inner, dict) and "call_id" not in data:
        data = inner  # {"seq": .., "data": {...}} framing
    if not data.get("call_id"):
        return None
    return {k: data.get(k) for k in ("call_id", "caller_masked", "customer_id", "agent")}
