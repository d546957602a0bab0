"""A real ticket API on 127.0.0.1 (the sync tests' fixture) and desks over client caches."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.integration.sync.conftest import Client, LiveServer, make_client, server  # noqa: F401
from workstation.services.desk import DeskServices


@dataclass
class Desk:
    """One installation with its desk services; the engine's pulls re-apply pending effects."""

    client: Client
    services: DeskServices
    pulled: list[frozenset[str]]

    def sync(self) -> Any:
        return self.client.engine.run_once()

    def close(self) -> None:
        self.client.close()


def make_desk(server: LiveServer, username: str, cache_path: Path, role: str = "agent") -> Desk:  # noqa: F811
    holder: dict[str, DeskServices] = {}
    pulled: list[frozenset[str]] = []

    def on_changes(entities: frozenset[str]) -> None:
        pulled.append(entities)
        holder["desk"].after_pull(entities)

    client = make_client(server, username, cache_path, on_changes=on_changes)
    services = DeskServices(
        cache=client.db,
        clock=server.clock,
        user={"id": server.users[username], "username": username, "role": role},
        on_local_write=client.engine.poke,
    )
    holder["desk"] = services
    return Desk(client=client, services=services, pulled=pulled)
