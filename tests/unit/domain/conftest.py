"""The shipped policy, loaded once for the whole domain suite."""

from __future__ import annotations

import pytest

from workstation.domain.policy import Policy, load_policy


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()
