"""The default library loads into the server database as approved by the lead."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.scripts.library import load_library
from workstation.server.script_library import load_default_library
from workstation.server.tables import ReplyScript

from . import factories as f


def test_default_library_loads_approved_and_syncs_to_agents(api: Api) -> None:
    lead = api.make_user("lead", Role.TEAM_LEAD)
    api.make_user("amy", Role.AGENT)
    expected = len(load_library())
    with api.db.write() as s:
        assert load_default_library(s, approved_by=lead, now=api.clock()) == expected
    with api.db.write() as s:  # idempotent: existing keys are left alone
        assert load_default_library(s, approved_by=lead, now=api.clock()) == 0
    with api.db.read() as s:
        rows = list(s.execute(select(ReplyScript)).scalars())
        assert len(rows) == expected >= 60
        assert {r.status for r in rows} == {"approved"} and {r.approved_by for r in rows} == {lead}
        seqs = [r.change_seq for r in rows]
        assert len(set(seqs)) == len(seqs) and min(seqs) > 0
        assert s.execute(select(func.count(func.distinct(ReplyScript.category)))).scalar_one() == 11
    listed = api.get("/scripts", "amy", params={"language": "zh", "limit": 1000}).json()
    assert listed["total"] == expected // 2
    changes, _ = f.pull_all(api, "amy")
    assert sum(1 for c in changes if c["entity"] == "reply_scripts") == expected
