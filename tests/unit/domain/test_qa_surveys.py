from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.domain.support import local
from workstation.domain.enums import Channel, Priority, Rating, RequestType
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy
from workstation.domain.qa import QaFacts, flag_candidates, sample_for_qa, sample_size
from workstation.domain.surveys import (
    callback_due,
    complaint_surge,
    follow_up_window,
    satisfaction_kpis,
)


@pytest.mark.parametrize(
    ("count", "rate", "expected"),
    [
        (10, 0.2, 2),
        (11, 0.2, 3),
        (1, 0.2, 1),
        (0, 0.2, 0),
        (5, 1.0, 5),
        (5, 0.0, 0),
        (100, 0.3, 30),
    ],
)
def test_sample_size_is_exact_ceiling(count: int, rate: float, expected: int) -> None:
    assert sample_size(count, rate) == expected


def test_sampling_is_deterministic_and_order_independent() -> None:
    ids = [f"c{i:03}" for i in range(50)]
    first = sample_for_qa(ids, rate=0.2, seed=7)
    assert len(first) == 10
    assert first == sample_for_qa(ids, rate=0.2, seed=7)
    assert set(first) == set(sample_for_qa(list(reversed(ids)), rate=0.2, seed=7))
    assert first == [i for i in ids if i in set(first)]  # keeps the input order


@given(st.lists(st.text(min_size=1, max_size=5), max_size=60), st.integers(0, 2**32))
def test_sample_at_least_the_rate(ids: list[str], seed: int) -> None:
    picked = sample_for_qa(ids, rate=0.2, seed=seed)
    unique = set(ids)
    assert len(picked) >= 0.2 * len(unique) - 1e-9
    assert len(set(picked)) == len(picked) and set(picked) <= unique


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_sampling_rate_must_be_a_fraction(rate: float) -> None:
    with pytest.raises(DomainError):
        sample_for_qa(["a"], rate=rate, seed=1)


OPENED = local(2026, 3, 9, 10)


def _facts(cid: str, texts: list[str], first: datetime | None) -> QaFacts:
    return QaFacts(
        conversation_id=cid,
        channel=Channel.CHAT,
        request_type=RequestType.INQUIRY,
        priority=Priority.NORMAL,
        opened_at=OPENED,
        first_response_at=first,
        agent_texts=texts,
    )


def test_flag_candidates(policy: Policy) -> None:
    flags = flag_candidates(
        policy,
        [
            _facts("ok", ["您好，请稍等，我马上为您查询。"], OPENED + timedelta(seconds=60)),
            _facts("rude", ["I DON'T KNOW, you must wait"], OPENED + timedelta(seconds=5)),
            _facts("zh", ["这个我不清楚"], OPENED + timedelta(seconds=5)),
            _facts("slow", ["Thanks for waiting"], OPENED + timedelta(seconds=61)),
            _facts("silent", [], None),
        ],
        now=OPENED + timedelta(minutes=5),
    )
    found = sorted((f.conversation_id, f.check) for f in flags)
    assert found == [
        ("rude", "forbidden_phrase"),
        ("rude", "forbidden_phrase"),
        ("silent", "no_first_response"),
        ("slow", "slow_first_response"),
        ("zh", "forbidden_phrase"),
    ]


@pytest.mark.parametrize(
    ("rating", "due"),
    [
        (Rating.UNSATISFIED, OPENED + timedelta(hours=24)),
        (Rating.AVERAGE, None),
        (Rating.SATISFIED, None),
        (Rating.VERY_SATISFIED, None),
    ],
)
def test_callback_after_unsatisfied(policy: Policy, rating: Rating, due: datetime | None) -> None:
    assert callback_due(policy, OPENED, rating) == due


def test_follow_up_window(policy: Policy) -> None:
    start, end = follow_up_window(policy, local(2026, 3, 9, 18, 30))
    assert start == local(2026, 3, 12)
    assert end == local(2026, 3, 14, 23, 59, 59, 999999)


def test_kpis_against_targets(policy: Policy) -> None:
    ratings = [Rating.VERY_SATISFIED] * 90 + [Rating.AVERAGE] * 7 + [Rating.UNSATISFIED] * 3
    kpis = {
        k.name: k
        for k in satisfaction_kpis(
            policy, ratings=ratings, surveys_sent=160, cases_total=200, cases_resolved=190
        )
    }
    assert kpis["resolution_rate"].value == Decimal(95) and kpis["resolution_rate"].met
    assert kpis["satisfaction"].value == Decimal(90) and kpis["satisfaction"].met is False
    assert kpis["negative_rate"].value == Decimal(3) and kpis["negative_rate"].met
    assert (
        kpis["survey_response_rate"].value == Decimal("62.5") and kpis["survey_response_rate"].met
    )


def test_kpis_with_nothing_to_measure(policy: Policy) -> None:
    kpis = satisfaction_kpis(policy, ratings=[], surveys_sent=0, cases_total=0, cases_resolved=0)
    assert all(k.value is None and k.met is None for k in kpis)


@pytest.mark.parametrize(
    ("current", "usual", "surge"),
    [
        (15, Decimal(10), False),
        (16, Decimal(10), True),
        (1, Decimal(0), True),
        (0, Decimal(0), False),
    ],
)
def test_complaint_surge(policy: Policy, current: int, usual: Decimal, surge: bool) -> None:
    assert complaint_surge(policy, current=current, usual=usual) is surge


@pytest.mark.parametrize(
    ("scores", "total", "passed", "failed"),
    [
        ({"timeliness": 5, "compliance": 5, "courtesy": 5, "resolution": 5}, 20, True, ()),
        ({"timeliness": 4, "compliance": 4, "courtesy": 3, "resolution": 3}, 14, True, ()),
        ({"timeliness": 4, "compliance": 3, "courtesy": 3, "resolution": 3}, 13, False, ()),
        ({"timeliness": 5, "compliance": 2, "courtesy": 5, "resolution": 5}, 17, False, ("compliance",)),
        ({"timeliness": 0, "compliance": 0, "courtesy": 0, "resolution": 0}, 0, False,
         ("timeliness", "compliance", "courtesy", "resolution")),
    ],
)
def test_scorecard_thresholds(
    policy: Policy, scores: dict[str, int], total: int, passed: bool, failed: tuple[str, ...]
) -> None:
    from workstation.domain.qa import score_evaluation

    result = score_evaluation(policy, scores)
    assert (result.total, result.passed, result.failed_items) == (total, passed, failed)


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({"timeliness": 5, "compliance": 5, "courtesy": 5}, "scores.resolution"),
        ({"timeliness": 6, "compliance": 5, "courtesy": 5, "resolution": 5}, "scores.timeliness"),
        ({"timeliness": 5, "compliance": 5, "courtesy": 5, "resolution": 5, "speed": 1}, "scores.speed"),
        ({"timeliness": True, "compliance": 5, "courtesy": 5, "resolution": 5}, "scores.timeliness"),
    ],
)
def test_scorecard_refuses_bad_scores(policy: Policy, scores: dict[str, int], field: str) -> None:
    from workstation.domain.qa import score_evaluation

    with pytest.raises(DomainError) as info:
        score_evaluation(policy, scores)
    assert info.value.field == field
