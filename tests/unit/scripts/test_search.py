from __future__ import annotations

import pytest

from workstation.scripts.library import load_library
from workstation.scripts.model import ScriptVersion, Status, Variant
from workstation.scripts.search import ScriptIndex, initials


def script(key: str, title: str, *, language: str = "zh", tags: tuple[str, ...] = (), body: str = "您好",
           request_types: tuple[str, ...] = (), channels: tuple[str, ...] = ("chat",)) -> ScriptVersion:
    return ScriptVersion(key=key, version=1, status=Status.APPROVED, category="refund", language=language,
                         title=title, variants={c: Variant(body=body, subject="s" if c == "email" else None) for c in channels},
                         tags=tags, request_types=request_types)


@pytest.fixture(scope="module")
def index() -> ScriptIndex:
    return ScriptIndex.build([
        script("a", "退货退款说明", tags=("退款",), request_types=("return_refund",)),
        script("b", "物流查询", tags=("快递",), body="运单号已为您查询"),
        script("c", "银行卡退款", channels=("sms",)),
        script("d", "Refund delay apology", language="en", tags=("refund", "delay"), body="We are sorry"),
        script("e", "Parcel tracking update", language="en", tags=("logistics",), request_types=("inquiry",)),
    ])


def keys(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.script.key for h in hits]


def test_initials() -> None:
    assert "thtk" in initials("退货退款")
    assert "rda" in initials("Refund delay apology")
    assert any(s.startswith("yhk") for s in initials("银行卡"))  # 行 is polyphonic: h and x both kept


def test_pinyin_initials_find_chinese_titles(index: ScriptIndex) -> None:
    assert keys(index.query("thtk"))[0] == "a"
    assert keys(index.query("wlcx")) == ["b"]
    assert keys(index.query("yhk")) == ["c"]


def test_chinese_title_tags_and_text(index: ScriptIndex) -> None:
    assert keys(index.query("退款")) == ["a", "c"]  # title prefix/substring beats others
    assert keys(index.query("快递")) == ["b"]  # tag
    assert keys(index.query("运单号")) == ["b"]  # text
    assert index.query("运单号")[0].matched == "text"


def test_english_words_prefixes_and_several_terms(index: ScriptIndex) -> None:
    assert keys(index.query("refund"))[0] == "d"
    assert keys(index.query("Refu")) == ["d"]
    assert keys(index.query("parcel upd")) == ["e"]
    assert keys(index.query("sorry")) == ["d"]
    assert keys(index.query("refund absent-word")) == []


def test_filters_and_suggestions(index: ScriptIndex) -> None:
    assert keys(index.query("退款", language="en")) == []
    assert keys(index.query("退款", channel="chat")) == ["a"]
    assert keys(index.suggest("return_refund")) == ["a"]
    assert keys(index.query("", request_type="inquiry", language="en")) == ["e"]
    assert len(index.query("")) == 5
    # a request-type match lifts a script among equal hits
    assert keys(index.query("退款", request_type="return_refund"))[0] == "a"


def test_limit(index: ScriptIndex) -> None:
    assert len(index.query("", limit=2)) == 2


def test_the_default_library_is_searchable() -> None:
    idx = ScriptIndex.build(load_library())
    assert any(h.script.category == "refund" for h in idx.query("tk", language="zh"))
    assert idx.query("thtk") or idx.query("退货")
    assert keys(idx.query("bftk", language="zh"))[0] == "refund.partial.zh"  # 部分退款说明
    assert keys(idx.query("qtwly", language="zh"))[0] == "return.no_reason_accepted.zh"  # 七天无理由退货受理
    assert idx.query("refund issued", language="en")[0].script.key == "refund.issued.en"
