"""The pull page builder's short cuts (SQLite times and JSON columns read as their raw text,
the page serialized straight to bytes) give exactly the wire form of every synced row."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from tests.integration.server import factories as f
from tests.integration.server.conftest import PASSWORD
from tests.integration.sync.conftest import LiveServer
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server import sync_pull
from workstation.server.tables import SYNCED_TABLES, Conversation, Message
from workstation.sync.api import ApiClient


def _pull_all(api: ApiClient, limit: int) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = api.http.get("/sync/pull", params=params, headers=api.auth_headers())
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        body = json.loads(response.content)
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes


def test_pulled_rows_are_exactly_the_wire_form_of_every_table(server: LiveServer) -> None:
    server.make_user("lead", Role.TEAM_LEAD)
    w = f.world(server)  # type: ignore[arg-type]
    with server.db.write() as s:
        conv = s.get(Conversation, w.conversation_id)
        assert conv is not None
        conv.tags = ["vip", "中文"]
        conv.case_record = {"reason": "质量", "n": 3, "nested": {"k": [1, None]}}
        for attachments in ([], [{"name": "票据.jpg", "size": 1.5e-7, "n": 2**40, "x": None}]):
            s.add(Message(id=new_id(), conversation_id=w.conversation_id, direction="inbound", channel="chat",
                          body="附件", attachments=attachments, sent_at=server.clock()))
    f.call(server, conversation_id=w.conversation_id, customer_id=w.customer_id, agent_id=None)  # type: ignore[arg-type]
    f.case(server, w)  # type: ignore[arg-type]
    api = ApiClient(base_url=server.url, timeout=5.0)
    try:
        api.login("lead", PASSWORD)
        changes = _pull_all(api, limit=4)
    finally:
        api.close()
    by_key = {(c["entity"], c["id"]): c["data"] for c in changes}
    assert len(by_key) == len(changes)
    seen: set[str] = set()
    with server.db.read() as s:
        for model in SYNCED_TABLES:
            for obj in s.execute(select(model)).scalars():
                expected = json.loads(json.dumps(sync_pull.wire(obj), default=str))
                assert by_key[(model.__tablename__, obj.id)] == expected, model.__tablename__
                seen.add(model.__tablename__)
    assert {"messages", "conversations", "customers", "identities", "calls", "cases", "orders"} <= seen


def test_pull_json_is_byte_for_byte_the_models_json(server: LiveServer) -> None:
    from workstation.server.auth import Principal
    from workstation.server.context import ServerContext
    from workstation.server.settings import ServerSettings
    from workstation.server.tables import User

    lead_id = server.make_user("lead", Role.TEAM_LEAD)
    for _ in range(3):
        f.world(server)  # type: ignore[arg-type]
    ctx = ServerContext(db=server.db, settings=ServerSettings(database_url=server.database_url),
                        policy=None, clock=server.clock, hub=None)  # type: ignore[arg-type]
    with server.db.read() as s:
        lead = s.get(User, lead_id)
        assert lead is not None
        principal = Principal.of(lead)
    cursor: str | None = None
    pages = 0
    while True:
        model = sync_pull.pull(ctx, principal, cursor=cursor, limit=5, client_id=None)
        body = sync_pull.pull_json(ctx, principal, cursor=cursor, limit=5, client_id=None)
        assert body == model.model_dump_json().encode()
        pages += 1
        cursor = model.cursor
        if not model.has_more:
            break
    assert pages > 2
