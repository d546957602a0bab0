"""The after-sales policy: every business number, loaded from a TOML file and checked strictly.

``load_policy()`` reads the shipped default; a deployment passes its own file. Loading refuses
unknown or missing keys, wrong types, negative money, percentages outside 0..100, unknown
enumeration names and values below the statutory floors, each as a ``PolicyError`` that names
the file and the dotted key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workstation.domain.calendar import (
    WEEKDAY_NAMES,
    Period,
    PeriodUnit,
    WorkingCalendar,
    require_aware,
)
from workstation.domain.enums import Category, Priority, Rating, RequestType, Role
from workstation.domain.errors import PolicyError

E = TypeVar("E", bound=StrEnum)

# Floors set by law; a shop may be more generous, never less.
_STATUTORY_NO_REASON_DAYS = 7  # Consumer Rights Protection Law art. 25
_STATUTORY_REFUND_MAX_DAYS = 7  # art. 25: refund within 7 days of getting the goods back
_STATUTORY_FAKE_MULTIPLIER = Decimal(3)  # art. 55
_STATUTORY_FAKE_MINIMUM = Decimal(500)  # art. 55

SUPPORTED_SCHEMA_VERSION = 1


def default_policy_path() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "policy" / "default.toml"


# ----------------------------------------------------------------------------- the tree


@dataclass(frozen=True, kw_only=True)
class BusinessHours:
    opens: time
    closes: time
    working_days_only: bool


@dataclass(frozen=True, kw_only=True)
class ResponseTargets:
    instant_first_response: Period
    phone_answer: Period
    phone_answer_target_percent: Decimal
    bot_handover: Period
    ticket_first_response: Period
    ticket_solution: Period
    urgent_complaint: Period
    general_dispute: Period
    serious_dispute: Period
    repair_solution: Period
    suggestion_ack: Period


@dataclass(frozen=True, kw_only=True)
class CaseTargets:
    return_review: Period
    ship_back: Period
    ship_back_remote: Period
    refund_after_receipt: Period
    exchange_ship_after_receipt: Period
    remote_diagnosis: Period
    onsite_visit: Period
    onsite_confirm_ahead: Period


@dataclass(frozen=True, kw_only=True)
class FeedbackTargets:
    unsatisfied_callback: Period
    follow_up_from: Period
    follow_up_to: Period


@dataclass(frozen=True, kw_only=True)
class SlaPolicy:
    amber_remaining_percent: Decimal
    response: ResponseTargets
    cases: CaseTargets
    feedback: FeedbackTargets


@dataclass(frozen=True, kw_only=True)
class PriorityPolicy:
    defaults: Mapping[RequestType, Priority]
    fresh_food_damage: Priority
    fresh_food_jumps_queue: bool


@dataclass(frozen=True, kw_only=True)
class ReturnsPolicy:
    quality_return: Period
    quality_exchange: Period
    high_value_published: bool
    high_value_window: Period
    no_reason: Period
    no_reason_excluded_categories: frozenset[Category]
    fresh_spoilage: Period


@dataclass(frozen=True, kw_only=True)
class FakeGoodsPolicy:
    multiplier: Decimal
    minimum: Decimal
    refund_testing_fee: bool
    refund_shipping: bool


@dataclass(frozen=True, kw_only=True)
class DamagedGoodsPolicy:
    percent: Decimal
    allow_reship: bool


@dataclass(frozen=True, kw_only=True)
class ServiceFailurePolicy:
    minor_percent: Decimal
    moderate_percent: Decimal
    severe_percent: Decimal

    def percent_for(self, severity: str) -> Decimal | None:
        return {
            "minor": self.minor_percent,
            "moderate": self.moderate_percent,
            "severe": self.severe_percent,
        }.get(severity)


@dataclass(frozen=True, kw_only=True)
class GoodwillPolicy:
    max: Decimal
    small_dispute_coupon: Decimal


@dataclass(frozen=True, kw_only=True)
class CompensationPolicy:
    fake_goods: FakeGoodsPolicy
    damaged_goods: DamagedGoodsPolicy
    service_failure: ServiceFailurePolicy
    goodwill: GoodwillPolicy


@dataclass(frozen=True, kw_only=True)
class AuthorityPolicy:
    senior_min_tenure_months: int
    escalation: tuple[Role, ...]
    limits: Mapping[Role, Decimal]


@dataclass(frozen=True, kw_only=True)
class PriceList:
    parts: Mapping[str, Decimal]
    labour: Mapping[str, Decimal]


@dataclass(frozen=True, kw_only=True)
class WarrantyPolicy:
    extended_months: int
    months: Mapping[Category, int]
    extended_price_percent: Mapping[Category, Decimal]
    price_lists: Mapping[Category, PriceList]


@dataclass(frozen=True, kw_only=True)
class QaPolicy:
    sample_rate_percent: Decimal
    forbidden_phrases: tuple[str, ...]
    scorecard_items: tuple[str, ...]
    item_max: int
    item_pass_min: int
    total_pass_min: int

    @property
    def sample_rate(self) -> float:
        return float(self.sample_rate_percent / 100)


@dataclass(frozen=True, kw_only=True)
class SurveyPolicy:
    callback_ratings: frozenset[Rating]
    satisfied_ratings: frozenset[Rating]
    negative_ratings: frozenset[Rating]


@dataclass(frozen=True, kw_only=True)
class ReportTargets:
    resolution_rate_min_percent: Decimal
    satisfaction_min_percent: Decimal
    negative_rate_max_percent: Decimal
    survey_response_min_percent: Decimal
    complaint_surge_percent: Decimal


@dataclass(frozen=True, kw_only=True)
class Policy:
    source: str
    time_zone: ZoneInfo
    business_hours: BusinessHours
    calendar: WorkingCalendar
    rounding: str
    sla: SlaPolicy
    priority: PriorityPolicy
    returns: ReturnsPolicy
    compensation: CompensationPolicy
    authority: AuthorityPolicy
    warranty: WarrantyPolicy
    qa: QaPolicy
    surveys: SurveyPolicy
    reports: ReportTargets

    def is_open(self, now: datetime) -> bool:
        """Whether the service desk is staffed at ``now`` (business hours, local time)."""
        require_aware(now, "now")
        local = now.astimezone(self.time_zone)
        if self.business_hours.working_days_only and not self.calendar.is_working_day(local.date()):
            return False
        return self.business_hours.opens <= local.time() < self.business_hours.closes

    def deadline(self, period: Period, start: datetime) -> datetime:
        """When ``period`` started at ``start`` runs out, in this policy's zone and calendar."""
        return period.due(start, calendar=self.calendar, tz=self.time_zone)


# ----------------------------------------------------------------------------- reading


def _describe(value: object) -> str:
    return repr(value) if isinstance(value, str) else f"{value!r} ({type(value).__name__})"


class _Table:
    """One TOML table being read: remembers which keys were used to report the rest."""

    def __init__(self, data: object, *, path: str, source: str) -> None:
        if not isinstance(data, dict):
            raise PolicyError(source, path or None, f"must be a table, got {_describe(data)}")
        self._data: dict[str, object] = data
        self._path = path
        self._source = source
        self._used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self._path}.{name}" if self._path else name

    def error(self, name: str, reason: str) -> PolicyError:
        return PolicyError(self._source, self.key(name), reason)

    def raw(self, name: str) -> object:
        if name not in self._data:
            raise self.error(name, "missing")
        self._used.add(name)
        return self._data[name]

    def keys(self) -> Iterator[str]:
        return iter(list(self._data))

    def table(self, name: str) -> _Table:
        return _Table(self.raw(name), path=self.key(name), source=self._source)

    def finish(self) -> None:
        for name in self._data:
            if name not in self._used:
                raise self.error(name, "unknown key")

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {_describe(value)}")
        return value

    def string(self, name: str) -> str:
        value = self.raw(name)
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty string, got {_describe(value)}")
        return value

    def integer(self, name: str, *, minimum: int = 0) -> int:
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"must be a whole number, got {_describe(value)}")
        if value < minimum:
            raise self.error(name, f"must be at least {minimum}, got {value}")
        return value

    def number(self, name: str, *, positive: bool = False) -> Decimal:
        """A non-negative exact number; floats are accepted only for ratios, via their text."""
        value = self.raw(name)
        kind = "a positive number" if positive else "a number of at least 0"
        amount = _to_decimal(value, allow_float=True)
        if amount is None or amount < 0 or (positive and amount == 0):
            raise self.error(name, f"must be {kind}, got {_describe(value)}")
        return amount

    def money(self, name: str) -> Decimal:
        value = self.raw(name)
        if isinstance(value, float):
            raise self.error(
                name, f"money must be written as a string or integer, not a float: {value!r}"
            )
        amount = _to_decimal(value, allow_float=False)
        if amount is None:
            raise self.error(name, f"must be an amount of money, got {_describe(value)}")
        if amount < 0:
            raise self.error(name, f"must not be negative, got {value!r}")
        if amount != amount.quantize(Decimal("0.01")):
            raise self.error(name, f"must be whole fen (2 decimals at most), got {value!r}")
        return amount

    def percent(self, name: str) -> Decimal:
        value = self.raw(name)
        amount = _to_decimal(value, allow_float=True)
        if amount is None or not Decimal(0) <= amount <= Decimal(100):
            raise self.error(name, f"must be a percentage from 0 to 100, got {_describe(value)}")
        return amount

    def period(self, name: str, *, units: frozenset[PeriodUnit] | None = None) -> Period:
        value = self.raw(name)
        if not isinstance(value, str):
            raise self.error(name, f"must be a duration string like '24h', got {_describe(value)}")
        try:
            period = Period.parse(value)
        except ValueError as exc:
            raise self.error(name, str(exc)) from None
        if units is not None and period.unit not in units:
            allowed = ", ".join(sorted(f"'{u.value}'" for u in units))
            raise self.error(name, f"must be counted in {allowed}, got {value!r}")
        return period

    def enum(self, name: str, cls: type[E]) -> E:
        return _enum_value(self.raw(name), cls, self, name)

    def enum_list(self, name: str, cls: type[E]) -> tuple[E, ...]:
        values = self.string_list(name, allow_empty=True)
        return tuple(_enum_value(v, cls, self, name) for v in values)

    def string_list(self, name: str, *, allow_empty: bool = False) -> tuple[str, ...]:
        value = self.raw(name)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(name, f"must be a list of strings, got {_describe(value)}")
        if not value and not allow_empty:
            raise self.error(name, "must not be empty")
        return tuple(value)

    def clock_time(self, name: str) -> time:
        value = self.string(name)
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise self.error(name, f"must be a local time like '09:00', got {value!r}") from None


def _to_decimal(value: object, *, allow_float: bool) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not allow_float:
        return None
    if isinstance(value, int | float | str):
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return amount if amount.is_finite() else None
    return None


def _enum_value(value: object, cls: type[E], table: _Table, name: str) -> E:
    names = ", ".join(m.value for m in cls)
    if not isinstance(value, str):
        raise table.error(name, f"must be one of {names}, got {_describe(value)}")
    try:
        return cls(value)
    except ValueError:
        raise table.error(name, f"unknown name {value!r}; expected one of {names}") from None


def _check_enum_keys(table: _Table, cls: type[E]) -> None:
    """Refuse a table key that is not one of the enumeration's names."""
    for name in table.keys():
        _enum_value(name, cls, table, name)


# ----------------------------------------------------------------------------- sections


_DAY_UNITS = frozenset({PeriodUnit.DAYS, PeriodUnit.WORKING_DAYS})


def _parse_response(t: _Table) -> ResponseTargets:
    targets = ResponseTargets(
        instant_first_response=t.period("instant_first_response"),
        phone_answer=t.period("phone_answer"),
        phone_answer_target_percent=t.percent("phone_answer_target_percent"),
        bot_handover=t.period("bot_handover"),
        ticket_first_response=t.period("ticket_first_response"),
        ticket_solution=t.period("ticket_solution"),
        urgent_complaint=t.period("urgent_complaint"),
        general_dispute=t.period("general_dispute"),
        serious_dispute=t.period("serious_dispute"),
        repair_solution=t.period("repair_solution"),
        suggestion_ack=t.period("suggestion_ack"),
    )
    t.finish()
    return targets


def _parse_cases(t: _Table) -> CaseTargets:
    days = frozenset({PeriodUnit.DAYS})
    targets = CaseTargets(
        return_review=t.period("return_review"),
        ship_back=t.period("ship_back", units=days),
        ship_back_remote=t.period("ship_back_remote", units=days),
        refund_after_receipt=t.period(
            "refund_after_receipt", units=frozenset({PeriodUnit.DAYS, PeriodUnit.HOURS})
        ),
        exchange_ship_after_receipt=t.period("exchange_ship_after_receipt"),
        remote_diagnosis=t.period("remote_diagnosis"),
        onsite_visit=t.period("onsite_visit"),
        onsite_confirm_ahead=t.period("onsite_confirm_ahead"),
    )
    if targets.refund_after_receipt.nominal().days > _STATUTORY_REFUND_MAX_DAYS or (
        targets.refund_after_receipt.nominal().days == _STATUTORY_REFUND_MAX_DAYS
        and targets.refund_after_receipt.nominal().seconds > 0
    ):
        raise t.error(
            "refund_after_receipt",
            f"the law allows at most {_STATUTORY_REFUND_MAX_DAYS} days after the goods are back, "
            f"got {targets.refund_after_receipt}",
        )
    if targets.ship_back_remote.amount < targets.ship_back.amount:
        raise t.error("ship_back_remote", "must not be shorter than ship_back")
    t.finish()
    return targets


def _parse_feedback(t: _Table) -> FeedbackTargets:
    days = frozenset({PeriodUnit.DAYS})
    targets = FeedbackTargets(
        unsatisfied_callback=t.period("unsatisfied_callback"),
        follow_up_from=t.period("follow_up_from", units=days),
        follow_up_to=t.period("follow_up_to", units=days),
    )
    if targets.follow_up_to.amount < targets.follow_up_from.amount:
        raise t.error("follow_up_to", "must not be earlier than follow_up_from")
    t.finish()
    return targets


def _parse_sla(t: _Table) -> SlaPolicy:
    sla = SlaPolicy(
        amber_remaining_percent=t.percent("amber_remaining_percent"),
        response=_parse_response(t.table("response")),
        cases=_parse_cases(t.table("cases")),
        feedback=_parse_feedback(t.table("feedback")),
    )
    t.finish()
    return sla


def _parse_priority(t: _Table) -> PriorityPolicy:
    defaults_table = t.table("default")
    _check_enum_keys(defaults_table, RequestType)
    defaults = {rt: defaults_table.enum(rt.value, Priority) for rt in RequestType}
    defaults_table.finish()
    policy = PriorityPolicy(
        defaults=MappingProxyType(defaults),
        fresh_food_damage=t.enum("fresh_food_damage", Priority),
        fresh_food_jumps_queue=t.boolean("fresh_food_jumps_queue"),
    )
    t.finish()
    return policy


def _parse_returns(t: _Table) -> ReturnsPolicy:
    days = frozenset({PeriodUnit.DAYS})
    policy = ReturnsPolicy(
        quality_return=t.period("quality_return", units=days),
        quality_exchange=t.period("quality_exchange", units=days),
        high_value_published=t.boolean("high_value_published"),
        high_value_window=t.period("high_value_window", units=days),
        no_reason=t.period("no_reason", units=_DAY_UNITS),
        no_reason_excluded_categories=frozenset(
            t.enum_list("no_reason_excluded_categories", Category)
        ),
        fresh_spoilage=t.period("fresh_spoilage"),
    )
    if policy.no_reason.amount < _STATUTORY_NO_REASON_DAYS:
        raise t.error(
            "no_reason",
            f"must be at least {_STATUTORY_NO_REASON_DAYS} days, the statutory floor "
            f"(Consumer Rights Protection Law art. 25), got {policy.no_reason}",
        )
    if policy.quality_exchange.amount < policy.quality_return.amount:
        raise t.error("quality_exchange", "must not be shorter than quality_return")
    t.finish()
    return policy


def _parse_compensation(t: _Table) -> CompensationPolicy:
    fake_t = t.table("fake_goods")
    fake = FakeGoodsPolicy(
        multiplier=fake_t.number("multiplier", positive=True),
        minimum=fake_t.money("minimum"),
        refund_testing_fee=fake_t.boolean("refund_testing_fee"),
        refund_shipping=fake_t.boolean("refund_shipping"),
    )
    if fake.multiplier < _STATUTORY_FAKE_MULTIPLIER:
        raise fake_t.error(
            "multiplier",
            f"must be at least {_STATUTORY_FAKE_MULTIPLIER} (Consumer Rights Protection Law "
            f"art. 55), got {fake.multiplier}",
        )
    if fake.minimum < _STATUTORY_FAKE_MINIMUM:
        raise fake_t.error(
            "minimum",
            f"must be at least {_STATUTORY_FAKE_MINIMUM} yuan (Consumer Rights Protection Law "
            f"art. 55), got {fake.minimum}",
        )
    fake_t.finish()

    damaged_t = t.table("damaged_goods")
    damaged = DamagedGoodsPolicy(
        percent=damaged_t.percent("percent"), allow_reship=damaged_t.boolean("allow_reship")
    )
    damaged_t.finish()

    failure_t = t.table("service_failure")
    failure = ServiceFailurePolicy(
        minor_percent=failure_t.percent("minor_percent"),
        moderate_percent=failure_t.percent("moderate_percent"),
        severe_percent=failure_t.percent("severe_percent"),
    )
    failure_t.finish()

    goodwill_t = t.table("goodwill")
    goodwill = GoodwillPolicy(
        max=goodwill_t.money("max"), small_dispute_coupon=goodwill_t.money("small_dispute_coupon")
    )
    if goodwill.small_dispute_coupon > goodwill.max:
        raise goodwill_t.error("small_dispute_coupon", "must not exceed the goodwill max")
    goodwill_t.finish()
    t.finish()
    return CompensationPolicy(
        fake_goods=fake, damaged_goods=damaged, service_failure=failure, goodwill=goodwill
    )


def _parse_authority(t: _Table) -> AuthorityPolicy:
    limits_t = t.table("limits")
    _check_enum_keys(limits_t, Role)
    limits = {role: limits_t.money(role.value) for role in Role}
    limits_t.finish()
    escalation = t.enum_list("escalation", Role)
    if not escalation:
        raise t.error("escalation", "must name at least one role")
    if len(set(escalation)) != len(escalation):
        raise t.error("escalation", "must not repeat a role")
    policy = AuthorityPolicy(
        senior_min_tenure_months=t.integer("senior_min_tenure_months"),
        escalation=escalation,
        limits=MappingProxyType(limits),
    )
    t.finish()
    return policy


def _parse_price_items(t: _Table) -> dict[str, Decimal]:
    return {name: t.money(name) for name in t.keys()}


def _parse_warranty(t: _Table) -> WarrantyPolicy:
    months_t = t.table("months")
    _check_enum_keys(months_t, Category)
    months = {c: months_t.integer(c.value) for c in Category}
    months_t.finish()

    price_t = t.table("extended_price_percent")
    _check_enum_keys(price_t, Category)
    extended = {c: price_t.percent(c.value) for c in Category}
    price_t.finish()

    parts_t = t.table("parts")
    labour_t = t.table("labour")
    _check_enum_keys(parts_t, Category)
    _check_enum_keys(labour_t, Category)
    price_lists: dict[Category, PriceList] = {}
    for category in Category:
        parts: dict[str, Decimal] = {}
        labour: dict[str, Decimal] = {}
        if category.value in set(parts_t.keys()):
            sub = parts_t.table(category.value)
            parts = _parse_price_items(sub)
            sub.finish()
        if category.value in set(labour_t.keys()):
            sub = labour_t.table(category.value)
            labour = _parse_price_items(sub)
            sub.finish()
        if parts or labour:
            price_lists[category] = PriceList(
                parts=MappingProxyType(parts), labour=MappingProxyType(labour)
            )
    parts_t.finish()
    labour_t.finish()

    policy = WarrantyPolicy(
        extended_months=t.integer("extended_months"),
        months=MappingProxyType(months),
        extended_price_percent=MappingProxyType(extended),
        price_lists=MappingProxyType(price_lists),
    )
    t.finish()
    return policy


def _parse_calendar(t: _Table, *, base_dir: Path, source: str) -> WorkingCalendar:
    weekend_names = t.string_list("weekend", allow_empty=True)
    weekend: set[int] = set()
    for name in weekend_names:
        if name not in WEEKDAY_NAMES:
            raise t.error("weekend", f"unknown day {name!r}; expected one of {WEEKDAY_NAMES}")
        weekend.add(WEEKDAY_NAMES.index(name))
    holidays: set[date] = set()
    makeup: set[date] = set()
    years: set[int] = set()
    for name in t.string_list("files", allow_empty=True):
        path = (base_dir / name).resolve()
        if not path.is_file():
            raise t.error("files", f"calendar file not found: {name}")
        year, days_off, days_on = load_calendar_file(path)
        if year in years:
            raise t.error("files", f"year {year} is listed twice")
        years.add(year)
        holidays |= days_off
        makeup |= days_on
    t.finish()
    return WorkingCalendar(
        holidays=frozenset(holidays),
        makeup_working_days=frozenset(makeup),
        weekend=frozenset(weekend),
        years=frozenset(years),
    )


def load_calendar_file(path: Path) -> tuple[int, frozenset[date], frozenset[date]]:
    """Read one year of holidays and make-up working days; returns (year, off, on)."""
    return parse_calendar(_read_toml(path), source=path.name)


def parse_calendar(
    data: Mapping[str, object], *, source: str
) -> tuple[int, frozenset[date], frozenset[date]]:
    """Check one year of calendar data; returns (year, days off, make-up working days)."""
    t = _Table(dict(data), path="", source=source)
    year = t.integer("year", minimum=1949)
    status = t.string("status")
    if status not in ("official", "provisional"):
        raise t.error("status", f"must be 'official' or 'provisional', got {status!r}")
    raw = t.raw("holiday")
    if not isinstance(raw, list):
        raise t.error("holiday", "must be an array of [[holiday]] tables")
    off: set[date] = set()
    on: set[date] = set()
    for index, entry in enumerate(raw):
        h = _Table(entry, path=f"holiday[{index}]", source=source)
        h.string("name")
        first, last = _date(h, "first_day", year), _date(h, "last_day", year)
        if last < first:
            raise h.error("last_day", "must not be before first_day")
        day = first
        while day <= last:
            off.add(day)
            day = date.fromordinal(day.toordinal() + 1)
        makeup = h.raw("makeup_working_days")
        if not isinstance(makeup, list) or not all(
            isinstance(d, date) and not isinstance(d, datetime) and d.year == year for d in makeup
        ):
            raise h.error(
                "makeup_working_days", f"must be a list of dates in {year} like {year}-01-04"
            )
        on.update(makeup)
        h.finish()
    t.finish()
    if off & on:
        clash = min(off & on)
        raise PolicyError(source, "holiday", f"{clash} is both a holiday and a working day")
    return year, frozenset(off), frozenset(on)


def _date(t: _Table, name: str, year: int) -> date:
    value = t.raw(name)
    # TOML datetimes are also date instances; only a bare date is meant here.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise t.error(name, f"must be a date like {year}-01-01, got {_describe(value)}")
    if value.year != year:
        raise t.error(name, f"must fall in {year}, got {value}")
    return value


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise PolicyError(path.name, None, f"file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path.name, exc) from None


def _syntax_error(source: str, exc: tomllib.TOMLDecodeError) -> PolicyError:
    line = getattr(exc, "lineno", None)
    if line is None:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
    return PolicyError(source, None, f"invalid TOML: {exc}", line=line)


# ----------------------------------------------------------------------------- entry points


def load_policy(path: Path | None = None) -> Policy:
    """Load and check a policy file; ``None`` loads the shipped default."""
    path = default_policy_path() if path is None else path
    data = _read_toml(path)
    return parse_policy(data, source=path.name, base_dir=path.resolve().parent)


def parse_toml_policy(text: str, *, source: str, base_dir: Path | None = None) -> Policy:
    """Parse policy text (e.g. a server setting); syntax errors become ``PolicyError``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(source, exc) from None
    return parse_policy(data, source=source, base_dir=base_dir)


def parse_policy(
    data: Mapping[str, object], *, source: str, base_dir: Path | None = None
) -> Policy:
    """Build a ``Policy`` from already-parsed TOML data.

    Calendar files are resolved against ``base_dir`` (default: the shipped policy folder).
    """
    base = default_policy_path().parent if base_dir is None else base_dir
    root = _Table(dict(data), path="", source=source)
    version = root.integer("schema_version", minimum=1)
    if version != SUPPORTED_SCHEMA_VERSION:
        raise root.error("schema_version", f"only version {SUPPORTED_SCHEMA_VERSION} is known")

    locale = root.table("locale")
    zone_name = locale.string("time_zone")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise locale.error("time_zone", f"unknown time zone {zone_name!r}") from None
    locale.finish()

    hours_t = root.table("business_hours")
    hours = BusinessHours(
        opens=hours_t.clock_time("opens"),
        closes=hours_t.clock_time("closes"),
        working_days_only=hours_t.boolean("working_days_only"),
    )
    if hours.closes <= hours.opens:
        raise hours_t.error("closes", "must be later than opens")
    hours_t.finish()

    calendar = _parse_calendar(root.table("calendar"), base_dir=base, source=source)

    money_t = root.table("money")
    rounding = money_t.string("rounding")
    if rounding != "half_up":
        raise money_t.error("rounding", f"only 'half_up' is supported, got {rounding!r}")
    money_t.finish()

    sla = _parse_sla(root.table("sla"))
    priority = _parse_priority(root.table("priority"))
    returns = _parse_returns(root.table("returns"))
    compensation = _parse_compensation(root.table("compensation"))
    authority = _parse_authority(root.table("authority"))
    warranty = _parse_warranty(root.table("warranty"))

    qa_t = root.table("qa")
    qa = QaPolicy(
        sample_rate_percent=qa_t.percent("sample_rate_percent"),
        forbidden_phrases=qa_t.string_list("forbidden_phrases", allow_empty=True),
        scorecard_items=qa_t.string_list("scorecard_items"),
        item_max=qa_t.integer("item_max", minimum=1),
        item_pass_min=qa_t.integer("item_pass_min"),
        total_pass_min=qa_t.integer("total_pass_min"),
    )
    if qa.item_pass_min > qa.item_max:
        raise qa_t.error("item_pass_min", f"must not exceed item_max ({qa.item_max})")
    if qa.total_pass_min > qa.item_max * len(qa.scorecard_items):
        raise qa_t.error("total_pass_min", "is higher than the best possible total of the scorecard")
    qa_t.finish()

    surveys_t = root.table("surveys")
    surveys = SurveyPolicy(
        callback_ratings=frozenset(surveys_t.enum_list("callback_ratings", Rating)),
        satisfied_ratings=frozenset(surveys_t.enum_list("satisfied_ratings", Rating)),
        negative_ratings=frozenset(surveys_t.enum_list("negative_ratings", Rating)),
    )
    surveys_t.finish()

    reports_t = root.table("reports")
    reports = ReportTargets(
        resolution_rate_min_percent=reports_t.percent("resolution_rate_min_percent"),
        satisfaction_min_percent=reports_t.percent("satisfaction_min_percent"),
        negative_rate_max_percent=reports_t.percent("negative_rate_max_percent"),
        survey_response_min_percent=reports_t.percent("survey_response_min_percent"),
        complaint_surge_percent=reports_t.number("complaint_surge_percent"),
    )
    reports_t.finish()
    root.finish()

    return Policy(
        source=source,
        time_zone=zone,
        business_hours=hours,
        calendar=calendar,
        rounding=rounding,
        sla=sla,
        priority=priority,
        returns=returns,
        compensation=compensation,
        authority=authority,
        warranty=warranty,
        qa=qa,
        surveys=surveys,
        reports=reports,
    )
