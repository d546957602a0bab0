"""Fakes for UI tests: a duck-typed API with deterministic bilingual rows; no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

NOW = datetime(2026, 3, 2, 6, 0, 0, tzinfo=UTC)

CHANNELS = ("chat", "app", "phone", "email", "sms", "social", "live_stream", "web_form")
TYPES = ("complaint", "return_refund", "exchange", "repair", "inquiry", "suggestion")
PRIORITY_OF = {
    "complaint": "urgent",
    "return_refund": "high",
    "exchange": "high",
    "repair": "high",
    "inquiry": "normal",
    "suggestion": "low",
}
STATUSES = ("new", "open", "pending_customer", "pending_internal", "resolved", "closed")
NAMES = ("王小明", "李娜", "Emma Wilson", "张伟", "陈静", "Liam O'Brien", "刘洋", "赵敏")
SUBJECTS = (
    ("收到的蓝牙耳机左耳没有声音", "您好，我昨天签收的耳机左边完全不响，能换一个吗？"),
    ("申请七天无理由退货", "衣服尺码偏小，吊牌还在，想退货退款。"),
    (
        "Parcel shows delivered but not received",
        "Tracking says signed for at 15:02, nobody was home.",
    ),
    ("生鲜破损：草莓压坏了", "打开箱子一半都压烂了，附上照片。"),
    ("疑似假货，要求鉴定", "包装上的防伪码查不到，怀疑不是正品。"),
    ("Coupon did not apply at checkout", "The 10% voucher from last week was rejected."),
    ("洗衣机上门维修预约", "滚筒不转，显示E21错误码，希望周末上门。"),
    ("建议增加夜间客服", "晚上十点以后找不到人工客服。"),
)


def make_row(i: int, *, now: datetime = NOW, view: str = "all") -> dict[str, Any]:
    request_type = TYPES[i % len(TYPES)]
    status = "closed" if view == "closed" else STATUSES[i % 4]
    subject, preview = SUBJECTS[i % len(SUBJECTS)]
    # spread the SLA clocks: some breached, some near the limit, some comfortable
    minutes_left = (i % 7) * 20 - 30
    due = now + timedelta(minutes=minutes_left)
    return {
        "id": f"conv-{view}-{i:05d}",
        "customer_id": f"cust-{i % 97:03d}",
        "customer_name": NAMES[i % len(NAMES)],
        "channel": CHANNELS[i % len(CHANNELS)],
        "request_type": request_type,
        "priority": "urgent" if view == "urgent" else PRIORITY_OF[request_type],
        "status": status,
        "assignee_id": None if view == "unassigned" else "user-agent",
        "subject": f"{subject} #{i}",
        "preview": preview,
        "last_message_at": (due - timedelta(hours=2)).isoformat(),
        "first_response_due_at": due.isoformat().replace("+00:00", "Z"),
        "resolution_due_at": (due + timedelta(hours=24)).isoformat(),
        "unread": i % 5 == 0,
    }
