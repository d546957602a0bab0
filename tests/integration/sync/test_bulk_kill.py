"""A client SIGKILLed in the middle of its initial sync (a bulk load: indexes deferred) and
restarted on the same files: the restart resumes from the saved cursor and ends with every
index, trigger and full-text index exactly as a fresh cache has them."""

from __future__ import annotations

import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.integration.server import factories as f
from tests.integration.sync.conftest import LiveServer
from tests.integration.sync.test_sync_kill import _cursor, _start
from workstation.server.tables import Message
from workstation.store import tables as store_tables
from workstation.store.apply import bulk_load_pending, indexes_deferred
from workstation.store.db import CacheDatabase
from workstation.sync.protocol import decode_cursor

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _schema(path: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name")
        return [(str(t), str(n), str(q)) for t, n, q in rows]


def test_sigkill_mid_initial_sync_then_restart_builds_every_index(server: LiveServer, tmp_path: Path) -> None:
    server.make_user("amy")
    for _ in range(120):
        f.world(server)  # type: ignore[arg-type]
    fresh = tmp_path / "fresh.sqlite3"
    CacheDatabase.open(fresh).close()
    data = tmp_path / "data"
    cache_path = data / "cache.sqlite3"

    proc = _start(server.url, data, page_size=2)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if cache_path.exists():
            try:
                if _cursor(cache_path):
                    break  # pages are landing: the bulk load is under way
            except sqlite3.Error:
                pass  # the file is still being created
        time.sleep(0.005)
    assert proc.poll() is None, "the initial sync ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    killed_at = _cursor(cache_path)
    assert killed_at

    db = CacheDatabase.open(cache_path)  # the next start: the file is sound, the load cut short
    try:
        with db.read() as s:
            assert bulk_load_pending(s) and indexes_deferred(s)
    finally:
        db.close()
    assert _schema(cache_path) != _schema(fresh)

    proc = _start(server.url, data, page_size=50)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert decode_cursor(_cursor(cache_path)) > decode_cursor(killed_at)
    assert _schema(cache_path) == _schema(fresh)  # every index, trigger and FTS table back
    db = CacheDatabase.open(cache_path)
    try:
        with db.read() as s:
            assert not bulk_load_pending(s)
            cached = set(s.execute(select(store_tables.messages.c.id)).scalars())
    finally:
        db.close()
    with server.db.read() as s:
        assert cached == set(s.execute(select(Message.id)).scalars())
    with closing(sqlite3.connect(str(cache_path))) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.execute("INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')")
        hits = conn.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?", ("耳机没声",)).fetchone()[0]
        plain = conn.execute("SELECT count(*) FROM messages WHERE body LIKE '%耳机没声%' OR subject LIKE '%耳机没声%'").fetchone()[0]
        assert hits == plain > 0
