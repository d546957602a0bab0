"""`workstation` / `python -m workstation`: the desktop client's command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    from workstation import __version__

    parser = argparse.ArgumentParser(
        prog="workstation",
        description=(
            "Desktop workstation for e-commerce after-sales service. "
            "Without a command it opens the sign-in window."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="seed a local ticket API, start it on 127.0.0.1 and open the app signed in",
        description=(
            "Start the central ticket API with seeded demo data (kept in the data directory "
            "between runs) and open the desktop app signed in as the demo user of a role."
        ),
    )
    demo.add_argument(
        "--role",
        choices=("agent", "senior", "lead", "engineer", "admin"),
        default="agent",
        help="whose desk to open (default: agent)",
    )
    demo.add_argument(
        "--data-dir", type=Path, help="where the demo database lives (default: <data dir>/demo)"
    )
    demo.add_argument(
        "--conversations",
        type=int,
        default=None,
        metavar="N",
        help="conversations to seed on first run (default: 3000)",
    )
    demo.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE.png",
        help="render the window to a PNG after the first data load, then exit",
    )
    demo.add_argument(
        "--fresh", action="store_true", help="throw the demo database away and seed again"
    )
    demo.add_argument(
        "--language",
        default="",
        metavar="LANG",
        help="UI language, e.g. zh_CN or en (default: system)",
    )
    demo.add_argument("-v", "--verbose", action="store_true", help="log more")

    from workstation.sync import cli as sync_cli

    sync_cli.add_parser(sub)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from workstation.config import Settings
    from workstation.demo import (
        DEFAULT_CONVERSATIONS,
        DemoError,
        DemoOptions,
        default_demo_dir,
        run_demo,
    )

    settings = Settings.from_env()
    conversations = DEFAULT_CONVERSATIONS if args.conversations is None else args.conversations
    if conversations < 1:
        print("workstation demo: --conversations must be at least 1", file=sys.stderr)
        return 2
    options = DemoOptions(
        role=args.role,
        data_dir=(args.data_dir or default_demo_dir(settings)).expanduser().resolve(),
        conversations=conversations,
        screenshot=args.screenshot.expanduser().resolve() if args.screenshot else None,
        fresh=args.fresh,
        language=args.language,
    )
    try:
        return run_demo(options, settings=settings)
    except DemoError as exc:
        print(f"workstation demo: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "demo":
        return _demo(args)
    if args.command == "sync":
        from workstation.sync import cli as sync_cli

        return sync_cli.run(args)
    return _gui()


def _gui() -> int:
    """No subcommand: the sign-in dialog, then the desk."""
    from workstation.config import ConfigError, Settings

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"workstation: {exc}", file=sys.stderr)
        return 2
    from workstation import app

    try:
        return app.run_gui(settings=settings)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
