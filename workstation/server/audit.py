"""The audit log of sensitive actions (contact reveals, offers, approvals, user changes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workstation.server.auth import Principal
from workstation.server.context import ServerContext
from workstation.server.tables import AuditEntry


def record_audit(
    session: Session,
    ctx: ServerContext,
    *,
    actor: Principal | None,
    action: str,
    target_type: str,
    target_id: str,
    details: dict[str, Any] | None = None,
    address: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=ctx.clock(),
            actor_id=actor.id if actor else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details or {},
            address=address,
        )
    )
