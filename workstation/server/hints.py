"""'Pull now' hints for connected clients.

One task per event loop watches the change-sequence counter and wakes every listener when it
moves. Watching the database instead of an in-process bus is what lets several stateless API
processes behind a balancer all push hints for changes any of them made. `poke` and `publish`
may be called from worker threads (sync route handlers run there), so they hop onto the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass, field

from workstation.server import changes
from workstation.server.db import Database

log = logging.getLogger("workstation.server.hints")


@dataclass(frozen=True, kw_only=True)
class Hint:
    seq: int
    kind: str = "pull"
    data: dict[str, object] = field(default_factory=dict)


@dataclass(kw_only=True)
class _Watcher:
    loop: asyncio.AbstractEventLoop
    wake: asyncio.Event
    task: asyncio.Task[None] | None = None
    # Checked by the loop as well as cancelling it: on Python 3.11 a cancel that lands while
    # the wake event fires can be swallowed, and a loop relying on it alone never ends.
    stopping: bool = False


class HintHub:
    def __init__(self, *, db: Database, poll_seconds: float) -> None:
        self._db = db
        self._poll = poll_seconds
        self._lock = threading.Lock()
        self._listeners: dict[asyncio.Queue[Hint], asyncio.AbstractEventLoop] = {}
        self._watchers: list[_Watcher] = []
        self._last = 0

    @property
    def last_seq(self) -> int:
        return self._last

    def _read_seq(self) -> int:
        with self._db.read() as session:
            return changes.current(session)

    async def start(self) -> None:
        self._last = max(self._last, await asyncio.to_thread(self._read_seq))
        watcher = _Watcher(loop=asyncio.get_running_loop(), wake=asyncio.Event())
        watcher.task = asyncio.create_task(self._run(watcher), name="hint-hub")
        with self._lock:
            self._watchers.append(watcher)

    async def stop(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            mine = [w for w in self._watchers if w.loop is loop]
            self._watchers = [w for w in self._watchers if w.loop is not loop]
        for watcher in mine:
            watcher.stopping = True
            watcher.wake.set()
            if watcher.task is not None:
                watcher.task.cancel()
                await asyncio.wait([watcher.task])  # a cancel of stop() itself still propagates

    def poke(self) -> None:
        """Check the counter now instead of at the next tick (called after local writes)."""
        with self._lock:
            watchers = list(self._watchers)
        for watcher in watchers:
            with contextlib.suppress(RuntimeError):  # loop already closed
                watcher.loop.call_soon_threadsafe(watcher.wake.set)

    def publish(self, hint: Hint) -> None:
        with self._lock:
            listeners = list(self._listeners.items())
        for queue, loop in listeners:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_offer, queue, hint)

    def subscribe(self) -> asyncio.Queue[Hint]:
        queue: asyncio.Queue[Hint] = asyncio.Queue(maxsize=100)
        with self._lock:
            self._listeners[queue] = asyncio.get_running_loop()
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Hint]) -> None:
        with self._lock:
            self._listeners.pop(queue, None)

    async def _run(self, watcher: _Watcher) -> None:
        while not watcher.stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll):
                    await watcher.wake.wait()
            if watcher.stopping:
                return
            watcher.wake.clear()
            try:
                seq = await asyncio.to_thread(self._read_seq)
            except Exception:  # a database hiccup must not kill the hub
                log.warning("hint hub could not read the change sequence", exc_info=True)
                await asyncio.sleep(1.0)
                continue
            if seq > self._last:
                self._last = seq
                self.publish(Hint(seq=seq))


def _offer(queue: asyncio.Queue[Hint], hint: Hint) -> None:
    # A listener that stopped reading loses hints rather than growing without bound; the next
    # hint (or its polling timer) still makes it pull.
    with contextlib.suppress(asyncio.QueueFull):
        queue.put_nowait(hint)
