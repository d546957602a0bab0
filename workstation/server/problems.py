"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("workstation.server")

PROBLEM_BASE = "https://workstation.invalid/problems/"
MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """An error with an HTTP status and a message meant for the person or program calling."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind or title.lower().replace(" ", "-")
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str) -> dict[str, Any]:
        return {
            "type": PROBLEM_BASE + self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
            **self.extra,
        }


def not_found(what: str, ident: str) -> Problem:
    return Problem(404, "Not found", f"no {what} with id {ident!r}", kind="not-found")


def forbidden(detail: str) -> Problem:
    return Problem(403, "Forbidden", detail, kind="forbidden")


def conflict(detail: str, **extra: Any) -> Problem:
    return Problem(409, "Conflict", detail, kind="conflict", **extra)


def bad_request(detail: str, **extra: Any) -> Problem:
    return Problem(400, "Bad request", detail, kind="bad-request", **extra)


def unprocessable(detail: str, *, field: str | None = None, **extra: Any) -> Problem:
    if field:
        extra["errors"] = [{"field": field, "message": detail}]
    return Problem(422, "Invalid input", detail, kind="invalid-input", **extra)


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    return JSONResponse(
        problem.body(request.url.path), status_code=problem.status, media_type=MEDIA_TYPE, headers=problem.headers
    )


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        head, rest = parts[0], parts[1:]
        return f"{head}.{'.'.join(rest)}" if rest else head
    return ".".join(parts)


def _describe(errors: list[dict[str, Any]]) -> tuple[int, str, list[dict[str, str]]]:
    items = []
    status = 422
    for err in errors:
        etype = err.get("type", "")
        if etype == "json_invalid":
            status = 400
            ctx = err.get("ctx") or {}
            items.append({"field": "body", "message": f"malformed JSON: {ctx.get('error', 'cannot parse')}"})
            continue
        if etype == "extra_forbidden":
            message = "unknown field"
        elif etype == "missing":
            message = "required field is missing"
        else:
            message = str(err.get("msg", "invalid value"))
        items.append({"field": _field_path(err.get("loc", ())), "message": message})
    if not items:
        items.append({"field": "body", "message": "invalid request"})
    detail = "; ".join(f"{i['field']}: {i['message']}" for i in items[:5])
    if len(items) > 5:
        detail += f" (and {len(items) - 5} more)"
    return status, detail, items


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, detail, items = _describe(list(exc.errors()))
        title = "Malformed JSON" if status == 400 else "Invalid input"
        kind = "malformed-json" if status == 400 else "invalid-input"
        return problem_response(Problem(status, title, detail, kind=kind, errors=items), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 403: "Forbidden"}
        title = titles.get(exc.status_code, "HTTP error")
        detail = exc.detail if isinstance(exc.detail, str) else title
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such resource: {request.url.path}"
        problem = Problem(exc.status_code, title, detail, headers=dict(exc.headers or {}))
        return problem_response(problem, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        problem = Problem(500, "Internal error", "the server failed on this request; it has been logged")
        return problem_response(problem, request)
