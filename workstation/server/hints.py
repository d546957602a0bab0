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

from sqlalchemy import select

from workstation.server import changes
from workstation.server.db import Database
from workstation.server.tables import Counter

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


# Every stored message moves the change sequence, and each poke makes the watcher read the counter
# (a database round trip on a worker thread). Under a burst of webhooks that read was a fifth of
# each request's CPU for no benefit: listeners only need to hear "pull now" soon. So `poke_soon`
# sends the first poke at once and folds later ones within POKE_INTERVAL into one trailing poke.
POKE_INTERVAL = 0.02

_CURRENT_SEQ = select(Counter.value).where(Counter.name == changes.CHANGE_SEQ)


class HintHub:
    def __init__(self, *, db: Database, poll_seconds: float) -> None:
        self._db = db
        self._poll = poll_seconds
        self._lock = threading.Lock()
        self._listeners: dict[asyncio.Queue[Hint], asyncio.AbstractEventLoop] = {}
        self._watchers: list[_Watcher] = []
        self._last = 0
        self._last_poke = float("-inf")  # poke_soon's state (event loop thread only)
        self._poke_scheduled = False
        self._committed = 0  # the highest seq a local commit reported through poke(seq)
        self._read_wanted = False  # a poke() without a seq: read the counter

    @property
    def last_seq(self) -> int:
        return self._last

    def _read_seq(self) -> int:
        # A plain connection, no ORM session: this runs ten times a second per process.
        with self._db.engine.connect() as conn:
            return int(conn.execute(_CURRENT_SEQ).scalar_one_or_none() or 0)

    async def _read_seq_soon(self) -> int:
        """The counter, read on the loop's own thread on SQLite (a WAL read waits for no writer
        and takes less than the hop to a worker thread and back), on a worker thread elsewhere."""
        if self._db.serial_writes:
            return self._read_seq()
        return await asyncio.to_thread(self._read_seq)

    async def start(self) -> None:
        self._last = max(self._last, await self._read_seq_soon())
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

    def poke(self, seq: int | None = None) -> None:
        """Tell listeners about a local commit now instead of at the next tick.

        `seq`: the highest change_seq that commit wrote, when the caller knows it; the watcher
        then publishes it without reading the counter (it still reads it at least once per poll
        interval, for other processes' commits). Without it, the watcher reads the counter.
        """
        self._note(seq)
        self._wake()

    def poke_soon(self, seq: int | None = None) -> None:
        """`poke(seq)`, waking the watcher at most once per POKE_INTERVAL; call on the event
        loop's thread."""
        self._note(seq)
        if self._poke_scheduled:
            return
        loop = asyncio.get_running_loop()
        wait = self._last_poke + POKE_INTERVAL - loop.time()
        if wait <= 0:
            self._last_poke = loop.time()
            self._wake()
            return
        self._poke_scheduled = True
        loop.call_later(wait, self._trailing_poke, loop)

    def _trailing_poke(self, loop: asyncio.AbstractEventLoop) -> None:
        self._poke_scheduled = False
        self._last_poke = loop.time()
        self._wake()

    def _note(self, seq: int | None) -> None:
        if seq is None:
            self._read_wanted = True
            return
        with self._lock:  # poke() may come from worker threads
            self._committed = max(self._committed, seq)

    def _wake(self) -> None:
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
        loop = asyncio.get_running_loop()
        last_read = loop.time()
        while not watcher.stopping:
            timed_out = False
            try:
                async with asyncio.timeout(self._poll):
                    await watcher.wake.wait()
            except TimeoutError:
                timed_out = True
            if watcher.stopping:
                return
            watcher.wake.clear()
            seq = self._committed
            # The counter read is a database round trip on a worker thread: skip it when a local
            # commit told us its seq, but never for longer than a poll interval, so commits made
            # by other API processes still reach this one's listeners.
            if timed_out or self._read_wanted or loop.time() - last_read >= self._poll:
                self._read_wanted = False
                last_read = loop.time()
                try:
                    seq = max(seq, await self._read_seq_soon())
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
