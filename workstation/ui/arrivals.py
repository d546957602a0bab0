"""What arrived from customers since the desk last looked (for notifications). No Qt.

The desk keeps a `Watermark`: the cache's highest message rowid and the highest server
change seq it has seen. A message counts as *arrived* when it is inbound (from the
customer: never the agent's own or a colleague's writes or notes), was written to the
cache after the watermark (rowid, an index walk) and carries a server seq above it (so a
full resync that re-inserts old history announces nothing). Runs on a worker thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text

from workstation.store.db import CacheDatabase
from workstation.store.tables import conversations, customers

ARRIVAL_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Watermark:
    rowid: int = 0
    seq: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Arrival:
    """New customer messages of one conversation."""

    conversation_id: str
    customer_name: str
    channel: str
    count: int
    preview: str
    assignee_id: str | None
    new_conversation: bool
    """True when these are the conversation's first messages (a new conversation)."""


def watermark(db: CacheDatabase) -> Watermark:
    """The cache's current watermark (arm the notifications with it)."""
    with db.read() as s:
        rowid, seq = s.execute(text("SELECT max(rowid), max(seq) FROM messages")).one()
    return Watermark(rowid=int(rowid or 0), seq=int(seq or 0))


def _data(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else dict(json.loads(value))


def arrivals_since(db: CacheDatabase, mark: Watermark) -> tuple[list[Arrival], Watermark]:
    """Customer messages that reached the cache after `mark`, grouped by conversation
    (newest first), and the watermark to use next time."""
    with db.read() as s:
        top = s.execute(text("SELECT max(rowid), max(seq) FROM messages")).one()
        rows = s.execute(
            text(
                "SELECT rowid, seq, conversation_id, body, channel FROM messages "
                "WHERE rowid > :rowid AND seq > :seq AND direction = 'inbound' ORDER BY rowid LIMIT :limit"
            ),
            {"rowid": mark.rowid, "seq": mark.seq, "limit": ARRIVAL_LIMIT},
        ).all()
        by_conv: dict[str, list[Any]] = {}
        for r in rows:
            by_conv.setdefault(str(r.conversation_id), []).append(r)
        out: list[Arrival] = []
        if by_conv:
            c = conversations.c
            stmt = (
                select(c.id, c.data, customers.c.display_name)
                .select_from(conversations.outerjoin(customers, customers.c.id == c.customer_id))
                .where(c.id.in_(list(by_conv)))
            )
            convs = {str(i): (_data(d), n) for i, d, n in s.execute(stmt)}
            for cid, msgs in by_conv.items():
                conv, name = convs.get(cid, ({}, None))
                first_rowid = min(int(r.rowid) for r in msgs)
                older = s.execute(
                    text("SELECT 1 FROM messages WHERE conversation_id = :cid AND rowid < :rowid LIMIT 1"),
                    {"cid": cid, "rowid": first_rowid},
                ).first()
                last = msgs[-1]
                out.append(
                    Arrival(
                        conversation_id=cid,
                        customer_name=str(name or conv.get("customer_name") or ""),
                        channel=str(last.channel or conv.get("channel") or ""),
                        count=len(msgs),
                        preview=" ".join(str(last.body or "").split())[:120],
                        assignee_id=str(conv["assignee_id"]) if conv.get("assignee_id") else None,
                        new_conversation=older is None,
                    )
                )
        out.sort(key=lambda a: -max(int(r.rowid) for r in by_conv[a.conversation_id]))
    rowid, seq = top
    next_mark = Watermark(rowid=max(mark.rowid, int(rowid or 0)), seq=max(mark.seq, int(seq or 0)))
    return out, next_mark
