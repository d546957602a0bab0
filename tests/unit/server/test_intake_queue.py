"""IntakeQueue: messages that reach it in the same turn of the event loop share one
transaction; each request gets its own answer or error; listeners hear the newest seq."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from workstation.server.channels import fast_path
from workstation.server.channels.fast_path import IntakeQueue
from workstation.server.channels.intake import IntakeResult
from workstation.server.channels.schemas import InboundMessage


class FakeHub:
    def __init__(self) -> None:
        self.pokes: list[int | None] = []

    def poke_soon(self, seq: int | None = None) -> None:
        self.pokes.append(seq)


def _ctx() -> Any:
    return SimpleNamespace(db=SimpleNamespace(serial_writes=True, write_gate=threading.RLock()), hub=FakeHub())


def _message(n: int) -> InboundMessage:
    return InboundMessage.model_validate({"message_id": f"q-{n}", "sender": {"handle": f"v{n}"}, "text": "你好"})


class FakeStore:
    """Stands in for ingest_messages: records each batch and which thread ran it."""

    def __init__(self, *, fail: set[str] | None = None) -> None:
        self.batches: list[list[str]] = []
        self.threads: list[int] = []
        self._fail = fail or set()
        self._seq = 100

    def __call__(self, _ctx: Any, items: Sequence[tuple[str, InboundMessage]]) -> list[IntakeResult | Exception]:
        self.batches.append([body.message_id for _, body in items])
        self.threads.append(threading.get_ident())
        out: list[IntakeResult | Exception] = []
        for _, body in items:
            if body.message_id in self._fail:
                out.append(ValueError(f"bad {body.message_id}"))
                continue
            self._seq += 2
            out.append(IntakeResult(conversation_id="c", message_id=body.message_id, customer_id="u", duplicate=False,
                                    change_seq=self._seq))
        return out


def test_messages_arriving_in_one_turn_share_one_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    store = FakeStore()
    monkeypatch.setattr(fast_path, "ingest_messages", store)
    ctx = _ctx()

    async def scenario() -> list[IntakeResult]:
        queue = IntakeQueue(ctx)
        first = await queue.store("chat", _message(0))  # alone: a batch of one
        rest = await asyncio.gather(*(queue.store("chat", _message(n)) for n in range(1, 6)))
        return [first, *rest]

    results = asyncio.run(scenario())
    assert store.batches == [["q-0"], ["q-1", "q-2", "q-3", "q-4", "q-5"]]
    assert [r.message_id for r in results] == [f"q-{n}" for n in range(6)]
    assert ctx.hub.pokes == [102, 112]  # once per batch, with its newest seq


def test_a_failed_message_fails_only_its_own_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_path, "ingest_messages", FakeStore(fail={"q-2"}))

    async def scenario() -> list[Any]:
        queue = IntakeQueue(_ctx())
        return await asyncio.gather(*(queue.store("chat", _message(n)) for n in range(1, 4)), return_exceptions=True)

    results = asyncio.run(scenario())
    assert isinstance(results[1], ValueError)
    assert [r.message_id for r in (results[0], results[2])] == ["q-1", "q-3"]


def test_a_batch_that_cannot_be_stored_answers_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any) -> list[Any]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(fast_path, "ingest_messages", broken)

    async def scenario() -> list[Any]:
        queue = IntakeQueue(_ctx())
        async with asyncio.timeout(5):  # a hang guard: every request must get an answer
            return await asyncio.gather(*(queue.store("chat", _message(n)) for n in range(3)), return_exceptions=True)

    assert all(isinstance(r, RuntimeError) for r in asyncio.run(scenario()))


def test_while_another_writer_holds_the_gate_the_batch_waits_on_a_worker_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = FakeStore()
    monkeypatch.setattr(fast_path, "ingest_messages", store)
    ctx = _ctx()
    taken, finish = threading.Event(), threading.Event()

    def other_writer() -> None:
        with ctx.db.write_gate:
            taken.set()
            finish.wait(10)

    holder = threading.Thread(target=other_writer)
    holder.start()
    taken.wait(10)

    async def scenario() -> tuple[list[IntakeResult], int]:
        queue = IntakeQueue(ctx)
        # The fake store takes no gate, so it finishes while the other writer still holds it.
        results = await asyncio.gather(*(queue.store("chat", _message(n)) for n in range(2)))
        return results, threading.get_ident()

    try:
        results, loop_thread = asyncio.run(scenario())
    finally:
        finish.set()
        holder.join(10)
    assert [r.message_id for r in results] == ["q-0", "q-1"]
    assert store.threads and loop_thread not in store.threads


def test_postgresql_stores_each_message_on_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    stored: list[str] = []

    async def one(_ctx: Any, _channel: str, body: InboundMessage) -> IntakeResult:
        stored.append(body.message_id)
        return IntakeResult(conversation_id="c", message_id=body.message_id, customer_id="u", duplicate=False)

    monkeypatch.setattr(fast_path, "store_message", one)
    monkeypatch.setattr(fast_path, "ingest_messages", FakeStore())
    ctx = _ctx()
    ctx.db.serial_writes = False

    async def scenario() -> None:
        queue = IntakeQueue(ctx)
        await asyncio.gather(*(queue.store("chat", _message(n)) for n in range(3)))

    asyncio.run(scenario())
    assert stored == ["q-0", "q-1", "q-2"]


def test_a_flush_stranded_on_a_closed_loop_does_not_block_the_next_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test client's loop can end with a flush still scheduled; the app lives on."""
    store = FakeStore()
    monkeypatch.setattr(fast_path, "ingest_messages", store)
    queue = IntakeQueue(_ctx())
    first = asyncio.new_event_loop()
    first.call_soon(first.stop)  # stops after one turn: the store runs, its flush does not
    stranded = first.create_task(queue.store("chat", _message(0)))
    first.run_forever()
    assert not stranded.done()
    stranded.cancel()
    first.close()

    async def later() -> IntakeResult:
        async with asyncio.timeout(5):  # a hang guard, not a speed check
            return await queue.store("chat", _message(1))

    assert asyncio.run(later()).message_id == "q-1"
    assert store.batches == [["q-1"]]
