"""Inbox mutations: claim, transfer, reply, note, fields, case record, call notes."""

from __future__ import annotations

from typing import Any

from tests.integration.server import factories as f
from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server.tables import Call, Conversation, Message


def _conv(api: Api, ident: str) -> Conversation:
    with api.db.read() as s:
        conv = s.get(Conversation, ident)
        assert conv is not None
        return conv


def test_claim_unassigned_mine_and_someone_elses(api: Api) -> None:
    amy = api.make_user("amy", Role.AGENT)
    api.make_user("bob", Role.AGENT)
    w = f.world(api)
    a, b = f.Pusher(api, "amy"), f.Pusher(api, "bob")
    assert a.push("claim_conversation", {"conversation_id": w.conversation_id})["status"] == "applied"
    assert a.push("claim_conversation", {"conversation_id": w.conversation_id})["status"] == "applied"
    taken = b.push("claim_conversation", {"conversation_id": w.conversation_id})
    assert taken["code"] == "already_claimed" and "Amy (amy)" in taken["reason"]
    assert _conv(api, w.conversation_id).assignee_id == amy


def test_urgent_needs_a_senior_and_out_of_scope_is_not_found(api: Api) -> None:
    api.make_user("amy", Role.AGENT, queues=["general"])
    urgent = f.world(api, priority="urgent")
    vip = f.world(api, queue="vip")
    p = f.Pusher(api, "amy")
    assert p.push("claim_conversation", {"conversation_id": urgent.conversation_id})["code"] == "needs_senior"
    assert p.push("claim_conversation", {"conversation_id": vip.conversation_id})["code"] == "not_found"


def test_transfer_only_own_unless_lead(api: Api) -> None:
    amy = api.make_user("amy", Role.AGENT)
    bob = api.make_user("bob", Role.AGENT)
    api.make_user("lead", Role.TEAM_LEAD)
    w = f.world(api, assignee=bob)
    refused = f.Pusher(api, "amy").push("transfer_conversation", {"conversation_id": w.conversation_id, "to_user_id": amy})
    assert refused["code"] == "not_yours"
    ok = f.Pusher(api, "bob").push("transfer_conversation", {"conversation_id": w.conversation_id, "to_queue": "returns"})
    assert ok["status"] == "applied"
    conv = _conv(api, w.conversation_id)
    assert conv.queue == "returns" and conv.assignee_id is None
    lead = f.Pusher(api, "lead").push("transfer_conversation", {"conversation_id": w.conversation_id, "to_user_id": amy})
    assert lead["status"] == "applied" and _conv(api, w.conversation_id).assignee_id == amy
    both = f.Pusher(api, "lead").push("transfer_conversation", {"conversation_id": w.conversation_id,
                                                               "to_user_id": amy, "to_queue": "x"})
    assert both["code"] == "invalid_args" and "exactly one" in both["reason"]


def test_send_reply_sets_first_response_and_opens(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    script = f.script(api)
    api.clock.advance(seconds=40)
    mid = new_id()
    args: dict[str, Any] = {"message_id": mid, "conversation_id": w.conversation_id, "body": "您好😊，马上为您查询",
                            "script_id": script, "script_version": 1}
    p = f.Pusher(api, "amy")
    assert p.push("send_reply", args)["status"] == "applied"
    conv = _conv(api, w.conversation_id)
    assert conv.status == "open" and conv.first_response_at == api.clock()
    assert conv.preview.startswith("您好") and conv.last_message_at == api.clock()
    with api.db.read() as s:
        msg = s.get(Message, mid)
        assert msg is not None and msg.direction == "outbound" and msg.channel == "chat"
        assert msg.delivery is not None and msg.script_version == 1
    # a second reply later does not move the first response
    api.clock.advance(minutes=5)
    p.push("send_reply", {"message_id": new_id(), "conversation_id": w.conversation_id, "body": "已查到",
                          "channel": "sms"})
    assert _conv(api, w.conversation_id).first_response_at == api.clock().replace(second=40, minute=0)


def test_send_reply_refuses_unapproved_scripts(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    draft = f.script(api, status="draft")
    result = f.Pusher(api, "amy").push("send_reply", {"message_id": new_id(), "conversation_id": w.conversation_id,
                                                      "body": "hi", "script_id": draft, "script_version": 1})
    assert result["code"] == "script_not_approved"


def test_note_fields_and_case_record(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api, status="open")
    p = f.Pusher(api, "amy")
    assert p.push("add_note", {"message_id": new_id(), "conversation_id": w.conversation_id, "body": "客户很着急"})["status"] == "applied"
    ok = p.push("set_conversation_fields", {"conversation_id": w.conversation_id, "priority": "high",
                                            "request_type": "return_refund", "tags": ["VIP", "VIP", "高投诉用户"]})
    assert ok["status"] == "applied"
    conv = _conv(api, w.conversation_id)
    assert (conv.priority, conv.request_type, conv.tags) == ("high", "return_refund", ["VIP", "高投诉用户"])
    bad = p.push("set_conversation_fields", {"conversation_id": w.conversation_id, "status": "new"})
    assert bad["code"] == "invalid_transition" and "open to new" in bad["reason"]
    assert _conv(api, w.conversation_id).priority == "high"  # earlier write stands
    p.push("update_case_record", {"conversation_id": w.conversation_id, "asks": "退货", "wishes": "周末送货"})
    p.push("update_case_record", {"conversation_id": w.conversation_id, "solution": "上门取件",
                                  "promised_at": "2026-11-03T10:00:00+08:00"})
    record = _conv(api, w.conversation_id).case_record
    assert record == {"asks": "退货", "wishes": "周末送货", "solution": "上门取件",
                      "promised_at": "2026-11-03T10:00:00+08:00"}
    naive = p.push("update_case_record", {"conversation_id": w.conversation_id, "promised_at": "2026-11-03T10:00:00"})
    assert naive["code"] == "invalid_args" and "args.promised_at" in naive["reason"]


def test_call_notes_only_on_own_or_visible_calls(api: Api) -> None:
    amy = api.make_user("amy", Role.AGENT, queues=["general"])
    w = f.world(api)
    mine = f.call(api, conversation_id=None, customer_id=w.customer_id, agent_id=amy)
    hidden = f.world(api, queue="vip")
    theirs = f.call(api, conversation_id=hidden.conversation_id, customer_id=hidden.customer_id, agent_id=None)
    p = f.Pusher(api, "amy")
    assert p.push("record_call_notes", {"call_id": mine, "notes": "客户要求退货", "wrap_up_code": "return"})["status"] == "applied"
    assert p.push("record_call_notes", {"call_id": theirs, "notes": "x"})["code"] == "not_found"
    with api.db.read() as s:
        call = s.get(Call, mine)
        assert call is not None and call.wrap_up_code == "return" and call.notes == "客户要求退货"


def test_field_engineers_cannot_work_the_inbox(api: Api) -> None:
    api.make_user("eng", Role.FIELD_ENGINEER)
    w = f.world(api)
    result = f.Pusher(api, "eng").push("add_note", {"message_id": new_id(), "conversation_id": w.conversation_id,
                                                    "body": "x"})
    assert result["code"] == "forbidden"
