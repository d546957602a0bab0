"""`workstation sync`: a headless sync with the ticket API, for support staff and scripts.

``workstation sync --server URL --user NAME --password-stdin --once [--data-dir DIR]`` signs
in, runs one full round (push the outbox, pull until up to date) against the cache in the data
directory and prints one JSON object ``{"pulled", "pushed", "rejected", "pending", "cursor"}``.
The cursor is kept in the cache, so the next run pulls only what changed. Without ``--once``
it keeps syncing (live hints plus polling) and prints one JSON line per round until Ctrl-C.

Errors are one line on standard error and a non-zero exit: 2 usage, 3 server unreachable or
failing, 4 sign-in refused, 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from workstation.sync.engine import SyncEngine, SyncStatus

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_AUTH = 4

PROG = "workstation sync"


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``sync`` subcommand on an argparse sub-parsers object."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "sync",
        help="sync the local cache with the ticket API without the UI (for scripts)",
        description=(
            "Sign in, push the outbox and pull changes into the cache in the data directory. "
            "With --once, run one round and print one JSON object "
            '{"pulled", "pushed", "rejected", "pending", "cursor"}.'
        ),
    )
    parser.add_argument("--server", metavar="URL", help="ticket API base URL (default: WORKSTATION_SERVER_URL)")
    parser.add_argument("--user", metavar="NAME", required=True, help="user name to sign in as")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of standard input"
    )
    parser.add_argument("--once", action="store_true", help="run one full round, print its JSON summary, exit")
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="where the cache lives (default: data dir)")
    parser.add_argument("--page-size", type=int, default=1000, metavar="N", help="changes per pull page")
    parser.add_argument("--poll", type=float, default=30.0, metavar="SECONDS", help="polling interval without --once")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    return parser


def _fail(code: int, message: str, err: TextIO) -> int:
    print(f"{PROG}: {message}", file=err)
    return code


def run(args: argparse.Namespace, *, stdin: TextIO | None = None, out: TextIO | None = None,
        err: TextIO | None = None) -> int:
    from workstation.config import ConfigError, Settings
    from workstation.domain.clock import system_clock
    from workstation.store import outbox
    from workstation.store import state as store_state
    from workstation.store.db import CacheCorrupt, CacheDatabase, quarantine, salvage_outbox
    from workstation.sync.api import ApiClient, ApiError
    from workstation.sync.engine import RoundResult, StoreCache, SyncEngine
    from workstation.sync.transport import RetryPolicy

    stdin = stdin or sys.stdin
    out = out or sys.stdout
    err = err or sys.stderr

    if not args.password_stdin:
        return _fail(EXIT_USAGE, "give the password on standard input with --password-stdin", err)
    password = stdin.readline().rstrip("\r\n")
    if not password:
        return _fail(EXIT_USAGE, "no password on standard input", err)
    if args.page_size < 1:
        return _fail(EXIT_USAGE, "--page-size must be at least 1", err)
    try:
        settings = Settings.from_env()
        if args.server:
            settings = settings.with_(server_url=args.server.rstrip("/"))
    except ConfigError as exc:
        return _fail(EXIT_USAGE, str(exc), err)
    data_dir: Path = (args.data_dir or settings.data_dir).expanduser().resolve()
    server_url = settings.server_url

    api = ApiClient(
        base_url=server_url,
        timeout=settings.http_timeout,
        retry=RetryPolicy(max_attempts=3, base=0.5, cap=5.0),
    )
    try:
        try:
            session = api.login(args.user, password)
        except ApiError as exc:
            if exc.is_network:
                return _fail(EXIT_UNREACHABLE, f"cannot reach the server at {server_url}: {exc.detail or exc.title}", err)
            if exc.status in (401, 403):
                return _fail(EXIT_AUTH, f"sign-in refused for {args.user!r}: {exc.detail or exc.title}", err)
            if exc.is_transient:
                return _fail(EXIT_UNREACHABLE, f"the server at {server_url} is failing: {exc}", err)
            return _fail(EXIT_ERROR, f"sign-in failed: {exc}", err)

        cache_path = data_dir / "cache.sqlite3"
        try:
            db = CacheDatabase.open(cache_path)
        except CacheCorrupt as exc:
            saved = salvage_outbox(cache_path)
            moved = quarantine(cache_path)
            print(f"{PROG}: {exc}; moved it to {moved}, kept {len(saved)} unsent changes, resyncing", file=err)
            db = CacheDatabase.open(cache_path)
            outbox.restore(db, saved)

        try:
            user_id = str(session.user.get("id") or args.user)
            with db.write() as s:
                owner = (store_state.get(s, store_state.SERVER_URL), store_state.get(s, store_state.USER_ID))
                if owner == (None, None):
                    store_state.put(s, store_state.SERVER_URL, server_url)
                    store_state.put(s, store_state.USER_ID, user_id)
                elif owner != (server_url, user_id):
                    return _fail(
                        EXIT_ERROR,
                        f"the cache in {data_dir} belongs to another account ({owner[1]} at {owner[0]}); "
                        "use another --data-dir",
                        err,
                    )
                client_id = store_state.ensure_client_id(s)

            engine = SyncEngine(
                api=api,
                cache=StoreCache(db),
                client_id=client_id,
                clock=system_clock,
                page_size=args.page_size,
                poll_interval=args.poll,
                live=not args.once,
            )

            def outcome(result: RoundResult) -> int:
                if result.state == "online":
                    return EXIT_OK
                if result.state == "offline":
                    return _fail(EXIT_UNREACHABLE, f"{result.message} ({result.pending} changes kept for later)", err)
                if "sign in again" in result.message:
                    return _fail(EXIT_AUTH, result.message, err)
                return _fail(EXIT_ERROR, result.message, err)

            if args.once:
                result = engine.run_once()
                code = outcome(result)
                if code == EXIT_OK:
                    print(json.dumps(result.summary(), ensure_ascii=False), file=out, flush=True)
                return code

            return _follow(engine, out)
        finally:
            db.close()
    finally:
        api.close()


def _follow(engine: SyncEngine, out: TextIO) -> int:
    """Keep syncing until Ctrl-C, one JSON line per finished round."""
    done = threading.Event()

    def report(status: SyncStatus) -> None:
        if status.state != "syncing":
            line = {"state": status.state, "pending": status.pending, "message": status.message,
                    "last_sync_at": status.last_sync_at.isoformat() if status.last_sync_at else None}
            print(json.dumps(line, ensure_ascii=False), file=out, flush=True)

    engine.subscribe(report)
    engine.start()
    try:
        while not done.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
    return EXIT_OK
