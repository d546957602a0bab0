from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from workstation.store.db import CacheDatabase


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated cache file; each test starts from a copy (migrating takes a while)."""
    path = tmp_path_factory.mktemp("template") / "cache.sqlite3"
    CacheDatabase.open(path).close()
    return path


@pytest.fixture
def cache_path(tmp_path: Path, _migrated_template: Path) -> Path:
    path = tmp_path / "data" / "cache.sqlite3"
    path.parent.mkdir(parents=True)
    shutil.copyfile(_migrated_template, path)
    return path


@pytest.fixture
def db(cache_path: Path) -> Iterator[CacheDatabase]:
    database = CacheDatabase.open(cache_path)
    yield database
    database.close()
