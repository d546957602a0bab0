from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from workstation.server import auth
from workstation.server.auth import CurrentUser
from workstation.server.context import ServerContext, get_ctx
from workstation.server.schemas import Strict, Username

router = APIRouter(tags=["auth"])
Ctx = Annotated[ServerContext, Depends(get_ctx)]


class LoginRequest(Strict):
    username: Username
    password: str = Field(min_length=1, max_length=200)


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    queues: list[str]


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    user: UserOut


def _token_out(tokens: auth.IssuedTokens, principal: auth.Principal) -> TokenOut:
    return TokenOut(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
        user=UserOut(**principal.as_dict()),  # type: ignore[arg-type]
    )


@router.post("/auth/login", response_model=TokenOut)
def login(body: LoginRequest, request: Request, ctx: Ctx) -> TokenOut:
    address = request.client.host if request.client else "unknown"
    tokens, principal = auth.login(ctx, username=body.username, password=body.password, address=address)
    return _token_out(tokens, principal)


@router.post("/auth/refresh", response_model=TokenOut)
def refresh(body: RefreshRequest, ctx: Ctx) -> TokenOut:
    tokens, principal = auth.refresh(ctx, body.refresh_token)
    return _token_out(tokens, principal)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, principal: CurrentUser, ctx: Ctx) -> None:
    auth.logout(ctx, auth.bearer_token(request))


@router.get("/me", response_model=UserOut)
def me(principal: CurrentUser) -> UserOut:
    return UserOut(**principal.as_dict())  # type: ignore[arg-type]
