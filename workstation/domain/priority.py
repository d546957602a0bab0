"""Default priority of a request and the order of the unified inbox."""

from __future__ import annotations

import math
from datetime import datetime

from workstation.domain.calendar import require_aware
from workstation.domain.enums import Category, Priority, RequestType
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy


def default_priority(
    policy: Policy,
    request_type: RequestType,
    *,
    category: Category | None = None,
    fresh_food_damage: bool = False,
) -> Priority:
    """The priority a new request starts with; fresh-food damage takes its own policy level."""
    if fresh_food_damage:
        if category is not None and category is not Category.FRESH_FOOD:
            raise DomainError(
                f"fresh-food damage reported on a {category.value} item", field="category"
            )
        fresh = policy.priority.fresh_food_damage
        usual = policy.priority.defaults[request_type]
        # Never lower than the request's usual priority.
        return fresh if fresh.rank <= usual.rank else usual
    return policy.priority.defaults[request_type]


def jumps_queue(policy: Policy, *, fresh_food_damage: bool) -> bool:
    """Whether the request goes ahead of others at the same priority."""
    return fresh_food_damage and policy.priority.fresh_food_jumps_queue


def inbox_sort_key(
    priority: Priority,
    due_at: datetime | None,
    now: datetime,
    *,
    jump: bool = False,
) -> tuple[int, int, float]:
    """Sort key for the inbox: more urgent first, then less SLA time left (breached first).

    Requests that jump the queue come first within their priority; no due time sorts last.
    """
    require_aware(now, "now")
    left = math.inf if due_at is None else (due_at - now).total_seconds()
    return (priority.rank, 0 if jump else 1, left)
