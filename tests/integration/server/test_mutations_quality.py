"""QA evaluations (insert-only, amendments) and survey callbacks."""

from __future__ import annotations

from sqlalchemy import select

from tests.integration.server import factories as f
from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server.tables import QaEvaluation, Survey

GOOD = {"timeliness": 5, "compliance": 5, "courtesy": 5, "resolution": 5}
BAD = {"timeliness": 5, "compliance": 0, "courtesy": 5, "resolution": 5}


def test_qa_evaluation_insert_only_with_amendments(api: Api) -> None:
    amy = api.make_user("amy", Role.AGENT)
    api.make_user("lead", Role.TEAM_LEAD)
    w = f.world(api, assignee=amy)
    first, amendment = new_id(), new_id()
    lead = f.Pusher(api, "lead")
    needs_action = lead.push("record_qa_evaluation", {"evaluation_id": first, "conversation_id": w.conversation_id,
                                                      "scores": BAD})
    assert needs_action["code"] == "corrective_action_required" and "compliance" in needs_action["reason"]
    ok = lead.push("record_qa_evaluation", {"evaluation_id": first, "conversation_id": w.conversation_id,
                                            "scores": BAD, "corrective_action": "重学话术规范", "comment": "用了禁用语"})
    assert ok["status"] == "applied"
    fixed = lead.push("record_qa_evaluation", {"evaluation_id": amendment, "conversation_id": w.conversation_id,
                                               "scores": GOOD, "amends": first, "comment": "复核后更正"})
    assert fixed["status"] == "applied"
    with api.db.read() as s:
        rows = {e.id: e for e in s.execute(select(QaEvaluation)).scalars()}
    assert rows[first].passed is False and rows[first].agent_id == amy and rows[first].scores == BAD
    assert rows[amendment].passed is True and rows[amendment].amends == first
    # insert-only: the same id again changes nothing
    lead.push("record_qa_evaluation", {"evaluation_id": first, "conversation_id": w.conversation_id,
                                       "scores": GOOD})
    with api.db.read() as s:
        assert s.get(QaEvaluation, first).scores == BAD  # type: ignore[union-attr]
    dangling = lead.push("record_qa_evaluation", {"evaluation_id": new_id(), "conversation_id": w.conversation_id,
                                                  "scores": GOOD, "amends": new_id()})
    assert dangling["code"] == "unknown_amends"
    out_of_range = lead.push("record_qa_evaluation", {"evaluation_id": new_id(), "conversation_id": w.conversation_id,
                                                      "scores": {**GOOD, "courtesy": 6}})
    assert out_of_range["code"] == "invalid_args" and "args.scores.courtesy" in out_of_range["reason"]
    agent = f.Pusher(api, "amy").push("record_qa_evaluation", {"evaluation_id": new_id(),
                                                               "conversation_id": w.conversation_id, "scores": GOOD})
    assert agent["code"] == "forbidden"


def test_survey_callback_after_unsatisfied_rating(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    unhappy = f.survey(api, customer_id=w.customer_id, conversation_id=w.conversation_id, rating="unsatisfied")
    happy = f.survey(api, customer_id=w.customer_id, conversation_id=w.conversation_id, rating="satisfied")
    p = f.Pusher(api, "amy")
    done = p.push("record_survey_callback", {"survey_id": unhappy, "notes": "物流太慢；希望补偿运费"})
    assert done["status"] == "applied"
    with api.db.read() as s:
        survey = s.get(Survey, unhappy)
        assert survey is not None and survey.callback_done_at == api.clock()
        assert survey.callback_notes == "物流太慢；希望补偿运费"
    refused = p.push("record_survey_callback", {"survey_id": happy, "notes": "x"})
    assert refused["code"] == "no_callback_needed"
