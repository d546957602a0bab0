"""ASGI middleware: request body size limit and one structured log line per request."""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workstation.server.problems import MEDIA_TYPE, PROBLEM_BASE

log = logging.getLogger("workstation.server.access")


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse bodies over the limit with 413, whether Content-Length says so or the stream does."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = next((value for name, value in scope.get("headers") or () if name == b"content-length"), None)
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0 or declared > self.max_bytes:
                await self._reject(scope, send, declared)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(scope, send, received)

    async def _reject(self, scope: Scope, send: Send, size: int) -> None:
        detail = (
            f"request body is {size} bytes; the limit is {self.max_bytes}"
            if size >= 0
            else "Content-Length header is not a valid size"
        )
        status = 413 if size >= 0 else 400
        body = json.dumps(
            {
                "type": PROBLEM_BASE + ("body-too-large" if status == 413 else "bad-request"),
                "title": "Body too large" if status == 413 else "Bad request",
                "status": status,
                "detail": detail,
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


REQUEST_ID_HEADER = b"x-request-id"


def new_request_id() -> str:
    # 12 random hex digits, as uuid4().hex[:12] gave, without building a UUID per request.
    return os.urandom(6).hex()


def log_request(request_id: str, method: str | None, path: str | None, status: int, started: float) -> None:
    """The access log line of one request (`started`: its time.perf_counter())."""
    if not log.isEnabledFor(logging.INFO):
        return  # most of this line's cost is building it; skip that when nobody reads it
    log.info(
        "request",
        extra={
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )


class AccessLog:
    """One structured log line per request, and its id in an X-Request-ID response header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        started = time.perf_counter()
        status = 0

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, request_id.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            log_request(request_id, scope.get("method"), scope.get("path"), status, started)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, so logs can be shipped and queried."""

    _skip = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in self._skip:
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger("workstation")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
