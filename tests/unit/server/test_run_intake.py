"""run_intake: on the event loop when the SQLite write gate is free, on a worker thread when it
is taken or on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

import pytest

from workstation.server.channels.intake import run_intake


def _ctx(*, serial_writes: bool) -> Any:
    return SimpleNamespace(db=SimpleNamespace(serial_writes=serial_writes, write_gate=threading.RLock()))


def _where(ctx: Any) -> tuple[bool, bool]:
    """Run a trivial intake; (ran on the loop's thread, gate released afterwards)."""

    async def scenario() -> bool:
        loop_thread = threading.get_ident()
        ran_on = await run_intake(ctx, threading.get_ident)
        return ran_on == loop_thread

    on_loop = asyncio.run(scenario())
    free = ctx.db.write_gate.acquire(blocking=False)
    if free:
        ctx.db.write_gate.release()
    return on_loop, free


def test_sqlite_intake_runs_on_the_loop_when_the_gate_is_free() -> None:
    assert _where(_ctx(serial_writes=True)) == (True, True)


def test_postgresql_intake_runs_on_a_worker_thread() -> None:
    assert _where(_ctx(serial_writes=False)) == (False, True)


def test_sqlite_intake_goes_to_a_worker_thread_while_another_writer_holds_the_gate() -> None:
    ctx = _ctx(serial_writes=True)
    taken, finish = threading.Event(), threading.Event()

    def other_writer() -> None:
        with ctx.db.write_gate:
            taken.set()
            finish.wait(10)

    holder = threading.Thread(target=other_writer)
    holder.start()
    taken.wait(10)
    try:

        async def scenario() -> bool:
            loop_thread = threading.get_ident()
            ran_on = await run_intake(ctx, threading.get_ident)
            return ran_on == loop_thread

        assert asyncio.run(scenario()) is False
    finally:
        finish.set()
        holder.join(10)


def test_an_intake_error_releases_the_gate() -> None:
    ctx = _ctx(serial_writes=True)

    def failing() -> None:
        raise RuntimeError("boom")

    async def scenario() -> None:
        await run_intake(ctx, failing)

    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(scenario())
    assert ctx.db.write_gate.acquire(blocking=False)
    ctx.db.write_gate.release()
