"""Conversation rules: status moves, claiming, and who may take urgent work."""

from __future__ import annotations

from collections.abc import Mapping

from workstation.domain.authority import effective_role
from workstation.domain.enums import ConversationStatus, Priority, Role
from workstation.domain.errors import DomainError, InvalidTransition
from workstation.domain.policy import Policy

C = ConversationStatus

_TRANSITIONS: Mapping[ConversationStatus, frozenset[ConversationStatus]] = {
    C.NEW: frozenset({C.OPEN, C.CLOSED}),  # closing a new one is for spam and duplicates
    C.OPEN: frozenset({C.PENDING_CUSTOMER, C.PENDING_INTERNAL, C.RESOLVED}),
    C.PENDING_CUSTOMER: frozenset({C.OPEN, C.PENDING_INTERNAL, C.RESOLVED}),
    C.PENDING_INTERNAL: frozenset({C.OPEN, C.PENDING_CUSTOMER, C.RESOLVED}),
    C.RESOLVED: frozenset({C.OPEN, C.CLOSED}),  # the customer wrote again
    C.CLOSED: frozenset(),
}


class AlreadyClaimed(DomainError):
    """Another agent holds the conversation."""


def allowed_status_transitions(status: ConversationStatus) -> frozenset[ConversationStatus]:
    return _TRANSITIONS[status]


def check_status_transition(from_status: ConversationStatus, to_status: ConversationStatus) -> None:
    if to_status not in _TRANSITIONS[from_status]:
        raise InvalidTransition(
            f"a conversation cannot go from {from_status.value} to {to_status.value}",
            field="status",
        )


def check_claim(*, assignee_id: str | None, agent_id: str) -> None:
    """An agent may claim only an unassigned conversation; claiming one's own is a no-op."""
    if not agent_id:
        raise DomainError("agent_id is required", field="agent_id")
    if assignee_id is not None and assignee_id != agent_id:
        raise AlreadyClaimed(
            "the conversation is already claimed by another agent", field="assignee"
        )


def check_release(*, assignee_id: str | None, agent_id: str, role: Role) -> None:
    """Only the holder, or a team lead or admin, may hand a conversation back to the queue."""
    if assignee_id is None:
        raise DomainError("the conversation is not claimed", field="assignee")
    if assignee_id != agent_id and role not in (Role.TEAM_LEAD, Role.ADMIN):
        raise AlreadyClaimed(
            "only the agent holding it or a team lead may release it", field="assignee"
        )


def may_take(policy: Policy, *, role: Role, tenure_months: int, priority: Priority) -> bool:
    """Urgent conversations go to senior agents (with the tenure) or team leads."""
    if role is Role.FIELD_ENGINEER:
        return False
    if priority is not Priority.URGENT:
        return True
    acting = effective_role(policy, role=role, tenure_months=tenure_months)
    return acting in (Role.SENIOR_AGENT, Role.TEAM_LEAD, Role.ADMIN)
