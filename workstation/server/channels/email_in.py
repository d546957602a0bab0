"""E-mail in over SMTP: an aiosmtpd listener whose handler stores each message.

`ingest_email(ctx, raw)` does the work and needs no sockets: parse the MIME message (plain text
preferred, HTML reduced to text when that is all there is, attachments listed by name and size
only), resolve the sender, thread it, store it. Threading follows In-Reply-To, then References
(newest first), against the Message-IDs we stored and each conversation's thread root; a mail
that threads nowhere opens a new e-mail conversation. A Message-ID seen before is a no-op, so a
relay that delivers twice does no harm.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.domain.enums import ConversationStatus, MessageDirection
from workstation.domain.ids import new_id
from workstation.server.channels.intake import (
    IntakeResult,
    clamp_sent_at,
    find_existing,
    lock_customer,
    note_inbound,
    open_conversation,
    preview_of,
    run_write,
)
from workstation.server.context import ServerContext
from workstation.server.identity import EMAIL, normalise_email, resolve_customer
from workstation.server.tables import Conversation, Message

log = logging.getLogger("workstation.server.channels.email")

CHANNEL = "email"
MAX_BODY_CHARS = 200_000
MAX_EMAIL_BYTES = 10 * 1024 * 1024
_MSGID_RE = re.compile(r"<[^<>\s]+>")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)


class EmailRejected(ValueError):
    """A message we cannot take (no sender address); the SMTP answer is a permanent failure."""


@dataclass(frozen=True, kw_only=True)
class ParsedEmail:
    message_id: str
    from_address: str
    from_name: str | None
    subject: str
    text: str
    in_reply_to: str | None
    references: list[str]
    sent_at: datetime | None
    attachments: list[dict[str, Any]]


class _HtmlText(HTMLParser):
    """HTML to readable text: drop scripts and styles, break lines at block elements."""

    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol"}
    _SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = [" ".join(line.split()) for line in joined.splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


def _ids(value: object) -> list[str]:
    return _MSGID_RE.findall(str(value or ""))


def _clean(text: str) -> str:
    """Text every database stores: NULs removed, undecodable bytes replaced."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header too broken to parse is a header we do not have
        return ""
    return _clean(str(value)) if value is not None else ""


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except Exception:
        payload = part.get_payload(decode=True) or b""
        content = payload.decode(part.get_content_charset() or "utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    return content if isinstance(content, str) else ""


def parse_email(raw: bytes, *, envelope_from: str | None = None) -> ParsedEmail:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    pairs = getaddresses([_header(msg, "From")]) or []
    from_name, from_addr = pairs[0] if pairs else ("", "")
    address = normalise_email(from_addr) or normalise_email(envelope_from)
    if address is None:
        raise EmailRejected("the message has no usable sender address")
    message_ids = _ids(_header(msg, "Message-ID"))
    # No Message-ID: derive one from the bytes, so a second delivery is still recognised.
    message_id = message_ids[0] if message_ids else f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"
    text = ""
    try:
        body = msg.get_body(preferencelist=("plain",))
        if body is not None:
            text = _part_text(body)
        else:
            html = msg.get_body(preferencelist=("html",))
            if html is not None:
                text = html_to_text(_part_text(html))
    except Exception:
        log.warning("could not read the body of %s", message_id, exc_info=True)
    attachments = []
    try:
        for part in msg.iter_attachments():
            payload = part.get_payload(decode=True)
            attachments.append(
                {
                    "name": _clean(part.get_filename() or "attachment")[:300],
                    "content_type": part.get_content_type(),
                    "size": len(payload) if isinstance(payload, bytes) else 0,
                }
            )
    except Exception:
        log.warning("could not list the attachments of %s", message_id, exc_info=True)
    sent_at = None
    date_header = _header(msg, "Date")
    if date_header:
        try:
            parsed = parsedate_to_datetime(date_header)
            if parsed.tzinfo is not None:
                sent_at = parsed.astimezone(UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            sent_at = None
    in_reply = _ids(_header(msg, "In-Reply-To"))
    return ParsedEmail(
        message_id=message_id[:300],
        from_address=address,
        from_name=_clean(from_name).strip()[:200] or None,
        subject=_header(msg, "Subject").strip()[:300],
        text=_clean(text)[:MAX_BODY_CHARS],
        in_reply_to=in_reply[0][:300] if in_reply else None,
        references=[r[:300] for r in _ids(_header(msg, "References"))],
        sent_at=sent_at,
        attachments=attachments[:100],
    )


def external_key(message_id: str) -> str:
    """The Message-ID as the idempotency key (messages.external_id holds 200 characters)."""
    return message_id if len(message_id) <= 200 else "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()


def _thread(session: Session, parsed: ParsedEmail) -> Conversation | None:
    candidates = ([parsed.in_reply_to] if parsed.in_reply_to else []) + list(reversed(parsed.references))
    candidates = list(dict.fromkeys(candidates))
    if not candidates:
        return None
    rows = session.execute(
        select(Message.email_message_id, Message.conversation_id).where(Message.email_message_id.in_(candidates))
    ).all()
    by_id = {mid: conv_id for mid, conv_id in rows}
    for candidate in candidates:
        if candidate in by_id:
            return session.get(Conversation, by_id[candidate])
    return session.execute(
        select(Conversation)
        .where(Conversation.thread_ref.in_(candidates), Conversation.channel == CHANNEL)
        .order_by(Conversation.opened_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def ingest_email(ctx: ServerContext, raw_bytes: bytes, *, envelope_from: str | None = None) -> IntakeResult:
    """Parse and store one e-mail (idempotent on its Message-ID)."""
    parsed = parse_email(raw_bytes, envelope_from=envelope_from)
    key = external_key(parsed.message_id)

    def work(session: Session) -> IntakeResult:
        existing = find_existing(session, channel=CHANNEL, external_id=key)
        if existing is not None:
            return existing
        now = ctx.clock()
        customer = resolve_customer(
            session, ctx, channel=CHANNEL, handle_kind=EMAIL, handle=parsed.from_address, name=parsed.from_name
        )
        lock_customer(session, customer)
        conv = _thread(session, parsed)
        if conv is not None and conv.status == ConversationStatus.CLOSED.value:
            conv = None  # a closed case stays closed; the new mail starts a new one in the same thread
        created = conv is None
        subject = _SUBJECT_PREFIX.sub("", parsed.subject).strip() or parsed.subject
        if conv is None:
            root = parsed.references[0] if parsed.references else (parsed.in_reply_to or parsed.message_id)
            conv = open_conversation(
                session, ctx, customer=customer, channel=CHANNEL, text=parsed.text, subject=subject,
                order=None, now=now, thread_ref=root,
            )
        sent_at = clamp_sent_at(parsed.sent_at, now)
        message = Message(
            id=new_id(),
            conversation_id=conv.id,
            direction=MessageDirection.INBOUND.value,
            channel=CHANNEL,
            body=parsed.text,
            subject=parsed.subject or None,
            external_id=key,
            email_message_id=parsed.message_id,
            in_reply_to=parsed.in_reply_to,
            attachments=parsed.attachments,
            sent_at=sent_at,
        )
        session.add(message)
        note_inbound(
            session, ctx, conv, text="" if created else parsed.text, at=sent_at,
            preview=preview_of(parsed.text, parsed.attachments),
        )
        session.flush()
        return IntakeResult(
            conversation_id=conv.id, message_id=message.id, customer_id=conv.customer_id, duplicate=False,
            new_conversation=created,
        )

    def read_back() -> IntakeResult | None:
        with ctx.db.read() as session:
            return find_existing(session, channel=CHANNEL, external_id=key)

    return run_write(ctx, work, on_conflict=read_back)


class EmailHandler:
    """aiosmtpd handler: every accepted DATA is stored before the server answers 250."""

    def __init__(self, ctx: ServerContext, *, main_loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.ctx = ctx
        self.main_loop = main_loop

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(None, lambda: ingest_email(self.ctx, raw, envelope_from=envelope.mail_from))
        except EmailRejected as exc:
            return f"550 5.6.0 {exc}"
        except Exception:
            log.exception("could not store an incoming e-mail")
            return "451 4.3.0 could not store the message; try again later"
        if not result.duplicate and self.main_loop is not None:
            # The hub lives on the API's event loop; wake it from this (the SMTP) thread safely.
            self.main_loop.call_soon_threadsafe(self.ctx.hub.poke)
        return "250 2.0.0 OK"


class SmtpListener:
    """The running SMTP server; `stop()` shuts it down (workers.stop awaits it)."""

    def __init__(self, controller: Any) -> None:
        self.controller = controller

    async def stop(self) -> None:
        await asyncio.to_thread(self.controller.stop)


async def start_smtp_listener(ctx: ServerContext) -> SmtpListener | None:
    """workers.STARTERS entry: listen for e-mail when settings.smtp_listen_port is set."""
    port = ctx.settings.smtp_listen_port
    if not port:
        return None
    from aiosmtpd.controller import Controller

    handler = EmailHandler(ctx, main_loop=asyncio.get_running_loop())
    controller = Controller(
        handler,
        hostname=ctx.settings.smtp_listen_host or "127.0.0.1",
        port=port,
        server_hostname=ctx.settings.mail_domain,
        data_size_limit=MAX_EMAIL_BYTES,
        enable_SMTPUTF8=True,
        decode_data=False,
    )
    await asyncio.to_thread(controller.start)
    log.info("accepting e-mail on %s:%s", controller.hostname, port)
    return SmtpListener(controller)
