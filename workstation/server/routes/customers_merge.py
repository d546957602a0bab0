"""Merging duplicate customers (the same person reached us on two channels)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from workstation.server.auth import LEADS, STAFF, Principal, require_roles
from workstation.server.context import ServerContext, get_ctx
from workstation.server.identity import merge_customers, suggest_merges
from workstation.server.schemas import Strict

router = APIRouter(tags=["customers"])
Ctx = Annotated[ServerContext, Depends(get_ctx)]
# Merging is hard to undo and joins two people's histories, so it is a team lead's call.
Merger = Annotated[Principal, Depends(require_roles(*LEADS))]
Staff = Annotated[Principal, Depends(require_roles(*STAFF))]


class MergeRequest(Strict):
    duplicate_id: Annotated[str, Field(min_length=1, max_length=36)]


class MergeReply(BaseModel):
    kept_id: str
    merged_id: str
    moved: dict[str, int]


class MergeSuggestion(BaseModel):
    customer_id: str
    display_name: str
    phone: str | None
    reasons: list[str]
    created_at: str


@router.post("/customers/{customer_id}/merge", response_model=MergeReply)
async def merge(customer_id: str, body: MergeRequest, request: Request, ctx: Ctx, principal: Merger) -> dict[str, Any]:
    address = request.client.host if request.client else None

    def work() -> dict[str, Any]:
        with ctx.db.write() as session:
            return merge_customers(
                session, ctx, keep_id=customer_id, merge_id=body.duplicate_id, actor=principal, address=address
            ).as_dict()

    result = await run_in_threadpool(work)
    ctx.hub.poke()
    return result


@router.get("/customers/{customer_id}/merge-suggestions", response_model=list[MergeSuggestion])
def merge_suggestions(customer_id: str, ctx: Ctx, principal: Staff) -> list[dict[str, Any]]:
    with ctx.db.read() as session:
        return suggest_merges(session, customer_id)
