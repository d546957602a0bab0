"""`workstation-server`: serve, create-user, seed, simulate, migrate."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from workstation.domain.enums import Role

DEFAULT_DB = "sqlite:///workstation-server.db"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from exc
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workstation-server", description="Central ticket API for Workstation.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the API (migrates the database first)")
    serve.add_argument("--database", default=DEFAULT_DB, help="sqlite:///PATH or postgresql://USER@HOST/DB")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_positive, default=8765)
    serve.add_argument("--smtp-port", type=_positive, default=None, help="also accept e-mail over SMTP on this port")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])

    create = sub.add_parser("create-user", help="add a user; the password is read from standard input")
    create.add_argument("--database", default=DEFAULT_DB)
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--display-name")
    create.add_argument("--queues", default="", help="comma-separated queue names")
    create.add_argument("--tenure-start", type=date.fromisoformat, help="YYYY-MM-DD, for seniority")
    create.add_argument("--password-stdin", action="store_true", required=True)

    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--database", default=DEFAULT_DB)

    seed = sub.add_parser("seed", help="fill the database with a realistic, deterministic demo world")
    seed.add_argument("--database", default=DEFAULT_DB)
    seed.add_argument("--conversations", type=_positive, default=2000)
    seed.add_argument("--seed", type=int, default=7)
    seed.add_argument("--demo-password", default="demo-pass-2026", help="password of the demo users")

    sim = sub.add_parser("simulate", help="post live customer traffic through the real intake endpoints")
    sim.add_argument("--server", default="http://127.0.0.1:8765")
    sim.add_argument("--rate", type=float, default=2.0, help="messages per second")
    sim.add_argument("--duration", type=float, default=0.0, help="seconds to run; 0 runs until stopped")
    sim.add_argument("--seed", type=int, default=11)
    sim.add_argument("--secret", default=None, help="webhook HMAC secret (default: WORKSTATION_WEBHOOK_SECRET)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one clear line instead of a traceback for operator mistakes
        from workstation.server.db import DatabaseUrlError

        known = (DatabaseUrlError, ValueError, OSError)
        if isinstance(exc, known):
            print(f"workstation-server {args.command}: {exc}", file=sys.stderr)
            return 2
        raise


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    if args.command == "create-user":
        return _create_user(args)
    if args.command == "migrate":
        from workstation.server.db import Database
        from workstation.server.migrate import upgrade

        db = Database.connect(args.database)
        upgrade(db)
        db.dispose()
        print("database is up to date")
        return 0
    if args.command == "seed":
        from workstation.server.seed import run_seed_command

        return run_seed_command(args)
    if args.command == "simulate":
        from workstation.server.simulate import run_simulate_command

        return run_simulate_command(args)
    raise AssertionError(args.command)


def _serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from workstation.server.app import create_app
    from workstation.server.db import Database
    from workstation.server.middleware import configure_logging
    from workstation.server.migrate import upgrade
    from workstation.server.settings import ServerSettings

    configure_logging(getattr(logging, args.log_level.upper()))
    settings = ServerSettings.from_env(
        database_url=args.database,
        smtp_listen_host=args.host if args.smtp_port else None,
        smtp_listen_port=args.smtp_port,
    )
    db = Database.connect(settings.database_url)
    upgrade(db)
    db.dispose()
    app = create_app(settings)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0


def _create_user(args: argparse.Namespace) -> int:
    from workstation.domain.clock import system_clock
    from workstation.server import auth
    from workstation.server.changes import install_stamping
    from workstation.server.db import Database
    from workstation.server.migrate import upgrade

    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValueError("no password on standard input")
    install_stamping()
    db = Database.connect(args.database)
    upgrade(db)
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    with db.write() as session:
        user = auth.create_user(
            session,
            username=args.username,
            password=password,
            role=Role(args.role),
            display_name=args.display_name,
            queues=queues,
            tenure_start=args.tenure_start,
            now=system_clock(),
        )
        print(f"created {user.role} {user.username} ({user.id})")
    db.dispose()
    return 0
