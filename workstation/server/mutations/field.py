"""On-site work orders: the engineer confirms the visit and records the customer's sign-off."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.domain import cases as case_rules
from workstation.domain.enums import CaseKind, CaseState, Role, WorkOrderState
from workstation.domain.errors import DomainError
from workstation.domain.ids import new_id
from workstation.domain.warranty import quote_repair
from workstation.server.auth import Principal
from workstation.server.context import ServerContext
from workstation.server.mutations.base import (
    Args,
    Code,
    Id,
    MutationRejected,
    Text,
    domain_rejection,
    mutation,
    require_role,
)
from workstation.server.mutations.cases import item_facts
from workstation.server.tables import Case, CaseEvent, Order, OrderItem, WorkOrder

MAX_SIGNATURE_BYTES = 200 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

_OPEN_STATES = {WorkOrderState.SCHEDULED, WorkOrderState.CONFIRMED, WorkOrderState.IN_PROGRESS}


def _own_work_order(session: Session, principal: Principal, work_order_id: str) -> WorkOrder:
    require_role(principal, {Role.FIELD_ENGINEER}, "working on a work order")
    order = session.execute(
        select(WorkOrder).where(WorkOrder.id == work_order_id).with_for_update()
    ).scalar_one_or_none()
    if order is None or order.engineer_id != principal.id:
        raise MutationRejected("not_yours", f"work order {work_order_id} is not assigned to you")
    return order


class ConfirmArgs(Args):
    work_order_id: Id
    visit_at: AwareDatetime | None = None


@mutation("confirm_work_order", ConfirmArgs)
def confirm_work_order(
    session: Session, ctx: ServerContext, principal: Principal, args: ConfirmArgs
) -> None:
    """The engineer confirms the visit time (optionally a new one agreed with the customer)."""
    order = _own_work_order(session, principal, args.work_order_id)
    state = WorkOrderState(order.state)
    if state not in (WorkOrderState.SCHEDULED, WorkOrderState.CONFIRMED):
        raise MutationRejected("invalid_state", f"a work order that is {state.value} cannot be confirmed")
    if args.visit_at is not None:
        order.scheduled_at = args.visit_at
    order.confirmed_at = ctx.clock()
    order.state = WorkOrderState.CONFIRMED.value


class SignOffArgs(Args):
    work_order_id: Id
    diagnosis: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    parts: Annotated[list[Code], Field(max_length=50)] = []
    labour_code: Code | None = None
    user_caused: bool = False
    signer_name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    signature: Annotated[str, StringConstraints(min_length=1, max_length=300_000)]
    report: Text = ""

    @field_validator("signature")
    @classmethod
    def _png(cls, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("must be base64 of a PNG image") from None
        if len(raw) > MAX_SIGNATURE_BYTES:
            raise ValueError(f"the image is {len(raw)} bytes; the limit is {MAX_SIGNATURE_BYTES}")
        if not raw.startswith(PNG_MAGIC):
            raise ValueError("is not a PNG image (bad header)")
        return value


@mutation("sign_off_work_order", SignOffArgs)
def sign_off_work_order(
    session: Session, ctx: ServerContext, principal: Principal, args: SignOffArgs
) -> None:
    """Diagnosis, parts, labour and the customer's signature; signed work is final."""
    order = _own_work_order(session, principal, args.work_order_id)
    state = WorkOrderState(order.state)
    if state is WorkOrderState.SIGNED_OFF:
        raise MutationRejected("already_signed_off", "the work order is already signed off; it cannot be changed")
    if state not in _OPEN_STATES:
        raise MutationRejected("invalid_state", f"a work order that is {state.value} cannot be signed off")
    now = ctx.clock()
    case = session.get(Case, order.case_id) if order.case_id else None
    total = None
    if case is not None and (args.parts or args.labour_code):
        item = session.get(OrderItem, case.order_item_id)
        sale = session.get(Order, case.order_id)
        if item is not None and sale is not None:
            try:
                quote = quote_repair(
                    ctx.policy,
                    item=item_facts(item, sale),
                    user_caused=args.user_caused,
                    parts=args.parts,
                    labour_code=args.labour_code,
                    now=now,
                )
            except DomainError as exc:
                raise domain_rejection(exc) from None
            total = quote.total
    order.diagnosis = args.diagnosis
    order.parts = list(args.parts)
    order.labour_code = args.labour_code
    order.total = total
    order.signer_name = args.signer_name
    order.signature = args.signature
    order.report = args.report
    order.signed_off_at = now
    order.state = WorkOrderState.SIGNED_OFF.value
    if case is not None and CaseKind(case.kind) is CaseKind.REPAIR:
        current = CaseState(case.state)
        if CaseState.REPAIRED in case_rules.allowed_transitions(CaseKind.REPAIR, current):
            case.state = CaseState.REPAIRED.value
            case.state_entered_at = now
            case.owner_department = case_rules.owner_department(CaseKind.REPAIR, CaseState.REPAIRED).value
            case.deadline_at = case_rules.case_deadline(
                ctx.policy, kind=CaseKind.REPAIR, state=CaseState.REPAIRED, entered_at=now
            )
            session.add(
                CaseEvent(
                    id=new_id(),
                    case_id=case.id,
                    from_state=current.value,
                    to_state=CaseState.REPAIRED.value,
                    actor_id=principal.id,
                    note=f"signed off on site by {args.signer_name}",
                    at=now,
                )
            )
