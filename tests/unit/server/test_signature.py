"""Webhook signatures: the exact scheme senders implement, and every way to get it wrong."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from workstation.server.channels.signature import SignatureError, sign, signed_headers, verify

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
TS = int(NOW.timestamp())
BODY = '{"message_id":"m1","text":"你好 🙂"}'.encode()


def check(signature: str | None, *, timestamp: str | None = str(TS), body: bytes = BODY, secret: str = "s3cret",
          now: datetime = NOW) -> None:
    verify(secret, timestamp=timestamp, signature=signature, body=body, now=now, tolerance_seconds=300)


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"s3cret", f"{TS}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign("s3cret", TS, BODY) == "sha256=" + expected
    assert signed_headers("s3cret", BODY, timestamp=TS) == {
        "X-Workstation-Timestamp": str(TS), "X-Workstation-Signature": "sha256=" + expected,
    }


def test_valid_signature_passes() -> None:
    check(sign("s3cret", TS, BODY))
    check(sign("s3cret", TS, BODY).upper().replace("SHA256=", "sha256="))  # hex case does not matter


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"signature": None}, "missing"),
        ({"signature": sign("s3cret", TS, BODY), "timestamp": None}, "missing"),
        ({"signature": sign("s3cret", TS, BODY), "timestamp": ""}, "missing"),
        ({"signature": "sha1=abcdef"}, "malformed"),
        ({"signature": sign("s3cret", TS, BODY), "timestamp": "12.5"}, "malformed"),
        ({"signature": sign("s3cret", TS, BODY), "timestamp": "-5"}, "malformed"),
        ({"signature": sign("s3cret", TS, BODY), "timestamp": "１２３"}, "malformed"),  # full-width digits
        ({"signature": sign("other", TS, BODY)}, "mismatch"),
        ({"signature": sign("s3cret", TS, BODY + b" ")}, "mismatch"),
        ({"signature": sign("s3cret", TS + 1, BODY)}, "mismatch"),  # the timestamp is signed too
        ({"signature": "sha256=" + "0" * 64}, "mismatch"),
        ({"signature": "sha256="}, "mismatch"),
    ],
)
def test_bad_signatures(kwargs: dict[str, str | None], reason: str) -> None:
    with pytest.raises(SignatureError) as err:
        check(**kwargs)  # type: ignore[arg-type]
    assert err.value.reason == reason


@pytest.mark.parametrize(("offset", "ok"), [(-300, True), (300, True), (-301, False), (301, False), (-86400, False)])
def test_tolerance_window(offset: int, ok: bool) -> None:
    ts = TS + offset
    signature = sign("s3cret", ts, BODY)
    if ok:
        check(signature, timestamp=str(ts))
    else:
        with pytest.raises(SignatureError) as err:
            check(signature, timestamp=str(ts))
        assert err.value.reason == "stale" and "stale" in err.value.detail
