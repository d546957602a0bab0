"""State machines of return, exchange and repair cases, their owners and step deadlines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from workstation.domain.enums import CaseKind, CaseState, Department
from workstation.domain.errors import DomainError, InvalidTransition
from workstation.domain.policy import Policy

S = CaseState

_CANCELLABLE = frozenset({S.SUBMITTED, S.APPROVED, S.DIAGNOSING, S.ONSITE_SCHEDULED})

_RETURN: Mapping[CaseState, frozenset[CaseState]] = {
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.SHIPPED_BACK, S.CANCELLED}),
    S.SHIPPED_BACK: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset({S.CLOSED}),
    S.REJECTED: frozenset({S.CLOSED}),
}

_EXCHANGE: Mapping[CaseState, frozenset[CaseState]] = {
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.SHIPPED_BACK, S.CANCELLED}),
    S.SHIPPED_BACK: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.REPLACEMENT_SHIPPED}),
    S.REPLACEMENT_SHIPPED: frozenset({S.CLOSED}),
    S.REJECTED: frozenset({S.CLOSED}),
}

# A repair is diagnosed remotely first; if that fails an engineer visits, or the customer
# mails the item in (shipped_back → received) for a workshop repair.
_REPAIR: Mapping[CaseState, frozenset[CaseState]] = {
    S.SUBMITTED: frozenset({S.DIAGNOSING, S.REJECTED, S.CANCELLED}),
    S.DIAGNOSING: frozenset({S.REPAIRED, S.ONSITE_SCHEDULED, S.SHIPPED_BACK, S.CANCELLED}),
    S.ONSITE_SCHEDULED: frozenset({S.REPAIRED, S.CANCELLED}),
    S.SHIPPED_BACK: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.REPAIRED}),
    S.REPAIRED: frozenset({S.CLOSED}),
    S.REJECTED: frozenset({S.CLOSED}),
}

_MACHINES: Mapping[CaseKind, Mapping[CaseState, frozenset[CaseState]]] = {
    CaseKind.RETURN: _RETURN,
    CaseKind.EXCHANGE: _EXCHANGE,
    CaseKind.REPAIR: _REPAIR,
}

INITIAL_STATE = S.SUBMITTED
TERMINAL_STATES = frozenset({S.CLOSED, S.CANCELLED})


def states(kind: CaseKind) -> frozenset[CaseState]:
    """Every state a case of this kind can be in."""
    machine = _MACHINES[kind]
    reached = set(machine)
    for targets in machine.values():
        reached |= targets
    return frozenset(reached)


def allowed_transitions(kind: CaseKind, state: CaseState) -> frozenset[CaseState]:
    return _MACHINES[kind].get(state, frozenset())


def check_transition(
    kind: CaseKind, from_state: CaseState, to_state: CaseState, *, reason: str | None = None
) -> None:
    """Refuse a move the state machine does not allow; a rejection must say why."""
    if to_state not in allowed_transitions(kind, from_state):
        allowed = sorted(s.value for s in allowed_transitions(kind, from_state))
        hint = f"; from there it can go to {', '.join(allowed)}" if allowed else "; it is final"
        raise InvalidTransition(
            f"a {kind.value} case cannot go from {from_state.value} to {to_state.value}{hint}",
            field="state",
        )
    if to_state is S.REJECTED:
        require_rejection_reason(reason)


def require_rejection_reason(reason: str | None) -> str:
    if reason is None or not reason.strip():
        raise DomainError("a rejection must give the customer its reason", field="reason")
    return reason.strip()


def owner_department(kind: CaseKind, state: CaseState) -> Department:
    """The department that must act next on a case in this state."""
    if state is S.SHIPPED_BACK:
        return Department.WAREHOUSE  # waits for the parcel to arrive
    if state is S.RECEIVED:
        return {
            CaseKind.RETURN: Department.FINANCE,
            CaseKind.EXCHANGE: Department.LOGISTICS,
            CaseKind.REPAIR: Department.ENGINEERING,
        }[kind]
    if state in (S.DIAGNOSING, S.ONSITE_SCHEDULED):
        return Department.ENGINEERING
    return Department.SERVICE


def case_deadline(
    policy: Policy,
    *,
    kind: CaseKind,
    state: CaseState,
    entered_at: datetime,
    remote_area: bool = False,
) -> datetime | None:
    """When the step that starts on entering ``state`` is due; ``None`` when no clock runs."""
    targets = policy.sla.cases
    period = None
    if state is S.SUBMITTED:
        period = targets.remote_diagnosis if kind is CaseKind.REPAIR else targets.return_review
    elif state is S.DIAGNOSING:
        period = targets.remote_diagnosis
    elif state is S.ONSITE_SCHEDULED:
        period = targets.onsite_visit
    elif state is S.APPROVED:
        period = targets.ship_back_remote if remote_area else targets.ship_back
    elif state is S.RECEIVED and kind is CaseKind.RETURN:
        period = targets.refund_after_receipt
    elif state is S.RECEIVED and kind is CaseKind.EXCHANGE:
        period = targets.exchange_ship_after_receipt
    if period is None:
        return None
    return policy.deadline(period, entered_at)
