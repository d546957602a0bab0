"""Pending Changes: summaries, re-applying pending effects after a pull, discard undoes a
rejected change's local effect, retry sends it again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from workstation.domain.clock import FixedClock
from workstation.services.changes import ServiceError
from workstation.services.desk import DeskServices
from workstation.services.effects import SERVER_COPY
from workstation.store import outbox
from workstation.store.apply import get_row
from workstation.store.db import CacheDatabase

from .conftest import Seed, conversation, iso, pull


def row(db: CacheDatabase, entity: str, id_: str) -> dict[str, Any] | None:
    with db.read() as s:
        return get_row(s, entity, id_)


def test_pending_list_has_short_human_lines(desk: DeskServices, seed: Seed) -> None:
    desk.reply(seed.conv, "您好，您的耳机可以免费换新，请问方便提供订单号吗？")
    desk.claim(seed.conv)
    desk.set_fields(seed.conv, priority="high")
    items = desk.pending_changes()
    assert [p.summary for p in items] == [
        "Reply to 李雷: 您好，您的耳机可以免费换新，请问方便提供订单号…",
        "Claim the conversation with 李雷",
        "Set priority high on 李雷",
    ]
    assert [(p.mutation_id, p.status, p.code, p.reason) for p in items] == [
        (1, "pending", None, None),
        (2, "pending", None, None),
        (3, "pending", None, None),
    ]
    assert desk.pending_counts() == {"pending": 3, "rejected": 0}


def test_after_a_pull_pending_effects_are_reapplied_on_the_fresh_rows(
    desk: DeskServices, db: CacheDatabase, seed: Seed, clock: FixedClock
) -> None:
    reply = desk.reply(seed.conv, "您好")
    desk.set_fields(seed.conv, priority="high")
    # The server changed the conversation meanwhile (a new inbound message, a tag).
    later = clock() + timedelta(minutes=-30)
    fresh = conversation(
        seed, seed.conv, tags=["vip"], preview="还在吗", last_message_at=iso(later)
    )
    pull(db, seed, [("conversations", fresh)])
    conv = row(db, "conversations", seed.conv)
    assert (
        conv is not None and conv["priority"] == "normal" and SERVER_COPY not in conv
    )  # server's version
    changes = desk.after_pull({"conversations"})
    assert changes.entities >= {"conversations"} and seed.conv in changes.ids
    conv = row(db, "conversations", seed.conv)
    assert conv is not None
    assert (conv["priority"], conv["tags"], conv["preview"]) == ("high", ["vip"], "您好")
    assert conv[SERVER_COPY]["preview"] == "还在吗"
    assert row(db, "messages", reply.created_id or "") is not None
    # Re-applying again changes nothing (idempotent).
    before = row(db, "conversations", seed.conv)
    desk.reapply_pending()
    assert row(db, "conversations", seed.conv) == before


def test_reapply_never_overwrites_the_servers_copy_of_an_inserted_record(
    desk: DeskServices, db: CacheDatabase, seed: Seed
) -> None:
    reply = desk.reply(seed.conv, "您好")
    message_id = reply.created_id or ""
    server_msg = {
        "id": message_id,
        "conversation_id": seed.conv,
        "direction": "outbound",
        "channel": "chat",
        "author_id": seed.me,
        "body": "您好",
        "subject": None,
        "attachments": [],
        "delivery": "sent",
        "sent_at": "2026-11-02T02:00:07Z",
    }
    pull(db, seed, [("messages", server_msg)])
    desk.reapply_pending()  # the push's acknowledgement was lost: the entry is still pending
    assert row(db, "messages", message_id) == server_msg


def test_discard_of_a_rejected_change_undoes_its_local_effect(
    desk: DeskServices, db: CacheDatabase, seed: Seed
) -> None:
    reply = desk.reply(seed.conv, "您好")
    claim = desk.claim(seed.conv)
    assert claim.mutation_id is not None and reply.mutation_id is not None
    with pytest.raises(ServiceError):
        desk.discard(claim.mutation_id)  # still pending: it may be at the server already
    outbox.mark_rejected(
        db, claim.mutation_id, "already_claimed", "the conversation is already claimed by Bob (bob)"
    )
    item = [p for p in desk.pending_changes() if p.mutation_id == claim.mutation_id][0]
    assert (item.status, item.code) == ("rejected", "already_claimed") and "Bob" in (
        item.reason or ""
    )
    changes = desk.discard(claim.mutation_id)
    assert changes.touches("conversations", seed.conv) and "outbox" in changes.entities
    conv = row(db, "conversations", seed.conv)
    assert conv is not None
    assert conv["assignee_id"] is None  # the claim is undone …
    assert conv["preview"] == "您好"  # … the still-pending reply's effect stays
    assert [e.mutation_id for e in outbox.entries(db)] == [reply.mutation_id]

    outbox.mark_rejected(db, reply.mutation_id, "conversation_closed", "closed")
    desk.discard(reply.mutation_id)
    assert row(db, "messages", reply.created_id or "") is None  # made here: gone
    conv = row(db, "conversations", seed.conv)
    assert conv is not None and conv["preview"] == "你好，耳机没声音" and SERVER_COPY not in conv
    assert outbox.entries(db) == []
    with pytest.raises(ServiceError) as caught:
        desk.discard(reply.mutation_id)
    assert caught.value.field == "mutation_id"


def test_discarding_a_rejected_offer_deletes_the_local_offer(
    desk: DeskServices, db: CacheDatabase, seed: Seed
) -> None:
    made = desk.offer_compensation(kind="goodwill", order_id=seed.order, goodwill_amount="20")
    assert made.mutation_id is not None
    outbox.mark_rejected(db, made.mutation_id, "amount_mismatch", "the policy gives 10.00")
    desk.discard(made.mutation_id)
    assert row(db, "compensation_offers", made.created_id or "") is None


def test_retry_sends_a_rejected_change_again_under_a_new_id(
    desk: DeskServices, db: CacheDatabase, seed: Seed, pokes: list[int]
) -> None:
    claim = desk.claim(seed.conv)
    assert claim.mutation_id == 1
    assert desk.retry(1).mutation_id == 1  # pending: left alone
    outbox.mark_rejected(db, 1, "needs_senior", "urgent")
    # A pull brought the server's version back meanwhile.
    pull(db, seed, [("conversations", conversation(seed, seed.conv))])
    assert row(db, "conversations", seed.conv)["assignee_id"] is None  # type: ignore[index]
    again = desk.retry(1)
    assert again.mutation_id == 2 and again.touches("conversations", seed.conv)
    assert [(e.mutation_id, e.status, e.args) for e in outbox.entries(db)] == [
        (2, "pending", {"conversation_id": seed.conv})
    ]
    assert row(db, "conversations", seed.conv)["assignee_id"] == seed.me  # type: ignore[index]
    assert pokes[-1] == 1
