from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.unit.domain.support import local
from workstation.domain.enums import Category, Priority, RequestType
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy
from workstation.domain.priority import default_priority, inbox_sort_key, jumps_queue

NOW = local(2026, 3, 9, 10)


@pytest.mark.parametrize(
    ("request_type", "expected"),
    [
        (RequestType.COMPLAINT, Priority.URGENT),
        (RequestType.RETURN_REFUND, Priority.HIGH),
        (RequestType.EXCHANGE, Priority.HIGH),
        (RequestType.REPAIR, Priority.HIGH),
        (RequestType.INQUIRY, Priority.NORMAL),
        (RequestType.SUGGESTION, Priority.LOW),
    ],
)
def test_default_priority(policy: Policy, request_type: RequestType, expected: Priority) -> None:
    assert default_priority(policy, request_type) is expected


@pytest.mark.parametrize("request_type", list(RequestType))
def test_fresh_food_damage_is_urgent(policy: Policy, request_type: RequestType) -> None:
    assert (
        default_priority(policy, request_type, category=Category.FRESH_FOOD, fresh_food_damage=True)
        is Priority.URGENT
    )
    assert jumps_queue(policy, fresh_food_damage=True)
    assert not jumps_queue(policy, fresh_food_damage=False)


def test_fresh_food_damage_on_other_goods_is_refused(policy: Policy) -> None:
    with pytest.raises(DomainError) as caught:
        default_priority(
            policy, RequestType.RETURN_REFUND, category=Category.APPAREL, fresh_food_damage=True
        )
    assert caught.value.field == "category"


def test_inbox_orders_by_priority_then_time_left() -> None:
    items: list[tuple[str, Priority, datetime | None, bool]] = [
        ("low-breached", Priority.LOW, NOW - timedelta(hours=1), False),
        ("normal-soon", Priority.NORMAL, NOW + timedelta(minutes=5), False),
        ("urgent-later", Priority.URGENT, NOW + timedelta(hours=1), False),
        ("urgent-fresh", Priority.URGENT, NOW + timedelta(hours=2), True),
        ("urgent-breached", Priority.URGENT, NOW - timedelta(minutes=1), False),
        ("high-no-clock", Priority.HIGH, None, False),
        ("high-soon", Priority.HIGH, NOW + timedelta(minutes=1), False),
    ]
    ordered = sorted(items, key=lambda i: inbox_sort_key(i[1], i[2], NOW, jump=i[3]))
    assert [i[0] for i in ordered] == [
        "urgent-fresh",
        "urgent-breached",
        "urgent-later",
        "high-soon",
        "high-no-clock",
        "normal-soon",
        "low-breached",
    ]
