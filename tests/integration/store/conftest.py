"""The same cache fixtures as the unit tests of the store: one migrated template, copied per test."""

from __future__ import annotations

from tests.unit.store.conftest import _migrated_template, cache_path, db

__all__ = ["_migrated_template", "cache_path", "db"]
