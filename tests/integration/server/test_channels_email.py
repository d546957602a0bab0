"""E-mail in (parsing, threading, the real SMTP listener) and e-mail out (outbox, relay worker)."""

from __future__ import annotations

import smtplib
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.integration.server.conftest import Api, make_settings
from workstation.domain.clock import FixedClock
from workstation.domain.ids import new_id
from workstation.server.app import create_app
from workstation.server.channels import email_out
from workstation.server.channels.email_in import html_to_text, ingest_email
from workstation.server.context import ServerContext
from workstation.server.db import Database
from workstation.server.outbound import deliver_reply
from workstation.server.tables import Conversation, Customer, EmailOutbox, Identity, Message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_app(database_url: str, clock: FixedClock, **overrides: Any) -> Iterator[Api]:
    settings = make_settings(database_url, **overrides)
    db = Database.connect(database_url)
    app = create_app(settings, clock=clock, db=db)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Api(client=client, db=db, clock=clock, settings=settings)
    finally:
        db.dispose()


class Capture:
    """A relay that keeps what it is given."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[tuple[Capture, int]]:
    capture = Capture()
    port = free_port()
    controller = Controller(capture, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield capture, port
    finally:
        controller.stop()


def mail(
    *, frm: str = "Zhang Wei <Zhang.Wei@Example.COM>", subject: str = "订单 SO-9 退款", body: str = "请帮我退款，谢谢",
    message_id: str | None = "<m1@example.com>", in_reply_to: str | None = None, references: str | None = None,
    html: str | None = None, attachment: bytes | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = "service@workstation.local"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 02 Nov 2026 09:30:00 +0800"
    if message_id:
        msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    if html is not None and body == "":
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    if attachment is not None:
        msg.add_attachment(attachment, maintype="image", subtype="png", filename="破损照片.png")
    return msg.as_bytes()


def ctx_of(api: Api) -> ServerContext:
    ctx: ServerContext = api.client.app.state.ctx
    return ctx


def test_ingest_stores_text_attachments_and_sender(api: Api) -> None:
    result = ingest_email(ctx_of(api), mail(attachment=b"\x89PNG" + b"0" * 96, html="<p>HTML copy</p>"))
    assert not result.duplicate
    with api.db.read() as s:
        m = s.get(Message, result.message_id)
        conv = s.get(Conversation, result.conversation_id)
        ident = s.execute(select(Identity).where(Identity.customer_id == result.customer_id)).scalar_one()
        assert m.body.strip() == "请帮我退款，谢谢"  # text/plain preferred over the HTML copy
        assert m.attachments == [{"name": "破损照片.png", "content_type": "image/png", "size": 100}]
        assert m.email_message_id == "<m1@example.com>" and m.subject == "订单 SO-9 退款"
        assert m.sent_at == api.clock() - timedelta(minutes=30)  # Date 09:30 +08:00
        assert (conv.channel, conv.request_type, conv.queue, conv.thread_ref) == (
            "email", "return_refund", "returns", "<m1@example.com>"
        )
        assert (ident.kind, ident.handle) == ("email", "zhang.wei@example.com")
        assert s.get(Customer, result.customer_id).display_name == "Zhang Wei"
    again = ingest_email(ctx_of(api), mail())
    assert again.duplicate and again.message_id == result.message_id
    with api.db.read() as s:
        assert s.execute(select(func.count()).select_from(Message)).scalar_one() == 1


def test_html_only_mail_is_read_as_text(api: Api) -> None:
    html = "<html><head><style>p{}</style><script>evil()</script></head><body><p>Hello&nbsp;there</p><div>line 2</div></body></html>"
    result = ingest_email(ctx_of(api), mail(body="", html=html, message_id="<h@x>"))
    with api.db.read() as s:
        assert s.get(Message, result.message_id).body == "Hello there\n\nline 2"
    assert html_to_text("<b>a</b> &lt;b&gt;") == "a <b>"


def test_mail_without_message_id_is_still_idempotent(api: Api) -> None:
    raw = mail(message_id=None)
    first = ingest_email(ctx_of(api), raw)
    assert ingest_email(ctx_of(api), raw).duplicate
    with api.db.read() as s:
        assert s.get(Message, first.message_id).email_message_id.endswith("@no-message-id.invalid>")


def test_threading_by_in_reply_to_and_references(api: Api) -> None:
    ctx = ctx_of(api)
    first = ingest_email(ctx, mail())
    reply = ingest_email(ctx, mail(subject="Re: 订单 SO-9 退款", body="还有一个问题", message_id="<m2@example.com>",
                                   in_reply_to="<m1@example.com>", references="<m1@example.com>"))
    assert reply.conversation_id == first.conversation_id
    # A client that only keeps References still threads.
    third = ingest_email(ctx, mail(message_id="<m3@example.com>", references="<m1@example.com> <m2@example.com>",
                                   frm="other@example.com"))
    assert third.conversation_id == first.conversation_id
    fresh = ingest_email(ctx, mail(message_id="<m4@example.com>", subject="New question", body="How do I …"))
    assert fresh.conversation_id != first.conversation_id
    with api.db.read() as s:
        conv = s.get(Conversation, first.conversation_id)
        assert conv.unread == 3 and conv.preview == "请帮我退款，谢谢"


def seed_email_conversation(api: Api) -> tuple[str, str]:
    result = ingest_email(ctx_of(api), mail())
    with api.db.write() as s:
        conv = s.get(Conversation, result.conversation_id)
        reply = Message(id=new_id(), conversation_id=conv.id, direction="outbound", channel="email",
                        body="您好，已为您办理退款。", sent_at=api.clock())
        s.add(reply)
        s.flush()
        deliver_reply(s, ctx_of(api), conversation=conv, message=reply)
        return conv.id, reply.id


def test_reply_is_threaded_and_queued(database_url: str, clock: FixedClock) -> None:
    with running_app(database_url, clock, run_workers=False) as api:
        conv_id, reply_id = seed_email_conversation(api)
        with api.db.read() as s:
            reply = s.get(Message, reply_id)
            box = s.execute(select(EmailOutbox).where(EmailOutbox.message_id == reply_id)).scalar_one()
        assert reply.delivery == "queued"
        assert reply.email_message_id == f"<{reply_id}@{api.settings.mail_domain}>"
        assert box.headers["In-Reply-To"] == "<m1@example.com>"
        assert box.headers["References"] == "<m1@example.com>"
        assert box.subject == "Re: 订单 SO-9 退款" and box.to_address == "zhang.wei@example.com"
        assert box.status == "pending" and "no SMTP relay" in (box.last_error or "")
        # With no relay the worker leaves it queued and says why.
        assert email_out.send_due(ctx_of(api)) == 0
        with api.db.read() as s:
            box = s.get(EmailOutbox, box.id)
            assert box.status == "pending" and box.attempts == 0 and "no SMTP relay" in box.last_error
            assert s.get(Message, reply_id).delivery == "queued"
        # The customer's answer to our reply threads back into the conversation.
        answer = ingest_email(ctx_of(api), mail(message_id="<m9@example.com>", in_reply_to=reply.email_message_id))
        assert answer.conversation_id == conv_id


def test_other_channels_are_marked_sent(api: Api) -> None:
    now = api.clock()
    with api.db.write() as s:
        cust = Customer(id=new_id(), display_name="c", created_at=now, updated_at=now)
        s.add(cust)
        s.flush()
        conv = Conversation(id=new_id(), customer_id=cust.id, channel="chat", request_type="inquiry",
                            priority="normal", status="open", queue="general", opened_at=now, last_message_at=now)
        s.add(conv)
        s.flush()
        m = Message(id=new_id(), conversation_id=conv.id, direction="outbound", channel="chat", body="hi", sent_at=now)
        s.add(m)
        deliver_reply(s, ctx_of(api), conversation=conv, message=m)
        assert m.delivery == "sent"


def test_smtp_listener_end_to_end(database_url: str, clock: FixedClock) -> None:
    port = free_port()
    with running_app(database_url, clock, smtp_listen_host="127.0.0.1", smtp_listen_port=port) as api:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail("zhang.wei@example.com", ["service@workstation.local"],
                          mail(subject="耳机坏了 😢", body="保修期内，能维修吗？🙏"))
        with api.db.read() as s:
            m = s.execute(select(Message).where(Message.email_message_id == "<m1@example.com>")).scalar_one()
            conv = s.get(Conversation, m.conversation_id)
        assert m.body.strip() == "保修期内，能维修吗？🙏"
        assert (conv.channel, conv.request_type, conv.subject) == ("email", "repair", "耳机坏了 😢")
        # A mail with no sender address at all is refused for good.
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp, pytest.raises(smtplib.SMTPDataError) as err:
            smtp.sendmail("", ["service@workstation.local"], b"Subject: x\r\n\r\nno from\r\n")
        assert err.value.smtp_code == 550


def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_worker_delivers_to_the_relay(database_url: str, clock: FixedClock, relay: tuple[Capture, int]) -> None:
    capture, relay_port = relay
    with running_app(database_url, clock, smtp_relay_host="127.0.0.1", smtp_relay_port=relay_port) as api:
        _, reply_id = seed_email_conversation(api)

        def delivered() -> str | None:
            with api.db.read() as s:
                return s.get(Message, reply_id).delivery if s.get(Message, reply_id).delivery == "sent" else None

        wait_for(delivered)
        with api.db.read() as s:
            box = s.execute(select(EmailOutbox).where(EmailOutbox.message_id == reply_id)).scalar_one()
            assert (box.status, box.attempts, box.last_error) == ("sent", 1, None)
    assert len(capture.received) == 1
    mail_from, rcpt, raw = capture.received[0]
    assert (mail_from, rcpt) == (api.settings.mail_from, ["zhang.wei@example.com"])
    sent = BytesParser(policy=default_policy).parsebytes(raw)
    assert sent["In-Reply-To"] == "<m1@example.com>"
    assert sent["Message-ID"] == f"<{reply_id}@{api.settings.mail_domain}>"
    assert str(sent["Subject"]) == "Re: 订单 SO-9 退款"
    assert sent.get_content().strip() == "您好，已为您办理退款。"


def test_relay_failures_back_off_then_fail(database_url: str, clock: FixedClock) -> None:
    dead_port = free_port()  # nothing listens here
    with running_app(database_url, clock, run_workers=False, smtp_relay_host="127.0.0.1", smtp_relay_port=dead_port) as api:
        _, reply_id = seed_email_conversation(api)
        ctx = ctx_of(api)
        assert email_out.send_due(ctx) == 1
        with api.db.read() as s:
            box = s.execute(select(EmailOutbox).where(EmailOutbox.message_id == reply_id)).scalar_one()
        assert (box.status, box.attempts) == ("pending", 1)
        assert box.next_attempt_at == clock() + email_out.backoff(1) and box.last_error
        assert email_out.send_due(ctx) == 0  # not due yet
        for attempt in range(2, email_out.MAX_ATTEMPTS + 1):
            clock.advance(seconds=email_out.backoff(attempt - 1).total_seconds())
            assert email_out.send_due(ctx) == 1
        with api.db.read() as s:
            box = s.get(EmailOutbox, box.id)
            assert (box.status, box.attempts) == ("failed", email_out.MAX_ATTEMPTS)
            assert s.get(Message, reply_id).delivery == "failed"


def test_lease_expiry_retries_a_crashed_send(database_url: str, clock: FixedClock) -> None:
    with running_app(database_url, clock, run_workers=False, smtp_relay_host="127.0.0.1", smtp_relay_port=1) as api:
        _, reply_id = seed_email_conversation(api)
        ctx = ctx_of(api)
        jobs = email_out._claim(ctx)  # a process claims the row and dies before recording
        assert len(jobs) == 1 and email_out._claim(ctx) == []
        clock.advance(seconds=email_out.LEASE_SECONDS)
        assert len(email_out._claim(ctx)) == 1
