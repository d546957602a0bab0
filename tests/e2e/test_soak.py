"""Randomized soak (seeded): three desks with random offline periods make random replies,
notes, claims and field changes; the server itself goes down for a while; then everyone goes
online and syncs until quiet. Every client's cache must equal the server (conversations and
messages: ids and key fields), and no accepted message may be lost or duplicated."""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.integration.server import factories as f
from tests.integration.services.conftest import Desk, make_desk
from tests.integration.sync.conftest import LiveServer, server  # noqa: F401
from workstation.domain.conversations import allowed_status_transitions
from workstation.domain.enums import ConversationStatus, Priority
from workstation.server.tables import Conversation, Message
from workstation.services.changes import ServiceError
from workstation.store.apply import get_row
from workstation.store.tables import conversations as conv_table
from workstation.store.tables import messages as msg_table

SEED = int(os.environ.get("WORKSTATION_SOAK_SEED", "20261102"))
STEPS = int(os.environ.get("WORKSTATION_SOAK_STEPS", "240"))
BUDGET_S = 60.0

CONV_KEYS = ("assignee_id", "status", "priority", "tags", "queue", "request_type")
MSG_KEYS = ("conversation_id", "direction", "author_id", "body")


def _server_state(
    live: LiveServer,
) -> tuple[dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]]]:
    with live.db.read() as s:
        convs = {
            c.id: tuple(getattr(c, k) for k in CONV_KEYS)
            for c in s.execute(select(Conversation)).scalars()
        }
        msgs = {
            m.id: tuple(getattr(m, k) for k in MSG_KEYS)
            for m in s.execute(select(Message)).scalars()
        }
    return convs, msgs


def _client_state(desk: Desk) -> tuple[dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]]]:
    with desk.client.db.read() as s:
        convs = {
            r.id: tuple(r.data.get(k) for k in CONV_KEYS)
            for r in s.execute(select(conv_table.c.id, conv_table.c.data))
        }
        msgs = {
            r.id: tuple(r.data.get(k) for k in MSG_KEYS)
            for r in s.execute(select(msg_table.c.id, msg_table.c.data))
        }
    return convs, msgs


def _random_action(
    rng: random.Random, desk: Desk, conv_ids: list[str], n: int
) -> tuple[str, str | None]:
    """One random use case on a random conversation; returns (kind, created message id)."""
    cid = rng.choice(conv_ids)
    svc = desk.services
    roll = rng.random()
    if roll < 0.35:
        return "reply", svc.reply(cid, f"reply #{n} from {svc.user['username']}").created_id
    if roll < 0.55:
        return "note", svc.add_note(cid, f"note #{n} from {svc.user['username']}").created_id
    if roll < 0.70:
        svc.claim(cid)
        return "claim", None
    with desk.client.db.read() as s:
        row = get_row(s, "conversations", cid) or {}
    if roll < 0.82:
        current = ConversationStatus(row.get("status", "open"))
        targets = sorted(allowed_status_transitions(current) - {ConversationStatus.CLOSED})
        if rng.random() < 0.08:
            targets = sorted(allowed_status_transitions(current))  # now and then, close one
        if not targets:
            return "skip", None
        svc.set_fields(cid, status=rng.choice(targets).value)
        return "status", None
    if roll < 0.92:
        # Never urgent: agents cannot claim urgent conversations, which would starve the claims.
        choices = [p for p in Priority if p is not Priority.URGENT]
        svc.set_fields(cid, priority=rng.choice(choices).value)
        return "priority", None
    tags = rng.sample(["vip", "退货", "物流", "投诉", "回访"], k=rng.randint(0, 3))
    svc.set_fields(cid, tags=tags)
    return "tags", None


def test_soak_every_client_converges_to_the_server(server: LiveServer, tmp_path: Path) -> None:  # noqa: F811
    started = time.monotonic()
    rng = random.Random(SEED)
    names = ["amy", "bob", "cat"]
    for name in names:
        server.make_user(name)
    conv_ids = [f.world(server).conversation_id for _ in range(8)]  # type: ignore[arg-type]
    desks = [make_desk(server, name, tmp_path / f"{name}.db") for name in names]
    online = {name: True for name in names}
    created: dict[str, str] = {}  # message id → who made it
    counts: Counter[str] = Counter()
    down_at, up_at = STEPS // 3, STEPS // 3 + STEPS // 8
    try:
        for desk in desks:
            assert desk.sync().state == "online"
        for step in range(STEPS):
            if step == down_at:
                server.stop()
            if step == up_at:
                server.start()
            server.clock.advance(seconds=rng.randint(1, 90))
            desk = rng.choice(desks)
            name = str(desk.services.user["username"])
            if rng.random() < 0.15:
                online[name] = not online[name]  # a random offline period starts or ends
            try:
                kind, made = _random_action(rng, desk, conv_ids, step)
                counts[kind] += 1
                if made is not None:
                    created[made] = name
            except ServiceError:
                counts["refused_locally"] += 1
            if online[name] and rng.random() < 0.5:
                result = desk.sync()
                counts[f"sync_{result.state}"] += 1
                counts["rejected"] += result.rejected
        if server._server is None:  # the outage outlasted the run
            server.start()

        # Everyone online; sync until a full pass moves nothing.
        for _ in range(20):
            moved = 0
            for desk in desks:
                result = desk.sync()
                assert result.state == "online", result.message
                counts["rejected"] += result.rejected
                moved += result.pushed + result.rejected + result.pulled + result.pending
            if moved == 0:
                break
        else:
            raise AssertionError("the clients did not go quiet")

        # The users give up on what the server refused: the local effects are undone.
        lost_on_purpose: set[str] = set()
        for desk in desks:
            for item in desk.services.pending_changes():
                assert item.status == "rejected" and item.reason, item
                entry_args = _args(desk, item.mutation_id)
                if item.name in ("send_reply", "add_note"):
                    lost_on_purpose.add(entry_args["message_id"])
                desk.services.discard(item.mutation_id)
            assert desk.services.pending_changes() == []
            assert desk.sync().pushed == 0

        server_convs, server_msgs = _server_state(server)
        for desk in desks:
            convs, msgs = _client_state(desk)
            assert convs == server_convs, desk.services.user["username"]
            assert msgs == server_msgs, desk.services.user["username"]

        # No accepted message lost, none duplicated, none of the refused ones applied.
        accepted = set(created) - lost_on_purpose
        assert accepted <= set(server_msgs)
        assert not (lost_on_purpose & set(server_msgs))
        bodies = Counter(body for (_c, _d, _a, body) in server_msgs.values())
        assert all(n == 1 for b, n in bodies.items() if b.startswith(("reply #", "note #")))
        assert counts["reply"] + counts["note"] == len(created)
        assert counts["sync_offline"] > 0 and counts["claim"] > 0
        print(f"soak seed={SEED}: {dict(counts)}, {len(server_msgs)} messages")
    finally:
        for desk in desks:
            desk.close()
    assert time.monotonic() - started < BUDGET_S, (
        f"soak took {time.monotonic() - started:.1f}s ({counts})"
    )


def _args(desk: Desk, mutation_id: int) -> dict[str, Any]:
    from workstation.store import outbox

    entry = outbox.get(desk.client.db, mutation_id)
    assert entry is not None
    return dict(entry.args)
