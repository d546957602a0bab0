"""Phone events: the call lifecycle, repeats, out-of-order delivery and the screen pop."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.server.channels.signature import signed_headers
from workstation.server.hints import Hint
from workstation.server.tables import Call, Conversation, Customer, Identity


def event(api: Api, payload: dict[str, Any], *, secret: str = "test-secret") -> Any:
    body = json.dumps(payload).encode()
    headers = {"content-type": "application/json",
               **signed_headers(secret, body, timestamp=int(api.clock().timestamp()))}
    return api.client.post("/channels/phone/events", content=body, headers=headers)


def call_row(api: Api, external_id: str) -> Call:
    with api.db.read() as s:
        return s.execute(select(Call).where(Call.external_call_id == external_id)).scalar_one()


class Listener:
    """A hub subscriber on the app's own event loop, as an SSE stream would be."""

    def __init__(self, api: Api) -> None:
        self.portal = api.client.portal
        self.hub = api.client.app.state.ctx.hub
        self.queue: asyncio.Queue[Hint] = self.portal.call(self._subscribe)

    async def _subscribe(self) -> asyncio.Queue[Hint]:
        return self.hub.subscribe()

    async def _next_pop(self, timeout: float) -> Hint | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            try:
                hint = await asyncio.wait_for(self.queue.get(), left)
            except TimeoutError:
                return None
            if hint.kind == "screen_pop":
                return hint
        return None

    def screen_pop(self, timeout: float = 2.0) -> Hint | None:
        return self.portal.call(self._next_pop, timeout)

    def close(self) -> None:
        self.hub.unsubscribe(self.queue)


def test_call_lifecycle_with_screen_pop(api: Api) -> None:
    agent_id = api.make_user("li.na", Role.AGENT)
    listener = Listener(api)
    try:
        ring = event(api, {"call_id": "c-1", "event": "ringing", "caller": "138 0013 8000", "agent": "li.na"})
        assert ring.status_code == 202, ring.text
        pop = listener.screen_pop()
        assert pop is not None
        # A repeated ringing event pops nothing.
        event(api, {"call_id": "c-1", "event": "ringing", "caller": "138 0013 8000", "agent": "li.na"})
        assert listener.screen_pop(timeout=0.3) is None
    finally:
        listener.close()
    assert pop.data == {"call_id": ring.json()["call_id"], "caller_masked": "138****8000",
                            "customer_id": None, "agent": "li.na"}
    assert call_row(api, "c-1").state == "ringing"

    api.clock.advance(seconds=12)
    answered = event(api, {"call_id": "c-1", "event": "answered", "caller": "13800138000", "agent": "li.na"})
    assert answered.status_code == 202
    call = call_row(api, "c-1")
    assert call.state == "answered" and call.agent_id == agent_id
    assert call.answered_at == api.clock() and call.conversation_id is not None
    with api.db.read() as s:
        conv = s.get(Conversation, call.conversation_id)
        assert (conv.channel, conv.status, conv.assignee_id) == ("phone", "open", agent_id)
        assert conv.first_response_at == api.clock()
        ident = s.execute(select(Identity).where(Identity.kind == "phone")).scalar_one()
        assert ident.handle == "+8613800138000" and ident.customer_id == call.customer_id

    api.clock.advance(seconds=95)
    ended = event(api, {"call_id": "c-1", "event": "ended", "caller": "13800138000"})
    assert ended.status_code == 202
    call = call_row(api, "c-1")
    assert (call.state, call.duration_s, call.ended_at) == ("ended", 95, api.clock())

    # Every event again is a no-op.
    for name in ("ringing", "answered", "ended"):
        again = event(api, {"call_id": "c-1", "event": name, "caller": "13800138000", "agent": "li.na"})
        assert again.status_code == 200 and again.json()["duplicate"] is True
    assert call_row(api, "c-1").duration_s == 95


def test_known_caller_pops_with_their_customer(api: Api) -> None:
    first = event(api, {"call_id": "k-1", "event": "missed", "caller": "+86 139-0000-1111"})
    customer_id = first.json()["customer_id"]
    listener = Listener(api)
    try:
        event(api, {"call_id": "k-2", "event": "ringing", "caller": "13900001111"})
        pop = listener.screen_pop()
    finally:
        listener.close()
    assert pop is not None and pop.data["customer_id"] == customer_id


def test_out_of_order_events_converge(api: Api) -> None:
    api.make_user("wang", Role.AGENT)
    start = api.clock()
    api.clock.advance(minutes=2)  # the events arrive after the fact, carrying their own times
    ended = event(api, {"call_id": "o-1", "event": "ended", "caller": "13700001234",
                        "at": (start + timedelta(seconds=60)).isoformat(), "duration_s": 40})
    assert ended.status_code == 202
    assert call_row(api, "o-1").state == "ended"
    answered = event(api, {"call_id": "o-1", "event": "answered", "caller": "13700001234", "agent": "wang",
                           "at": (start + timedelta(seconds=20)).isoformat()})
    assert answered.status_code == 202
    late_ring = event(api, {"call_id": "o-1", "event": "ringing", "caller": "13700001234",
                            "at": start.isoformat()})
    assert late_ring.status_code == 202  # not a repeat: it tells when the call started
    call = call_row(api, "o-1")
    assert call.ringing_at == start
    assert call.state == "ended"  # an answer that arrives late does not reopen the call
    assert call.answered_at == start + timedelta(seconds=20)
    assert call.duration_s == 40 and call.conversation_id is not None
    with api.db.read() as s:
        assert s.execute(select(func.count()).select_from(Call)).scalar_one() == 1


def test_missed_call_lands_in_the_inbox(api: Api) -> None:
    resp = event(api, {"call_id": "m-1", "event": "missed", "caller": "13600001234"})
    assert resp.status_code == 202
    call = call_row(api, "m-1")
    assert call.state == "missed" and call.duration_s == 0
    with api.db.read() as s:
        conv = s.get(Conversation, call.conversation_id)
        assert conv.status == "new" and conv.unread == 1 and "missed_call" in conv.tags
        assert conv.preview == "Missed call from 136****1234"
    assert event(api, {"call_id": "m-1", "event": "missed", "caller": "13600001234"}).status_code == 200


def test_withheld_numbers_do_not_share_a_customer(api: Api) -> None:
    a = event(api, {"call_id": "w-1", "event": "missed", "caller": "anonymous"}).json()
    b = event(api, {"call_id": "w-2", "event": "missed", "caller": "anonymous"}).json()
    assert a["customer_id"] != b["customer_id"]


def test_bad_phone_events(api: Api) -> None:
    assert event(api, {"call_id": "x", "event": "exploded", "caller": "1"}).status_code == 422
    resp = event(api, {"call_id": "x", "event": "answered", "caller": "13800138000", "agent": "nobody"})
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "body.agent"
    with api.db.read() as s:  # nothing half-written
        assert s.execute(select(func.count()).select_from(Call)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(Customer)).scalar_one() == 0
    assert event(api, {"call_id": "x", "event": "ringing", "caller": "1"}, secret="nope").status_code == 401
    resp = event(api, {"call_id": "x", "event": "ended", "caller": "1", "duration_s": -5})
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "body.duration_s"
