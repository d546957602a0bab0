"""Fixtures for server tests: a fresh database per test on SQLite and, when
WORKSTATION_TEST_PG_URL is set, the same tests again on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workstation.domain.clock import FixedClock
from workstation.domain.enums import Role
from workstation.server import auth
from workstation.server.app import create_app
from workstation.server.changes import ensure_counters, install_stamping
from workstation.server.db import Database, normalise_url
from workstation.server.migrate import alembic_config
from workstation.server.settings import ServerSettings
from workstation.server.tables import Base

PG_URL = os.environ.get("WORKSTATION_TEST_PG_URL")
START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
PASSWORD = "correct-horse-42"

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str | None]:
    """One migrated template database; each test clones it (CREATE DATABASE … TEMPLATE is fast)."""
    if not PG_URL:
        yield None
        return
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"ws_tmpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    db = Database.connect(url)
    _create_schema(db)
    db.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _create_schema(db: Database) -> None:
    """The schema straight from the models (faster than replaying migrations), stamped at the
    newest revision so code that runs the migrations finds nothing to do."""
    Base.metadata.create_all(db.engine)
    command.stamp(alembic_config(db.engine), "head")
    with db.write() as session:
        ensure_counters(session)


def _fresh_database(backend: str, tmp_path: Path, template: str | None) -> Iterator[str]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
        db = Database.connect(url)
        _create_schema(db)
        db.dispose()
        yield url
        return
    assert PG_URL and template
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"ws_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, _pg_template: str | None) -> Iterator[str]:
    install_stamping()
    yield from _fresh_database(request.param, tmp_path, _pg_template)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@dataclass
class Api:
    """A running app (lifespan included) plus helpers to make users and sign in."""

    client: TestClient
    db: Database
    clock: FixedClock
    settings: ServerSettings
    _tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # username -> id

    def make_user(
        self,
        username: str,
        role: Role,
        *,
        queues: list[str] | None = None,
        tenure_start: date | None = None,
    ) -> str:
        with self.db.write() as session:
            user = auth.create_user(
                session,
                username=username,
                password=PASSWORD,
                role=role,
                display_name=username.title(),
                queues=queues if queues is not None else ["general", "complaints", "returns", "repairs"],
                tenure_start=tenure_start,
                now=self.clock(),
                password_hash=_HASH,
            )
            self.users[username] = user.id
            return user.id

    def token(self, username: str) -> str:
        if username not in self._tokens:
            resp = self.client.post("/auth/login", json={"username": username, "password": PASSWORD})
            assert resp.status_code == 200, resp.text
            self._tokens[username] = resp.json()["access_token"]
        return self._tokens[username]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def get(self, path: str, user: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers(user), **kw)

    def post(self, path: str, user: str, **kw: Any) -> Any:
        return self.client.post(path, headers=self.headers(user), **kw)


_HASH = auth.hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


def make_settings(database_url: str, **overrides: Any) -> ServerSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "webhook_secrets": {c: "test-secret" for c in ("chat", "app", "sms", "social", "live_stream", "web_form", "phone")},
        "hint_poll_seconds": 0.05,
    }
    values.update(overrides)
    return ServerSettings(**values)


@pytest.fixture
def api(database_url: str, clock: FixedClock) -> Iterator[Api]:
    settings = make_settings(database_url)
    db = Database.connect(database_url)
    app = create_app(settings, clock=clock, db=db)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client=client, db=db, clock=clock, settings=settings)
    db.dispose()
