"""A small, typed HTTP client of the central ticket API.

Blocking by design: the UI calls it only from background operations (ui/tasks.py), never on
the UI thread. Errors come back as `ApiError`, parsed from RFC 9457 problem+json bodies.
Created on demand by the composition root; never built at import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

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


@dataclass(frozen=True, slots=True)
class Session:
    access_token: str
    refresh_token: str
    user: dict[str, Any] = field(default_factory=dict)
    expires_in: int | None = None


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
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
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ApiError(0, "Timed out", f"{method} {path}: {exc}") from exc
        except httpx.TransportError as exc:
            raise ApiError(0, "Server unreachable", f"{method} {path}: {exc}") from exc
        if response.is_error:
            raise _problem(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(response.status_code, "Invalid response", "body is not JSON") from exc

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
        if not isinstance(body, dict) or "access_token" not in body:
            raise ApiError(200, "Invalid response", "login answer carries no access_token")
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
