"""E-mail out: replies are queued in the email_outbox table and a worker sends them to the relay.

Queueing happens inside the transaction that stores the reply (`queue_email_reply`), so a reply
and its delivery job commit together and a push never waits on a mail server. The worker
(`start_email_sender`, a workers.STARTERS entry) claims due rows, sends them with smtplib in a
thread, and records the outcome: sent, or a retry with exponential backoff, or failed after the
last attempt or a permanent (5xx) refusal. Each outcome is stamped on the message's `delivery`
field, which clients pull like any other change.

Several API processes may run the worker: a claim marks rows `sending` with a lease
(next_attempt_at in the future) and, on PostgreSQL, skips rows another process holds locked,
so a row is sent by one process; a process that dies mid-send leaves a lease that expires and
the row is tried again.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.domain.enums import MessageDirection
from workstation.domain.ids import new_id
from workstation.server.context import ServerContext
from workstation.server.identity import EMAIL
from workstation.server.tables import Conversation, EmailOutbox, Identity, Message

log = logging.getLogger("workstation.server.channels.email_out")

POLL_SECONDS = 0.5
BATCH = 20
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
LEASE_SECONDS = 300
SMTP_TIMEOUT_SECONDS = 30
NO_RELAY = "no SMTP relay configured (set WORKSTATION_SMTP_RELAY_HOST); the reply waits in the outbox"
NO_ADDRESS = "the customer has no e-mail address on record"


def _one_line(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def reply_subject(subject: str | None) -> str:
    base = _one_line(subject or "").strip()
    if not base:
        return "Re: your message"
    return base if base.lower().startswith("re:") else f"Re: {base}"


def queue_email_reply(session: Session, ctx: ServerContext, *, conversation: Conversation, message: Message) -> None:
    """Thread `message` under the customer's last e-mail and put it in the outbox."""
    now = ctx.clock()
    last_in = session.execute(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.direction == MessageDirection.INBOUND.value,
            Message.email_message_id.is_not(None),
        )
        .order_by(Message.sent_at.desc(), Message.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    to_address = session.execute(
        select(Identity.handle)
        .where(Identity.customer_id == conversation.customer_id, Identity.kind == EMAIL)
        .order_by(Identity.created_at.desc(), Identity.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    message_id = f"<{message.id}@{ctx.settings.mail_domain}>"
    in_reply_to = last_in.email_message_id if last_in is not None else None
    references = [r for r in dict.fromkeys([conversation.thread_ref, in_reply_to]) if r]
    subject = message.subject or reply_subject(
        (last_in.subject if last_in is not None else None) or conversation.subject
    )
    message.email_message_id = message_id
    message.in_reply_to = in_reply_to
    message.subject = subject[:300]
    if conversation.thread_ref is None:
        conversation.thread_ref = message_id
    if to_address is None:
        message.delivery = "failed"
        log.warning("reply %s not sent: %s", message.id, NO_ADDRESS)
        return
    headers: dict[str, Any] = {"Message-ID": message_id}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = " ".join(references)
    session.add(
        EmailOutbox(
            id=new_id(),
            message_id=message.id,
            to_address=to_address,
            subject=subject[:300],
            body=message.body,
            headers=headers,
            status="pending",
            attempts=0,
            last_error=None if ctx.settings.smtp_relay_host else NO_RELAY,
            next_attempt_at=now,
        )
    )
    message.delivery = "queued"


@dataclass(frozen=True, kw_only=True)
class _Job:
    id: str
    to_address: str
    subject: str
    body: str
    headers: dict[str, Any]


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _due(session: Session, now: datetime) -> Any:
    return (
        select(EmailOutbox)
        .where(EmailOutbox.status.in_(("pending", "sending")), EmailOutbox.next_attempt_at <= now)
        .order_by(EmailOutbox.next_attempt_at, EmailOutbox.id)
    )


def _claim(ctx: ServerContext) -> list[_Job]:
    now = ctx.clock()
    with ctx.db.read() as session:  # cheap look first, so an idle worker never takes the write lock
        if session.execute(_due(session, now).with_only_columns(EmailOutbox.id).limit(1)).first() is None:
            return []
    with ctx.db.write() as session:
        rows = session.execute(_due(session, now).limit(BATCH).with_for_update(skip_locked=True)).scalars().all()
        if not ctx.settings.smtp_relay_host:
            for row in rows:
                row.status = "pending"
                row.last_error = NO_RELAY
                row.next_attempt_at = now + timedelta(seconds=60)
            return []
        jobs = []
        for row in rows:
            row.status = "sending"
            row.attempts += 1
            row.next_attempt_at = now + timedelta(seconds=LEASE_SECONDS)
            jobs.append(_Job(id=row.id, to_address=row.to_address, subject=row.subject, body=row.body, headers=dict(row.headers or {})))
        return jobs


def build_email(ctx: ServerContext, job: _Job) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = ctx.settings.mail_from
    msg["To"] = _one_line(job.to_address)
    msg["Subject"] = _one_line(job.subject)
    msg["Date"] = format_datetime(ctx.clock())
    for name in ("Message-ID", "In-Reply-To", "References"):
        if job.headers.get(name):
            msg[name] = _one_line(str(job.headers[name]))
    msg.set_content(job.body)
    return msg


def _send(ctx: ServerContext, job: _Job) -> None:
    host = ctx.settings.smtp_relay_host
    assert host is not None
    with smtplib.SMTP(host, ctx.settings.smtp_relay_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        smtp.send_message(build_email(ctx, job))


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, (UnicodeError, ValueError))  # a message that can never be encoded


def _record(ctx: ServerContext, job_id: str, error: Exception | None) -> None:
    now = ctx.clock()
    with ctx.db.write() as session:
        row = session.get(EmailOutbox, job_id)
        if row is None:
            return
        message = session.get(Message, row.message_id)
        if error is None:
            row.status = "sent"
            row.last_error = None
            delivery = "sent"
        elif _permanent(error) or row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            delivery = "failed"
        else:
            row.status = "pending"
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            row.next_attempt_at = now + backoff(row.attempts)
            delivery = "queued"
        if message is not None and message.delivery != delivery:
            message.delivery = delivery  # re-stamped, so every desk sees the outcome


def send_due(ctx: ServerContext) -> int:
    """Send what is due now; returns how many rows reached a new outcome."""
    jobs = _claim(ctx)
    for job in jobs:
        error: Exception | None = None
        try:
            _send(ctx, job)
        except Exception as exc:  # every failure is recorded on the row; none stops the batch
            error = exc
            log.warning("sending e-mail %s failed: %s", job.id, exc)
        _record(ctx, job.id, error)
    return len(jobs)


async def _run(ctx: ServerContext) -> None:
    while True:
        try:
            if await asyncio.to_thread(send_due, ctx):
                ctx.hub.poke()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("e-mail sender pass failed", exc_info=True)
        await asyncio.sleep(POLL_SECONDS)


async def start_email_sender(ctx: ServerContext) -> asyncio.Task[None]:
    """workers.STARTERS entry: the outbox sender task."""
    return asyncio.create_task(_run(ctx), name="email-sender")


__all__ = ["queue_email_reply", "send_due", "start_email_sender"]
