"""Phone calls (wrap-up codes, notes of a call not pulled yet, new-caller notes) and the
customer merge service over a fake API (no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.services.conftest import NOW, Seed, iso, pull
from workstation.domain.ids import new_id
from workstation.services.calls import (
    call_row,
    new_caller_notes,
    parse_wrap_up_codes,
    wrap_up_codes,
)
from workstation.services.changes import ServiceError
from workstation.services.customers import (
    MERGED_ENTITIES,
    CustomerMerges,
    MergeSuggestion,
    may_merge,
)
from workstation.services.desk import DeskServices
from workstation.store import outbox
from workstation.store.db import CacheDatabase

# -- wrap-up codes ------------------------------------------------------------------------------


def test_the_shipped_codes_are_valid_and_bilingual() -> None:
    codes = wrap_up_codes()
    assert len(codes) >= 5 and len({c.code for c in codes}) == len(codes)
    assert all(c.en and c.zh for c in codes)
    info = next(c for c in codes if c.code == "info_given")
    assert info.label("zh_CN") == "已告知信息" and info.label("en") == "Information given"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "entries"),
        ('[[code]]\ncode = "has space"\nen = "x"', "not a wrap-up code"),
        ('[[code]]\ncode = "a"\nen = "A"\n[[code]]\ncode = "a"\nen = "B"', "twice"),
        ('[[code]]\ncode = "a"\nen = ""', "English label"),
        ('[[code]]\ncode = "a"\nen = "A"\ncolour = "red"', "unknown keys"),
    ],
)
def test_a_bad_code_file_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_wrap_up_codes(text)


def test_a_deployment_may_ship_its_own_codes(tmp_path: Path) -> None:
    path = tmp_path / "codes.toml"
    path.write_text('[[code]]\ncode = "sold"\nen = "Upsold"\nzh = "促成购买"\n', encoding="utf-8")
    assert [c.code for c in wrap_up_codes(path)] == ["sold"]


# -- notes --------------------------------------------------------------------------------------


def test_new_caller_notes_put_what_was_taken_down_first() -> None:
    assert new_caller_notes("洗衣机漏水", name=" 张先生 ", order_no="SO1") == "New customer: 张先生 · Order: SO1\n洗衣机漏水"
    assert new_caller_notes("", name="张先生", name_label="新客户") == "新客户: 张先生"
    assert new_caller_notes("只是咨询") == "只是咨询"
    with pytest.raises(ServiceError) as bad:
        new_caller_notes("x", order_no="SO 1")
    assert bad.value.field == "order_no"
    with pytest.raises(ServiceError):
        new_caller_notes("x", name="名" * 121)


def test_notes_for_a_call_not_pulled_yet_wait_for_its_row(
    desk: DeskServices, db: CacheDatabase, seed: Seed
) -> None:
    popped = new_id()
    assert desk.call(popped) is None
    with pytest.raises(ServiceError) as strict:
        desk.record_call_notes(popped, "客户咨询")
    assert strict.value.field == "call_id"
    changes = desk.record_call_notes(popped, "客户咨询物流", "info_given", allow_uncached=True)
    assert changes.mutation_id is not None and changes.touches("calls", popped)
    [entry] = [e for e in outbox.entries(db) if e.name == "record_call_notes"]
    assert entry.args == {"call_id": popped, "notes": "客户咨询物流", "wrap_up_code": "info_given"}
    # the row arrives with the next pull (the server has not seen the notes yet) …
    pull(db, seed, [("calls", {
        "id": popped, "conversation_id": seed.conv, "customer_id": seed.customer, "caller": "138****1234",
        "state": "ended", "agent_id": seed.me, "ringing_at": iso(NOW), "answered_at": iso(NOW),
        "ended_at": iso(NOW), "duration_s": 75, "notes": "", "wrap_up_code": None,
    })])  # fmt: skip
    desk.after_pull({"calls"})
    row = call_row(db, popped)
    assert row is not None and (row["notes"], row["wrap_up_code"], row["duration_s"]) == ("客户咨询物流", "info_given", 75)
    assert "_server" not in row
    with pytest.raises(ServiceError):
        desk.record_call_notes(popped, "x", "no spaces allowed", allow_uncached=True)
    with pytest.raises(ServiceError):
        desk.call("not-an-id")


# -- merges -------------------------------------------------------------------------------------


class FakeApi:
    def __init__(self) -> None:
        self.merged: list[tuple[str, str]] = []

    def merge_suggestions(self, customer_id: str) -> list[dict[str, Any]]:
        return [
            {"customer_id": "b", "display_name": "B", "phone": "139****1111", "reasons": ["phone"], "created_at": ""},
            {"customer_id": "c", "display_name": "C", "phone": None, "reasons": ["name"], "created_at": ""},
            {"customer_id": customer_id, "display_name": "self", "phone": None, "reasons": ["name"], "created_at": ""},
        ]

    def merge_customers(self, keep_id: str, duplicate_id: str) -> dict[str, Any]:
        self.merged.append((keep_id, duplicate_id))
        return {"kept_id": keep_id, "merged_id": duplicate_id, "moved": {"conversations": 3}}


def test_suggestions_without_self_or_dismissed_pairs() -> None:
    merges = CustomerMerges(api=FakeApi(), role="agent")
    found = merges.suggestions("a")
    assert [s.customer_id for s in found] == ["b", "c"]
    assert found[0].strong and not found[1].strong
    merges.dismiss("c", "a")  # either order
    assert [s.customer_id for s in merges.suggestions("a")] == ["b"]
    assert CustomerMerges(api=FakeApi(), role="field_engineer").suggestions("a") == []


def test_only_leads_and_admins_merge() -> None:
    assert may_merge("team_lead") and may_merge("admin")
    assert not may_merge("agent") and not may_merge("senior_agent")
    api = FakeApi()
    with pytest.raises(ServiceError):
        CustomerMerges(api=api, role="senior_agent").merge(keep_id="a", duplicate_id="b")
    assert api.merged == []
    poked: list[int] = []
    lead = CustomerMerges(api=api, role="team_lead", on_merged=lambda: poked.append(1))
    with pytest.raises(ServiceError):
        lead.merge(keep_id="a", duplicate_id="a")
    outcome = lead.merge(keep_id="a", duplicate_id="b")
    assert (outcome.kept_id, outcome.merged_id, outcome.moved) == ("a", "b", {"conversations": 3})
    assert outcome.changes.entities == MERGED_ENTITIES and poked == [1]


def test_suggestion_from_wire() -> None:
    s = MergeSuggestion.from_wire({"customer_id": 7, "display_name": None, "reasons": ["email", ""]})
    assert (s.customer_id, s.display_name, s.phone, s.reasons) == ("7", "", None, ("email",))
