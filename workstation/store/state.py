"""`sync_state`: the cache's key/value bookkeeping, read and written inside the caller's
transaction (so e.g. a page and its cursor commit together)."""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from workstation.domain.ids import new_id
from workstation.store.tables import sync_state

CURSOR: Final = "cursor"
"""Opaque pull cursor of the last applied page ("" or absent: from the beginning)."""
CLIENT_ID: Final = "client_id"
"""This installation's id, sent with every push (made once, kept across resyncs)."""
NEXT_MUTATION_ID: Final = "next_mutation_id"
"""The id the next outbox entry gets (store.outbox.enqueue)."""
SERVER_LAST_APPLIED: Final = "server_last_applied"
"""The last mutation id the server said it applied (from the last pull page)."""
LAST_SYNC_AT: Final = "last_sync_at"
SERVER_URL: Final = "server_url"
USER_ID: Final = "user_id"

SEARCH_INDEX_DEFERRED: Final = "search_index_deferred"
"""JSON list of ``[name, sql]`` of the FTS triggers dropped for a bulk load (store.apply)."""
INDEXES_DEFERRED: Final = "indexes_deferred"
"""JSON list of ``[name, sql]`` of the b-tree indexes dropped for a bulk load (store.apply)."""
BULK_LOAD_KEYS: Final = (SEARCH_INDEX_DEFERRED, INDEXES_DEFERRED)
"""Present while a bulk load is under way or was cut short."""

KEYS: Final = (
    CURSOR,
    CLIENT_ID,
    NEXT_MUTATION_ID,
    SERVER_LAST_APPLIED,
    LAST_SYNC_AT,
    SERVER_URL,
    USER_ID,
)


def get(session: Session, key: str, default: str | None = None) -> str | None:
    value = session.execute(select(sync_state.c.value).where(sync_state.c.key == key)).scalar()
    return default if value is None else value


def get_int(session: Session, key: str, default: int = 0) -> int:
    value = get(session, key)
    return default if value is None or value == "" else int(value)


def put(session: Session, key: str, value: str | int | None) -> None:
    stmt = insert(sync_state).values(key=key, value=None if value is None else str(value))
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value}))


def get_all(session: Session) -> dict[str, str | None]:
    return {k: v for k, v in session.execute(select(sync_state.c.key, sync_state.c.value))}


def ensure_client_id(session: Session) -> str:
    """This installation's client id, made on first use (call inside a write transaction)."""
    existing = get(session, CLIENT_ID)
    if existing:
        return existing
    made = new_id()
    put(session, CLIENT_ID, made)
    return made
