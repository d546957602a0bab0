"""Delivery of agents' replies to the customer's channel.

Called inside the transaction that stores an outbound message, so the reply and its delivery
job commit together.

- e-mail: threaded (Message-ID, In-Reply-To, References, "Re:" subject) and queued in the
  email_outbox; `message.delivery` is "queued" until the sender worker sets "sent"/"failed".
- every other channel: marked "sent". Handing replies to the chat, app, SMS, social and
  live-stream platforms' own send APIs (and the phone system) is outside this server; an
  adapter per platform would take the same place as the e-mail outbox.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workstation.domain.enums import MessageDirection
from workstation.server.channels.email_out import queue_email_reply
from workstation.server.context import ServerContext
from workstation.server.tables import Conversation, Message


def deliver_reply(session: Session, ctx: ServerContext, *, conversation: Conversation, message: Message) -> None:
    """Queue `message` for delivery on its channel and set `message.delivery`."""
    if message.direction == MessageDirection.NOTE.value:
        message.delivery = None  # internal notes never leave the building
        return
    if conversation.channel == "email":
        queue_email_reply(session, ctx, conversation=conversation, message=message)
        return
    message.delivery = "sent"
