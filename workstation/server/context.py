"""What every request handler needs, built once per app by create_app (no globals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Request

from workstation.domain.clock import Clock
from workstation.server.db import Database
from workstation.server.settings import ServerSettings

if TYPE_CHECKING:
    from workstation.server.hints import HintHub


@dataclass(kw_only=True)
class ServerContext:
    db: Database
    settings: ServerSettings
    policy: Any  # workstation.domain.policy.Policy
    clock: Clock
    hub: HintHub


async def get_ctx(request: Request) -> ServerContext:
    # async: FastAPI would otherwise run this trivial lookup on a worker thread per request
    ctx: ServerContext = request.app.state.ctx
    return ctx
