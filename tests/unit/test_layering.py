"""The dependency rules of ARCHITECTURE.md, checked by reading every module's imports (AST).

- PySide6 (and shiboken6) only in workstation/ui and workstation/app.py.
- workstation/domain and workstation/scripts import no framework.
- workstation/domain imports nothing of ours outside workstation.domain.
- client code (everything but workstation/server) never imports workstation.server.
- workstation.server never imports the client's ui, services, store, app or demo.
Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "workstation"

QT = ("PySide6", "shiboken6")
FRAMEWORKS = (
    *QT,
    "sqlalchemy",
    "alembic",
    "httpx",
    "fastapi",
    "starlette",
    "uvicorn",
    "keyring",
    "pydantic",
    "psycopg",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from workstation import server` imports a module too
                yield node.lineno, f"{target}.{alias.name}"


def under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def violations(rule) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for path in sources():
        mod = module_name(path)
        for line, name in imports_of(path):
            if rule(mod, name):
                found.append(f"{path.relative_to(ROOT)}:{line}: {mod} imports {name}")
    return sorted(set(found))


def test_there_is_something_to_check() -> None:
    names = {module_name(p) for p in sources()}
    assert {"workstation.app", "workstation.config", "workstation.ui.desk_window"} <= names


def test_qt_only_in_ui_and_app() -> None:
    assert (
        violations(
            lambda mod, name: (
                under(name, *QT) and not under(mod, "workstation.ui", "workstation.app")
            )
        )
        == []
    )


@pytest.mark.parametrize("package", ["workstation.domain", "workstation.scripts"])
def test_pure_packages_import_no_framework(package: str) -> None:
    assert violations(lambda mod, name: under(mod, package) and under(name, *FRAMEWORKS)) == []


def test_domain_imports_nothing_of_ours_outside_domain() -> None:
    assert (
        violations(
            lambda mod, name: (
                under(mod, "workstation.domain")
                and under(name, "workstation")
                and not under(name, "workstation.domain")
                and name != "workstation"
            )  # `from workstation import domain` style resolves below
        )
        == []
    )


def test_client_never_imports_server() -> None:
    assert (
        violations(
            lambda mod, name: (
                not under(mod, "workstation.server") and under(name, "workstation.server")
            )
        )
        == []
    )


def test_server_never_imports_client_layers() -> None:
    client = (
        "workstation.ui",
        "workstation.services",
        "workstation.store",
        "workstation.app",
        "workstation.demo",
    )
    assert (
        violations(lambda mod, name: under(mod, "workstation.server") and under(name, *client))
        == []
    )


def test_the_scanner_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    sample = PACKAGE / "domain" / "__layering_probe__.py"
    source = "def f():\n    import PySide6.QtCore\n    from ..server import cli\n    from . import money\n"
    sample.write_text(source, encoding="utf-8")
    try:
        found = dict((name, line) for line, name in imports_of(sample))
    finally:
        sample.unlink()
    assert found["PySide6.QtCore"] == 2
    assert "workstation.server" in found and "workstation.server.cli" in found
    assert "workstation.domain.money" in found
