"""Alembic environment of the cache: the engine comes from the caller (store.migrate)."""

from __future__ import annotations

from typing import Any

from alembic import context

from workstation.store.tables import metadata, outside_metadata

config = context.config
engine = config.attributes["engine"]


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (type_ == "table" and outside_metadata(name))


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        transactional_ddl=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
