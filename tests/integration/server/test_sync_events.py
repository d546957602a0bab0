"""The SSE stream of "pull now" hints."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.integration.server import factories as f
from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.domain.ids import new_id


def _events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    event: dict[str, str] = {}
    for line in lines:
        if line == "":
            if event:
                yield event
            event = {}
        elif line.startswith(":"):
            event.setdefault("comment", line)
        else:
            key, _, value = line.partition(":")
            event[key] = value.strip()


@pytest.mark.timeout(30)
def test_push_wakes_a_listener(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    headers = {**api.headers("amy"), "Last-Event-ID": "999999999"}  # up to date: no catch-up event
    with api.client.stream("GET", "/sync/events", headers=headers) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = _events(resp.iter_lines())
        hello = next(events)
        assert "retry" in hello
        f.Pusher(api, "amy").push("add_note", {"message_id": new_id(), "conversation_id": w.conversation_id,
                                               "body": "提醒"})
        hint = next(events)
        assert hint["event"] == "pull"
        assert json.loads(hint["data"]) == {"seq": int(hint["id"])}
        assert int(hint["id"]) > 0


@pytest.mark.timeout(30)
def test_reconnect_behind_gets_an_immediate_hint(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    f.world(api)
    api.client.get("/health")
    headers = {**api.headers("amy"), "Last-Event-ID": "0"}
    with api.client.stream("GET", "/sync/events", headers=headers) as resp:
        events = _events(resp.iter_lines())
        next(events)
        first = next(events)
        assert first["event"] == "pull" and int(first["id"]) > 0


def test_events_need_a_bearer_token(api: Api) -> None:
    assert api.client.get("/sync/events").status_code == 401


def _ring(api: Api, call_id: str) -> dict[str, object]:
    from workstation.server.channels.signature import signed_headers

    body = json.dumps({"call_id": call_id, "event": "ringing", "caller": "138 0013 8000", "agent": "amy"}).encode()
    headers = {"content-type": "application/json",
               **signed_headers("test-secret", body, timestamp=int(api.clock().timestamp()))}
    resp = api.client.post("/channels/phone/events", content=body, headers=headers)
    assert resp.status_code == 202, resp.text
    result: dict[str, object] = resp.json()
    return result


@pytest.mark.timeout(30)
def test_staff_stream_forwards_a_screen_pop(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    headers = {**api.headers("amy"), "Last-Event-ID": "999999999"}
    with api.client.stream("GET", "/sync/events", headers=headers) as resp:
        events = _events(resp.iter_lines())
        next(events)  # hello
        ring = _ring(api, "call-sse-1")
        pop = next(e for e in events if e.get("event") != "pull")
    assert pop["event"] == "screen_pop"
    assert "id" not in pop  # not a resume point: Last-Event-ID stays a change-sequence value
    assert json.loads(pop["data"]) == {"call_id": ring["call_id"], "caller_masked": "138****8000",
                                       "customer_id": None, "agent": "amy"}


@pytest.mark.timeout(30)
def test_screen_pops_are_not_sent_to_field_engineers(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    api.make_user("eng", Role.FIELD_ENGINEER)
    headers = {**api.headers("eng"), "Last-Event-ID": "999999999"}
    with api.client.stream("GET", "/sync/events", headers=headers) as resp:
        events = _events(resp.iter_lines())
        next(events)  # hello
        _ring(api, "call-sse-2")
        # The pop is published before the hub notices the new call row, so had it been
        # forwarded it would arrive ahead of this pull hint.
        first = next(events)
    assert first["event"] == "pull"
