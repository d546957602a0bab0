"""Authoring and approval of reply scripts (team leads and admins), version history, and the
wording lint for anyone's text.

Lifecycle rules live in workstation.scripts.lifecycle; this module loads the key's versions,
applies one step, stores the result and audits approvals, rejections and retirements. Clients
get the changes through the normal pull (agents receive approved versions only). The list of
scripts is GET /scripts (routes/records.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field
from sqlalchemy.orm import Session

from workstation.scripts import lifecycle
from workstation.scripts.lifecycle import Actor, TransitionError
from workstation.scripts.lint import lint_text
from workstation.scripts.model import CHANNELS, LANGUAGES, Script, ScriptError, Status
from workstation.scripts.render import VARIABLES
from workstation.server import script_library
from workstation.server.audit import record_audit
from workstation.server.auth import Principal
from workstation.server.problems import Problem, conflict, forbidden, not_found, unprocessable
from workstation.server.routes._common import Ctx, Lead, Staff
from workstation.server.schemas import Strict
from workstation.server.tables import ReplyScript

router = APIRouter(tags=["scripts"])

Key = Annotated[str, Path(min_length=2, max_length=80, pattern=r"^[a-z0-9][a-z0-9_.\-]*$")]
Version = Annotated[int, Path(ge=1, le=100_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=40)]


class VariantIn(Strict):
    body: str = Field(max_length=5000)
    subject: str | None = Field(default=None, max_length=200)


class ScriptCreate(Strict):
    key: str = Field(min_length=2, max_length=80)
    category: str = Field(max_length=20)
    language: str = Field(max_length=8)
    title: str = Field(max_length=200)
    variants: dict[str, VariantIn] = Field(max_length=len(CHANNELS))
    tags: list[ShortText] = Field(default_factory=list, max_length=30)
    request_types: list[ShortText] = Field(default_factory=list, max_length=10)


class ScriptChanges(Strict):
    """Fields to change; `variants` replaces the channels named (null removes one);
    `substitute` {old: new} rewrites the text of every channel at once."""

    title: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=20)
    variants: dict[str, VariantIn | None] | None = Field(default=None, max_length=len(CHANNELS))
    tags: list[ShortText] | None = Field(default=None, max_length=30)
    request_types: list[ShortText] | None = Field(default=None, max_length=10)
    substitute: dict[Annotated[str, Field(min_length=1, max_length=200)], Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, max_length=20
    )

    def as_changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("title", "category", "tags", "request_types", "substitute"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.variants is not None:
            out["variants"] = {
                ch: (None if v is None else v.model_dump(exclude_none=True)) for ch, v in self.variants.items()
            }
        return out


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class LintRequest(Strict):
    text: str = Field(max_length=10_000)
    language: str | None = Field(default=None, max_length=8)
    channel: str | None = Field(default=None, max_length=20)


def _actor(principal: Principal) -> Actor:
    return Actor(id=principal.id, role=principal.role.value)


def _problem(exc: TransitionError | ScriptError) -> Problem:
    if isinstance(exc, ScriptError):
        return unprocessable(str(exc), field=exc.field)
    if exc.code == "forbidden":
        return forbidden(str(exc))
    if exc.code == "not_found":
        return Problem(404, "Not found", str(exc), kind="not-found")
    if exc.code == "lint":
        return Problem(
            422,
            "Wording lint failed",
            str(exc),
            kind="script-lint",
            rules=sorted({i.rule for i in exc.issues}),
            issues=[i.as_dict() for i in exc.issues],
        )
    if exc.code == "reason_required":
        return unprocessable(str(exc), field="reason")
    return conflict(str(exc), code=exc.code)


def _view(row: ReplyScript) -> dict[str, Any]:
    out = script_library.to_version(row).as_dict()
    out["created_at"] = row.created_at.isoformat() if row.created_at else None
    return out


def _load(session: Session, key: str, *, lock: bool = True) -> tuple[Script, dict[int, ReplyScript]]:
    script, rows = script_library.history(session, key, lock=lock)
    if not rows:
        raise not_found("script", key)
    return script, rows


def _row(rows: dict[int, ReplyScript], key: str, version: int) -> ReplyScript:
    if version not in rows:
        raise not_found("script version", f"{key} v{version}")
    return rows[version]


@router.get("/scripts/variables", response_model=dict[str, str])
def list_variables(_: Staff) -> dict[str, str]:
    """The variables scripts may use and what fills them."""
    return dict(VARIABLES)


@router.post("/scripts/lint", response_model=dict[str, Any])
def lint(body: LintRequest, ctx: Ctx, principal: Staff) -> dict[str, Any]:
    """Lint any text: authors (leads) see errors as errors; agents' free text gets warnings."""
    if body.language is not None and body.language not in LANGUAGES:
        raise unprocessable(f"unknown language {body.language!r}", field="language")
    if body.channel is not None and body.channel not in CHANNELS:
        raise unprocessable(f"unknown channel {body.channel!r}", field="channel")
    issues = lint_text(
        body.text,
        config=script_library.lint_config(ctx.policy),
        language=body.language,
        channel=body.channel,
        for_agent=not principal.sees_everything,
    )
    return {"issues": [i.as_dict() for i in issues], "blocking": any(i.blocking for i in issues)}


@router.get("/scripts/{key}/versions", response_model=list[dict[str, Any]])
def list_versions(key: Key, ctx: Ctx, principal: Staff) -> list[dict[str, Any]]:
    """Every version of a script (agents: approved versions only)."""
    with ctx.db.read() as session:
        _, rows = script_library.history(session, key)
        visible = [r for r in rows.values() if principal.sees_everything or r.status == Status.APPROVED.value]
        if not visible:
            raise not_found("script", key)
        return [_view(r) for r in visible]


@router.post("/scripts", response_model=dict[str, Any], status_code=201)
def create_script(body: ScriptCreate, ctx: Ctx, lead: Lead) -> dict[str, Any]:
    with ctx.db.write() as session:
        existing, _ = script_library.history(session, body.key, lock=True)
        content = body.model_dump(exclude_none=True)
        try:
            draft = lifecycle.create(
                content, actor=_actor(lead), now=ctx.clock(), existing=existing, known_variables=VARIABLES
            )
        except (TransitionError, ScriptError) as exc:
            raise _problem(exc) from exc
        row = script_library.new_row(draft, now=ctx.clock())
        session.add(row)
        session.flush()
        record_audit(session, ctx, actor=lead, action="script.create", target_type="reply_script",
                     target_id=row.id, details={"key": row.key, "version": row.version})
        return _view(row)


@router.patch("/scripts/{key}/versions/{version}", response_model=dict[str, Any])
def edit_draft(key: Key, version: Version, body: ScriptChanges, ctx: Ctx, lead: Lead) -> dict[str, Any]:
    with ctx.db.write() as session:
        script, rows = _load(session, key)
        row = _row(rows, key, version)
        try:
            edited = lifecycle.edit(script.get(version), body.as_changes(), actor=_actor(lead),  # type: ignore[arg-type]
                                    known_variables=VARIABLES)
        except (TransitionError, ScriptError) as exc:
            raise _problem(exc) from exc
        script_library.apply_version(row, edited)
        session.flush()
        return _view(row)


@router.post("/scripts/{key}/versions/{version}/submit", response_model=dict[str, Any])
def submit(key: Key, version: Version, ctx: Ctx, lead: Lead) -> dict[str, Any]:
    with ctx.db.write() as session:
        script, rows = _load(session, key)
        row = _row(rows, key, version)
        try:
            submitted = lifecycle.submit(script.get(version), actor=_actor(lead))  # type: ignore[arg-type]
        except TransitionError as exc:
            raise _problem(exc) from exc
        script_library.apply_version(row, submitted)
        record_audit(session, ctx, actor=lead, action="script.submit", target_type="reply_script",
                     target_id=row.id, details={"key": key, "version": version})
        session.flush()
        return _view(row)


@router.post("/scripts/{key}/versions/{version}/approve", response_model=dict[str, Any])
def approve(key: Key, version: Version, ctx: Ctx, lead: Lead) -> dict[str, Any]:
    """Approve a submitted version: blocked by lint errors (422 naming the rules); the
    previously approved version of the key is retired in the same transaction."""
    config = script_library.lint_config(ctx.policy)
    refused: TransitionError | None = None
    with ctx.db.write() as session:
        script, rows = _load(session, key)
        target = _row(rows, key, version)
        try:
            result = lifecycle.approve(script, version, actor=_actor(lead), now=ctx.clock(), config=config)
        except TransitionError as exc:
            if exc.code != "lint":
                raise _problem(exc) from exc
            refused, target_id = exc, target.id
        else:
            for old in result.retired:
                script_library.apply_version(rows[old.version], old)
                record_audit(session, ctx, actor=lead, action="script.retire", target_type="reply_script",
                             target_id=rows[old.version].id,
                             details={"key": key, "version": old.version, "superseded_by": version})
            row = script_library.apply_version(target, result.approved)
            record_audit(session, ctx, actor=lead, action="script.approve", target_type="reply_script",
                         target_id=row.id,
                         details={"key": key, "version": version, "retired": [v.version for v in result.retired],
                                  "warnings": [i.rule for i in result.warnings]})
            session.flush()
            out = _view(row)
            out["warnings"] = [i.as_dict() for i in result.warnings]
            return out
    # A refusal changes nothing, but is audited (in its own transaction, after the first ended).
    with ctx.db.write() as session:
        record_audit(session, ctx, actor=lead, action="script.approve_refused", target_type="reply_script",
                     target_id=target_id,
                     details={"key": key, "version": version, "rules": sorted({i.rule for i in refused.issues})})
    raise _problem(refused)


@router.post("/scripts/{key}/versions/{version}/reject", response_model=dict[str, Any])
def reject(key: Key, version: Version, body: Reason, ctx: Ctx, lead: Lead) -> dict[str, Any]:
    """Back to draft with a reason for the author (kept in the audit log)."""
    with ctx.db.write() as session:
        script, rows = _load(session, key)
        row = _row(rows, key, version)
        try:
            draft = lifecycle.reject(script.get(version), actor=_actor(lead), reason=body.reason)  # type: ignore[arg-type]
        except TransitionError as exc:
            raise _problem(exc) from exc
        script_library.apply_version(row, draft)
        record_audit(session, ctx, actor=lead, action="script.reject", target_type="reply_script", target_id=row.id,
                     details={"key": key, "version": version, "reason": body.reason})
        session.flush()
        out = _view(row)
        out["reason"] = body.reason
        return out


@router.post("/scripts/{key}/versions/{version}/retire", response_model=dict[str, Any])
def retire(key: Key, version: Version, ctx: Ctx, lead: Lead) -> dict[str, Any]:
    with ctx.db.write() as session:
        script, rows = _load(session, key)
        row = _row(rows, key, version)
        try:
            retired = lifecycle.retire(script.get(version), actor=_actor(lead))  # type: ignore[arg-type]
        except TransitionError as exc:
            raise _problem(exc) from exc
        script_library.apply_version(row, retired)
        record_audit(session, ctx, actor=lead, action="script.retire", target_type="reply_script", target_id=row.id,
                     details={"key": key, "version": version})
        session.flush()
        return _view(row)


@router.post("/scripts/{key}/revise", response_model=dict[str, Any], status_code=201)
def revise(key: Key, body: ScriptChanges, ctx: Ctx, lead: Lead) -> dict[str, Any]:
    """The next version as a draft carrying every channel's variant, with the changes applied
    to all of them at once (e.g. a policy change)."""
    with ctx.db.write() as session:
        script, _ = _load(session, key)
        try:
            draft = lifecycle.revise(script, body.as_changes(), actor=_actor(lead), now=ctx.clock(),
                                     known_variables=VARIABLES)
        except (TransitionError, ScriptError) as exc:
            raise _problem(exc) from exc
        row = script_library.new_row(draft, now=ctx.clock())
        session.add(row)
        session.flush()
        record_audit(session, ctx, actor=lead, action="script.revise", target_type="reply_script", target_id=row.id,
                     details={"key": key, "version": row.version, "from_version": (script.approved or script.latest).version})  # type: ignore[union-attr]
        return _view(row)
