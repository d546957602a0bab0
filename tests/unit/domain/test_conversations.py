from __future__ import annotations

import pytest

from workstation.domain.conversations import (
    AlreadyClaimed,
    check_claim,
    check_release,
    check_status_transition,
    may_take,
)
from workstation.domain.enums import ConversationStatus, Priority, Role
from workstation.domain.errors import InvalidTransition
from workstation.domain.policy import Policy

C = ConversationStatus


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (C.NEW, C.OPEN),
        (C.NEW, C.CLOSED),
        (C.OPEN, C.PENDING_CUSTOMER),
        (C.OPEN, C.PENDING_INTERNAL),
        (C.PENDING_CUSTOMER, C.OPEN),
        (C.PENDING_INTERNAL, C.RESOLVED),
        (C.OPEN, C.RESOLVED),
        (C.RESOLVED, C.OPEN),
        (C.RESOLVED, C.CLOSED),
    ],
)
def test_allowed_status_moves(source: ConversationStatus, target: ConversationStatus) -> None:
    check_status_transition(source, target)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (C.NEW, C.RESOLVED),
        (C.OPEN, C.NEW),
        (C.OPEN, C.CLOSED),
        (C.CLOSED, C.OPEN),
        (C.PENDING_CUSTOMER, C.CLOSED),
    ],
)
def test_refused_status_moves(source: ConversationStatus, target: ConversationStatus) -> None:
    with pytest.raises(InvalidTransition):
        check_status_transition(source, target)


def test_claim_rules() -> None:
    check_claim(assignee_id=None, agent_id="a1")
    check_claim(assignee_id="a1", agent_id="a1")  # claiming again is harmless
    with pytest.raises(AlreadyClaimed):
        check_claim(assignee_id="a2", agent_id="a1")


def test_release_rules() -> None:
    check_release(assignee_id="a1", agent_id="a1", role=Role.AGENT)
    check_release(assignee_id="a1", agent_id="lead", role=Role.TEAM_LEAD)
    with pytest.raises(AlreadyClaimed):
        check_release(assignee_id="a1", agent_id="a2", role=Role.SENIOR_AGENT)


@pytest.mark.parametrize(
    ("role", "tenure", "priority", "allowed"),
    [
        (Role.AGENT, 24, Priority.URGENT, False),
        (Role.SENIOR_AGENT, 5, Priority.URGENT, False),
        (Role.SENIOR_AGENT, 6, Priority.URGENT, True),
        (Role.TEAM_LEAD, 0, Priority.URGENT, True),
        (Role.AGENT, 0, Priority.HIGH, True),
        (Role.FIELD_ENGINEER, 30, Priority.LOW, False),
    ],
)
def test_who_may_take_urgent_work(
    policy: Policy, role: Role, tenure: int, priority: Priority, allowed: bool
) -> None:
    assert may_take(policy, role=role, tenure_months=tenure, priority=priority) is allowed
