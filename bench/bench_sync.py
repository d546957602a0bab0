"""Initial sync, its peak memory, and webhook -> client cache latency, over loopback.

    python bench/bench_sync.py [--conversations 100000] [--seed 7] [--page 5000] [--webhooks 200]

1. A server database seeded with N conversations (`seed_database`, ~10 messages each; reused
   from bench/out/seeded-N-sSEED.db when present, else seeded there once — ~2.5 min at 100k) is
   copied to a temp dir and served by `python -m workstation.server serve` on 127.0.0.1.
2. **Initial sync** (measured): a client process signs in as the demo team lead ("lead", sees
   everything), opens a fresh cache and runs one `SyncEngine.run_once()` (real engine, real
   `ApiClient`, pages of --page changes). Wall time of the round, which ends with the cache
   complete *and* its full-text index built. Its **peak RSS** is the client process's
   ``ru_maxrss`` (it holds nothing but the sync).
   **Floor** (same run, another process, server idle): the same rows, read from the server
   database with the server's own page reader (`sync_pull.read_page`, same principal, same
   page size) and turned into cache row tuples (`store.apply` row makers) — neither timed —
   then written straight into a fresh cache the best plain way: the client's own bulk-load
   set-up (same schema; FTS triggers and secondary b-tree indexes dropped; one connection with
   synchronous=OFF, a big page cache, no mmap — `store.apply.BulkLoader`), plain ``INSERT``
   executemany per entity, one transaction per page, then every b-tree index built and every
   FTS5 index rebuilt once (timed: what must be indexed). So floor = SQLite's insert work +
   index build; the ratio is what HTTP, JSON, the engine and upserts add on top.
3. **Webhook -> cache** (measured): the synced client runs its engine with live SSE hints
   (`live=True`); --webhooks signed chat webhooks are posted at --rate per second; for each,
   the time from sending the POST until its message id is in the client's cache (the cache is
   polled every 5 ms on a separate connection). p50/p95 vs 500 ms. Floor: the POST round trip
   alone for the same requests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import report  # noqa: E402
from _common import start_server as serve  # noqa: E402

PASSWORD = "bench-pass-2026"
LEAD = "lead"
SECRET = "bench-sync-secret"
TARGET_SYNC_S = 60.0
TARGET_FLOOR_RATIO = 2.5
TARGET_RSS_MB = 400.0
TARGET_HOOK_MS = 500.0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- parent: seed, serve, orchestrate ------------------------------------------------------


def seeded_file(conversations: int, seed: int) -> Path:
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"seeded-{conversations}-s{seed}.db"
    if path.exists():
        print(f"reusing {path.relative_to(ROOT)}", flush=True)
        return path
    from workstation.server.seed import seed_database

    tmp = out / f"seeded-{conversations}-s{seed}.tmp.db"
    for p in out.glob(tmp.name + "*"):
        p.unlink()
    print(f"seeding {conversations:,} conversations into {path.relative_to(ROOT)} (once) …", flush=True)
    result = seed_database(
        f"sqlite:///{tmp}", conversations=conversations, seed=seed, demo_password=PASSWORD,
        now=datetime.now(UTC).replace(second=0, microsecond=0),
    )
    print(f"seeded in {result.seconds:.1f} s: {sum(result.counts.values()):,} rows", flush=True)
    tmp.rename(path)
    return path


def start_server(db_path: Path, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    return serve(f"sqlite:///{db_path}", workdir, env={"WORKSTATION_WEBHOOK_SECRET": SECRET}, timeout=120)


def run_child(role: str, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--role", role, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"{role} process failed ({proc.returncode})")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


# --- children ------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child_sync(args: argparse.Namespace) -> dict[str, Any]:
    import logging

    from workstation.store import state as store_state
    from workstation.store.db import CacheDatabase
    from workstation.sync.api import ApiClient
    from workstation.sync.engine import SyncEngine

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    api = ApiClient(base_url=args.url, timeout=120.0)
    api.login(LEAD, PASSWORD)
    db = CacheDatabase.open(Path(args.cache))
    with db.write() as s:
        client_id = store_state.ensure_client_id(s)
    engine = SyncEngine(api=api, cache=db, client_id=client_id, clock=lambda: datetime.now(UTC),
                        page_size=args.page)
    spent = {"apply_s": 0.0, "index_s": 0.0}
    cache = engine.cache
    real_apply, real_rebuild = cache.apply_page, cache.finish_bulk_load  # type: ignore[attr-defined]

    def apply_page(*a: Any) -> None:
        t = time.perf_counter()
        real_apply(*a)
        spent["apply_s"] += time.perf_counter() - t

    def rebuild() -> float:
        t = time.perf_counter()
        out = real_rebuild()
        spent["index_s"] += time.perf_counter() - t
        return float(out)

    cache.apply_page = apply_page  # type: ignore[method-assign]
    cache.finish_bulk_load = rebuild  # type: ignore[attr-defined]
    rss0 = _peak_rss_mb()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    result = engine.run_once()
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    spent["user_s"] = ru1.ru_utime - ru0.ru_utime
    spent["sys_s"] = ru1.ru_stime - ru0.ru_stime
    with db.read() as s:
        from sqlalchemy import text

        messages = s.execute(text("SELECT count(*) FROM messages")).scalar()
        fts = s.execute(text("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'refund'")).scalar()
    db.close()
    api.close()
    if result.state != "online":
        raise SystemExit(f"sync failed: {result.state} {result.message}")
    return {"seconds": seconds, "pulled": result.pulled, "peak_rss_mb": _peak_rss_mb(),
            "rss_before_mb": rss0, "cpu_s": cpu, "messages": messages, "fts_hits_refund": fts, **spent}


def child_floor(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import select

    from workstation.server.auth import Principal
    from workstation.server.db import Database
    from workstation.server.sync_pull import read_page
    from workstation.server.tables import User
    from workstation.store.apply import BulkLoader, _spec, begin_bulk_load
    from workstation.store.db import CacheDatabase
    from workstation.store.tables import ENTITY_TABLES

    server = Database.connect(f"sqlite:///{args.server_db}")
    cache = CacheDatabase.open(Path(args.cache))
    # The best plain way into the same cache: the same bulk-load set-up as the client's (FTS
    # triggers and secondary b-tree indexes dropped; one connection with synchronous=OFF, a big
    # page cache, no mmap), plain INSERTs, then the same one-pass index build.
    with cache.write() as s:
        begin_bulk_load(s)
    loader = BulkLoader(cache)
    conn = loader._conn
    insert_s = prep_s = 0.0
    rows_total = 0
    with server.read() as session:
        lead = session.execute(select(User).where(User.username == LEAD)).scalar_one()
        principal = Principal.of(lead)
        after = 0
        while True:
            t = time.perf_counter()
            page = read_page(session, principal, after=after, limit=args.page)
            by_entity: dict[str, list[tuple[Any, ...]]] = {}
            for c in page.changes:
                if c.entity in ENTITY_TABLES:
                    by_entity.setdefault(c.entity, []).append(_spec(c.entity).make_row(c.id, c.seq, c.data))
            sqls = {}
            for entity in by_entity:
                spec = _spec(entity)
                sqls[entity] = f"INSERT INTO {entity} ({', '.join(spec.columns)}) VALUES ({', '.join('?' * len(spec.columns))})"
            prep_s += time.perf_counter() - t
            t = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            for entity, rows in by_entity.items():
                conn.executemany(sqls[entity], rows)
                rows_total += len(rows)
            conn.execute("COMMIT")
            insert_s += time.perf_counter() - t
            after = page.cursor
            if not page.has_more:
                break
    fts_s = loader.finish()  # b-tree indexes built, FTS rebuilt, triggers back
    loader.close()
    cache.close()
    server.dispose()
    return {"insert_s": insert_s, "fts_s": fts_s, "rows": rows_total, "prep_s_untimed": prep_s}


def child_live(args: argparse.Namespace) -> dict[str, Any]:
    """Engine with live hints on the synced cache; post webhooks; watch the cache."""
    import httpx

    from workstation.server.channels.signature import signed_headers
    from workstation.store import state as store_state
    from workstation.store.db import CacheDatabase
    from workstation.sync.api import ApiClient
    from workstation.sync.engine import SyncEngine

    api = ApiClient(base_url=args.url, timeout=30.0)
    api.login(LEAD, PASSWORD)
    db = CacheDatabase.open(Path(args.cache), check="header")
    with db.write() as s:
        client_id = store_state.ensure_client_id(s)
    engine = SyncEngine(api=api, cache=db, client_id=client_id, clock=lambda: datetime.now(UTC),
                        page_size=args.page, live=True, poll_interval=30.0)
    engine.start()
    time.sleep(2.0)  # first round (catch-up) and the SSE stream connected
    watch = sqlite3.connect(args.cache, check_same_thread=False)
    sent: dict[str, float] = {}  # message id -> POST start
    rtt: list[float] = []
    seen: dict[str, float] = {}
    lock = threading.Lock()
    done = threading.Event()
    rng = random.Random(11)
    tag = f"{int(time.time())}"

    def poster() -> None:
        with httpx.Client(base_url=args.url, timeout=10.0) as http:
            t0 = time.perf_counter()
            for i in range(args.webhooks):
                due = t0 + i / args.rate
                time.sleep(max(0.0, due - time.perf_counter()))
                sender = rng.randrange(5000)
                body = json.dumps({
                    "message_id": f"bench-sync-{tag}-{i}",
                    "sender": {"handle": f"chat-bench-{sender}", "name": f"客户{sender}"},
                    "text": f"我的订单还没有发货，麻烦查一下 #{i}",
                }, ensure_ascii=False).encode()
                headers = {"content-type": "application/json",
                           **signed_headers(SECRET, body, timestamp=int(time.time()))}
                start = time.perf_counter()
                resp = http.post("/channels/chat/messages", content=body, headers=headers)
                end = time.perf_counter()
                resp.raise_for_status()
                mid = resp.json()["message_id"]
                with lock:
                    sent[mid] = start
                    rtt.append((end - start) * 1000)
        done.set()

    thread = threading.Thread(target=poster, daemon=True)
    thread.start()
    deadline = None
    while True:
        with lock:
            waiting = [m for m in sent if m not in seen]
        if waiting:
            marks = ",".join("?" * len(waiting))
            found = watch.execute(f"SELECT id FROM messages WHERE id IN ({marks})", waiting).fetchall()
            now = time.perf_counter()
            for (mid,) in found:
                seen[mid] = now
        if done.is_set() and len(seen) == len(sent):
            break
        if done.is_set():
            deadline = deadline or time.perf_counter() + 30
            if time.perf_counter() > deadline:
                break
        time.sleep(0.005)
    engine.stop()
    watch.close()
    db.close()
    api.close()
    lat = [(seen[m] - sent[m]) * 1000 for m in sent if m in seen]
    return {"posted": len(sent), "seen": len(seen), "latency_ms": lat, "rtt_ms": rtt}


# --- main ----------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--page", type=int, default=5000, help="changes per pull page (server max 5000)")
    ap.add_argument("--webhooks", type=int, default=200)
    ap.add_argument("--rate", type=float, default=5.0, help="webhooks per second")
    ap.add_argument("--skip-floor", action="store_true")
    ap.add_argument("--keep", type=Path, default=None, help="work in this directory and keep it")
    ap.add_argument("--role", choices=("main", "sync", "floor", "live"), default="main", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    ap.add_argument("--server-db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.role != "main":
        out = {"sync": child_sync, "floor": child_floor, "live": child_live}[args.role](args)
        print(json.dumps(out))
        return 0

    seeded = seeded_file(args.conversations, args.seed)
    tmp = tempfile.TemporaryDirectory(prefix="bench-sync-")
    work = args.keep or Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    server_db = work / "server.db"
    for p in work.glob("*.db*"):
        p.unlink()
    for p in work.glob("*.sqlite3*"):
        p.unlink()
    print(f"load average before the run: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)", flush=True)
    shutil.copyfile(seeded, server_db)
    proc, base = start_server(server_db, work)
    scale = args.conversations / 100_000
    try:
        print(f"server {base} on a copy of {seeded.name}; page {args.page}", flush=True)
        server_cpu0 = cpu_seconds(proc.pid)
        sync = run_child("sync", "--url", base, "--cache", str(work / "client.sqlite3"), "--page", str(args.page))
        server_cpu = cpu_seconds(proc.pid) - server_cpu0
        print(
            f"sync: {sync['pulled']:,} changes ({sync['messages']:,} messages) in {sync['seconds']:.1f} s "
            f"({sync['pulled'] / sync['seconds']:,.0f} changes/s); client CPU {sync['cpu_s']:.1f} s, "
            f"server CPU {server_cpu:.1f} s; peak RSS {sync['peak_rss_mb']:.0f} MB "
            f"(after sign-in and open: {sync['rss_before_mb']:.0f} MB); FTS check 'refund': {sync['fts_hits_refund']:,} hits",
            flush=True,
        )
        rest = sync["seconds"] - sync["apply_s"] - sync["index_s"]
        print(
            f"  client wall: applying pages {sync['apply_s']:.1f} s (dict rows, executemany, commit), "
            f"index build and FTS rebuild at the end {sync['index_s']:.1f} s, waiting for pages / sign-in / bookkeeping {rest:.1f} s; "
            f"client CPU user {sync['user_s']:.1f} s + system {sync['sys_s']:.1f} s",
            flush=True,
        )
        floor_s = float("nan")
        if not args.skip_floor:
            floor = run_child("floor", "--server-db", str(server_db), "--cache", str(work / "floor.sqlite3"),
                              "--page", str(args.page))
            floor_s = floor["insert_s"] + floor["fts_s"]
            print(
                f"floor: plain INSERT of {floor['rows']:,} rows {floor['insert_s']:.1f} s + index build and FTS rebuild "
                f"{floor['fts_s']:.1f} s = {floor_s:.1f} s (reading and preparing the rows, not timed: "
                f"{floor['prep_s_untimed']:.1f} s)",
                flush=True,
            )
        live = run_child("live", "--url", base, "--cache", str(work / "client.sqlite3"), "--page", str(args.page),
                         "--webhooks", str(args.webhooks), "--rate", str(args.rate))
    finally:
        proc.terminate()
        proc.wait(15)
    print(f"load average after the run: {os.getloadavg()[0]:.2f}")
    print()
    report(f"initial sync {args.conversations:,} conversations (loopback)", sync["seconds"],
           min(TARGET_SYNC_S * scale, TARGET_FLOOR_RATIO * floor_s) if floor_s == floor_s else TARGET_SYNC_S * scale,
           floor_s, "s")
    if floor_s == floor_s:
        print(f"  (target = min({TARGET_SYNC_S * scale:.0f} s, {TARGET_FLOOR_RATIO} x floor {floor_s:.1f} s))")
    report("peak RSS of the syncing process", sync["peak_rss_mb"], TARGET_RSS_MB, sync["rss_before_mb"], "MB")
    print("  (floor = RSS of the same process after sign-in and cache open, before the sync)")
    lat, rtt = live["latency_ms"], live["rtt_ms"]
    print(f"webhooks: {live['posted']} posted at {args.rate}/s, {live['seen']} seen in the cache; "
          f"latency p50 {pct(lat, 50):.0f} ms, p95 {pct(lat, 95):.0f} ms, max {max(lat):.0f} ms; "
          f"POST round trip p50 {pct(rtt, 50):.0f} ms, p95 {pct(rtt, 95):.0f} ms")
    report("webhook -> client cache p95", pct(lat, 95), TARGET_HOOK_MS, pct(rtt, 95), "ms")
    report("webhook -> client cache p50", pct(lat, 50), TARGET_HOOK_MS, pct(rtt, 50), "ms")
    if args.keep is None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
