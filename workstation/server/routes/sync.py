"""Sync endpoints: push mutations, pull changes, and an SSE stream of "pull now" hints."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from workstation.server import auth, sync_pull, sync_push
from workstation.server.auth import CurrentUser
from workstation.server.context import ServerContext, get_ctx
from workstation.server.hints import Hint
from workstation.sync.protocol import PullResponse, PushRequest, PushResponse

router = APIRouter(tags=["sync"])
Ctx = Annotated[ServerContext, Depends(get_ctx)]

KEEPALIVE_SECONDS = 15.0
RETRY_MILLISECONDS = 3000
DEFAULT_PAGE = 1000


@router.post("/sync/push", response_model=PushResponse)
async def push(body: PushRequest, ctx: Ctx, principal: CurrentUser) -> PushResponse:
    """Apply mutations in order under the mutation-id rule; see the protocol in ARCHITECTURE.md."""
    result = await run_in_threadpool(sync_push.push, ctx, principal, body)
    if result.applied:
        ctx.hub.poke()  # on the event loop's thread: the hub's Event is not thread-safe
    return result.response


@router.get("/sync/pull", response_model=PullResponse)
def pull(
    ctx: Ctx,
    principal: CurrentUser,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1)] = DEFAULT_PAGE,
    client_id: Annotated[str | None, Query(max_length=64)] = None,
    x_client_id: Annotated[str | None, Header(max_length=64)] = None,
) -> Response:
    """One page of changes after `cursor`, in change-sequence order, within the caller's scope."""
    # Built from our own typed rows: no re-validation of thousands of changes on the way out.
    body = sync_pull.pull_json(ctx, principal, cursor=cursor, limit=limit, client_id=client_id or x_client_id)
    return Response(content=body, media_type="application/json")


def _event(hint: Hint) -> str:
    if hint.kind == "pull":
        return f"id: {hint.seq}\nevent: pull\ndata: {json.dumps({'seq': hint.seq})}\n\n"
    # Other kinds (a phone's screen pop …) carry their own data. No `id:` line: the event id is
    # the client's resume point for pull hints, and these are not part of that sequence.
    data = json.dumps(hint.data, ensure_ascii=False, default=str, separators=(",", ":"))
    return f"event: {hint.kind}\ndata: {data}\n\n"


_STAFF = frozenset(auth.STAFF)


@router.get(
    "/sync/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "a stream of pull hints"}},
)
async def events(
    request: Request,
    ctx: Ctx,
    principal: CurrentUser,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events: `event: pull` whenever the change sequence moves; to staff (agents,
    senior agents, leads, admins) also live desk events such as `event: screen_pop` (a phone
    ringing), whose data is the event's JSON object."""
    try:
        seen = int(last_event_id) if last_event_id else 0
    except ValueError:
        seen = 0
    hub = ctx.hub
    staff = principal.role in _STAFF

    async def stream() -> AsyncIterator[str]:
        queue = hub.subscribe()
        try:
            yield f"retry: {RETRY_MILLISECONDS}\n: hello {principal.username}\n\n"
            if seen < hub.last_seq:
                yield _event(Hint(seq=hub.last_seq))
            while True:
                try:
                    async with asyncio.timeout(KEEPALIVE_SECONDS):  # unlike 3.11's wait_for, never eats a cancel
                        hint = await queue.get()
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield ": keep-alive\n\n"
                    continue
                if hint.kind != "pull" and not staff:
                    continue  # desk events are for the people at the desks
                yield _event(hint)
        finally:
            hub.unsubscribe(queue)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

