"""Wire schemas and cursors of the sync protocol (no I/O)."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from workstation.sync.protocol import (
    MAX_MUTATIONS_PER_PUSH,
    SCHEMA_VERSION,
    CursorError,
    Mutation,
    PullResponse,
    PushRequest,
    decode_cursor,
    encode_cursor,
)


@pytest.mark.parametrize("seq", [0, 1, 42, 10**12, 2**62])
def test_cursor_round_trip(seq: int) -> None:
    token = encode_cursor(seq)
    assert "=" not in token and decode_cursor(token) == seq


@pytest.mark.parametrize("empty", [None, ""])
def test_no_cursor_is_the_beginning(empty: str | None) -> None:
    assert decode_cursor(empty) == 0


@pytest.mark.parametrize("bad", [
    "%%%",
    base64.urlsafe_b64encode(b"v2:10").decode(),
    base64.urlsafe_b64encode(b"v1:-1").decode(),
    base64.urlsafe_b64encode(b"v1:1e3").decode(),
    base64.urlsafe_b64encode("v1:１２".encode()).decode(),
    base64.urlsafe_b64encode(b"v1:" + b"9" * 30).decode(),
    "A" * 65,
])
def test_bad_cursors_are_refused(bad: str) -> None:
    with pytest.raises(CursorError):
        decode_cursor(bad)


def test_encode_refuses_negative() -> None:
    with pytest.raises(ValueError):
        encode_cursor(-1)


def test_push_request_limits() -> None:
    one = {"mutation_id": 1, "name": "add_note", "args": {}}
    req = PushRequest.model_validate({"client_id": "desk-01_a", "mutations": [one]})
    assert req.mutations[0].schema_version == SCHEMA_VERSION and req.mutations[0].created_at is None
    for bad in (
        {"client_id": "", "mutations": [one]},
        {"client_id": "a b", "mutations": [one]},
        {"client_id": "x" * 65, "mutations": [one]},
        {"client_id": "c", "mutations": []},
        {"client_id": "c", "mutations": [one] * (MAX_MUTATIONS_PER_PUSH + 1)},
        {"client_id": "c", "mutations": [one], "extra": True},
        {"client_id": "c", "mutations": [{**one, "mutation_id": 0}]},
        {"client_id": "c", "mutations": [{**one, "surprise": 1}]},
    ):
        with pytest.raises(ValidationError):
            PushRequest.model_validate(bad)


def test_mutation_timestamps_parse() -> None:
    m = Mutation.model_validate({"mutation_id": 3, "name": "send_reply", "args": {"a": 1},
                                 "schema_version": 1, "created_at": "2026-11-02T10:00:00+08:00"})
    assert m.created_at is not None and m.created_at.utcoffset() is not None


def test_pull_response_round_trip() -> None:
    body = {"changes": [{"entity": "messages", "id": "m1", "seq": 7, "data": {"body": "你好"}}],
            "cursor": encode_cursor(7), "has_more": False, "last_applied_mutation_id": 3}
    again = PullResponse.model_validate_json(PullResponse.model_validate(body).model_dump_json())
    assert again.changes[0].data == {"body": "你好"} and decode_cursor(again.cursor) == 7
