"""The hint hub's watcher stops promptly even when pokes race the stop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from workstation.server.changes import ensure_counters, install_stamping
from workstation.server.db import Database
from workstation.server.hints import Hint, HintHub
from workstation.server.tables import Base


def _database(tmp_path: Path) -> Database:
    install_stamping()
    db = Database.connect(f"sqlite:///{tmp_path / 'h.db'}")
    Base.metadata.create_all(db.engine)
    with db.write() as session:
        ensure_counters(session)
    return db


def test_stop_while_poked_always_returns(tmp_path: Path) -> None:
    db = _database(tmp_path)

    async def cycle() -> None:
        hub = HintHub(db=db, poll_seconds=0.001)
        for round_ in range(60):
            await hub.start()
            hub.poke()
            for _ in range(round_ % 6):  # lands the cancel at each step of the wake-up
                await asyncio.sleep(0)
            # A hang guard, not a speed check: stop() takes microseconds or never returns.
            stopping = asyncio.create_task(hub.stop())
            done, _ = await asyncio.wait([stopping], timeout=2)
            if not done:
                stopping.cancel()
            assert done, f"round {round_}: stop() hung, the watcher swallowed its cancel"

    asyncio.run(cycle())
    db.dispose()


def test_listeners_get_published_hints(tmp_path: Path) -> None:
    db = _database(tmp_path)

    async def listen() -> Hint:
        hub = HintHub(db=db, poll_seconds=0.01)
        queue = hub.subscribe()
        hub.publish(Hint(seq=7))
        async with asyncio.timeout(5):
            hint = await queue.get()
        hub.unsubscribe(queue)
        return hint

    assert asyncio.run(listen()).seq == 7
    db.dispose()
