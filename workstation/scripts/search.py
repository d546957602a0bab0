"""Finding a script as the agent types (the `/` picker): title, text and tags in Chinese and
English, Chinese also by pinyin initials ("thtk" → 退货退款), and suggestions for the
conversation's request type.

`ScriptIndex.build(scripts)` precomputes lowercased texts and initials once; `query` is a
linear scan over plain strings (fast enough for tens of thousands of scripts per keystroke).
Initials come from a table shipped in resources/scripts/pinyin_initials.txt (no dependency);
a polyphonic character (行 h/x) matches by any of its readings.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from workstation.scripts.model import CATEGORIES, ScriptVersion

MAX_INITIAL_VARIANTS = 64


def default_initials_path() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "scripts" / "pinyin_initials.txt"


@lru_cache(maxsize=4)
def initials_table(path: Path | None = None) -> dict[str, str]:
    """{character: its initial letters}, e.g. {"退": "t", "行": "hx"}."""
    table: dict[str, str] = {}
    for line in (path or default_initials_path()).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        letter, _, chars = line.partition(" ")
        for ch in chars:
            table[ch] = table.get(ch, "") + letter
    return table


def initials(text: str, table: dict[str, str] | None = None) -> tuple[str, ...]:
    """The pinyin-initial spellings of `text` (several when polyphonic characters allow; at
    most MAX_INITIAL_VARIANTS). A Latin word gives its first letter; other characters are dropped."""
    table = table if table is not None else initials_table()
    options: list[str] = []
    in_word = False
    for ch in text.lower():
        found = table.get(ch)
        if found:
            options.append(found)
            in_word = False
        elif ch.isascii() and ch.isalnum():
            if not in_word:  # a Latin word counts by its first letter ("Refund delay" → "rd")
                options.append(ch)
            in_word = True
        else:
            in_word = False
    spellings: list[str] = []
    for combo in itertools.product(*options):
        spellings.append("".join(combo))
        if len(spellings) >= MAX_INITIAL_VARIANTS:
            break
    return tuple(spellings) if options else ()


@dataclass(frozen=True)
class Hit:
    script: ScriptVersion
    score: float
    matched: str  # title | tag | initials | text | suggested


@dataclass(frozen=True)
class _Doc:
    script: ScriptVersion
    title: str
    tags: str
    text: str
    initials: str  # every spelling, each preceded by \x1f ("\x1fthtk\x1fthtx")
    channels: frozenset[str]
    request_types: frozenset[str]
    order: tuple[int, str]


_CATEGORY_RANK = {c: i for i, c in enumerate(CATEGORIES)}


class ScriptIndex:
    def __init__(self, docs: list[_Doc]) -> None:
        self._docs = docs
        self._by_language: dict[str | None, list[_Doc]] = {None: docs}
        for doc in docs:
            self._by_language.setdefault(doc.script.language, []).append(doc)

    def __len__(self) -> int:
        return len(self._docs)

    @classmethod
    def build(cls, scripts: Iterable[ScriptVersion], *, initials_path: Path | None = None) -> ScriptIndex:
        table = initials_table(initials_path)
        docs = []
        for s in scripts:
            parts = []
            for v in s.variants.values():
                if v.subject:
                    parts.append(v.subject)
                parts.append(v.body)
            spellings: list[str] = []
            for piece in (s.title, *s.tags):
                spellings.extend(initials(piece, table))
            docs.append(
                _Doc(
                    script=s,
                    title=s.title.lower(),
                    tags="\x1f".join(t.lower() for t in s.tags),
                    text="\x1f".join(parts).lower(),
                    initials="".join("\x1f" + sp for sp in dict.fromkeys(spellings)),
                    channels=frozenset(s.variants),
                    request_types=frozenset(s.request_types),
                    order=(_CATEGORY_RANK.get(s.category, 99), s.title),
                )
            )
        return cls(docs)

    def query(
        self,
        text: str,
        *,
        request_type: str | None = None,
        language: str | None = None,
        channel: str | None = None,
        limit: int = 20,
    ) -> list[Hit]:
        terms = text.lower().split()
        docs = self._by_language.get(language, []) if language else self._docs
        hits: list[tuple[float, tuple[int, str], Hit]] = []
        for doc in docs:
            if channel is not None and channel not in doc.channels and "default" not in doc.channels:
                continue
            boost = 15.0 if request_type is not None and request_type in doc.request_types else 0.0
            if not terms:
                if request_type is None or boost:
                    hits.append((-boost, doc.order, Hit(doc.script, boost, "suggested")))
                continue
            score = 0.0
            matched = ""
            for term in terms:
                s, where = _score(doc, term)
                if not s:
                    break
                score += s
                matched = matched or where
            else:
                score += boost
                hits.append((-score, doc.order, Hit(doc.script, score, matched)))
        best = heapq.nsmallest(limit, hits, key=lambda h: (h[0], h[1]))
        return [h[2] for h in best]

    def suggest(self, request_type: str, *, language: str | None = None, channel: str | None = None,
                limit: int = 20) -> list[Hit]:
        return self.query("", request_type=request_type, language=language, channel=channel, limit=limit)


def _score(doc: _Doc, term: str) -> tuple[float, str]:
    if doc.title.startswith(term):
        return 100.0, "title"
    if term in doc.title:
        return 60.0, "title"
    if term in doc.tags:
        return 40.0, "tag"
    if term.isascii() and term.isalnum() and term in doc.initials:
        if "\x1f" + term in doc.initials:
            return 50.0, "initials"
        return 30.0, "initials"
    if term in doc.text:
        return 10.0, "text"
    return 0.0, ""
