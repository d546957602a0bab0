"""Each use case: row(s) + outbox entry in one transaction, the right OpChanges, exact args,
and bad input refused naming the field with nothing written."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pytest

from workstation.domain.clock import FixedClock
from workstation.domain.compensation import CompensationRequest, calculate_compensation
from workstation.domain.enums import CompensationKind
from workstation.domain.policy import load_policy
from workstation.services import desk as desk_module
from workstation.services.changes import OpChanges, ServiceError
from workstation.services.desk import DeskServices
from workstation.services.effects import SERVER_COPY
from workstation.store import outbox
from workstation.store.apply import get_row
from workstation.store.db import CacheDatabase

from .conftest import Seed, make_desk

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def row(db: CacheDatabase, entity: str, id_: str) -> dict[str, Any] | None:
    with db.read() as s:
        return get_row(s, entity, id_)


def only_entry(db: CacheDatabase) -> outbox.OutboxEntry:
    entries = outbox.entries(db)
    assert len(entries) == 1
    return entries[0]


def test_reply_writes_message_conversation_and_outbox_together(
    desk: DeskServices, db: CacheDatabase, seed: Seed, pokes: list[int]
) -> None:
    changes = desk.reply(seed.conv, "您好，我们马上处理")
    assert changes.created_id is not None
    assert changes.entities == {"messages", "conversations"}
    assert changes.ids == {changes.created_id, seed.conv}
    entry = only_entry(db)
    assert changes.mutation_id == entry.mutation_id == 1
    assert entry.name == "send_reply"
    assert entry.args == {
        "message_id": changes.created_id,
        "conversation_id": seed.conv,
        "body": "您好，我们马上处理",
    }
    assert entry.status == "pending" and entry.created_at.startswith("2026-11-02T02:00:00")
    message = row(db, "messages", changes.created_id)
    assert message is not None
    assert (message["direction"], message["author_id"], message["channel"]) == (
        "outbound",
        seed.me,
        "chat",
    )
    assert message[SERVER_COPY] is None  # made here
    conv = row(db, "conversations", seed.conv)
    assert conv is not None
    assert (
        conv["preview"] == "您好，我们马上处理"
        and conv["first_response_at"] == "2026-11-02T02:00:00Z"
    )
    assert conv[SERVER_COPY]["preview"] == "你好，耳机没声音"  # the server's version kept for undo
    assert pokes == [1]


def test_a_failure_between_the_local_write_and_the_outbox_leaves_nothing(
    desk: DeskServices,
    db: CacheDatabase,
    seed: Seed,
    pokes: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(*a: Any, **kw: Any) -> int:
        raise RuntimeError("disk full")

    before = row(db, "conversations", seed.conv)
    monkeypatch.setattr(desk_module.outbox, "enqueue", boom)
    with pytest.raises(RuntimeError):
        desk.reply(seed.conv, "您好")
    with pytest.raises(RuntimeError):
        desk.claim(seed.conv)
    monkeypatch.undo()
    assert outbox.entries(db) == []
    assert row(db, "conversations", seed.conv) == before
    with db.read() as s:
        from sqlalchemy import text

        assert s.execute(text("SELECT count(*) FROM messages")).scalar() == 1
    assert pokes == []


def test_a_failing_effect_enqueues_nothing(
    desk: DeskServices, db: CacheDatabase, seed: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*a: Any, **kw: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(desk_module.effects, "apply_effect", boom)
    with pytest.raises(RuntimeError):
        desk.add_note(seed.conv, "内部备注")
    assert outbox.entries(db) == []


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda d, s: d.reply(s.conv, "   "), "body"),
        (lambda d, s: d.reply("nope", "hi"), "conversation_id"),
        (lambda d, s: d.reply(s.closed, "hi"), "conversation_id"),
        (lambda d, s: d.reply(s.conv, "hi", channel="pigeon"), "channel"),
        (lambda d, s: d.reply(s.conv, "hi", script_id=s.item), "script_id"),
        (lambda d, s: d.reply(s.conv, "x" * 20_001), "body"),
        (lambda d, s: d.reply(s.conv, "a\x00b"), "body"),
        (lambda d, s: d.claim(s.claimed), "conversation_id"),
        (lambda d, s: d.transfer(s.conv), "to_user_id"),
        (lambda d, s: d.transfer(s.conv, to_queue="bad queue"), "to_queue"),
        (lambda d, s: d.transfer(s.conv, to_user_id=s.engineer), "to_user_id"),
        (lambda d, s: d.set_fields(s.conv), "request_type"),
        (lambda d, s: d.set_fields(s.conv, priority="meh"), "priority"),
        (lambda d, s: d.set_fields(s.conv, status="new"), "status"),
        (lambda d, s: d.set_fields(s.closed, status="open"), "status"),
        (lambda d, s: d.set_fields(s.conv, tags=["x" * 41]), "tags"),
        (lambda d, s: d.set_fields(s.conv, tags="vip"), "tags"),
        (lambda d, s: d.update_case_record(s.conv), "asks"),
        (lambda d, s: d.record_call_notes(s.item, "notes"), "call_id"),
        (lambda d, s: d.record_call_notes(s.call, "n", wrap_up_code="no spaces"), "wrap_up_code"),
        (
            lambda d, s: d.open_case(
                kind="refund", order_item_id=s.item, conversation_id=None, reason="quality"
            ),
            "kind",
        ),
        (
            lambda d, s: d.open_case(
                kind="return", order_item_id=s.item, conversation_id=None, reason="meh"
            ),
            "reason",
        ),
        (lambda d, s: d.advance_case(s.case, "refunded"), "to_state"),
        (lambda d, s: d.advance_case(s.case, "rejected"), "reason"),
        (lambda d, s: d.offer_compensation(kind="goodwill"), "order_item_id"),
        (
            lambda d, s: d.offer_compensation(
                kind="goodwill", order_id=s.order, goodwill_amount=1.5
            ),
            "goodwill_amount",
        ),
        (lambda d, s: d.decide_compensation(s.offer, "change"), "amount"),
        (lambda d, s: d.decide_compensation(s.offer, "reject", reason=" "), "reason"),
        (lambda d, s: d.confirm_work_order(s.work_order), "work_order_id"),
        (
            lambda d, s: d.record_qa_evaluation(s.conv, scores={"timeliness": 5}),
            "scores.compliance",
        ),
        (
            lambda d, s: d.record_qa_evaluation(
                s.conv, scores={"timeliness": 1, "compliance": 5, "courtesy": 5, "resolution": 5}
            ),
            "corrective_action",
        ),
        (lambda d, s: d.record_survey_callback(s.survey, ""), "notes"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    desk: DeskServices, db: CacheDatabase, seed: Seed, call: Any, field: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        call(desk, seed)
    assert caught.value.field == field, caught.value
    assert caught.value.message
    assert outbox.entries(db) == []


def test_claim_and_transfer(desk: DeskServices, db: CacheDatabase, seed: Seed) -> None:
    c = desk.claim(seed.conv)
    assert c == OpChanges(
        entities=frozenset({"conversations"}), ids=frozenset({seed.conv}), mutation_id=1
    )
    assert row(db, "conversations", seed.conv)["assignee_id"] == seed.me  # type: ignore[index]
    desk.transfer(seed.conv, to_queue="returns")
    conv = row(db, "conversations", seed.conv)
    assert conv is not None and (conv["assignee_id"], conv["queue"]) == (None, "returns")
    assert conv[SERVER_COPY]["assignee_id"] is None and conv[SERVER_COPY]["queue"] == "general"
    assert [e.args for e in outbox.entries(db)] == [
        {"conversation_id": seed.conv},
        {"conversation_id": seed.conv, "to_queue": "returns"},
    ]


def test_fields_case_record_note_call(
    desk: DeskServices, db: CacheDatabase, seed: Seed, clock: FixedClock
) -> None:
    from datetime import timedelta

    desk.set_fields(seed.conv, priority="high", tags=["vip", "vip", "退货"], status="resolved")
    desk.update_case_record(seed.conv, asks="换新", promised_at=clock() + timedelta(days=1))
    note = desk.add_note(seed.conv, "客户很着急")
    desk.record_call_notes(seed.call, "回电确认", wrap_up_code="resolved")
    conv = row(db, "conversations", seed.conv)
    assert conv is not None
    assert (conv["priority"], conv["tags"], conv["status"]) == ("high", ["vip", "退货"], "resolved")
    assert conv["case_record"] == {"asks": "换新", "promised_at": "2026-11-03T02:00:00+00:00"}
    assert row(db, "messages", note.created_id or "")["direction"] == "note"  # type: ignore[index]
    call = row(db, "calls", seed.call)
    assert call is not None and (call["notes"], call["wrap_up_code"]) == ("回电确认", "resolved")
    names = [e.name for e in outbox.entries(db)]
    assert names == [
        "set_conversation_fields",
        "update_case_record",
        "add_note",
        "record_call_notes",
    ]


def test_open_case_refuses_offline_with_the_rule(
    desk: DeskServices, db: CacheDatabase, seed: Seed
) -> None:
    with pytest.raises(ServiceError) as caught:
        desk.open_case(
            kind="return",
            order_item_id=seed.old_item,
            conversation_id=seed.conv,
            reason="no_reason",
        )
    assert caught.value.field == "kind" and "rule" in caught.value.message
    assert outbox.entries(db) == []
    opened = desk.open_case(
        kind="return",
        order_item_id=seed.item,
        conversation_id=seed.conv,
        reason="quality",
        has_evidence=True,
        description="坏了",
    )
    assert opened.created_id is not None and opened.entities == {"cases"}
    case = row(db, "cases", opened.created_id)
    assert case is not None and (case["state"], case["customer_id"], case["created_by"]) == (
        "submitted",
        seed.customer,
        seed.me,
    )
    assert only_entry(db).args["case_id"] == opened.created_id


def test_advance_case_writes_case_and_event(
    desk: DeskServices, db: CacheDatabase, seed: Seed
) -> None:
    c = desk.advance_case(seed.case, "approved", note="ok")
    entry = only_entry(db)
    assert entry.args["to_state"] == "approved" and entry.args["event_id"]
    assert c.entities == {"cases", "case_events"}
    assert row(db, "cases", seed.case)["state"] == "approved"  # type: ignore[index]
    event = row(db, "case_events", entry.args["event_id"])
    assert event is not None and (event["from_state"], event["to_state"]) == (
        "submitted",
        "approved",
    )


def test_offer_sends_the_locally_computed_amount(
    desk: DeskServices, db: CacheDatabase, seed: Seed
) -> None:
    quote = desk.quote_compensation(kind="damaged_goods", order_item_id=seed.item, severity=None)
    expected = calculate_compensation(
        load_policy(),
        CompensationRequest(
            kind=CompensationKind.DAMAGED_GOODS,
            price=Decimal("200.00"),
            quantity=1,
            order_amount=Decimal("200.00"),
        ),
    )
    assert quote.total == expected.total
    made = desk.offer_compensation(
        kind="damaged_goods", order_item_id=seed.item, conversation_id=seed.conv
    )
    entry = only_entry(db)
    assert entry.args["expected_amount"] == f"{expected.total:.2f}"
    offer = row(db, "compensation_offers", made.created_id or "")
    assert (
        offer is not None
        and offer["amount"] == f"{expected.total:.2f}"
        and offer["offered_by"] == seed.me
    )


def test_lead_decides_engineer_signs_off_qa_survey(
    db: CacheDatabase, clock: FixedClock, seed: Seed
) -> None:
    lead = make_desk(db, clock, seed.other, role="team_lead")
    lead.decide_compensation(seed.offer, "change", amount="300")
    offer = row(db, "compensation_offers", seed.offer)
    assert offer is not None and (offer["status"], offer["approved_amount"]) == (
        "changed",
        "300.00",
    )
    lead.record_qa_evaluation(
        seed.conv, scores={"timeliness": 4, "compliance": 4, "courtesy": 4, "resolution": 4}
    )
    engineer = make_desk(db, clock, seed.engineer, role="field_engineer")
    engineer.confirm_work_order(seed.work_order)
    engineer.sign_off_work_order(
        seed.work_order,
        diagnosis="主板坏",
        signer_name="李雷",
        signature_png=PNG,
        parts=["PCB-1"],
        labour_code="L1",
    )
    wo = row(db, "work_orders", seed.work_order)
    assert wo is not None and wo["state"] == "signed_off"
    assert wo["signature"] == base64.b64encode(PNG).decode()
    with pytest.raises(ServiceError) as caught:
        engineer.sign_off_work_order(
            seed.work_order, diagnosis="x", signer_name="y", signature_png=PNG
        )
    assert caught.value.field == "work_order_id"
    lead.record_survey_callback(seed.survey, "客户希望换新")
    survey = row(db, "surveys", seed.survey)
    assert survey is not None and survey["callback_done_at"] == "2026-11-02T02:00:00Z"
    names = [e.name for e in outbox.entries(db)]
    assert names == [
        "decide_compensation",
        "record_qa_evaluation",
        "confirm_work_order",
        "sign_off_work_order",
        "record_survey_callback",
    ]
