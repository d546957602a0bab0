"""The server-wide change sequence behind pull cursors.

Every synced row is stamped with the next value when it is inserted or changed. The counter is
one row in `counters`; a writing transaction moves it with `UPDATE … RETURNING`.

Values are reserved per transaction and kept in `session.info`: a writer that knows how many rows
it is about to write reserves them all with one counter update (`reserve`, as webhook intake
does), and the stamping before each flush takes from the reservation, topping it up by exactly
what it lacks. Reservations are exact, so the sequence stays dense (no holes), and since every
allocation of a transaction goes through its reservation the counter always equals the
reservation's end: a top-up is contiguous with what is left. The reservation is dropped when the
transaction ends and whenever any (nested) transaction rolls back, because a savepoint rollback
may undo the counter update itself.

Ordering guarantee (PostgreSQL): the counter row lock is taken by the transaction's first
allocation and held until commit (the `UPDATE` that made the reservation locks the row for the
rest of the transaction; a later top-up only updates a row it already holds). So a transaction
holding values N… commits before any other can reserve values above them: commits become visible
in sequence order, and a puller that reads the counter first (see sync_pull.py) never sees seq
N+1 committed while N is still in flight. On SQLite writers are serial (one write transaction at
a time), which gives the same order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, SessionTransaction

from workstation.server.db import run_driver_sql
from workstation.server.tables import Base, Counter, Synced

CHANGE_SEQ = "change_seq"
_RESERVATION = "workstation.change_seq.reservation"  # session.info key: [next, last, transaction]

_BUMP = text("UPDATE counters SET value = value + :n WHERE name = :name RETURNING value")


def ensure_counters(session: Session) -> None:
    if session.get(Counter, CHANGE_SEQ) is None:
        session.add(Counter(name=CHANGE_SEQ, value=0))
        session.flush()


def _bump(session: Session, count: int) -> int:
    # Every write transaction runs this: straight on the driver where that is cheaper.
    row = run_driver_sql(session.connection(), _BUMP, {"n": count, "name": CHANGE_SEQ})
    if row is None:
        raise RuntimeError("change sequence counter missing: run the database migrations")
    return int(row[0])


def reserve(session: Session, count: int) -> None:
    """Make sure this transaction holds at least `count` unused sequence values (one counter
    update at most). Runs on the session's connection, so it is safe inside before_flush."""
    if not _installed:
        install_stamping()  # the listeners that drop reservations must be in place before one exists
    reservation: list[Any] | None = session.info.get(_RESERVATION)
    txn = session.get_transaction()
    if reservation is not None and reservation[2] is not txn:
        reservation = None  # left over from an earlier transaction: never reuse those values
    have = 0 if reservation is None else reservation[1] - reservation[0] + 1
    if have >= count:
        return
    need = count - have
    last = _bump(session, need)
    if reservation is not None and reservation[1] == last - need:
        reservation[1] = last  # contiguous with what is left: extend it
        return
    if reservation is not None:
        # The counter moved outside this reservation (only a raw UPDATE could do that): leave
        # the rest as a hole and take a whole fresh range.
        last = _bump(session, count)
        need = count
    # [next, last, the outermost transaction it belongs to]
    session.info[_RESERVATION] = [last - need + 1, last, session.get_transaction()]


def take(session: Session, count: int) -> int:
    """The first of `count` consecutive values from this transaction's reservation."""
    reserve(session, count)
    reservation: list[Any] = session.info[_RESERVATION]
    first: int = reservation[0]
    reservation[0] += count
    return first


def allocate(session: Session, count: int = 1) -> int:
    """Reserve `count` consecutive sequence values and return the last one."""
    return take(session, count) + count - 1


def current(session: Session) -> int:
    value = session.execute(select(Counter.value).where(Counter.name == CHANGE_SEQ)).scalar_one_or_none()
    return int(value or 0)


def _drop_reservation(session: Session, *_args: Any) -> None:
    session.info.pop(_RESERVATION, None)


def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: its lock on the counter is gone
        session.info.pop(_RESERVATION, None)


# Parents before children: a row gets a lower seq than the rows that point at it, so a client
# applying a page in seq order meets a conversation before its messages.
_TABLE_ORDER = {table: index for index, table in enumerate(Base.metadata.sorted_tables)}


def _stamp_before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    touched = [obj for obj in session.new if isinstance(obj, Synced)]
    touched += [
        obj for obj in session.dirty if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False)
    ]
    if not touched:
        return
    if len(touched) > 1:
        touched.sort(key=lambda obj: _TABLE_ORDER.get(obj.__table__, 0))  # type: ignore[attr-defined]
    first = take(session, len(touched))
    for offset, obj in enumerate(touched):
        obj.change_seq = first + offset


_LISTENERS: tuple[tuple[str, Any], ...] = (
    ("before_flush", _stamp_before_flush),
    ("after_soft_rollback", _drop_reservation),
    ("after_transaction_end", _on_transaction_end),
)


_installed = False


def install_stamping() -> None:
    """Stamp change_seq on every Session flush. Idempotent."""
    global _installed
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    _installed = True
