"""Script picker latency: each keystroke's query over 5,000 scripts.

Builds 5,000 scripts from the default library by variation (titles, tags and texts get
product names, numbers and suffixes; both languages), builds the index once, then types a set
of queries one character at a time — Chinese, pinyin initials, English, several words, absent
words, with and without request-type and language filters — and measures every keystroke's
query. Target: p95 <= 50 ms. Floor, measured in the same run over the same scripts: a plain
lowercase substring scan over the titles for the same keystrokes (the least any search of
these scripts can cost).

    python bench/bench_picker.py                 # 5,000 scripts
    python bench/bench_picker.py --scripts 20000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import report  # noqa: E402
from workstation.scripts.library import load_library  # noqa: E402
from workstation.scripts.model import ScriptVersion, Variant  # noqa: E402
from workstation.scripts.search import ScriptIndex  # noqa: E402

PRODUCTS_ZH = ["空气净化器", "华为手机", "格力空调", "海尔冰箱", "美的洗衣机", "戴森吹风机", "蓝牙耳机", "扫地机器人",
               "电饭煲", "羽绒服", "运动鞋", "面霜", "生鲜水果", "会员卡", "定制沙发"]
PRODUCTS_EN = ["air purifier", "phone", "air conditioner", "fridge", "washing machine", "hair dryer", "earbuds",
               "robot vacuum", "rice cooker", "down jacket", "sneakers", "face cream", "fresh fruit", "gift card",
               "custom sofa"]
QUERIES = [
    ("退货退款", None, None),
    ("thtk", None, None),
    ("物流", "inquiry", "zh"),
    ("wlcz", None, "zh"),
    ("补偿 优惠券", None, None),
    ("维修进度", "repair", None),
    ("refund", None, "en"),
    ("parcel tracking", "inquiry", None),
    ("apology delay", None, "en"),
    ("compensation coupon", "complaint", None),
    ("xyzzy", None, None),
    ("不存在的话术", None, None),
    ("空调", None, None),
    ("fridge repair", None, None),
]


def generate(n: int, seed: int = 7) -> list[ScriptVersion]:
    base = list(load_library())
    rng = random.Random(seed)
    out: list[ScriptVersion] = []
    i = 0
    while len(out) < n:
        s = base[i % len(base)]
        i += 1
        zh = s.language == "zh"
        product = rng.choice(PRODUCTS_ZH if zh else PRODUCTS_EN)
        suffix = f"{product}{'版' if zh else ' edition'} {i}"
        variants = {
            ch: Variant(body=f"{v.body} {product}", subject=(f"{v.subject} {product}" if v.subject else None))
            for ch, v in s.variants.items()
        }
        out.append(replace(s, key=f"{s.key}.{i}", title=f"{s.title}（{suffix}）" if zh else f"{s.title} ({suffix})",
                           tags=(*s.tags, product), variants=variants))
    return out


def keystrokes() -> list[tuple[str, str | None, str | None]]:
    out = []
    for text, rt, lang in QUERIES:
        for k in range(1, len(text) + 1):
            out.append((text[:k], rt, lang))
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) >= 2 else values[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scripts", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    scripts = generate(args.scripts)
    t0 = time.perf_counter()
    index = ScriptIndex.build(scripts)
    build_s = time.perf_counter() - t0
    print(f"{len(index):,} scripts, index built in {build_s * 1000:,.0f} ms")

    strokes = keystrokes()
    titles = [s.title.lower() for s in scripts]
    measured: list[float] = []
    floor: list[float] = []
    hits = 0
    for _ in range(args.rounds):
        for text, rt, lang in strokes:
            t = time.perf_counter()
            found = index.query(text, request_type=rt, language=lang, limit=20)
            measured.append((time.perf_counter() - t) * 1000)
            hits += bool(found)
            term = text.lower()
            t = time.perf_counter()
            _ = [title for title in titles if term in title][:20]
            floor.append((time.perf_counter() - t) * 1000)
    print(f"{len(strokes)} keystrokes x {args.rounds} rounds; {hits / len(measured):.0%} of keystrokes found something;"
          f" median {statistics.median(measured):.2f} ms, max {max(measured):.2f} ms")
    line = report(f"picker keystroke p95 over {len(index):,} scripts", p95(measured), 50.0, p95(floor), "ms")
    return 0 if "OK" in line else 1


if __name__ == "__main__":
    raise SystemExit(main())
