"""The push rule of ARCHITECTURE.md's sync protocol, on every backend."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.integration.server import factories as f
from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server import mutations
from workstation.server.tables import Client, Conversation, Message, MutationResult


def _note(conv: str, body: str = "内部备注") -> dict[str, Any]:
    return {"message_id": new_id(), "conversation_id": conv, "body": body}


def test_applied_then_duplicate_does_nothing(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    p = f.Pusher(api, "amy")
    note = _note(w.conversation_id)
    first = p.push_many([("add_note", note)])
    assert first == {"results": [{"mutation_id": 1, "status": "applied", "code": None, "reason": None}],
                     "last_applied": 1}
    again = p.push_many([("add_note", note)], first_id=1)
    assert again["results"][0]["status"] == "duplicate"
    assert again["last_applied"] == 1
    with api.db.read() as s:
        notes = s.execute(select(Message).where(Message.direction == "note")).scalars().all()
        assert len(notes) == 1
        stored = s.get(MutationResult, (p.client_id, 1))
        assert stored is not None and stored.status == "applied" and stored.name == "add_note"


def test_gap_stops_the_batch(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    p = f.Pusher(api, "amy")
    body = p.push_many([("add_note", _note(w.conversation_id))], first_id=2)
    assert body["results"][0]["status"] == "gap"
    assert body["results"][0]["code"] == "client_unknown"  # nothing known of this installation
    assert body["last_applied"] == 0
    # 1 and 2 apply; 4 is a gap and 5 is never looked at.
    resp = api.post("/sync/push", "amy", json={"client_id": p.client_id, "mutations": [
        {"mutation_id": i, "name": "add_note", "args": _note(w.conversation_id), "schema_version": 1}
        for i in (1, 2, 4, 5)
    ]})
    statuses = [(r["mutation_id"], r["status"]) for r in resp.json()["results"]]
    assert statuses == [(1, "applied"), (2, "applied"), (4, "gap")]
    assert resp.json()["last_applied"] == 2
    assert "send 3 first" in resp.json()["results"][-1]["reason"]


def test_rejection_advances_the_id_and_is_replayed_identically(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    bob = api.make_user("bob", Role.AGENT)
    w = f.world(api, assignee=bob)
    p = f.Pusher(api, "amy")
    body = p.push_many([
        ("claim_conversation", {"conversation_id": w.conversation_id}),
        ("add_note", _note(w.conversation_id)),
    ])
    rejected, applied = body["results"]
    assert rejected["status"] == "rejected" and rejected["code"] == "already_claimed"
    assert "Bob (bob)" in rejected["reason"]
    assert applied["status"] == "applied"
    assert body["last_applied"] == 2
    replay = p.push_many([("claim_conversation", {"conversation_id": w.conversation_id})], first_id=1)
    assert replay["results"][0] == rejected
    with api.db.read() as s:
        assert s.get(Conversation, w.conversation_id).assignee_id == bob  # type: ignore[union-attr]


def test_rejected_effect_is_rolled_back_but_id_advances(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api, status="closed")
    p = f.Pusher(api, "amy")
    result = p.push("send_reply", {"message_id": new_id(), "conversation_id": w.conversation_id, "body": "您好"})
    assert result["code"] == "conversation_closed"
    with api.db.read() as s:
        assert s.execute(select(Message).where(Message.direction == "outbound")).first() is None
        assert s.get(Client, p.client_id).last_applied == 1  # type: ignore[union-attr]


def test_transient_failure_stops_without_advancing(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    registry = mutations.registry()
    spec = registry["add_note"]

    calls = {"n": 0}

    def flaky(session: Any, ctx: Any, principal: Any, args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            session.add(Message(id=new_id(), conversation_id=w.conversation_id, direction="note", channel="chat",
                                body="half-written", attachments=[], sent_at=api.clock()))
            session.flush()
            raise RuntimeError("database went away")
        spec.handler(session, ctx, principal, args)

    monkeypatch.setitem(registry, "add_note", mutations.MutationSpec(name="add_note", args=spec.args, handler=flaky, summary=""))
    p = f.Pusher(api, "amy")
    body = p.push_many([("add_note", _note(w.conversation_id, "一")), ("add_note", _note(w.conversation_id, "二")),
                        ("add_note", _note(w.conversation_id, "三"))])
    assert [r["status"] for r in body["results"]] == ["applied"]
    assert body["last_applied"] == 1
    with api.db.read() as s:
        bodies = s.execute(select(Message.body).where(Message.direction == "note")).scalars().all()
        assert bodies == ["一"]  # nothing half-written
        assert s.get(MutationResult, (p.client_id, 2)) is None
    retry = p.push_many([("add_note", _note(w.conversation_id, "二")), ("add_note", _note(w.conversation_id, "三"))])
    assert [r["status"] for r in retry["results"]] == ["applied", "applied"]
    assert retry["last_applied"] == 3


def test_client_is_bound_to_its_first_user(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    api.make_user("bob", Role.AGENT)
    w = f.world(api)
    p = f.Pusher(api, "amy")
    p.push("add_note", _note(w.conversation_id))
    resp = api.post("/sync/push", "bob", json={"client_id": p.client_id, "mutations": [
        {"mutation_id": 2, "name": "add_note", "args": _note(w.conversation_id), "schema_version": 1}]})
    assert resp.status_code == 403
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert "another user" in resp.json()["detail"]
    pull = api.get("/sync/pull", "bob", params={"client_id": p.client_id})
    assert pull.status_code == 403
    mine = api.client.get("/sync/pull", headers={**api.headers("amy"), "X-Client-Id": p.client_id})
    assert mine.json()["last_applied_mutation_id"] == 1


def test_unknown_names_and_bad_args_are_per_mutation_rejections(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    p = f.Pusher(api, "amy")
    body = p.push_many([
        ("fly_to_the_moon", {}),
        ("send_reply", {"message_id": new_id(), "conversation_id": w.conversation_id, "body": "x" * 20_001}),
        ("send_reply", {"message_id": "not-a-uuid", "conversation_id": w.conversation_id, "body": "hi", "extra": 1}),
        ("add_note", _note(w.conversation_id)),
    ])
    unknown, too_long, bad, ok = body["results"]
    assert unknown["code"] == "unknown_mutation" and "fly_to_the_moon" in unknown["reason"]
    assert too_long["code"] == "invalid_args" and "args.body" in too_long["reason"]
    assert "args.message_id" in bad["reason"] and "args.extra: unknown field" in bad["reason"]
    assert ok["status"] == "applied"
    assert body["last_applied"] == 4


@pytest.mark.parametrize("payload, field", [
    ({"client_id": "bad id!", "mutations": [{"mutation_id": 1, "name": "x", "args": {}}]}, "body.client_id"),
    ({"client_id": "c1", "mutations": []}, "body.mutations"),
    ({"client_id": "c1", "mutations": [{"mutation_id": 0, "name": "x", "args": {}}]}, "body.mutations.0.mutation_id"),
    ({"client_id": "c1", "mutations": [{"mutation_id": 1, "name": "x", "args": {}, "oops": 1}]}, "body.mutations.0.oops"),
])
def test_malformed_batches_are_422_problems(api: Api, payload: dict[str, Any], field: str) -> None:
    api.make_user("amy", Role.AGENT)
    resp = api.post("/sync/push", "amy", json=payload)
    assert resp.status_code == 422
    assert field in resp.json()["detail"]


def test_push_needs_sign_in(api: Api) -> None:
    resp = api.client.post("/sync/push", json={"client_id": "c1", "mutations": [{"mutation_id": 1, "name": "x", "args": {}}]})
    assert resp.status_code == 401


def test_values_no_backend_can_store_are_rejections_not_stalls(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    p = f.Pusher(api, "amy")
    body = p.push_many([
        ("add_note", _note(w.conversation_id, "bad\x00byte")),
        ("add_note", _note(w.conversation_id)),
    ])
    nul, ok = body["results"]
    assert nul["code"] == "invalid_args" and "body contains a NUL character" in nul["reason"]
    assert ok["status"] == "applied" and body["last_applied"] == 2


def test_reused_row_id_is_a_conflict_not_a_stall(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    a = f.world(api)
    b = f.world(api)
    p = f.Pusher(api, "amy")
    note = _note(a.conversation_id)
    p.push("add_note", note)
    clash = p.push("add_note", {**note, "conversation_id": b.conversation_id})
    assert clash["code"] == "id_conflict"
