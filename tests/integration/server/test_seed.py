"""`workstation-server seed`: a small world on SQLite (and PostgreSQL when configured)."""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from workstation.domain import cases as case_rules
from workstation.domain.enums import (
    CaseKind,
    CaseState,
    Category,
    Channel,
    ConversationStatus,
    Role,
)
from workstation.server.app import create_app
from workstation.server.changes import current
from workstation.server.db import Database, normalise_url
from workstation.server.seed import CASE_PATHS, run_seed_command, seed_database
from workstation.server.tables import (
    SYNCED_TABLES,
    Call,
    Case,
    CompensationOffer,
    Conversation,
    Customer,
    Message,
    OrderItem,
    Survey,
    User,
    WorkOrder,
)

from .conftest import make_settings

N = 300
SEED = 5
PASSWORD = "demo-pass-2026"
PG_URL = os.environ.get("WORKSTATION_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _args(url: str, **kw: object) -> argparse.Namespace:
    values: dict[str, object] = {"database": url, "conversations": N, "seed": SEED, "demo_password": PASSWORD}
    values.update(kw)
    return argparse.Namespace(**values)


def _empty_database(backend: str, tmp: Path) -> Iterator[str]:
    """An empty database (no schema): the seed runs the migrations itself."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / f'seed-{uuid.uuid4().hex[:6]}.db'}"
        return
    assert PG_URL
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"ws_seed_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    gen = _empty_database(request.param, tmp_path_factory.mktemp("seed"))
    url = next(gen)
    assert run_seed_command(_args(url)) == 0
    yield url
    for _ in gen:
        pass


@pytest.fixture
def db(seeded: str) -> Iterator[Database]:
    database = Database.connect(seeded)
    yield database
    database.dispose()


def _distinct(db: Database, column: object) -> set[str]:
    with db.read() as s:
        return set(s.execute(select(column).distinct()).scalars())  # type: ignore[call-overload]


def test_world_covers_every_channel_status_category_and_case_kind(db: Database) -> None:
    assert _distinct(db, Conversation.channel) == {c.value for c in Channel}
    assert _distinct(db, Conversation.status) == {s.value for s in ConversationStatus}
    assert _distinct(db, OrderItem.category) == {c.value for c in Category}
    assert _distinct(db, Case.kind) == {k.value for k in CaseKind}
    assert {"submitted", "approved", "closed", "refunded"} <= _distinct(db, Case.state)
    assert {"scheduled", "confirmed", "signed_off"} <= _distinct(db, WorkOrder.state)
    assert "pending_approval" in _distinct(db, CompensationOffer.status)
    assert _distinct(db, User.role) == {r.value for r in Role}
    with db.read() as s:
        convs = s.execute(select(func.count()).select_from(Conversation)).scalar_one()
        msgs = s.execute(select(func.count()).select_from(Message)).scalar_one()
        customers = s.execute(select(func.count()).select_from(Customer)).scalar_one()
        assert convs == N
        assert 9.0 <= msgs / convs <= 11.5
        assert N // 2 <= customers <= N // 2 + 10
        # Near-duplicate customers share a phone number for the merge feature.
        dupes = s.execute(
            select(Customer.phone).group_by(Customer.phone).having(func.count() > 1)
        ).scalars().all()
        assert len(dupes) >= 3
        english = s.execute(select(func.count()).select_from(Customer).where(Customer.language == "en")).scalar_one()
        assert 0.1 < english / customers < 0.3
        # Phone conversations have calls with durations and wrap-up codes.
        ended = s.execute(select(Call).where(Call.state == "ended")).scalars().all()
        assert ended and all(c.duration_s is not None and c.wrap_up_code for c in ended)
        # E-mail threads carry Message-IDs and subjects.
        mails = s.execute(select(Message).where(Message.channel == "email", Message.direction != "note")).scalars().all()
        assert mails and all(m.email_message_id and m.subject for m in mails)
        # Surveys: about 60 % answer; an unsatisfied answer has a callback due.
        surveys = s.execute(select(Survey)).scalars().all()
        answered = [v for v in surveys if v.rating]
        assert 0.45 < len(answered) / len(surveys) < 0.8
        assert all(v.callback_due_at is not None for v in answered if v.rating == "unsatisfied")


def test_sla_clocks_are_placed_around_now(db: Database) -> None:
    now = datetime.now(UTC)
    with db.read() as s:
        active = s.execute(
            select(Conversation).where(Conversation.status.in_(["open", "pending_customer", "pending_internal"]))
        ).scalars().all()
    breached = [c for c in active if c.resolution_due_at and c.resolution_due_at < now]
    assert active and 0 < len(breached) < len(active) / 2
    assert all(c.opened_at <= now and c.last_message_at <= now + timedelta(minutes=1) for c in active)


def test_cases_follow_the_state_machines() -> None:
    for kind, paths in CASE_PATHS.items():
        for path in paths.values():
            for a, b in zip(path, path[1:], strict=False):
                case_rules.check_transition(CaseKind(kind), a, b, reason="seeded")
            assert path[0] is CaseState.SUBMITTED


def test_change_seq_is_distinct_and_parents_come_first(db: Database) -> None:
    with db.read() as s:
        seqs: list[int] = []
        for table in SYNCED_TABLES:
            seqs += s.execute(select(table.change_seq)).scalars().all()  # type: ignore[attr-defined]
        assert len(seqs) == len(set(seqs))
        assert max(seqs) <= current(s)
        late_children = s.execute(
            select(func.count())
            .select_from(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.change_seq <= Conversation.change_seq)
        ).scalar_one()
        late_convs = s.execute(
            select(func.count())
            .select_from(Conversation)
            .join(Customer, Customer.id == Conversation.customer_id)
            .where(Conversation.change_seq <= Customer.change_seq)
        ).scalar_one()
        assert late_children == 0 and late_convs == 0


def test_every_demo_user_can_sign_in(seeded: str) -> None:
    app = create_app(make_settings(seeded, run_workers=False))
    with TestClient(app) as client:
        for username in ("agent", "agent6", "senior", "lead", "engineer", "engineer2", "admin"):
            resp = client.post("/auth/login", json={"username": username, "password": PASSWORD})
            assert resp.status_code == 200, (username, resp.text)
        resp = client.post("/auth/login", json={"username": "agent", "password": "wrong-password"})
        assert resp.status_code in (400, 401)


def test_seeding_a_populated_database_refuses(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_seed_command(_args(seeded)) == 2
    err = capsys.readouterr().err
    assert "already holds conversations" in err and "start fresh" in err


def test_same_seed_same_texts_whatever_the_time(tmp_path: Path) -> None:
    def texts(url: str, now: datetime, seed: int = SEED) -> list[tuple[str, str]]:
        seed_database(url, conversations=120, seed=seed, demo_password=PASSWORD, now=now)
        d = Database.connect(url)
        with d.read() as s:
            rows = s.execute(select(Message.direction, Message.body).order_by(Message.change_seq)).all()
        d.dispose()
        return [(a, b) for a, b in rows]

    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    first = texts(f"sqlite:///{tmp_path / 'a.db'}", now)
    second = texts(f"sqlite:///{tmp_path / 'b.db'}", now + timedelta(days=3, hours=5))
    assert first == second and len(first) > 600
    other = texts(f"sqlite:///{tmp_path / 'c.db'}", now, seed=SEED + 1)
    assert other != first
