from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workstation.scripts.model import ScriptVersion, Status, Variant
from workstation.scripts.render import (
    VARIABLES,
    malformed_placeholders,
    missing_message,
    render,
    render_script,
    variables_in,
)


def test_fills_nested_and_dotted_context() -> None:
    out = render("{{customer.name}}您好，订单{{ order.id }}", {"customer": {"name": "王女士"}, "order.id": "JD1"})
    assert out.text == "王女士您好，订单JD1"
    assert out.ok and out.missing == ()


def test_missing_variables_are_named_and_left_in_place() -> None:
    out = render("{{customer.name}}: {{refund.amount}} / {{refund.amount}} by {{promise.time}}", {"customer.name": "Li"})
    assert out.missing == ("refund.amount", "promise.time")
    assert not out.ok
    assert "{{refund.amount}}" in out.text
    assert "refund.amount" in missing_message(out.missing) and "promise.time" in missing_message(out.missing, "zh")


@pytest.mark.parametrize("value", [None, "", "   ", [1], {"a": 1}, object(), True])
def test_unusable_values_count_as_missing(value: object) -> None:
    assert render("{{order.id}}", {"order.id": value}).missing == ("order.id",)


def test_money_dates_and_numbers() -> None:
    ctx = {"compensation.amount": Decimal("30"), "deadline.date": date(2026, 11, 9), "refund.days": 3}
    assert render("{{compensation.amount}} {{deadline.date}} {{refund.days}}", ctx).text == "30.00 2026-11-09 3"


@pytest.mark.parametrize(
    "evil",
    [
        "{{order.id}}",
        "{{ order.id }}",
        "{__class__}",
        "{0.__class__.__mro__}",
        "{{customer.__class__}}",
        "%(order)s",
        "{% for x in y %}",
        "${order.id}",
    ],
)
def test_user_data_is_never_reparsed_as_template(evil: str) -> None:
    out = render("您好{{customer.name}}，订单{{order.id}}", {"customer": {"name": evil}, "order": {"id": "JD9"}})
    assert out.text == f"您好{evil}，订单JD9"
    assert out.ok


def test_no_attribute_access_or_indexing_into_objects() -> None:
    class Customer:
        name = "secret"

    assert render("{{customer.name}}", {"customer": Customer()}).missing == ("customer.name",)
    assert render("{{customer.0}}", {"customer": ["x"]}).text == "{{customer.0}}"  # not a placeholder


def test_template_side_non_placeholders_stay_literal() -> None:
    text = "{__class__} {{__class__}} {{ x|upper }} {{Order.Id}}"
    out = render(text, {"x": "y"})
    assert out.text == text and out.missing == ()
    assert set(malformed_placeholders(text)) == {"{{__class__}}", "{{ x|upper }}", "{{Order.Id}}"}


def test_variables_listed_in_order_once() -> None:
    assert variables_in("{{b.x}} {{a.y}} {{b.x}}") == ("b.x", "a.y")


def test_render_script_uses_channel_variant_with_fallback_and_subject() -> None:
    s = ScriptVersion(
        key="k.zh", version=1, status=Status.APPROVED, category="refund", language="zh", title="t",
        variants={
            "chat": Variant(body="{{refund.amount}}元"),
            "email": Variant(subject="订单{{order.id}}", body="退款{{refund.amount}}元"),
        },
    )
    email = render_script(s, "email", {"refund.amount": "12.00"})
    assert email.subject == "订单{{order.id}}" and email.missing == ("order.id",)
    sms = render_script(s, "sms", {"refund.amount": "12.00"})  # no sms variant: falls back to chat
    assert sms.body == "12.00元" and sms.ok
    assert s.variables == ("refund.amount", "order.id")


def test_the_catalogue_names_the_issue_variables() -> None:
    assert {"customer.name", "order.id", "promise.time", "compensation.amount"} <= set(VARIABLES)
