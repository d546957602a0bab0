"""Resident memory of the desk with 100k conversations cached.

    python bench/bench_desk_memory.py [--conversations 100000] [--pages 10] [--open 6] [--runs 2]

Measured: a fresh process opens the lead's desk offline on the kept 100k cache
(bench_desk_cache.py; "all" view over ~36k open conversations), waits for the first inbox
page, scrolls the inbox through --pages more pages (fetchMore, the table scrolled to each
new page), opens --open conversations from the inbox (several of them with 500-message
histories; each waited for until its timeline and customer pane are shown, and its timeline
scrolled to the top once, which brings in an older page), lets background work settle for a
second, and reports its resident set (VmRSS) — and its peak (``ru_maxrss``) — against the
350 MB target.

Floor (same run, separate processes): the resident set of a process that imports PySide6,
creates a QApplication and shows an empty QMainWindow. Figures are medians over --runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_MB = 350.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child_desk(args: argparse.Namespace) -> dict[str, Any]:
    from bench_desk_cache import HISTORIES, long_history_ids, open_desk, pump_until, rss_mb
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QAbstractItemView

    cache = Path(args.cache)
    long_ids = set(long_history_ids(cache, HISTORIES))
    _app, desk, api = open_desk(cache, Path(args.data_dir))
    window = desk.window
    inbox, table, timeline = window.inbox, window.table, window.timeline_model
    pump_until(lambda: inbox.rowCount() > 0)
    after_start = rss_mb()
    for _ in range(args.pages):
        if not inbox.canFetchMore(QModelIndex()):
            break
        inbox.fetchMore(QModelIndex())
        table.scrollTo(inbox.index(inbox.rowCount() - 1, 0), QAbstractItemView.ScrollHint.PositionAtBottom)
        pump_until(lambda: False if time.sleep(0.05) else True)
    loaded: set[str] = set()
    timeline.loaded.connect(loaded.add)
    customers: list[str] = []
    window.customer_panel.loaded.connect(customers.append)
    step = max(1, inbox.rowCount() // args.open)
    rows = [r for r in range(inbox.rowCount()) if inbox.conversation_id(r) in long_ids][: args.open // 2]
    rows += list(range(step // 2, inbox.rowCount(), step))[: args.open - len(rows)]
    opened = 0
    for row in rows:
        cid = inbox.conversation_id(row)
        loaded.discard(cid)
        seen = len(customers)
        table.scrollTo(inbox.index(row, 0))
        table.selectRow(row)
        pump_until(lambda cid=cid, seen=seen: cid in loaded and len(customers) > seen, 30)
        window.conversation_panel.timeline.scrollToTop()  # brings in the next older page
        pump_until(lambda: False if time.sleep(0.05) else True)
        opened += 1
    pump_until(lambda: False if time.sleep(1.0) else True)
    out = {"rss_mb": rss_mb(), "peak_mb": peak_mb(), "after_start_mb": after_start,
           "anon_mb": rss_mb("RssAnon"), "file_mb": rss_mb("RssFile"),
           "rows": inbox.rowCount(), "total": inbox.total, "opened": opened}  # fmt: skip
    desk.close()
    api.close()
    return out


def child_floor(_args: argparse.Namespace) -> dict[str, Any]:
    from bench_desk_cache import pump_until, rss_mb
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    window = QMainWindow()
    window.resize(1440, 860)
    window.show()
    pump_until(lambda: False if time.sleep(1.0) else True)
    out = {"rss_mb": rss_mb(), "peak_mb": peak_mb()}
    window.close()
    del app
    return out


def run_child(role: str, *extra: str) -> dict[str, Any]:
    from bench_desk_cache import run_role

    return run_role(__file__, role, *extra)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--pages", type=int, default=10, help="inbox pages scrolled through after the first")
    ap.add_argument("--open", type=int, default=6, help="conversations opened")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--role", choices=("main", "desk", "floor"), default="main", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help="open this cache file instead of the kept one (e.g. one with another index)")
    ap.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.role != "main":
        print(json.dumps({"desk": child_desk, "floor": child_floor}[args.role](args)))
        return 0

    from _common import report
    from bench_desk_cache import desk_cache

    cache = Path(args.cache) if args.cache else desk_cache(args.conversations, args.seed)
    work = Path(tempfile.mkdtemp(prefix="desk-memory-", dir=cache.parent))
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs); cache {cache.name}", flush=True)
    desks, floors = [], []
    try:
        for n in range(args.runs):
            floors.append(run_child("floor"))
            desks.append(run_child("desk", "--cache", str(cache), "--data-dir", str(work / f"run{n}"),
                                   "--pages", str(args.pages), "--open", str(args.open)))  # fmt: skip
            d, f = desks[-1], floors[-1]
            print(
                f"  run {n + 1}: desk RSS {d['rss_mb']:.0f} MB (peak {d['peak_mb']:.0f} MB; {d['after_start_mb']:.0f} MB "
                f"with the first page shown; now {d['anon_mb']:.0f} MB heap + {d['file_mb']:.0f} MB mapped files; {d['rows']:,} of {d['total']:,} inbox rows loaded, {d['opened']} "
                f"conversations opened) | floor RSS {f['rss_mb']:.0f} MB (peak {f['peak_mb']:.0f} MB)",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    report(f"desk resident memory, {args.conversations:,} conversations cached (median of {args.runs})",
           med(d["rss_mb"] for d in desks), TARGET_MB, med(f["rss_mb"] for f in floors), "MB")
    report("  same, peak (ru_maxrss)", med(d["peak_mb"] for d in desks), TARGET_MB,
           med(f["peak_mb"] for f in floors), "MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
