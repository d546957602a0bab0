"""A first guess at what a customer wants, from the words of their first message.

Agents correct the guess; it only decides where a new conversation starts (request type,
queue) so the right people see it first. Keywords are Chinese and English; when several types
match, the most pressing wins (a damaged item someone wants to return is a complaint first).
"""

from __future__ import annotations

import re

from workstation.domain.enums import RequestType

_RULES: tuple[tuple[RequestType, tuple[str, ...]], ...] = (
    (
        RequestType.COMPLAINT,
        ("投诉", "假货", "假的", "仿品", "欺诈", "骗", "破损", "损坏", "摔坏", "压坏", "变质", "腐烂",
         "complain", "complaint", "fake", "counterfeit", "fraud", "scam", "damaged", "broken on arrival",
         "spoiled", "rotten"),
    ),
    (RequestType.RETURN_REFUND, ("退货", "退款", "退钱", "退回", "return", "refund", "money back")),
    (RequestType.EXCHANGE, ("换货", "换一个", "换个", "调换", "exchange", "replacement", "swap")),
    (
        RequestType.REPAIR,
        ("维修", "保修", "修理", "坏了", "故障", "不工作", "开不了机", "repair", "warranty", "broken",
         "not working", "doesn't work", "does not work", "fault", "defect"),
    ),
    (RequestType.SUGGESTION, ("建议", "意见", "希望你们", "suggest", "suggestion", "feedback", "idea")),
)

_DAMAGE = ("破损", "损坏", "变质", "腐烂", "烂了", "坏了", "发霉", "压坏", "漏了", "缺斤少两",
           "damaged", "damage", "spoiled", "spoilt", "rotten", "mouldy", "moldy", "leaking", "crushed",
           "broken", "short weight")

_QUEUES = {
    RequestType.COMPLAINT: "complaints",
    RequestType.RETURN_REFUND: "returns",
    RequestType.EXCHANGE: "returns",
    RequestType.REPAIR: "repairs",
}
DEFAULT_QUEUE = "general"


def _matcher(words: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled pattern for a word list: English words match at a word start ("refunds" and
    "returned" match, "unbroken" does not), Chinese ones anywhere."""
    parts = [(r"\b" + re.escape(word)) if word.isascii() else re.escape(word) for word in words]
    return re.compile("|".join(parts))


_RULE_MATCHERS = tuple((request_type, _matcher(words)) for request_type, words in _RULES)
_DAMAGE_MATCHER = _matcher(_DAMAGE)


def classify_request(text: str) -> RequestType:
    """The request type suggested by `text` (subject and body); inquiry when nothing matches."""
    lowered = text.casefold()
    for request_type, matcher in _RULE_MATCHERS:
        if matcher.search(lowered):
            return request_type
    return RequestType.INQUIRY


def mentions_damage(text: str) -> bool:
    """Whether the text reports goods arriving damaged or spoiled (fresh-food fast lane)."""
    return _DAMAGE_MATCHER.search(text.casefold()) is not None


def queue_for(request_type: RequestType) -> str:
    """The queue a new conversation of this type starts in."""
    return _QUEUES.get(request_type, DEFAULT_QUEUE)
