from __future__ import annotations

from pathlib import Path

import pytest

from workstation.domain.enums import RequestType
from workstation.domain.policy import load_policy
from workstation.scripts.library import LibraryError, default_library_dir, load_library
from workstation.scripts.lint import lint_script, load_lint_config
from workstation.scripts.model import CATEGORIES, REQUEST_TYPES, Status
from workstation.scripts.render import VARIABLES, render_script

LIBRARY = load_library()


def test_size_categories_and_languages() -> None:
    assert len(LIBRARY) >= 60
    assert {s.category for s in LIBRARY} == set(CATEGORIES)
    for language in ("zh", "en"):
        assert {s.category for s in LIBRARY if s.language == language} == set(CATEGORIES)
    assert all(s.status is Status.APPROVED and s.version == 1 for s in LIBRARY)


def test_every_script_has_chat_email_sms_and_email_subjects() -> None:
    for s in LIBRARY:
        assert {"chat", "email", "sms"} <= set(s.variants), s.key
        assert s.variants["email"].subject, s.key
        assert s.variables, s.key  # personalised: uses at least one variable


@pytest.mark.parametrize("script", LIBRARY, ids=lambda s: s.key)
def test_every_shipped_script_passes_the_lint(script) -> None:  # type: ignore[no-untyped-def]
    config = load_lint_config(forbidden_phrases=load_policy(None).qa.forbidden_phrases)
    assert lint_script(script, config=config) == ()


def test_variables_are_known_and_render_fully() -> None:
    context = {name: "X" for name in VARIABLES}
    for s in LIBRARY:
        assert set(s.variables) <= set(VARIABLES)
        for channel in s.variants:
            assert render_script(s, channel, context).ok


def test_request_types_match_the_domain() -> None:
    assert set(REQUEST_TYPES) == {r.value for r in RequestType}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = '''
[[script]]
key = "x.zh"
category = "refund"
language = "zh"
title = "t"
[script.variants.chat]
body = "您好"
'''


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (("refund", "refunds"), "category"),
        (('language = "zh"', 'language = "fr"'), "language"),
        (("[script.variants.chat]", "[script.variants.fax]"), "variants.fax"),
        (('body = "您好"', 'body = "您好{{order.nope}}"'), "variants.chat.body"),
        (('body = "您好"', 'body = "{{ Order.Id }}"'), "variants.chat.body"),
        (("[script.variants.chat]", "[script.variants.email]"), "variants.email.subject"),
        (('title = "t"', 'title = ""'), "title"),
        (('title = "t"', 'title = "t"\ncolour = "red"'), "colour"),
    ],
)
def test_bad_library_names_file_key_and_field(tmp_path: Path, edit: tuple[str, str], field: str) -> None:
    path = _write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(LibraryError) as err:
        load_library([path])
    assert err.value.field == field
    assert "bad.toml" in str(err.value) and "'x.zh'" in str(err.value) and field in str(err.value)


def test_bad_toml_and_duplicate_keys(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="bad.toml.*not valid TOML"):
        load_library([_write(tmp_path, "[[script]\n")])
    other = tmp_path / "other.toml"
    other.write_text(GOOD, encoding="utf-8")
    with pytest.raises(LibraryError, match="key used twice"):
        load_library([_write(tmp_path, GOOD), other])


def test_default_dir_is_shipped() -> None:
    assert sorted(p.name for p in default_library_dir().glob("*.toml")) == ["en.toml", "zh.toml"]
