"""Shared helpers for the benches: print a figure next to its target and its floor."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def report(name: str, measured: float, target: float, floor: float, unit: str) -> str:
    """Print and return one line: measured, the target it must meet, and the floor measured in
    the same run (the best this machine could do for the same work), with the ratios.

    Lower is better for every unit the benches use (seconds, milliseconds).
    """
    verdict = "OK" if measured <= target else "MISSED"
    vs_floor = measured / floor if floor > 0 else float("inf")
    line = (
        f"{name}: {measured:,.2f} {unit} | target <= {target:,.2f} {unit} ({verdict}, {measured / target:.0%} of target)"
        f" | floor {floor:,.2f} {unit} (x{vs_floor:.2f} the floor)"
    )
    print(line, flush=True)
    return line


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    db_url: str, workdir: Path, *, env: dict[str, str] | None = None, timeout: float = 60
) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m workstation.server serve` on a free loopback port; returns once /health
    answers. Its output goes to `workdir/server.log`."""
    import httpx

    port = free_port()
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 (kept open for the process)
    proc = subprocess.Popen(
        [sys.executable, "-m", "workstation.server", "serve", "--database", db_url,
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early; see {workdir / 'server.log'}")
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"server did not come up in {timeout:.0f} s")
