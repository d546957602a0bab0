"""run_driver_sql, the webhook path's way to write: rows come out exactly as conn.execute stores
them, constraint errors are SQLAlchemy's, and what needs SQLAlchemy's execution still gets it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from workstation.domain.ids import new_id
from workstation.server.db import Database, run_driver_sql
from workstation.server.tables import Conversation, Customer, Message

AT = datetime(2026, 11, 2, 2, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.connect(database_url)
    yield database
    database.dispose()


def _customer(db: Database) -> str:
    cid = new_id()
    with db.write() as s:
        s.connection().execute(insert(Customer), {
            "id": cid, "display_name": "王芳", "created_at": AT, "updated_at": AT, "change_seq": 1,
        })
    return cid


def _conversation(customer_id: str) -> dict[str, Any]:
    return {
        "id": new_id(), "customer_id": customer_id, "order_id": None, "channel": "chat", "request_type": "inquiry",
        "priority": "normal", "status": "new", "queue": "general", "subject": "快递", "preview": "你好 🙂",
        "tags": ["jumps_queue", "中文"], "case_record": {"note": "x", "n": 1}, "opened_at": AT,
        "first_response_due_at": AT + timedelta(minutes=5), "resolution_due_at": None, "last_message_at": AT,
        "last_inbound_at": None, "closed_at": None, "thread_ref": None, "unread": 1, "change_seq": 2,
    }


def _row(db: Database, table: Any, ident: str) -> dict[str, Any]:
    with db.read() as s:
        return dict(s.execute(select(table.__table__).where(table.__table__.c.id == ident)).mappings().one())


def test_rows_read_back_as_if_sqlalchemy_had_written_them(db: Database) -> None:
    customer = _customer(db)
    by_driver, by_core = _conversation(customer), _conversation(customer)
    with db.write() as s:
        run_driver_sql(s.connection(), insert(Conversation), by_driver)
        s.connection().execute(insert(Conversation), by_core)
    got, want = _row(db, Conversation, by_driver["id"]), _row(db, Conversation, by_core["id"])
    assert {k: v for k, v in got.items() if k != "id"} == {k: v for k, v in want.items() if k != "id"}
    assert got["tags"] == ["jumps_queue", "中文"] and got["opened_at"] == AT


def test_an_update_changes_only_its_columns(db: Database) -> None:
    conv = _conversation(_customer(db))
    with db.write() as s:
        s.connection().execute(insert(Conversation), conv)
    later = AT + timedelta(hours=1)
    table: Any = Conversation.__table__
    stmt = update(table).where(table.c.id == conv["id"]).values(preview="新", last_inbound_at=later, change_seq=9)
    with db.write() as s:
        assert run_driver_sql(s.connection(), stmt, {}) is None
    row = _row(db, Conversation, conv["id"])
    assert (row["preview"], row["last_inbound_at"], row["change_seq"], row["subject"]) == ("新", later, 9, "快递")


def test_returning_gives_the_row(db: Database) -> None:
    stmt = text("UPDATE counters SET value = value + :n WHERE name = :name RETURNING value")
    with db.write() as s:
        before = s.execute(text("SELECT value FROM counters WHERE name = 'change_seq'")).scalar_one()
        assert run_driver_sql(s.connection(), stmt, {"n": 3, "name": "change_seq"}) == (before + 3,)
        assert run_driver_sql(s.connection(), stmt, {"n": 1, "name": "no-such-counter"}) is None


def test_a_constraint_error_is_sqlalchemys_integrity_error(db: Database) -> None:
    customer = _customer(db)
    with db.write() as s:
        s.connection().execute(insert(Conversation), conv := _conversation(customer))
    message = {
        "id": new_id(), "conversation_id": conv["id"], "direction": "inbound", "channel": "chat", "body": "hi",
        "subject": None, "external_id": "dup", "attachments": [], "sent_at": AT, "change_seq": 5,
    }
    with db.write() as s:
        run_driver_sql(s.connection(), insert(Message), message)
    with pytest.raises(IntegrityError), db.write() as s:
        run_driver_sql(s.connection(), insert(Message), {**message, "id": new_id()})


def test_python_side_defaults_are_still_applied(db: Database) -> None:
    """Columns left out that have Python defaults (attachments=list, change_seq=0) get them."""
    customer = _customer(db)
    with db.write() as s:
        s.connection().execute(insert(Conversation), conv := _conversation(customer))
    ident = new_id()
    with db.write() as s:
        run_driver_sql(s.connection(), insert(Message), {
            "id": ident, "conversation_id": conv["id"], "direction": "inbound", "channel": "chat", "body": "hi",
            "subject": None, "external_id": "d1", "sent_at": AT,
        })
    row = _row(db, Message, ident)
    assert (row["attachments"], row["change_seq"]) == ([], 0)
