"""Versions and approval: draft → submitted → approved → retired.

- Team leads and admins author (create, edit a draft, submit, revise) and approve, reject back
  to draft with a reason, and retire. Agents only ever see approved versions.
- Approval is blocked by any `error` of the wording lint; the refusal lists the issues.
- Approving a version retires the previously approved version of the same key: one approved
  version per key at any time.
- `revise(script, changes)` starts the next version as a draft carrying every channel's
  variant, with the changes applied to all of them at once (a policy change: one new version).
- Only one version per key may be open (draft or submitted) at a time.

Functions return new ScriptVersion values; the caller stores them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from workstation.scripts.lint import LintConfig, LintIssue, blocking, lint_script
from workstation.scripts.model import (
    CONTENT_FIELDS,
    Script,
    ScriptError,
    ScriptVersion,
    Status,
    Variant,
    parse_content,
)

AUTHOR_ROLES = frozenset({"team_lead", "admin"})
APPROVER_ROLES = frozenset({"team_lead", "admin"})

# status -> actions allowed from it
TRANSITIONS: dict[Status, frozenset[str]] = {
    Status.DRAFT: frozenset({"edit", "submit", "retire"}),
    Status.SUBMITTED: frozenset({"approve", "reject", "retire"}),
    Status.APPROVED: frozenset({"retire", "revise"}),
    Status.RETIRED: frozenset({"revise"}),
}


class TransitionError(ValueError):
    """A lifecycle step that is not allowed; `code` is stable for programs, the message for people."""

    def __init__(self, code: str, message: str, *, issues: tuple[LintIssue, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.issues = issues


@dataclass(frozen=True)
class Actor:
    id: str
    role: str  # a domain Role value: agent, senior_agent, team_lead, admin, field_engineer


@dataclass(frozen=True)
class Approval:
    approved: ScriptVersion
    retired: tuple[ScriptVersion, ...]
    warnings: tuple[LintIssue, ...]


def _require(actor: Actor, roles: frozenset[str], action: str) -> None:
    if str(actor.role) not in roles:
        raise TransitionError("forbidden", f"a {actor.role} may not {action} reply scripts; team leads and admins may")


def _allowed(version: ScriptVersion, action: str) -> None:
    if action not in TRANSITIONS[version.status]:
        raise TransitionError(
            "bad_state",
            f"script {version.key!r} version {version.version} is {version.status.value}; cannot {action} it",
        )


def create(
    content: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
    existing: Script | None = None,
    known_variables: Iterable[str] | None = None,
) -> ScriptVersion:
    """A new key's first version, as a draft."""
    _require(actor, AUTHOR_ROLES, "create")
    parsed = parse_content(content, known_variables=known_variables)
    if existing is not None and existing.versions:
        raise TransitionError("exists", f"script {parsed['key']!r} exists; revise it for a new version")
    return ScriptVersion(version=1, status=Status.DRAFT, created_by=actor.id, created_at=now, **parsed)


def _merged(base: ScriptVersion, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Content of `base` with `changes` applied. `variants` replaces the named channels (the
    rest are carried over); `substitute` {old: new} rewrites every channel's text at once."""
    unknown = set(changes) - (set(CONTENT_FIELDS) | {"substitute"})
    if unknown:
        field = sorted(unknown)[0]
        raise ScriptError("cannot be changed (changeable: title, category, tags, request_types, variants, substitute)", field=field, key=base.key)
    if changes.get("key", base.key) != base.key:
        raise ScriptError("a version keeps its script's key", field="key", key=base.key)
    if changes.get("language", base.language) != base.language:
        raise ScriptError("a version keeps its script's language; create a new script", field="language", key=base.key)
    content = base.content()
    for name in ("title", "category", "tags", "request_types"):
        if name in changes:
            content[name] = changes[name]
    variants: dict[str, Any] = dict(content["variants"])
    new_variants = changes.get("variants")
    if new_variants is not None:
        if not isinstance(new_variants, Mapping):
            raise ScriptError("must be a table of channel variants", field="variants", key=base.key)
        for channel, spec in new_variants.items():
            if spec is None:
                variants.pop(channel, None)  # null drops a channel
            else:
                variants[channel] = spec
    substitute = changes.get("substitute") or {}
    if not isinstance(substitute, Mapping):
        raise ScriptError("must be a table {old text: new text}", field="substitute", key=base.key)
    if substitute:
        hit = False
        for channel, spec in list(variants.items()):
            spec = dict(spec)
            for part in ("subject", "body"):
                text = spec.get(part)
                if isinstance(text, str):
                    for old, new in substitute.items():
                        if old and old in text:
                            hit = True
                            text = text.replace(old, str(new))
                    spec[part] = text
            variants[channel] = spec
        if not hit:
            raise ScriptError("none of the texts to substitute occurs in any variant", field="substitute", key=base.key)
    content["variants"] = variants
    return content


def edit(
    draft: ScriptVersion,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    known_variables: Iterable[str] | None = None,
) -> ScriptVersion:
    _require(actor, AUTHOR_ROLES, "edit")
    _allowed(draft, "edit")
    parsed = parse_content(_merged(draft, changes), known_variables=known_variables)
    return replace(draft, **parsed)


def submit(version: ScriptVersion, *, actor: Actor, config: LintConfig | None = None) -> ScriptVersion:
    """Send a draft for approval. With a lint config, errors are refused here already."""
    _require(actor, AUTHOR_ROLES, "submit")
    _allowed(version, "submit")
    if config is not None:
        _lint_gate(version, config)
    return replace(version, status=Status.SUBMITTED)


def _lint_gate(version: ScriptVersion, config: LintConfig) -> tuple[LintIssue, ...]:
    issues = lint_script(version, config=config)
    errors = blocking(issues)
    if errors:
        listed = "; ".join(
            f"{i.rule} in {i.channel or i.part}{' ' + i.part if i.channel and i.part != 'body' else ''}: {i.message}"
            for i in errors
        )
        raise TransitionError("lint", f"script {version.key!r} version {version.version} fails the wording lint: {listed}", issues=errors)
    return tuple(i for i in issues if not i.blocking)


def approve(script: Script, version: int, *, actor: Actor, now: datetime, config: LintConfig) -> Approval:
    """Approve a submitted version; the previously approved version of the key is retired."""
    _require(actor, APPROVER_ROLES, "approve")
    target = script.get(version)
    if target is None:
        raise TransitionError("not_found", f"script {script.key!r} has no version {version}")
    _allowed(target, "approve")
    warnings = _lint_gate(target, config)
    retired = tuple(replace(v, status=Status.RETIRED) for v in script.versions if v.status is Status.APPROVED)
    approved = replace(target, status=Status.APPROVED, approved_by=actor.id, approved_at=now)
    return Approval(approved=approved, retired=retired, warnings=warnings)


def reject(version: ScriptVersion, *, actor: Actor, reason: str) -> ScriptVersion:
    """Back to draft; the reason is required (and recorded by the caller, e.g. in the audit log)."""
    _require(actor, APPROVER_ROLES, "reject")
    _allowed(version, "reject")
    if not reason or not reason.strip():
        raise TransitionError("reason_required", "rejecting a script needs a reason for its author")
    return replace(version, status=Status.DRAFT)


def retire(version: ScriptVersion, *, actor: Actor) -> ScriptVersion:
    _require(actor, APPROVER_ROLES, "retire")
    _allowed(version, "retire")
    return replace(version, status=Status.RETIRED)


def revise(
    script: Script,
    changes: Mapping[str, Any] | None = None,
    *,
    actor: Actor,
    now: datetime,
    known_variables: Iterable[str] | None = None,
) -> ScriptVersion:
    """The next version as a draft: every channel's variant carried over, `changes` applied to
    all of them at once. Starts from the approved version (else the newest)."""
    _require(actor, AUTHOR_ROLES, "revise")
    base = script.approved or script.latest
    if base is None:
        raise TransitionError("not_found", f"script {script.key!r} has no version to revise")
    if script.open_version is not None:
        open_v = script.open_version
        raise TransitionError(
            "open_version",
            f"script {script.key!r} already has version {open_v.version} {open_v.status.value}; finish or retire it first",
        )
    _allowed(base, "revise")
    parsed = parse_content(_merged(base, changes or {}), known_variables=known_variables)
    return ScriptVersion(
        version=script.next_version,
        status=Status.DRAFT,
        created_by=actor.id,
        created_at=now,
        **parsed,
    )


__all__ = [
    "APPROVER_ROLES",
    "AUTHOR_ROLES",
    "Actor",
    "Approval",
    "TransitionError",
    "Variant",
    "approve",
    "create",
    "edit",
    "reject",
    "retire",
    "revise",
    "submit",
]
