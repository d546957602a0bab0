"""The hint hub publishes a seq a local commit reported without reading the counter, and still
reads it for pokes that carry no seq."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from workstation.server.hints import Hint, HintHub


class _Result:
    def __init__(self, value: int) -> None:
        self._value = value

    def scalar_one_or_none(self) -> int:
        return self._value


class _Session:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    def execute(self, _stmt: Any, *_args: Any) -> _Result:
        self._db.reads += 1
        return _Result(self._db.counter)


class FakeDatabase:
    """Just enough of Database for the hub: connections that count counter reads."""

    def __init__(self, counter: int = 0, *, serial_writes: bool = True) -> None:
        self.counter = counter
        self.reads = 0
        self.serial_writes = serial_writes
        self.engine = self

    @contextmanager
    def connect(self) -> Iterator[_Session]:
        yield _Session(self)


async def _next_hint(queue: asyncio.Queue[Hint], *, at_least: int) -> Hint:
    async with asyncio.timeout(5):  # a hang guard, not a speed check
        while True:
            hint = await queue.get()
            if hint.seq >= at_least:
                return hint


def test_a_reported_seq_is_published_without_a_counter_read() -> None:
    db = FakeDatabase(counter=3)

    async def scenario() -> tuple[int, int]:
        hub = HintHub(db=db, poll_seconds=3600)  # no periodic read during the test
        await hub.start()
        queue = hub.subscribe()
        reads_after_start = db.reads
        db.counter = 9  # what the counter says; the commit reports 8
        hub.poke_soon(8)
        hint = await _next_hint(queue, at_least=8)
        await hub.stop()
        return hint.seq, db.reads - reads_after_start

    seq, extra_reads = asyncio.run(scenario())
    assert seq == 8
    assert extra_reads == 0


@pytest.mark.parametrize("serial_writes", [True, False], ids=["sqlite-inline", "postgresql-thread"])
def test_a_poke_without_a_seq_reads_the_counter(serial_writes: bool) -> None:
    db = FakeDatabase(counter=3, serial_writes=serial_writes)

    async def scenario() -> int:
        hub = HintHub(db=db, poll_seconds=3600)
        await hub.start()
        queue = hub.subscribe()
        db.counter = 11  # say, a sync push committed
        hub.poke()
        hint = await _next_hint(queue, at_least=4)
        await hub.stop()
        return hint.seq

    assert asyncio.run(scenario()) == 11


def test_pokes_folded_by_poke_soon_publish_the_latest_seq() -> None:
    db = FakeDatabase(counter=0)

    async def scenario() -> list[int]:
        hub = HintHub(db=db, poll_seconds=3600)
        await hub.start()
        queue = hub.subscribe()
        seen: list[int] = []
        for seq in (1, 2, 3, 4, 5):  # within one interval: one wake now, one trailing
            hub.poke_soon(seq)
        while not seen or seen[-1] < 5:
            seen.append((await _next_hint(queue, at_least=1)).seq)
        await hub.stop()
        return seen

    seen = asyncio.run(scenario())
    assert seen[-1] == 5
    assert seen == sorted(set(seen))  # never an older seq after a newer one
