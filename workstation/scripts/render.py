"""Filling `{{customer.name}}`-style variables: a tiny renderer that cannot run anything.

- A placeholder is `{{ name.part }}`: lowercase letters, digits and `_`, dotted; nothing else is
  a placeholder (`{__class__}`, `{{ x|filter }}`, `{% ... %}` stay literal text).
- Values are looked up in a plain Mapping, either by the dotted key (`{"order.id": ...}`) or by
  walking nested Mappings (`{"order": {"id": ...}}`) — never by attribute access or indexing into
  objects.
- The template is scanned once; inserted values are plain text and are never scanned again, so
  a customer called "{{order.id}}" is greeted as "{{order.id}}".
- A variable with no value (absent, None or empty text, or not a scalar) stays in place and is
  named in `missing`; sending is blocked until it is filled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

_NAME = r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*"
PLACEHOLDER_RE = re.compile(r"\{\{\s*(" + _NAME + r")\s*\}\}")
_ANY_BRACES_RE = re.compile(r"\{\{.*?\}\}|\{\{|\}\}")

# The variables scripts may use, with what fills them (the composer fills them from the
# conversation, customer, order, case and calculator results).
VARIABLES: dict[str, str] = {
    "customer.name": "the customer's name as addressed (e.g. 王女士 / Ms Wang)",
    "agent.name": "the replying agent's display name",
    "order.id": "the order number shown to the customer",
    "order.item": "the product title of the order item concerned",
    "order.amount": "the order amount in yuan",
    "tracking.number": "the parcel's tracking number",
    "tracking.carrier": "the carrier's name",
    "case.id": "the case (ticket) number",
    "promise.time": "the time we promise to come back by (e.g. 今天 16:00 前 / by 4 pm today)",
    "deadline.date": "a deadline the customer must meet (e.g. ship back by)",
    "refund.amount": "the refund amount in yuan",
    "refund.days": "working days until the refund arrives",
    "compensation.amount": "the compensation amount in yuan (from the calculator)",
    "compensation.kind": "what the compensation is (coupon, cash, points)",
    "return.address": "where the return goes",
    "visit.time": "the engineer's visit time window",
    "warranty.end": "the warranty end date",
    "repair.amount": "the repair quote in yuan",
}


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.missing


def variables_in(text: str) -> tuple[str, ...]:
    """The variables a text uses, in order of first use, each once."""
    seen: dict[str, None] = {}
    for m in PLACEHOLDER_RE.finditer(text):
        seen.setdefault(m.group(1), None)
    return tuple(seen)


def malformed_placeholders(text: str) -> tuple[str, ...]:
    """`{{ … }}` fragments that are not valid placeholders (a typo in a script, e.g. `{{Order.Id}}`)."""
    bad = []
    for m in _ANY_BRACES_RE.finditer(text):
        if not PLACEHOLDER_RE.fullmatch(m.group(0)):
            bad.append(m.group(0))
    return tuple(bad)


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return None  # objects, lists and mappings are never stringified into a reply


def lookup(context: Mapping[str, Any], name: str) -> str | None:
    """The text for `name`, or None when it has no usable value."""
    if name in context:
        return _scalar(context[name])
    node: Any = context
    for part in name.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return _scalar(node)


def render(text: str, context: Mapping[str, Any]) -> Rendered:
    missing: dict[str, None] = {}

    def fill(m: re.Match[str]) -> str:
        value = lookup(context, m.group(1))
        if value is None:
            missing.setdefault(m.group(1), None)
            return m.group(0)
        return value

    return Rendered(PLACEHOLDER_RE.sub(fill, text), tuple(missing))


@dataclass(frozen=True)
class RenderedMessage:
    channel: str
    body: str
    subject: str | None
    missing: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.missing


def render_script(script: Any, channel: str | None, context: Mapping[str, Any]) -> RenderedMessage:
    """Render a ScriptVersion's variant for `channel` (falling back to its default variant)."""
    variant = script.variant(channel)
    if variant is None:
        raise ValueError(f"script {script.key!r} has no variant for {channel!r}")
    body = render(variant.body, context)
    subject = render(variant.subject, context) if variant.subject is not None else None
    missing = dict.fromkeys(body.missing + (subject.missing if subject else ()))
    return RenderedMessage(
        channel=channel or "default",
        body=body.text,
        subject=subject.text if subject else None,
        missing=tuple(missing),
    )


def missing_message(missing: tuple[str, ...], language: str = "en") -> str:
    """What the composer shows when sending is blocked."""
    names = ", ".join(missing)
    if language == "zh":
        return f"以下变量尚未填写，暂不能发送：{names}"
    return f"Fill in before sending: {names}"
