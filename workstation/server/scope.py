"""Who may see what: the row filters behind every read route and every pull page."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true

from workstation.domain.enums import Role
from workstation.server.auth import Principal
from workstation.server.tables import Conversation


def conversation_filter(principal: Principal) -> ColumnElement[bool]:
    """Leads and admins see every conversation; agents see their queues and what is assigned to
    them; field engineers work from work orders, not the inbox."""
    if principal.sees_everything:
        return true()
    if principal.role in (Role.AGENT, Role.SENIOR_AGENT):
        clauses: list[ColumnElement[bool]] = [Conversation.assignee_id == principal.id]
        if principal.queues:
            clauses.append(Conversation.queue.in_(principal.queues))
        return or_(*clauses)
    return false()
