"""Helpers for the domain tests: local times and in-memory variants of the shipped policy."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from workstation.domain.policy import Policy, default_policy_path, parse_policy

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    """A Shanghai wall-clock time as aware UTC, the way the domain stores time."""
    return datetime(year, month, day, hour, minute, second, us, tzinfo=SHANGHAI).astimezone(UTC)


@cache
def _default_data() -> dict[str, Any]:
    with default_policy_path().open("rb") as handle:
        return tomllib.load(handle)


def policy_data() -> dict[str, Any]:
    """A private, editable copy of the shipped policy's TOML data."""
    return copy.deepcopy(_default_data())


def build_policy(edit: Callable[[dict[str, Any]], None] | None = None) -> Policy:
    data = policy_data()
    if edit is not None:
        edit(data)
    return parse_policy(data, source="test.toml")
