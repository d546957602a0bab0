"""The outbox: offline writes (mutations) waiting for the server.

`enqueue` runs inside the caller's write transaction, so a local write and its outbox entry
commit together (ARCHITECTURE.md, "Sync protocol" 2). Mutation ids come from
`sync_state.next_mutation_id` and only ever grow (never below max(outbox)+1), also across a
reopen.

Life of an entry: ``pending`` → acknowledged by a push result (`mark_acknowledged`: the row
is deleted) or ``rejected`` (`mark_rejected`: kept with the server's code and reason for the
Pending Changes list, until the user discards or retries it).

Ids must stay contiguous at the server (a missing id is a "gap"), so only a *rejected* entry
(whose id the server has used up) may be discarded; `retry` re-enqueues its intent under a
new id, since replaying the old id would only replay the old rejection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from workstation.store import state
from workstation.store.db import CacheDatabase
from workstation.store.tables import outbox
from workstation.store.timefmt import now_ts

SCHEMA_VERSION = 1
"""Default mutation schema version (keep equal to workstation.sync.protocol.SCHEMA_VERSION)."""

Status = Literal["pending", "rejected"]


class OutboxError(Exception):
    """An outbox operation that would break the protocol (e.g. discarding a pending entry)."""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    mutation_id: int
    name: str
    args: dict[str, Any]
    schema_version: int
    created_at: str
    status: Status
    attempts: int
    last_attempt_at: str | None
    last_error: str | None
    rejection_code: str | None
    rejection_reason: str | None
    rejected_at: str | None
    entity: str | None
    entity_id: str | None

    def to_mutation(self) -> dict[str, Any]:
        """The wire form of a push (`workstation.sync.protocol.Mutation`)."""
        return {
            "mutation_id": self.mutation_id,
            "name": self.name,
            "args": self.args,
            "schema_version": self.schema_version,
            "created_at": self.created_at,
        }


def _allocate(session: Session) -> int:
    stored = state.get_int(session, state.NEXT_MUTATION_ID, 1)
    highest = session.execute(select(func.max(outbox.c.mutation_id))).scalar() or 0
    floor = state.get_int(session, state.SERVER_LAST_APPLIED, 0)
    mid = max(stored, highest + 1, floor + 1, 1)
    state.put(session, state.NEXT_MUTATION_ID, mid + 1)
    return mid


def enqueue(
    session: Session,
    name: str,
    args: Mapping[str, Any],
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    schema_version: int = SCHEMA_VERSION,
    created_at: str | None = None,
) -> int:
    """Add a mutation in the caller's (write) transaction; returns its mutation id."""
    mid = _allocate(session)
    session.execute(
        outbox.insert().values(
            mutation_id=mid,
            name=name,
            args=dict(args),
            schema_version=schema_version,
            created_at=created_at or now_ts(),
            status="pending",
            attempts=0,
            entity=entity,
            entity_id=entity_id,
        )
    )
    return mid


def _entry(row: Any) -> OutboxEntry:
    m = row._mapping
    return OutboxEntry(**{k: m[k] for k in OutboxEntry.__slots__})


def pending(db: CacheDatabase, *, limit: int | None = None) -> list[OutboxEntry]:
    """Entries still to push, oldest first (what the engine sends, in this order)."""
    stmt = select(outbox).where(outbox.c.status == "pending").order_by(outbox.c.mutation_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    with db.read() as session:
        return [_entry(r) for r in session.execute(stmt)]


def entries(db: CacheDatabase) -> list[OutboxEntry]:
    """Everything in the outbox, pending and rejected: the Pending Changes list."""
    with db.read() as session:
        return [_entry(r) for r in session.execute(select(outbox).order_by(outbox.c.mutation_id))]


def get(db: CacheDatabase, mutation_id: int) -> OutboxEntry | None:
    with db.read() as session:
        row = session.execute(select(outbox).where(outbox.c.mutation_id == mutation_id)).first()
        return None if row is None else _entry(row)


def counts(db: CacheDatabase) -> dict[str, int]:
    """{"pending": n, "rejected": m}."""
    with db.read() as session:
        rows = session.execute(
            select(outbox.c.status, func.count()).group_by(outbox.c.status)
        )
        found: dict[str, int] = {str(k): int(v) for k, v in rows.all()}
    return {"pending": found.get("pending", 0), "rejected": found.get("rejected", 0)}


def mark_acknowledged(db: CacheDatabase, upto_id: int) -> int:
    """Drop the *pending* entries with id ≤ `upto_id` (the server applied them, or had
    already); returns how many. Call `mark_rejected` for a batch's rejections first."""
    with db.write() as session:
        result = session.execute(
            delete(outbox).where(outbox.c.mutation_id <= upto_id, outbox.c.status == "pending")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def mark_rejected(db: CacheDatabase, mutation_id: int, code: str | None, reason: str | None) -> bool:
    """Keep the entry, as rejected with the server's reason; False if it is not there."""
    with db.write() as session:
        result = session.execute(
            update(outbox)
            .where(outbox.c.mutation_id == mutation_id)
            .values(
                status="rejected",
                rejection_code=code,
                rejection_reason=reason,
                rejected_at=now_ts(),
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def note_attempt(db: CacheDatabase, mutation_ids: list[int], error: str | None) -> None:
    """Count a push attempt that failed transiently (kept pending, retried later)."""
    if not mutation_ids:
        return
    with db.write() as session:
        session.execute(
            update(outbox)
            .where(outbox.c.mutation_id.in_(mutation_ids))
            .values(attempts=outbox.c.attempts + 1, last_attempt_at=now_ts(), last_error=error)
        )


def discard(db: CacheDatabase, mutation_id: int) -> bool:
    """Remove a rejected entry (the user gave up on it). Raises `OutboxError` for a pending
    one: its id may already be at the server, and a hole would stop the queue as a gap."""
    with db.write() as session:
        status = session.execute(
            select(outbox.c.status).where(outbox.c.mutation_id == mutation_id)
        ).scalar()
        if status is None:
            return False
        if status != "rejected":
            raise OutboxError(f"mutation {mutation_id} is still pending; only a rejected one can be discarded")
        session.execute(delete(outbox).where(outbox.c.mutation_id == mutation_id))
        return True


def retry(db: CacheDatabase, mutation_id: int) -> int:
    """Send a rejected entry's intent again: it is re-enqueued under a new mutation id (the old
    id is used up at the server) and the rejected entry is removed; returns the new id.
    A pending entry is left alone (it is retried anyway) and its own id is returned."""
    with db.write() as session:
        row = session.execute(select(outbox).where(outbox.c.mutation_id == mutation_id)).first()
        if row is None:
            raise OutboxError(f"mutation {mutation_id} is not in the outbox")
        old = _entry(row)
        if old.status == "pending":
            return old.mutation_id
        new_id = enqueue(
            session,
            old.name,
            old.args,
            entity=old.entity,
            entity_id=old.entity_id,
            schema_version=old.schema_version,
        )
        session.execute(delete(outbox).where(outbox.c.mutation_id == mutation_id))
        return new_id


_RESTORED_STATE = (state.CLIENT_ID, state.NEXT_MUTATION_ID, state.SERVER_LAST_APPLIED, state.USER_ID, state.SERVER_URL)


def restore(
    db: CacheDatabase,
    salvaged: list[dict[str, Any]],
    salvaged_state: Mapping[str, str | None] | None = None,
) -> list[int]:
    """Put outbox rows saved by `store.db.salvage_outbox` into a fresh cache, keeping their
    ids and states (they are the same intents the server may already have seen), together
    with the identity part of `store.db.salvage_state` (client id, mutation counter — not the
    cursor: a fresh cache pulls from the beginning). Returns the restored ids."""
    keep = {c.name for c in outbox.columns}
    done: list[int] = []
    with db.write() as session:
        for key in _RESTORED_STATE:
            if salvaged_state and salvaged_state.get(key) is not None:
                state.put(session, key, salvaged_state[key])
        for row in salvaged:
            values = {k: v for k, v in row.items() if k in keep}
            values.setdefault("status", "pending")
            values.setdefault("attempts", 0)
            values.setdefault("schema_version", SCHEMA_VERSION)
            values.setdefault("created_at", now_ts())
            if not isinstance(values.get("args"), dict):
                # Unreadable arguments: still send the id (a hole would stop the queue as a
                # gap); the server rejects it and the user sees it in Pending Changes.
                values["args"] = {"_salvaged_raw": str(values.get("args"))}
            session.execute(outbox.insert().prefix_with("OR IGNORE").values(**values))
            done.append(int(values["mutation_id"]))
        if done:
            nxt = state.get_int(session, state.NEXT_MUTATION_ID, 1)
            state.put(session, state.NEXT_MUTATION_ID, max(nxt, max(done) + 1))
    return done
