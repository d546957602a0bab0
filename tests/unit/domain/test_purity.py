"""The domain package stays pure: standard library and itself only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import workstation.domain

DOMAIN_DIR = Path(workstation.domain.__file__).parent
MODULES = sorted(DOMAIN_DIR.glob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_imports_only_stdlib_and_itself(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "workstation":
            assert name.startswith("workstation.domain"), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_never_reads_the_wall_clock(path: Path) -> None:
    if path.name == "clock.py":
        pytest.skip("the clock module is where the real clock lives")
    text = path.read_text(encoding="utf-8")
    assert "datetime.now(" not in text and ".utcnow(" not in text and "time.time(" not in text
