"""The default script library shipped in resources/scripts/library/*.toml.

Each file holds `[[script]]` tables (key, category, language, title, tags, request_types and
`[script.variants.<channel>]` with body and, for e-mail, subject). Loading validates every
script and refuses the whole library on the first problem, naming file, script key and field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from workstation.scripts.model import ScriptError, ScriptVersion, Status, new_version
from workstation.scripts.render import VARIABLES


def default_library_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "scripts" / "library"


class LibraryError(ScriptError):
    pass


def load_file(path: Path, *, known_variables: Iterable[str] = VARIABLES) -> list[ScriptVersion]:
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LibraryError(f"not valid TOML: {exc}", field="file", source=source) from exc
    extra = set(data) - {"script"}
    if extra:
        raise LibraryError(f"unknown top-level table(s) {', '.join(sorted(extra))}; use [[script]]",
                           field=sorted(extra)[0], source=source)
    raw = data.get("script", [])
    if not isinstance(raw, list):
        raise LibraryError("must be an array of tables ([[script]])", field="script", source=source)
    known = tuple(known_variables)
    out = []
    for i, item in enumerate(raw):
        try:
            out.append(new_version(item, version=1, status=Status.APPROVED, known_variables=known))
        except ScriptError as exc:
            key = exc.key or f"#{i + 1}"
            raise LibraryError(exc.reason, field=exc.field, key=key, source=source) from None
    return out


def load_library(
    paths: Iterable[Path] | None = None, *, known_variables: Iterable[str] = VARIABLES
) -> tuple[ScriptVersion, ...]:
    """Every script of the library (version 1, approved), in file then file order.
    `paths`: files or directories (default: resources/scripts/library)."""
    files: list[Path] = []
    for p in paths if paths is not None else [default_library_dir()]:
        files += sorted(p.glob("*.toml")) if p.is_dir() else [p]
    seen: dict[str, str] = {}
    out: list[ScriptVersion] = []
    for path in files:
        for script in load_file(path, known_variables=known_variables):
            if script.key in seen:
                raise LibraryError(f"key used twice (also in {seen[script.key]})", field="key",
                                   key=script.key, source=str(path))
            seen[script.key] = str(path)
            out.append(script)
    return tuple(out)
