"""Reply scripts on the server: rows ↔ workstation.scripts values, the lint configuration the
server enforces, and loading the default library (seed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.domain.ids import new_id
from workstation.scripts.library import load_library
from workstation.scripts.lint import LintConfig, load_lint_config
from workstation.scripts.model import Script, ScriptVersion, Status, from_record
from workstation.server.changes import allocate
from workstation.server.tables import ReplyScript


def to_version(row: ReplyScript) -> ScriptVersion:
    return from_record(
        {
            "id": row.id,
            "key": row.key,
            "version": row.version,
            "status": row.status,
            "category": row.category,
            "language": row.language,
            "title": row.title,
            "variants": row.variants,
            "tags": row.tags,
            "request_types": row.request_types,
            "created_by": row.created_by,
            "approved_by": row.approved_by,
            "approved_at": row.approved_at,
            "created_at": row.created_at,
        }
    )


def apply_version(row: ReplyScript, version: ScriptVersion) -> ReplyScript:
    """Copy a ScriptVersion's fields onto its row (the row's id, key and version stay)."""
    content = version.content()
    row.status = version.status.value
    row.category = content["category"]
    row.language = content["language"]
    row.title = content["title"]
    row.variants = content["variants"]
    row.tags = content["tags"]
    row.request_types = content["request_types"]
    row.approved_by = version.approved_by
    row.approved_at = version.approved_at
    return row


def new_row(version: ScriptVersion, *, now: datetime) -> ReplyScript:
    row = ReplyScript(
        id=version.id or new_id(),
        key=version.key,
        version=version.version,
        created_by=version.created_by,
        created_at=version.created_at or now,
    )
    return apply_version(row, version)


def history(session: Session, key: str, *, lock: bool = False) -> tuple[Script, dict[int, ReplyScript]]:
    """The key's versions (rows locked for update on PostgreSQL when `lock`)."""
    stmt = select(ReplyScript).where(ReplyScript.key == key).order_by(ReplyScript.version)
    if lock:
        stmt = stmt.with_for_update()
    rows = list(session.execute(stmt).scalars())
    return Script(key=key, versions=tuple(to_version(r) for r in rows)), {r.version: r for r in rows}


@lru_cache(maxsize=8)
def _lint_config(path: Path | None, forbidden: tuple[str, ...]) -> LintConfig:
    return load_lint_config(path, forbidden_phrases=forbidden)


def lint_config(policy: Any, path: Path | None = None) -> LintConfig:
    """resources/scripts/lint.toml plus the policy's [qa] forbidden_phrases."""
    forbidden: tuple[str, ...] = tuple(getattr(getattr(policy, "qa", None), "forbidden_phrases", ()) or ())
    return _lint_config(path, forbidden)


def load_default_library(
    session: Session,
    *,
    approved_by: str,
    now: datetime,
    paths: Iterable[Path] | None = None,
) -> int:
    """Insert the shipped library as approved version 1 of each key, approved by `approved_by`
    at `now`. Keys that already exist are left alone. Returns the number of scripts added."""
    scripts = load_library(paths)
    existing = set(session.execute(select(ReplyScript.key).distinct()).scalars())
    todo = [s for s in scripts if s.key not in existing]
    if not todo:
        return 0
    # Stamped here too: the seed's session may run without the flush-time stamping installed.
    first = allocate(session, len(todo)) - len(todo) + 1
    for seq, script in enumerate(todo, first):
        approved = script.with_changes(
            status=Status.APPROVED, created_by=approved_by, approved_by=approved_by, approved_at=now, created_at=now
        )
        row = new_row(approved, now=now)
        row.change_seq = seq
        session.add(row)
    session.flush()
    return len(todo)
