"""The server-wide change sequence behind pull cursors.

Every synced row is stamped with the next value when it is inserted or changed. The counter is
one row that each writing transaction updates, so on PostgreSQL its row lock also makes commits
visible in sequence order: a puller never sees seq N+1 committed while N is still in flight.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session

from workstation.server.tables import Counter, Synced

CHANGE_SEQ = "change_seq"


def ensure_counters(session: Session) -> None:
    if session.get(Counter, CHANGE_SEQ) is None:
        session.add(Counter(name=CHANGE_SEQ, value=0))
        session.flush()


def allocate(session: Session, count: int = 1) -> int:
    """Reserve `count` consecutive sequence values and return the last one."""
    stmt = (
        update(Counter)
        .where(Counter.name == CHANGE_SEQ)
        .values(value=Counter.value + count)
        .returning(Counter.value)
    )
    last = session.execute(stmt).scalar_one_or_none()
    if last is None:
        raise RuntimeError("change sequence counter missing: run the database migrations")
    return int(last)


def current(session: Session) -> int:
    value = session.execute(select(Counter.value).where(Counter.name == CHANGE_SEQ)).scalar_one_or_none()
    return int(value or 0)


def _stamp_before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    touched = [obj for obj in session.new if isinstance(obj, Synced)]
    touched += [
        obj for obj in session.dirty if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False)
    ]
    if not touched:
        return
    # Flushing the counter update from inside before_flush would recurse; run it on the connection.
    conn = session.connection()
    last = conn.execute(
        text("UPDATE counters SET value = value + :n WHERE name = :name RETURNING value"),
        {"n": len(touched), "name": CHANGE_SEQ},
    ).scalar_one()
    first = int(last) - len(touched) + 1
    for offset, obj in enumerate(touched):
        obj.change_seq = first + offset


def install_stamping() -> None:
    """Stamp change_seq on every Session flush. Idempotent."""
    if not event.contains(Session, "before_flush", _stamp_before_flush):
        event.listen(Session, "before_flush", _stamp_before_flush)
