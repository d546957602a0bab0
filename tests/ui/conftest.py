"""Fixtures of the UI tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def runner(qtbot):  # type: ignore[no-untyped-def]
    from workstation.ui.tasks import TaskRunner

    r = TaskRunner()
    yield r
    r.cancel_all()
    r.wait(5000)
    r.deleteLater()
