"""`workstation sync --once` as a subprocess against a real ticket API on 127.0.0.1."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from tests.integration.server import factories as f
from tests.integration.server.conftest import PASSWORD
from tests.integration.sync.conftest import LiveServer, free_port
from workstation.domain.ids import new_id
from workstation.store import outbox
from workstation.store.db import CacheDatabase


def _sync(url: str, user: str, data_dir: Path, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSTATION_")}
    return subprocess.run(
        [sys.executable, "-m", "workstation", "sync", "--server", url, "--user", user,
         "--password-stdin", "--once", "--data-dir", str(data_dir)],
        input=password + "\n", capture_output=True, text=True, timeout=120, env=env,
    )


def test_once_prints_one_json_object_and_the_second_run_pulls_only_changes(
    server: LiveServer, tmp_path: Path
) -> None:
    server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    data = tmp_path / "data"
    first = _sync(server.url, "amy", data)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.strip().splitlines()
    assert len(lines) == 1
    body = json.loads(lines[0])
    assert set(body) == {"pulled", "pushed", "rejected", "pending", "cursor"}
    assert body["pulled"] == 7 and body["pushed"] == 0 and body["pending"] == 0
    assert isinstance(body["cursor"], str) and body["cursor"]

    again = json.loads(_sync(server.url, "amy", data).stdout)
    assert again["pulled"] == 0 and again["cursor"] == body["cursor"]

    # An offline write waiting in the cache is pushed by the next run; one new world arrives.
    db = CacheDatabase.open(data / "cache.sqlite3")
    with db.write() as s:
        outbox.enqueue(s, "add_note", {"message_id": new_id(), "conversation_id": w.conversation_id,
                                       "body": "from the CLI"})
    db.close()
    f.world(server)  # type: ignore[arg-type]
    third = json.loads(_sync(server.url, "amy", data).stdout)
    assert third["pushed"] == 1 and third["pending"] == 0 and third["rejected"] == 0
    assert third["pulled"] == 6 + 1  # the new world and the note


def test_wrong_password_is_one_line_and_exit_4(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    done = _sync(server.url, "amy", tmp_path / "data", password="not-the-password")
    assert done.returncode == 4
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("workstation sync: sign-in refused for 'amy'")


def test_unreachable_server_is_one_line_and_exit_3(tmp_path: Path) -> None:
    done = _sync(f"http://127.0.0.1:{free_port()}", "amy", tmp_path / "data")
    assert done.returncode == 3
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the server" in lines[0]


def test_a_cache_of_another_account_is_refused(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    server.make_user("bob")
    data = tmp_path / "data"
    assert _sync(server.url, "amy", data).returncode == 0
    done = _sync(server.url, "bob", data)
    assert done.returncode == 1
    assert "belongs to another account" in done.stderr


def test_a_damaged_cache_is_quarantined_its_outbox_saved_and_the_rest_resynced(
    server: LiveServer, tmp_path: Path
) -> None:
    server.make_user("amy")
    w = f.world(server)  # type: ignore[arg-type]
    data = tmp_path / "data"
    assert _sync(server.url, "amy", data).returncode == 0
    cache = data / "cache.sqlite3"
    db = CacheDatabase.open(cache)
    with db.write() as s:
        outbox.enqueue(s, "add_note", {"message_id": new_id(), "conversation_id": w.conversation_id,
                                       "body": "written before the disk went bad"})
    db.close()
    # Scribble over the root page of the messages table: the file fails its check, the
    # outbox (on other pages) can still be read.
    with closing(sqlite3.connect(cache)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'messages'").fetchone()[0]
    with cache.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xde\xad\xbe\xef" * (page_size // 4))

    done = _sync(server.url, "amy", data)
    assert done.returncode == 0, done.stderr
    assert "is damaged" in done.stderr and "kept 1 unsent changes" in done.stderr
    body = json.loads(done.stdout)
    assert body["pushed"] == 1 and body["pending"] == 0
    assert body["pulled"] == 7 + 1  # everything again, and the saved note
    assert list(data.glob("cache.sqlite3.corrupt-*"))
