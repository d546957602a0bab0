"""Channel intake: signed webhooks for message channels and the phone system.

POST /channels/{channel}/messages   chat, app, sms, social, live_stream, web_form
POST /channels/phone/events         ringing, answered, ended, missed

Both carry X-Workstation-Timestamp and X-Workstation-Signature (see channels/signature.py);
the signature is checked before the request does anything. Importing this module also registers
the e-mail workers (SMTP listener, outbox sender) with workers.STARTERS.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from workstation.server.channels import starters
from workstation.server.channels.fast_path import store_message
from workstation.server.channels.intake import run_intake
from workstation.server.channels.phone import apply_phone_event
from workstation.server.channels.schemas import InboundMessage, PhoneEvent
from workstation.server.channels.signature import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    verify,
)
from workstation.server.context import ServerContext, get_ctx
from workstation.server.hints import Hint
from workstation.server.problems import Problem

log = logging.getLogger("workstation.server.channels")

starters.register()

router = APIRouter(tags=["channels"])

Ctx = Annotated[ServerContext, Depends(get_ctx)]


class WebhookChannel(StrEnum):
    CHAT = "chat"
    APP = "app"
    SMS = "sms"
    SOCIAL = "social"
    LIVE_STREAM = "live_stream"
    WEB_FORM = "web_form"


class IntakeReply(BaseModel):
    conversation_id: str
    message_id: str
    customer_id: str
    duplicate: bool


class PhoneReply(BaseModel):
    call_id: str
    external_call_id: str
    state: str
    customer_id: str | None
    conversation_id: str | None
    duplicate: bool


_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing, malformed, mismatched or stale signature"},
    422: {"description": "the body breaks the schema; `errors` names each field"},
    503: {"description": "the channel has no webhook secret configured"},
}


async def _check_signature(request: Request, ctx: ServerContext, channel: str, timestamp: str | None, signature: str | None) -> None:
    secret = ctx.settings.webhook_secrets.get(channel)
    if not secret:
        raise Problem(
            503, "Channel not configured",
            f"channel not configured: no webhook secret is set for {channel!r} "
            f"(WORKSTATION_WEBHOOK_SECRET_{channel.upper()} or WORKSTATION_WEBHOOK_SECRET)",
            kind="channel-not-configured",
        )
    raw = await request.body()
    try:
        verify(
            secret,
            timestamp=timestamp,
            signature=signature,
            body=raw,
            now=ctx.clock(),
            tolerance_seconds=ctx.settings.webhook_tolerance_seconds,
        )
    except SignatureError as exc:
        title = "Stale request" if exc.reason == "stale" else "Bad signature"
        raise Problem(401, title, exc.detail, kind="stale-request" if exc.reason == "stale" else "bad-signature") from exc


TimestampHeader = Annotated[str | None, Header(alias=TIMESTAMP_HEADER, description="Unix seconds when the request was signed")]
SignatureHeader = Annotated[
    str | None, Header(alias=SIGNATURE_HEADER, description='"sha256=" + hex HMAC-SHA256(secret, f"{timestamp}." + body)')
]


async def signed_message(
    request: Request, channel: WebhookChannel, ctx: Ctx, timestamp: TimestampHeader = None, signature: SignatureHeader = None
) -> None:
    await _check_signature(request, ctx, channel.value, timestamp, signature)


async def signed_phone_event(
    request: Request, ctx: Ctx, timestamp: TimestampHeader = None, signature: SignatureHeader = None
) -> None:
    await _check_signature(request, ctx, "phone", timestamp, signature)


@router.post(
    "/channels/{channel}/messages",
    status_code=202,
    response_model=IntakeReply,
    responses={200: {"model": IntakeReply, "description": "a replay: nothing was written"}, **_PROBLEMS},
    dependencies=[Depends(signed_message)],
    summary="A customer message from a webhook channel",
)
async def receive_message(channel: WebhookChannel, body: InboundMessage, ctx: Ctx) -> JSONResponse:
    # Well-formed, correctly signed deliveries are answered by channels/fast_path.py before
    # FastAPI sees them; this handler takes what that path hands on (and documents the route).
    result = await store_message(ctx, channel.value, body)
    return JSONResponse(result.as_dict(), status_code=200 if result.duplicate else 202)


@router.post(
    "/channels/phone/events",
    status_code=202,
    response_model=PhoneReply,
    responses={200: {"model": PhoneReply, "description": "a repeated event: nothing changed"}, **_PROBLEMS},
    dependencies=[Depends(signed_phone_event)],
    summary="A call event from the telephony system",
)
async def receive_phone_event(body: PhoneEvent, ctx: Ctx) -> JSONResponse:
    result = await run_intake(ctx, apply_phone_event, ctx, body)
    if not result.duplicate:
        ctx.hub.poke_soon()
    if result.screen_pop is not None:
        # In-process only: the desks connected to this API process get the pop at once; the
        # call row itself reaches every desk through the normal pull.
        ctx.hub.publish(Hint(seq=ctx.hub.last_seq, kind="screen_pop", data=result.screen_pop))
    return JSONResponse(result.as_dict(), status_code=200 if result.duplicate else 202)
