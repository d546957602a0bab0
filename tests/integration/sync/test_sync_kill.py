"""A client SIGKILLed mid-push and mid-pull, restarted on the same files, loses nothing,
duplicates nothing and converges (issue 3, "Prove it")."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.integration.server import factories as f
from tests.integration.server.conftest import PASSWORD
from tests.integration.sync.conftest import LiveServer
from workstation.domain.ids import new_id
from workstation.server.tables import Message
from workstation.store import outbox
from workstation.store import state as store_state
from workstation.store import tables as store_tables
from workstation.store.db import CacheDatabase
from workstation.sync.protocol import decode_cursor

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _start(url: str, data: Path, page_size: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSTATION_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "workstation", "sync", "--server", url, "--user", "amy",
         "--password-stdin", "--once", "--data-dir", str(data), "--page-size", str(page_size)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    assert proc.stdin is not None
    proc.stdin.write(PASSWORD + "\n")
    proc.stdin.close()
    proc.stdin = None  # communicate() must not flush it again
    return proc


def _cursor(cache_path: Path) -> str | None:
    with closing(sqlite3.connect(f"file:{cache_path}?mode=ro", uri=True, timeout=5)) as conn:
        row = conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
    return None if row is None else str(row[0])


def test_sigkill_mid_round_then_restart_converges_without_loss_or_duplicates(
    server: LiveServer, tmp_path: Path
) -> None:
    rng = random.Random(20261123)
    server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    for _ in range(60):
        f.world(server)  # type: ignore[arg-type]
    data = tmp_path / "data"
    cache_path = data / "cache.sqlite3"

    db = CacheDatabase.open(cache_path)
    bodies = [f"offline note {i:03d}" for i in range(300)]
    with db.write() as s:
        for body in bodies:
            outbox.enqueue(s, "add_note", {"message_id": new_id(), "conversation_id": w.conversation_id,
                                           "body": body})
    db.close()

    kills = 0
    phases: list[str] = []

    def landed() -> int:
        with server.db.read() as s:
            return len(s.execute(select(Message.id).where(Message.direction == "note")).all())

    for attempt in range(4):
        seen = landed()
        proc = _start(server.url, data, page_size=7)
        if attempt == 0:
            time.sleep(rng.uniform(0.3, 0.8))  # during start-up or sign-in
        else:
            deadline = time.monotonic() + 30
            while proc.poll() is None and landed() == seen and time.monotonic() < deadline:
                time.sleep(0.01)  # wait until the push is under way…
            time.sleep(rng.uniform(0.0, 0.2))  # …then kill it in the middle
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        out, _ = proc.communicate(timeout=60)
        phases.append(f"killed after {landed()} notes" if proc.returncode == -signal.SIGKILL
                      else f"done: {out.strip()}")

    proc = _start(server.url, data, page_size=7)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    final = json.loads(out)
    assert final["pending"] == 0 and final["rejected"] == 0

    with server.db.read() as s:
        notes = [str(b) for b in s.execute(
            select(Message.body).where(Message.direction == "note").order_by(Message.change_seq)).scalars()]
        server_ids = set(s.execute(select(Message.id)).scalars())
    assert notes == bodies  # every note once, in order

    db = CacheDatabase.open(cache_path)
    try:
        assert outbox.entries(db) == []
        with db.read() as s:
            cached_ids = set(s.execute(select(store_tables.messages.c.id)).scalars())
    finally:
        db.close()
    assert cached_ids == server_ids
    assert kills >= 2, f"no run was killed mid-round: the test proved nothing ({phases})"

    # Mid-pull: many small pages of new rows; kill, restart, and the cache still converges.
    for _ in range(80):
        f.world(server)  # type: ignore[arg-type]
    cursors: list[str | None] = []
    for _ in range(3):
        before = _cursor(cache_path)
        proc = _start(server.url, data, page_size=3)
        deadline = time.monotonic() + 30
        while proc.poll() is None and _cursor(cache_path) == before and time.monotonic() < deadline:
            time.sleep(0.01)  # wait until pages are landing…
        time.sleep(rng.uniform(0.0, 0.2))  # …then kill somewhere in the middle
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        db = CacheDatabase.open(cache_path)
        try:
            with db.read() as s:
                cursors.append(store_state.get(s, store_state.CURSOR))
        finally:
            db.close()
    proc = _start(server.url, data, page_size=3)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    last = json.loads(out)
    assert last["pending"] == 0
    positions = [decode_cursor(c) for c in cursors] + [decode_cursor(last["cursor"])]
    assert positions == sorted(positions), positions  # never went backwards
    assert any(p < positions[-1] for p in positions[:-1]), f"no kill landed mid-pull: {positions}"
    with server.db.read() as s:
        server_ids = set(s.execute(select(Message.id)).scalars())
    db = CacheDatabase.open(cache_path)
    try:
        with db.read() as s:
            cached_ids = set(s.execute(select(store_tables.messages.c.id)).scalars())
            conversations = s.execute(select(func.count()).select_from(store_tables.conversations)).scalar()
    finally:
        db.close()
    assert cached_ids == server_ids
    assert conversations == 1 + 60 + 80
