"""Webhook intake under a fixed open-loop load: does one server process sustain 200 msg/s
with p95 intake latency <= 50 ms?

Starts a real server process (`python -m workstation.server serve`) on a fresh SQLite database,
then fires signed chat/app/SMS/social webhooks at a fixed rate from several concurrent senders.
The load is open-loop: request i is due at t0 + i/rate whether or not earlier ones have been
answered, so a slow server shows up as latency, not as a politely lowered rate. Latency is
measured from the due time (so client-side queueing counts against the server, no coordinated
omission) and, for reference, from the moment the request was actually sent.

The floor is measured in the same run against the same process: GET /health at the same rate
(HTTP + framework + one trivial query). The ratio webhook p95 / floor p95 says how much the
intake itself costs.

    python bench/bench_webhooks.py [--rate 200] [--duration 15] [--senders 16]
    python bench/bench_webhooks.py --rates 120,160,200   # a sweep, each rate with its floor

The load generator runs on the same machine as the server and costs CPU too (its figure is
printed per request): on a 2-core box the two together must fit in two cores, so it writes
plain HTTP/1.1 on keep-alive sockets (uvloop when installed) rather than going through an HTTP
client library, and the load average is worth checking first (`--quiet-below 1.5` waits up to
`--quiet-wait` seconds for it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import start_server as serve  # noqa: E402

from workstation.server.channels.signature import signed_headers  # noqa: E402

SECRET = "bench-secret"
TARGET_RATE = 200.0
TARGET_P95_MS = 50.0
CHANNELS = ("chat", "app", "sms", "social", "live_stream", "web_form")
TEXTS = (
    "你好，我的快递三天没动了，能帮忙查一下吗？",
    "收到的杯子破损了，我要退货退款",
    "衣服尺码偏小，想换大一号",
    "耳机左边没声音，还在保修期内吗？",
    "Hi, where is my parcel? Order placed last week.",
    "I want a refund, the item is not as described.",
    "建议你们增加晚上配送的时间段 🙏",
    "这是假货吧？和专柜的不一样！",
    "Can I exchange the blue one for black?",
    "草莓到的时候已经变质了",
)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


@dataclass
class Run:
    name: str
    due_ms: list[float] = field(default_factory=list)  # from the scheduled time
    service_ms: list[float] = field(default_factory=list)  # from the actual send
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    wall_s: float = 0.0
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0

    def summary(self) -> dict[str, float | int | str | dict[str, int]]:
        return {
            "name": self.name,
            "requests": self.sent,
            "ok": len(self.due_ms),
            "errors": self.errors,
            "achieved_rate": round(len(self.due_ms) / self.wall_s, 1) if self.wall_s else 0.0,
            "p50_ms": round(percentile(self.due_ms, 50), 2),
            "p95_ms": round(percentile(self.due_ms, 95), 2),
            "p99_ms": round(percentile(self.due_ms, 99), 2),
            "max_ms": round(max(self.due_ms), 2) if self.due_ms else float("nan"),
            "service_p95_ms": round(percentile(self.service_ms, 95), 2),
            "mean_ms": round(statistics.fmean(self.due_ms), 2) if self.due_ms else float("nan"),
            "client_cpu_s": round(self.client_cpu_s, 2),
            "server_cpu_s": round(self.server_cpu_s, 2),
            "server_cpu_ms_per_request": round(self.server_cpu_s * 1000 / max(self.sent, 1), 2),
        }


def cpu_seconds(pid: int | None) -> float:
    """User+system CPU of a process (Linux /proc), or of this process when pid is None."""
    if pid is None:
        usage = os.times()
        return usage.user + usage.system
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


SERVER_PID: int | None = None


class _Connection:
    """One keep-alive HTTP/1.1 connection: writes a request, reads the reply (Content-Length).

    The load generator shares the box with the server; httpx cost about 2 ms of CPU per request
    here, as much as the server's work, so requests go out as plain bytes on a socket instead.
    """

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> int:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        assert self._reader is not None
        payload = body or b""
        head = [f"{method} {path} HTTP/1.1", f"host: {self._host}:{self._port}", f"content-length: {len(payload)}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
        try:
            status_line, _, rest = (await self._reader.readuntil(b"\r\n\r\n")).partition(b"\r\n")
            length = next(
                (int(line.split(b":", 1)[1]) for line in rest.split(b"\r\n") if line.lower().startswith(b"content-length:")),
                None,
            )
            if length is None:
                raise ConnectionError("reply without Content-Length")
            await self._reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            raise
        return int(status_line.split(b" ", 2)[1])

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


async def open_loop(
    name: str, base: str, *, rate: float, duration: float, senders: int,
    make: Callable[[int], tuple[str, str, bytes | None, dict[str, str]]],
) -> Run:
    run = Run(name=name)
    client_cpu0, server_cpu0 = cpu_seconds(None), cpu_seconds(SERVER_PID)
    # Open loop with bounded in-flight work: a dispatcher releases request i at its due time
    # into a queue; `senders` workers, each with its own keep-alive connection, take from it.
    # Time spent waiting in the queue counts as latency (measured from the due time), and the
    # client's own CPU stays linear in the request count even when the server falls behind.
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    total = int(rate * duration)
    clock = time.perf_counter  # not loop.time(): uvloop's ticks in whole milliseconds
    address = urlsplit(base)
    host, port = address.hostname or "127.0.0.1", address.port or 80

    async def sender() -> None:
        conn = _Connection(host, port)
        try:
            while (item := await queue.get()) is not None:
                i, due = item
                method, path, body, headers = make(i)
                sent = clock()
                try:
                    status = await asyncio.wait_for(conn.request(method, path, body, headers), timeout=30.0)
                except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                    run.errors[type(exc).__name__] = run.errors.get(type(exc).__name__, 0) + 1
                    await conn.close()
                    continue
                done = clock()
                if status >= 300:
                    run.errors[str(status)] = run.errors.get(str(status), 0) + 1
                    continue
                run.due_ms.append((done - due) * 1000)
                run.service_ms.append((done - sent) * 1000)
        finally:
            await conn.close()

    workers = [asyncio.create_task(sender()) for _ in range(senders)]
    t0 = clock() + 0.2
    for i in range(total):
        due = t0 + i / rate
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, due))
        run.sent += 1
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    run.wall_s = clock() - t0
    run.client_cpu_s = cpu_seconds(None) - client_cpu0
    run.server_cpu_s = cpu_seconds(SERVER_PID) - server_cpu0
    return run


def webhook_request(seed: int) -> Callable[[int], tuple[str, str, bytes | None, dict[str, str]]]:
    rng = random.Random(seed)
    run_tag = f"{seed}-{int(time.time())}"

    def make(i: int) -> tuple[str, str, bytes | None, dict[str, str]]:
        channel = rng.choice(CHANNELS)
        sender = rng.randrange(2000)
        handle = f"1380000{sender:04d}" if channel == "sms" else f"{channel}-user-{sender}"
        payload = {
            "message_id": f"bench-{run_tag}-{i}",
            "sender": {"handle": handle, "name": f"客户{sender}"},
            "text": rng.choice(TEXTS),
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"content-type": "application/json", **signed_headers(SECRET, body, timestamp=int(time.time()))}
        return "POST", f"/channels/{channel}/messages", body, headers

    return make


def health_request(i: int) -> tuple[str, str, bytes | None, dict[str, str]]:
    return "GET", "/health", None, {}


def start_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    db_url = f"sqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "WORKSTATION_WEBHOOK_SECRET": SECRET}
    subprocess.run([sys.executable, "-m", "workstation.server", "migrate", "--database", db_url],
                   check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    return serve(db_url, workdir, env={"WORKSTATION_WEBHOOK_SECRET": SECRET})


def count_rows(workdir: Path) -> dict[str, int]:
    import sqlite3

    con = sqlite3.connect(workdir / "bench.db")
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("messages", "conversations", "customers")}
    finally:
        con.close()


async def main_async(args: argparse.Namespace, base: str, rates: list[float]) -> list[tuple[float, Run, Run]]:
    # Warm up both paths (imports, pools, SQLite page cache) before measuring.
    await open_loop("warmup", base, rate=50, duration=2, senders=2, make=webhook_request(args.seed + 1))
    await open_loop("warmup", base, rate=50, duration=1, senders=2, make=health_request)
    out = []
    for n, rate in enumerate(rates):
        hooks = await open_loop("webhooks", base, rate=rate, duration=args.duration, senders=args.senders,
                                make=webhook_request(args.seed + 100 * n))
        floor = await open_loop("floor: GET /health", base, rate=rate, duration=args.duration,
                                senders=args.senders, make=health_request)
        out.append((rate, hooks, floor))
    return out


def wait_for_quiet(threshold: float, patience: float) -> None:
    """Other work on the machine shows up as latency here: wait (a while) for it to calm down."""
    deadline = time.monotonic() + patience
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        print(f"load average {os.getloadavg()[0]:.2f} >= {threshold:g}: waiting …", file=sys.stderr, flush=True)
        time.sleep(10)


def print_run(rate: float, args: argparse.Namespace, hooks: Run, floor: Run, rows: dict[str, int] | None) -> bool:
    h, f = hooks.summary(), floor.summary()
    print(f"open loop at {rate:g}/s for {args.duration:g} s, {args.senders} senders, one server process, SQLite")
    print(f"{'phase':22} {'sent':>6} {'ok':>6} {'rate/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  errors")
    for s in (h, f):
        print(f"{s['name']:22} {s['requests']:>6} {s['ok']:>6} {s['achieved_rate']:>8} {s['p50_ms']:>8} "
              f"{s['p95_ms']:>8} {s['p99_ms']:>8} {s['max_ms']:>8}  {s['errors'] or '-'}")
    ratio = h["p95_ms"] / f["p95_ms"] if f["p95_ms"] else float("nan")  # type: ignore[operator]
    ok = h["p95_ms"] <= TARGET_P95_MS and h["achieved_rate"] >= 0.97 * rate and not h["errors"]  # type: ignore[operator]
    print(f"webhook p95 {h['p95_ms']} ms vs target {TARGET_P95_MS:g} ms at {rate:g}/s: {'PASS' if ok else 'FAIL'}; "
          f"vs floor p95 {f['p95_ms']} ms: x{ratio:.2f}")
    client_ms = lambda run: round(run.client_cpu_s * 1000 / max(run.sent, 1), 2)  # noqa: E731
    print(f"CPU: server {h['server_cpu_ms_per_request']} ms/webhook, {f['server_cpu_ms_per_request']} ms/health; "
          f"load generator {client_ms(hooks)} ms/webhook, {client_ms(floor)} ms/health; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    if rows is not None:
        print(f"stored: {rows}")
    print(json.dumps({"rate": rate, "webhooks": h, "floor": f, "p95_ratio": round(ratio, 2), "pass": ok, "rows": rows}))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="requests per second (open loop)")
    parser.add_argument("--rates", type=str, default=None, help="comma-separated rates to sweep (overrides --rate)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase")
    parser.add_argument("--senders", type=int, default=16, help="concurrent senders, one connection each")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quiet-below", type=float, default=None, help="wait for this 1-min load average first")
    parser.add_argument("--quiet-wait", type=float, default=300.0, help="longest wait for --quiet-below, seconds")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")] if args.rates else [args.rate]
    if args.quiet_below is not None:
        wait_for_quiet(args.quiet_below, args.quiet_wait)
    print(f"load average before the run: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp:
        workdir = Path(tmp)
        proc, base = start_server(workdir)
        global SERVER_PID
        SERVER_PID = proc.pid
        try:
            try:  # the load generator's own CPU competes with the server's: the cheaper loop
                import uvloop

                results = uvloop.run(main_async(args, base, rates))
            except ImportError:
                results = asyncio.run(main_async(args, base, rates))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        rows = count_rows(workdir)
    verdicts = [print_run(rate, args, hooks, floor, rows if n == len(results) - 1 else None)
                for n, (rate, hooks, floor) in enumerate(results)]
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
