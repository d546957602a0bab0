"""Request bodies of the channel endpoints (unknown fields are refused)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError

from workstation.server.schemas import Strict


def _storable(value: str) -> str:
    """Text every database stores as given: no NUL characters, no lone UTF-16 surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode (a lone surrogate was found)") from exc
    return value


def _aware(value: datetime | None) -> datetime | None:
    """Times without an offset are read as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Handle = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_storable)]
Name = Annotated[str, Field(min_length=0, max_length=200), AfterValidator(_storable)]
PhoneText = Annotated[str, Field(min_length=0, max_length=40), AfterValidator(_storable)]
EmailText = Annotated[str, Field(min_length=0, max_length=300), AfterValidator(_storable)]
Body = Annotated[str, Field(min_length=0, max_length=20_000), AfterValidator(_storable)]
Subject = Annotated[str, Field(min_length=0, max_length=300), AfterValidator(_storable)]
MessageId = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_storable)]
OrderNo = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_storable)]
Url = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_storable)]
ContentType = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_storable)]
Timestamp = Annotated[datetime, AfterValidator(_aware)]


class Sender(Strict):
    handle: Handle = Field(description="the sender's id on the channel: visitor id, openid, phone number …")
    name: Name | None = None
    phone: PhoneText | None = None
    email: EmailText | None = None


class Attachment(Strict):
    name: Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_storable)]
    url: Url
    content_type: ContentType
    size: Annotated[int, Field(ge=0, le=10_000_000_000)] | None = None


class InboundMessage(Strict):
    """One customer message delivered by a channel's webhook."""

    message_id: MessageId = Field(description="the channel's id of this message; replays are recognised by it")
    sender: Sender
    text: Body
    subject: Subject | None = None
    sent_at: Timestamp | None = None
    order_no: OrderNo | None = None
    attachments: Annotated[list[Attachment], Field(max_length=20)] = Field(default_factory=list)


class PhoneEvent(Strict):
    """One event of a call, as the telephony system (CTI) reports it."""

    call_id: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_storable)]
    event: Literal["ringing", "answered", "ended", "missed"]
    caller: Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_storable)]
    agent: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_storable)] | None = None
    at: Timestamp | None = None
    duration_s: Annotated[int, Field(ge=0, le=7 * 24 * 3600)] | None = None


__all__ = ["Attachment", "InboundMessage", "PhoneEvent", "Sender", "ValidationError"]
