"""The client cache the desk benches open, built once and kept in bench/out/ (git-ignored).

    python bench/bench_desk_cache.py [--conversations 100000] [--seed 7]

A realistic cache, made the way a desk gets one: the seeded server database of
`bench_sync.py` (bench/out/seeded-N-sSEED.db, seeded there once when missing) is served by
`python -m workstation.server serve` on 127.0.0.1 and the demo team lead ("lead", sees every
conversation) runs one real initial sync into a fresh cache (`bench_sync.py --role sync`).
Then the first --histories conversations of the lead's inbox ("all" view, default sort) get
histories of --history-len messages through `store.apply.apply_changes` (what a pull does),
for `bench_desk_switch.py`. The result is bench/out/desk-cache-N-sSEED.sqlite3 (~1 GB at
100k; the sync takes ~4-5 min on a 2-core box). The other desk benches call `desk_cache()`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

LEAD = "lead"
PASSWORD = "bench-pass-2026"  # bench_sync.PASSWORD: the seeded users' password
HISTORIES = 40
HISTORY_LEN = 500
# The desk starts offline from the cache: the server URL it was synced from is only a name
# (the cache file is `<data dir>/cache/<host>-<user>.db`); nothing listens there.
DEAD_URL = "http://127.0.0.1:9"


def cache_file(conversations: int, seed: int) -> Path:
    return OUT / f"desk-cache-{conversations}-s{seed}.sqlite3"


def desk_cache(conversations: int = 100_000, seed: int = 7) -> Path:
    """The kept cache file; built (sync + long histories) when missing."""
    path = cache_file(conversations, seed)
    if path.exists():
        return path
    import bench_sync

    OUT.mkdir(parents=True, exist_ok=True)
    seeded = bench_sync.seeded_file(conversations, seed)
    work = OUT / f"desk-cache-{conversations}-s{seed}.build"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    server_db, client = work / "server.db", work / "client.sqlite3"
    shutil.copyfile(seeded, server_db)
    proc, base = bench_sync.start_server(server_db, work)
    try:
        print(f"syncing {conversations:,} conversations as {LEAD!r} into {client} (once) …", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "bench_sync.py"), "--role", "sync", "--url", base,
             "--cache", str(client), "--page", "5000"],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        print(f"synced in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        proc.terminate()
        proc.wait(30)
    add_histories(client, HISTORIES, HISTORY_LEN, seed)
    con = sqlite3.connect(client)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    client.rename(path)
    shutil.rmtree(work, ignore_errors=True)
    return path


def long_history_ids(path: Path, n: int = HISTORIES) -> list[str]:
    """The conversations given long histories: the top `n` of the lead's inbox."""
    from workstation.store import queries
    from workstation.store.db import CacheDatabase

    db = CacheDatabase.open(path, check="header")
    try:
        return queries.conversation_ids(db, view=queries.View.ALL, limit=n)
    finally:
        db.close()


def message_changes(conversation_id: str, template: dict[str, Any], count: int, *, start: datetime,
                    step: timedelta, seq: int, rnd: random.Random) -> list[dict[str, Any]]:
    """`count` pull changes of new messages in one conversation (wire dicts like the server's)."""
    from bench_search import body

    out = []
    for k in range(count):
        mid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        at = (start + step * k).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        data = {
            **template, "id": mid, "conversation_id": conversation_id, "body": body(rnd, k),
            "direction": "inbound" if k % 2 == 0 else "outbound", "sent_at": at, "external_id": None,
        }  # fmt: skip
        out.append({"entity": "messages", "id": mid, "seq": seq + k, "data": data})
    return out


def add_histories(path: Path, histories: int, length: int, seed: int) -> None:
    from sqlalchemy import func, select

    from workstation.store.apply import apply_changes
    from workstation.store.db import CacheDatabase
    from workstation.store.tables import messages

    ids = long_history_ids(path, histories)
    db = CacheDatabase.open(path, check="header")
    rnd = random.Random(seed)
    m = messages.c
    try:
        with db.write() as session:
            seq = int(session.execute(select(func.max(m.seq))).scalar() or 0) + 1
            for cid in ids:
                have = session.execute(
                    select(m.data, m.sent_at).where(m.conversation_id == cid).order_by(m.sent_at)
                ).all()
                template = dict(have[0][0]) if have else {"channel": "chat", "attachments": []}
                first = datetime.strptime(have[0][1], "%Y-%m-%dT%H:%M:%S.%fZ") if have else datetime(2026, 1, 1)
                extra = length - len(have)
                if extra <= 0:
                    continue
                # older than what the conversation has: a long back-and-forth before today
                changes = message_changes(cid, template, extra, start=first - timedelta(minutes=3 * extra),
                                          step=timedelta(minutes=3), seq=seq, rnd=rnd)
                seq += extra
                apply_changes(session, changes)
        print(f"gave {len(ids)} conversations {length}-message histories", flush=True)
    finally:
        db.close()


def data_dir_with(cache: Path, into: Path, username: str, server_url: str) -> Any:
    """Settings whose per-user cache path is a hard link to `cache` (no copy of a 1 GB file)."""
    from workstation.app import cache_path_for
    from workstation.config import Settings

    settings = Settings(data_dir=into, server_url=server_url)
    target = cache_path_for(settings, server_url, username)
    target.parent.mkdir(parents=True, exist_ok=True)
    for p in target.parent.glob(target.name + "*"):
        p.unlink()
    try:
        os.link(cache, target)
    except OSError:  # another file system: a symlink works as well for SQLite
        target.symlink_to(cache)
    return settings


def wait_painted(widget: Any, ready: Any) -> None:
    """Run the event loop until `widget` paints while `ready()` is true; return after that paint."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    done = {"at": 0.0}

    class Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and not done["at"] and ready():
                # the paint happens after this filter returns: note the time right after it
                QTimer.singleShot(0, lambda: done.update(at=time.time()))
            return False

    spy = Painted()
    widget.installEventFilter(spy)
    deadline = time.time() + 120
    while not done["at"] and time.time() < deadline:
        app.processEvents()
        time.sleep(0.001)
    widget.removeEventFilter(spy)
    if not done["at"]:
        raise SystemExit("never painted")


def open_desk(cache: Path, data_dir: Path, *, copy: bool = False) -> tuple[Any, Any, Any]:
    """(app, desk, api): the lead's desk started offline from `cache`, as `workstation` does
    (create_application, theme, build_desk, show, start). With `copy`, the desk works on a
    copy of the cache (for benches that write into it)."""
    from workstation.app import build_desk, cached_user, make_api_client, ui_settings_for
    from workstation.ui import theme
    from workstation.ui.application import create_application

    if copy:
        data_dir.mkdir(parents=True, exist_ok=True)
        copied = data_dir / "copy.sqlite3"
        shutil.copyfile(cache, copied)
        cache = copied
    settings = data_dir_with(cache, data_dir, LEAD, DEAD_URL)
    app = create_application([], language="en")
    theme.apply(app, theme.saved(ui_settings_for(settings)))
    api = make_api_client(settings)
    user = cached_user(settings, api.base_url, LEAD)
    assert user is not None, "the lead is not in the cache"
    desk = build_desk(settings=settings, api=api, user=user, offline=True, offline_message="bench")
    desk.window.show()
    desk.start()
    return app, desk, api


def pump_until(ready: Any, timeout: float = 60.0) -> float:
    """Process events until `ready()`; the seconds it took."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    started = time.perf_counter()
    while not ready():
        if time.perf_counter() - started > timeout:
            raise SystemExit("timed out waiting")
        app.processEvents()
        time.sleep(0.0005)
    return time.perf_counter() - started


def rss_mb(field: str = "VmRSS") -> float:
    """Resident set size now (VmRSS; or RssAnon: heap, RssFile: mapped files), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")



def run_role(script: str, role: str, *extra: str) -> dict[str, Any]:
    """Run `script --role ROLE` in a fresh process and return the JSON object it prints last.

    The desk benches measure start-up and memory of whole processes, so each sample is its own
    interpreter."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    proc = subprocess.run(
        [sys.executable, script, "--role", role, *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"{role} process failed ({proc.returncode})")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(desk_cache(args.conversations, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
