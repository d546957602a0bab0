from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.unit.domain.support import SHANGHAI, local
from workstation.domain.calendar import (
    Period,
    PeriodUnit,
    WorkingCalendar,
    months_period_end,
    period_end,
)
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 1), False),  # New Year's Day
        (date(2026, 1, 4), True),  # Sunday make-up working day
        (date(2026, 1, 5), True),  # ordinary Monday
        (date(2026, 1, 10), False),  # ordinary Saturday
        (date(2026, 2, 14), True),  # Saturday make-up before Spring Festival
        (date(2026, 2, 16), False),  # Spring Festival, a Monday
        (date(2026, 2, 23), False),  # last day of Spring Festival
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday make-up after Spring Festival
        (date(2026, 4, 6), False),  # Qingming Monday
        (date(2026, 5, 5), False),
        (date(2026, 5, 9), True),  # Saturday make-up after Labour Day
        (date(2026, 6, 19), False),  # Dragon Boat, a Friday
        (date(2026, 9, 20), True),  # Sunday make-up before National Day
        (date(2026, 9, 25), False),  # Mid-Autumn, a Friday
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),  # Saturday make-up after National Day
        (date(2026, 10, 11), False),
    ],
)
def test_2026_working_days(policy: Policy, day: date, working: bool) -> None:
    assert policy.calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "expected_last_day"),
    [
        (local(2026, 3, 6, 10), 3, date(2026, 3, 11)),  # Friday → Mon, Tue, Wed
        (local(2026, 3, 7, 10), 3, date(2026, 3, 11)),  # Saturday → Mon, Tue, Wed
        (local(2026, 3, 9, 10), 3, date(2026, 3, 12)),  # Monday: start day not counted
        (local(2026, 9, 30, 10), 3, date(2026, 10, 10)),  # National Day, Saturday make-up counts
        (local(2026, 2, 13, 10), 3, date(2026, 2, 25)),  # Sat make-up, then Spring Festival
        (local(2026, 1, 1, 10), 3, date(2026, 1, 6)),  # Sunday 4 Jan is worked
        (local(2026, 3, 9, 10), 0, date(2026, 3, 9)),
    ],
)
def test_add_working_days(
    policy: Policy, start: datetime, days: int, expected_last_day: date
) -> None:
    due = policy.calendar.add_working_days(start, days, SHANGHAI)
    assert due == local(
        expected_last_day.year, expected_last_day.month, expected_last_day.day, 23, 59, 59, 999999
    )


def test_add_working_days_uses_local_date_not_utc_date(policy: Policy) -> None:
    # 00:30 Saturday in Shanghai is still Friday in UTC; the local day decides.
    start = local(2026, 3, 7, 0, 30)
    assert start.astimezone(UTC).date() == date(2026, 3, 6)
    assert policy.calendar.add_working_days(start, 1, SHANGHAI) == local(
        2026, 3, 9, 23, 59, 59, 999999
    )


def test_period_end_follows_the_civil_code() -> None:
    signed = local(2026, 11, 1, 15, 0)
    end = period_end(signed, 7, SHANGHAI)
    assert end == local(2026, 11, 8, 23, 59, 59, 999999)
    assert end.tzinfo is UTC
    assert local(2026, 11, 8, 23, 59, 59) <= end < local(2026, 11, 9)


def test_period_end_just_before_midnight_counts_from_the_local_day() -> None:
    # 23:59 local on 1 Nov is 15:59 UTC the same day; the period still starts on 2 Nov.
    assert period_end(local(2026, 11, 1, 23, 59), 1, SHANGHAI) == local(
        2026, 11, 2, 23, 59, 59, 999999
    )


@pytest.mark.parametrize(
    ("event", "months", "last_day"),
    [
        (local(2026, 1, 15, 12), 12, date(2027, 1, 15)),
        (local(2026, 1, 31, 12), 1, date(2026, 2, 28)),  # no 31 Feb: last day of the month
        (local(2027, 12, 31, 12), 2, date(2028, 2, 29)),  # leap year
        (local(2026, 11, 30, 9), 3, date(2027, 2, 28)),
        (local(2026, 5, 1, 9), 0, date(2026, 5, 1)),
    ],
)
def test_months_period_end(event: datetime, months: int, last_day: date) -> None:
    assert months_period_end(event, months, SHANGHAI) == local(
        last_day.year, last_day.month, last_day.day, 23, 59, 59, 999999
    )


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("30s", 30, PeriodUnit.SECONDS),
        ("1m", 1, PeriodUnit.MINUTES),
        ("24h", 24, PeriodUnit.HOURS),
        ("7d", 7, PeriodUnit.DAYS),
        ("3wd", 3, PeriodUnit.WORKING_DAYS),
    ],
)
def test_period_parse(text: str, amount: int, unit: PeriodUnit) -> None:
    period = Period.parse(text)
    assert (period.amount, period.unit) == (amount, unit)
    assert str(period) == text


@pytest.mark.parametrize("text", ["", "7", "d7", "-1d", "1.5h", "7 days", "3w"])
def test_period_parse_refuses_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


def test_hour_periods_run_from_the_exact_moment(policy: Policy) -> None:
    start = local(2026, 6, 1, 8, 30, 15, 123)
    assert policy.deadline(Period.parse("24h"), start) == start + timedelta(hours=24)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        period_end(datetime(2026, 11, 1, 15), 7, SHANGHAI)
    assert caught.value.field == "event_at"
    with pytest.raises(DomainError):
        WorkingCalendar().add_working_days(datetime(2026, 11, 1), 1, SHANGHAI)


def test_negative_periods_are_refused() -> None:
    with pytest.raises(DomainError):
        period_end(local(2026, 1, 1), -1, SHANGHAI)
    with pytest.raises(DomainError):
        WorkingCalendar().add_working_days(local(2026, 1, 1), -1, SHANGHAI)


def test_calendar_knows_which_years_have_data(policy: Policy) -> None:
    assert policy.calendar.covers(date(2026, 5, 1))
    assert not policy.calendar.covers(date(2030, 5, 1))
