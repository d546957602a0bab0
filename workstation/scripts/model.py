"""Reply scripts (话术): one script is a key with a history of versions; each version carries
the wording for every channel at once (chat short, e-mail formal with a subject, SMS within the
segment limit, and a default used where no channel-specific variant exists).

Pure data and validation; no framework imports. Validation errors name the field that failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

CATEGORIES: tuple[str, ...] = (
    "greeting",
    "logistics",
    "return",
    "refund",
    "exchange",
    "repair",
    "complaint",
    "apology",
    "compensation",
    "follow_up",
    "closing",
)
LANGUAGES: tuple[str, ...] = ("zh", "en")
CHANNELS: tuple[str, ...] = ("chat", "email", "sms", "default")
# The conversation request types a script can be suggested for (domain.enums.RequestType values).
REQUEST_TYPES: tuple[str, ...] = ("complaint", "return_refund", "exchange", "repair", "inquiry", "suggestion")

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,79}$")
MAX_TITLE = 200
MAX_BODY = 5000
MAX_SUBJECT = 200
MAX_TAGS = 30


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETIRED = "retired"


class ScriptError(ValueError):
    """Invalid script data; `field` names what is wrong (e.g. "variants.email.subject")."""

    def __init__(self, message: str, *, field: str, key: str | None = None, source: str | None = None) -> None:
        self.field = field
        self.key = key
        self.source = source
        self.reason = message
        where = []
        if source:
            where.append(source)
        if key:
            where.append(f"script {key!r}")
        where.append(f"field {field!r}")
        super().__init__(f"{': '.join(where)}: {message}")

    def located(self, *, key: str | None = None, source: str | None = None) -> ScriptError:
        return ScriptError(self.reason, field=self.field, key=key or self.key, source=source or self.source)


@dataclass(frozen=True, kw_only=True)
class Variant:
    """The wording for one channel. `subject` is for e-mail only."""

    body: str
    subject: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"body": self.body}
        if self.subject is not None:
            out["subject"] = self.subject
        return out


@dataclass(frozen=True, kw_only=True)
class ScriptVersion:
    """One version of a reply script: what the server stores as one `reply_scripts` row."""

    key: str
    version: int
    status: Status
    category: str
    language: str
    title: str
    variants: Mapping[str, Variant]
    tags: tuple[str, ...] = ()
    request_types: tuple[str, ...] = ()
    id: str | None = None
    created_by: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    created_at: datetime | None = None

    def variant(self, channel: str | None) -> Variant | None:
        """The wording for `channel`, falling back to the default variant (then chat)."""
        for name in (channel, "default", "chat"):
            if name is not None and name in self.variants:
                return self.variants[name]
        return next(iter(self.variants.values()), None)

    @property
    def variables(self) -> tuple[str, ...]:
        """Every variable any variant uses (subjects included), in order of first use."""
        from workstation.scripts.render import variables_in

        seen: dict[str, None] = {}
        for variant in self.variants.values():
            for text in (variant.subject or "", variant.body):
                for name in variables_in(text):
                    seen.setdefault(name, None)
        return tuple(seen)

    def with_changes(self, **changes: Any) -> ScriptVersion:
        return replace(self, **changes)

    def content(self) -> dict[str, Any]:
        """The editable content as plain data (the wire / row shape)."""
        return {
            "key": self.key,
            "category": self.category,
            "language": self.language,
            "title": self.title,
            "variants": {ch: v.as_dict() for ch, v in self.variants.items()},
            "tags": list(self.tags),
            "request_types": list(self.request_types),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.content(),
            "id": self.id,
            "version": self.version,
            "status": self.status.value,
            "created_by": self.created_by,
            "approved_by": self.approved_by,
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
        }


@dataclass(frozen=True, kw_only=True)
class Script:
    """A script key and its versions (any order in; kept sorted by version)."""

    key: str
    versions: tuple[ScriptVersion, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "versions", tuple(sorted(self.versions, key=lambda v: v.version)))
        for v in self.versions:
            if v.key != self.key:
                raise ScriptError(f"version {v.version} belongs to {v.key!r}", field="key", key=self.key)

    @property
    def approved(self) -> ScriptVersion | None:
        """The version agents use (at most one is approved at a time)."""
        found = [v for v in self.versions if v.status is Status.APPROVED]
        return found[-1] if found else None

    @property
    def latest(self) -> ScriptVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def open_version(self) -> ScriptVersion | None:
        """The draft or submitted version being worked on, if any."""
        for v in reversed(self.versions):
            if v.status in (Status.DRAFT, Status.SUBMITTED):
                return v
        return None

    @property
    def next_version(self) -> int:
        return (self.latest.version + 1) if self.latest else 1

    def get(self, version: int) -> ScriptVersion | None:
        return next((v for v in self.versions if v.version == version), None)


# -- validation -------------------------------------------------------------------------------


def _text(value: Any, *, field: str, max_len: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise ScriptError(f"must be text, got {type(value).__name__}", field=field)
    if required and not value.strip():
        raise ScriptError("must not be empty", field=field)
    if len(value) > max_len:
        raise ScriptError(f"is {len(value)} characters; at most {max_len}", field=field)
    return value


def _string_list(value: Any, *, field: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ScriptError("must be a list of text", field=field)
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip() or len(item) > 40:
            raise ScriptError("must be non-empty text of at most 40 characters", field=f"{field}[{i}]")
        if allowed is not None and item not in allowed:
            raise ScriptError(f"unknown value {item!r}; one of {', '.join(allowed)}", field=f"{field}[{i}]")
        if item not in out:
            out.append(item)
    if len(out) > MAX_TAGS:
        raise ScriptError(f"at most {MAX_TAGS} entries", field=field)
    return tuple(out)


def parse_variants(raw: Any, *, known_variables: Iterable[str] | None = None) -> dict[str, Variant]:
    """Validate `{channel: {"subject"?, "body"}}`; unknown channels, a missing body, a subject
    outside e-mail, an e-mail without subject and unknown or malformed variables are errors."""
    from workstation.scripts.render import malformed_placeholders, variables_in

    if not isinstance(raw, Mapping) or not raw:
        raise ScriptError("needs at least one channel variant (chat, email, sms or default)", field="variants")
    known = set(known_variables) if known_variables is not None else None
    out: dict[str, Variant] = {}
    for channel, spec in raw.items():
        where = f"variants.{channel}"
        if channel not in CHANNELS:
            raise ScriptError(f"unknown channel {channel!r}; one of {', '.join(CHANNELS)}", field=where)
        if not isinstance(spec, Mapping):
            raise ScriptError('must be a table with "body" (and "subject" for email)', field=where)
        extra = set(spec) - {"body", "subject"}
        if extra:
            raise ScriptError(f"unknown field(s) {', '.join(sorted(extra))}", field=where)
        body = _text(spec.get("body"), field=f"{where}.body", max_len=MAX_BODY)
        subject = spec.get("subject")
        if subject is not None:
            if channel != "email":
                raise ScriptError("only the email variant has a subject", field=f"{where}.subject")
            subject = _text(subject, field=f"{where}.subject", max_len=MAX_SUBJECT)
        elif channel == "email":
            raise ScriptError("the email variant needs a subject", field=f"{where}.subject")
        for part, text in (("body", body), ("subject", subject or "")):
            bad = malformed_placeholders(text)
            if bad:
                raise ScriptError(f"malformed placeholder {bad[0]!r}; write {{{{name.part}}}}", field=f"{where}.{part}")
            if known is not None:
                unknown = [v for v in variables_in(text) if v not in known]
                if unknown:
                    raise ScriptError(f"unknown variable {unknown[0]!r}", field=f"{where}.{part}")
        out[channel] = Variant(body=body, subject=subject)
    return out


CONTENT_FIELDS = ("key", "category", "language", "title", "variants", "tags", "request_types")


def parse_content(raw: Mapping[str, Any], *, known_variables: Iterable[str] | None = None) -> dict[str, Any]:
    """Validate a script's content (as authored, in a library file or an API body)."""
    if not isinstance(raw, Mapping):
        raise ScriptError("must be a table", field="script")
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise ScriptError("must be 2-80 characters of a-z, 0-9, '.', '_' or '-'", field="key")
    try:
        extra = set(raw) - set(CONTENT_FIELDS)
        if extra:
            raise ScriptError(f"unknown field(s) {', '.join(sorted(extra))}", field=sorted(extra)[0])
        category = raw.get("category")
        if category not in CATEGORIES:
            raise ScriptError(f"unknown category {category!r}; one of {', '.join(CATEGORIES)}", field="category")
        language = raw.get("language")
        if language not in LANGUAGES:
            raise ScriptError(f"unknown language {language!r}; one of {', '.join(LANGUAGES)}", field="language")
        return {
            "key": key,
            "category": category,
            "language": language,
            "title": _text(raw.get("title"), field="title", max_len=MAX_TITLE),
            "variants": parse_variants(raw.get("variants"), known_variables=known_variables),
            "tags": _string_list(raw.get("tags"), field="tags"),
            "request_types": _string_list(raw.get("request_types"), field="request_types", allowed=REQUEST_TYPES),
        }
    except ScriptError as exc:
        raise exc.located(key=key) from None


def new_version(
    raw: Mapping[str, Any],
    *,
    version: int = 1,
    status: Status = Status.DRAFT,
    known_variables: Iterable[str] | None = None,
    **meta: Any,
) -> ScriptVersion:
    return ScriptVersion(version=version, status=status, **parse_content(raw, known_variables=known_variables), **meta)


def from_record(row: Mapping[str, Any]) -> ScriptVersion:
    """A stored row (server table, cache, wire) as a ScriptVersion, without re-validating it."""
    variants = {
        str(ch): Variant(body=str(spec.get("body", "")), subject=spec.get("subject"))
        for ch, spec in (row.get("variants") or {}).items()
        if isinstance(spec, Mapping)
    }
    approved_at = row.get("approved_at")
    created_at = row.get("created_at")
    return ScriptVersion(
        id=row.get("id"),
        key=str(row["key"]),
        version=int(row["version"]),
        status=Status(row["status"]),
        category=str(row.get("category") or ""),
        language=str(row.get("language") or ""),
        title=str(row.get("title") or ""),
        variants=variants,
        tags=tuple(row.get("tags") or ()),
        request_types=tuple(row.get("request_types") or ()),
        created_by=row.get("created_by"),
        approved_by=row.get("approved_by"),
        approved_at=datetime.fromisoformat(approved_at) if isinstance(approved_at, str) else approved_at,
        created_at=datetime.fromisoformat(created_at) if isinstance(created_at, str) else created_at,
    )
