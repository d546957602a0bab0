"""Users, passwords (argon2), bearer tokens with refresh, login throttling, role checks."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server.context import ServerContext, get_ctx
from workstation.server.problems import Problem
from workstation.server.tables import LoginAttempt, Token, User

# OWASP's minimum argon2id settings: strong enough, and a login stays well under 100 ms.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The signed-in caller of a request."""

    id: str
    username: str
    display_name: str
    role: Role
    queues: tuple[str, ...]
    tenure_start: date | None

    def tenure_months(self, today: date) -> int:
        if self.tenure_start is None:
            return 0
        months = (today.year - self.tenure_start.year) * 12 + today.month - self.tenure_start.month
        if today.day < self.tenure_start.day:
            months -= 1
        return max(months, 0)

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.TEAM_LEAD, Role.ADMIN)

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=Role(user.role),
            queues=tuple(user.queues or ()),
            tenure_start=user.tenure_start,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "queues": list(self.queues),
        }


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    queues: list[str] | None = None,
    tenure_start: date | None = None,
    now: datetime,
    password_hash: str | None = None,
) -> User:
    if session.execute(select(User.id).where(User.username == username)).first():
        raise ValueError(f"user {username!r} already exists")
    user = User(
        id=new_id(),
        username=username,
        display_name=display_name or username,
        role=role.value,
        password_hash=password_hash or hash_password(password),
        tenure_start=tenure_start,
        queues=queues if queues is not None else [],
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True, kw_only=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


def _issue(session: Session, ctx: ServerContext, user_id: str) -> IssuedTokens:
    now = ctx.clock()
    access = secrets.token_urlsafe(32)
    refresh = secrets.token_urlsafe(32)
    access_ttl = timedelta(minutes=ctx.settings.access_token_minutes)
    session.add(Token(token_hash=_digest(access), user_id=user_id, kind="access", expires_at=now + access_ttl, created_at=now))
    session.add(
        Token(
            token_hash=_digest(refresh),
            user_id=user_id,
            kind="refresh",
            expires_at=now + timedelta(days=ctx.settings.refresh_token_days),
            created_at=now,
        )
    )
    return IssuedTokens(access_token=access, refresh_token=refresh, expires_in=int(access_ttl.total_seconds()))


def login(ctx: ServerContext, *, username: str, password: str, address: str) -> tuple[IssuedTokens, Principal]:
    now = ctx.clock()
    window_start = now - timedelta(minutes=ctx.settings.login_window_minutes)
    with ctx.db.write() as session:
        failures = session.execute(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.username == username, LoginAttempt.success.is_(False), LoginAttempt.at >= window_start)
        ).scalar_one()
        if failures >= ctx.settings.login_max_failures:
            retry = ctx.settings.login_window_minutes * 60
            raise Problem(
                429,
                "Too many attempts",
                f"too many failed sign-ins for {username!r}; try again in {ctx.settings.login_window_minutes} minutes",
                kind="login-throttled",
                headers={"Retry-After": str(retry)},
            )
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        # Verify against a dummy hash for unknown users so timing does not reveal who exists.
        ok = verify_password(user.password_hash if user else _DUMMY_HASH, password) and user is not None
        ok = ok and user is not None and user.active
        session.add(LoginAttempt(username=username[:64], address=address[:64], at=now, success=ok))
    if not ok or user is None:
        raise Problem(401, "Sign-in failed", "unknown user name or wrong password", kind="bad-credentials")
    with ctx.db.write() as session:
        tokens = _issue(session, ctx, user.id)
    return tokens, Principal.of(user)


def refresh(ctx: ServerContext, refresh_token: str) -> tuple[IssuedTokens, Principal]:
    now = ctx.clock()
    with ctx.db.write() as session:
        row = session.get(Token, _digest(refresh_token))
        if row is None or row.kind != "refresh" or row.revoked or row.expires_at <= now:
            raise Problem(401, "Sign-in expired", "the refresh token is unknown, used or expired", kind="bad-refresh-token")
        row.revoked = True  # refresh tokens rotate: each one works once
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            raise Problem(401, "Sign-in expired", "the account is disabled", kind="bad-refresh-token")
        tokens = _issue(session, ctx, user.id)
        return tokens, Principal.of(user)


def logout(ctx: ServerContext, access_token: str) -> None:
    with ctx.db.write() as session:
        row = session.get(Token, _digest(access_token))
        if row is not None:
            row.revoked = True


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(
            401,
            "Unauthorized",
            "this route needs a bearer token: sign in at POST /auth/login",
            kind="unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def authenticate(ctx: ServerContext, token: str) -> Principal:
    now = ctx.clock()
    with ctx.db.read() as session:
        row = session.get(Token, _digest(token))
        if row is None or row.kind != "access" or row.revoked:
            raise Problem(401, "Unauthorized", "the bearer token is not valid", kind="unauthorized", headers={"WWW-Authenticate": "Bearer"})
        if row.expires_at <= now:
            raise Problem(
                401,
                "Token expired",
                "the access token has expired: refresh it at POST /auth/refresh",
                kind="token-expired",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            raise Problem(401, "Unauthorized", "the account is disabled", kind="unauthorized")
        return Principal.of(user)


def current_principal(request: Request, ctx: Annotated[ServerContext, Depends(get_ctx)]) -> Principal:
    principal = authenticate(ctx, bearer_token(request))
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    allowed = frozenset(roles)

    def _check(principal: CurrentUser) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Problem(403, "Forbidden", f"this needs one of the roles: {names}; you are {principal.role.value}", kind="forbidden")
        return principal

    return _check


STAFF = (Role.AGENT, Role.SENIOR_AGENT, Role.TEAM_LEAD, Role.ADMIN)
LEADS = (Role.TEAM_LEAD, Role.ADMIN)
