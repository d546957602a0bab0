"""HMAC signatures on channel webhooks.

A sender signs ``f"{timestamp}.".encode() + raw_body`` with HMAC-SHA256 under the channel's
shared secret and sends::

    X-Workstation-Timestamp: <unix seconds>
    X-Workstation-Signature: sha256=<lower-case hex digest>

Binding the timestamp into the signature and refusing timestamps outside a tolerance window
stops a captured request from being replayed later; the idempotency on the channel's message id
covers replays inside the window.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

TIMESTAMP_HEADER = "X-Workstation-Timestamp"
SIGNATURE_HEADER = "X-Workstation-Signature"
_PREFIX = "sha256="


class SignatureError(Exception):
    """Why a request's signature was refused; `reason` is one of missing, malformed, stale, mismatch."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Workstation-Signature value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return _PREFIX + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, timestamp: int) -> dict[str, str]:
    """Both headers for a request; for senders, the simulator, tests and the benchmark."""
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify(
    secret: str,
    *,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: datetime,
    tolerance_seconds: int,
) -> None:
    """Raise SignatureError unless `signature` is right for `body` and `timestamp` is fresh."""
    if not timestamp or not signature:
        missing = TIMESTAMP_HEADER if not timestamp else SIGNATURE_HEADER
        raise SignatureError("missing", f"the {missing} header is missing")
    ts_text = timestamp.strip()
    if not ts_text.isascii() or not ts_text.isdigit() or len(ts_text) > 12:
        raise SignatureError("malformed", f"{TIMESTAMP_HEADER} must be whole Unix seconds")
    provided = signature.strip().encode("latin-1", "replace")
    if not provided.lower().startswith(_PREFIX.encode()):
        raise SignatureError("malformed", f"{SIGNATURE_HEADER} must look like sha256=<hex>")
    expected = sign(secret, ts_text, body).encode("ascii")
    # Constant time: do not let response timing reveal how many leading characters matched.
    if not hmac.compare_digest(expected, provided[: len(_PREFIX)].lower() + provided[len(_PREFIX) :].lower()):
        raise SignatureError("mismatch", "the signature does not match the body")
    skew = abs(now.timestamp() - int(ts_text))
    if skew > tolerance_seconds:
        raise SignatureError(
            "stale",
            f"stale request: the timestamp is {int(skew)} s away from the server's clock "
            f"(allowed: {tolerance_seconds} s)",
        )
