"""A real ticket API on 127.0.0.1 (uvicorn in a thread, temp SQLite) and client caches."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.integration.server.conftest import PASSWORD, START, make_settings
from workstation.domain.clock import FixedClock
from workstation.domain.enums import Role
from workstation.server import auth
from workstation.server.app import create_app
from workstation.server.changes import ensure_counters, install_stamping
from workstation.server.db import Database
from workstation.server.tables import Base
from workstation.store import state as store_state
from workstation.store.db import CacheDatabase
from workstation.sync.api import ApiClient
from workstation.sync.engine import SyncEngine, SyncStatus

_HASH = auth.hash_password(PASSWORD)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """The API over one database; `stop()` and `start()` it to simulate an outage."""

    db: Database
    clock: FixedClock
    database_url: str
    port: int = field(default_factory=free_port)
    users: dict[str, str] = field(default_factory=dict)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        settings = make_settings(self.database_url)
        app = create_app(settings, clock=self.clock, db=self.db)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on", timeout_graceful_shutdown=1)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        self._server, self._thread = server, thread

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)
        self._server = self._thread = None

    def make_user(self, username: str, role: Role = Role.AGENT) -> str:
        with self.db.write() as session:
            user = auth.create_user(
                session, username=username, password=PASSWORD, role=role,
                display_name=username.title(), queues=["general", "complaints", "returns", "repairs"],
                tenure_start=None, now=self.clock(), password_hash=_HASH,
            )
            self.users[username] = user.id
            return user.id


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    install_stamping()
    url = f"sqlite:///{tmp_path / 'server.db'}"
    db = Database.connect(url)
    Base.metadata.create_all(db.engine)
    with db.write() as session:
        ensure_counters(session)
    live = LiveServer(db=db, clock=FixedClock(START), database_url=url)
    live.start()
    yield live
    live.stop()
    db.dispose()


@dataclass
class Client:
    """One installation: a cache file, a signed-in API client and an engine."""

    api: ApiClient
    db: CacheDatabase
    engine: SyncEngine
    states: list[SyncStatus]
    client_id: str

    def close(self) -> None:
        self.engine.stop()
        self.db.close()
        self.api.close()


def make_client(server: LiveServer, username: str, cache_path: Path, **engine_kw: Any) -> Client:
    api = ApiClient(base_url=server.url, timeout=5.0)
    api.login(username, PASSWORD)
    db = CacheDatabase.open(cache_path)
    with db.write() as s:
        client_id = store_state.ensure_client_id(s)
    states: list[SyncStatus] = []
    engine = SyncEngine(api=api, cache=db, client_id=client_id, clock=server.clock,
                        on_state=states.append, **engine_kw)
    return Client(api=api, db=db, engine=engine, states=states, client_id=client_id)
