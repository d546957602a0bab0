"""Every mutation the services enqueue is one the server accepts as arguments (its pydantic
models, extra fields forbidden) — the names and shapes are produced exactly."""

from __future__ import annotations

from workstation.domain.clock import FixedClock
from workstation.server.mutations import registry
from workstation.services.desk import DeskServices
from workstation.services.effects import EFFECTS
from workstation.store import outbox
from workstation.store.db import CacheDatabase

from .conftest import Seed, make_desk

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_every_mutation_has_a_local_effect() -> None:
    assert set(EFFECTS) == set(registry())


def test_enqueued_args_validate_against_the_servers_models(
    desk: DeskServices, db: CacheDatabase, clock: FixedClock, seed: Seed
) -> None:
    desk.claim(seed.conv)
    desk.transfer(seed.conv, to_user_id=seed.other)
    desk.transfer(seed.conv, to_queue="returns")
    desk.reply(seed.conv, "您好", channel="email", subject="回复")
    desk.add_note(seed.conv, "备注")
    desk.set_fields(
        seed.conv, request_type="complaint", priority="low", status="resolved", tags=["a"]
    )
    desk.update_case_record(seed.conv, asks="a", solution="b", promised_at=clock(), wishes="c")
    desk.record_call_notes(seed.call, "n", wrap_up_code="done")
    desk.open_case(
        kind="repair", order_item_id=seed.old_item, conversation_id=seed.conv, reason="quality"
    )
    desk.advance_case(seed.case, "rejected", reason="not covered")
    desk.offer_compensation(
        kind="goodwill", order_id=seed.order, goodwill_amount="20", conversation_id=seed.conv
    )
    lead = make_desk(db, clock, seed.other, role="team_lead")
    lead.decide_compensation(seed.offer, "reject", reason="too much")
    lead.record_qa_evaluation(
        seed.conv, scores={"timeliness": 5, "compliance": 5, "courtesy": 5, "resolution": 5}
    )
    engineer = make_desk(db, clock, seed.engineer, role="field_engineer")
    engineer.confirm_work_order(seed.work_order, visit_at=clock())
    engineer.sign_off_work_order(seed.work_order, diagnosis="d", signer_name="s", signature_png=PNG)
    desk.record_survey_callback(seed.survey, "回访")
    specs = registry()
    entries = outbox.entries(db)
    assert {e.name for e in entries} == set(specs)
    for entry in entries:
        specs[entry.name].args.model_validate(entry.args)
