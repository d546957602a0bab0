"""`workstation-server simulate` against the real intake endpoints (the ASGI app in process)."""

from __future__ import annotations

import argparse
import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import func, select

from workstation.server.app import create_app
from workstation.server.db import Database
from workstation.server.simulate import SimStats, run_simulate_command, simulate
from workstation.server.tables import Call, Message

from .conftest import make_settings

CHANNELS_ROUTES = Path(__file__).resolve().parents[3] / "workstation" / "server" / "routes" / "channels.py"
pytestmark = pytest.mark.skipif(
    not CHANNELS_ROUTES.exists(), reason="the channel intake endpoints (routes/channels.py) are not built yet"
)


@pytest.fixture
def server(database_url: str) -> Iterator[str]:
    """The real app under uvicorn on 127.0.0.1, in a thread of this process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(make_settings(database_url, run_workers=False))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_simulator_posts_signed_traffic_that_lands(server: str, database_url: str) -> None:
    lines: list[str] = []
    stats = asyncio.run(
        simulate(server=server, rate=10, duration=2.0, seed=3, secret="test-secret", report=lines.append, report_every=1.0)
    )
    assert 15 <= stats.sent <= 30, stats.line("run")
    assert not stats.errors, stats.line("run")
    assert lines and "achieved" in lines[-1]
    db = Database.connect(database_url)
    with db.read() as s:
        inbound = s.execute(select(func.count()).select_from(Message).where(Message.direction == "inbound")).scalar_one()
        calls = s.execute(select(func.count()).select_from(Call)).scalar_one()
    db.dispose()
    assert inbound + calls > 0


def test_wrong_secret_is_counted_as_errors(server: str) -> None:
    stats: SimStats = asyncio.run(
        simulate(server=server, rate=20, duration=0.5, seed=4, secret="not-the-secret", report=lambda _line: None)
    )
    assert stats.sent and stats.ok == 0 and set(stats.errors) == {"401"}


def test_missing_secret_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("WORKSTATION_WEBHOOK_SECRET", raising=False)
    args = argparse.Namespace(server="http://127.0.0.1:9", rate=1.0, duration=1.0, seed=1, secret=None)
    assert run_simulate_command(args) == 2
    assert "WORKSTATION_WEBHOOK_SECRET" in capsys.readouterr().err
