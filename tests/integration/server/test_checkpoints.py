"""The serving process checkpoints SQLite's WAL in the background instead of inside commits."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from workstation.domain.ids import new_id
from workstation.server.changes import ensure_counters, install_stamping
from workstation.server.checkpoints import WalCheckpointer
from workstation.server.db import Database
from workstation.server.tables import Base, Counter


def _database(tmp_path: Path, **kw: bool) -> Database:
    install_stamping()
    db = Database.connect(f"sqlite:///{tmp_path / 's.db'}", **kw)
    Base.metadata.create_all(db.engine)
    with db.write() as session:
        ensure_counters(session)
    return db


def _write_some(db: Database, n: int = 50) -> None:
    for _ in range(n):
        with db.write() as session:
            session.add(Counter(name=new_id()[:40], value=1))


def test_commits_leave_the_wal_to_the_checkpointer(tmp_path: Path) -> None:
    db = _database(tmp_path, background_checkpoints=True)
    with db.read() as session:
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
    _write_some(db)
    busy, frames, done = db.checkpoint() or (1, 0, 0)
    assert busy == 0 and frames > 0 and done == frames
    db.dispose()


def test_the_checkpointer_runs_on_its_timer_and_once_more_on_stop() -> None:
    class CountingDb:
        calls = 0

        def checkpoint(self) -> None:
            self.calls += 1

    db = CountingDb()

    async def scenario() -> tuple[int, int]:
        checkpointer = WalCheckpointer.start(db, interval=0.02)  # type: ignore[arg-type]
        await asyncio.sleep(0.2)
        ticking = db.calls
        await checkpointer.stop()
        return ticking, db.calls

    ticking, after_stop = asyncio.run(scenario())
    assert ticking >= 3 and after_stop == ticking + 1


def test_other_processes_keep_sqlites_own_checkpoints(tmp_path: Path) -> None:
    db = _database(tmp_path)
    with db.read() as session:
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
    assert db.background_checkpoints is False
    db.dispose()
