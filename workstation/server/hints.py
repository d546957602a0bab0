"""'Pull now' hints for connected clients.

One task per process watches the change-sequence counter and wakes every listener when it
moves. Watching the database instead of an in-process bus is what lets several stateless API
processes behind a balancer all push hints for changes any of them made.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from workstation.server import changes
from workstation.server.db import Database

log = logging.getLogger("workstation.server.hints")


@dataclass(frozen=True, kw_only=True)
class Hint:
    seq: int
    kind: str = "pull"
    data: dict[str, object] = field(default_factory=dict)


class HintHub:
    def __init__(self, *, db: Database, poll_seconds: float) -> None:
        self._db = db
        self._poll = poll_seconds
        self._listeners: set[asyncio.Queue[Hint]] = set()
        self._task: asyncio.Task[None] | None = None
        self._last = 0
        self._wake: asyncio.Event | None = None  # made in start(), inside the running loop

    @property
    def last_seq(self) -> int:
        return self._last

    def _read_seq(self) -> int:
        with self._db.read() as session:
            return changes.current(session)

    async def start(self) -> None:
        self._last = await asyncio.to_thread(self._read_seq)
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="hint-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def poke(self) -> None:
        """Check the counter now instead of at the next tick (called after local writes)."""
        if self._wake is not None:
            self._wake.set()

    def publish(self, hint: Hint) -> None:
        for queue in list(self._listeners):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(hint)

    def subscribe(self) -> asyncio.Queue[Hint]:
        queue: asyncio.Queue[Hint] = asyncio.Queue(maxsize=100)
        self._listeners.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Hint]) -> None:
        self._listeners.discard(queue)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            self._wake.clear()
            try:
                seq = await asyncio.to_thread(self._read_seq)
            except Exception:  # a database hiccup must not kill the hub
                log.warning("hint hub could not read the change sequence", exc_info=True)
                await asyncio.sleep(1.0)
                continue
            if seq > self._last:
                self._last = seq
                self.publish(Hint(seq=seq))
