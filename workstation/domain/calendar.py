"""Working days, Civil Code day periods and the duration strings policies are written in.

Deadlines here are *inclusive last instants*: a period that ends "at 24:00 local time" of a day
is returned as 23:59:59.999999 local time of that day, converted to UTC. Something is on time
when ``now <= deadline``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from workstation.domain.errors import DomainError

WEEKDAY_NAMES: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


def require_aware(value: datetime, name: str) -> None:
    """Refuse naive datetimes: a naive value cannot be placed on the UTC timeline."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(f"{name} must be a timezone-aware datetime", field=name)


def end_of_local_day(day: date, tz: ZoneInfo) -> datetime:
    """The last instant of ``day`` in ``tz``, as aware UTC."""
    return datetime.combine(day, time.max, tzinfo=tz).astimezone(UTC)


def start_of_local_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def period_end(event_at: datetime, days: int, tz: ZoneInfo) -> datetime:
    """Last instant of a period of ``days`` calendar days that starts with an event.

    Follows arts. 201 and 203 of the PRC Civil Code: the event's own day is not counted and the
    period runs to 24:00 local time of its last day. Signed on 1 Nov at 15:00 with 7 days gives
    8 Nov 23:59:59.999999 local. We do not push the end past a weekend or holiday (art. 203's
    extension): e-commerce return windows are published and applied as plain calendar days.
    """
    require_aware(event_at, "event_at")
    if days < 0:
        raise DomainError("a period cannot be negative", field="days")
    return end_of_local_day(local_date(event_at, tz) + timedelta(days=days), tz)


def months_period_end(event_at: datetime, months: int, tz: ZoneInfo) -> datetime:
    """Last instant of a period in months (Civil Code art. 202-203).

    It ends on the corresponding day of the last month, or on that month's last day when the
    corresponding day does not exist (31 Jan + 1 month → 28/29 Feb).
    """
    require_aware(event_at, "event_at")
    if months < 0:
        raise DomainError("a period cannot be negative", field="months")
    start = local_date(event_at, tz)
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    next_month_first = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month_first - timedelta(days=1)).day
    return end_of_local_day(date(year, month, min(start.day, last_day)), tz)


@dataclass(frozen=True, kw_only=True)
class WorkingCalendar:
    """Which days are worked: weekends and public holidays are off, make-up days are on."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_working_days: frozenset[date] = field(default_factory=frozenset)
    weekend: frozenset[int] = field(default_factory=lambda: frozenset({5, 6}))
    years: frozenset[int] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_working_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() not in self.weekend

    def covers(self, day: date) -> bool:
        """Whether official data exists for the day's year (otherwise only weekends apply)."""
        return day.year in self.years

    def add_working_days(self, start: datetime, days: int, tz: ZoneInfo) -> datetime:
        """Last instant of the ``days``-th working day after the start's local day.

        The starting day is never counted, even when it is a working day, matching how day
        periods are counted. With ``days == 0`` the deadline is the end of the starting day.
        """
        require_aware(start, "start")
        if days < 0:
            raise DomainError("a number of working days cannot be negative", field="days")
        day = local_date(start, tz)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return end_of_local_day(day, tz)


class PeriodUnit(StrEnum):
    SECONDS = "s"
    MINUTES = "m"
    HOURS = "h"
    DAYS = "d"
    WORKING_DAYS = "wd"


_PERIOD_RE = re.compile(r"^(\d+)(s|m|h|d|wd)$")


@dataclass(frozen=True, kw_only=True)
class Period:
    """A policy duration: an amount and a unit whose counting rule the unit decides."""

    amount: int
    unit: PeriodUnit

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD_RE.match(text.strip())
        if match is None:
            raise ValueError(
                f"must be a duration like '30s', '1m', '24h', '7d' or '3wd', got {text!r}"
            )
        return cls(amount=int(match.group(1)), unit=PeriodUnit(match.group(2)))

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"

    @property
    def is_exact(self) -> bool:
        """True for periods that run from the exact moment (seconds, minutes, hours)."""
        return self.unit in (PeriodUnit.SECONDS, PeriodUnit.MINUTES, PeriodUnit.HOURS)

    def nominal(self) -> timedelta:
        """A rough length, only for comparing limits (a working day counts as a day)."""
        if self.unit is PeriodUnit.SECONDS:
            return timedelta(seconds=self.amount)
        if self.unit is PeriodUnit.MINUTES:
            return timedelta(minutes=self.amount)
        if self.unit is PeriodUnit.HOURS:
            return timedelta(hours=self.amount)
        return timedelta(days=self.amount)

    def due(self, start: datetime, *, calendar: WorkingCalendar, tz: ZoneInfo) -> datetime:
        """The deadline of this period starting at ``start`` (aware UTC, inclusive)."""
        require_aware(start, "start")
        if self.is_exact:
            return start.astimezone(UTC) + self.nominal()
        if self.unit is PeriodUnit.DAYS:
            return period_end(start, self.amount, tz)
        return calendar.add_working_days(start, self.amount, tz)
