"""Schemathesis over /openapi.json: whatever it sends, the API answers 2xx-4xx with a
problem+json body on errors, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.integration.server.conftest import PASSWORD, START, make_settings
from workstation.domain.clock import FixedClock
from workstation.domain.enums import Role
from workstation.server import auth
from workstation.server.app import create_app
from workstation.server.changes import ensure_counters, install_stamping
from workstation.server.db import Database
from workstation.server.tables import Base

# Streams never end on their own; they have their own tests.
EXCLUDED_PATHS = {"/sync/events"}
EXAMPLES_PER_OPERATION = 30


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    install_stamping()
    path: Path = tmp_path_factory.mktemp("fuzz") / "server.db"
    url = f"sqlite:///{path}"
    db = Database.connect(url)
    Base.metadata.create_all(db.engine)
    clock = FixedClock(START)
    with db.write() as session:
        ensure_counters(session)
        for name, role in (("admin", Role.ADMIN), ("lead", Role.TEAM_LEAD), ("agent", Role.AGENT)):
            auth.create_user(session, username=name, password=PASSWORD, role=role, queues=["general"], now=clock())
    # No login throttling here: the fuzzer hammers /auth/login with wrong passwords on purpose.
    app = create_app(make_settings(url, login_max_failures=10**9, run_workers=False), clock=clock, db=db)
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        token = client.post("/auth/login", json={"username": "admin", "password": PASSWORD}).json()["access_token"]
        yield app, {"Authorization": f"Bearer {token}"}
    db.dispose()


def _operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    ops = []
    for result in schema.get_all_operations():
        op = result.ok()
        if op.path not in EXCLUDED_PATHS:
            ops.append(op)
    return ops


def test_no_server_errors(fuzz_target: tuple[Any, dict[str, str]]) -> None:
    app, headers = fuzz_target
    operations = _operations(app)
    assert len(operations) >= 20, "the schema lost its operations"
    failures: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            where = f"{case.method} {case.formatted_path}"
            if response.status_code >= 500:
                failures.append(f"{where} -> {response.status_code}: {response.text[:300]}")
            elif response.status_code >= 400:
                values = response.headers.get("content-type") or [""]
                ctype = values[0] if isinstance(values, list) else values  # schemathesis keeps lists
                if not ctype.startswith("application/problem+json"):
                    failures.append(f"{where} -> {response.status_code} without problem+json: {response.text[:200]}")

        run()
    assert not failures, "\n".join(failures[:20])
