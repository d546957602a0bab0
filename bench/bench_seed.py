"""Seed speed: 100k conversations / ~1M messages on SQLite in <= 3 min.

    python bench/bench_seed.py [--conversations 100000] [--seed 7] [--keep DIR]

Measured: `seed_database` into a fresh SQLite file (migrations, generation, inserts, commit).
Floor, in the same run: a plain `sqlite3` executemany of the same rows (same tables, same
columns, values already converted to what SQLAlchemy stores, generated beforehand and not
timed) into a fresh file with the same schema and the same bulk-load pragmas. The ratio says
what generation plus SQLAlchemy cost on top of SQLite's own insert work.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import report  # noqa: E402

from workstation.domain.money import FEN  # noqa: E402
from workstation.domain.policy import load_policy  # noqa: E402
from workstation.server.db import Database  # noqa: E402
from workstation.server.migrate import upgrade  # noqa: E402
from workstation.server.seed import TABLE_ORDER, World, iter_world, seed_database  # noqa: E402
from workstation.server.tables import User  # noqa: E402

TARGET_SECONDS = 180.0


def _plain(value: Any) -> Any:
    """A value as SQLAlchemy hands it to sqlite3 (UtcDateTime, Money, JSON, Date, Boolean)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value / FEN)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def floor_seconds(path: Path, conversations: int, seed: int, now: datetime) -> tuple[float, int]:
    url = f"sqlite:///{path}"
    db = Database.connect(url)
    upgrade(db)
    db.dispose()
    world = World(seed=seed, now=now, policy=load_policy(), password_hash="x" * 97)
    tables = [(User.__table__, world.users())]  # type: ignore[attr-defined]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE").fetchall()
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA foreign_keys=ON")
    spent = 0.0
    rows_total = 0
    seq = 0
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    spent += time.perf_counter() - t0

    def load(table: Any, rows: list[dict[str, Any]]) -> None:
        nonlocal spent, rows_total, seq
        if not rows:
            return
        columns = [c.name for c in table.columns if c.name in rows[0] or c.name == "change_seq"]
        tuples = []
        for row in rows:
            seq += 1
            row["change_seq"] = seq
            tuples.append(tuple(_plain(row.get(c)) for c in columns))
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        t = time.perf_counter()
        conn.executemany(sql, tuples)
        spent += time.perf_counter() - t
        rows_total += len(tuples)

    for table, rows in tables:
        load(table, rows)
    for chunk in iter_world(world, conversations):
        for table in TABLE_ORDER:
            load(table, chunk[table.name])
    t = time.perf_counter()
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL").fetchall()
    conn.close()
    spent += time.perf_counter() - t
    return spent, rows_total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="keep the seeded database in this directory")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    target = TARGET_SECONDS * args.conversations / 100_000
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
        where = args.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        seeded = where / "seeded.db"
        for p in where.glob("seeded.db*"):
            p.unlink()
        result = seed_database(
            f"sqlite:///{seeded}", conversations=args.conversations, seed=args.seed,
            demo_password="bench-pass-2026", now=now,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
        rows = sum(result.counts.values())
        print(
            f"seed: {args.conversations:,} conversations, {result.counts.get('messages', 0):,} messages, "
            f"{rows:,} rows in {result.seconds:.1f} s ({rows / result.seconds:,.0f} rows/s); "
            f"file {seeded.stat().st_size / 1e6:,.0f} MB",
            flush=True,
        )
        floor, floor_rows = floor_seconds(Path(tmp) / "floor.db", args.conversations, args.seed, now)
        print(f"floor: plain sqlite3 executemany of {floor_rows:,} rows in {floor:.1f} s ({floor_rows / floor:,.0f} rows/s)")
        report(f"seed {args.conversations:,} conversations (SQLite)", result.seconds, target, floor, "s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
