from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import and_, func, select

from workstation.domain.enums import ConversationStatus, Priority
from workstation.server import serialize
from workstation.server.auth import CurrentUser
from workstation.server.context import ServerContext, get_ctx
from workstation.server.problems import not_found
from workstation.server.schemas import Limit, Offset
from workstation.server.scope import conversation_filter
from workstation.server.tables import Conversation, Customer, Message

router = APIRouter(tags=["conversations"])
Ctx = Annotated[ServerContext, Depends(get_ctx)]

_OPEN = [s.value for s in ConversationStatus if s not in (ConversationStatus.RESOLVED, ConversationStatus.CLOSED)]


class View(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    URGENT = "urgent"
    ABOUT_TO_BREACH = "about_to_breach"
    ALL = "all"
    CLOSED = "closed"


class ConversationPage(BaseModel):
    items: list[dict[str, Any]]
    total: int


@router.get("/conversations", response_model=ConversationPage)
def list_conversations(
    ctx: Ctx,
    principal: CurrentUser,
    view: View = View.ALL,
    limit: Annotated[Limit, Query()] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> ConversationPage:
    now = ctx.clock()
    where = [conversation_filter(principal)]
    if view is View.CLOSED:
        where.append(Conversation.status.in_([ConversationStatus.RESOLVED.value, ConversationStatus.CLOSED.value]))
    else:
        where.append(Conversation.status.in_(_OPEN))
    if view is View.MINE:
        where.append(Conversation.assignee_id == principal.id)
    elif view is View.UNASSIGNED:
        where.append(Conversation.assignee_id.is_(None))
    elif view is View.URGENT:
        where.append(Conversation.priority == Priority.URGENT.value)
    elif view is View.ABOUT_TO_BREACH:
        where.append(
            and_(
                Conversation.first_response_at.is_(None),
                Conversation.first_response_due_at <= now + timedelta(minutes=30),
            )
        )
    condition = and_(*where)
    with ctx.db.read() as session:
        total = session.execute(select(func.count()).select_from(Conversation).where(condition)).scalar_one()
        due = func.coalesce(Conversation.first_response_due_at, Conversation.resolution_due_at)
        order = (Conversation.closed_at.desc(),) if view is View.CLOSED else (due.asc().nulls_last(), Conversation.id)
        rows = session.execute(
            select(Conversation, Customer.display_name)
            .join(Customer, Customer.id == Conversation.customer_id)
            .where(condition)
            .order_by(*order)
            .limit(limit)
            .offset(offset)
        ).all()
        items = [serialize.conversation_summary(conv, name) for conv, name in rows]
    return ConversationPage(items=items, total=total)


@router.get("/conversations/{conversation_id}", response_model=dict[str, Any])
def get_conversation(conversation_id: str, ctx: Ctx, principal: CurrentUser) -> dict[str, Any]:
    with ctx.db.read() as session:
        conv = session.execute(
            select(Conversation).where(Conversation.id == conversation_id, conversation_filter(principal))
        ).scalar_one_or_none()
        if conv is None:
            raise not_found("conversation", conversation_id)
        return serialize.row(conv)


@router.get("/conversations/{conversation_id}/messages", response_model=list[dict[str, Any]])
def list_messages(
    conversation_id: str,
    ctx: Ctx,
    principal: CurrentUser,
    limit: Annotated[Limit, Query()] = 200,
    offset: Annotated[Offset, Query()] = 0,
) -> list[dict[str, Any]]:
    with ctx.db.read() as session:
        visible = session.execute(
            select(Conversation.id).where(Conversation.id == conversation_id, conversation_filter(principal))
        ).first()
        if visible is None:
            raise not_found("conversation", conversation_id)
        rows = session.execute(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.sent_at, Message.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
        return [serialize.row(m) for m in rows]
