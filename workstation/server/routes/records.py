"""Read routes for after-sales records: cases, compensation offers, work orders, QA, surveys,
reply scripts and the audit log. Writes go through POST /sync/push as mutations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import and_, select

from workstation.domain.enums import CaseKind, CaseState, OfferStatus, Role, WorkOrderState
from workstation.server import serialize
from workstation.server.auth import Principal
from workstation.server.problems import not_found
from workstation.server.routes._common import Anyone, Ctx, Lead, Staff, page
from workstation.server.schemas import Limit, Offset
from workstation.server.tables import (
    AuditEntry,
    Case,
    CaseEvent,
    CompensationOffer,
    QaEvaluation,
    ReplyScript,
    Survey,
    WorkOrder,
)

router = APIRouter()
PageLimit = Annotated[Limit, Query()]
PageOffset = Annotated[Offset, Query()]


def _case_visible(principal: Principal) -> Any:
    if principal.role is Role.FIELD_ENGINEER:
        mine = select(WorkOrder.case_id).where(WorkOrder.engineer_id == principal.id)
        return Case.id.in_(mine)
    return Case.id.is_not(None)


@router.get("/cases", tags=["cases"], response_model=dict[str, Any])
def list_cases(
    ctx: Ctx,
    principal: Anyone,
    kind: CaseKind | None = None,
    state: CaseState | None = None,
    customer_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> dict[str, Any]:
    where = [_case_visible(principal)]
    if kind:
        where.append(Case.kind == kind.value)
    if state:
        where.append(Case.state == state.value)
    if customer_id:
        where.append(Case.customer_id == customer_id)
    stmt = select(Case).where(and_(*where)).order_by(Case.created_at.desc(), Case.id)
    with ctx.db.read() as session:
        return page(session, stmt, limit=limit, offset=offset)


@router.get("/cases/{case_id}", tags=["cases"], response_model=dict[str, Any])
def get_case(case_id: str, ctx: Ctx, principal: Anyone) -> dict[str, Any]:
    with ctx.db.read() as session:
        case = session.execute(select(Case).where(Case.id == case_id, _case_visible(principal))).scalar_one_or_none()
        if case is None:
            raise not_found("case", case_id)
        events = session.execute(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at, CaseEvent.id)).scalars()
        return {**serialize.row(case), "events": [serialize.row(e) for e in events]}


@router.get("/compensation-offers", tags=["compensation"], response_model=dict[str, Any])
def list_offers(
    ctx: Ctx,
    principal: Staff,
    status: OfferStatus | None = None,
    customer_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> dict[str, Any]:
    """Leads see every offer (status=pending_approval is their approval queue); agents their own."""
    where = []
    if not principal.sees_everything:
        where.append(CompensationOffer.offered_by == principal.id)
    if status:
        where.append(CompensationOffer.status == status.value)
    if customer_id:
        where.append(CompensationOffer.customer_id == customer_id)
    stmt = select(CompensationOffer).where(and_(*where)).order_by(CompensationOffer.created_at.desc(), CompensationOffer.id)
    with ctx.db.read() as session:
        return page(session, stmt, limit=limit, offset=offset)


@router.get("/work-orders", tags=["work orders"], response_model=dict[str, Any])
def list_work_orders(
    ctx: Ctx,
    principal: Anyone,
    state: WorkOrderState | None = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> dict[str, Any]:
    """An engineer sees only their own work orders; service staff see all."""
    where = []
    if principal.role is Role.FIELD_ENGINEER:
        where.append(WorkOrder.engineer_id == principal.id)
    if state:
        where.append(WorkOrder.state == state.value)
    stmt = select(WorkOrder).where(and_(*where)).order_by(WorkOrder.scheduled_at, WorkOrder.id)
    with ctx.db.read() as session:
        result = page(session, stmt, limit=limit, offset=offset)
        if principal.role is not Role.FIELD_ENGINEER:
            for item in result["items"]:
                item["address"] = serialize.mask_address(item.get("address"))
        return result


@router.get("/work-orders/{work_order_id}", tags=["work orders"], response_model=dict[str, Any])
def get_work_order(work_order_id: str, ctx: Ctx, principal: Anyone) -> dict[str, Any]:
    with ctx.db.read() as session:
        wo = session.get(WorkOrder, work_order_id)
        if wo is None or (principal.role is Role.FIELD_ENGINEER and wo.engineer_id != principal.id):
            raise not_found("work order", work_order_id)
        return serialize.row(wo)


@router.get("/qa-evaluations", tags=["quality"], response_model=dict[str, Any])
def list_qa(
    ctx: Ctx,
    principal: Staff,
    agent_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> dict[str, Any]:
    """Leads see all evaluations; an agent sees the ones about their own work."""
    where = []
    if not principal.sees_everything:
        where.append(QaEvaluation.agent_id == principal.id)
    elif agent_id:
        where.append(QaEvaluation.agent_id == agent_id)
    stmt = select(QaEvaluation).where(and_(*where)).order_by(QaEvaluation.created_at.desc(), QaEvaluation.id)
    with ctx.db.read() as session:
        return page(session, stmt, limit=limit, offset=offset)


@router.get("/surveys", tags=["quality"], response_model=dict[str, Any])
def list_surveys(
    ctx: Ctx,
    _: Staff,
    callback_due: bool = False,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> dict[str, Any]:
    """Satisfaction surveys; callback_due=true lists unsatisfied ratings still waiting for a call."""
    where = []
    if callback_due:
        where += [Survey.callback_due_at.is_not(None), Survey.callback_done_at.is_(None)]
    stmt = select(Survey).where(and_(*where)).order_by(Survey.invited_at.desc(), Survey.id)
    with ctx.db.read() as session:
        return page(session, stmt, limit=limit, offset=offset)


@router.get("/scripts", tags=["scripts"], response_model=dict[str, Any])
def list_scripts(
    ctx: Ctx,
    principal: Staff,
    language: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: PageOffset = 0,
) -> dict[str, Any]:
    """Reply scripts: agents get approved versions only; leads and admins see every state."""
    where = []
    if not principal.sees_everything:
        where.append(ReplyScript.status == "approved")
    if language:
        where.append(ReplyScript.language == language)
    stmt = select(ReplyScript).where(and_(*where)).order_by(ReplyScript.key, ReplyScript.version)
    with ctx.db.read() as session:
        return page(session, stmt, limit=limit, offset=offset)


@router.get("/audit", tags=["audit"], response_model=dict[str, Any])
def list_audit(
    ctx: Ctx,
    _: Lead,
    action: Annotated[str | None, Query(max_length=60)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: PageLimit = 100,
    offset: PageOffset = 0,
) -> dict[str, Any]:
    where = []
    if action:
        where.append(AuditEntry.action == action)
    if target_id:
        where.append(AuditEntry.target_id == target_id)
    stmt = select(AuditEntry).where(and_(*where)).order_by(AuditEntry.id.desc())
    with ctx.db.read() as session:
        return page(session, stmt, limit=limit, offset=offset)
