from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from workstation.scripts import lifecycle
from workstation.scripts.lifecycle import Actor, TransitionError
from workstation.scripts.lint import load_lint_config
from workstation.scripts.model import Script, ScriptError, Status
from workstation.scripts.render import VARIABLES

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
LEAD = Actor(id="lead-1", role="team_lead")
ADMIN = Actor(id="admin-1", role="admin")
AGENT = Actor(id="agent-1", role="agent")
SENIOR = Actor(id="senior-1", role="senior_agent")
CONFIG = load_lint_config()

CONTENT = {
    "key": "refund.issued.zh",
    "category": "refund",
    "language": "zh",
    "title": "退款已发起",
    "tags": ["退款"],
    "request_types": ["return_refund"],
    "variants": {
        "chat": {"body": "{{customer.name}}您好，退款{{refund.amount}}元已为您发起，7个工作日内到账。"},
        "email": {"subject": "退款已发起", "body": "{{customer.name}}您好：退款{{refund.amount}}元已发起，7个工作日内到账。"},
        "sms": {"body": "退款{{refund.amount}}元已发起，7个工作日内到账。"},
    },
}


def approved_script() -> Script:
    v1 = lifecycle.create(CONTENT, actor=LEAD, now=NOW, known_variables=VARIABLES)
    v1 = lifecycle.submit(v1, actor=LEAD)
    result = lifecycle.approve(Script(key=v1.key, versions=(v1,)), 1, actor=ADMIN, now=NOW, config=CONFIG)
    return Script(key=v1.key, versions=(result.approved,))


def test_full_flow_draft_submitted_approved_retired() -> None:
    draft = lifecycle.create(CONTENT, actor=LEAD, now=NOW)
    assert (draft.status, draft.version, draft.created_by) == (Status.DRAFT, 1, "lead-1")
    submitted = lifecycle.submit(draft, actor=LEAD)
    assert submitted.status is Status.SUBMITTED
    result = lifecycle.approve(Script(key=draft.key, versions=(submitted,)), 1, actor=LEAD, now=NOW, config=CONFIG)
    assert result.approved.status is Status.APPROVED
    assert (result.approved.approved_by, result.approved.approved_at) == ("lead-1", NOW)
    assert result.retired == ()
    assert lifecycle.retire(result.approved, actor=ADMIN).status is Status.RETIRED


@pytest.mark.parametrize("actor", [AGENT, SENIOR, Actor(id="e", role="field_engineer")])
def test_only_leads_and_admins_author_and_approve(actor: Actor) -> None:
    with pytest.raises(TransitionError) as err:
        lifecycle.create(CONTENT, actor=actor, now=NOW)
    assert err.value.code == "forbidden"
    draft = lifecycle.create(CONTENT, actor=LEAD, now=NOW)
    submitted = lifecycle.submit(draft, actor=LEAD)
    for step in (
        lambda: lifecycle.submit(draft, actor=actor),
        lambda: lifecycle.edit(draft, {"title": "x"}, actor=actor),
        lambda: lifecycle.approve(Script(key=draft.key, versions=(submitted,)), 1, actor=actor, now=NOW, config=CONFIG),
        lambda: lifecycle.reject(submitted, actor=actor, reason="no"),
        lambda: lifecycle.retire(submitted, actor=actor),
        lambda: lifecycle.revise(approved_script(), {}, actor=actor, now=NOW),
    ):
        with pytest.raises(TransitionError) as err:
            step()
        assert err.value.code == "forbidden"


def test_wrong_state_transitions_are_refused() -> None:
    draft = lifecycle.create(CONTENT, actor=LEAD, now=NOW)
    with pytest.raises(TransitionError, match="is draft; cannot approve"):
        lifecycle.approve(Script(key=draft.key, versions=(draft,)), 1, actor=LEAD, now=NOW, config=CONFIG)
    with pytest.raises(TransitionError, match="cannot reject"):
        lifecycle.reject(draft, actor=LEAD, reason="x")
    submitted = lifecycle.submit(draft, actor=LEAD)
    with pytest.raises(TransitionError, match="cannot edit"):
        lifecycle.edit(submitted, {"title": "x"}, actor=LEAD)
    approved = approved_script().approved
    assert approved is not None
    with pytest.raises(TransitionError, match="cannot edit"):
        lifecycle.edit(approved, {"title": "x"}, actor=LEAD)
    retired = lifecycle.retire(approved, actor=LEAD)
    with pytest.raises(TransitionError, match="cannot retire"):
        lifecycle.retire(retired, actor=LEAD)


def test_reject_needs_a_reason_and_returns_to_draft() -> None:
    submitted = lifecycle.submit(lifecycle.create(CONTENT, actor=LEAD, now=NOW), actor=LEAD)
    with pytest.raises(TransitionError) as err:
        lifecycle.reject(submitted, actor=LEAD, reason="  ")
    assert err.value.code == "reason_required"
    assert lifecycle.reject(submitted, actor=LEAD, reason="语气太硬").status is Status.DRAFT


def test_approval_blocks_on_lint_errors_naming_the_rule() -> None:
    bad = {**CONTENT, "variants": {**CONTENT["variants"], "sms": {"body": "您必须在7天内寄回"}}}
    submitted = lifecycle.submit(lifecycle.create(bad, actor=LEAD, now=NOW), actor=LEAD)
    with pytest.raises(TransitionError) as err:
        lifecycle.approve(Script(key=submitted.key, versions=(submitted,)), 1, actor=LEAD, now=NOW, config=CONFIG)
    assert err.value.code == "lint"
    assert [(i.rule, i.channel) for i in err.value.issues] == [("command", "sms")]
    assert "command" in str(err.value)
    # submit can gate on the lint too, when given the config
    with pytest.raises(TransitionError):
        lifecycle.submit(lifecycle.create(bad, actor=LEAD, now=NOW), actor=LEAD, config=CONFIG)


def test_revise_carries_every_variant_and_substitutes_everywhere_at_once() -> None:
    script = approved_script()
    v2 = lifecycle.revise(script, {"substitute": {"7个工作日": "3个工作日"}}, actor=LEAD, now=NOW,
                          known_variables=VARIABLES)
    assert (v2.version, v2.status) == (2, Status.DRAFT)
    assert set(v2.variants) == {"chat", "email", "sms"}
    assert all("3个工作日" in v.body and "7个工作日" not in v.body for v in v2.variants.values())
    # a second open version is refused until the first is finished
    with pytest.raises(TransitionError) as err:
        lifecycle.revise(Script(key=script.key, versions=(*script.versions, v2)), {}, actor=LEAD, now=NOW)
    assert err.value.code == "open_version"
    with pytest.raises(ScriptError, match="substitute"):
        lifecycle.revise(script, {"substitute": {"不存在": "x"}}, actor=LEAD, now=NOW)


def test_approving_a_new_version_retires_the_old_one() -> None:
    script = approved_script()
    v2 = lifecycle.submit(
        lifecycle.revise(script, {"variants": {"chat": {"body": "您好，退款已为您发起。"}}}, actor=LEAD, now=NOW),
        actor=LEAD,
    )
    assert v2.variants["email"] == script.versions[0].variants["email"]  # carried over
    both = Script(key=script.key, versions=(*script.versions, v2))
    result = lifecycle.approve(both, 2, actor=LEAD, now=NOW, config=CONFIG)
    assert [(v.version, v.status) for v in result.retired] == [(1, Status.RETIRED)]
    after = Script(key=script.key, versions=(*result.retired, result.approved))
    assert after.approved is not None and after.approved.version == 2


def test_create_refuses_an_existing_key_and_bad_content() -> None:
    with pytest.raises(TransitionError, match="exists"):
        lifecycle.create(CONTENT, actor=LEAD, now=NOW, existing=approved_script())
    with pytest.raises(ScriptError) as err:
        lifecycle.create({**CONTENT, "variants": {"email": {"body": "x"}}}, actor=LEAD, now=NOW)
    assert err.value.field == "variants.email.subject" and "refund.issued.zh" in str(err.value)
    with pytest.raises(ScriptError) as err:
        lifecycle.create({**CONTENT, "variants": {"chat": {"body": "{{order.secret}}"}}}, actor=LEAD, now=NOW,
                         known_variables=VARIABLES)
    assert "order.secret" in str(err.value)
    with pytest.raises(ScriptError, match="language"):
        lifecycle.edit(lifecycle.create(CONTENT, actor=LEAD, now=NOW), {"language": "en"}, actor=LEAD)


def test_edit_a_draft_keeps_other_channels() -> None:
    draft = lifecycle.create(CONTENT, actor=LEAD, now=NOW)
    edited = lifecycle.edit(draft, {"title": "新标题", "variants": {"sms": None}}, actor=LEAD)
    assert edited.title == "新标题" and set(edited.variants) == {"chat", "email"}
    assert replace(edited, title=draft.title, variants=draft.variants) == draft
