"""`workstation demo` end to end: seed, serve, sign in, render the window to a PNG."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "workstation" / "server"
SERVER_READY = (SERVER / "cli.py").exists() and (
    (SERVER / "seed.py").exists() or (SERVER / "seed" / "__init__.py").exists()
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not SERVER_READY,
        reason="the server CLI and its seed command (workstation/server/cli.py, seed) have not landed yet",
    ),
]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_demo(data_dir: Path, shot: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKSTATION_DATA_DIR=str(data_dir / "home"))
    command = [
        sys.executable, "-m", "workstation", "demo",
        "--role", "agent", "--data-dir", str(data_dir),
        "--conversations", "200", "--screenshot", str(shot), *extra,
    ]  # fmt: skip
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )


def assert_good_png(path: Path) -> None:
    assert path.exists(), "no screenshot written"
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 800 and height >= 500
    assert len(data) > 30_000, "the screenshot looks empty"


def test_demo_seeds_serves_signs_in_and_renders(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    shot = tmp_path / "shot.png"
    result = run_demo(data_dir, shot)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_good_png(shot)
    state = json.loads((data_dir / "demo.json").read_text(encoding="utf-8"))
    assert state["seeded"] is True and state["conversations"] == 200
    assert (data_dir / "server.db").exists()

    # The second run reuses the seeded database and still signs in.
    shot2 = tmp_path / "shot2.png"
    result = run_demo(data_dir, shot2)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Seeding" not in result.stderr
    assert_good_png(shot2)


def test_demo_reports_a_server_that_cannot_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    data_dir.mkdir()
    # A "seeded" marker over a database file that is not SQLite: serve or login must fail clearly.
    (data_dir / "server.db").write_bytes(b"this is not a database" * 100)
    (data_dir / "demo.json").write_text(
        json.dumps({"seeded": True, "password": "x"}), encoding="utf-8"
    )
    result = run_demo(data_dir, tmp_path / "never.png")
    assert result.returncode == 1
    assert "workstation demo:" in result.stderr
    assert not (tmp_path / "never.png").exists()
