"""Mutation handlers: what a pushed intent does on the server.

Each handler is registered under its wire name with a pydantic model of its arguments; it runs
inside the push transaction (see sync_push.py), checks the caller's role and scope, applies the
domain's rules and raises `MutationRejected` to refuse. Modules are small, one per area.
"""

from __future__ import annotations

import importlib

from workstation.server.mutations.base import (
    REGISTRY,
    Handler,
    MutationRejected,
    MutationSpec,
    mutation,
)

_MODULES = ("conversations", "cases", "compensation", "field", "quality")


def registry() -> dict[str, MutationSpec]:
    """Every mutation by name (handler modules are imported on first use)."""
    for name in _MODULES:
        importlib.import_module(f"workstation.server.mutations.{name}")
    return REGISTRY


__all__ = ["Handler", "MutationRejected", "MutationSpec", "mutation", "registry"]
