from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import text

from workstation import __version__
from workstation.server.context import ServerContext, get_ctx
from workstation.server.problems import Problem

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str
    version: str
    change_seq: int


@router.get("/health", response_model=Health)
def health(ctx: Annotated[ServerContext, Depends(get_ctx)]) -> Health:
    try:
        with ctx.db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:
        raise Problem(503, "Unavailable", f"database unreachable: {type(exc).__name__}", kind="unavailable") from exc
    return Health(status="ok", database=ctx.db.dialect, version=__version__, change_seq=ctx.hub.last_seq)
