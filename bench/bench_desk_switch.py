"""Switching between conversations with 500-message histories, in the desk.

    python bench/bench_desk_switch.py [--conversations 100000] [--switches 200]

The lead's desk is opened offline on the kept 100k cache (bench_desk_cache.py; its top 40
inbox conversations have 500-message histories), the first inbox page shown. Then each
switch selects another of those 40 rows in the inbox table (as a click or J/K does:
`selectRow`) and runs the event loop until the timeline holds that conversation's items
and its viewport has painted them (scrolled to the newest, as the agent sees it). Measured:
the wall time of each switch, p50 / p95 over --switches switches (rows visited in a shuffled
order, never the same row twice in a row), and the process CPU time per switch (all threads:
the customer pane and the timeline load run in the background).

Floor (same run, same file, same conversations): the 500 messages read from the cache with
a plain `sqlite3` SELECT (`SELECT data FROM messages WHERE conversation_id = ? ORDER BY
sent_at DESC LIMIT 500`, fetchall), p50 / p95.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_MS = 100.0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def floor_reads(cache: Path, ids: list[str], order: list[int]) -> list[float]:
    con = sqlite3.connect(f"file:{cache}?mode=ro", uri=True)
    sql = "SELECT data FROM messages WHERE conversation_id = ? ORDER BY sent_at DESC LIMIT 500"
    out = []
    for n in order:
        t = time.perf_counter()
        rows = con.execute(sql, (ids[n],)).fetchall()
        out.append((time.perf_counter() - t) * 1000)
        assert len(rows) >= 500, (ids[n], len(rows))
    con.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--switches", type=int, default=200)
    ap.add_argument("--profile", type=Path, help="cProfile the UI thread during the switches into this file")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from _common import report
    from bench_desk_cache import (
        HISTORIES,
        desk_cache,
        long_history_ids,
        open_desk,
        pump_until,
        wait_painted,
    )

    cache = desk_cache(args.conversations, args.seed)
    ids = long_history_ids(cache, HISTORIES)
    rnd = random.Random(args.seed)
    order: list[int] = []
    while len(order) < args.switches:
        n = rnd.randrange(len(ids))
        if not order or order[-1] != n:
            order.append(n)
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs); cache {cache.name}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="desk-switch-", dir=cache.parent))
    try:
        _app, desk, api = open_desk(cache, work)
        window = desk.window
        inbox, timeline = window.inbox, window.timeline_model
        view = window.conversation_panel.timeline
        pump_until(lambda: inbox.rowCount() >= len(ids))
        rows = {inbox.conversation_id(r): r for r in range(inbox.rowCount())}
        missing = [i for i in ids if i not in rows]
        if missing:
            raise SystemExit(f"{len(missing)} long-history conversations are not in the first page")
        loaded: set[str] = set()
        arrived: dict[str, float] = {}

        def on_loaded(cid: str) -> None:
            loaded.add(cid)
            arrived[cid] = time.perf_counter()

        timeline.loaded.connect(on_loaded)
        pump_until(lambda: window.current_conversation_id in loaded, 30)
        pump_until(lambda: False if time.sleep(0.5) else True)  # let the start-up work settle

        walls, cpus, items, to_data = [], [], [], []
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        for n in order:
            cid = ids[n]
            loaded.discard(cid)
            cpu0, t0 = time.process_time(), time.perf_counter()
            window.table.selectRow(rows[cid])
            wait_painted(view.viewport(), lambda cid=cid: cid in loaded and timeline.conversation_id == cid)
            walls.append((time.perf_counter() - t0) * 1000)
            to_data.append((arrived[cid] - t0) * 1000)
            cpus.append((time.process_time() - cpu0) * 1000)
            items.append(timeline.rowCount())
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        load = os.getloadavg()[0]
        desk.close()
        api.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    floor = floor_reads(cache, ids, order)
    print(f"{len(walls)} switches over {len(ids)} conversations, timeline items per switch "
          f"{min(items)}-{max(items)}; wall p50 {pct(walls, 50):.1f} ms, p95 {pct(walls, 95):.1f} ms, "
          f"max {max(walls):.1f} ms (until the items are in the model: p50 {pct(to_data, 50):.1f} ms); CPU per switch p50 {pct(cpus, 50):.1f} ms, mean {statistics.mean(cpus):.1f} ms; "
          f"floor p50 {pct(floor, 50):.2f} ms, p95 {pct(floor, 95):.2f} ms; load average {load:.2f}")
    report("switch to a 500-message conversation, p95", pct(walls, 95), TARGET_MS, pct(floor, 95), "ms")
    report("switch to a 500-message conversation, p50", pct(walls, 50), TARGET_MS, pct(floor, 50), "ms")
    report("  CPU time per switch, p50 (all threads)", pct(cpus, 50), TARGET_MS, pct(floor, 50), "ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
