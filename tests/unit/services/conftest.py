"""A temp cache file seeded through a pull page, and desk services over it (no server)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from workstation.domain.clock import FixedClock
from workstation.domain.ids import new_id
from workstation.services.desk import DeskServices
from workstation.store.apply import apply_pull_page
from workstation.store.db import CacheDatabase

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat().replace("+00:00", "Z")


@dataclass
class Seed:
    """Ids of the seeded rows; `seq` hands out growing server change numbers."""

    me: str = field(default_factory=new_id)
    other: str = field(default_factory=new_id)
    engineer: str = field(default_factory=new_id)
    customer: str = field(default_factory=new_id)
    order: str = field(default_factory=new_id)
    item: str = field(default_factory=new_id)
    old_order: str = field(default_factory=new_id)
    old_item: str = field(default_factory=new_id)
    conv: str = field(default_factory=new_id)
    claimed: str = field(default_factory=new_id)
    closed: str = field(default_factory=new_id)
    message: str = field(default_factory=new_id)
    call: str = field(default_factory=new_id)
    case: str = field(default_factory=new_id)
    work_order: str = field(default_factory=new_id)
    survey: str = field(default_factory=new_id)
    offer: str = field(default_factory=new_id)
    next_seq: int = 0

    def seq(self) -> int:
        self.next_seq += 1
        return self.next_seq


def conversation(seed: Seed, id_: str, **kw: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "customer_id": seed.customer,
        "order_id": seed.order,
        "channel": "chat",
        "request_type": "inquiry",
        "priority": "normal",
        "status": "open",
        "queue": "general",
        "assignee_id": None,
        "subject": "耳机没声音",
        "preview": "你好，耳机没声音",
        "tags": [],
        "case_record": {},
        "opened_at": iso(NOW - timedelta(hours=1)),
        "first_response_at": None,
        "first_response_due_at": iso(NOW + timedelta(minutes=5)),
        "resolution_due_at": iso(NOW + timedelta(days=1)),
        "last_message_at": iso(NOW - timedelta(hours=1)),
        "last_inbound_at": iso(NOW - timedelta(hours=1)),
        "closed_at": None,
        "thread_ref": None,
        "unread": 1,
        **kw,
    }


def seed_rows(seed: Seed) -> list[tuple[str, dict[str, Any]]]:
    def user(id_: str, name: str, role: str) -> dict[str, Any]:
        return {
            "id": id_,
            "username": name,
            "display_name": name.title(),
            "role": role,
            "active": True,
        }

    def order(id_: str, delivered_days_ago: int) -> dict[str, Any]:
        return {
            "id": id_,
            "order_no": f"SO{id_[-6:]}",
            "customer_id": seed.customer,
            "shop": "旗舰店",
            "amount": "200.00",
            "placed_at": iso(NOW - timedelta(days=40)),
            "paid_at": iso(NOW - timedelta(days=40)),
            "shipped_at": None,
            "delivered_at": iso(NOW - timedelta(days=delivered_days_ago)),
            "status": "delivered",
            "tracking_number": None,
            "address": None,
            "remote_area": False,
        }

    def item(id_: str, order_id: str) -> dict[str, Any]:
        return {
            "id": id_,
            "order_id": order_id,
            "sku": "SKU1",
            "title": "蓝牙耳机",
            "category": "electronics",
            "price": "200.00",
            "quantity": 1,
            "high_value": False,
            "warranty_months": 12,
            "no_reason_excluded": False,
        }

    return [
        ("users", user(seed.me, "amy", "agent")),
        ("users", user(seed.other, "bob", "agent")),
        ("users", user(seed.engineer, "eve", "field_engineer")),
        (
            "customers",
            {
                "id": seed.customer,
                "display_name": "李雷",
                "language": "zh",
                "merged_into": None,
                "updated_at": iso(NOW),
            },
        ),
        ("orders", order(seed.order, 2)),
        ("order_items", item(seed.item, seed.order)),
        ("orders", order(seed.old_order, 30)),
        ("order_items", item(seed.old_item, seed.old_order)),
        ("conversations", conversation(seed, seed.conv)),
        ("conversations", conversation(seed, seed.claimed, assignee_id=seed.other)),
        ("conversations", conversation(seed, seed.closed, status="closed")),
        (
            "messages",
            {
                "id": seed.message,
                "conversation_id": seed.conv,
                "direction": "inbound",
                "channel": "chat",
                "author_id": None,
                "body": "你好，耳机没声音",
                "subject": None,
                "attachments": [],
                "sent_at": iso(NOW - timedelta(hours=1)),
            },
        ),
        (
            "calls",
            {
                "id": seed.call,
                "conversation_id": seed.conv,
                "customer_id": seed.customer,
                "caller": "138****1234",
                "state": "ended",
                "agent_id": seed.me,
                "ringing_at": iso(NOW - timedelta(hours=2)),
                "notes": "",
                "wrap_up_code": None,
            },
        ),
        (
            "cases",
            {
                "id": seed.case,
                "kind": "return",
                "state": "submitted",
                "conversation_id": seed.conv,
                "customer_id": seed.customer,
                "order_id": seed.order,
                "order_item_id": seed.item,
                "reason": "quality",
                "description": "",
                "rejection_reason": None,
                "return_tracking": None,
                "replacement_tracking": None,
                "owner_department": "service",
                "deadline_at": iso(NOW + timedelta(days=2)),
                "state_entered_at": iso(NOW),
                "remote_area": False,
                "created_by": seed.me,
                "created_at": iso(NOW),
            },
        ),
        (
            "work_orders",
            {
                "id": seed.work_order,
                "case_id": None,
                "customer_id": seed.customer,
                "engineer_id": seed.engineer,
                "state": "scheduled",
                "address": "上海",
                "scheduled_at": iso(NOW + timedelta(days=1)),
                "confirmed_at": None,
            },
        ),
        (
            "surveys",
            {
                "id": seed.survey,
                "conversation_id": seed.conv,
                "customer_id": seed.customer,
                "rating": "unsatisfied",
                "invited_at": iso(NOW),
                "callback_due_at": iso(NOW),
                "callback_done_at": None,
                "callback_notes": "",
            },
        ),
        (
            "compensation_offers",
            {
                "id": seed.offer,
                "conversation_id": seed.conv,
                "case_id": None,
                "customer_id": seed.customer,
                "order_id": seed.order,
                "kind": "goodwill",
                "amount": "500.00",
                "authority_amount": "500.00",
                "status": "pending_approval",
                "offered_by": seed.me,
                "created_at": iso(NOW),
            },
        ),
    ]


def pull(db: CacheDatabase, seed: Seed, rows: list[tuple[str, dict[str, Any]]]) -> None:
    changes = [{"entity": e, "id": d["id"], "seq": seed.seq(), "data": d} for e, d in rows]
    apply_pull_page(db, changes, f"c{seed.next_seq}", last_applied_mutation_id=0)


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("services-template") / "cache.sqlite3"
    CacheDatabase.open(path).close()
    return path


@pytest.fixture
def seed() -> Seed:
    return Seed()


@pytest.fixture
def db(tmp_path: Path, _template: Path, seed: Seed) -> Iterator[CacheDatabase]:
    path = tmp_path / "cache.sqlite3"
    shutil.copyfile(_template, path)
    database = CacheDatabase.open(path, check="none")
    pull(database, seed, seed_rows(seed))
    yield database
    database.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def pokes() -> list[int]:
    return []


def make_desk(
    db: CacheDatabase,
    clock: FixedClock,
    user_id: str,
    role: str = "agent",
    pokes: list[int] | None = None,
) -> DeskServices:
    return DeskServices(
        cache=db,
        clock=clock,
        user={"id": user_id, "username": "amy", "role": role},
        on_local_write=(lambda: pokes.append(1)) if pokes is not None else None,
    )


@pytest.fixture
def desk(db: CacheDatabase, clock: FixedClock, seed: Seed, pokes: list[int]) -> DeskServices:
    return make_desk(db, clock, seed.me, pokes=pokes)
