from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.unit.domain.support import build_policy, local
from workstation.domain.calendar import Period, PeriodUnit
from workstation.domain.enums import Category, Priority, RequestType, Role
from workstation.domain.errors import DomainError, PolicyError
from workstation.domain.policy import (
    Policy,
    load_calendar_file,
    load_policy,
    parse_calendar,
    parse_toml_policy,
)


def test_shipped_policy_carries_the_documented_defaults(policy: Policy) -> None:
    assert policy.time_zone.key == "Asia/Shanghai"
    assert policy.sla.amber_remaining_percent == 20
    assert policy.sla.response.instant_first_response == Period(amount=1, unit=PeriodUnit.MINUTES)
    assert str(policy.sla.response.phone_answer) == "30s"
    assert str(policy.sla.response.suggestion_ack) == "3wd"
    assert str(policy.sla.cases.ship_back_remote) == "10d"
    assert policy.priority.defaults[RequestType.COMPLAINT] is Priority.URGENT
    assert policy.priority.defaults[RequestType.SUGGESTION] is Priority.LOW
    assert policy.returns.no_reason_excluded_categories == {
        Category.FRESH_FOOD,
        Category.CUSTOM_MADE,
        Category.VIRTUAL,
    }
    assert policy.compensation.fake_goods.minimum == Decimal("500.00")
    assert policy.authority.limits[Role.SENIOR_AGENT] == Decimal("300.00")
    assert policy.qa.sample_rate == pytest.approx(0.20)
    assert policy.reports.satisfaction_min_percent == 92
    assert policy.warranty.price_lists[Category.ELECTRONICS].parts["screen"] == Decimal("399.00")


def test_policy_is_immutable(policy: Policy) -> None:
    with pytest.raises(AttributeError):
        policy.rounding = "half_even"  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.authority.limits[Role.AGENT] = Decimal(1)  # type: ignore[index]


def _set(path: str, value: Any) -> Any:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[last] = value

    return edit


def _delete(path: str) -> Any:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        del node[last]

    return edit


@pytest.mark.parametrize(
    ("edit", "key", "reason_part"),
    [
        (
            _set("compensation.fake_goods.multiplier", "three"),
            "compensation.fake_goods.multiplier",
            "must be a positive number, got 'three'",
        ),
        (_set("sla.amber_remaining_percnt", 20), "sla.amber_remaining_percnt", "unknown key"),
        (_set("sla.cases.retrun_review", "24h"), "sla.cases.retrun_review", "unknown key"),
        (_delete("sla.cases.return_review"), "sla.cases.return_review", "missing"),
        (_set("sla.response.phone_answer", 30), "sla.response.phone_answer", "duration"),
        (_set("sla.response.phone_answer", "30 seconds"), "sla.response.phone_answer", "duration"),
        (_set("compensation.goodwill.max", "-5.00"), "compensation.goodwill.max", "negative"),
        (_set("compensation.goodwill.max", 50.5), "compensation.goodwill.max", "float"),
        (_set("compensation.goodwill.max", "12.345"), "compensation.goodwill.max", "fen"),
        (_set("compensation.goodwill.max", "lots"), "compensation.goodwill.max", "amount of money"),
        (
            _set("compensation.damaged_goods.percent", 150),
            "compensation.damaged_goods.percent",
            "0 to 100",
        ),
        (
            _set("compensation.service_failure.minor_percent", -1),
            "compensation.service_failure.minor_percent",
            "0 to 100",
        ),
        (
            _set("priority.default.inquiry", "critical"),
            "priority.default.inquiry",
            "unknown name 'critical'",
        ),
        (
            _set("priority.default.gossip", "low"),
            "priority.default.gossip",
            "unknown name 'gossip'",
        ),
        (
            _set("authority.limits.intern", "1.00"),
            "authority.limits.intern",
            "unknown name 'intern'",
        ),
        (
            _set("authority.escalation", ["agent", "boss"]),
            "authority.escalation",
            "unknown name 'boss'",
        ),
        (
            _set("authority.senior_min_tenure_months", "six"),
            "authority.senior_min_tenure_months",
            "whole number",
        ),
        (
            _set("returns.high_value_published", "yes"),
            "returns.high_value_published",
            "true or false",
        ),
        (
            _set("returns.no_reason_excluded_categories", ["fresh_food", "furniture"]),
            "returns.no_reason_excluded_categories",
            "unknown name 'furniture'",
        ),
        (_set("locale.time_zone", "Mars/Olympus"), "locale.time_zone", "unknown time zone"),
        (_set("calendar.weekend", ["caturday"]), "calendar.weekend", "unknown day"),
        (_set("warranty.months.electronics", -1), "warranty.months.electronics", "at least 0"),
        (
            _set("warranty.parts.electronics.screen", "abc"),
            "warranty.parts.electronics.screen",
            "amount of money",
        ),
        (_set("money.rounding", "banker"), "money.rounding", "half_up"),
        (_set("business_hours.opens", "9 o'clock"), "business_hours.opens", "local time"),
        (_set("qa.sample_rate_percent", 120), "qa.sample_rate_percent", "0 to 100"),
        (_set("surveys.callback_ratings", ["furious"]), "surveys.callback_ratings", "unknown name"),
        (_set("sla", "fast"), "sla", "must be a table"),
        (_set("schema_version", 2), "schema_version", "version"),
    ],
)
def test_bad_policy_values_name_file_and_key(edit: Any, key: str, reason_part: str) -> None:
    with pytest.raises(PolicyError) as caught:
        build_policy(edit)
    error = caught.value
    assert error.file == "test.toml"
    assert error.key == key
    assert reason_part in error.reason
    assert str(error).startswith(f"test.toml: {key}: ")
    assert isinstance(error, DomainError) and error.field == key


def test_error_text_reads_like_the_documented_example() -> None:
    with pytest.raises(PolicyError) as caught:
        build_policy(_set("compensation.fake_goods.multiplier", "three"))
    assert str(caught.value) == (
        "test.toml: compensation.fake_goods.multiplier: must be a positive number, got 'three'"
    )


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        # Statutory floors: a shop may be more generous, never less.
        (_set("returns.no_reason", "5d"), "returns.no_reason"),
        (_set("returns.no_reason", "168h"), "returns.no_reason"),
        (_set("compensation.fake_goods.multiplier", 2), "compensation.fake_goods.multiplier"),
        (_set("compensation.fake_goods.minimum", "300.00"), "compensation.fake_goods.minimum"),
        (_set("sla.cases.refund_after_receipt", "8d"), "sla.cases.refund_after_receipt"),
        (_set("sla.cases.refund_after_receipt", "169h"), "sla.cases.refund_after_receipt"),
        # Internal consistency.
        (_set("returns.quality_exchange", "5d"), "returns.quality_exchange"),
        (_set("sla.cases.ship_back_remote", "3d"), "sla.cases.ship_back_remote"),
        (
            _set("compensation.goodwill.small_dispute_coupon", "60.00"),
            "compensation.goodwill.small_dispute_coupon",
        ),
        (_set("business_hours.closes", "08:00"), "business_hours.closes"),
    ],
)
def test_policy_below_the_floor_or_inconsistent_is_refused(edit: Any, key: str) -> None:
    with pytest.raises(PolicyError) as caught:
        build_policy(edit)
    assert caught.value.key == key


def test_five_day_no_reason_window_is_refused_with_the_law_named() -> None:
    with pytest.raises(PolicyError, match="statutory floor"):
        build_policy(_set("returns.no_reason", "5d"))


@pytest.mark.parametrize(
    "edit",
    [
        _set("returns.no_reason", "10d"),
        _set("returns.no_reason", "7wd"),
        _set("compensation.fake_goods.multiplier", 4),
        _set("compensation.fake_goods.minimum", 800),
        _set("sla.cases.refund_after_receipt", "168h"),
        _set("returns.high_value_published", True),
    ],
)
def test_more_generous_policies_load(edit: Any) -> None:
    build_policy(edit)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("schema_version = 1\n[locale\ntime_zone = 'Asia/Shanghai'\n", 2),
        ("schema_version = 1\n\n\nmultiplier = three\n", 4),
        ("a = 1\na = 2\n", 2),
    ],
)
def test_bad_toml_syntax_reports_the_line(text: str, line: int) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_toml_policy(text, source="broken.toml")
    assert caught.value.file == "broken.toml"
    assert caught.value.line == line
    assert str(caught.value).startswith(f"broken.toml: line {line}: invalid TOML")


def test_missing_policy_file_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="file not found"):
        load_policy(Path("/nonexistent/policy/nowhere.toml"))


@pytest.mark.parametrize("year", [2026, 2027])
def test_shipped_calendars_load(year: int) -> None:
    from workstation.domain.policy import default_policy_path

    path = default_policy_path().parent.parent / "calendar" / f"cn-{year}.toml"
    loaded_year, off, on = load_calendar_file(path)
    assert loaded_year == year
    assert off and not off & on
    assert all(day.year == year for day in off | on)


def test_policy_with_no_calendar_files_counts_weekends_only() -> None:
    bare = build_policy(_set("calendar.files", []))
    from datetime import date

    assert bare.calendar.is_working_day(date(2026, 10, 1))  # a Thursday, holiday only by data
    assert not bare.calendar.is_working_day(date(2026, 10, 10))  # Saturday, no make-up data


def test_missing_calendar_file_names_the_policy_key() -> None:
    with pytest.raises(PolicyError) as caught:
        build_policy(_set("calendar.files", ["../calendar/cn-1999.toml"]))
    assert caught.value.key == "calendar.files"
    assert "cn-1999.toml" in caught.value.reason


def _calendar(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "year": 2026,
        "status": "official",
        "holiday": [
            {
                "name": "Test Day",
                "first_day": date(2026, 5, 1),
                "last_day": date(2026, 5, 3),
                "makeup_working_days": [date(2026, 5, 9)],
            }
        ],
    }
    data.update(changes)
    return data


def _holiday(**changes: Any) -> dict[str, Any]:
    entry = dict(_calendar()["holiday"][0])
    entry.update(changes)
    return _calendar(holiday=[entry])


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (_calendar(status="rumour"), "status"),
        (_calendar(extra=1), "extra"),
        (_calendar(holiday={"name": "x"}), "holiday"),
        (_holiday(first_day="2026-05-01"), "holiday[0].first_day"),
        (_holiday(first_day=date(2025, 5, 1)), "holiday[0].first_day"),
        (_holiday(last_day=date(2026, 4, 30)), "holiday[0].last_day"),
        (_holiday(makeup_working_days=[date(2027, 1, 1)]), "holiday[0].makeup_working_days"),
        (_holiday(makeup_working_days=[date(2026, 5, 2)]), "holiday"),
        (_holiday(nmae="typo"), "holiday[0].nmae"),
    ],
)
def test_bad_calendar_data(data: dict[str, Any], key: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_calendar(data, source="cn-2026.toml")
    assert caught.value.key == key
    assert str(caught.value).startswith(f"cn-2026.toml: {key}: ")


@pytest.mark.parametrize(
    ("hour", "minute", "open_"),
    [(8, 59, False), (9, 0, True), (21, 59, True), (22, 0, False)],
)
def test_business_hours(policy: Policy, hour: int, minute: int, open_: bool) -> None:
    # A public holiday: the default policy staffs the desk every day.
    assert policy.is_open(local(2026, 10, 1, hour, minute)) is open_


def test_business_hours_on_working_days_only() -> None:
    strict = build_policy(_set("business_hours.working_days_only", True))
    assert not strict.is_open(local(2026, 10, 1, 10))
    assert strict.is_open(local(2026, 10, 10, 10))  # make-up Saturday
