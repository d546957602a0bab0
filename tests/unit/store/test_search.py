"""Search: trigram FTS for 3+ characters (Chinese and English), a bounded LIKE fallback for
1–2 characters; customers, orders and messages, with conversation ids."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workstation.store.apply import apply_pull_page
from workstation.store.db import CacheDatabase
from workstation.store.search import search, snippet, terms_of

from .factories import T0, change, conversation, customer, identity, message, order, order_item


@pytest.fixture
def filled(db: CacheDatabase) -> CacheDatabase:
    changes = [
        change("customers", customer("k1", "王芳")),
        change("customers", customer("k2", "Emily Chen")),
        change("identities", identity("i1", "k1", "wang.fang@example.com")),
        change("identities", identity("i2", "k2", "13812345678", kind="phone")),
        change("orders", order("o1", "k1", "JD20261102001")),
        change("order_items", order_item("oi1", "o1", "小米空气净化器 Pro")),
        change("conversations", conversation("c1", "k1", order_id="o1", last_message_at="2026-11-02T02:00:00Z")),
        change("conversations", conversation("c2", "k2")),
        change("messages", message("m1", "c1", "您好，我买的空气净化器还没有发货，想申请退款", sent_at=T0)),
        change("messages", message("m2", "c1", "已为您催促仓库发货，请耐心等待", sent_at=T0 + timedelta(minutes=1), direction="outbound")),
        change("messages", message("m3", "c2", "My REFUND has not arrived yet", subject="Refund status", sent_at=T0 + timedelta(minutes=2))),
        change("messages", message("m4", "c2", "100% sure_thing \"quoted\"", sent_at=T0 + timedelta(minutes=3))),
    ]
    apply_pull_page(db, changes, "x", last_applied_mutation_id=0)
    return db


def test_chinese_three_plus_characters_use_the_index(filled: CacheDatabase) -> None:
    result = search(filled, "空气净化器")
    assert result.mode == "fts"
    assert [(h.kind, h.id) for h in result.hits] == [("order", "o1"), ("message", "m1")]
    assert result.conversation_ids == ["c1"]
    assert "[空气净化器]" in result.hits[1].snippet


def test_one_or_two_characters_fall_back_to_a_bounded_scan(filled: CacheDatabase) -> None:
    result = search(filled, "发货")
    assert result.mode == "fallback"
    assert [h.id for h in result.hits] == ["m2", "m1"]  # newest first
    assert [h.id for h in search(filled, "退").hits] == ["m1"]
    customers = search(filled, "王芳")
    assert [(h.kind, h.id, h.conversation_id) for h in customers.hits] == [("customer", "k1", "c1")]


def test_fallback_window_bounds_the_scan(filled: CacheDatabase) -> None:
    # m1 is the oldest of four messages: outside a window of the newest three.
    assert [h.id for h in search(filled, "退", fallback_window=3).hits] == []
    assert [h.id for h in search(filled, "退", fallback_window=4).hits] == ["m1"]


def test_english_words_case_insensitive_in_body_and_subject(filled: CacheDatabase) -> None:
    result = search(filled, "refund")
    assert result.mode == "fts"
    assert [h.id for h in result.hits] == ["m3"]
    assert result.conversation_ids == ["c2"]
    assert "[REFUND]" in result.hits[0].snippet
    assert [h.id for h in search(filled, "not arrived").hits] == ["m3"]  # both terms, AND


def test_customers_by_name_and_identity(filled: CacheDatabase) -> None:
    assert [(h.kind, h.id) for h in search(filled, "emily").hits] == [("customer", "k2")]
    assert [(h.kind, h.id) for h in search(filled, "wang.fang").hits] == [("customer", "k1")]
    hit = search(filled, "5678").hits[0]
    assert (hit.kind, hit.id, hit.title, hit.conversation_id) == ("customer", "k2", "Emily Chen", "c2")


def test_orders_by_number_and_item_title(filled: CacheDatabase) -> None:
    by_no = search(filled, "1102001", kinds=["order"])
    assert [(h.id, h.title, h.conversation_id) for h in by_no.hits] == [("o1", "JD20261102001", "c1")]
    assert [h.id for h in search(filled, "净化器", kinds=["order"]).hits] == ["o1"]


def test_mixed_long_and_short_terms(filled: CacheDatabase) -> None:
    assert [h.id for h in search(filled, "空气净化器 退").hits] == ["m1"]
    assert search(filled, "空气净化器 哈").hits == []


def test_special_characters_are_literal(filled: CacheDatabase) -> None:
    assert [h.id for h in search(filled, "100%").hits] == ["m4"]
    assert [h.id for h in search(filled, "e_t").hits] == ["m4"]
    assert [h.id for h in search(filled, '"quoted"').hits] == ["m4"]
    assert [h.id for h in search(filled, "%").hits] == ["m4"]  # a literal percent sign
    assert search(filled, "_%").hits == []
    assert search(filled, "AND OR NOT").hits == []
    assert search(filled, "   ").mode == "empty"


def test_limit(filled: CacheDatabase) -> None:
    assert len(search(filled, "发货", limit=1).hits) == 1


def test_helpers() -> None:
    assert terms_of(' a  "bc" ') == ["a", "bc"]
    assert snippet("x" * 50 + "退款" + "y" * 50, ["退款"], context=3) == "…xxx[退款]yyy…"
    assert snippet(None, ["a"]) == ""
