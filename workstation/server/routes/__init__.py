"""All API routers, registered in one place."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

# Each module exposes `router`; listed here so adding one is a one-line change.
ROUTE_MODULES = (
    "sync",
    "health",
    "auth",
    "users",
    "conversations",
    "customers",
    "records",
    "calculators",
    "channels",
    "customers_merge",
    "scripts",
)


def register(app: FastAPI) -> None:
    for name in ROUTE_MODULES:
        module = importlib.import_module(f"workstation.server.routes.{name}")
        app.include_router(module.router)
