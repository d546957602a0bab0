"""The local cache's tables (SQLAlchemy Core, one fresh `MetaData`).

Each synced entity (the server's table name, as it appears in pull changes) gets a table with

- `id` (primary key) and `seq` (the server's change sequence number of the stored version),
- the columns the desk queries, sorts and filters on, as real indexed columns — extracted
  from the wire dict by `store.apply` (see `FIELDS`),
- `data`: the whole wire dict as JSON, so a new server field is kept without a migration.

Times are stored as fixed-width UTC text, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (see
`store.timefmt`), so text order is time order. Money is stored as integer fen.

Outside the metadata (created by the migrations, listed in `OUTSIDE_METADATA`): the FTS5
trigram tables of `store.search` and the triggers that keep them, and `conversation_tags`,
in step with their content tables. Never VACUUM the cache except through
`CacheDatabase.vacuum()`, which rebuilds the full-text indexes afterwards (VACUUM may renumber
the implicit rowids the indexes point at).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

TS = String(32)
"""A UTC time as fixed-width text (``store.timefmt.TS_FORMAT``)."""


class Kind(Enum):
    """How a wire value becomes a column value."""

    STR = "str"
    INT = "int"
    BOOL = "bool"  # 0 / 1
    TIME = "time"  # ISO-8601 → fixed-width UTC text
    MONEY = "money"  # "12.34" → 1234 fen
    JSON = "json"  # list/dict → JSON text


@dataclass(frozen=True, slots=True)
class Field:
    column: str
    kind: Kind = Kind.STR
    key: str | None = None  # wire key when it differs from the column name

    @property
    def wire_key(self) -> str:
        return self.key or self.column


FIELDS: dict[str, tuple[Field, ...]] = {
    "users": (Field("username"), Field("display_name"), Field("role"), Field("active", Kind.BOOL)),
    "customers": (
        Field("display_name"),
        Field("language"),
        Field("merged_into"),
        Field("updated_at", Kind.TIME),
    ),
    "identities": (Field("customer_id"), Field("kind"), Field("handle")),
    "orders": (
        Field("order_no"),
        Field("customer_id"),
        Field("shop"),
        Field("status"),
        Field("amount_fen", Kind.MONEY, "amount"),
        Field("placed_at", Kind.TIME),
        Field("tracking_number"),
    ),
    "order_items": (Field("order_id"), Field("sku"), Field("title"), Field("category")),
    "conversations": (
        Field("customer_id"),
        Field("order_id"),
        Field("channel"),
        Field("request_type"),
        Field("priority"),
        Field("status"),
        Field("queue"),
        Field("assignee_id"),
        Field("subject"),
        Field("preview"),
        Field("tags", Kind.JSON),
        Field("opened_at", Kind.TIME),
        Field("first_response_at", Kind.TIME),
        Field("first_response_due_at", Kind.TIME),
        Field("resolution_due_at", Kind.TIME),
        Field("last_message_at", Kind.TIME),
        Field("closed_at", Kind.TIME),
        Field("unread", Kind.INT),
        # `sla_due_at` is derived (see store.apply.sla_due): the deadline that matters now.
    ),
    "messages": (
        Field("conversation_id"),
        Field("direction"),
        Field("channel"),
        Field("author_id"),
        Field("body"),
        Field("subject"),
        Field("sent_at", Kind.TIME),
    ),
    "calls": (
        Field("conversation_id"),
        Field("customer_id"),
        Field("caller"),
        Field("state"),
        Field("agent_id"),
        Field("ringing_at", Kind.TIME),
    ),
    "cases": (
        Field("kind"),
        Field("state"),
        Field("conversation_id"),
        Field("customer_id"),
        Field("order_id"),
        Field("deadline_at", Kind.TIME),
        Field("created_at", Kind.TIME),
    ),
    "case_events": (Field("case_id"), Field("to_state"), Field("at", Kind.TIME)),
    "compensation_offers": (
        Field("conversation_id"),
        Field("case_id"),
        Field("customer_id"),
        Field("kind"),
        Field("status"),
        Field("amount_fen", Kind.MONEY, "amount"),
        Field("created_at", Kind.TIME),
    ),
    "work_orders": (
        Field("case_id"),
        Field("customer_id"),
        Field("engineer_id"),
        Field("state"),
        Field("scheduled_at", Kind.TIME),
    ),
    "qa_evaluations": (
        Field("conversation_id"),
        Field("agent_id"),
        Field("evaluator_id"),
        Field("total", Kind.INT),
        Field("passed", Kind.BOOL),
        Field("amends"),
        Field("created_at", Kind.TIME),
    ),
    "surveys": (
        Field("conversation_id"),
        Field("customer_id"),
        Field("rating"),
        Field("invited_at", Kind.TIME),
        Field("callback_due_at", Kind.TIME),
    ),
    "reply_scripts": (
        Field("key"),
        Field("version", Kind.INT),
        Field("status"),
        Field("category"),
        Field("language"),
        Field("title"),
    ),
}

# Derived columns (not read straight from one wire key), computed by store.apply.
DERIVED: dict[str, tuple[str, ...]] = {"conversations": ("sla_due_at",)}

INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "users": (("username",),),
    "customers": (("display_name",), ("updated_at",)),
    "identities": (("customer_id",), ("kind", "handle")),
    "orders": (("order_no",), ("customer_id",), ("placed_at",), ("tracking_number",)),
    "order_items": (("order_id",),),
    "conversations": (
        # `id` last: the inbox ids query is answered from the index alone (no row lookups).
        ("status", "sla_due_at", "id"),
        ("assignee_id", "status"),
        ("priority", "status"),
        ("channel",),
        ("request_type",),
        ("customer_id", "last_message_at"),
        ("order_id",),
        ("last_message_at",),
        ("closed_at",),
    ),
    "messages": (("conversation_id", "sent_at"), ("sent_at",)),
    "calls": (("conversation_id",), ("customer_id",), ("ringing_at",)),
    "cases": (("conversation_id",), ("customer_id",), ("order_id",), ("state",)),
    "case_events": (("case_id", "at"),),
    "compensation_offers": (("conversation_id",), ("case_id",), ("status",)),
    "work_orders": (("engineer_id", "scheduled_at"), ("case_id",), ("state",)),
    "qa_evaluations": (("conversation_id",), ("agent_id",)),
    "surveys": (("conversation_id",), ("customer_id",)),
    "reply_scripts": (("key", "version"),),
}

_SQL_TYPE: dict[Kind, TypeEngine[Any]] = {
    Kind.STR: Text(),
    Kind.INT: Integer(),
    Kind.BOOL: Integer(),
    Kind.TIME: TS,
    Kind.MONEY: BigInteger(),
    Kind.JSON: Text(),
}


def _entity_table(name: str) -> Table:
    columns: list[Column[Any]] = [
        Column("id", String(64), primary_key=True),
        Column("seq", BigInteger, nullable=False, server_default="0"),
        Column("data", JSON, nullable=False),
    ]
    columns += [Column(f.column, _SQL_TYPE[f.kind], nullable=True) for f in FIELDS[name]]
    columns += [Column(c, TS, nullable=True) for c in DERIVED.get(name, ())]
    table = Table(name, metadata, *columns)
    for cols in INDEXES.get(name, ()):
        Index(f"ix_{name}_{'_'.join(cols)}", *(table.c[c] for c in cols))
    return table


ENTITY_TABLES: dict[str, Table] = {name: _entity_table(name) for name in FIELDS}
"""Entity name (the server's table name) → local table."""

users = ENTITY_TABLES["users"]
customers = ENTITY_TABLES["customers"]
identities = ENTITY_TABLES["identities"]
orders = ENTITY_TABLES["orders"]
order_items = ENTITY_TABLES["order_items"]
conversations = ENTITY_TABLES["conversations"]
messages = ENTITY_TABLES["messages"]
calls = ENTITY_TABLES["calls"]
cases = ENTITY_TABLES["cases"]
case_events = ENTITY_TABLES["case_events"]
compensation_offers = ENTITY_TABLES["compensation_offers"]
work_orders = ENTITY_TABLES["work_orders"]
qa_evaluations = ENTITY_TABLES["qa_evaluations"]
surveys = ENTITY_TABLES["surveys"]
reply_scripts = ENTITY_TABLES["reply_scripts"]

conversation_tags = Table(
    "conversation_tags",
    metadata,
    Column("conversation_id", String(64), primary_key=True),
    Column("tag", String(100), primary_key=True),
    Index("ix_conversation_tags_tag", "tag", "conversation_id"),
)
"""One row per (conversation, tag); kept by triggers on `conversations.tags`."""

unknown_changes = Table(
    "unknown_changes",
    metadata,
    Column("entity", String(60), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("data", JSON, nullable=True),
    Column("received_at", TS, nullable=False),
)
"""Changes of entities this client version does not know, kept for a later version."""

sync_state = Table(
    "sync_state",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", Text, nullable=True),
)
"""Key/value bookkeeping; keys in `store.state`."""

outbox = Table(
    "outbox",
    metadata,
    Column("mutation_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(60), nullable=False),
    Column("args", JSON, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("status", String(10), nullable=False, server_default="pending"),  # pending | rejected
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_attempt_at", TS, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("rejection_code", String(60), nullable=True),
    Column("rejection_reason", Text, nullable=True),
    Column("rejected_at", TS, nullable=True),
    Column("entity", String(60), nullable=True),
    Column("entity_id", String(64), nullable=True),
    Index("ix_outbox_status", "status"),
    Index("ix_outbox_entity_id", "entity_id"),
)
"""Offline writes (mutations) waiting for the server; see store.outbox."""

FTS_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "messages_fts": ("messages", ("body", "subject")),
    "customers_fts": ("customers", ("display_name",)),
    "identities_fts": ("identities", ("handle",)),
    "orders_fts": ("orders", ("order_no",)),
    "order_items_fts": ("order_items", ("title",)),
}
"""FTS5 (trigram) index name → (content table, indexed columns). Created by the migrations."""

_FTS_SHADOW = ("_data", "_idx", "_content", "_docsize", "_config")


def outside_metadata(name: str | None) -> bool:
    """True for the tables the migrations create by hand (FTS5 and its shadow tables)."""
    if name is None:
        return False
    return any(name == fts or name in {fts + s for s in _FTS_SHADOW} for fts in FTS_TABLES)
