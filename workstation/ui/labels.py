"""Translated display names of the closed vocabularies (channel, request type, ...).

Wire values are stable English identifiers; what the user reads goes through
`QCoreApplication.translate` so a Chinese (or any) translator can replace it.
Unknown values are shown as they came, so a newer server never breaks the list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from workstation.ui import timefmt

_CONTEXT = "Labels"

CHANNELS = {
    "chat": QT_TRANSLATE_NOOP("Labels", "Online chat"),
    "app": QT_TRANSLATE_NOOP("Labels", "In-app"),
    "phone": QT_TRANSLATE_NOOP("Labels", "Phone"),
    "email": QT_TRANSLATE_NOOP("Labels", "E-mail"),
    "sms": QT_TRANSLATE_NOOP("Labels", "SMS"),
    "social": QT_TRANSLATE_NOOP("Labels", "Social / WeChat"),
    "live_stream": QT_TRANSLATE_NOOP("Labels", "Live stream"),
    "web_form": QT_TRANSLATE_NOOP("Labels", "Web form"),
}
REQUEST_TYPES = {
    "complaint": QT_TRANSLATE_NOOP("Labels", "Complaint"),
    "return_refund": QT_TRANSLATE_NOOP("Labels", "Return / refund"),
    "exchange": QT_TRANSLATE_NOOP("Labels", "Exchange"),
    "repair": QT_TRANSLATE_NOOP("Labels", "Repair / warranty"),
    "inquiry": QT_TRANSLATE_NOOP("Labels", "Inquiry"),
    "suggestion": QT_TRANSLATE_NOOP("Labels", "Suggestion"),
}
PRIORITIES = {
    "urgent": QT_TRANSLATE_NOOP("Labels", "Urgent"),
    "high": QT_TRANSLATE_NOOP("Labels", "High"),
    "normal": QT_TRANSLATE_NOOP("Labels", "Normal"),
    "low": QT_TRANSLATE_NOOP("Labels", "Low"),
}
STATUSES = {
    "new": QT_TRANSLATE_NOOP("Labels", "New"),
    "open": QT_TRANSLATE_NOOP("Labels", "Open"),
    "pending_customer": QT_TRANSLATE_NOOP("Labels", "Waiting for customer"),
    "pending_internal": QT_TRANSLATE_NOOP("Labels", "Waiting internally"),
    "resolved": QT_TRANSLATE_NOOP("Labels", "Resolved"),
    "closed": QT_TRANSLATE_NOOP("Labels", "Closed"),
}
ROLES = {
    "agent": QT_TRANSLATE_NOOP("Labels", "Agent"),
    "senior_agent": QT_TRANSLATE_NOOP("Labels", "Senior agent"),
    "team_lead": QT_TRANSLATE_NOOP("Labels", "Team lead"),
    "field_engineer": QT_TRANSLATE_NOOP("Labels", "Field engineer"),
    "admin": QT_TRANSLATE_NOOP("Labels", "Administrator"),
}


def _lookup(table: dict[str, str], value: str) -> str:
    source = table.get(value)
    if source is None:
        return value
    return QCoreApplication.translate(_CONTEXT, source)


def channel(value: str) -> str:
    return _lookup(CHANNELS, value)


def request_type(value: str) -> str:
    return _lookup(REQUEST_TYPES, value)


def priority(value: str) -> str:
    return _lookup(PRIORITIES, value)


def status(value: str) -> str:
    return _lookup(STATUSES, value)


def role(value: str) -> str:
    return _lookup(ROLES, value)

CASE_KINDS = {
    "return": QT_TRANSLATE_NOOP("Labels", "Return"),
    "exchange": QT_TRANSLATE_NOOP("Labels", "Exchange"),
    "repair": QT_TRANSLATE_NOOP("Labels", "Repair"),
}
CASE_STATES = {
    "submitted": QT_TRANSLATE_NOOP("Labels", "Submitted"),
    "approved": QT_TRANSLATE_NOOP("Labels", "Approved"),
    "rejected": QT_TRANSLATE_NOOP("Labels", "Rejected"),
    "shipped_back": QT_TRANSLATE_NOOP("Labels", "Shipped back"),
    "received": QT_TRANSLATE_NOOP("Labels", "Received"),
    "refunded": QT_TRANSLATE_NOOP("Labels", "Refunded"),
    "replacement_shipped": QT_TRANSLATE_NOOP("Labels", "Replacement shipped"),
    "diagnosing": QT_TRANSLATE_NOOP("Labels", "Diagnosing"),
    "onsite_scheduled": QT_TRANSLATE_NOOP("Labels", "On-site visit scheduled"),
    "repaired": QT_TRANSLATE_NOOP("Labels", "Repaired"),
    "closed": QT_TRANSLATE_NOOP("Labels", "Closed"),
    "cancelled": QT_TRANSLATE_NOOP("Labels", "Cancelled"),
}
DEPARTMENTS = {
    "service": QT_TRANSLATE_NOOP("Labels", "Service"),
    "warehouse": QT_TRANSLATE_NOOP("Labels", "Warehouse"),
    "finance": QT_TRANSLATE_NOOP("Labels", "Finance"),
    "logistics": QT_TRANSLATE_NOOP("Labels", "Logistics"),
    "engineering": QT_TRANSLATE_NOOP("Labels", "Engineering"),
}
TAGS = {
    "vip": QT_TRANSLATE_NOOP("Labels", "VIP"),
    "frequent_complainer": QT_TRANSLATE_NOOP("Labels", "Frequent complainer"),
}
OFFER_STATUSES = {
    "offered": QT_TRANSLATE_NOOP("Labels", "Offered"),
    "pending_approval": QT_TRANSLATE_NOOP("Labels", "Awaiting approval"),
    "approved": QT_TRANSLATE_NOOP("Labels", "Approved"),
    "accepted": QT_TRANSLATE_NOOP("Labels", "Accepted"),
    "declined": QT_TRANSLATE_NOOP("Labels", "Declined"),
    "paid": QT_TRANSLATE_NOOP("Labels", "Paid"),
}
RATINGS = {
    "very_satisfied": QT_TRANSLATE_NOOP("Labels", "Very satisfied"),
    "satisfied": QT_TRANSLATE_NOOP("Labels", "Satisfied"),
    "average": QT_TRANSLATE_NOOP("Labels", "Average"),
    "unsatisfied": QT_TRANSLATE_NOOP("Labels", "Unsatisfied"),
}
IDENTITY_KINDS = {
    "phone": QT_TRANSLATE_NOOP("Labels", "Phone"),
    "email": QT_TRANSLATE_NOOP("Labels", "E-mail"),
    "wechat": QT_TRANSLATE_NOOP("Labels", "WeChat"),
    "app_user": QT_TRANSLATE_NOOP("Labels", "App account"),
    "chat_visitor": QT_TRANSLATE_NOOP("Labels", "Chat visitor"),
    "live_user": QT_TRANSLATE_NOOP("Labels", "Live-stream user"),
    "social": QT_TRANSLATE_NOOP("Labels", "Social media"),
}


def case_kind(value: str) -> str:
    return _lookup(CASE_KINDS, value)


def case_state(value: str) -> str:
    return _lookup(CASE_STATES, value)


def department(value: str) -> str:
    return _lookup(DEPARTMENTS, value)


def rating(value: str) -> str:
    return _lookup(RATINGS, value)


def identity_kind(value: str) -> str:
    return _lookup(IDENTITY_KINDS, value)


def tag(value: str) -> str:
    return _lookup(TAGS, value)


def offer_status(value: str) -> str:
    return _lookup(OFFER_STATUSES, value)

# Repair price list codes of the policy (resources/policy/default.toml, [warranty.parts.*]
# and [warranty.labour.*]); a code a newer policy adds shows as itself until named here.
REPAIR_PARTS = {
    "screen": QT_TRANSLATE_NOOP("Labels", "Screen"),
    "battery": QT_TRANSLATE_NOOP("Labels", "Battery"),
    "charging_port": QT_TRANSLATE_NOOP("Labels", "Charging port"),
    "camera": QT_TRANSLATE_NOOP("Labels", "Camera"),
    "mainboard": QT_TRANSLATE_NOOP("Labels", "Mainboard"),
    "back_cover": QT_TRANSLATE_NOOP("Labels", "Back cover"),
    "motor": QT_TRANSLATE_NOOP("Labels", "Motor"),
    "control_board": QT_TRANSLATE_NOOP("Labels", "Control board"),
    "heating_element": QT_TRANSLATE_NOOP("Labels", "Heating element"),
    "door_seal": QT_TRANSLATE_NOOP("Labels", "Door seal"),
    "hinge": QT_TRANSLATE_NOOP("Labels", "Hinge"),
    "caster": QT_TRANSLATE_NOOP("Labels", "Caster"),
}
REPAIR_LABOUR = {
    "basic": QT_TRANSLATE_NOOP("Labels", "Basic labour"),
    "board_level": QT_TRANSLATE_NOOP("Labels", "Board-level repair"),
    "onsite": QT_TRANSLATE_NOOP("Labels", "On-site visit"),
}
COMPENSATION_KINDS = {
    "damaged_goods": QT_TRANSLATE_NOOP("Labels", "Damaged goods"),
    "fake_goods": QT_TRANSLATE_NOOP("Labels", "Fake goods"),
    "service_failure": QT_TRANSLATE_NOOP("Labels", "Service failure (coupon)"),
    "goodwill": QT_TRANSLATE_NOOP("Labels", "Goodwill"),
}
VERDICTS = {
    "return": QT_TRANSLATE_NOOP("Labels", "Return"),
    "exchange": QT_TRANSLATE_NOOP("Labels", "Exchange"),
    "repair_only": QT_TRANSLATE_NOOP("Labels", "Repair only"),
    "not_eligible": QT_TRANSLATE_NOOP("Labels", "Not eligible"),
}


def repair_part(value: str) -> str:
    return _lookup(REPAIR_PARTS, value)


def repair_labour(value: str) -> str:
    return _lookup(REPAIR_LABOUR, value)


def verdict(value: str) -> str:
    return _lookup(VERDICTS, value)


def compensation_kind(value: str) -> str:
    return _lookup(COMPENSATION_KINDS, value)


# -- what the domain explains ------------------------------------------------------------------
# The domain hands stable codes with params (returns.Eligibility.reason_code, compensation
# Line.label_code, RepairLine.label_code, DomainError.code, rule ids); these tables word them.
# tests/ui/test_domain_texts.py enumerates the domain's codes, so a new one without a label
# here (and a Chinese entry in i18n) fails. Params are formatted below: money with timefmt,
# policy periods in words, categories by name.

CATEGORIES = {
    "electronics": QT_TRANSLATE_NOOP("Labels", "Electronics"),
    "appliances": QT_TRANSLATE_NOOP("Labels", "Home appliances"),
    "home": QT_TRANSLATE_NOOP("Labels", "Home goods"),
    "apparel": QT_TRANSLATE_NOOP("Labels", "Apparel"),
    "beauty": QT_TRANSLATE_NOOP("Labels", "Beauty"),
    "fresh_food": QT_TRANSLATE_NOOP("Labels", "Fresh food"),
    "virtual": QT_TRANSLATE_NOOP("Labels", "Virtual goods"),
    "custom_made": QT_TRANSLATE_NOOP("Labels", "Custom-made goods"),
}
PERIOD_UNITS = {
    "s": QT_TRANSLATE_NOOP("Labels", "{n} seconds"),
    "m": QT_TRANSLATE_NOOP("Labels", "{n} minutes"),
    "h": QT_TRANSLATE_NOOP("Labels", "{n} hours"),
    "d": QT_TRANSLATE_NOOP("Labels", "{n} days"),
    "wd": QT_TRANSLATE_NOOP("Labels", "{n} working days"),
}
RULES = {
    # eligibility (domain/returns.py)
    "quality.return_window": QT_TRANSLATE_NOOP("Labels", "Quality problem, return window"),
    "quality.high_value_window": QT_TRANSLATE_NOOP("Labels", "Quality problem, high-value window"),
    "quality.exchange_window": QT_TRANSLATE_NOOP("Labels", "Quality problem, exchange window"),
    "quality.warranty_repair": QT_TRANSLATE_NOOP("Labels", "Quality problem, warranty repair"),
    "quality.window_passed": QT_TRANSLATE_NOOP("Labels", "Quality problem, periods ended"),
    "quality.customer_caused": QT_TRANSLATE_NOOP("Labels", "Damage caused by the customer"),
    "evidence.required": QT_TRANSLATE_NOOP("Labels", "Evidence required"),
    "no_reason.window": QT_TRANSLATE_NOOP("Labels", "No-reason return window"),
    "no_reason.window_passed": QT_TRANSLATE_NOOP("Labels", "No-reason period ended"),
    "no_reason.excluded_category": QT_TRANSLATE_NOOP("Labels", "Category excluded from no-reason returns"),
    "no_reason.page_marked": QT_TRANSLATE_NOOP("Labels", "Marked on the product page as not returnable"),
    "no_reason.not_resaleable": QT_TRANSLATE_NOOP("Labels", "Used or packaging opened"),
    "fresh.spoilage_window": QT_TRANSLATE_NOOP("Labels", "Fresh food, reported in time"),
    "fresh.window_passed": QT_TRANSLATE_NOOP("Labels", "Fresh food, reported too late"),
    "fresh.not_fresh_food": QT_TRANSLATE_NOOP("Labels", "Not fresh food"),
    "virtual.unusable": QT_TRANSLATE_NOOP("Labels", "Virtual goods unusable"),
    "virtual.customer_fault": QT_TRANSLATE_NOOP("Labels", "Virtual goods, customer's mistake"),
    "virtual.not_virtual": QT_TRANSLATE_NOOP("Labels", "Not virtual goods"),
    "not_delivered": QT_TRANSLATE_NOOP("Labels", "Not delivered yet"),
    # compensation (domain/compensation.py)
    "fake_goods.refund": QT_TRANSLATE_NOOP("Labels", "Fake goods: refund"),
    "fake_goods.multiplier": QT_TRANSLATE_NOOP("Labels", "Fake goods: multiple of the price"),
    "fake_goods.minimum": QT_TRANSLATE_NOOP("Labels", "Fake goods: statutory minimum"),
    "fake_goods.testing_fee": QT_TRANSLATE_NOOP("Labels", "Fake goods: testing fee"),
    "fake_goods.shipping": QT_TRANSLATE_NOOP("Labels", "Fake goods: shipping"),
    "damaged.reship": QT_TRANSLATE_NOOP("Labels", "Damaged goods: reshipment"),
    "damaged.percent": QT_TRANSLATE_NOOP("Labels", "Damaged goods: share of item value"),
    "service_failure.minor": QT_TRANSLATE_NOOP("Labels", "Service failure: minor"),
    "service_failure.moderate": QT_TRANSLATE_NOOP("Labels", "Service failure: moderate"),
    "service_failure.severe": QT_TRANSLATE_NOOP("Labels", "Service failure: severe"),
    "goodwill.small_dispute_coupon": QT_TRANSLATE_NOOP("Labels", "Goodwill: small-dispute coupon"),
    "goodwill.amount": QT_TRANSLATE_NOOP("Labels", "Goodwill: amount given"),
    # repair (domain/warranty.py)
    "warranty.free_repair": QT_TRANSLATE_NOOP("Labels", "Free repair under warranty"),
    "warranty.user_caused": QT_TRANSLATE_NOOP("Labels", "Paid repair: caused by the user"),
    "warranty.out_of_warranty": QT_TRANSLATE_NOOP("Labels", "Paid repair: out of warranty"),
}
TEXTS = {
    # eligibility explanations (returns.REASON_CODES)
    "return.not_delivered": QT_TRANSLATE_NOOP("Labels", "The item has not been signed for yet."),
    "return.fresh.not_fresh_food": QT_TRANSLATE_NOOP("Labels", "Spoilage claims apply to fresh food only."),
    "return.fresh.no_evidence": QT_TRANSLATE_NOOP("Labels", "Fresh-food problems need a photo or video taken at delivery."),
    "return.fresh.window_passed": QT_TRANSLATE_NOOP("Labels", "Fresh-food problems must be reported within {period} of delivery."),
    "return.fresh.spoilage_window": QT_TRANSLATE_NOOP(
        "Labels", "Spoiled or short-weight fresh food reported in time with evidence: return and refund."),
    "return.virtual.not_virtual": QT_TRANSLATE_NOOP("Labels", "Only virtual goods can be reported as unusable."),
    "return.virtual.no_reason": QT_TRANSLATE_NOOP(
        "Labels", "Virtual goods cannot be returned without a reason; only unusable ones are refunded."),
    "return.virtual.customer_fault": QT_TRANSLATE_NOOP(
        "Labels", "The virtual goods cannot be used because of the customer's own mistake."),
    "return.virtual.window_passed": QT_TRANSLATE_NOOP("Labels", "The period for reporting unusable goods has ended."),
    "return.virtual.unusable": QT_TRANSLATE_NOOP(
        "Labels", "The virtual goods cannot be used through no fault of the customer: refund."),
    "return.quality.customer_caused_repair": QT_TRANSLATE_NOOP(
        "Labels", "Damage caused by the customer: paid repair per the price list."),
    "return.quality.customer_caused": QT_TRANSLATE_NOOP("Labels", "Damage caused by the customer is not a quality problem."),
    "return.quality.no_evidence": QT_TRANSLATE_NOOP("Labels", "A quality claim needs evidence: a photo, a video or a test report."),
    "return.quality.return_window": QT_TRANSLATE_NOOP(
        "Labels", "Quality problem within {period} of delivery: return or exchange."),
    "return.quality.high_value_window": QT_TRANSLATE_NOOP(
        "Labels", "High-value item with a quality problem within the published {period}: return or exchange."),
    "return.quality.exchange_window": QT_TRANSLATE_NOOP("Labels", "Quality problem within {period} of delivery: exchange."),
    "return.quality.warranty_repair": QT_TRANSLATE_NOOP(
        "Labels", "Past the return and exchange windows but under warranty: repair."),
    "return.quality.window_passed": QT_TRANSLATE_NOOP(
        "Labels", "The return, exchange and warranty periods for this item have ended."),
    "return.no_reason.excluded_category": QT_TRANSLATE_NOOP(
        "Labels", "{category}: excluded from no-reason returns; a quality problem can still be claimed."),
    "return.no_reason.page_marked": QT_TRANSLATE_NOOP(
        "Labels", "The product page marked this item as not eligible for no-reason returns; "
                  "a quality problem can still be claimed."),
    "return.no_reason.not_resaleable": QT_TRANSLATE_NOOP(
        "Labels", "A no-reason return needs the item unused and its packaging intact."),
    "return.no_reason.window_passed": QT_TRANSLATE_NOOP("Labels", "The {period} no-reason period after delivery has ended."),
    "return.no_reason.window": QT_TRANSLATE_NOOP("Labels", "Unused, intact item within {period} of delivery: no-reason return."),
    # compensation lines (compensation.LINE_CODES) and the rounding note
    "compensation.line.refund_of_price": QT_TRANSLATE_NOOP("Labels", "Refund of the price"),
    "compensation.line.fake_multiplier": QT_TRANSLATE_NOOP("Labels", "Compensation, {multiplier}× the price"),
    "compensation.line.fake_minimum": QT_TRANSLATE_NOOP("Labels", "Compensation (statutory minimum)"),
    "compensation.line.testing_fee": QT_TRANSLATE_NOOP("Labels", "Testing fee"),
    "compensation.line.shipping": QT_TRANSLATE_NOOP("Labels", "Shipping"),
    "compensation.line.reship": QT_TRANSLATE_NOOP("Labels", "Free reshipment"),
    "compensation.line.damaged_percent": QT_TRANSLATE_NOOP("Labels", "{percent}% of the item value"),
    "compensation.line.coupon_percent": QT_TRANSLATE_NOOP("Labels", "Coupon, {percent}% of the order"),
    "compensation.line.goodwill": QT_TRANSLATE_NOOP("Labels", "Goodwill"),
    "compensation.rounding.half_up_lines": QT_TRANSLATE_NOOP(
        "Labels", "each line rounded half-up to 0.01 yuan; total is the sum of the lines"),
    # repair lines (warranty.LINE_CODES)
    # the part's or labour's own name ("Screen", "Basic labour") is the line's label
    "repair.line.part": QT_TRANSLATE_NOOP("Labels", "{code}"),
    "repair.line.labour": QT_TRANSLATE_NOOP("Labels", "{code}"),
    # refusals (DomainError.code, CalculatorError.code)
    "compensation.error.reship_not_offered": QT_TRANSLATE_NOOP("Labels", "This policy does not offer reshipment."),
    "compensation.error.needs_order_amount": QT_TRANSLATE_NOOP("Labels", "A service-failure coupon needs the order amount."),
    "compensation.error.needs_severity": QT_TRANSLATE_NOOP("Labels", "A service-failure coupon needs a severity."),
    "compensation.error.goodwill_above_max": QT_TRANSLATE_NOOP(
        "Labels", "Goodwill of {amount} is above the policy maximum of {max}."),
    "compensation.error.negative_line": QT_TRANSLATE_NOOP("Labels", "A line of the quote would be negative."),
    "repair.error.no_price_list": QT_TRANSLATE_NOOP("Labels", "There is no repair price list for {category}."),
    "repair.error.unknown_part": QT_TRANSLATE_NOOP("Labels", "The price list for {category} has no part {code}."),
    "repair.error.unknown_labour": QT_TRANSLATE_NOOP("Labels", "The price list for {category} has no labour {code}."),
    "repair.error.parts_not_a_list": QT_TRANSLATE_NOOP("Labels", "The parts must be a list of part codes."),
    "calculator.error.no_payment_time": QT_TRANSLATE_NOOP("Labels", "The cached order has no payment time."),
    "calculator.error.item_unassessable": QT_TRANSLATE_NOOP("Labels", "The order item cannot be assessed."),
    "calculator.error.unknown_reason": QT_TRANSLATE_NOOP("Labels", "Unknown reason: {reason}"),
}
_MONEY_PARAMS = frozenset({"amount", "max", "minimum"})


def category(value: str) -> str:
    return _lookup(CATEGORIES, value)


def period(value: object) -> str:
    """A policy period (``Period`` or its text, e.g. ``7d``) in words: "7 days", "7 天"."""
    amount, unit = getattr(value, "amount", None), getattr(value, "unit", None)
    if amount is None or unit is None:
        match = re.fullmatch(r"(\d+)(s|m|h|d|wd)", str(value).strip())
        if match is None:
            return str(value)
        amount, unit = match.group(1), match.group(2)
    source = PERIOD_UNITS.get(str(getattr(unit, "value", unit)))
    if source is None:
        return str(value)
    return QCoreApplication.translate(_CONTEXT, source).format(n=amount)


def rule(value: str) -> str:
    """A rule id in words; an id a newer server adds shows as itself."""
    return _lookup(RULES, value)


def _param(code: str, name: str, value: object) -> str:
    if name in _MONEY_PARAMS:
        return timefmt.money(value)
    if name == "period":
        return period(value)
    if name == "category":
        return category(str(value))
    if name == "code":  # a price-list code: a part, or labour when the text is about labour
        return repair_labour(str(value)) if code.endswith("labour") else repair_part(str(value))
    if isinstance(value, datetime):
        return timefmt.date_time(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 50, 2.5: a percent or multiplier, not money
    return str(value)


def text(code: str | None, params: Mapping[str, object] | None = None, fallback: str = "") -> str:
    """The words for a domain code with its params; ``fallback`` (the domain's English) for a
    code this build does not know."""
    source = TEXTS.get(code or "")
    if source is None:
        return fallback or (code or "")
    values = {name: _param(code or "", name, value) for name, value in (params or {}).items()}
    try:
        return QCoreApplication.translate(_CONTEXT, source).format(**values)
    except (KeyError, IndexError):  # params missing (an older record): the English still says it
        return fallback or QCoreApplication.translate(_CONTEXT, source)


def error(exc: BaseException) -> str:
    """A refusal in words: its own code, or the code of the domain error it was raised from
    (a use case's ServiceError wraps the DomainError); else its message."""
    seen: BaseException | None = exc
    while seen is not None:
        code = getattr(seen, "code", None)
        if isinstance(code, str) and code in TEXTS:
            return text(code, getattr(seen, "params", None))
        seen = seen.__cause__ or seen.__context__
    return str(getattr(exc, "message", "") or exc)


_LEADING_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")
_NUMBER_PARAM = {"compensation.line.fake_multiplier": "multiplier", "compensation.line.damaged_percent": "percent",
                 "compensation.line.coupon_percent": "percent"}  # fmt: skip
_LINE_CODE_OF_RULE = {
    "fake_goods.refund": "compensation.line.refund_of_price",
    "fake_goods.multiplier": "compensation.line.fake_multiplier",
    "fake_goods.minimum": "compensation.line.fake_minimum",
    "fake_goods.testing_fee": "compensation.line.testing_fee",
    "fake_goods.shipping": "compensation.line.shipping",
    "damaged.reship": "compensation.line.reship",
    "damaged.percent": "compensation.line.damaged_percent",
    "service_failure.minor": "compensation.line.coupon_percent",
    "service_failure.moderate": "compensation.line.coupon_percent",
    "service_failure.severe": "compensation.line.coupon_percent",
    "goodwill.small_dispute_coupon": "compensation.line.goodwill",
    "goodwill.amount": "compensation.line.goodwill",
}


def offer_line(line: Mapping[str, Any]) -> str:
    """A stored offer line (``{"label", "rule", "amount", …}``) in words. Records written
    before lines carried ``label_code``/``params`` have only the English label: the code
    comes from the line's rule and the one number such a label holds (50 in "50% of item
    value") is its parameter."""
    label = str(line.get("label") or "")
    code = line.get("label_code") or _LINE_CODE_OF_RULE.get(str(line.get("rule") or ""))
    params = line.get("params")
    if not isinstance(params, Mapping):
        params = {}
        name = _NUMBER_PARAM.get(str(code))
        found = _LEADING_NUMBER.search(label)
        if name is not None and found is not None:
            params = {name: Decimal(found.group(1))}
    return text(str(code) if code else None, params, fallback=label)
