"""A small, typed HTTP client of the central ticket API.

Blocking by design: the UI calls it only from background operations (ui/tasks.py), never on
the UI thread. Errors come back as `ApiError`, parsed from RFC 9457 problem+json bodies.
Created on demand by the composition root; never built at import time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from pydantic import ValidationError
from pydantic_core import from_json

from workstation.sync.protocol import (
    Mutation,
    PullResponse,
    PushRequest,
    PushResponse,
)
from workstation.sync.transport import NO_RETRY, Retrying, RetryPolicy

View = Literal["mine", "unassigned", "urgent", "all", "closed"]
VIEWS: tuple[View, ...] = ("mine", "unassigned", "urgent", "all", "closed")


class ApiError(Exception):
    """The server answered with an error, or could not be reached (status 0)."""

    def __init__(
        self, status: int, title: str, detail: str = "", *, type_: str = "about:blank"
    ) -> None:
        super().__init__(f"{status} {title}" + (f": {detail}" if detail else ""))
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_

    @property
    def is_network(self) -> bool:
        """True when the server was not reached at all (offline, refused, timed out)."""
        return self.status == 0

    @property
    def is_transient(self) -> bool:
        """Worth trying again later: not reached, busy (429/503), or a server fault (5xx)."""
        return self.status == 0 or self.status in (408, 429) or self.status >= 500

    @property
    def is_auth(self) -> bool:
        """The sign-in is missing or expired (sign in again)."""
        return self.status == 401

    @property
    def is_resync_required(self) -> bool:
        """"Client unknown / must refetch": the server cannot continue from our cursor (409 with
        a ``resync-required`` problem type, or 410 Gone); the client must start over."""
        return self.status == 410 or (self.status == 409 and self.type.endswith("resync-required"))


@dataclass(frozen=True, slots=True)
class Session:
    access_token: str
    refresh_token: str
    user: dict[str, Any] = field(default_factory=dict)
    expires_in: int | None = None


def decode_json(body: bytes) -> Any:
    """A response body's JSON. pydantic-core's parser (Rust; short strings such as the keys of
    every change interned) is ~25% faster than `json.loads` on pull pages and holds repeated
    keys once; anything it refuses (e.g. a lone surrogate escape) gets the standard parser's
    verdict."""
    try:
        return from_json(body)
    except ValueError:
        return json.loads(body)


def _problem(response: httpx.Response) -> ApiError:
    title = response.reason_phrase or "HTTP error"
    detail = ""
    type_ = "about:blank"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        title = str(body.get("title") or title)
        raw_detail = body.get("detail")
        if isinstance(raw_detail, str):
            detail = raw_detail
        elif raw_detail is not None:  # e.g. FastAPI's default validation list
            detail = str(raw_detail)
        type_ = str(body.get("type") or type_)
    elif response.text:
        detail = response.text[:300]
    return ApiError(response.status_code, title, detail, type_=type_)


class ApiClient:
    """Blocking client; one per signed-in session. Thread-safe for concurrent requests."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | Retrying | None = None,
    ) -> None:
        """``retry``: a policy (or a configured `Retrying`) for transient failures; default none."""
        self.base_url = base_url.rstrip("/")
        if isinstance(retry, Retrying):
            self._retrying = retry
        else:
            self._retrying = Retrying(retry or NO_RETRY)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json, application/problem+json"},
        )
        self._session: Session | None = None

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def session(self) -> Session | None:
        return self._session

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", None) or {})
        if self._session is not None:
            headers["Authorization"] = f"Bearer {self._session.access_token}"
        try:
            response = self._retrying.call(
                lambda: self._http.request(method, path, headers=headers, **kwargs),
                what=f"{method} {path}",
            )
        except httpx.TimeoutException as exc:
            raise ApiError(0, "Timed out", f"{method} {path}: {exc}") from exc
        except httpx.TransportError as exc:
            raise ApiError(0, "Server unreachable", f"{method} {path}: {exc}") from exc
        if response.is_error:
            raise _problem(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return decode_json(response.content)
        except ValueError as exc:
            raise ApiError(response.status_code, "Invalid response", "body is not JSON") from exc

    @property
    def http(self) -> httpx.Client:
        """The underlying httpx client (for streaming, e.g. live hints)."""
        return self._http

    def auth_headers(self) -> dict[str, str]:
        if self._session is None:
            return {}
        return {"Authorization": f"Bearer {self._session.access_token}"}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- endpoints --------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", "/health")
        return result

    def login(self, username: str, password: str) -> Session:
        body = self._request(
            "POST", "/auth/login", json={"username": username, "password": password}
        )
        return self._adopt(body, "login")

    def refresh(self, refresh_token: str | None = None) -> Session:
        """A new session from a refresh token (by default the current session's); the
        caller should store the new refresh token (e.g. in the keyring)."""
        token = refresh_token or (self._session.refresh_token if self._session else "")
        if not token:
            raise ApiError(401, "Signed out", "there is no refresh token: sign in again")
        saved, self._session = self._session, None  # no stale bearer on the refresh call
        try:
            body = self._request("POST", "/auth/refresh", json={"refresh_token": token})
        except ApiError:
            self._session = saved
            raise
        return self._adopt(body, "refresh")

    def logout(self) -> None:
        """End the session at the server (best effort) and forget it here."""
        try:
            if self._session is not None:
                self._request("POST", "/auth/logout")
        finally:
            self._session = None

    def _adopt(self, body: Any, what: str) -> Session:
        if not isinstance(body, dict) or "access_token" not in body:
            raise ApiError(200, "Invalid response", f"{what} answer carries no access_token")
        expires = body.get("expires_in")
        self._session = Session(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or ""),
            user=dict(body.get("user") or {}),
            expires_in=int(expires) if isinstance(expires, int | float) else None,
        )
        return self._session

    def use_session(self, session: Session | None) -> None:
        """Adopt a session obtained elsewhere (e.g. restored from the keyring)."""
        self._session = session

    def me(self) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", "/me")
        return result

    def reveal_contact(self, customer_id: str, field: str, reason: str = "") -> dict[str, Any]:
        """The unmasked phone number or address of a customer (``field``: "phone" or
        "address"); allowed per role and audited by the server. Returns ``{"field", "value"}``."""
        if field not in ("phone", "address"):
            raise ValueError(f"field must be 'phone' or 'address', not {field!r}")
        body: dict[str, Any] = {"field": field}
        if reason:
            body["reason"] = reason
        result: dict[str, Any] = self._request(
            "POST", f"/customers/{customer_id}/reveal", json=body
        )
        return result

    def list_conversations(
        self, view: str = "mine", limit: int = 200, offset: int = 0
    ) -> dict[str, Any]:
        """One page of the inbox: `{"items": [...], "total": N}`."""
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
        result: dict[str, Any] = self._request(
            "GET", "/conversations", params={"view": view, "limit": limit, "offset": offset}
        )
        return result

    # -- sync -------------------------------------------------------------------------------

    def push(self, client_id: str, mutations: Sequence[Mutation]) -> PushResponse:
        """Send mutations (in id order, at most 500) to ``POST /sync/push``."""
        request = PushRequest(client_id=client_id, mutations=list(mutations))
        body = self._request(
            "POST", "/sync/push", content=request.model_dump_json(), headers={"Content-Type": "application/json"}
        )
        try:
            return PushResponse.model_validate(body)
        except ValidationError as exc:
            raise ApiError(200, "Invalid response", f"push answer: {exc}") from exc

    def pull(self, *, cursor: str | None, limit: int, client_id: str | None = None) -> PullResponse:
        """One page of changes after ``cursor`` from ``GET /sync/pull``."""
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        if client_id:
            params["client_id"] = client_id
        body = self._request("GET", "/sync/pull", params=params)
        try:
            return PullResponse.model_validate(body)
        except ValidationError as exc:
            raise ApiError(200, "Invalid response", f"pull answer: {exc}") from exc

    # -- reply scripts: authoring and approval (team leads, admins; online only) --------------

    def script_versions(self, key: str) -> list[dict[str, Any]]:
        """Every version of one script, any status (``GET /scripts/{key}/versions``)."""
        result: list[dict[str, Any]] = self._request("GET", f"/scripts/{key}/versions")
        return result

    def create_script(self, content: dict[str, Any]) -> dict[str, Any]:
        """A new script key as a draft, version 1 (``POST /scripts``)."""
        result: dict[str, Any] = self._request("POST", "/scripts", json=content)
        return result

    def edit_script_draft(self, key: str, version: int, changes: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._request("PATCH", f"/scripts/{key}/versions/{version}", json=changes)
        return result

    def submit_script(self, key: str, version: int) -> dict[str, Any]:
        result: dict[str, Any] = self._request("POST", f"/scripts/{key}/versions/{version}/submit")
        return result

    def approve_script(self, key: str, version: int) -> dict[str, Any]:
        """Approve a submitted version; a wording lint error comes back as a 422 ApiError."""
        result: dict[str, Any] = self._request("POST", f"/scripts/{key}/versions/{version}/approve")
        return result

    def reject_script(self, key: str, version: int, reason: str) -> dict[str, Any]:
        result: dict[str, Any] = self._request(
            "POST", f"/scripts/{key}/versions/{version}/reject", json={"reason": reason}
        )
        return result

    def retire_script(self, key: str, version: int) -> dict[str, Any]:
        result: dict[str, Any] = self._request("POST", f"/scripts/{key}/versions/{version}/retire")
        return result

    def revise_script(self, key: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        """A new draft version from the latest one (``POST /scripts/{key}/revise``)."""
        result: dict[str, Any] = self._request("POST", f"/scripts/{key}/revise", json=changes or {})
        return result

    def lint_script_text(self, text: str, *, language: str | None = None, channel: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text}
        if language:
            body["language"] = language
        if channel:
            body["channel"] = channel
        result: dict[str, Any] = self._request("POST", "/scripts/lint", json=body)
        return result

    # -- customers: duplicates (online only) ------------------------------------------------

    def merge_suggestions(self, customer_id: str) -> list[dict[str, Any]]:
        """Other customers who look like the same person (``GET
        /customers/{id}/merge-suggestions``): each with ``customer_id``, ``display_name``,
        masked ``phone``, ``reasons`` ("phone", "email", "name") and ``created_at``."""
        result: list[dict[str, Any]] = self._request("GET", f"/customers/{customer_id}/merge-suggestions")
        return result

    def merge_customers(self, keep_id: str, duplicate_id: str) -> dict[str, Any]:
        """Move everything of ``duplicate_id`` onto ``keep_id`` (team leads and admins; audited).
        Returns ``{"kept_id", "merged_id", "moved": {table: count}}``."""
        result: dict[str, Any] = self._request(
            "POST", f"/customers/{keep_id}/merge", json={"duplicate_id": duplicate_id}
        )
        return result
