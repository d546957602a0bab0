"""Times in the cache: fixed-width UTC text, so that text order is time order.

The wire sends ISO-8601 with a 'Z' (``2026-11-02T02:00:00Z`` or with microseconds). Stored
form: ``2026-11-02T02:00:00.000000Z`` — always 27 characters.
"""

from __future__ import annotations

from datetime import UTC, datetime

TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_ts(value: datetime) -> str:
    """An aware datetime as stored text."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the cache")
    return value.astimezone(UTC).strftime(TS_FORMAT)


def norm_ts(value: object) -> str | None:
    """A wire time (ISO-8601 text, or a datetime) as stored text; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        n = len(value)
        if n == 27 and value[19] == "." and value[26] == "Z":
            return value
        if n == 20 and value[19] == "Z":
            return value[:19] + ".000000Z"
        parsed = datetime.fromisoformat(value)
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise TypeError(f"not a time: {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return to_ts(parsed)


def from_ts(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, TS_FORMAT).replace(tzinfo=UTC)


def now_ts() -> str:
    return to_ts(datetime.now(UTC))
