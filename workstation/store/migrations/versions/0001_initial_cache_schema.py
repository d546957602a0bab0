"""initial cache schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 13:38:48.316747

Batch-altering a table recreates it: recreate its triggers too (see 0001's `_triggers`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Full-text indexes (FTS5 trigram, external content) and the triggers that keep them and
# conversation_tags in step with their tables, in the same transaction as every write.
# Frozen here on purpose: a later revision that changes them writes its own statements.
_TRIGGERS = [
    "CREATE VIRTUAL TABLE messages_fts USING fts5(body, subject, content='messages', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN INSERT INTO messages_fts(rowid, body, subject) VALUES (new.rowid, new.body, new.subject); END",
    "CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN INSERT INTO messages_fts(messages_fts, rowid, body, subject) VALUES ('delete', old.rowid, old.body, old.subject); END",
    "CREATE TRIGGER messages_fts_au AFTER UPDATE OF body, subject ON messages WHEN old.body IS NOT new.body OR old.subject IS NOT new.subject BEGIN INSERT INTO messages_fts(messages_fts, rowid, body, subject) VALUES ('delete', old.rowid, old.body, old.subject); INSERT INTO messages_fts(rowid, body, subject) VALUES (new.rowid, new.body, new.subject); END",
    "CREATE VIRTUAL TABLE customers_fts USING fts5(display_name, content='customers', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN INSERT INTO customers_fts(rowid, display_name) VALUES (new.rowid, new.display_name); END",
    "CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN INSERT INTO customers_fts(customers_fts, rowid, display_name) VALUES ('delete', old.rowid, old.display_name); END",
    "CREATE TRIGGER customers_fts_au AFTER UPDATE OF display_name ON customers WHEN old.display_name IS NOT new.display_name BEGIN INSERT INTO customers_fts(customers_fts, rowid, display_name) VALUES ('delete', old.rowid, old.display_name); INSERT INTO customers_fts(rowid, display_name) VALUES (new.rowid, new.display_name); END",
    "CREATE VIRTUAL TABLE identities_fts USING fts5(handle, content='identities', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER identities_fts_ai AFTER INSERT ON identities BEGIN INSERT INTO identities_fts(rowid, handle) VALUES (new.rowid, new.handle); END",
    "CREATE TRIGGER identities_fts_ad AFTER DELETE ON identities BEGIN INSERT INTO identities_fts(identities_fts, rowid, handle) VALUES ('delete', old.rowid, old.handle); END",
    "CREATE TRIGGER identities_fts_au AFTER UPDATE OF handle ON identities WHEN old.handle IS NOT new.handle BEGIN INSERT INTO identities_fts(identities_fts, rowid, handle) VALUES ('delete', old.rowid, old.handle); INSERT INTO identities_fts(rowid, handle) VALUES (new.rowid, new.handle); END",
    "CREATE VIRTUAL TABLE orders_fts USING fts5(order_no, content='orders', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER orders_fts_ai AFTER INSERT ON orders BEGIN INSERT INTO orders_fts(rowid, order_no) VALUES (new.rowid, new.order_no); END",
    "CREATE TRIGGER orders_fts_ad AFTER DELETE ON orders BEGIN INSERT INTO orders_fts(orders_fts, rowid, order_no) VALUES ('delete', old.rowid, old.order_no); END",
    "CREATE TRIGGER orders_fts_au AFTER UPDATE OF order_no ON orders WHEN old.order_no IS NOT new.order_no BEGIN INSERT INTO orders_fts(orders_fts, rowid, order_no) VALUES ('delete', old.rowid, old.order_no); INSERT INTO orders_fts(rowid, order_no) VALUES (new.rowid, new.order_no); END",
    "CREATE VIRTUAL TABLE order_items_fts USING fts5(title, content='order_items', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER order_items_fts_ai AFTER INSERT ON order_items BEGIN INSERT INTO order_items_fts(rowid, title) VALUES (new.rowid, new.title); END",
    "CREATE TRIGGER order_items_fts_ad AFTER DELETE ON order_items BEGIN INSERT INTO order_items_fts(order_items_fts, rowid, title) VALUES ('delete', old.rowid, old.title); END",
    "CREATE TRIGGER order_items_fts_au AFTER UPDATE OF title ON order_items WHEN old.title IS NOT new.title BEGIN INSERT INTO order_items_fts(order_items_fts, rowid, title) VALUES ('delete', old.rowid, old.title); INSERT INTO order_items_fts(rowid, title) VALUES (new.rowid, new.title); END",
    "CREATE TRIGGER conversation_tags_ai AFTER INSERT ON conversations WHEN new.tags IS NOT NULL AND new.tags <> '[]' BEGIN INSERT OR IGNORE INTO conversation_tags(conversation_id, tag) SELECT new.id, value FROM json_each(new.tags) WHERE type = 'text'; END",
    "CREATE TRIGGER conversation_tags_au AFTER UPDATE OF tags ON conversations WHEN old.tags IS NOT new.tags BEGIN DELETE FROM conversation_tags WHERE conversation_id = old.id; INSERT OR IGNORE INTO conversation_tags(conversation_id, tag) SELECT new.id, value FROM json_each(new.tags) WHERE type = 'text' AND new.tags IS NOT NULL; END",
    "CREATE TRIGGER conversation_tags_ad AFTER DELETE ON conversations BEGIN DELETE FROM conversation_tags WHERE conversation_id = old.id; END",
]

_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS messages_fts_ai",
    "DROP TRIGGER IF EXISTS messages_fts_ad",
    "DROP TRIGGER IF EXISTS messages_fts_au",
    "DROP TABLE IF EXISTS messages_fts",
    "DROP TRIGGER IF EXISTS customers_fts_ai",
    "DROP TRIGGER IF EXISTS customers_fts_ad",
    "DROP TRIGGER IF EXISTS customers_fts_au",
    "DROP TABLE IF EXISTS customers_fts",
    "DROP TRIGGER IF EXISTS identities_fts_ai",
    "DROP TRIGGER IF EXISTS identities_fts_ad",
    "DROP TRIGGER IF EXISTS identities_fts_au",
    "DROP TABLE IF EXISTS identities_fts",
    "DROP TRIGGER IF EXISTS orders_fts_ai",
    "DROP TRIGGER IF EXISTS orders_fts_ad",
    "DROP TRIGGER IF EXISTS orders_fts_au",
    "DROP TABLE IF EXISTS orders_fts",
    "DROP TRIGGER IF EXISTS order_items_fts_ai",
    "DROP TRIGGER IF EXISTS order_items_fts_ad",
    "DROP TRIGGER IF EXISTS order_items_fts_au",
    "DROP TABLE IF EXISTS order_items_fts",
    "DROP TRIGGER IF EXISTS conversation_tags_ai",
    "DROP TRIGGER IF EXISTS conversation_tags_au",
    "DROP TRIGGER IF EXISTS conversation_tags_ad",
]


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "calls",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("caller", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("agent_id", sa.Text(), nullable=True),
        sa.Column("ringing_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index("ix_calls_conversation_id", ["conversation_id"], unique=False)
        batch_op.create_index("ix_calls_customer_id", ["customer_id"], unique=False)
        batch_op.create_index("ix_calls_ringing_at", ["ringing_at"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=True),
        sa.Column("to_state", sa.Text(), nullable=True),
        sa.Column("at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index("ix_case_events_case_id_at", ["case_id", "at"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("conversation_id", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("order_id", sa.Text(), nullable=True),
        sa.Column("deadline_at", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_conversation_id", ["conversation_id"], unique=False)
        batch_op.create_index("ix_cases_customer_id", ["customer_id"], unique=False)
        batch_op.create_index("ix_cases_order_id", ["order_id"], unique=False)
        batch_op.create_index("ix_cases_state", ["state"], unique=False)

    op.create_table(
        "compensation_offers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=True),
        sa.Column("case_id", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_offers")),
    )
    with op.batch_alter_table("compensation_offers", schema=None) as batch_op:
        batch_op.create_index("ix_compensation_offers_case_id", ["case_id"], unique=False)
        batch_op.create_index(
            "ix_compensation_offers_conversation_id", ["conversation_id"], unique=False
        )
        batch_op.create_index("ix_compensation_offers_status", ["status"], unique=False)

    op.create_table(
        "conversation_tags",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "tag", name=op.f("pk_conversation_tags")),
    )
    with op.batch_alter_table("conversation_tags", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_tags_tag", ["tag", "conversation_id"], unique=False)

    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("order_id", sa.Text(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("request_type", sa.Text(), nullable=True),
        sa.Column("priority", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("queue", sa.Text(), nullable=True),
        sa.Column("assignee_id", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("preview", sa.Text(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.String(length=32), nullable=True),
        sa.Column("first_response_at", sa.String(length=32), nullable=True),
        sa.Column("first_response_due_at", sa.String(length=32), nullable=True),
        sa.Column("resolution_due_at", sa.String(length=32), nullable=True),
        sa.Column("last_message_at", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.String(length=32), nullable=True),
        sa.Column("unread", sa.Integer(), nullable=True),
        sa.Column("sla_due_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversations_assignee_id_status", ["assignee_id", "status"], unique=False
        )
        batch_op.create_index("ix_conversations_channel", ["channel"], unique=False)
        batch_op.create_index("ix_conversations_closed_at", ["closed_at"], unique=False)
        batch_op.create_index(
            "ix_conversations_customer_id_last_message_at",
            ["customer_id", "last_message_at"],
            unique=False,
        )
        batch_op.create_index("ix_conversations_order_id", ["order_id"], unique=False)
        batch_op.create_index("ix_conversations_last_message_at", ["last_message_at"], unique=False)
        batch_op.create_index(
            "ix_conversations_priority_status", ["priority", "status"], unique=False
        )
        batch_op.create_index("ix_conversations_request_type", ["request_type"], unique=False)
        batch_op.create_index(
            "ix_conversations_status_sla_due_at", ["status", "sla_due_at"], unique=False
        )

    op.create_table(
        "customers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("merged_into", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_display_name", ["display_name"], unique=False)
        batch_op.create_index("ix_customers_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "identities",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("handle", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identities")),
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.create_index("ix_identities_customer_id", ["customer_id"], unique=False)
        batch_op.create_index("ix_identities_kind_handle", ["kind", "handle"], unique=False)

    op.create_table(
        "messages",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=True),
        sa.Column("direction", sa.Text(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_conversation_id_sent_at", ["conversation_id", "sent_at"], unique=False
        )
        batch_op.create_index("ix_messages_sent_at", ["sent_at"], unique=False)

    op.create_table(
        "order_items",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("order_id", sa.Text(), nullable=True),
        sa.Column("sku", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
    )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.create_index("ix_order_items_order_id", ["order_id"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("order_no", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("shop", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("placed_at", sa.String(length=32), nullable=True),
        sa.Column("tracking_number", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_customer_id", ["customer_id"], unique=False)
        batch_op.create_index("ix_orders_order_no", ["order_no"], unique=False)
        batch_op.create_index("ix_orders_placed_at", ["placed_at"], unique=False)
        batch_op.create_index("ix_orders_tracking_number", ["tracking_number"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("mutation_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_attempt_at", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("rejection_code", sa.String(length=60), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("rejected_at", sa.String(length=32), nullable=True),
        sa.Column("entity", sa.String(length=60), nullable=True),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("mutation_id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_entity_id", ["entity_id"], unique=False)
        batch_op.create_index("ix_outbox_status", ["status"], unique=False)

    op.create_table(
        "qa_evaluations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=True),
        sa.Column("agent_id", sa.Text(), nullable=True),
        sa.Column("evaluator_id", sa.Text(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Integer(), nullable=True),
        sa.Column("amends", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_evaluations")),
    )
    with op.batch_alter_table("qa_evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_qa_evaluations_agent_id", ["agent_id"], unique=False)
        batch_op.create_index(
            "ix_qa_evaluations_conversation_id", ["conversation_id"], unique=False
        )

    op.create_table(
        "reply_scripts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_scripts")),
    )
    with op.batch_alter_table("reply_scripts", schema=None) as batch_op:
        batch_op.create_index("ix_reply_scripts_key_version", ["key", "version"], unique=False)

    op.create_table(
        "surveys",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("rating", sa.Text(), nullable=True),
        sa.Column("invited_at", sa.String(length=32), nullable=True),
        sa.Column("callback_due_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_index("ix_surveys_conversation_id", ["conversation_id"], unique=False)
        batch_op.create_index("ix_surveys_customer_id", ["customer_id"], unique=False)

    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "unknown_changes",
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("entity", "id", name=op.f("pk_unknown_changes")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("active", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_username", ["username"], unique=False)

    op.create_table(
        "work_orders",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("engineer_id", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("scheduled_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_orders")),
    )
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.create_index("ix_work_orders_case_id", ["case_id"], unique=False)
        batch_op.create_index(
            "ix_work_orders_engineer_id_scheduled_at", ["engineer_id", "scheduled_at"], unique=False
        )
        batch_op.create_index("ix_work_orders_state", ["state"], unique=False)

    # ### end Alembic commands ###
    for statement in _TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for statement in _DROP_TRIGGERS:
        op.execute(statement)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_work_orders_state")
        batch_op.drop_index("ix_work_orders_engineer_id_scheduled_at")
        batch_op.drop_index("ix_work_orders_case_id")

    op.drop_table("work_orders")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_username")

    op.drop_table("users")
    op.drop_table("unknown_changes")
    op.drop_table("sync_state")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_index("ix_surveys_customer_id")
        batch_op.drop_index("ix_surveys_conversation_id")

    op.drop_table("surveys")
    with op.batch_alter_table("reply_scripts", schema=None) as batch_op:
        batch_op.drop_index("ix_reply_scripts_key_version")

    op.drop_table("reply_scripts")
    with op.batch_alter_table("qa_evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_qa_evaluations_conversation_id")
        batch_op.drop_index("ix_qa_evaluations_agent_id")

    op.drop_table("qa_evaluations")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status")
        batch_op.drop_index("ix_outbox_entity_id")

    op.drop_table("outbox")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_tracking_number")
        batch_op.drop_index("ix_orders_placed_at")
        batch_op.drop_index("ix_orders_order_no")
        batch_op.drop_index("ix_orders_customer_id")

    op.drop_table("orders")
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_index("ix_order_items_order_id")

    op.drop_table("order_items")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_sent_at")
        batch_op.drop_index("ix_messages_conversation_id_sent_at")

    op.drop_table("messages")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index("ix_identities_kind_handle")
        batch_op.drop_index("ix_identities_customer_id")

    op.drop_table("identities")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_updated_at")
        batch_op.drop_index("ix_customers_display_name")

    op.drop_table("customers")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_status_sla_due_at")
        batch_op.drop_index("ix_conversations_request_type")
        batch_op.drop_index("ix_conversations_priority_status")
        batch_op.drop_index("ix_conversations_last_message_at")
        batch_op.drop_index("ix_conversations_order_id")
        batch_op.drop_index("ix_conversations_customer_id_last_message_at")
        batch_op.drop_index("ix_conversations_closed_at")
        batch_op.drop_index("ix_conversations_channel")
        batch_op.drop_index("ix_conversations_assignee_id_status")

    op.drop_table("conversations")
    with op.batch_alter_table("conversation_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_tags_tag")

    op.drop_table("conversation_tags")
    with op.batch_alter_table("compensation_offers", schema=None) as batch_op:
        batch_op.drop_index("ix_compensation_offers_status")
        batch_op.drop_index("ix_compensation_offers_conversation_id")
        batch_op.drop_index("ix_compensation_offers_case_id")

    op.drop_table("compensation_offers")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_state")
        batch_op.drop_index("ix_cases_order_id")
        batch_op.drop_index("ix_cases_customer_id")
        batch_op.drop_index("ix_cases_conversation_id")

    op.drop_table("cases")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_case_id_at")

    op.drop_table("case_events")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_ringing_at")
        batch_op.drop_index("ix_calls_customer_id")
        batch_op.drop_index("ix_calls_conversation_id")

    op.drop_table("calls")
    # ### end Alembic commands ###
