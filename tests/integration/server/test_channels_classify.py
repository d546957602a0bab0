"""The first-message classifier: request type, queue and the fresh-food damage signal."""

from __future__ import annotations

import pytest

from workstation.domain.enums import RequestType
from workstation.server.channels.classify import classify_request, mentions_damage, queue_for

R = RequestType


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我要退货", R.RETURN_REFUND),
        ("什么时候退款到账？", R.RETURN_REFUND),
        ("Can I RETURN this jacket?", R.RETURN_REFUND),
        ("Where is my refund", R.RETURN_REFUND),
        ("尺码太小，可以换货吗", R.EXCHANGE),
        ("I'd like to exchange it for a larger size", R.EXCHANGE),
        ("手机坏了", R.REPAIR),
        ("还在保修期吗，想维修", R.REPAIR),
        ("My kettle is not working, is it under warranty?", R.REPAIR),
        ("我要投诉你们的客服", R.COMPLAINT),
        ("这是假货！", R.COMPLAINT),
        ("Box arrived damaged", R.COMPLAINT),
        ("This is a fake product", R.COMPLAINT),
        ("屏幕破损，我要退货", R.COMPLAINT),  # the most pressing type wins
        ("建议增加发票选项", R.SUGGESTION),
        ("A suggestion for your app", R.SUGGESTION),
        ("快递到哪了", R.INQUIRY),
        ("How do I use the timer?", R.INQUIRY),
        ("", R.INQUIRY),
        ("unbroken seal, returned? no: returnable items list", R.RETURN_REFUND),
        ("🙂🙂🙂", R.INQUIRY),
    ],
)
def test_classify(text: str, expected: RequestType) -> None:
    assert classify_request(text) is expected


@pytest.mark.parametrize(
    ("request_type", "queue"),
    [(R.COMPLAINT, "complaints"), (R.RETURN_REFUND, "returns"), (R.EXCHANGE, "returns"), (R.REPAIR, "repairs"),
     (R.INQUIRY, "general"), (R.SUGGESTION, "general")],
)
def test_queue_for(request_type: RequestType, queue: str) -> None:
    assert queue_for(request_type) == queue


@pytest.mark.parametrize(
    ("text", "damaged"),
    [("草莓全部变质了", True), ("箱子破损", True), ("the fish was spoiled", True), ("Rotten apples", True),
     ("什么时候发货", False), ("unspoiled view", False)],
)
def test_mentions_damage(text: str, damaged: bool) -> None:
    assert mentions_damage(text) is damaged
