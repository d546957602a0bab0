"""Registers the channel workers (SMTP listener, e-mail sender) with workers.STARTERS.

Imported by routes/channels.py, so registration happens when the routes load; idempotent.
"""

from __future__ import annotations

from workstation.server import workers
from workstation.server.channels.email_in import start_smtp_listener
from workstation.server.channels.email_out import start_email_sender


def register() -> None:
    for starter in (start_smtp_listener, start_email_sender):
        if starter not in workers.STARTERS:
            workers.STARTERS.append(starter)
