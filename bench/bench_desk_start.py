"""Desk start: process start to a usable inbox, with 100k conversations cached.

    python bench/bench_desk_start.py [--conversations 100000] [--runs 5]

Measured: a fresh `python` process that opens the desk the way `workstation` does for an
offline start of a signed-in user (the user record read from their cache with
`app.cached_user`; `create_application`, theme, `app.build_desk`, `window.show()`,
`desk.start()` — the engine finds no server). The time runs from just before the parent
spawns the process (so interpreter start and every import count) to the first paint of the
inbox table after its first page of rows went in: what the agent sees as a usable inbox.
The team lead's cache (bench_desk_cache.py: 100k conversations, ~1M messages, built once in
bench/out/) is opened in place through a hard link in a temp data directory; the lead's
default view is "all", so the inbox is over ~60k open conversations.

Floor (same run, alternating with the desk runs): the same kind of process that imports
PySide6, creates a QApplication and shows an empty QMainWindow, timed to its first paint.

Each process also reports its CPU time (user + system) at that point: the box is shared,
so wall time alone says little. Figures are medians over --runs processes of each kind.
"""

from __future__ import annotations

import time

T_IMPORTED = time.time()  # before anything of ours or Qt's is imported

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_S = 2.0


def cpu_now() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def child_desk(args: argparse.Namespace) -> dict[str, Any]:
    from bench_desk_cache import open_desk, wait_painted

    import workstation.app
    import workstation.ui.desk_window  # noqa: F401 (timed: what the desk imports)

    imported = time.time()
    _app, desk, api = open_desk(Path(args.cache), Path(args.data_dir))
    built = time.time()
    inbox = desk.window.inbox
    first_rows = {"at": 0.0}
    inbox.rowsInserted.connect(lambda *_a: first_rows.update(at=first_rows["at"] or time.time()))
    wait_painted(desk.window.table.viewport(), lambda: inbox.rowCount() > 0)
    at, cpu = time.time(), cpu_now()
    rows, total = inbox.rowCount(), inbox.total
    desk.close()
    api.close()
    phases = {"imports": imported - T_IMPORTED, "open + build + show": built - imported,
              "until rows": first_rows["at"] - built, "until painted": at - first_rows["at"]}  # fmt: skip
    return {"at": at, "cpu_s": cpu, "imported_at": T_IMPORTED, "rows": rows, "total": total, "phases": phases}


def child_floor(_args: argparse.Namespace) -> dict[str, Any]:
    from bench_desk_cache import wait_painted
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    window = QMainWindow()
    window.resize(1440, 860)
    window.show()
    wait_painted(window, lambda: True)
    at, cpu = time.time(), cpu_now()
    window.close()
    del app
    return {"at": at, "cpu_s": cpu, "imported_at": T_IMPORTED}


def run_child(role: str, *extra: str) -> dict[str, Any]:
    from bench_desk_cache import run_role

    started = time.time()
    out = run_role(__file__, role, *extra)
    out["seconds"] = out["at"] - started
    out["python_start_s"] = out["imported_at"] - started
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=5)
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
    work = Path(tempfile.mkdtemp(prefix="desk-start-", dir=cache.parent))
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs); cache {cache.name}", flush=True)
    desks, floors = [], []
    try:
        for n in range(args.runs):
            floors.append(run_child("floor"))
            desks.append(run_child("desk", "--cache", str(cache), "--data-dir", str(work / f"run{n}")))
            d, f = desks[-1], floors[-1]
            print(
                f"  run {n + 1}: desk {d['seconds']:.2f} s (CPU {d['cpu_s']:.2f} s; python up after "
                f"{d['python_start_s']:.2f} s; {d['rows']} rows shown of {d['total']:,}) | "
                f"floor {f['seconds']:.2f} s (CPU {f['cpu_s']:.2f} s) | load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            print("         desk phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in d["phases"].items()), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    report(f"desk start to usable inbox, {args.conversations:,} conversations cached (median of {args.runs})",
           med(d["seconds"] for d in desks), TARGET_S, med(f["seconds"] for f in floors), "s")
    report("  same, CPU time of the desk process", med(d["cpu_s"] for d in desks), TARGET_S,
           med(f["cpu_s"] for f in floors), "s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
