"""Service-level clocks: when a response or solution is due, and how close it is.

Mapping of request types to targets (policy ``[sla.response]``):

first response
    instant channels (chat, app, social, live stream) → ``instant_first_response`` (an
    acknowledgement counts); phone → ``phone_answer``; then by request: urgent priority →
    ``urgent_complaint`` (a senior agent engages); suggestion → ``suggestion_ack`` (working
    days); everything else → ``ticket_first_response``.
resolution
    urgent complaint (fake goods, fraud, large sums) → ``serious_dispute`` (written solution);
    other complaints and return/exchange requests → ``general_dispute`` (a specialist settles);
    repair → ``repair_solution``; suggestion → ``suggestion_ack`` (the acknowledgement is the
    answer); inquiry → ``ticket_solution``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from workstation.domain.calendar import Period, require_aware
from workstation.domain.enums import Channel, Priority, RequestType
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy


class SlaState(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True, kw_only=True)
class SlaClock:
    """A running target. ``due_at`` is the last on-time instant; after it the clock is red.

    ``amber_percent`` is the share of the target left at which the clock turns amber; build
    clocks with ``SlaClock.for_policy`` to take it from the policy.
    """

    kind: str
    started_at: datetime
    due_at: datetime
    amber_percent: Decimal

    def __post_init__(self) -> None:
        require_aware(self.started_at, "started_at")
        require_aware(self.due_at, "due_at")
        if self.due_at < self.started_at:
            raise DomainError("due_at is before started_at", field="due_at")
        if not Decimal(0) <= self.amber_percent <= Decimal(100):
            raise DomainError("amber_percent must be within 0..100", field="amber_percent")

    @classmethod
    def for_policy(
        cls, policy: Policy, *, kind: str, started_at: datetime, due_at: datetime
    ) -> SlaClock:
        return cls(
            kind=kind,
            started_at=started_at,
            due_at=due_at,
            amber_percent=policy.sla.amber_remaining_percent,
        )

    @property
    def target(self) -> timedelta:
        return self.due_at - self.started_at

    def remaining(self, now: datetime) -> timedelta:
        """Time left; negative once breached."""
        require_aware(now, "now")
        return self.due_at - now

    def state(self, now: datetime) -> SlaState:
        left = self.remaining(now)
        if left < timedelta(0):
            return SlaState.RED
        # Compare in microseconds with exact decimals so the boundary is not a float guess.
        total_us = Decimal(self.target // timedelta(microseconds=1))
        left_us = Decimal(left // timedelta(microseconds=1))
        if left_us * 100 <= total_us * self.amber_percent:
            return SlaState.AMBER
        return SlaState.GREEN


def first_response_target(
    policy: Policy, *, channel: Channel, request_type: RequestType, priority: Priority
) -> Period:
    targets = policy.sla.response
    if channel.is_instant:
        return targets.instant_first_response
    if channel is Channel.PHONE:
        return targets.phone_answer
    if priority is Priority.URGENT:
        return targets.urgent_complaint
    if request_type is RequestType.SUGGESTION:
        return targets.suggestion_ack
    return targets.ticket_first_response


def first_response_due(
    policy: Policy,
    *,
    channel: Channel,
    request_type: RequestType,
    priority: Priority,
    opened_at: datetime,
) -> datetime:
    """When the first answer to a new conversation is due (see the module notes)."""
    period = first_response_target(
        policy, channel=channel, request_type=request_type, priority=priority
    )
    return policy.deadline(period, opened_at)


def resolution_target(policy: Policy, *, request_type: RequestType, priority: Priority) -> Period:
    targets = policy.sla.response
    if request_type is RequestType.COMPLAINT:
        return targets.serious_dispute if priority is Priority.URGENT else targets.general_dispute
    if request_type in (RequestType.RETURN_REFUND, RequestType.EXCHANGE):
        return targets.general_dispute
    if request_type is RequestType.REPAIR:
        return targets.repair_solution
    if request_type is RequestType.SUGGESTION:
        return targets.suggestion_ack
    return targets.ticket_solution


def resolution_due(
    policy: Policy, *, request_type: RequestType, priority: Priority, opened_at: datetime
) -> datetime:
    """When a solution must have been communicated (see the module notes)."""
    return policy.deadline(
        resolution_target(policy, request_type=request_type, priority=priority), opened_at
    )
