"""`workstation demo`: a seeded central ticket API on 127.0.0.1 and the desktop app signed in.

The server runs as child processes (`python -m workstation.server ...`); client code never
imports the server package. The data directory keeps the seeded SQLite database and
`demo.json` (seed parameters and the demo password), so later runs start in seconds.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from workstation.config import Settings
from workstation.sync.api import ApiClient, ApiError

DEMO_USERS = {
    "agent": "agent",
    "senior": "senior",
    "lead": "lead",
    "engineer": "engineer",
    "admin": "admin",
}
DEFAULT_PASSWORD = "demo-pass-2026"
DEFAULT_CONVERSATIONS = 3000
DEMO_SEED = 7
STATE_FILE = "demo.json"
DB_FILE = "server.db"
LOG_FILE = "server.log"
HEALTH_TIMEOUT_S = 60.0


class DemoError(RuntimeError):
    """The demo could not start; the message says why and what to look at."""


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoOptions:
    role: str = "agent"
    data_dir: Path
    conversations: int = DEFAULT_CONVERSATIONS
    screenshot: Path | None = None
    fresh: bool = False
    language: str = ""


def default_demo_dir(settings: Settings) -> Path:
    return settings.data_dir / "demo"


def database_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / DB_FILE).resolve().as_posix()}"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


def _server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "workstation.server", *args]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _remove_database(data_dir: Path) -> None:
    for name in (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm", DB_FILE + "-journal", STATE_FILE):
        (data_dir / name).unlink(missing_ok=True)


CLIENT_DIR = "client"


def client_dir(data_dir: Path) -> Path:
    """The demo client's data directory (its caches and UI settings) inside the demo's."""
    return data_dir / CLIENT_DIR


def wipe_client_cache(data_dir: Path) -> int:
    """Delete the demo client's local caches (they describe a database that is gone); the
    UI settings stay. Returns the number of files removed."""
    cache = client_dir(data_dir) / "cache"
    removed = 0
    if cache.is_dir():
        for path in sorted(cache.iterdir()):
            if path.is_file() or path.is_symlink():
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def _read_state(data_dir: Path) -> dict[str, object] | None:
    try:
        state = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("seeded") is True else None


def ensure_seeded(options: DemoOptions, *, log: Path) -> str:
    """Seed the demo database unless a finished seed is already there; returns the password."""
    data_dir = options.data_dir
    state = None if options.fresh else _read_state(data_dir)
    if state is not None and (data_dir / DB_FILE).exists():
        return str(state.get("password") or DEFAULT_PASSWORD)
    _remove_database(data_dir)  # a half-seeded database is worse than none
    # A new server database restarts the change sequence and makes new ids: a client cache
    # of the old one would keep stale rows and a cursor the server never issued.
    if removed := wipe_client_cache(data_dir):
        print(f"Removed {removed} files of the demo client's cache.", file=sys.stderr, flush=True)
    password = os.environ.get("WORKSTATION_DEMO_PASSWORD", DEFAULT_PASSWORD)
    print(
        f"Seeding {options.conversations} demo conversations into {data_dir / DB_FILE} ...",
        file=sys.stderr,
        flush=True,
    )
    command = _server_command(
        "seed",
        "--database", database_url(data_dir),
        "--conversations", str(options.conversations),
        "--seed", str(DEMO_SEED),
        "--demo-password", password,
    )  # fmt: skip
    with log.open("ab") as out:
        result = subprocess.run(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=_child_env()
        )
    if result.returncode != 0:
        _remove_database(data_dir)
        raise DemoError(
            f"seeding the demo database failed (exit {result.returncode}).\n"
            f"command: {' '.join(command[:-1])} ***\n--- {log} (tail) ---\n{_tail(log)}"
        )
    state = {
        "seeded": True,
        "conversations": options.conversations,
        "seed": DEMO_SEED,
        "password": password,
        "users": DEMO_USERS,
    }
    path = data_dir / STATE_FILE
    path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    try:
        path.chmod(0o600)
    except OSError:
        pass
    return password


class ServerProcess:
    """`workstation.server serve` as a child process; stops on exit of the context."""

    def __init__(
        self, *, database: str, log: Path, host: str = "127.0.0.1", port: int | None = None
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.database = database
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        command = _server_command(
            "serve", "--database", self.database, "--host", self.host, "--port", str(self.port)
        )
        out = self.log.open("ab")
        try:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=_child_env()
            )
        finally:
            out.close()  # the child holds its own descriptor

    def wait_healthy(self, timeout: float = HEALTH_TIMEOUT_S) -> dict[str, object]:
        assert self._process is not None, "start() first"
        deadline = time.monotonic() + timeout
        with ApiClient(base_url=self.url, timeout=2.0) as probe:
            while True:
                code = self._process.poll()
                if code is not None:
                    raise DemoError(
                        f"the demo server exited with status {code} before it was ready.\n"
                        f"--- {self.log} (tail) ---\n{_tail(self.log)}"
                    )
                try:
                    return probe.health()
                except ApiError:
                    pass
                if time.monotonic() > deadline:
                    raise DemoError(
                        f"the demo server did not answer {self.url}/health within {timeout:.0f} s.\n"
                        f"--- {self.log} (tail) ---\n{_tail(self.log)}"
                    )
                time.sleep(0.1)

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def run_demo(options: DemoOptions, *, settings: Settings | None = None) -> int:
    if options.role not in DEMO_USERS:
        raise DemoError(f"unknown role {options.role!r}; choose one of {', '.join(DEMO_USERS)}")
    options.data_dir.mkdir(parents=True, exist_ok=True)
    log = options.data_dir / LOG_FILE
    password = ensure_seeded(options, log=log)
    settings = settings or Settings.from_env()
    settings = settings.with_(
        data_dir=client_dir(options.data_dir), language=options.language or settings.language
    )
    with ServerProcess(database=database_url(options.data_dir), log=log) as server:
        server.wait_healthy()
        settings = settings.with_(server_url=server.url)
        from workstation import app  # the composition root; imported late, it pulls in Qt

        api = app.make_api_client(settings)
        try:
            username = DEMO_USERS[options.role]
            try:
                session = api.login(username, password)
            except ApiError as exc:
                raise DemoError(
                    f"signing in as the demo user {username!r} failed: {exc}.\n"
                    f"Try again with --fresh to reseed {options.data_dir}."
                ) from exc
            print(
                f"Demo server on {server.url}, signed in as {username}.",
                file=sys.stderr,
                flush=True,
            )
            return app.run_desktop(
                settings=settings, api=api, user=session.user, screenshot=options.screenshot,
                password=password,  # unlocks the idle lock (kept in memory as a salted hash)
            )
        finally:
            api.close()
