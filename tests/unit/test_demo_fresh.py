"""`workstation demo --fresh` reseeds the server database and wipes the demo client's cache."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from workstation import demo


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    calls: list[list[str]] = []

    def fake_run(command: list[str], **_: Any) -> Any:
        calls.append(command)
        (tmp_path / demo.DB_FILE).write_bytes(b"db")
        return SimpleNamespace(returncode=0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    cache = demo.client_dir(tmp_path) / "cache"
    cache.mkdir(parents=True)
    for name in ("127.0.0.1-agent.db", "127.0.0.1-agent.db-wal", "127.0.0.1-agent.db-shm"):
        (cache / name).write_bytes(b"x")
    (demo.client_dir(tmp_path) / "ui.ini").write_text("[desk]\n", encoding="utf-8")
    return tmp_path


def test_fresh_wipes_the_client_cache_but_keeps_ui_settings(seeded: Path) -> None:
    options = demo.DemoOptions(data_dir=seeded, fresh=True, conversations=10)
    demo.ensure_seeded(options, log=seeded / demo.LOG_FILE)
    assert list((demo.client_dir(seeded) / "cache").iterdir()) == []
    assert (demo.client_dir(seeded) / "ui.ini").exists()
    assert (seeded / demo.STATE_FILE).exists()


def test_a_reused_seed_keeps_the_client_cache(seeded: Path) -> None:
    demo.ensure_seeded(demo.DemoOptions(data_dir=seeded, conversations=10), log=seeded / demo.LOG_FILE)
    (demo.client_dir(seeded) / "cache" / "again.db").write_bytes(b"x")  # a cache of the new seed
    demo.ensure_seeded(demo.DemoOptions(data_dir=seeded, conversations=10), log=seeded / demo.LOG_FILE)
    assert (demo.client_dir(seeded) / "cache" / "again.db").exists()


def test_wipe_without_a_cache_is_a_no_op(tmp_path: Path) -> None:
    assert demo.wipe_client_cache(tmp_path) == 0
