from __future__ import annotations

from pathlib import Path

import pytest

from workstation.domain.policy import load_policy
from workstation.scripts.lint import (
    LintConfigError,
    lint_script,
    lint_text,
    load_lint_config,
    parse_lint_config,
    sms_segments,
)
from workstation.scripts.model import ScriptVersion, Status, Variant


@pytest.fixture(scope="module")
def config():  # type: ignore[no-untyped-def]
    return load_lint_config(forbidden_phrases=load_policy(None).qa.forbidden_phrases)


CASES = [
    # (language, channel, text, expected rules)
    ("zh", None, "您必须在7天内寄回", {"command"}),
    ("zh", None, "请您在7天内寄回", set()),
    ("zh", None, "这个我不知道", {"evasion"}),
    ("zh", None, "物流情况我不太清楚", {"evasion"}),
    ("zh", None, "我帮您核实，16:00前回复您", set()),
    ("zh", None, "这个不行", {"bare_refusal"}),
    ("zh", None, "七天无理由退货不行，但可以为您安排维修", set()),
    ("zh", None, "不可以", {"bare_refusal"}),
    ("zh", None, "你好，请问有什么问题", {"courtesy"}),
    ("zh", None, "这不归我管", {"evasion"}),
    ("en", None, "You must send it back within 7 days.", {"command"}),
    ("en", None, "Please send it back within 7 days.", set()),
    ("en", None, "I don't know where your parcel is.", {"evasion"}),
    ("en", None, "I DON’T KNOW", {"evasion"}),
    ("en", None, "The status is not clear to me.", {"evasion"}),
    ("en", None, "We can't refund this.", {"bare_refusal"}),
    ("en", None, "We can't refund this, but we can repair it for free.", set()),
    ("en", None, "This is not my problem.", {"evasion"}),
    ("en", None, "Your mustard arrived", set()),  # word edges: "must" inside a word is fine
    ("en", None, "It is possible today", set()),
]


@pytest.mark.parametrize(("language", "channel", "text", "rules"), CASES)
def test_wording_rules(config, language, channel, text, rules) -> None:  # type: ignore[no-untyped-def]
    issues = lint_text(text, config=config, language=language, channel=channel)
    assert {i.rule for i in issues} == rules


def test_issue_carries_span_severity_and_message(config) -> None:  # type: ignore[no-untyped-def]
    text = "您好，您必须先付款"
    (issue,) = lint_text(text, config=config, language="zh")
    assert issue.rule == "command" and issue.severity == "error" and issue.blocking
    assert text[issue.span[0] : issue.span[1]] == "必须"
    assert "必须" in issue.message


def test_agent_free_text_gets_warnings_only(config) -> None:  # type: ignore[no-untyped-def]
    issues = lint_text("I don't know, you must wait", config=config, language="en", for_agent=True)
    assert {i.rule for i in issues} == {"evasion", "command"}
    assert all(i.severity == "warning" and not i.blocking for i in issues)


@pytest.mark.parametrize(
    ("text", "segments", "encoding"),
    [
        ("a" * 160, 1, "gsm"),
        ("a" * 161, 2, "gsm"),
        ("a" * 306, 2, "gsm"),
        ("a" * 307, 3, "gsm"),
        ("退" * 70, 1, "ucs2"),
        ("退" * 71, 2, "ucs2"),
        ("退" * 134, 2, "ucs2"),
        ("退" * 135, 3, "ucs2"),
        ("{{order.id}}" + "a" * 148, 1, "gsm"),  # a variable counts as 12 characters
        ("{{order.id}}" + "a" * 149, 2, "gsm"),
    ],
)
def test_sms_segments(text: str, segments: int, encoding: str) -> None:
    got, _length, enc = sms_segments(text)
    assert (got, enc) == (segments, encoding)


def test_length_limits_per_channel(config) -> None:  # type: ignore[no-untyped-def]
    assert {i.rule for i in lint_text("退" * 135, config=config, language="zh", channel="sms")} == {"sms_length"}
    assert lint_text("退" * 134, config=config, language="zh", channel="sms") == ()
    assert {i.rule for i in lint_text("您" * 161, config=config, language="zh", channel="chat")} == {"chat_length"}
    assert lint_text("您" * 160, config=config, language="zh", channel="chat") == ()
    assert {i.rule for i in lint_text("a " * 201, config=config, language="en", channel="chat")} == {"chat_length"}


def test_lint_script_checks_every_variant_and_subject(config) -> None:  # type: ignore[no-untyped-def]
    s = ScriptVersion(
        key="x.zh", version=1, status=Status.DRAFT, category="refund", language="zh", title="退款",
        variants={
            "chat": Variant(body="请您稍候"),
            "email": Variant(subject="您必须回复", body="您好"),
            "sms": Variant(body="我不清楚"),
        },
    )
    found = {(i.rule, i.channel, i.part) for i in lint_script(s, config=config)}
    assert found == {("command", "email", "subject"), ("evasion", "sms", "body")}


def test_policy_forbidden_phrases_join_the_lint(config) -> None:  # type: ignore[no-untyped-def]
    extra = config.with_forbidden(["保证没问题", "whatever"])
    assert {i.rule for i in lint_text("保证没问题", config=extra, language="zh")} == {"forbidden"}
    assert {i.rule for i in lint_text("Whatever.", config=extra, language="en")} == {"forbidden"}


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"rule": [{"id": "a", "kind": "phrasee", "message": "m"}]}, "rule 'a'.kind"),
        ({"rule": [{"id": "a", "message": "m", "severity": "fatal"}]}, "rule 'a'.severity"),
        ({"rule": [{"id": "a", "message": "m", "zh": "必须"}]}, "rule 'a'.zh"),
        ({"rule": [{"id": "a", "message": "m", "typo": 1}]}, "unknown field(s) typo"),
        ({"channels": {"sms": {"max_segments": 0}}}, "channels.sms.max_segments"),
    ],
)
def test_bad_config_names_the_field(data, needle: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LintConfigError, match=None) as err:
        parse_lint_config(data, source="lint.toml")
    assert needle in str(err.value) and "lint.toml" in str(err.value)


def test_bad_toml_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "lint.toml"
    bad.write_text("[[rule]\n", encoding="utf-8")
    with pytest.raises(LintConfigError, match="lint.toml"):
        load_lint_config(bad)
