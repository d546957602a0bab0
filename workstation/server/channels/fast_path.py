"""POST /channels/{channel}/messages without FastAPI's per-request machinery.

One server process must take hundreds of webhooks a second, and per webhook FastAPI's generic
path (route matching over every route, dependency solving, parameter and body validation through
its field layer, a Request object, the middleware chain) cost more CPU than storing the message.
`WebhookFastPath` answers the common case directly on ASGI: a JSON body that is correctly signed
and fits the schema. It validates with the same pydantic model and signature check as the
documented route, then stores the message and replies exactly as that route does.

Anything else (unknown channel, missing secret, bad or stale signature, malformed JSON, a body
that breaks the schema, an oversized or non-JSON body) is handed, body and all, to the FastAPI
app, whose route in routes/channels.py produces the problem+json answers and whose middleware
logs and limits as for every other request. So every error response stays exactly what it was,
and nothing is written before the hand-over.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workstation.server.channels.intake import (
    IntakeResult,
    ingest_message,
    ingest_messages,
    run_intake,
)
from workstation.server.channels.schemas import InboundMessage
from workstation.server.channels.signature import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    verify,
)
from workstation.server.context import ServerContext
from workstation.server.middleware import REQUEST_ID_HEADER, log_request, new_request_id
from workstation.server.problems import MEDIA_TYPE, Problem

log = logging.getLogger("workstation.server")

_TIMESTAMP = TIMESTAMP_HEADER.lower().encode("ascii")
_SIGNATURE = SIGNATURE_HEADER.lower().encode("ascii")
_JSON = b"application/json"


async def store_message(ctx: ServerContext, channel: str, body: InboundMessage) -> IntakeResult:
    """Store one validated webhook message and tell connected clients to pull."""
    result = await run_intake(ctx, ingest_message, ctx, channel, body)
    if not result.duplicate:
        ctx.hub.poke_soon(result.change_seq)
    return result


_Batch = list[tuple[str, InboundMessage, "asyncio.Future[IntakeResult]"]]


class _Waiting:
    """The messages waiting for the next flush on one event loop."""

    __slots__ = ("items", "scheduled")

    def __init__(self) -> None:
        self.items: _Batch = []
        self.scheduled = False


class IntakeQueue:
    """Group commit for webhook messages on SQLite, with no waiting added.

    A message is stored at the next turn of the event loop together with every other message
    that reached that point in the meantime: one at a time while the server keeps up, more per
    transaction the busier it gets, which is when the shared commit pays off (see
    `ingest_messages`). Each request is answered only once its transaction has committed. On
    PostgreSQL (concurrent writers, network round trips) each message is its own transaction on
    a worker thread, as before.
    """

    MAX_BATCH = 64  # bounds one transaction's length, and so every other writer's wait

    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx
        # Per event loop: one app may be served by several loops over its life (test clients
        # start their own), and a flush belongs to the loop whose requests wait for it.
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Waiting] = weakref.WeakKeyDictionary()
        self._tasks: set[asyncio.Task[None]] = set()  # batches on worker threads, kept referenced

    async def store(self, channel: str, body: InboundMessage) -> IntakeResult:
        if not self._ctx.db.serial_writes:
            return await store_message(self._ctx, channel, body)
        loop = asyncio.get_running_loop()
        waiting = self._loops.get(loop)
        if waiting is None:
            waiting = self._loops[loop] = _Waiting()
        answer: asyncio.Future[IntakeResult] = loop.create_future()
        waiting.items.append((channel, body, answer))
        if not waiting.scheduled:
            waiting.scheduled = True
            loop.call_soon(self._flush, waiting)
        return await answer

    def _flush(self, waiting: _Waiting) -> None:
        waiting.scheduled = False
        batch, waiting.items = waiting.items[: self.MAX_BATCH], waiting.items[self.MAX_BATCH :]
        if waiting.items:
            waiting.scheduled = True
            asyncio.get_running_loop().call_soon(self._flush, waiting)
        gate = self._ctx.db.write_gate
        if gate.acquire(blocking=False):  # no other writer: store it right here (see run_intake)
            try:
                results = ingest_messages(self._ctx, [(channel, body) for channel, body, _ in batch])
            except Exception as exc:  # never leave a request waiting on an answer
                results = [exc] * len(batch)
            finally:
                gate.release()
            self._answer(batch, results)
        else:
            task = asyncio.ensure_future(self._flush_on_thread(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _flush_on_thread(self, batch: _Batch) -> None:
        try:
            results = await run_in_threadpool(ingest_messages, self._ctx, [(channel, body) for channel, body, _ in batch])
        except Exception as exc:  # never leave a request waiting on an answer
            results = [exc] * len(batch)
        self._answer(batch, results)

    def _answer(self, batch: _Batch, results: list[IntakeResult | Exception]) -> None:
        newest: int | None = None
        for (_, _, answer), result in zip(batch, results, strict=True):
            if isinstance(result, IntakeResult) and not result.duplicate and result.change_seq is not None:
                newest = max(newest or 0, result.change_seq)
            if answer.done():  # its request was cancelled; the message is stored all the same
                continue
            if isinstance(result, Exception):
                answer.set_exception(result)
            else:
                answer.set_result(result)
        if newest is not None:
            self._ctx.hub.poke_soon(newest)


def reply_body(result: IntakeResult) -> bytes:
    # Byte for byte what the route's JSONResponse renders.
    return json.dumps(result.as_dict(), ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


class _HandOver(Exception):
    """This request is not the common case: let the FastAPI app answer it."""


class WebhookFastPath:
    def __init__(self, *, ctx: ServerContext, channels: Iterable[str], max_body_bytes: int) -> None:
        self._ctx = ctx
        self._max_body = max_body_bytes
        self._paths = {f"/channels/{channel}/messages": channel for channel in channels}
        self._queue = IntakeQueue(ctx)

    def channel_for(self, scope: Scope) -> str | None:
        """The channel when `scope` is a POST this path serves, else None."""
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("root_path"):
            return None
        return self._paths.get(scope["path"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send, *, channel: str, fallback: ASGIApp) -> None:
        started = time.perf_counter()
        read = _Body()
        try:
            headers = self._read_headers(scope)
            if not await read.all(receive, limit=self._max_body):
                return  # the client went away
            body = self._validated(channel, headers, b"".join(read.chunks))
        except _HandOver:
            await fallback(scope, read.replay(receive), send)
            return
        request_id = new_request_id()
        status = 500
        try:
            try:
                result = await self._queue.store(channel, body)
                payload = reply_body(result)
            except Exception:
                # What FastAPI's handler for unexpected errors answers; then re-raised as
                # Starlette does, so the server's own error logging sees it too.
                log.exception("unhandled error on POST %s", scope["path"])
                problem = Problem(500, "Internal error", "the server failed on this request; it has been logged")
                detail = json.dumps(problem.body(scope["path"]), ensure_ascii=False, separators=(",", ":")).encode()
                await _respond(send, 500, MEDIA_TYPE.encode("ascii"), detail, request_id)
                raise
            status = 200 if result.duplicate else 202
            await _respond(send, status, b"application/json", payload, request_id)
        finally:
            log_request(request_id, "POST", scope["path"], status, started)

    def _read_headers(self, scope: Scope) -> dict[bytes, bytes]:
        wanted: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            # The first of repeated headers wins, as Starlette's Headers.get does.
            if name in (_TIMESTAMP, _SIGNATURE, b"content-type", b"content-length") and name not in wanted:
                wanted[name] = value
        content_type = wanted.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
        if content_type != _JSON or b"content-length" not in wanted:
            raise _HandOver
        try:
            declared = int(wanted[b"content-length"])
        except ValueError:
            raise _HandOver from None
        if not 0 < declared <= self._max_body:
            raise _HandOver
        return wanted

    def _validated(self, channel: str, headers: dict[bytes, bytes], raw: bytes) -> InboundMessage:
        ctx = self._ctx
        secret = ctx.settings.webhook_secrets.get(channel)
        timestamp = headers.get(_TIMESTAMP)
        signature = headers.get(_SIGNATURE)
        if not secret or timestamp is None or signature is None:
            raise _HandOver
        try:
            verify(
                secret,
                timestamp=timestamp.decode("latin-1"),
                signature=signature.decode("latin-1"),
                body=raw,
                now=ctx.clock(),
                tolerance_seconds=ctx.settings.webhook_tolerance_seconds,
            )
            # As FastAPI does it: json.loads, then the model in Python mode, so that what is
            # accepted here is exactly what the route would accept.
            return InboundMessage.model_validate(json.loads(raw))
        except (SignatureError, ValidationError, ValueError, RecursionError):
            raise _HandOver from None


class _Body:
    """The request body as read so far, and whether more of it is still to come."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.more = True

    async def all(self, receive: Receive, *, limit: int) -> bool:
        """Read the rest of the body; False when the client disconnected first."""
        size = 0
        while self.more:
            message = await receive()
            if message["type"] != "http.request":
                return False
            chunk = message.get("body", b"")
            self.more = bool(message.get("more_body", False))
            if chunk:
                self.chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise _HandOver  # BodyLimit refuses it on the FastAPI side
        return True

    def replay(self, receive: Receive) -> Callable[[], Awaitable[Message]]:
        """A receive that first gives back what was read, then defers to the real one."""
        pending: list[Message] = []
        if self.chunks or not self.more:
            pending.append({"type": "http.request", "body": b"".join(self.chunks), "more_body": self.more})

        async def replay() -> Message:
            if pending:
                return pending.pop()
            return await receive()

        return replay


async def _respond(send: Send, status: int, content_type: bytes, body: bytes, request_id: str) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"content-length", str(len(body)).encode("ascii")),
        (b"content-type", content_type),
        (REQUEST_ID_HEADER, request_id.encode("ascii")),
    ]
    start: dict[str, Any] = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})
