"""The desk's UI thread while a background sync writes and new messages stream in.

    python bench/bench_desk_stall.py [--conversations 100000] [--messages 10000] [--rate 50] [--seconds 15]

The lead's desk is opened offline on a copy of the kept 100k cache (bench_desk_cache.py),
the inbox ("all", ~36k open conversations) loaded to --loaded rows, scrolled so that its
middle row is at the top, and that row selected (its timeline and customer shown).
A heartbeat `QTimer` (PreciseTimer, every --beat ms) on the UI thread records the gaps
between its ticks; a gap is how long the UI thread could not react.

Measured (--seconds long): two threads write into the cache the way the sync engine does —
through `store.apply.apply_pull_page` (one write transaction per page, cursor kept) and
then the session's change callback (`DeskSession._changes`, which the engine calls from its
thread; the desk refreshes what changed through `SyncBridge` and `DeskWindow.apply_changes`):
1. a background sync writing --messages messages (older history of random conversations) in
   pages of --page, as fast as it can;
2. --rate new inbound messages per second, each in its own page with its conversation's
   updated row (preview, last message time, unread + 1; SLA fields unchanged, so the inbox
   order holds), on random conversations of the loaded rows.
Reported: max and p99 heartbeat gap vs the 50 ms target, and whether the scroll position
(scroll bar value and the conversation of the top row) and the selection (current row's
conversation) held once the last refresh landed.

Floor (same process, before): the heartbeat gaps over the same time with no background work.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_MS = 50.0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class Heartbeat:
    """Gaps between the ticks of a precise timer on the UI thread."""

    def __init__(self, beat_ms: int) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self.busy: list[float] = []  # UI thread CPU time within each gap (the rest: waiting)
        self._last = 0.0
        self._last_cpu = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(beat_ms)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if self._last:
            self.gaps.append((now - self._last) * 1000)
            self.busy.append((cpu - self._last_cpu) * 1000)
        self._last, self._last_cpu = now, cpu

    def run(self, seconds: float, until: Any = None) -> list[float]:
        from PySide6.QtCore import QEventLoop, QTimer

        self.gaps, self.busy, self._last = [], [], 0.0
        loop = QEventLoop()
        self._timer.start()
        deadline = time.perf_counter() + seconds

        def check() -> None:
            if time.perf_counter() >= deadline and (until is None or until()):
                loop.quit()

        poll = QTimer()
        poll.timeout.connect(check)
        poll.start(50)
        loop.exec()
        poll.stop()
        self._timer.stop()
        return self.gaps


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--messages", type=int, default=10_000, help="messages the background sync writes")
    ap.add_argument("--page", type=int, default=1000, help="messages per sync page")
    ap.add_argument("--rate", type=float, default=50.0, help="new messages per second")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--loaded", type=int, default=1000, help="inbox rows loaded (scrolled through)")
    ap.add_argument("--beat", type=int, default=10, help="heartbeat interval, ms")
    ap.add_argument("--profile", type=Path, help="cProfile the UI thread during the measured run into this file")
    ap.add_argument("--switch-interval", type=float, default=None,
                    help="what-if: sys.setswitchinterval(seconds) in the desk process (Python's default 0.005)")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)

    from _common import report
    from bench_desk_cache import desk_cache, message_changes, open_desk, pump_until
    from PySide6.QtCore import QModelIndex, QPoint
    from PySide6.QtWidgets import QAbstractItemView
    from sqlalchemy import select

    from workstation.store.apply import apply_pull_page
    from workstation.store.tables import conversations, messages

    cache = desk_cache(args.conversations, args.seed)
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs); copying {cache.name} …", flush=True)
    work = Path(tempfile.mkdtemp(prefix="desk-stall-", dir=cache.parent))
    try:
        _app, desk, api = open_desk(cache, work, copy=True)
        window, db = desk.window, desk.session.db
        inbox, table = window.inbox, window.table
        pump_until(lambda: inbox.rowCount() > 0)
        while inbox.rowCount() < args.loaded and inbox.canFetchMore(QModelIndex()):
            inbox.fetchMore(QModelIndex())
        middle = inbox.rowCount() // 2
        table.scrollTo(inbox.index(middle, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        table.selectRow(middle)
        selected = inbox.conversation_id(middle)
        pump_until(lambda: window.timeline_model.conversation_id == selected and window.timeline_model.rowCount() > 0)
        pump_until(lambda: False if time.sleep(1.0) else True)  # start-up work settles

        def position() -> tuple[int, str | None, str | None]:
            top = table.indexAt(QPoint(1, 1))
            current = table.currentIndex()
            return (
                table.verticalScrollBar().value(),
                inbox.conversation_id(top.row()) if top.isValid() else None,
                inbox.conversation_id(current.row()) if current.isValid() else None,
            )

        before = position()
        beat = Heartbeat(args.beat)
        cpu0 = cpu_s()
        floor = beat.run(args.seconds)
        floor_cpu = cpu_s() - cpu0

        # what the writers need, read before the clock starts
        loaded_ids = [inbox.conversation_id(r) for r in range(inbox.rowCount())]
        with db.read() as s:
            conv_data = {
                i: dict(d) for i, d in s.execute(select(conversations.c.id, conversations.c.data)
                                                 .where(conversations.c.id.in_(loaded_ids)))
            }  # fmt: skip
            all_ids = [str(i) for i in s.execute(select(conversations.c.id)).scalars()]
            template = dict(s.execute(select(messages.c.data).limit(1)).scalar_one())
            seq0 = int(s.execute(select(messages.c.seq).order_by(messages.c.seq.desc()).limit(1)).scalar() or 0)
        cursor = "bench-stall"
        rnd = random.Random(args.seed)
        seq = {"next": seq0 + 1_000_000}
        lock = threading.Lock()
        stop = threading.Event()
        done = {"sync_s": 0.0, "sync_pages": 0, "arrived": 0, "arrive_late": 0}
        session = desk.session

        def next_seq(n: int) -> int:
            with lock:
                start = seq["next"]
                seq["next"] += n
                return start

        # the sync's pages are made before the clock starts: the writer thread only applies
        # them (what the engine does with a page once its JSON is parsed)
        pages: list[list[dict[str, Any]]] = []
        made = 0
        while made < args.messages:
            n = min(args.page, args.messages - made)
            base = next_seq(n)
            page: list[dict[str, Any]] = []
            for k in range(n):  # a sync page: history of many conversations, 1 message each
                at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rnd.randrange(400_000))
                page += message_changes(rnd.choice(all_ids), template, 1, start=at, step=timedelta(0),
                                        seq=base + k, rnd=rnd)  # fmt: skip
            pages.append(page)
            made += n

        def sync_writer() -> None:
            t0 = time.perf_counter()
            for page in pages:
                applied = apply_pull_page(db, page, cursor, last_applied_mutation_id=0)
                session._changes(frozenset(applied.entities))  # what the engine calls after a page
                done["sync_pages"] += 1
            done["sync_s"] = time.perf_counter() - t0

        def arrivals() -> None:
            interval = 1.0 / args.rate
            due = time.perf_counter()
            while not stop.is_set():
                due += interval
                cid = rnd.choice(loaded_ids)
                now = datetime.now(UTC)
                body_seq = next_seq(2)
                change = message_changes(cid, template, 1, start=now, step=timedelta(0), seq=body_seq, rnd=rnd)
                data = copy.deepcopy(conv_data[cid])
                data.update(preview=change[0]["data"]["body"][:60], last_message_at=iso(now),
                            last_inbound_at=iso(now), unread=int(data.get("unread") or 0) + 1)  # fmt: skip
                conv_data[cid] = data
                change.append({"entity": "conversations", "id": cid, "seq": body_seq + 1, "data": data})
                applied = apply_pull_page(db, change, cursor, last_applied_mutation_id=0)
                session._changes(frozenset(applied.entities))
                done["arrived"] += 1
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                else:
                    done["arrive_late"] += 1

        threads = [threading.Thread(target=sync_writer, name="bench-sync"),
                   threading.Thread(target=arrivals, name="bench-arrivals")]  # fmt: skip
        cpu0 = cpu_s()
        for t in threads:
            t.start()
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        gaps = beat.run(args.seconds, until=lambda: not threads[0].is_alive())
        busy = beat.busy
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        stop.set()
        for t in threads:
            t.join()
        load_cpu = cpu_s() - cpu0
        pump_until(lambda: not inbox.loading and not window._live_timer.isActive(), 30)  # noqa: SLF001
        pump_until(lambda: False if time.sleep(0.5) else True)
        pump_until(lambda: not inbox.loading, 30)
        after = position()
        load = os.getloadavg()[0]
        desk.close()
        api.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    worst = sorted(range(len(gaps)), key=gaps.__getitem__)[-5:][::-1]
    print("worst gaps (ms, of which UI thread CPU): "
          + ", ".join(f"{gaps[n]:.0f} ({busy[n]:.0f})" for n in worst), flush=True)
    held_scroll = before[0] == after[0] and before[1] == after[1]
    held_selection = before[2] == after[2] == selected
    print(
        f"background sync: {args.messages:,} messages in {done['sync_pages']} pages in {done['sync_s']:.1f} s; "
        f"arrivals: {done['arrived']} messages at {args.rate:g}/s ({done['arrive_late']} behind schedule); "
        f"heartbeat every {args.beat} ms: {len(gaps)} gaps, max {max(gaps):.1f} ms, p99 {pct(gaps, 99):.1f} ms, "
        f"p50 {pct(gaps, 50):.1f} ms; idle floor: max {max(floor):.1f} ms, p99 {pct(floor, 99):.1f} ms; "
        f"process CPU {load_cpu:.1f} s under load vs {floor_cpu:.1f} s idle over ~{args.seconds:g} s; load average {load:.2f}"
    )
    print(f"scroll position held: {'YES' if held_scroll else 'NO'} (scroll bar {before[0]} -> {after[0]}, "
          f"top row {before[1]} -> {after[1]}); selection held: {'YES' if held_selection else 'NO'} "
          f"({before[2]} -> {after[2]})")
    report("UI thread max stall during sync + 50 msg/s", max(gaps), TARGET_MS, max(floor), "ms")
    report("UI thread p99 heartbeat gap during sync + 50 msg/s", pct(gaps, 99), TARGET_MS, pct(floor, 99), "ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
