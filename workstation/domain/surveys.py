"""Satisfaction surveys, callbacks after a bad rating, follow-ups and report targets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from workstation.domain.calendar import local_date, require_aware, start_of_local_day
from workstation.domain.enums import Rating
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy

RATING_SCALE: tuple[Rating, ...] = (
    Rating.VERY_SATISFIED,
    Rating.SATISFIED,
    Rating.AVERAGE,
    Rating.UNSATISFIED,
)


def callback_due(policy: Policy, rated_at: datetime, rating: Rating) -> datetime | None:
    """When a rating asks for a callback, the last moment to make it; otherwise ``None``."""
    require_aware(rated_at, "rated_at")
    if rating not in policy.surveys.callback_ratings:
        return None
    return policy.deadline(policy.sla.feedback.unsatisfied_callback, rated_at)


def follow_up_window(policy: Policy, completed_at: datetime) -> tuple[datetime, datetime]:
    """From the start of the first day to the end of the last day of the follow-up window."""
    require_aware(completed_at, "completed_at")
    feedback = policy.sla.feedback
    first_day = local_date(completed_at, policy.time_zone) + timedelta(
        days=feedback.follow_up_from.amount
    )
    start = start_of_local_day(first_day, policy.time_zone)
    end = policy.deadline(feedback.follow_up_to, completed_at)
    return start, end


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return Decimal(part) * 100 / Decimal(whole)


@dataclass(frozen=True, kw_only=True)
class KpiResult:
    name: str
    value: Decimal | None  # percent; None when there was nothing to measure
    target: Decimal
    higher_is_better: bool

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


def satisfaction_kpis(
    policy: Policy,
    *,
    ratings: Sequence[Rating],
    surveys_sent: int,
    cases_total: int,
    cases_resolved: int,
) -> tuple[KpiResult, ...]:
    """Resolution, satisfaction, negative-feedback and survey-response rates against targets."""
    if min(surveys_sent, cases_total, cases_resolved) < 0:
        raise DomainError("counts must not be negative", field="counts")
    if cases_resolved > cases_total:
        raise DomainError("more resolved cases than cases", field="cases_resolved")
    if len(ratings) > surveys_sent:
        raise DomainError("more ratings than surveys sent", field="surveys_sent")
    targets = policy.reports
    satisfied = sum(1 for r in ratings if r in policy.surveys.satisfied_ratings)
    negative = sum(1 for r in ratings if r in policy.surveys.negative_ratings)
    return (
        KpiResult(
            name="resolution_rate",
            value=_percent(cases_resolved, cases_total),
            target=targets.resolution_rate_min_percent,
            higher_is_better=True,
        ),
        KpiResult(
            name="satisfaction",
            value=_percent(satisfied, len(ratings)),
            target=targets.satisfaction_min_percent,
            higher_is_better=True,
        ),
        KpiResult(
            name="negative_rate",
            value=_percent(negative, len(ratings)),
            target=targets.negative_rate_max_percent,
            higher_is_better=False,
        ),
        KpiResult(
            name="survey_response_rate",
            value=_percent(len(ratings), surveys_sent),
            target=targets.survey_response_min_percent,
            higher_is_better=True,
        ),
    )


def complaint_surge(policy: Policy, *, current: int, usual: Decimal) -> bool:
    """True when complaints in a category exceed their usual level by the policy's share."""
    if current < 0 or usual < 0:
        raise DomainError("counts must not be negative", field="current")
    threshold = usual * (100 + policy.reports.complaint_surge_percent) / 100
    return Decimal(current) > threshold if usual > 0 else current > 0
