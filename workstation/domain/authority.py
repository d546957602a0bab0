"""Who may grant how much compensation on their own.

What counts against a limit is the compensation on top of the refund
(``CompensationQuote.authority_amount``): giving back the price paid needs no authority, the
extra money, coupons and reimbursed fees do.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workstation.domain.enums import Role
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy


@dataclass(frozen=True, kw_only=True)
class AuthorityDecision:
    """``needs`` is the lowest role in the escalation chain able to approve, when not within.

    When even the top of the chain is below the amount, ``needs`` is that top role, who decides
    with legal.
    """

    within: bool
    limit: Decimal
    needs: Role | None


def effective_role(policy: Policy, *, role: Role, tenure_months: int) -> Role:
    """A senior agent below the tenure the policy asks for acts as an agent."""
    if isinstance(tenure_months, bool) or not isinstance(tenure_months, int) or tenure_months < 0:
        raise DomainError(
            "tenure_months must be a whole number of at least 0", field="tenure_months"
        )
    if role is Role.SENIOR_AGENT and tenure_months < policy.authority.senior_min_tenure_months:
        return Role.AGENT
    return role


def authority_limit(policy: Policy, *, role: Role, tenure_months: int) -> Decimal:
    return policy.authority.limits[effective_role(policy, role=role, tenure_months=tenure_months)]


def check_authority(
    policy: Policy, *, role: Role, tenure_months: int, amount: Decimal
) -> AuthorityDecision:
    """Whether ``amount`` is within the person's limit; exactly at the limit is within."""
    if amount < 0:
        raise DomainError("amount must not be negative", field="amount")
    limit = authority_limit(policy, role=role, tenure_months=tenure_months)
    if amount <= limit:
        return AuthorityDecision(within=True, limit=limit, needs=None)
    chain = policy.authority.escalation
    for candidate in chain:
        if policy.authority.limits[candidate] >= amount:
            return AuthorityDecision(within=False, limit=limit, needs=candidate)
    return AuthorityDecision(within=False, limit=limit, needs=chain[-1])
