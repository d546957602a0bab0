"""Desk services against a real ticket API: offline writes land once; two clients claiming
the same conversation → one wins, the other is told why and its view reverts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.integration.server import factories as f
from tests.integration.services.conftest import make_desk
from tests.integration.sync.conftest import LiveServer
from workstation.domain.ids import new_id
from workstation.server.tables import Conversation, Message
from workstation.services.effects import SERVER_COPY
from workstation.store import outbox
from workstation.store.apply import get_row


def _row(db: Any, entity: str, id_: str) -> dict[str, Any] | None:
    with db.read() as s:
        return get_row(s, entity, id_)


def test_reply_made_offline_reaches_the_server_once(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    amy = make_desk(server, "amy", tmp_path / "amy.db")
    try:
        assert amy.sync().state == "online"
        server.stop()  # the network is gone
        sent = amy.services.reply(w.conversation_id, "您好，已为您安排换新")
        message_id = sent.created_id
        assert message_id is not None
        assert _row(amy.client.db, "messages", message_id) is not None  # shown at once
        offline = amy.sync()
        assert offline.state == "offline" and offline.pending == 1
        server.start()
        back = amy.sync()
        assert (back.state, back.pushed, back.rejected, back.pending) == ("online", 1, 0, 0), (
            back.message
        )
        assert amy.sync().pushed == 0  # nothing sent twice
        with server.db.read() as s:
            assert (
                s.execute(
                    select(func.count()).select_from(Message).where(Message.id == message_id)
                ).scalar()
                == 1
            )
            assert (
                s.execute(
                    select(func.count())
                    .select_from(Message)
                    .where(Message.body == "您好，已为您安排换新")
                ).scalar()
                == 1
            )
            conv = s.get(Conversation, w.conversation_id)
            assert conv is not None and conv.status == "open" and conv.first_response_at is not None
        mine = _row(amy.client.db, "messages", message_id)
        assert mine is not None and SERVER_COPY not in mine  # the server's version replaced ours
        assert mine["author_id"] == server.users["amy"] and mine["direction"] == "outbound"
        conv_row = _row(amy.client.db, "conversations", w.conversation_id)
        assert conv_row is not None and SERVER_COPY not in conv_row and conv_row["status"] == "open"
        assert amy.services.pending_changes() == []
    finally:
        amy.close()


def test_two_clients_claim_offline_one_wins_the_other_is_told_why(
    server: LiveServer, tmp_path: Path
) -> None:
    server.make_user("amy")
    server.make_user("bob")
    w = f.world(server)  # type: ignore[arg-type]
    amy = make_desk(server, "amy", tmp_path / "amy.db")
    bob = make_desk(server, "bob", tmp_path / "bob.db")
    try:
        amy.sync()
        bob.sync()
        # Both offline, both claim; bob also notes something on it.
        amy.services.claim(w.conversation_id)
        claim = bob.services.claim(w.conversation_id)
        note = bob.services.add_note(w.conversation_id, "我来跟进")
        assert (
            _row(bob.client.db, "conversations", w.conversation_id)["assignee_id"]
            == server.users["bob"]
        )  # type: ignore[index]

        assert amy.sync().pushed == 1
        result = bob.sync()
        assert (result.pushed, result.rejected, result.pending) == (1, 1, 0), result.message
        with server.db.read() as s:
            conv = s.get(Conversation, w.conversation_id)
            assert conv is not None and conv.assignee_id == server.users["amy"]
            assert s.get(Message, note.created_id) is not None  # the note was fine
        changes = bob.services.pending_changes()
        assert [(p.mutation_id, p.status, p.code) for p in changes] == [
            (claim.mutation_id, "rejected", "already_claimed")
        ]
        assert "already claimed by Amy (amy)" in (changes[0].reason or "")
        assert changes[0].summary.startswith("Claim the conversation with")

        assert claim.mutation_id is not None
        undone = bob.services.discard(claim.mutation_id)
        assert undone.touches("conversations", w.conversation_id)
        view = _row(bob.client.db, "conversations", w.conversation_id)
        assert (
            view is not None
            and view["assignee_id"] == server.users["amy"]
            and SERVER_COPY not in view
        )
        assert outbox.entries(bob.client.db) == []
        assert bob.sync().pushed == 0
    finally:
        amy.close()
        bob.close()


def test_rejected_reply_reverts_on_discard_though_no_pull_corrects_it(
    server: LiveServer, tmp_path: Path
) -> None:
    """A refused reply leaves the server's rows unchanged, so no pull corrects the local view:
    discard deletes the local message and puts the kept server version of the conversation back."""
    server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    amy = make_desk(server, "amy", tmp_path / "amy.db")
    try:
        amy.sync()
        before = _row(amy.client.db, "conversations", w.conversation_id)
        unknown_script = new_id()  # not cached here, not approved at the server
        sent = amy.services.reply(
            w.conversation_id, "模板回复", script_id=unknown_script, script_version=1
        )
        assert _row(amy.client.db, "conversations", w.conversation_id)["preview"] == "模板回复"  # type: ignore[index]
        result = amy.sync()
        assert (result.pushed, result.rejected) == (0, 1), result
        [item] = amy.services.pending_changes()
        assert (item.status, item.code) == ("rejected", "script_not_approved")
        assert item.summary == "Reply to 李雷: 模板回复"
        # Still shown (as rejected) until the user decides; a pull does not hide it.
        assert _row(amy.client.db, "messages", sent.created_id or "") is not None
        amy.services.discard(item.mutation_id)
        assert _row(amy.client.db, "messages", sent.created_id or "") is None
        assert _row(amy.client.db, "conversations", w.conversation_id) == before
        with server.db.read() as s:
            assert s.get(Message, sent.created_id) is None
    finally:
        amy.close()
