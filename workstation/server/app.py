"""create_app: the server's composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from workstation import __version__
from workstation.domain.clock import Clock, system_clock
from workstation.server import problems
from workstation.server.changes import install_stamping
from workstation.server.channels.fast_path import WebhookFastPath
from workstation.server.checkpoints import WalCheckpointer
from workstation.server.context import ServerContext
from workstation.server.db import Database
from workstation.server.hints import HintHub
from workstation.server.middleware import AccessLog, BodyLimit
from workstation.server.settings import ServerSettings


class WorkstationApi(FastAPI):
    """FastAPI, with a lean path in front for the one route that takes sustained load.

    Webhook deliveries that are signed and well-formed go to `WebhookFastPath`; every other
    request, and any delivery that path hands on, takes the ordinary FastAPI stack.
    """

    webhook_fast_path: WebhookFastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fast = self.webhook_fast_path
        channel = fast.channel_for(scope) if fast is not None else None
        if channel is None:
            await super().__call__(scope, receive, send)
            return
        assert fast is not None
        await fast(scope, receive, send, channel=channel, fallback=super().__call__)


def load_server_policy(settings: ServerSettings) -> object:
    from workstation.domain.policy import load_policy

    return load_policy(settings.policy_path)


def create_app(settings: ServerSettings, *, clock: Clock = system_clock, db: Database | None = None) -> WorkstationApi:
    """Build the API over an already-migrated database (`workstation-server serve` migrates first)."""
    install_stamping()
    database = db or Database.connect(settings.database_url, background_checkpoints=True)
    ctx = ServerContext(
        db=database,
        settings=settings,
        policy=load_server_policy(settings),
        clock=clock,
        hub=HintHub(db=database, poll_seconds=settings.hint_poll_seconds),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from workstation.server import workers

        await ctx.hub.start()
        running = await workers.start(ctx) if settings.run_workers else []
        checkpointer = WalCheckpointer.start(database) if database.background_checkpoints else None
        try:
            yield
        finally:
            await workers.stop(running)
            await ctx.hub.stop()
            if checkpointer is not None:
                await checkpointer.stop()
            if db is None:
                database.dispose()

    app = WorkstationApi(
        title="Workstation ticket API",
        version=__version__,
        description="Central ticket API for after-sales service workstations: sync, channels, cases.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    problems.install(app)
    from workstation.server.routes import register

    register(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)
    from workstation.server.routes.channels import WebhookChannel

    app.webhook_fast_path = WebhookFastPath(
        ctx=ctx, channels=[c.value for c in WebhookChannel], max_body_bytes=settings.max_body_bytes
    )
    return app
