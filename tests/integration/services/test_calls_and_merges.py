"""Against a real ticket API: call notes saved offline for a call the desk has not pulled yet
land once and show on the timeline; merge suggestions and the merge with the server's role
rule (team leads merge, agents only see)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.server import factories as f
from tests.integration.services.conftest import make_desk
from tests.integration.sync.conftest import LiveServer
from workstation.domain.enums import Role
from workstation.server.tables import Call, Customer
from workstation.services.changes import ServiceError
from workstation.services.customers import CustomerMerges
from workstation.store import outbox
from workstation.sync.api import ApiError
from workstation.ui.reader import CacheReader


def test_call_notes_saved_offline_before_the_call_is_pulled(server: LiveServer, tmp_path: Path) -> None:
    amy_id = server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    amy = make_desk(server, "amy", tmp_path / "amy.db")
    try:
        assert amy.sync().state == "online"
        call_id = f.call(server, conversation_id=w.conversation_id, customer_id=w.customer_id, agent_id=amy_id)  # type: ignore[arg-type]
        assert amy.services.call(call_id) is None  # popped, not pulled yet
        server.stop()
        with pytest.raises(ServiceError):
            amy.services.record_call_notes(call_id, "客户咨询保修")  # the strict path wants the row
        changes = amy.services.record_call_notes(call_id, "客户咨询保修，已告知一年保修", "info_given", allow_uncached=True)
        assert changes.mutation_id is not None and "calls" in changes.entities
        assert outbox.counts(amy.client.db)["pending"] == 1
        assert amy.sync().state == "offline"
        server.start()
        back = amy.sync()
        assert (back.state, back.pushed, back.rejected, back.pending) == ("online", 1, 0, 0), back.message
        amy.sync()
        with server.db.read() as s:
            call = s.get(Call, call_id)
            assert call is not None and (call.notes, call.wrap_up_code) == ("客户咨询保修，已告知一年保修", "info_given")
        row = amy.services.call(call_id)
        assert row is not None and row["notes"] == "客户咨询保修，已告知一年保修" and row["wrap_up_code"] == "info_given"
        items = CacheReader(amy.client.db).timeline(w.conversation_id)
        calls = [i for i in items if i["kind"] == "call"]
        assert calls and calls[0]["duration_s"] == 180 and calls[0]["wrap_up_code"] == "info_given"
        assert calls[0]["notes"] == "客户咨询保修，已告知一年保修"
    finally:
        amy.close()


def test_merge_suggestions_and_the_merge_follow_the_role_rule(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    server.make_user("lena", Role.TEAM_LEAD)
    first = f.customer(server, phone="13900001111", name="王小明")  # type: ignore[arg-type]
    second = f.customer(server, phone="+8613900001111", name="Wang Xiaoming")  # type: ignore[arg-type]
    conv = f.conversation(server, second, status="open")  # type: ignore[arg-type]
    amy = make_desk(server, "amy", tmp_path / "amy.db")
    lena = make_desk(server, "lena", tmp_path / "lena.db", role="team_lead")
    try:
        agent = CustomerMerges(api=amy.client.api, role="agent")
        seen = agent.suggestions(first)
        assert [s.customer_id for s in seen] == [second] and "phone" in seen[0].reasons
        assert seen[0].phone and "*" in seen[0].phone  # masked
        assert not agent.can_merge
        with pytest.raises(ServiceError):
            agent.merge(keep_id=first, duplicate_id=second)
        with pytest.raises(ApiError) as refused:  # the server says so too
            amy.client.api.merge_customers(first, second)
        assert refused.value.status == 403
        agent.dismiss(first, second)
        assert agent.suggestions(first) == [] and agent.suggestions(second) == []

        poked: list[int] = []
        lead = CustomerMerges(api=lena.client.api, role="team_lead", on_merged=lambda: poked.append(1))
        assert lead.can_merge and [s.customer_id for s in lead.suggestions(first)] == [second]
        outcome = lead.merge(keep_id=first, duplicate_id=second)
        assert (outcome.kept_id, outcome.merged_id) == (first, second) and poked == [1]
        assert outcome.moved.get("conversations") == 1 and "customers" in outcome.changes.entities
        with server.db.read() as s:
            gone = s.get(Customer, second)
            assert gone is not None and gone.merged_into == first
        assert lead.suggestions(first) == []
        with pytest.raises(ApiError) as again:
            lena.client.api.merge_customers(first, second)
        assert again.value.status == 409
        lena.sync()
        card = CacheReader(lena.client.db).customer_card(first)
        assert card is not None and conv in {c["id"] for c in card.conversations}
    finally:
        amy.close()
        lena.close()
