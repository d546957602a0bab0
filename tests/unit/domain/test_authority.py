from __future__ import annotations

from decimal import Decimal

import pytest

from workstation.domain.authority import authority_limit, check_authority, effective_role
from workstation.domain.enums import Role
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy

D = Decimal


@pytest.mark.parametrize(
    ("role", "tenure", "limit"),
    [
        (Role.AGENT, 0, D("50.00")),
        (Role.AGENT, 60, D("50.00")),
        (Role.SENIOR_AGENT, 6, D("300.00")),
        (Role.SENIOR_AGENT, 5, D("50.00")),  # below the tenure: acts as an agent
        (Role.TEAM_LEAD, 0, D("5000.00")),
        (Role.ADMIN, 0, D("5000.00")),
        (Role.FIELD_ENGINEER, 24, D("0.00")),
    ],
)
def test_authority_limit(policy: Policy, role: Role, tenure: int, limit: Decimal) -> None:
    assert authority_limit(policy, role=role, tenure_months=tenure) == limit


@pytest.mark.parametrize(
    ("role", "tenure", "amount", "within", "needs"),
    [
        (Role.AGENT, 12, D("50.00"), True, None),  # exactly at the limit is within
        (Role.AGENT, 12, D("50.01"), False, Role.SENIOR_AGENT),
        (Role.AGENT, 12, D("300.01"), False, Role.TEAM_LEAD),
        (Role.SENIOR_AGENT, 6, D("300.00"), True, None),
        (Role.SENIOR_AGENT, 6, D("300.01"), False, Role.TEAM_LEAD),
        (Role.SENIOR_AGENT, 5, D("50.00"), True, None),
        (Role.SENIOR_AGENT, 5, D("100.00"), False, Role.SENIOR_AGENT),  # a tenured colleague
        (Role.TEAM_LEAD, 1, D("5000.00"), True, None),
        (Role.TEAM_LEAD, 1, D("5000.01"), False, Role.TEAM_LEAD),  # top of the chain, with legal
        (Role.FIELD_ENGINEER, 1, D("0.00"), True, None),
        (Role.FIELD_ENGINEER, 1, D("0.01"), False, Role.AGENT),
    ],
)
def test_check_authority(
    policy: Policy, role: Role, tenure: int, amount: Decimal, within: bool, needs: Role | None
) -> None:
    decision = check_authority(policy, role=role, tenure_months=tenure, amount=amount)
    assert (decision.within, decision.needs) == (within, needs)
    assert decision.limit == authority_limit(policy, role=role, tenure_months=tenure)


def test_effective_role(policy: Policy) -> None:
    assert effective_role(policy, role=Role.SENIOR_AGENT, tenure_months=5) is Role.AGENT
    assert effective_role(policy, role=Role.SENIOR_AGENT, tenure_months=6) is Role.SENIOR_AGENT


@pytest.mark.parametrize(
    ("tenure", "amount", "field"), [(-1, D(1), "tenure_months"), (1, D(-1), "amount")]
)
def test_bad_inputs(policy: Policy, tenure: int, amount: Decimal, field: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_authority(policy, role=Role.AGENT, tenure_months=tenure, amount=amount)
    assert caught.value.field == field


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from workstation.domain.compensation import CompensationRequest, calculate_compensation  # noqa: E402
from workstation.domain.enums import CompensationKind  # noqa: E402
from workstation.domain.policy import load_policy  # noqa: E402

_POLICY = load_policy()
_PRICES = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from([CompensationKind.FAKE_GOODS, CompensationKind.DAMAGED_GOODS]),
    price=_PRICES,
    quantity=st.integers(min_value=1, max_value=20),
    role=st.sampled_from(list(Role)),
    tenure=st.integers(min_value=0, max_value=120),
)
def test_no_offer_above_the_offerers_cap_goes_out_without_approval(
    kind: CompensationKind, price: Decimal, quantity: int, role: Role, tenure: int
) -> None:
    quote = calculate_compensation(_POLICY, CompensationRequest(kind=kind, price=price, quantity=quantity))
    decision = check_authority(_POLICY, role=role, tenure_months=tenure, amount=quote.authority_amount)
    cap = authority_limit(_POLICY, role=role, tenure_months=tenure)
    # Going straight out (within) is only ever possible at or under the cap; above it, an
    # approver is always named (above every limit: the top of the chain, who decides with legal).
    assert decision.within == (quote.authority_amount <= cap)
    assert (decision.needs is None) == decision.within
