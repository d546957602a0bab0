"""Phone calls for the desk: the wrap-up codes an agent picks when a call ends, the cached
call row the call record follows, and the notes of a new (unknown) caller.

No Qt here; every function is safe on a background thread. Saving goes through
`DeskServices.record_call_notes` (cache + outbox in one transaction).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from workstation.services.changes import ServiceError
from workstation.services.effects import load, parse_time
from workstation.store.db import CacheDatabase

_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")
MAX_NAME = 120
MAX_ORDER_NO = 40


@dataclass(frozen=True, slots=True, kw_only=True)
class WrapUpCode:
    code: str
    en: str
    zh: str

    def label(self, language: str = "en") -> str:
        return self.zh if language.lower().startswith("zh") and self.zh else self.en


def default_wrap_up_path() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "calls" / "wrap_up_codes.toml"


def parse_wrap_up_codes(text: str, *, source: str = "wrap_up_codes.toml") -> tuple[WrapUpCode, ...]:
    """The codes of a wrap-up file (strict: a bad or repeated code is an error)."""
    data = tomllib.loads(text)
    entries = data.get("code")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{source}: no [[code]] entries")
    seen: set[str] = set()
    out: list[WrapUpCode] = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or set(entry) - {"code", "en", "zh"}:
            raise ValueError(f"{source}: code #{n} has unknown keys")
        code, en, zh = entry.get("code"), entry.get("en"), entry.get("zh", "")
        if not isinstance(code, str) or not _CODE.match(code):
            raise ValueError(f"{source}: code #{n}: {code!r} is not a wrap-up code")
        if code in seen:
            raise ValueError(f"{source}: code {code!r} is listed twice")
        if not isinstance(en, str) or not en.strip() or not isinstance(zh, str):
            raise ValueError(f"{source}: code {code!r} needs an English label (en) and text zh")
        seen.add(code)
        out.append(WrapUpCode(code=code, en=en, zh=zh))
    return tuple(out)


@lru_cache(maxsize=4)
def wrap_up_codes(path: Path | None = None) -> tuple[WrapUpCode, ...]:
    """The shipped wrap-up codes (resources/calls/wrap_up_codes.toml), in picker order."""
    path = default_wrap_up_path() if path is None else path
    return parse_wrap_up_codes(path.read_text(encoding="utf-8"), source=path.name)


def call_row(db: CacheDatabase, call_id: str) -> dict[str, Any] | None:
    """The cached call (wire dict), or None while it has not been pulled yet."""
    with db.read() as session:
        row = load(session, "calls", call_id)
    return None if row is None else {k: v for k, v in row.items() if k != "_server"}


def answered_at(row: dict[str, Any] | None) -> datetime | None:
    return None if not row else parse_time(row.get("answered_at"))


def new_caller_notes(
    notes: str,
    *,
    name: str = "",
    order_no: str = "",
    name_label: str = "New customer",
    order_label: str = "Order",
) -> str:
    """The notes of a call from a caller not in our records, with what the agent took down
    (name, order number) first, so whoever reads the call later sees it. The labels come
    from the UI (in the agent's language)."""
    name, order_no = name.strip(), order_no.strip()
    if len(name) > MAX_NAME:
        raise ServiceError("name", f"is {len(name)} characters long; the limit is {MAX_NAME}")
    if len(order_no) > MAX_ORDER_NO or any(ch.isspace() for ch in order_no):
        raise ServiceError("order_no", f"{order_no!r} is not an order number")
    head = []
    if name:
        head.append(f"{name_label}: {name}")
    if order_no:
        head.append(f"{order_label}: {order_no}")
    if not head:
        return notes
    return " · ".join(head) + ("\n" + notes if notes.strip() else "")
