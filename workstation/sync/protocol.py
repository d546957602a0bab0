"""Wire schemas of the sync protocol, shared by the desktop client and the ticket API.

See ARCHITECTURE.md, "Sync protocol". A client pushes *mutations* (intents with client-made
ids) numbered 1, 2, 3 … per installation (`client_id`), and pulls *changes*: rows of the
synced tables in the order of one server-wide change sequence, behind an opaque cursor.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SCHEMA_VERSION = 1

# Table names of the server's SYNCED_TABLES (workstation/server/tables.py); a test keeps the
# two in step. The client never imports the server, so the names are spelled out here.
ENTITIES: tuple[str, ...] = (
    "users",
    "customers",
    "identities",
    "orders",
    "order_items",
    "conversations",
    "messages",
    "calls",
    "cases",
    "case_events",
    "compensation_offers",
    "work_orders",
    "qa_evaluations",
    "surveys",
    "reply_scripts",
)

MAX_MUTATIONS_PER_PUSH = 500

ClientId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
MutationStatus = Literal["applied", "duplicate", "rejected", "gap"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Mutation(_Request):
    """One intent of the user, e.g. ``send_reply`` with its arguments."""

    mutation_id: Annotated[int, Field(ge=1)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    args: dict[str, Any]
    schema_version: Annotated[int, Field(ge=1)] = SCHEMA_VERSION
    created_at: datetime | None = None


class PushRequest(_Request):
    client_id: ClientId
    mutations: Annotated[
        list[Mutation], Field(min_length=1, max_length=MAX_MUTATIONS_PER_PUSH)
    ]


class MutationOutcome(BaseModel):
    """``applied``: done now. ``duplicate``: applied earlier, nothing done again.
    ``rejected``: refused for a business reason (``code``, ``reason``); the id is used up and
    a replay gets the same answer. ``gap``: an earlier id is missing; the batch stopped here."""

    mutation_id: int
    status: MutationStatus
    code: str | None = None
    reason: str | None = None


class PushResponse(BaseModel):
    results: list[MutationOutcome]
    last_applied: int


class Change(BaseModel):
    """The current state of one row; ``entity`` is its table name."""

    entity: str
    id: str
    seq: int
    data: dict[str, Any]


class PullResponse(BaseModel):
    changes: list[Change]
    cursor: str
    has_more: bool
    last_applied_mutation_id: int


class CursorError(ValueError):
    """A cursor this server did not make."""


_CURSOR_PREFIX = "v1:"


def encode_cursor(seq: int) -> str:
    """An opaque token for "everything up to change ``seq`` has been seen"."""
    if seq < 0:
        raise ValueError("a cursor position cannot be negative")
    raw = f"{_CURSOR_PREFIX}{seq}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The change sequence position of ``cursor``; empty or missing means the beginning."""
    if cursor is None or cursor == "":
        return 0
    if len(cursor) > 64:
        raise CursorError("the cursor is too long to be one this server made")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise CursorError("the cursor is not valid: pass back the cursor of the last page") from None
    if not text.startswith(_CURSOR_PREFIX):
        raise CursorError("the cursor is of an unknown version: start over without a cursor")
    digits = text[len(_CURSOR_PREFIX) :]
    if not digits.isdigit() or not digits.isascii() or len(digits) > 19:
        raise CursorError("the cursor is not valid: pass back the cursor of the last page")
    return int(digits)
