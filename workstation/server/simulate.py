"""`workstation-server simulate`: live customer traffic through the real intake endpoints.

Open loop: sends are scheduled at a steady rate whatever the server's latency (a slow server
does not slow the customers down), so the achieved rate and the error counts say how the
server copes. The traffic mixes first messages and follow-ups from a recurring pool of
customers on chat, app, SMS, social, live-stream and web form, plus phone calls that ring,
are answered and end. Every request is signed like a real channel gateway would sign it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from workstation.server.seeddata import catalog, dialogue, people

MESSAGE_CHANNELS: tuple[str, ...] = ("chat", "app", "sms", "social", "live_stream", "web_form")
CHANNEL_WEIGHTS: tuple[int, ...] = (30, 22, 8, 14, 8, 10)
PHONE_SHARE = 0.12  # share of scheduled sends that are phone events
FOLLOW_UP_SHARE = 0.45
REPORT_EVERY = 5.0
MAX_IN_FLIGHT = 2000


@dataclass
class SimCustomer:
    name: str
    lang: str
    phone: str
    email: str
    handles: dict[str, str]
    product: str
    order_no: str | None
    talked_on: set[str] = field(default_factory=set)


@dataclass
class SimStats:
    sent: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)  # status code (or exception name) -> count
    dropped: int = 0  # not sent because too many requests were still in flight
    latencies: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return max(time.perf_counter() - self.started, 1e-9)

    def line(self, prefix: str) -> str:
        errs = ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())) or "none"
        lat = sorted(self.latencies)
        p95 = f"{lat[int(len(lat) * 0.95) - 1 if len(lat) > 1 else 0] * 1000:.0f} ms" if lat else "-"
        return (
            f"{prefix} {self.elapsed():6.1f} s: sent {self.sent}, ok {self.ok}, errors {{{errs}}}, "
            f"dropped {self.dropped}, achieved {self.sent / self.elapsed():.1f}/s, p95 {p95}"
        )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The channel gateway's signature: HMAC-SHA256 over "<timestamp>." + raw body."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class Traffic:
    """What customers say, where and when; deterministic for a seed."""

    def __init__(self, seed: int, pool_size: int = 400) -> None:
        self.rng = random.Random(seed)
        self.run = uuid.UUID(int=self.rng.getrandbits(128)).hex[:8]
        self.pool = [self._customer(i) for i in range(pool_size)]
        self.calls = 0
        self.messages = 0
        self._lines = [sc for sc in dialogue.SCENARIOS]

    def _customer(self, i: int) -> SimCustomer:
        r = self.rng
        lang = "en" if r.random() < 0.2 else "zh"
        if lang == "zh":
            (sur, py1), (giv, py2) = r.choice(people.SURNAMES), r.choice(people.GIVEN)
            name, email = sur + giv, f"{py1}{py2}.sim{i}@{r.choice(people.MAIL_DOMAINS)}"
        else:
            first, last = r.choice(people.EN_FIRST), r.choice(people.EN_LAST)
            name, email = f"{first} {last}", f"{first}.{last}.sim{i}@{r.choice(people.EN_MAIL_DOMAINS)}".lower().replace("ü", "ue")
        phone = r.choice(people.PHONE_PREFIXES) + f"{r.randrange(10**8):08d}"
        tag = f"{i:04d}{r.getrandbits(20):05x}"
        category = r.choice(list(catalog.PRODUCTS))
        _, zh, en, _, _ = r.choice(catalog.PRODUCTS[category])
        handles = {
            "chat": f"sim-v-{tag}", "app": f"sim-u{tag}", "sms": phone, "social": f"sim-wx-{tag}",
            "live_stream": f"sim-live-{tag}", "web_form": email,
        }
        order_no = f"9{r.randrange(10**15):015d}" if r.random() < 0.5 else None
        return SimCustomer(name, lang, phone, email, handles, zh if lang == "zh" else en, order_no)

    def message(self) -> tuple[str, dict[str, Any]]:
        r = self.rng
        self.messages += 1
        talked = [c for c in self.pool[:60] if c.talked_on] if r.random() < FOLLOW_UP_SHARE else []
        if talked:
            c = r.choice(talked)
            channel = r.choice(sorted(c.talked_on))
            kind = "cust"
        else:
            c = r.choice(self.pool)
            channel = r.choices(MESSAGE_CHANNELS, CHANNEL_WEIGHTS)[0]
            kind = "open"
        c.talked_on.add(channel)
        sc = r.choice(self._lines)
        slots = {"product": c.product, "order_no": c.order_no or "", "agent": "", "tracking": "", "amount": "", "name": c.name}
        text = r.choice(sc[c.lang][kind]).format_map(slots)
        sender: dict[str, Any] = {"handle": c.handles[channel], "name": c.name}
        if channel in ("sms", "web_form") or r.random() < 0.3:
            sender["phone"] = c.phone
        if channel == "web_form":
            sender["email"] = c.email
        body: dict[str, Any] = {
            "message_id": f"sim-{self.run}-{self.messages:09d}",
            "sender": sender,
            "text": text,
            "sent_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        if channel == "web_form":
            body["subject"] = r.choice(sc[c.lang]["subject"]).format_map(slots)
        if c.order_no and kind == "open":
            body["order_no"] = c.order_no
        return channel, body

    def call(self) -> tuple[str, str, float, float]:
        """A call id, the caller, when it is answered and when it ends (seconds after ringing)."""
        r = self.rng
        self.calls += 1
        answered = r.uniform(1, 8)
        return f"sim-{self.run}-call{self.calls:07d}", r.choice(self.pool).phone, answered, answered + r.uniform(5, 40)


async def _post(
    client: httpx.AsyncClient, secret: str, path: str, payload: dict[str, Any], stats: SimStats
) -> None:
    raw = json.dumps(payload, ensure_ascii=False).encode()
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Workstation-Timestamp": ts,
        "X-Workstation-Signature": sign(secret, ts, raw),
    }
    stats.sent += 1
    t0 = time.perf_counter()
    try:
        resp = await client.post(path, content=raw, headers=headers)
    except httpx.HTTPError as exc:
        stats.errors[type(exc).__name__] += 1
        return
    stats.latencies.append(time.perf_counter() - t0)
    if resp.status_code < 300:
        stats.ok += 1
    else:
        stats.errors[str(resp.status_code)] += 1


async def simulate(
    *,
    server: str,
    rate: float,
    duration: float,
    seed: int,
    secret: str,
    transport: httpx.AsyncBaseTransport | None = None,
    report: Callable[[str], None] = print,
    report_every: float = REPORT_EVERY,
    stats: SimStats | None = None,
) -> SimStats:
    """Send traffic at ``rate`` per second for ``duration`` seconds (0: until cancelled)."""
    if rate <= 0:
        raise ValueError("--rate must be above 0")
    traffic = Traffic(seed)
    stats = stats if stats is not None else SimStats()
    tasks: set[asyncio.Task[None]] = set()
    timers: dict[int, tuple[asyncio.TimerHandle, tuple[Any, ...]]] = {}
    keys = itertools.count()
    loop = asyncio.get_running_loop()

    def spawn(path: str, payload: dict[str, Any]) -> None:
        if len(tasks) >= MAX_IN_FLIGHT:
            stats.dropped += 1
            return
        task = loop.create_task(_post(client, secret, path, payload, stats))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def later(delay: float, *event: Any) -> None:
        key = next(keys)

        def fire() -> None:
            timers.pop(key, None)
            phone_event(*event)

        timers[key] = (loop.call_later(delay, fire), event)

    def phone_event(call_id: str, event: str, caller: str, duration_s: int | None = None) -> None:
        payload: dict[str, Any] = {
            "call_id": call_id, "event": event, "caller": caller,
            "at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        if duration_s is not None:
            payload["duration_s"] = duration_s
        spawn("/channels/phone/events", payload)

    async with httpx.AsyncClient(base_url=server, transport=transport, timeout=10.0) as client:
        start = loop.time()
        next_report = start + report_every
        k = 0
        try:
            while True:
                due = start + k / rate
                if duration and due - start >= duration:
                    break
                now = loop.time()
                if due > now:
                    await asyncio.sleep(min(due - now, max(next_report - now, 0)))
                    now = loop.time()
                if now >= next_report:
                    report(stats.line("simulate"))
                    next_report += report_every
                if now < due:
                    continue
                k += 1
                if traffic.rng.random() < PHONE_SHARE:
                    call_id, caller, answered, ended = traffic.call()
                    phone_event(call_id, "ringing", caller)
                    later(answered, call_id, "answered", caller)
                    later(ended, call_id, "ended", caller, int(ended - answered))
                else:
                    channel, payload = traffic.message()
                    spawn(f"/channels/{channel}/messages", payload)
        finally:
            # Calls still going are answered and hung up now, so none is left ringing.
            for handle, event in sorted(timers.values(), key=lambda te: te[0].when()):
                handle.cancel()
                phone_event(*event)
            timers.clear()
            if tasks:
                await asyncio.wait(set(tasks), timeout=10)
    return stats


def run_simulate_command(args: argparse.Namespace) -> int:
    secret = args.secret or os.environ.get("WORKSTATION_WEBHOOK_SECRET")
    if not secret:
        print(
            "workstation-server simulate: no webhook secret; pass --secret or set WORKSTATION_WEBHOOK_SECRET "
            "to the secret the server was started with",
            file=sys.stderr,
        )
        return 2
    if args.rate <= 0:
        print("workstation-server simulate: --rate must be above 0", file=sys.stderr)
        return 2
    print(
        f"simulating {args.rate:g} sends/s against {args.server}"
        + (f" for {args.duration:g} s" if args.duration else " until Ctrl+C"),
        flush=True,
    )
    stats = SimStats()
    try:
        asyncio.run(
            simulate(
                server=args.server, rate=args.rate, duration=args.duration, seed=args.seed, secret=secret,
                report=lambda line: print(line, flush=True), stats=stats,
            )
        )
    except KeyboardInterrupt:
        print(stats.line("simulate: stopped (Ctrl+C) after"))
        return 0
    print(stats.line("simulate: done in"))
    return 0 if stats.sent and not stats.errors else 1
