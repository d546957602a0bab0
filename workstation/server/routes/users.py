from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import select

from workstation.domain.enums import Role
from workstation.server import auth
from workstation.server.audit import record_audit
from workstation.server.auth import Principal
from workstation.server.context import ServerContext, get_ctx
from workstation.server.problems import conflict
from workstation.server.schemas import Strict, Username
from workstation.server.tables import User

router = APIRouter(tags=["users"])
Ctx = Annotated[ServerContext, Depends(get_ctx)]
Admin = Annotated[Principal, Depends(auth.require_roles(Role.ADMIN))]
Staff = Annotated[Principal, Depends(auth.require_roles(*Role))]


class UserCreate(Strict):
    username: Username
    password: str = Field(min_length=auth.MIN_PASSWORD_LENGTH, max_length=200)
    role: Role
    display_name: str | None = Field(default=None, min_length=1, max_length=120)
    queues: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list, max_length=50)
    tenure_start: date | None = None


class UserSummary(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    queues: list[str]
    active: bool


def _summary(user: User) -> UserSummary:
    return UserSummary(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        queues=list(user.queues or []),
        active=user.active,
    )


@router.get("/users", response_model=list[UserSummary])
def list_users(ctx: Ctx, _: Staff) -> list[UserSummary]:
    with ctx.db.read() as session:
        return [_summary(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


@router.post("/users", response_model=UserSummary, status_code=201)
def create_user(body: UserCreate, ctx: Ctx, admin: Admin) -> UserSummary:
    with ctx.db.write() as session:
        try:
            user = auth.create_user(
                session,
                username=body.username,
                password=body.password,
                role=body.role,
                display_name=body.display_name,
                queues=body.queues,
                tenure_start=body.tenure_start,
                now=ctx.clock(),
            )
        except ValueError as exc:
            raise conflict(str(exc)) from exc
        record_audit(session, ctx, actor=admin, action="user.create", target_type="user", target_id=user.id,
                     details={"username": user.username, "role": user.role})
        return _summary(user)
