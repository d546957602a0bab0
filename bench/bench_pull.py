"""Benchmark: one pull page of 1,000 changes, server time (target <= 150 ms).

Seeds a fresh SQLite database directly through the tables (no ORM units of work), then walks
`GET /sync/pull?limit=1000` page by page and reports the median and p95 of 30 pages, timed
around the handler function (what the route runs: scope filters, two-step page, masking,
JSON). Next to it: the same pages through the HTTP stack (TestClient), and a floor measured in
the same run, a raw SQL SELECT of exactly the same rows with sqlite3.

    python bench/bench_pull.py [--messages 20000] [--pages 30] [--role team_lead|agent]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, update

from workstation.domain.clock import FixedClock
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server import auth, sync_pull
from workstation.server.app import create_app
from workstation.server.changes import CHANGE_SEQ, ensure_counters, install_stamping
from workstation.server.db import Database
from workstation.server.settings import ServerSettings
from workstation.server.tables import (
    SYNCED_TABLES,
    Base,
    Conversation,
    Counter,
    Customer,
    Identity,
    Message,
    Order,
    OrderItem,
)
from workstation.sync.protocol import decode_cursor

TARGET_MS = 150.0
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
PASSWORD = "bench-password-1"


def seed(db: Database, *, messages: int) -> int:
    customers = max(messages // 40, 10)
    conversations = max(messages // 10, 10)
    seq = 0

    def stamp(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        nonlocal seq
        for row in rows:
            seq += 1
            row["change_seq"] = seq
        return rows

    with db.write() as s:
        for role, name, queues in ((Role.TEAM_LEAD, "lead", []), (Role.AGENT, "agent", ["q0"])):
            auth.create_user(s, username=name, password=PASSWORD, role=role, queues=queues, now=NOW)
        seq = 2
        cust = [new_id() for _ in range(customers)]
        s.execute(insert(Customer), stamp([
            {"id": c, "display_name": f"客户{i}", "language": "zh", "tags": [], "notes": "", "phone": f"138{i:08d}",
             "address": f"上海市浦东新区世纪大道{i}号", "created_at": NOW, "updated_at": NOW}
            for i, c in enumerate(cust)]))
        s.execute(insert(Identity), stamp([
            {"id": new_id(), "customer_id": c, "kind": "phone", "handle": f"138{i:08d}", "created_at": NOW}
            for i, c in enumerate(cust)]))
        orders = [new_id() for _ in cust]
        s.execute(insert(Order), stamp([
            {"id": o, "order_no": f"SO{i:09d}", "customer_id": c, "shop": "旗舰店", "amount": Decimal("199.00"),
             "placed_at": NOW - timedelta(days=5), "paid_at": NOW - timedelta(days=5),
             "delivered_at": NOW - timedelta(days=2), "status": "delivered", "address": "上海市徐汇区", "remote_area": False}
            for i, (o, c) in enumerate(zip(orders, cust, strict=True))]))
        s.execute(insert(OrderItem), stamp([
            {"id": new_id(), "order_id": o, "sku": "SKU", "title": "蓝牙耳机", "category": "electronics",
             "price": Decimal("199.00"), "quantity": 1, "high_value": False, "warranty_months": 12,
             "no_reason_excluded": False} for o in orders]))
        convs = [new_id() for _ in range(conversations)]
        s.execute(insert(Conversation), stamp([
            {"id": c, "customer_id": cust[i % customers], "channel": "chat", "request_type": "inquiry",
             "priority": "normal", "status": "open", "queue": f"q{i % 5}", "subject": "耳机没声音",
             "preview": "耳机没声音", "tags": [], "case_record": {}, "opened_at": NOW, "last_message_at": NOW,
             "unread": 0} for i, c in enumerate(convs)]))
        batch: list[dict[str, Any]] = []
        for i in range(messages):
            batch.append({"id": new_id(), "conversation_id": convs[i % conversations], "direction": "inbound",
                          "channel": "chat", "body": f"您好，我的订单第{i}条消息，耳机左边没有声音，请帮忙看看。",
                          "attachments": [], "sent_at": NOW + timedelta(seconds=i)})
            if len(batch) == 5000:
                s.execute(insert(Message), stamp(batch))
                batch = []
        if batch:
            s.execute(insert(Message), stamp(batch))
        s.execute(update(Counter).where(Counter.name == CHANGE_SEQ).values(value=seq))
    return seq


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--role", choices=["team_lead", "agent"], default="team_lead")
    parser.add_argument("--verbose", action="store_true")
    opts = parser.parse_args()

    install_stamping()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        url = f"sqlite:///{path}"
        db = Database.connect(url)
        Base.metadata.create_all(db.engine)
        with db.write() as s:
            ensure_counters(s)
        t0 = time.perf_counter()
        total = seed(db, messages=opts.messages)
        print(f"seeded {total} changes ({opts.messages} messages) in {time.perf_counter() - t0:.1f} s")

        settings = ServerSettings(database_url=url, run_workers=False, hint_poll_seconds=1.0)
        app = create_app(settings, clock=FixedClock(NOW), db=db)
        user = "lead" if opts.role == "team_lead" else "agent"
        raw = sqlite3.connect(path)
        names = [m.__tablename__ for m in SYNCED_TABLES]
        with TestClient(app) as client:
            ctx = app.state.ctx
            token = client.post("/auth/login", json={"username": user, "password": PASSWORD}).json()["access_token"]
            principal = auth.authenticate(ctx, token)
            handler_ms: list[float] = []
            http_ms: list[float] = []
            floor_ms: list[float] = []
            handler_cpu_ms: list[float] = []
            floor_cpu_ms: list[float] = []
            sizes: list[int] = []
            cursor: str | None = None
            for _ in range(opts.pages):
                start, cpu = time.perf_counter(), time.thread_time()
                page = sync_pull.pull(ctx, principal, cursor=cursor, limit=opts.limit, client_id=None)
                page.model_dump_json()
                handler_ms.append((time.perf_counter() - start) * 1000)
                handler_cpu_ms.append((time.thread_time() - cpu) * 1000)

                params: dict[str, Any] = {"limit": opts.limit} | ({"cursor": cursor} if cursor else {})
                start = time.perf_counter()
                resp = client.get("/sync/pull", params=params, headers={"Authorization": f"Bearer {token}"})
                http_ms.append((time.perf_counter() - start) * 1000)
                assert resp.status_code == 200, resp.text

                after = decode_cursor(cursor)
                upto = page.changes[-1].seq if page.changes else after
                start, cpu = time.perf_counter(), time.thread_time()
                fetched = 0
                for name in names:
                    fetched += len(raw.execute(
                        f"SELECT * FROM {name} WHERE change_seq > ? AND change_seq <= ? ORDER BY change_seq",  # noqa: S608
                        (after, upto)).fetchall())
                floor_ms.append((time.perf_counter() - start) * 1000)
                floor_cpu_ms.append((time.thread_time() - cpu) * 1000)
                sizes.append(len(page.changes))
                assert opts.role != "team_lead" or fetched == len(page.changes)
                cursor = None if not page.has_more else page.cursor
        raw.close()
        db.dispose()

    med, p95 = statistics.median(handler_ms), percentile(handler_ms, 95)
    if opts.verbose:
        print("handler ms by page:", " ".join(f"{v:.0f}" for v in handler_ms))
    floor = statistics.median(floor_ms)
    print(f"role {opts.role}: {len(handler_ms)} pages, median {statistics.median(sizes):.0f} changes per page")
    print(f"pull page, handler      median {med:7.1f} ms   p95 {p95:7.1f} ms   target <= {TARGET_MS:.0f} ms   "
          f"{'OK' if p95 <= TARGET_MS else 'OVER'}")
    print(f"pull page, via HTTP     median {statistics.median(http_ms):7.1f} ms   p95 {percentile(http_ms, 95):7.1f} ms")
    print(f"floor, raw SQL SELECT   median {floor:7.1f} ms   p95 {percentile(floor_ms, 95):7.1f} ms")
    print(f"ratio handler/floor     {med / floor if floor else float('inf'):7.1f}x  (wall time)")
    cpu_med, cpu_floor = statistics.median(handler_cpu_ms), statistics.median(floor_cpu_ms)
    print(f"CPU time of the thread  handler median {cpu_med:6.1f} ms p95 {percentile(handler_cpu_ms, 95):6.1f} ms;"
          f"  floor median {cpu_floor:5.1f} ms;  ratio {cpu_med / cpu_floor if cpu_floor else float('inf'):5.1f}x"
          "  (unaffected by other processes competing for the CPU)")
    print(f"load average while running: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
