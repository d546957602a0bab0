"""Pull pages: order, paging, scope, masking, cursors."""

from __future__ import annotations

import base64

from tests.integration.server import factories as f
from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server.tables import SYNCED_TABLES, Message, ReplyScript
from workstation.sync.protocol import ENTITIES, decode_cursor, encode_cursor


def _messages(api: Api, conversation_id: str, count: int) -> list[str]:
    ids = [new_id() for _ in range(count)]
    with api.db.write() as s:
        for i, ident in enumerate(ids):
            s.add(Message(id=ident, conversation_id=conversation_id, direction="inbound", channel="chat",
                          body=f"第{i}条", attachments=[], sent_at=api.clock()))
    return ids


def test_protocol_entities_are_the_synced_tables() -> None:
    assert ENTITIES == tuple(m.__tablename__ for m in SYNCED_TABLES)


def test_three_pages_of_a_known_set_in_sequence_order(api: Api) -> None:
    api.make_user("lead", Role.TEAM_LEAD)
    w = f.world(api)
    _messages(api, w.conversation_id, 22)
    everything, _ = f.pull_all(api, "lead", limit=1000)
    total = len(everything)  # users, customer, identity, order, item, conversation, 23 messages
    assert total == 1 + 1 + 1 + 1 + 1 + 1 + 23
    size = (total + 2) // 3
    pages = []
    cursor = None
    for _ in range(3):
        params = {"limit": size} | ({"cursor": cursor} if cursor else {})
        body = api.get("/sync/pull", "lead", params=params).json()
        pages.append(body)
        cursor = body["cursor"]
    assert [p["has_more"] for p in pages] == [True, True, False]
    seqs = [c["seq"] for p in pages for c in p["changes"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == total
    assert [c["id"] for p in pages for c in p["changes"]] == [c["id"] for c in everything]
    last = api.get("/sync/pull", "lead", params={"cursor": cursor}).json()
    assert last["changes"] == [] and last["has_more"] is False and last["cursor"] == cursor


def test_agent_and_engineer_scopes(api: Api) -> None:
    amy = api.make_user("amy", Role.AGENT, queues=["general"])
    eng = api.make_user("eng", Role.FIELD_ENGINEER)
    api.make_user("eng2", Role.FIELD_ENGINEER)
    mine = f.world(api, queue="general")
    other = f.world(api, queue="vip")
    assigned = f.world(api, queue="vip", assignee=amy)
    f.script(api, status="approved", key="a")
    f.script(api, status="draft", key="b")
    repair = f.case(api, other, kind="repair", state="onsite_scheduled")
    wo = f.work_order(api, customer_id=other.customer_id, engineer_id=eng, case_id=repair)
    f.work_order(api, customer_id=mine.customer_id, engineer_id=api.users["eng2"])

    agent, _ = f.pull_all(api, "amy")
    by = lambda changes, entity: {c["id"] for c in changes if c["entity"] == entity}  # noqa: E731
    assert by(agent, "conversations") == {mine.conversation_id, assigned.conversation_id}
    assert {c["data"]["conversation_id"] for c in agent if c["entity"] == "messages"} == {
        mine.conversation_id, assigned.conversation_id}
    assert len(by(agent, "customers")) == 3 and len(by(agent, "orders")) == 3
    assert len(by(agent, "reply_scripts")) == 1
    assert by(agent, "work_orders") == set() and by(agent, "cases") == set()
    assert all("password_hash" not in c["data"] for c in agent if c["entity"] == "users")

    field, _ = f.pull_all(api, "eng")
    assert by(field, "work_orders") == {wo}
    assert by(field, "customers") == {other.customer_id}
    assert by(field, "cases") == {repair}
    assert by(field, "orders") == {other.order_id} and by(field, "order_items") == {other.item_id}
    assert by(field, "conversations") == set() and by(field, "messages") == set()
    assert by(field, "users") == set(api.users.values())


def test_contact_details_are_masked(api: Api) -> None:
    api.make_user("lead", Role.TEAM_LEAD)
    f.world(api)
    changes, _ = f.pull_all(api, "lead")
    cust = next(c for c in changes if c["entity"] == "customers")["data"]
    assert cust["phone"] == "138****1234" and cust["address"].endswith("****")
    ident = next(c for c in changes if c["entity"] == "identities")["data"]
    assert ident["handle"] == "138****1234"
    order = next(c for c in changes if c["entity"] == "orders")["data"]
    assert "世纪大道100号" not in order["address"]
    assert order["amount"] == "200.00"


def test_cursor_moves_past_rows_the_caller_cannot_see(api: Api) -> None:
    api.make_user("amy", Role.AGENT, queues=["general"])
    w = f.world(api, queue="general")
    first, cursor = f.pull_all(api, "amy", limit=5)
    assert first
    hidden = f.world(api, queue="vip")
    _messages(api, hidden.conversation_id, 30)  # 30+ changes amy may not see…
    visible = _messages(api, w.conversation_id, 1)  # …then one she may
    body = api.get("/sync/pull", "amy", params={"cursor": cursor, "limit": 5}).json()
    # The hidden customer/order rows are visible to agents; the vip messages are not.
    ids = [c["id"] for c in body["changes"]]
    assert hidden.conversation_id not in ids
    rest, final = f.pull_all(api, "amy", limit=5, cursor=cursor)
    assert visible[0] in [c["id"] for c in rest]
    # Only invisible rows beyond: the cursor still moves to the end of the sequence.
    _messages(api, hidden.conversation_id, 10)
    empty = api.get("/sync/pull", "amy", params={"cursor": final, "limit": 5}).json()
    assert empty["changes"] == [] and empty["has_more"] is False
    assert decode_cursor(empty["cursor"]) == decode_cursor(final) + 10


def test_bad_cursor_and_limit_are_problems(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    for bad in ("%%%", "bm9wZQ", base64.urlsafe_b64encode(b"v1:abc").decode(), "x" * 65):
        resp = api.get("/sync/pull", "amy", params={"cursor": bad})
        assert resp.status_code in (400, 422), bad
        assert resp.headers["content-type"].startswith("application/problem+json")
    resp = api.get("/sync/pull", "amy", params={"cursor": "bm9wZQ"})
    assert resp.status_code == 400 and resp.json()["title"] == "Bad cursor"
    assert api.get("/sync/pull", "amy", params={"limit": 0}).status_code == 422
    too_big = api.get("/sync/pull", "amy", params={"limit": api.settings.pull_page_max + 1})
    assert too_big.status_code == 422 and "query.limit" in too_big.json()["detail"]
    ahead = api.get("/sync/pull", "amy", params={"cursor": encode_cursor(10**9)})
    assert ahead.status_code == 409 and ahead.json()["type"].endswith("resync-required")
    assert api.client.get("/sync/pull").status_code == 401


def test_transfer_brings_history_to_the_new_holder(api: Api) -> None:
    api.make_user("amy", Role.AGENT, queues=["general"])
    bob = api.make_user("bob", Role.AGENT, queues=["vip"])
    w = f.world(api, queue="general", assignee=api.users["amy"])
    _, bob_cursor = f.pull_all(api, "bob")
    f.Pusher(api, "amy").push("transfer_conversation", {"conversation_id": w.conversation_id, "to_user_id": bob})
    changes, _ = f.pull_all(api, "bob", cursor=bob_cursor)
    entities = {(c["entity"], c["data"].get("conversation_id", c["id"])) for c in changes}
    assert ("conversations", w.conversation_id) in entities
    assert ("messages", w.conversation_id) in entities  # the older inbound message came round again


def test_a_retired_script_reaches_agents_so_their_caches_drop_it(api: Api) -> None:
    api.make_user("amy", Role.AGENT, queues=["general"])
    kept = f.script(api, status="approved", key="greet")
    retired = f.script(api, status="approved", key="old")
    never = f.script(api, status="draft", key="wip")
    with api.db.write() as s:
        row = s.get(ReplyScript, retired)
        assert row is not None
        row.status = "retired"
    changes, _ = f.pull_all(api, "amy")
    scripts = {c["id"]: c["data"]["status"] for c in changes if c["entity"] == "reply_scripts"}
    assert scripts == {kept: "approved", retired: "retired"} and never not in scripts
