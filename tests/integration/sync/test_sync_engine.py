"""The sync engine against a real ticket API on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.integration.server import factories as f
from tests.integration.sync.conftest import Client, LiveServer, make_client
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server.tables import Message
from workstation.store import outbox
from workstation.store import state as store_state
from workstation.store.apply import get_row
from workstation.sync.api import ApiError, Session
from workstation.sync.protocol import Mutation, PushResponse, decode_cursor, encode_cursor


def _note(client: Client, conversation_id: str, body: str) -> tuple[int, str]:
    message_id = new_id()
    with client.db.write() as s:
        mid = outbox.enqueue(s, "add_note",
                             {"message_id": message_id, "conversation_id": conversation_id, "body": body})
    return mid, message_id


def _row(client: Client, entity: str, id_: str) -> dict[str, Any] | None:
    with client.db.read() as s:
        return get_row(s, entity, id_)


def _server_notes(server: LiveServer) -> list[str]:
    with server.db.read() as s:
        rows = s.execute(select(Message.body).where(Message.direction == "note").order_by(Message.change_seq))
        return [str(b) for b in rows.scalars()]


def test_first_sync_pulls_everything_then_only_what_changed(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    worlds = [f.world(server) for _ in range(3)]  # type: ignore[arg-type]
    c = make_client(server, "amy", tmp_path / "c.db", page_size=4)
    try:
        first = c.engine.run_once()
        assert first.state == "online", first.message
        # users + per world: customer, identity, order, item, conversation, message
        assert first.pulled == 1 + 3 * 6
        assert (first.pushed, first.rejected, first.pending) == (0, 0, 0)
        for w in worlds:
            assert _row(c, "conversations", w.conversation_id) is not None
        with c.db.read() as s:
            assert store_state.get(s, store_state.CURSOR) == first.cursor
        assert c.states[-1].state == "online" and c.states[-1].last_sync_at is not None

        assert c.engine.run_once().pulled == 0
        extra = f.world(server)  # type: ignore[arg-type]
        second = c.engine.run_once()
        assert second.pulled == 6
        assert decode_cursor(second.cursor) > decode_cursor(first.cursor)
        assert _row(c, "conversations", extra.conversation_id) is not None
    finally:
        c.close()


def test_outbox_mutation_is_pushed_acknowledged_and_pulled_back(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    c = make_client(server, "amy", tmp_path / "c.db")
    try:
        c.engine.run_once()
        mid, message_id = _note(c, w.conversation_id, "客户要求换货")
        assert mid == 1
        r = c.engine.run_once()
        assert (r.state, r.pushed, r.rejected, r.pending) == ("online", 1, 0, 0)
        assert outbox.entries(c.db) == []
        row = _row(c, "messages", message_id)
        assert row is not None and row["body"] == "客户要求换货"
        assert _server_notes(server) == ["客户要求换货"]
    finally:
        c.close()


def test_rejection_is_recorded_with_its_reason_and_does_not_block(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    bob = server.make_user("bob")
    w = f.world(server, assignee=bob)  # type: ignore[arg-type]
    c = make_client(server, "amy", tmp_path / "c.db")
    try:
        c.engine.run_once()
        with c.db.write() as s:
            claim = outbox.enqueue(s, "claim_conversation", {"conversation_id": w.conversation_id})
        _, message_id = _note(c, w.conversation_id, "after the refused claim")
        r = c.engine.run_once()
        assert (r.state, r.pushed, r.rejected, r.pending) == ("online", 1, 1, 0)
        entry = outbox.get(c.db, claim)
        assert entry is not None and entry.status == "rejected"
        assert entry.rejection_code == "already_claimed"
        assert entry.rejection_reason is not None and "Bob (bob)" in entry.rejection_reason
        assert _row(c, "messages", message_id) is not None
        assert _server_notes(server) == ["after the refused claim"]
    finally:
        c.close()


def test_server_down_then_back_all_writes_land_in_order(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    c = make_client(server, "amy", tmp_path / "c.db")
    try:
        c.engine.run_once()
        server.stop()
        bodies = [f"offline note {i}" for i in range(5)]
        _note(c, w.conversation_id, bodies[0])
        down = c.engine.run_once()
        assert down.state == "offline" and down.pending == 1
        assert c.states[-1].state == "offline" and c.states[-1].pending == 1
        for body in bodies[1:]:
            _note(c, w.conversation_id, body)
        assert c.engine.run_once().pending == 5
        pending = outbox.pending(c.db)
        assert [e.attempts for e in pending][:1] == [2]
        server.start()
        up = c.engine.run_once()
        assert (up.state, up.pushed, up.pending) == ("online", 5, 0)
        assert _server_notes(server) == bodies
    finally:
        c.close()


def test_reply_lost_after_commit_is_retried_as_duplicate_and_applied_once(
    server: LiveServer, tmp_path: Path
) -> None:
    server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    c = make_client(server, "amy", tmp_path / "c.db")
    real_push = c.api.push
    answers: list[PushResponse] = []
    lose = [True]

    def lossy_push(client_id: str, mutations: Sequence[Mutation]) -> PushResponse:
        answer = real_push(client_id, mutations)
        answers.append(answer)
        if lose and lose.pop():
            raise ApiError(0, "Server unreachable", "connection reset while reading the answer")
        return answer

    c.engine.api = type("LossyApi", (), {"push": staticmethod(lossy_push), "pull": c.api.pull})()
    try:
        c.engine.run_once()
        _note(c, w.conversation_id, "exactly once")
        lost = c.engine.run_once()
        assert lost.state == "offline" and lost.pending == 1
        assert answers[-1].results[0].status == "applied"
        again = c.engine.run_once()
        assert (again.state, again.pushed, again.pending) == ("online", 1, 0)
        assert answers[-1].results[0].status == "duplicate"
        assert _server_notes(server) == ["exactly once"]
        with server.db.read() as s:
            assert s.execute(select(func.count()).select_from(Message).where(Message.direction == "note")).scalar() == 1
    finally:
        c.close()


def test_cursor_the_server_does_not_know_leads_to_a_full_resync_keeping_the_outbox(
    server: LiveServer, tmp_path: Path
) -> None:
    server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    c = make_client(server, "amy", tmp_path / "c.db")
    try:
        c.engine.run_once()
        with c.db.write() as s:  # as if the server's database had been replaced by an older one
            store_state.put(s, store_state.CURSOR, encode_cursor(10_000_000))
        c.engine.api = type("NoPush", (), {
            "push": staticmethod(lambda *a: (_ for _ in ()).throw(ApiError(0, "down"))),
            "pull": c.api.pull,
        })()
        _note(c, w.conversation_id, "kept through the resync")
        r = c.engine.run_once()
        assert r.state == "offline" and r.pending == 1  # push failed first: nothing pulled yet
        c.engine.api = c.api
        r = c.engine.run_once()
        assert r.state == "online", r.message
        assert r.pushed == 1 and r.pending == 0
        assert r.pulled >= 7  # everything again, plus the note
        assert _row(c, "conversations", w.conversation_id) is not None
    finally:
        c.close()


def test_live_hints_wake_the_engine_when_another_client_writes(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    server.make_user("bob")
    w = f.world(server)  # type: ignore[arg-type]
    watcher = make_client(server, "amy", tmp_path / "a.db", poll_interval=600.0, live=True)
    writer = make_client(server, "bob", tmp_path / "b.db")
    seen = threading.Event()
    holder: dict[str, str] = {}

    def check(_status: object) -> None:
        if "id" in holder and _row(watcher, "messages", holder["id"]) is not None:
            seen.set()

    watcher.engine.subscribe(check)
    try:
        watcher.engine.start()
        live = watcher.engine.live
        assert live is not None
        writer.engine.run_once()
        _, holder["id"] = _note(writer, w.conversation_id, "pushed by bob")
        assert writer.engine.run_once().pushed == 1
        assert seen.wait(10), "the live hint did not bring the note within 10 s"
        assert live.connects >= 1 and live.last_event_id is not None
        watcher.engine.stop()
        assert not live.running and watcher.engine.live is None
    finally:
        watcher.close()
        writer.close()


def test_two_installations_of_one_user_do_not_share_ids(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy", Role.AGENT)
    w = f.world(server)  # type: ignore[arg-type]
    a = make_client(server, "amy", tmp_path / "a.db")
    b = make_client(server, "amy", tmp_path / "b.db")
    try:
        assert a.client_id != b.client_id
        _note(a, w.conversation_id, "from a")
        _note(b, w.conversation_id, "from b")
        assert a.engine.run_once().pushed == 1
        assert b.engine.run_once().pushed == 1
        assert sorted(_server_notes(server)) == ["from a", "from b"]
    finally:
        a.close()
        b.close()


def test_expired_sign_in_is_refreshed_once_and_the_round_goes_on(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    sessions: list[Session] = []
    c = make_client(server, "amy", tmp_path / "c.db", on_session=sessions.append)
    try:
        c.engine.run_once()
        old = c.api.session
        server.clock.advance(minutes=61)  # past the access token's lifetime
        _note(c, w.conversation_id, "after the token expired")
        r = c.engine.run_once()
        assert r.state == "online", r.message
        assert r.pushed == 1
        assert len(sessions) == 1 and old is not None
        assert sessions[0].access_token != old.access_token and c.api.session == sessions[0]
        server.clock.advance(days=400)  # the refresh token is long gone too: sign in again
        r = c.engine.run_once()
        assert r.state == "error" and "sign in again" in r.message
    finally:
        c.close()


def test_two_clients_claim_the_same_conversation_offline_one_wins_the_other_is_told_why(
    server: LiveServer, tmp_path: Path
) -> None:
    server.make_user("amy")
    server.make_user("bob")
    w = f.world(server)  # type: ignore[arg-type]
    amy = make_client(server, "amy", tmp_path / "a.db")
    bob = make_client(server, "bob", tmp_path / "b.db")
    try:
        amy.engine.run_once()
        bob.engine.run_once()
        server.stop()
        for client in (amy, bob):
            with client.db.write() as s:
                outbox.enqueue(s, "claim_conversation", {"conversation_id": w.conversation_id})
            assert client.engine.run_once().state == "offline"
        server.start()
        first = amy.engine.run_once()
        second = bob.engine.run_once()
        assert (first.pushed, first.rejected) == (1, 0)
        assert (second.pushed, second.rejected) == (0, 1)
        [refused] = outbox.entries(bob.db)
        assert refused.status == "rejected" and refused.rejection_code == "already_claimed"
        assert refused.rejection_reason is not None and "Amy (amy)" in refused.rejection_reason
        for client in (amy, bob):  # both caches show the server's answer: amy holds it
            client.engine.run_once()
            row = _row(client, "conversations", w.conversation_id)
            assert row is not None and row["assignee_id"] == server.users["amy"]
    finally:
        amy.close()
        bob.close()
