"""Test-wide setup.

- Qt runs offscreen, set before anything can load Qt.
- Any Qt message at WARNING or above fails the test (pytest-qt's own capture, applied to
  every test through its `qt_log_level_fail` mark, since the ini lives in pyproject.toml).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

import pytest  # noqa: E402

# Harmless noise some platform plugins print; never a problem of ours.
QT_LOG_IGNORE = (r"^This plugin does not support propagateSizeHints\(\)",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("qt_log_level_fail") is None:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
        if item.get_closest_marker("qt_log_ignore") is None:
            item.add_marker(pytest.mark.qt_log_ignore(*QT_LOG_IGNORE))
