"""Inbox views, filters and sorts over ids; rows fetched by page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workstation.store import state
from workstation.store.apply import apply_pull_page
from workstation.store.db import CacheDatabase
from workstation.store.queries import (
    Filters,
    Sort,
    View,
    conversation_ids,
    conversation_rows,
    count_conversations,
    message_rows,
    view_counts,
)

from .factories import T0, change, conversation, customer, iso, message

NOW = T0


@pytest.fixture
def inbox(db: CacheDatabase) -> CacheDatabase:
    m = timedelta(minutes=1)
    convs = [
        # id, assignee, priority, status, channel, request, due (first response), tags, first_response_at
        conversation("a", assignee_id="me", priority="normal", first_response_due_at=iso(NOW + 20 * m), tags=["vip"]),
        conversation("b", assignee_id=None, priority="urgent", channel="phone", first_response_due_at=iso(NOW + 90 * m)),
        conversation("c", assignee_id="other", priority="high", request_type="complaint", first_response_due_at=iso(NOW - 5 * m)),
        conversation("d", assignee_id=None, priority="low", first_response_due_at=None, resolution_due_at=None, tags=["vip", "退货"]),
        conversation(
            "e", assignee_id="me", status="pending_customer", first_response_at=iso(NOW - 60 * m),
            first_response_due_at=iso(NOW - 70 * m), resolution_due_at=iso(NOW + 10 * m),
        ),
        conversation("f", status="closed", closed_at=iso(NOW - 2 * m)),
        conversation("g", status="resolved", closed_at=iso(NOW - 1 * m)),
    ]
    changes = [change("customers", customer("k1", "王芳"))] + [change("conversations", c) for c in convs]
    apply_pull_page(db, changes, "x", last_applied_mutation_id=0)
    with db.write() as s:
        state.put(s, state.USER_ID, "me")
    return db


def ids(db: CacheDatabase, **kw: object) -> list[str]:
    return conversation_ids(db, now=NOW, **kw)  # type: ignore[arg-type]


def test_default_sort_is_sla_time_left_with_no_deadline_last(inbox: CacheDatabase) -> None:
    # e has had its first response: its resolution deadline (now+10) is what counts.
    assert ids(inbox) == ["c", "e", "a", "b", "d"]


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (View.MINE, ["e", "a"]),
        (View.UNASSIGNED, ["b", "d"]),
        (View.URGENT, ["b"]),
        (View.ABOUT_TO_BREACH, ["c", "a"]),
        (View.ALL, ["c", "e", "a", "b", "d"]),
        (View.CLOSED, ["g", "f"]),
    ],
)
def test_views(inbox: CacheDatabase, view: View, expected: list[str]) -> None:
    assert ids(inbox, view=view) == expected
    assert count_conversations(inbox, view=view, now=NOW) == len(expected)


def test_mine_for_an_explicit_user(inbox: CacheDatabase) -> None:
    assert ids(inbox, view=View.MINE, user_id="other") == ["c"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(channels=frozenset({"phone"})), ["b"]),
        (Filters(request_types=frozenset({"complaint"})), ["c"]),
        (Filters(priorities=frozenset({"urgent", "high"})), ["c", "b"]),
        (Filters(statuses=frozenset({"pending_customer"})), ["e"]),
        (Filters(tag="vip"), ["a", "d"]),
        (Filters(tag="退货"), ["d"]),
        (Filters(tag="vip", priorities=frozenset({"low"})), ["d"]),
        (Filters(customer_id="nobody"), []),
    ],
)
def test_filters(inbox: CacheDatabase, filters: Filters, expected: list[str]) -> None:
    assert ids(inbox, filters=filters) == expected
    assert count_conversations(inbox, filters=filters, now=NOW) == len(expected)


def test_other_sorts(inbox: CacheDatabase) -> None:
    assert ids(inbox, sort=Sort.PRIORITY) == ["b", "c", "e", "a", "d"]
    assert ids(inbox, view=View.CLOSED, sort=Sort.SLA)[0] in {"f", "g"}
    assert len(ids(inbox, sort=Sort.LAST_MESSAGE)) == 5
    assert ids(inbox, limit=2) == ["c", "e"]


def test_rows_come_in_the_order_asked_and_skip_unknown_ids(inbox: CacheDatabase) -> None:
    rows = conversation_rows(inbox, ["d", "nope", "a"])
    assert [r["id"] for r in rows] == ["d", "a"]
    assert rows[0]["customer_name"] == "王芳"
    assert rows[1]["tags"] == ["vip"]
    assert rows[1]["sla_due_at"] == "2026-11-02T02:20:00.000000Z"


def test_view_counts(inbox: CacheDatabase) -> None:
    counts = view_counts(inbox, now=NOW)
    assert counts[View.ALL] == 5 and counts[View.CLOSED] == 2 and counts[View.MINE] == 2


def test_message_rows_page_back(db: CacheDatabase) -> None:
    msgs = [change("messages", message(f"m{i}", "c1", f"#{i}", sent_at=NOW + timedelta(seconds=i))) for i in range(10)]
    apply_pull_page(db, msgs, "x", last_applied_mutation_id=0)
    last = message_rows(db, "c1", limit=4)
    assert [m["id"] for m in last] == ["m6", "m7", "m8", "m9"]
    before = message_rows(db, "c1", limit=4, before="2026-11-02T02:00:06.000000Z")
    assert [m["id"] for m in before] == ["m2", "m3", "m4", "m5"]


def test_rows_with_a_memo_are_fresh_dicts_and_follow_changes(inbox: CacheDatabase) -> None:
    memo: dict = {}
    first = conversation_rows(inbox, ["a", "b"], memo=memo)
    first[0]["preview"] = "changed by the caller"  # callers own what they get
    again = conversation_rows(inbox, ["a", "b"], memo=memo)
    assert again == conversation_rows(inbox, ["a", "b"])  # same as without a memo
    assert again[0] is not first[0] and again[0]["preview"] != "changed by the caller"
    changed = conversation("a", assignee_id="me", priority="normal", first_response_due_at=iso(NOW), preview="新消息")
    apply_pull_page(inbox, [change("conversations", changed)], "y", last_applied_mutation_id=0)
    apply_pull_page(inbox, [change("customers", customer("k1", "王芳芳"))], "z", last_applied_mutation_id=0)
    after = conversation_rows(inbox, ["a", "b"], memo=memo)
    assert after[0]["preview"] == "新消息" and after[0]["sla_due_at"] == "2026-11-02T02:00:00.000000Z"
    assert after[1]["customer_name"] == "王芳芳"  # the customer's name is part of the row too


def test_about_to_breach_is_the_open_rows_whose_first_response_is_due_soon(inbox: CacheDatabase) -> None:
    # c is overdue, a due in 20 min (window 30 min); b (90 min) and e (answered) are not
    assert sorted(ids(inbox, view=View.ABOUT_TO_BREACH)) == ["a", "c"]
    assert count_conversations(inbox, view=View.ABOUT_TO_BREACH, now=NOW) == 2
