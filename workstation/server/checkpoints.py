"""Background WAL checkpoints for the SQLite server database.

The serving process turns SQLite's automatic checkpoint off (it made the unlucky commit that
crossed the threshold copy the whole WAL back, on a request's time) and checkpoints here
instead, on a timer, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from workstation.server.db import Database

log = logging.getLogger("workstation.server.checkpoints")


class WalCheckpointer:
    def __init__(self, db: Database, *, interval: float) -> None:
        self._db = db
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def start(cls, db: Database, *, interval: float = 1.0) -> WalCheckpointer:
        checkpointer = cls(db, interval=interval)
        checkpointer._task = asyncio.create_task(checkpointer._run(), name="wal-checkpoints")
        return checkpointer

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self._checkpoint()

    async def _checkpoint(self) -> None:
        try:
            await asyncio.to_thread(self._db.checkpoint)
        except Exception:  # a busy or failing checkpoint is retried on the next tick
            log.warning("WAL checkpoint failed", exc_info=True)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._checkpoint()  # leave the database file current for the next process
