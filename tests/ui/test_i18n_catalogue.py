"""Every literal the UI translates has a Chinese entry (so switching to 中文 leaves no
English behind), and no entry's placeholders differ from its source's."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from workstation.ui.i18n import ZH_CN

UI = Path(__file__).resolve().parents[2] / "workstation" / "ui"


def _context_of(tree: ast.Module) -> dict[str, str]:
    """Helper function name (e.g. `_tr`) → its translation context, per module."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for call in ast.walk(node):
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "translate" and call.args
                        and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
                        and len(call.args) == 2 and isinstance(call.args[1], ast.Name)):
                    found[node.name] = call.args[0].value
    return found


def translated_literals() -> list[tuple[str, str, str]]:
    """(module, context, source text) of every `_tr("…")`-style and `translate("Ctx", "…")` call."""
    out = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = _context_of(tree)
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            func = call.func
            if isinstance(func, ast.Name) and func.id in helpers:
                arg = call.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    out.append((path.name, helpers[func.id], arg.value))
            elif (isinstance(func, ast.Attribute) and func.attr in ("translate", "QT_TRANSLATE_NOOP")
                  or isinstance(func, ast.Name) and func.id == "QT_TRANSLATE_NOOP"):
                if len(call.args) >= 2 and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                               for a in call.args[:2]):
                    out.append((path.name, call.args[0].value, call.args[1].value))
    return out


def test_every_translated_literal_has_a_chinese_entry() -> None:
    missing = sorted({f"{ctx!r}: {text!r}  ({mod})" for mod, ctx, text in translated_literals()
                      if (ctx, text) not in ZH_CN})
    assert not missing, "no Chinese for:\n" + "\n".join(missing)


def test_placeholders_match() -> None:
    wrong = [key for key, value in ZH_CN.items()
             if set(re.findall(r"\{(\w*)\}", key[1])) != set(re.findall(r"\{(\w*)\}", value))]
    assert wrong == []


def test_every_desk_action_has_a_chinese_title() -> None:
    from workstation.ui.shortcuts import ACTIONS

    assert [a.text for a in ACTIONS if ("DeskWindow", a.text) not in ZH_CN] == []
