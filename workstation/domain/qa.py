"""Quality assurance: reproducible sampling and automatic flags for a person to review."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from workstation.domain.calendar import require_aware
from workstation.domain.enums import Channel, Priority, RequestType
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy
from workstation.domain.sla import first_response_due


def sample_size(count: int, rate: float | Decimal) -> int:
    """``ceil(rate * count)``, computed exactly so 0.2 x 10 is 2, not 3."""
    exact = Decimal(str(rate)) * count
    return math.ceil(exact)


def sample_for_qa(conversation_ids: Sequence[str], *, rate: float, seed: int) -> list[str]:
    """Pick ``ceil(rate * n)`` distinct conversations, the same ones for the same input and seed.

    The choice does not depend on the order of the input; the result keeps input order.
    """
    if isinstance(conversation_ids, str):
        raise DomainError("conversation_ids must be a sequence of ids", field="conversation_ids")
    if not 0 <= rate <= 1:
        raise DomainError(f"rate must be between 0 and 1, got {rate}", field="rate")
    unique = sorted(set(conversation_ids))
    chosen = set(random.Random(seed).sample(unique, sample_size(len(unique), rate)))
    picked: list[str] = []
    for cid in conversation_ids:
        if cid in chosen and cid not in picked:
            picked.append(cid)
    return picked


@dataclass(frozen=True, kw_only=True)
class QaFacts:
    """What the automatic checks need to know about one conversation."""

    conversation_id: str
    channel: Channel
    request_type: RequestType
    priority: Priority
    opened_at: datetime
    first_response_at: datetime | None
    agent_texts: Sequence[str]


@dataclass(frozen=True, kw_only=True)
class QaFlag:
    conversation_id: str
    check: str  # "forbidden_phrase" | "slow_first_response" | "no_first_response"
    detail: str


def find_forbidden_phrases(policy: Policy, text: str) -> list[str]:
    lowered = text.casefold()
    return [p for p in policy.qa.forbidden_phrases if p.casefold() in lowered]


def flag_candidates(
    policy: Policy, conversations: Sequence[QaFacts], *, now: datetime
) -> list[QaFlag]:
    """Automatic checks; they only propose conversations, a team lead decides."""
    require_aware(now, "now")
    flags: list[QaFlag] = []
    for conv in conversations:
        for text in conv.agent_texts:
            for phrase in find_forbidden_phrases(policy, text):
                flags.append(
                    QaFlag(
                        conversation_id=conv.conversation_id,
                        check="forbidden_phrase",
                        detail=f"uses {phrase!r}",
                    )
                )
        due = first_response_due(
            policy,
            channel=conv.channel,
            request_type=conv.request_type,
            priority=conv.priority,
            opened_at=conv.opened_at,
        )
        if conv.first_response_at is None:
            if now > due:
                flags.append(
                    QaFlag(
                        conversation_id=conv.conversation_id,
                        check="no_first_response",
                        detail="no answer yet and the first-response target has passed",
                    )
                )
        elif conv.first_response_at > due:
            late = conv.first_response_at - due
            flags.append(
                QaFlag(
                    conversation_id=conv.conversation_id,
                    check="slow_first_response",
                    detail=f"first answer {late} after the target",
                )
            )
    return flags


@dataclass(frozen=True, kw_only=True)
class QaScore:
    total: int
    passed: bool
    failed_items: tuple[str, ...]


def score_evaluation(policy: Policy, scores: dict[str, int]) -> QaScore:
    """Total a scorecard and decide pass/fail by the policy's thresholds.

    Every scorecard item must be scored, nothing else may be; each score is a whole number from
    0 to the policy's maximum.
    """
    rules = policy.qa
    unknown = sorted(set(scores) - set(rules.scorecard_items))
    if unknown:
        raise DomainError(f"not a scorecard item: {', '.join(unknown)}", field=f"scores.{unknown[0]}")
    for item in rules.scorecard_items:
        if item not in scores:
            raise DomainError(f"the scorecard item {item!r} has no score", field=f"scores.{item}")
        value = scores[item]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= rules.item_max:
            raise DomainError(
                f"{item} must be a whole number from 0 to {rules.item_max}, got {value!r}",
                field=f"scores.{item}",
            )
    failed = tuple(item for item in rules.scorecard_items if scores[item] < rules.item_pass_min)
    total = sum(scores[item] for item in rules.scorecard_items)
    return QaScore(total=total, passed=not failed and total >= rules.total_pass_min, failed_items=failed)
