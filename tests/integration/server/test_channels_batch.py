"""ingest_messages, the group commit behind webhook intake on SQLite: same rows as one message at
a time, replays still recognised, one bad message does not sink the others."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tests.integration.server.conftest import Api
from workstation.server.channels.intake import IntakeResult, ingest_message, ingest_messages
from workstation.server.channels.schemas import InboundMessage
from workstation.server.tables import Conversation, Customer, Message


def msg(message_id: str, handle: str, text: str = "我要退货") -> InboundMessage:
    return InboundMessage.model_validate({"message_id": message_id, "sender": {"handle": handle}, "text": text})


def count(api: Api, table: Any) -> int:
    with api.db.read() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_batch_stores_like_one_message_at_a_time(api: Api) -> None:
    ctx = api.client.app.state.ctx
    results = ingest_messages(ctx, [
        ("chat", msg("b-1", "alice")), ("chat", msg("b-2", "alice", "还在吗")), ("app", msg("b-3", "bob")),
    ])
    assert all(isinstance(r, IntakeResult) and not r.duplicate for r in results)
    first, second, third = results
    assert isinstance(first, IntakeResult) and isinstance(second, IntakeResult) and isinstance(third, IntakeResult)
    # Alice's second message found the customer and the conversation her first one created.
    assert (second.customer_id, second.conversation_id) == (first.customer_id, first.conversation_id)
    assert first.new_conversation and not second.new_conversation
    assert (count(api, Customer), count(api, Conversation), count(api, Message)) == (2, 2, 3)
    with api.db.read() as s:
        conv = s.get(Conversation, first.conversation_id)
        assert conv is not None and conv.unread == 2 and conv.preview == "还在吗"
        seqs = sorted(s.execute(select(Message.change_seq)).scalars())
    assert len(set(seqs)) == 3
    assert [r.change_seq for r in results if isinstance(r, IntakeResult)] == seqs


def test_replays_in_and_across_batches_are_recognised(api: Api) -> None:
    ctx = api.client.app.state.ctx
    stored = ingest_message(ctx, "chat", msg("r-1", "carol"))
    results = ingest_messages(ctx, [
        ("chat", msg("r-2", "dave")), ("chat", msg("r-1", "carol")), ("chat", msg("r-2", "dave")),
    ])
    new, replay, twin = results
    assert isinstance(new, IntakeResult) and isinstance(replay, IntakeResult) and isinstance(twin, IntakeResult)
    assert not new.duplicate and replay.duplicate and twin.duplicate
    assert replay.message_id == stored.message_id
    assert twin.message_id == new.message_id
    assert count(api, Message) == 2


def test_one_bad_message_fails_alone(api: Api) -> None:
    ctx = api.client.app.state.ctx
    results = ingest_messages(ctx, [("chat", msg("x-1", "erin")), ("pigeon", msg("x-2", "frank")), ("sms", msg("x-3", "13800138000"))])
    assert isinstance(results[1], Exception)
    assert isinstance(results[0], IntakeResult) and isinstance(results[2], IntakeResult)
    assert count(api, Message) == 2
