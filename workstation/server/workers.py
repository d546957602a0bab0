"""Background work a server process runs beside the API (e-mail out, SMTP in)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from workstation.server.context import ServerContext

Starter = Callable[[ServerContext], Awaitable[Any]]

# Channel modules append starters here at import of workstation.server.workers' users; each
# returns a handle with an async `stop()` or an asyncio.Task.
STARTERS: list[Starter] = []


async def start(ctx: ServerContext) -> list[Any]:
    handles = []
    for starter in STARTERS:
        handle = await starter(ctx)
        if handle is not None:
            handles.append(handle)
    return handles


async def stop(handles: list[Any]) -> None:
    for handle in reversed(handles):
        if isinstance(handle, asyncio.Task):
            handle.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await handle
        else:
            with contextlib.suppress(Exception):
                await handle.stop()
