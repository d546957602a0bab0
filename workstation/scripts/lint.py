"""The wording lint: commands, evasions, bare refusals and channel length limits.

Rules and phrase lists are data (resources/scripts/lint.toml, plus the QA policy's forbidden
phrases); this module only knows how to apply them. Authors: `error` issues block approval.
Agents' free text: `lint_text(..., for_agent=True)` turns every issue into a warning.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workstation.scripts.render import PLACEHOLDER_RE

SEVERITIES = ("error", "warning")
RULE_KINDS = ("phrase", "refusal")


def default_lint_path() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "scripts" / "lint.toml"


class LintConfigError(ValueError):
    """A lint.toml that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class LintIssue:
    rule: str
    severity: str  # error | warning
    message: str
    span: tuple[int, int] | None = None  # character offsets in the text checked
    channel: str | None = None
    part: str = "body"  # body | subject
    match: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "span": list(self.span) if self.span else None,
            "channel": self.channel,
            "part": self.part,
            "match": self.match,
        }


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    kind: str
    message: str
    phrases: Mapping[str, tuple[str, ...]]
    unless: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SmsLimits:
    gsm_single: int = 160
    gsm_multi: int = 153
    ucs2_single: int = 70
    ucs2_multi: int = 67
    max_segments: int = 2
    variable_chars: int = 12
    severity: str = "error"


@dataclass(frozen=True)
class LintConfig:
    rules: tuple[Rule, ...]
    sms: SmsLimits = SmsLimits()
    chat_max_chars: Mapping[str, int] = field(default_factory=lambda: {"zh": 160, "en": 400})
    chat_severity: str = "error"
    email_max_chars: int = 3000
    email_severity: str = "warning"

    def with_forbidden(self, phrases: Iterable[str]) -> LintConfig:
        """Add phrases (e.g. the QA policy's forbidden_phrases) to the `forbidden` rule, sorted
        into zh / en by script."""
        extra = [p for p in phrases if p.strip()]
        if not extra:
            return self
        zh = tuple(p for p in extra if _has_cjk(p))
        en = tuple(p for p in extra if not _has_cjk(p))
        rules = []
        found = False
        for rule in self.rules:
            if rule.id == "forbidden":
                found = True
                merged = {
                    "zh": tuple(dict.fromkeys((*rule.phrases.get("zh", ()), *zh))),
                    "en": tuple(dict.fromkeys((*rule.phrases.get("en", ()), *en))),
                }
                rule = replace(rule, phrases=merged)
            rules.append(rule)
        if not found:
            rules.append(Rule("forbidden", "error", "phrase", "A phrase the QA standard forbids", {"zh": zh, "en": en}))
        return replace(self, rules=tuple(rules))


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def _phrase_list(raw: Any, *, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(p, str) and p.strip() for p in raw):
        raise LintConfigError(f"{where}: must be a list of non-empty text")
    return tuple(raw)


def _int(table: Mapping[str, Any], name: str, default: int, *, where: str) -> int:
    value = table.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise LintConfigError(f"{where}.{name}: must be a positive whole number, got {value!r}")
    return value


def _severity(table: Mapping[str, Any], default: str, *, where: str) -> str:
    value = table.get("severity", default)
    if value not in SEVERITIES:
        raise LintConfigError(f"{where}.severity: must be one of {', '.join(SEVERITIES)}, got {value!r}")
    return str(value)


def parse_lint_config(data: Mapping[str, Any], *, source: str = "lint config") -> LintConfig:
    rules: list[Rule] = []
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise LintConfigError(f"{source}: rule: must be an array of tables ([[rule]])")
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules):
        where = f"{source}: rule[{i}]"
        if not isinstance(raw, Mapping):
            raise LintConfigError(f"{where}: must be a table")
        rid = raw.get("id")
        if not isinstance(rid, str) or not rid:
            raise LintConfigError(f"{where}.id: missing")
        where = f"{source}: rule {rid!r}"
        if rid in seen:
            raise LintConfigError(f"{where}.id: defined twice")
        seen.add(rid)
        extra = set(raw) - {"id", "severity", "kind", "message", "zh", "en", "unless_zh", "unless_en"}
        if extra:
            raise LintConfigError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
        kind = raw.get("kind", "phrase")
        if kind not in RULE_KINDS:
            raise LintConfigError(f"{where}.kind: must be one of {', '.join(RULE_KINDS)}, got {kind!r}")
        message = raw.get("message")
        if not isinstance(message, str) or not message:
            raise LintConfigError(f"{where}.message: missing")
        rules.append(
            Rule(
                id=rid,
                severity=_severity(raw, "error", where=where),
                kind=kind,
                message=message,
                phrases={lang: _phrase_list(raw.get(lang), where=f"{where}.{lang}") for lang in ("zh", "en")},
                unless={
                    lang: _phrase_list(raw.get(f"unless_{lang}"), where=f"{where}.unless_{lang}")
                    for lang in ("zh", "en")
                },
            )
        )
    channels = data.get("channels", {})
    if not isinstance(channels, Mapping):
        raise LintConfigError(f"{source}: channels: must be a table")
    sms_t = channels.get("sms", {})
    chat_t = channels.get("chat", {})
    email_t = channels.get("email", {})
    w = f"{source}: channels"
    sms = SmsLimits(
        gsm_single=_int(sms_t, "gsm_single", 160, where=f"{w}.sms"),
        gsm_multi=_int(sms_t, "gsm_multi", 153, where=f"{w}.sms"),
        ucs2_single=_int(sms_t, "ucs2_single", 70, where=f"{w}.sms"),
        ucs2_multi=_int(sms_t, "ucs2_multi", 67, where=f"{w}.sms"),
        max_segments=_int(sms_t, "max_segments", 2, where=f"{w}.sms"),
        variable_chars=_int(sms_t, "variable_chars", 12, where=f"{w}.sms"),
        severity=_severity(sms_t, "error", where=f"{w}.sms"),
    )
    return LintConfig(
        rules=tuple(rules),
        sms=sms,
        chat_max_chars={
            "zh": _int(chat_t, "max_chars_zh", 160, where=f"{w}.chat"),
            "en": _int(chat_t, "max_chars_en", 400, where=f"{w}.chat"),
        },
        chat_severity=_severity(chat_t, "error", where=f"{w}.chat"),
        email_max_chars=_int(email_t, "max_chars", 3000, where=f"{w}.email"),
        email_severity=_severity(email_t, "warning", where=f"{w}.email"),
    )


def load_lint_config(path: Path | None = None, *, forbidden_phrases: Iterable[str] = ()) -> LintConfig:
    path = path or default_lint_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LintConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise LintConfigError(f"{path}: cannot read: {exc}") from exc
    return parse_lint_config(data, source=str(path)).with_forbidden(forbidden_phrases)


# -- matching -----------------------------------------------------------------------------------

_PATTERN_CACHE: dict[tuple[str, bool], re.Pattern[str]] = {}


def _pattern(phrase: str) -> re.Pattern[str]:
    cjk = _has_cjk(phrase)
    key = (phrase, cjk)
    pat = _PATTERN_CACHE.get(key)
    if pat is None:
        body = re.escape(phrase).replace(r"\ ", r"\s+").replace("'", "['’]")
        if not cjk:
            body = r"(?<![A-Za-z0-9])" + body + r"(?![A-Za-z0-9])"
        pat = _PATTERN_CACHE[key] = re.compile(body, re.IGNORECASE)
    return pat


def _find(text: str, phrases: Iterable[str]) -> list[tuple[int, int, str]]:
    hits = []
    for phrase in phrases:
        for m in _pattern(phrase).finditer(text):
            hits.append((m.start(), m.end(), m.group(0)))
    return sorted(hits)


def _languages(language: str | None, text: str) -> tuple[str, ...]:
    if language in ("zh", "en"):
        # Chinese replies often carry English words and the reverse: check both lists, the
        # text's own language first.
        return (language, "en" if language == "zh" else "zh")
    return ("zh", "en") if _has_cjk(text) else ("en", "zh")


def _wording(text: str, language: str | None, config: LintConfig) -> list[LintIssue]:
    issues: list[LintIssue] = []
    langs = _languages(language, text)
    taken: list[tuple[int, int]] = []  # each stretch of text is reported once, by the first rule
    for rule in config.rules:
        phrases = [p for lang in langs for p in rule.phrases.get(lang, ())]
        hits = _find(text, phrases)
        if not hits:
            continue
        if rule.kind == "refusal":
            masked = list(text)
            for start, end, _ in hits:
                masked[start:end] = " " * (end - start)
            unless = [p for lang in langs for p in rule.unless.get(lang, ())]
            if _find("".join(masked), unless):
                continue
        for start, end, found in hits:
            if any(s < end and start < e for s, e in taken):
                continue  # overlapping phrases ("不太清楚" / "不清楚", or the same in two rules)
            taken.append((start, end))
            issues.append(LintIssue(rule.id, rule.severity, f"{rule.message}: {found!r}", (start, end), match=found))
    return issues


def _chars_with_variables(text: str, variable_chars: int) -> tuple[str, int]:
    """The text with each placeholder counted as `variable_chars` characters."""
    count = 0
    stripped = PLACEHOLDER_RE.sub("", text)
    count = len(stripped) + variable_chars * len(PLACEHOLDER_RE.findall(text))
    return stripped, count


_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXT = set("^{}\\[~]|€")


def sms_segments(text: str, limits: SmsLimits = SmsLimits()) -> tuple[int, int, str]:
    """(segments, length counted, encoding) of an SMS; placeholders count as variable_chars."""
    stripped, _ = _chars_with_variables(text, limits.variable_chars)
    gsm = all(ch in _GSM or ch in _GSM_EXT for ch in stripped)
    if gsm:
        length = sum(2 if ch in _GSM_EXT else 1 for ch in stripped)
        length += limits.variable_chars * len(PLACEHOLDER_RE.findall(text))
        single, multi, encoding = limits.gsm_single, limits.gsm_multi, "gsm"
    else:
        _, length = _chars_with_variables(text, limits.variable_chars)
        single, multi, encoding = limits.ucs2_single, limits.ucs2_multi, "ucs2"
    if length <= single:
        return 1, length, encoding
    return -(-length // multi), length, encoding


def _length(text: str, language: str | None, channel: str | None, config: LintConfig) -> list[LintIssue]:
    if channel == "sms":
        segments, length, encoding = sms_segments(text, config.sms)
        if segments > config.sms.max_segments:
            per = config.sms.gsm_single if encoding == "gsm" else config.sms.ucs2_single
            return [
                LintIssue(
                    "sms_length",
                    config.sms.severity,
                    f"SMS is {length} characters = {segments} segments ({per} per segment for "
                    f"{'GSM' if encoding == 'gsm' else 'Chinese/UCS-2'}); at most {config.sms.max_segments}",
                    (0, len(text)),
                )
            ]
    elif channel == "chat":
        limit = config.chat_max_chars.get(language or ("zh" if _has_cjk(text) else "en"), 400)
        _, length = _chars_with_variables(text, config.sms.variable_chars)
        if length > limit:
            return [
                LintIssue("chat_length", config.chat_severity,
                          f"chat reply is {length} characters; keep it to {limit}", (0, len(text)))
            ]
    elif channel == "email" and len(text) > config.email_max_chars:
        return [
            LintIssue("email_length", config.email_severity,
                      f"e-mail is {len(text)} characters; keep it to {config.email_max_chars}", (0, len(text)))
        ]
    return []


def lint_text(
    text: str,
    *,
    config: LintConfig,
    language: str | None = None,
    channel: str | None = None,
    for_agent: bool = False,
) -> tuple[LintIssue, ...]:
    """Issues in one text. `for_agent=True` (an agent's free text before sending): warnings only."""
    issues = _wording(text, language, config) + _length(text, language, channel, config)
    issues = [replace(i, channel=channel) for i in issues]
    if for_agent:
        issues = [replace(i, severity="warning") for i in issues]
    return tuple(sorted(issues, key=lambda i: (i.span or (0, 0), i.rule)))


def lint_script(script: Any, *, config: LintConfig) -> tuple[LintIssue, ...]:
    """Every issue in every variant (subjects included) of a ScriptVersion."""
    out: list[LintIssue] = []
    for channel, variant in script.variants.items():
        for issue in lint_text(variant.body, config=config, language=script.language, channel=channel):
            out.append(replace(issue, channel=channel, part="body"))
        if variant.subject:
            for issue in _wording(variant.subject, script.language, config):
                out.append(replace(issue, channel=channel, part="subject"))
    for issue in _wording(script.title, script.language, config):
        out.append(replace(issue, channel=None, part="title"))
    return tuple(out)


def blocking(issues: Iterable[LintIssue]) -> tuple[LintIssue, ...]:
    return tuple(i for i in issues if i.blocking)
