"""Search latency over a big cache.

Fills a fresh cache with N messages (default 1,000,000; --messages to scale down) plus
conversations, customers and orders, through `apply_pull_page` in pull-sized pages, then
measures search latency for 3+ character queries (FTS5 trigram) and 1–2 character queries
(bounded LIKE fallback) against the targets (p95 ≤ 100 ms / ≤ 300 ms), next to floors measured
in the same run on the same file: a primary-key lookup, and ``SELECT count(*)`` of the FTS
index (a full pass over it).

    python bench/bench_search.py                  # 1M messages
    python bench/bench_search.py --messages 200000 --keep /tmp/cache.sqlite3
    python bench/bench_search.py --reuse /tmp/cache.sqlite3   # search only, on a kept file
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from workstation.store.apply import apply_pull_page
from workstation.store.db import CacheDatabase
from workstation.store.search import search

T0 = datetime(2026, 1, 1, tzinfo=UTC)

PHRASES = [
    "您好", "请问", "我的订单", "还没有发货", "什么时候发货", "快递一直没有更新", "申请退款", "申请退货",
    "想换货", "商品有质量问题", "收到的商品破损", "包装压坏了", "少发了配件", "颜色不对", "尺码偏小",
    "屏幕有坏点", "电池鼓包", "无法开机", "充电很慢", "洗衣机漏水", "冰箱不制冷", "空调噪音大",
    "师傅上门安装", "预约维修时间", "保修期内", "发票抬头", "优惠券没有用上", "价格保护", "运费险",
    "七天无理由", "麻烦尽快处理", "谢谢", "已经等了三天", "客服态度", "投诉", "补偿", "赔付",
    "物流显示已签收但我没收到", "请提供照片", "已为您登记", "请耐心等待", "给您造成不便深表歉意",
]
WORDS = [
    "refund", "return", "exchange", "delivery", "tracking", "damaged", "warranty", "invoice",
    "coupon", "broken", "screen", "battery", "charger", "install", "repair", "please", "order",
    "package", "missing", "urgent", "thanks", "courier", "replacement", "voucher",
]
PRODUCTS = ["小米空气净化器", "华为手机", "格力空调", "海尔冰箱", "美的洗衣机", "戴森吹风机", "苹果耳机", "索尼相机"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "芳伟娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"

# (query, expected to match?) — common, rare and absent terms of both lengths.
LONG_QUERIES = [
    "还没有发货", "申请退款", "洗衣机漏水", "物流显示已签收", "电池鼓包", "空气净化器", "refund",
    "warranty", "damaged package", "tracking", "给您造成不便", "JD2026", "七天无理由", "冰箱不制冷",
    "华为手机 屏幕", "xyzzy-absent", "不存在的词语", "replacement", "courier", "13800001234",
]
SHORT_QUERIES = ["退", "换", "王", "漏水", "发票", "谢谢", "鼓包", "ab", "龘", "х", "李", "尺码", "王芳"]


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def body(rnd: random.Random, i: int) -> str:
    parts = rnd.sample(PHRASES, rnd.randint(2, 5))
    if rnd.random() < 0.3:
        parts.insert(1, rnd.choice(PRODUCTS))
    if rnd.random() < 0.25:
        parts.append(" ".join(rnd.sample(WORDS, rnd.randint(2, 6))))
    if rnd.random() < 0.1:
        parts.append(f"订单号 JD{2026000000 + i % 500000}")
    return "，".join(parts)


def generate(n_messages: int, n_conversations: int, n_customers: int, page: int, seed: int):  # type: ignore[no-untyped-def]
    """Yield pull pages (lists of change dicts): customers, orders, conversations, messages."""
    rnd = random.Random(seed)
    seq = 0
    batch: list[dict[str, Any]] = []

    def add(entity: str, data: dict[str, Any]) -> list[dict[str, Any]] | None:
        nonlocal seq, batch
        seq += 1
        data["change_seq"] = seq
        batch.append({"entity": entity, "id": data["id"], "seq": seq, "data": data})
        if len(batch) >= page:
            out, batch = batch, []
            return out
        return None

    def emit(entity: str, data: dict[str, Any]):  # type: ignore[no-untyped-def]
        full = add(entity, data)
        if full is not None:
            yield full

    for k in range(n_customers):
        name = rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, rnd.randint(1, 2)))
        yield from emit("customers", {"id": f"k{k}", "display_name": name, "language": "zh", "tags": [], "updated_at": iso(T0 + timedelta(minutes=k))})
        yield from emit("identities", {"id": f"i{k}", "customer_id": f"k{k}", "kind": "phone", "handle": f"138{k:08d}"})
        yield from emit("orders", {"id": f"o{k}", "order_no": f"JD{2026000000 + k}", "customer_id": f"k{k}", "amount": "199.00", "placed_at": iso(T0), "status": "paid"})
        yield from emit("order_items", {"id": f"oi{k}", "order_id": f"o{k}", "title": rnd.choice(PRODUCTS) + " Pro", "price": "199.00", "quantity": 1})
    for c in range(n_conversations):
        opened = T0 + timedelta(seconds=c * 30)
        yield from emit("conversations", {
            "id": f"c{c}", "customer_id": f"k{c % n_customers}", "order_id": f"o{c % n_customers}",
            "channel": rnd.choice(["chat", "phone", "email", "app"]), "request_type": "inquiry",
            "priority": rnd.choice(["urgent", "high", "normal", "low"]), "status": rnd.choice(["open", "new", "closed"]),
            "queue": "general", "assignee_id": None, "subject": "", "preview": "", "tags": [],
            "opened_at": iso(opened), "first_response_at": None,
            "first_response_due_at": iso(opened + timedelta(minutes=5)), "resolution_due_at": iso(opened + timedelta(days=1)),
            "last_message_at": iso(opened), "closed_at": None, "unread": 0,
        })
    for m in range(n_messages):
        c = rnd.randrange(n_conversations)
        yield from emit("messages", {
            "id": f"m{m}", "conversation_id": f"c{c}", "direction": rnd.choice(["inbound", "outbound"]),
            "channel": "chat", "author_id": None, "body": body(rnd, m), "subject": None,
            "external_id": None, "attachments": [], "sent_at": iso(T0 + timedelta(seconds=m * 3)),
        })
    if batch:
        yield batch


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--conversations", type=int, default=None, help="default: messages / 10")
    ap.add_argument("--customers", type=int, default=None, help="default: conversations / 2")
    ap.add_argument("--page", type=int, default=5000, help="changes per pull page")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each query")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, default=None, help="build the cache here and keep it")
    ap.add_argument("--reuse", type=Path, default=None, help="skip the fill: search this cache")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object too")
    args = ap.parse_args(argv)

    figures: dict[str, Any] = {"sqlite": __import__("sqlite3").sqlite_version}
    tmp = None
    if args.reuse:
        path = args.reuse
        db = CacheDatabase.open(path, check="header")
    else:
        n_conv = args.conversations or max(args.messages // 10, 10)
        n_cust = args.customers or max(n_conv // 2, 5)
        if args.keep:
            path = args.keep
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
        else:
            tmp = tempfile.TemporaryDirectory(prefix="bench-search-")
            path = Path(tmp.name) / "cache.sqlite3"
        db = CacheDatabase.open(path)
        print(f"filling {path}: {args.messages:,} messages, {n_conv:,} conversations, {n_cust:,} customers/orders (pages of {args.page:,})", flush=True)
        started = time.perf_counter()
        rows = 0
        page_ms: dict[str, list[float]] = {}
        for n, page in enumerate(generate(args.messages, n_conv, n_cust, args.page, args.seed)):
            result = apply_pull_page(db, page, f"bench-{n}", last_applied_mutation_id=0)
            rows += len(page)
            kind = page[-1]["entity"]
            page_ms.setdefault(kind, []).append(result.seconds * 1000 / len(page) * 1000)
            if n % 40 == 0:
                el = time.perf_counter() - started
                print(f"  {rows:>10,} rows  {el:7.1f} s  {rows / el:8.0f} rows/s", flush=True)
        fill = time.perf_counter() - started
        figures["fill_rows"] = rows
        figures["fill_seconds"] = round(fill, 1)
        figures["apply_ms_per_1000_rows_median"] = {k: round(statistics.median(v), 1) for k, v in page_ms.items()}
        print(f"filled {rows:,} rows in {fill:.1f} s ({rows / fill:,.0f} rows/s)")
        print("apply, ms per 1,000 rows (median page, by the page's last entity):", figures["apply_ms_per_1000_rows_median"])
    figures["file_mb"] = round(path.stat().st_size / 1e6)

    with db.read() as s:
        n_msgs = s.execute(text("SELECT max(rowid) FROM messages")).scalar() or 0
        figures["messages"] = s.execute(text("SELECT count(*) FROM messages")).scalar()

    # Floors, same run, same file, warm cache.
    rnd = random.Random(2)

    def pk_lookup() -> None:
        with db.read() as s:
            s.execute(text("SELECT data FROM messages WHERE rowid = :r"), {"r": rnd.randint(1, max(n_msgs, 1))}).all()

    def fts_count() -> None:
        with db.read() as s:
            s.execute(text("SELECT count(*) FROM messages_fts")).scalar()

    pk = timed(pk_lookup, 200)
    count_ms = timed(fts_count, 3)
    floor_pk = statistics.median(pk)
    floor_count = statistics.median(count_ms)
    figures["floor_pk_lookup_ms_median"] = round(floor_pk, 3)
    figures["floor_fts_count_ms_median"] = round(floor_count, 1)

    results: dict[str, list[float]] = {"long": [], "short": []}
    per_query: dict[str, tuple[float, int, str]] = {}
    for label, queries in (("long", LONG_QUERIES), ("short", SHORT_QUERIES)):
        for q in queries:
            search(db, q)  # warm
            times = timed(lambda q=q: search(db, q), args.repeat)
            results[label] += times
            r = search(db, q)
            per_query[q] = (max(times), len(r.hits), r.mode)
    db.close()

    targets = {"long": 100.0, "short": 300.0}
    print()
    print(f"cache: {figures['messages']:,} messages, {figures['file_mb']:,} MB, SQLite {figures['sqlite']}")
    print(f"floor: primary-key lookup median {floor_pk:.3f} ms; SELECT count(*) FROM messages_fts median {floor_count:.1f} ms")
    ok = True
    for label, name in (("long", "3+ characters (FTS5 trigram)"), ("short", "1-2 characters (bounded LIKE)")):
        v = results[label]
        p50, p95 = pct(v, 50), pct(v, 95)
        passed = p95 <= targets[label]
        ok &= passed
        figures[f"{label}_p50_ms"] = round(p50, 1)
        figures[f"{label}_p95_ms"] = round(p95, 1)
        figures[f"{label}_max_ms"] = round(max(v), 1)
        figures[f"{label}_p95_over_pk_floor"] = round(p95 / floor_pk, 0)
        figures[f"{label}_p95_over_count_floor"] = round(p95 / floor_count, 3)
        print(
            f"{name:32s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {max(v):7.1f} ms  "
            f"target {targets[label]:.0f} ms  {'PASS' if passed else 'FAIL'}  "
            f"p95/pk-floor {p95 / floor_pk:,.0f}x  p95/count-floor {p95 / floor_count:.3f}x"
        )
    print("\nslowest queries (max ms, hits, mode):")
    for q, (mx, hits, mode) in sorted(per_query.items(), key=lambda kv: -kv[1][0])[:8]:
        print(f"  {q!r:24s} {mx:7.1f} ms  {hits:3d} hits  {mode}")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    if tmp is not None:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
