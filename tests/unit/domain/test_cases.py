from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.unit.domain.support import local
from workstation.domain.cases import (
    allowed_transitions,
    case_deadline,
    check_transition,
    owner_department,
    states,
)
from workstation.domain.enums import CaseKind, CaseState, Department
from workstation.domain.errors import DomainError, InvalidTransition
from workstation.domain.policy import Policy

K = CaseKind
S = CaseState

HAPPY_PATHS = {
    K.RETURN: [S.SUBMITTED, S.APPROVED, S.SHIPPED_BACK, S.RECEIVED, S.REFUNDED, S.CLOSED],
    K.EXCHANGE: [
        S.SUBMITTED,
        S.APPROVED,
        S.SHIPPED_BACK,
        S.RECEIVED,
        S.REPLACEMENT_SHIPPED,
        S.CLOSED,
    ],
    K.REPAIR: [S.SUBMITTED, S.DIAGNOSING, S.ONSITE_SCHEDULED, S.REPAIRED, S.CLOSED],
}


@pytest.mark.parametrize(
    ("kind", "source", "target"),
    [
        (kind, a, b)
        for kind, path in HAPPY_PATHS.items()
        for a, b in zip(path, path[1:], strict=False)
    ]
    + [
        (K.REPAIR, S.DIAGNOSING, S.REPAIRED),  # fixed remotely
        (K.REPAIR, S.DIAGNOSING, S.SHIPPED_BACK),
        (K.REPAIR, S.RECEIVED, S.REPAIRED),
        (K.RETURN, S.SUBMITTED, S.CANCELLED),
        (K.RETURN, S.APPROVED, S.CANCELLED),
        (K.EXCHANGE, S.SUBMITTED, S.CANCELLED),
        (K.REPAIR, S.ONSITE_SCHEDULED, S.CANCELLED),
        (K.RETURN, S.REJECTED, S.CLOSED),
    ],
)
def test_valid_transitions(kind: CaseKind, source: CaseState, target: CaseState) -> None:
    check_transition(kind, source, target)
    assert target in allowed_transitions(kind, source)


@pytest.mark.parametrize(
    ("kind", "source", "target"),
    [
        (K.RETURN, S.SUBMITTED, S.REFUNDED),  # skipping review and receipt
        (K.RETURN, S.APPROVED, S.RECEIVED),
        (K.RETURN, S.RECEIVED, S.REPLACEMENT_SHIPPED),  # that is an exchange
        (K.RETURN, S.SHIPPED_BACK, S.CANCELLED),  # goods already on their way
        (K.RETURN, S.REFUNDED, S.CANCELLED),
        (K.EXCHANGE, S.RECEIVED, S.REFUNDED),
        (K.REPAIR, S.SUBMITTED, S.APPROVED),
        (K.REPAIR, S.REPAIRED, S.CANCELLED),
        (K.RETURN, S.CLOSED, S.SUBMITTED),
        (K.RETURN, S.CANCELLED, S.APPROVED),
        (K.RETURN, S.SUBMITTED, S.SUBMITTED),
    ],
)
def test_invalid_transitions(kind: CaseKind, source: CaseState, target: CaseState) -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition(kind, source, target)
    message = str(caught.value)
    assert kind.value in message and source.value in message and target.value in message
    assert isinstance(caught.value, DomainError)


@pytest.mark.parametrize("kind", list(CaseKind))
def test_final_states_have_no_way_out(kind: CaseKind) -> None:
    assert allowed_transitions(kind, S.CLOSED) == frozenset()
    assert allowed_transitions(kind, S.CANCELLED) == frozenset()
    assert {S.SUBMITTED, S.CLOSED, S.CANCELLED} <= states(kind)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_rejection_needs_a_reason(reason: str | None) -> None:
    with pytest.raises(DomainError) as caught:
        check_transition(K.RETURN, S.SUBMITTED, S.REJECTED, reason=reason)
    assert caught.value.field == "reason"


def test_rejection_with_a_reason() -> None:
    check_transition(K.RETURN, S.SUBMITTED, S.REJECTED, reason="photo shows water damage")


@pytest.mark.parametrize(
    ("kind", "state", "department"),
    [
        (K.RETURN, S.SUBMITTED, Department.SERVICE),
        (K.RETURN, S.SHIPPED_BACK, Department.WAREHOUSE),
        (K.RETURN, S.RECEIVED, Department.FINANCE),
        (K.EXCHANGE, S.RECEIVED, Department.LOGISTICS),
        (K.REPAIR, S.DIAGNOSING, Department.ENGINEERING),
        (K.REPAIR, S.ONSITE_SCHEDULED, Department.ENGINEERING),
        (K.REPAIR, S.RECEIVED, Department.ENGINEERING),
        (K.RETURN, S.REFUNDED, Department.SERVICE),
        (K.RETURN, S.CLOSED, Department.SERVICE),
    ],
)
def test_owner_department(kind: CaseKind, state: CaseState, department: Department) -> None:
    assert owner_department(kind, state) is department


ENTERED = local(2026, 11, 10, 17, 45)


def _end(day: int) -> datetime:
    return local(2026, 11, day, 23, 59, 59, 999999)


@pytest.mark.parametrize(
    ("kind", "state", "remote", "expected"),
    [
        (K.RETURN, S.SUBMITTED, False, ENTERED + timedelta(hours=24)),
        (K.EXCHANGE, S.SUBMITTED, False, ENTERED + timedelta(hours=24)),
        (K.RETURN, S.APPROVED, False, _end(17)),
        (K.RETURN, S.APPROVED, True, _end(20)),
        (K.RETURN, S.RECEIVED, False, _end(13)),
        (K.EXCHANGE, S.RECEIVED, False, _end(12)),
        (K.REPAIR, S.SUBMITTED, False, ENTERED + timedelta(hours=2)),
        (K.REPAIR, S.DIAGNOSING, False, ENTERED + timedelta(hours=2)),
        (K.REPAIR, S.ONSITE_SCHEDULED, False, ENTERED + timedelta(hours=48)),
        (K.RETURN, S.SHIPPED_BACK, False, None),
        (K.RETURN, S.CLOSED, False, None),
    ],
)
def test_case_deadline(
    policy: Policy, kind: CaseKind, state: CaseState, remote: bool, expected: datetime | None
) -> None:
    assert (
        case_deadline(policy, kind=kind, state=state, entered_at=ENTERED, remote_area=remote)
        == expected
    )
