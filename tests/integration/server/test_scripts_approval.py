"""Reply scripts over HTTP: authoring and approval by leads, agents see approved versions only,
the lint blocks approval naming the rule, and every decision is audited. Both backends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.server.tables import AuditEntry, ReplyScript

from . import factories as f

CONTENT: dict[str, Any] = {
    "key": "refund.test.zh",
    "category": "refund",
    "language": "zh",
    "title": "退款测试",
    "tags": ["退款"],
    "request_types": ["return_refund"],
    "variants": {
        "chat": {"body": "{{customer.name}}您好，退款{{refund.amount}}元已为您发起，7个工作日内到账。"},
        "email": {"subject": "退款已发起", "body": "{{customer.name}}您好：退款{{refund.amount}}元已发起，7个工作日内到账。"},
        "sms": {"body": "退款{{refund.amount}}元已发起，7个工作日内到账。"},
    },
}
KEY = CONTENT["key"]


def _people(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    api.make_user("lead", Role.TEAM_LEAD)
    api.make_user("root", Role.ADMIN)


def _approved(api: Api) -> dict[str, Any]:
    assert api.post("/scripts", "lead", json=CONTENT).status_code == 201
    assert api.post(f"/scripts/{KEY}/versions/1/submit", "lead").status_code == 200
    resp = api.post(f"/scripts/{KEY}/versions/1/approve", "root")
    assert resp.status_code == 200, resp.text
    return resp.json()


def _audit(api: Api, action: str) -> list[AuditEntry]:
    with api.db.read() as s:
        return list(s.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars())


def test_approval_flow_and_agents_see_approved_only(api: Api) -> None:
    _people(api)
    created = api.post("/scripts", "lead", json=CONTENT)
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["version"]) == ("draft", 1)

    # a draft is invisible to agents, visible to leads
    assert api.get(f"/scripts/{KEY}/versions", "amy").status_code == 404
    assert [v["status"] for v in api.get(f"/scripts/{KEY}/versions", "lead").json()] == ["draft"]
    assert KEY not in {s["key"] for s in api.get("/scripts", "amy").json()["items"]}

    edited = api.client.patch(f"/scripts/{KEY}/versions/1", headers=api.headers("lead"),
                              json={"title": "退款已发起", "tags": ["退款", "到账"]})
    assert edited.status_code == 200 and edited.json()["title"] == "退款已发起"
    assert set(edited.json()["variants"]) == {"chat", "email", "sms"}

    assert api.post(f"/scripts/{KEY}/versions/1/submit", "lead").json()["status"] == "submitted"
    approved = api.post(f"/scripts/{KEY}/versions/1/approve", "lead")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved" and body["approved_by"] == api.users["lead"] and body["approved_at"]

    versions = api.get(f"/scripts/{KEY}/versions", "amy").json()
    assert [(v["version"], v["status"]) for v in versions] == [(1, "approved")]
    assert KEY in {s["key"] for s in api.get("/scripts", "amy").json()["items"]}
    # the approved script reaches agents through the normal pull
    changes, _ = f.pull_all(api, "amy")
    assert any(c["entity"] == "reply_scripts" and c["data"]["key"] == KEY for c in changes)

    (entry,) = _audit(api, "script.approve")
    assert entry.actor_id == api.users["lead"] and entry.details["key"] == KEY and entry.details["version"] == 1


def test_agents_cannot_author_or_approve(api: Api) -> None:
    _people(api)
    assert api.post("/scripts", "amy", json=CONTENT).status_code == 403
    api.post("/scripts", "lead", json=CONTENT)
    api.post(f"/scripts/{KEY}/versions/1/submit", "lead")
    for path in ("submit", "approve", "retire"):
        assert api.post(f"/scripts/{KEY}/versions/1/{path}", "amy").status_code == 403
    assert api.post(f"/scripts/{KEY}/revise", "amy", json={}).status_code == 403


def test_approval_with_a_lint_error_is_refused_naming_the_rule(api: Api) -> None:
    _people(api)
    bad = {**CONTENT, "variants": {**CONTENT["variants"], "sms": {"body": "您必须在7天内寄回，退款{{refund.amount}}元"}}}
    assert api.post("/scripts", "lead", json=bad).status_code == 201
    assert api.post(f"/scripts/{KEY}/versions/1/submit", "lead").status_code == 200
    resp = api.post(f"/scripts/{KEY}/versions/1/approve", "lead")
    assert resp.status_code == 422
    problem = resp.json()
    assert problem["rules"] == ["command"]
    assert "command" in problem["detail"] and "sms" in problem["detail"]
    assert problem["issues"][0]["channel"] == "sms" and problem["issues"][0]["match"] == "必须"
    with api.db.read() as s:
        assert s.execute(select(ReplyScript.status).where(ReplyScript.key == KEY)).scalar_one() == "submitted"
    (refusal,) = _audit(api, "script.approve_refused")
    assert refusal.details["rules"] == ["command"]
    assert _audit(api, "script.approve") == []

    # the lead rejects it back to draft with a reason (audited), fixes it, and it passes
    rejected = api.post(f"/scripts/{KEY}/versions/1/reject", "lead", json={"reason": "命令语气，请改为“请您”"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "draft"
    assert _audit(api, "script.reject")[0].details["reason"].startswith("命令语气")
    fixed = api.client.patch(f"/scripts/{KEY}/versions/1", headers=api.headers("lead"),
                             json={"variants": {"sms": {"body": "请您在7天内寄回，退款{{refund.amount}}元"}}})
    assert fixed.status_code == 200
    api.post(f"/scripts/{KEY}/versions/1/submit", "lead")
    assert api.post(f"/scripts/{KEY}/versions/1/approve", "lead").status_code == 200


def test_revise_makes_a_new_version_of_every_channel_and_approval_retires_the_old(api: Api) -> None:
    _people(api)
    _approved(api)
    revised = api.post(f"/scripts/{KEY}/revise", "lead", json={"substitute": {"7个工作日": "3个工作日"}})
    assert revised.status_code == 201, revised.text
    v2 = revised.json()
    assert (v2["version"], v2["status"]) == (2, "draft")
    assert all("3个工作日" in v["body"] for v in v2["variants"].values())
    # only one open version per key
    assert api.post(f"/scripts/{KEY}/revise", "lead", json={}).status_code == 409

    # agents still see version 1 only
    assert [v["version"] for v in api.get(f"/scripts/{KEY}/versions", "amy").json()] == [1]
    api.post(f"/scripts/{KEY}/versions/2/submit", "lead")
    assert api.post(f"/scripts/{KEY}/versions/2/approve", "lead").status_code == 200
    statuses = {v["version"]: v["status"] for v in api.get(f"/scripts/{KEY}/versions", "lead").json()}
    assert statuses == {1: "retired", 2: "approved"}
    assert [v["version"] for v in api.get(f"/scripts/{KEY}/versions", "amy").json()] == [2]
    assert [e.details["superseded_by"] for e in _audit(api, "script.retire")] == [2]


def test_bad_input_names_the_field_and_saves_nothing(api: Api) -> None:
    _people(api)
    resp = api.post("/scripts", "lead", json={**CONTENT, "variants": {"email": {"body": "您好"}}})
    assert resp.status_code == 422 and "variants.email.subject" in resp.text
    resp = api.post("/scripts", "lead", json={**CONTENT, "category": "refunds"})
    assert resp.status_code == 422 and "category" in resp.text
    resp = api.post("/scripts", "lead", json={**CONTENT, "variants": {"chat": {"body": "{{order.nope}}"}}})
    assert resp.status_code == 422 and "order.nope" in resp.text
    with api.db.read() as s:
        assert s.execute(select(ReplyScript.id)).first() is None
    _approved(api)
    assert api.post("/scripts", "lead", json=CONTENT).status_code == 409
    assert api.post(f"/scripts/{KEY}/versions/1/reject", "lead", json={"reason": "x"}).status_code == 409
    assert api.post(f"/scripts/{KEY}/versions/9/approve", "lead").status_code == 404
    assert api.post("/scripts/nope.zh/versions/1/approve", "lead").status_code == 404


def test_lint_endpoint_warns_agents_and_blocks_for_leads(api: Api) -> None:
    _people(api)
    agent = api.post("/scripts/lint", "amy", json={"text": "I don't know, you must wait", "language": "en"}).json()
    assert {i["rule"] for i in agent["issues"]} == {"evasion", "command"}
    assert agent["blocking"] is False and all(i["severity"] == "warning" for i in agent["issues"])
    lead = api.post("/scripts/lint", "lead", json={"text": "退" * 135, "language": "zh", "channel": "sms"}).json()
    assert [i["rule"] for i in lead["issues"]] == ["sms_length"] and lead["blocking"] is True
    assert "customer.name" in api.get("/scripts/variables", "amy").json()
