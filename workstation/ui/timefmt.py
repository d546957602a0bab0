"""Wire times (ISO-8601 UTC) to aware datetimes and to the local time shown on screen."""

from __future__ import annotations

from datetime import UTC, date, datetime


def parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def local(value: object) -> datetime | None:
    parsed = parse_time(value)
    return None if parsed is None else parsed.astimezone()


def short(value: object, *, now: datetime | None = None) -> str:
    """`14:05` today, `11-02 14:05` this year, `2025-11-02` before."""
    at = local(value)
    if at is None:
        return ""
    today = (now or datetime.now(UTC)).astimezone()
    if at.date() == today.date():
        return at.strftime("%H:%M")
    if at.year == today.year:
        return at.strftime("%m-%d %H:%M")
    return at.strftime("%Y-%m-%d")


def day(value: object) -> str:
    at = local(value)
    return "" if at is None else at.strftime("%Y-%m-%d")


def days_since(value: object, *, today: date | None = None) -> int | None:
    at = local(value)
    if at is None:
        return None
    return ((today or datetime.now(UTC).astimezone().date()) - at.date()).days
