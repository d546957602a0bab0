"""Fixtures of the UI tests."""

from __future__ import annotations

import pytest

from tests.ui.fakes import FakeApi


@pytest.fixture
def fake_api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def runner(qtbot):  # type: ignore[no-untyped-def]
    from workstation.ui.tasks import TaskRunner

    r = TaskRunner()
    yield r
    r.cancel_all()
    r.wait(5000)
    r.deleteLater()
