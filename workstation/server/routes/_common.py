"""Small helpers shared by the read routes."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from workstation.domain.enums import Role
from workstation.server import auth, serialize
from workstation.server.auth import Principal
from workstation.server.context import ServerContext, get_ctx
from workstation.server.problems import not_found
from workstation.server.tables import Base

T = TypeVar("T", bound=Base)

Ctx = Annotated[ServerContext, Depends(get_ctx)]
Staff = Annotated[Principal, Depends(auth.require_roles(*auth.STAFF))]
Lead = Annotated[Principal, Depends(auth.require_roles(*auth.LEADS))]
Anyone = Annotated[Principal, Depends(auth.require_roles(*Role))]


def fetch(session: Session, model: type[T], ident: str, what: str) -> T:
    obj = session.get(model, ident)
    if obj is None:
        raise not_found(what, ident)
    return obj


def page(session: Session, stmt: Select[Any], *, limit: int, offset: int) -> dict[str, Any]:
    """Run a filtered select as one page: {"items": [...], "total": N}."""
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = session.execute(stmt.limit(limit).offset(offset)).scalars()
    return {"items": [serialize.row(r) for r in rows], "total": total}
