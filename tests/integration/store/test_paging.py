"""Paging through 10k synthetic conversations: ids once, rows by page, nothing loaded whole."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from tests.unit.store.factories import T0, change, conversation, customer, iso
from workstation.store.apply import apply_pull_page
from workstation.store.db import CacheDatabase
from workstation.store.queries import (
    Filters,
    View,
    conversation_ids,
    conversation_rows,
    count_conversations,
)

N = 10_000
PAGE = 200


def _fill(db: CacheDatabase) -> None:
    rnd = random.Random(7)
    changes = [change("customers", customer(f"k{i}", f"客户{i}")) for i in range(500)]
    for i in range(N):
        due = None if i % 97 == 0 else iso(T0 + timedelta(minutes=rnd.randint(-600, 6000)))
        changes.append(
            change(
                "conversations",
                conversation(
                    f"c{i:05d}",
                    f"k{i % 500}",
                    channel=rnd.choice(["chat", "phone", "email", "app"]),
                    priority=rnd.choice(["urgent", "high", "normal", "low"]),
                    status=rnd.choice(["new", "open", "pending_customer", "closed"]),
                    assignee_id=rnd.choice([None, "me", "u2", "u3"]),
                    first_response_due_at=due,
                    tags=["vip"] if i % 10 == 0 else [],
                ),
            )
        )
    for start in range(0, len(changes), 2000):
        apply_pull_page(db, changes[start : start + 2000], f"cur{start}", last_applied_mutation_id=0)


def test_paging_over_10k_conversations(db: CacheDatabase) -> None:
    _fill(db)
    started = time.perf_counter()
    ids = conversation_ids(db, view=View.ALL, now=T0)
    ids_seconds = time.perf_counter() - started
    assert len(ids) == count_conversations(db, view=View.ALL, now=T0)
    assert 6000 < len(ids) < 9000  # about three quarters are open
    seen: list[str] = []
    dues: list[str | None] = []
    for start in range(0, len(ids), PAGE):
        rows = conversation_rows(db, ids[start : start + PAGE])
        assert len(rows) == len(ids[start : start + PAGE])
        seen += [r["id"] for r in rows]
        dues += [r["sla_due_at"] for r in rows]
    assert seen == ids and len(set(seen)) == len(seen)
    with_due = [d for d in dues if d is not None]
    assert with_due == sorted(with_due)
    assert all(d is None for d in dues[len(with_due):])  # no deadline sorts last
    assert ids_seconds < 2.0, f"ids of {len(ids)} conversations took {ids_seconds:.3f}s"

    vip_urgent = conversation_ids(db, view=View.URGENT, filters=Filters(tag="vip"), now=T0)
    assert 0 < len(vip_urgent) < 400
    assert set(vip_urgent) <= set(ids)
    closed = conversation_ids(db, view=View.CLOSED, now=T0)
    assert len(closed) + len(ids) == N
