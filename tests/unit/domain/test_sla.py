from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from tests.unit.domain.support import local
from workstation.domain.enums import Channel, Priority, RequestType
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy
from workstation.domain.sla import SlaClock, SlaState, first_response_due, resolution_due

OPENED = local(2026, 3, 9, 10, 0)  # a Monday


@pytest.mark.parametrize(
    ("channel", "request_type", "priority", "expected"),
    [
        (Channel.CHAT, RequestType.INQUIRY, Priority.NORMAL, OPENED + timedelta(minutes=1)),
        (Channel.APP, RequestType.COMPLAINT, Priority.URGENT, OPENED + timedelta(minutes=1)),
        (Channel.SOCIAL, RequestType.SUGGESTION, Priority.LOW, OPENED + timedelta(minutes=1)),
        (
            Channel.LIVE_STREAM,
            RequestType.RETURN_REFUND,
            Priority.HIGH,
            OPENED + timedelta(minutes=1),
        ),
        (Channel.PHONE, RequestType.INQUIRY, Priority.NORMAL, OPENED + timedelta(seconds=30)),
        (Channel.EMAIL, RequestType.COMPLAINT, Priority.URGENT, OPENED + timedelta(hours=1)),
        (Channel.WEB_FORM, RequestType.RETURN_REFUND, Priority.URGENT, OPENED + timedelta(hours=1)),
        (Channel.EMAIL, RequestType.RETURN_REFUND, Priority.HIGH, OPENED + timedelta(hours=24)),
        (Channel.SMS, RequestType.INQUIRY, Priority.NORMAL, OPENED + timedelta(hours=24)),
        (
            Channel.EMAIL,
            RequestType.SUGGESTION,
            Priority.LOW,
            local(2026, 3, 12, 23, 59, 59, 999999),
        ),
    ],
)
def test_first_response_due(
    policy: Policy,
    channel: Channel,
    request_type: RequestType,
    priority: Priority,
    expected: datetime,
) -> None:
    due = first_response_due(
        policy, channel=channel, request_type=request_type, priority=priority, opened_at=OPENED
    )
    assert due == expected


@pytest.mark.parametrize(
    ("opened_at", "expected_last_day"),
    [
        (local(2026, 3, 6, 16), (2026, 3, 11)),  # Friday, over the weekend
        (local(2026, 9, 30, 16), (2026, 10, 10)),  # National Day, ends on the Saturday make-up
        (local(2026, 2, 13, 16), (2026, 2, 25)),  # make-up Saturday, then Spring Festival
    ],
)
def test_suggestion_acknowledged_within_three_working_days(
    policy: Policy, opened_at: datetime, expected_last_day: tuple[int, int, int]
) -> None:
    due = first_response_due(
        policy,
        channel=Channel.WEB_FORM,
        request_type=RequestType.SUGGESTION,
        priority=Priority.LOW,
        opened_at=opened_at,
    )
    assert due == local(*expected_last_day, 23, 59, 59, 999999)


@pytest.mark.parametrize(
    ("request_type", "priority", "hours"),
    [
        (RequestType.COMPLAINT, Priority.URGENT, 48),  # serious dispute: written solution
        (RequestType.COMPLAINT, Priority.HIGH, 24),  # general dispute
        (RequestType.RETURN_REFUND, Priority.HIGH, 24),
        (RequestType.EXCHANGE, Priority.HIGH, 24),
        (RequestType.REPAIR, Priority.HIGH, 48),
        (RequestType.INQUIRY, Priority.NORMAL, 48),
    ],
)
def test_resolution_due(
    policy: Policy, request_type: RequestType, priority: Priority, hours: int
) -> None:
    due = resolution_due(policy, request_type=request_type, priority=priority, opened_at=OPENED)
    assert due == OPENED + timedelta(hours=hours)


def test_suggestion_resolution_is_its_acknowledgement(policy: Policy) -> None:
    due = resolution_due(
        policy, request_type=RequestType.SUGGESTION, priority=Priority.LOW, opened_at=OPENED
    )
    assert due == local(2026, 3, 12, 23, 59, 59, 999999)


def _clock(policy: Policy) -> SlaClock:
    return SlaClock.for_policy(
        policy, kind="first_response", started_at=OPENED, due_at=OPENED + timedelta(minutes=10)
    )


@pytest.mark.parametrize(
    ("after", "state", "remaining"),
    [
        (timedelta(0), SlaState.GREEN, timedelta(minutes=10)),
        (timedelta(minutes=7, seconds=59), SlaState.GREEN, timedelta(minutes=2, seconds=1)),
        (timedelta(minutes=8), SlaState.AMBER, timedelta(minutes=2)),  # exactly 20% left
        (timedelta(minutes=10), SlaState.AMBER, timedelta(0)),  # the due instant is on time
        (timedelta(minutes=10, microseconds=1), SlaState.RED, timedelta(microseconds=-1)),
        (timedelta(hours=1), SlaState.RED, timedelta(minutes=-50)),
    ],
)
def test_sla_clock_states(
    policy: Policy, after: timedelta, state: SlaState, remaining: timedelta
) -> None:
    clock = _clock(policy)
    assert clock.state(OPENED + after) is state
    assert clock.remaining(OPENED + after) == remaining


def test_sla_clock_validation() -> None:
    with pytest.raises(DomainError) as caught:
        SlaClock(
            kind="x", started_at=OPENED, due_at=OPENED - timedelta(1), amber_percent=Decimal(20)
        )
    assert caught.value.field == "due_at"
    with pytest.raises(DomainError):
        SlaClock(
            kind="x",
            started_at=datetime(2026, 1, 1),
            due_at=OPENED,
            amber_percent=Decimal(20),
        )
