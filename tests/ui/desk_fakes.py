"""Fakes for the desk tests: an in-memory reader (the cache's read side) and desk services
that record their calls; deterministic bilingual data, no database, no network."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from tests.ui.fakes import NOW, make_row
from workstation.services.changes import OpChanges, ServiceError
from workstation.ui.reader import CustomerCard, InboxQuery

USER = {"id": "user-agent", "username": "agent", "display_name": "王晓雨", "role": "agent"}


def conversation(i: int, view: str = "all") -> dict[str, Any]:
    row = make_row(i, view=view)
    row["sla_due_at"] = row["first_response_due_at"]
    row["opened_at"] = row["last_message_at"]
    return row


class FakeReader:
    """Views hold lists of ids; rows are made on demand; everything can be changed live."""

    def __init__(self, sizes: dict[str, int] | None = None) -> None:
        sizes = sizes or {"mine": 450, "unassigned": 30, "urgent": 7, "about_to_breach": 5, "all": 1000, "closed": 3}
        self.rows: dict[str, dict[str, Any]] = {}
        self.views: dict[str, list[str]] = {}
        for view, n in sizes.items():
            ids = []
            for i in range(n):
                row = conversation(i, view)
                self.rows[row["id"]] = row
                ids.append(row["id"])
            self.views[view] = ids
        self.id_calls: list[InboxQuery] = []
        self.row_calls: list[int] = []
        self.timeline_calls: list[str] = []
        self.gate: threading.Event | None = None
        self._lock = threading.Lock()

    def add_top(self, view: str, n: int) -> list[str]:
        """New conversations at the top of a view (a live update)."""
        made = []
        for k in range(n):
            row = conversation(90_000 + len(self.rows) + k, view)
            self.rows[row["id"]] = row
            made.append(row["id"])
        self.views[view] = made + self.views[view]
        return made

    def conversation_ids(self, query: InboxQuery) -> list[str]:
        with self._lock:
            self.id_calls.append(query)
        if self.gate is not None:
            self.gate.wait(5)
        if query.search_ids is not None:
            return list(query.search_ids)
        ids = self.views.get(query.view, [])
        if query.channel:
            ids = [i for i in ids if self.rows[i]["channel"] == query.channel]
        for key, value in (("request_type", query.request_type), ("priority", query.priority),
                           ("status", query.status)):  # fmt: skip
            if value:
                ids = [i for i in ids if self.rows[i][key] == value]
        if query.tag:
            ids = [i for i in ids if query.tag in (self.rows[i].get("tags") or [])]
        return list(ids)

    def conversation_rows(self, ids: list[str]) -> list[dict[str, Any]]:
        with self._lock:
            self.row_calls.append(len(ids))
        return [dict(self.rows[i]) for i in ids if i in self.rows]

    def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        row = self.rows.get(conversation_id)
        return dict(row) if row else None

    def view_counts(self, channel: str | None = None, query: InboxQuery | None = None) -> dict[str, int]:
        return {v: len(self.conversation_ids(InboxQuery(view=v, channel=channel))) for v in self.views}

    def search(self, text: str) -> list[str]:
        return [i for i, r in self.rows.items() if text in str(r.get("subject"))][:20]

    def timeline(self, conversation_id: str) -> list[dict[str, Any]]:
        with self._lock:
            self.timeline_calls.append(conversation_id)
        return [
            {"kind": "message", "id": "m1", "direction": "inbound", "channel": "chat",
             "body": "您好，我昨天签收的耳机左边完全不响，能换一个吗？", "at": "2026-03-02T05:00:00Z",
             "attachments": [{"name": "photo_1.jpg"}]},
            {"kind": "message", "id": "m2", "direction": "outbound", "channel": "chat", "author_id": "user-agent",
             "body": "您好，感谢您的耐心等待，我马上为您处理。", "at": "2026-03-02T05:01:00Z"},
            {"kind": "message", "id": "m3", "direction": "note", "channel": "chat", "author_id": "user-agent",
             "body": "客户要求周末送货", "at": "2026-03-02T05:02:00Z"},
            {"kind": "message", "id": "m4", "direction": "inbound", "channel": "email", "subject": "Order 8000123",
             "body": "Please check the parcel.", "at": "2026-03-02T05:03:00Z"},
            {"kind": "call", "id": "c1", "state": "ended", "duration_s": 162, "caller": "158****7726",
             "notes": "来电咨询订单进度", "wrap_up_code": "info_given", "at": "2026-03-02T05:04:00Z"},
            {"kind": "event", "id": "e1", "case_kind": "return", "to_state": "submitted", "note": "客户提交申请",
             "at": "2026-03-02T05:05:00Z"},
        ]

    def user_names(self) -> dict[str, str]:
        return {"user-agent": "王晓雨", "user-lead": "Lena Zhou", "user-senior": "陈思"}

    def latest_conversation_of(self, customer_id: str) -> str | None:
        for row in self.rows.values():
            if row["customer_id"] == customer_id:
                return str(row["id"])
        return None

    def customer_card(self, customer_id: str) -> CustomerCard | None:
        return CustomerCard(
            customer={"id": customer_id, "display_name": "王小明", "tags": ["vip"], "preferred_channel": "app",
                      "phone": "138****1234", "address": "上海市浦东新区****"},
            identities=[{"kind": "phone", "handle": "13812341234"}],
            orders=[{"id": "o1", "order_no": "8000123", "shop": "旗舰店", "amount": "99.00",
                     "customer_id": customer_id, "paid_at": (NOW - timedelta(days=5)).isoformat(),
                     "delivered_at": (NOW - timedelta(days=2)).isoformat(),
                     "items": [{"id": "item-1", "order_id": "o1", "title": "蓝牙耳机", "quantity": 1,
                                "price": "99.00", "category": "electronics", "warranty_months": 12}]}],
            conversations=[{"id": "conv-all-00001", "subject": "以前的会话", "channel": "phone", "status": "closed",
                            "last_message_at": NOW.isoformat()}],
            cases=[{"kind": "return", "state": "submitted", "owner_department": "service"}],
            compensation=[{"amount": "10.00", "status": "offered"}],
            surveys=[{"rating": "satisfied", "comment": "很好"}],
        )


class FakeServices:
    """Records each use case; `fail_with` makes the next calls raise."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.fail_with: BaseException | None = None
        self.entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def _record(self, *call: Any) -> OpChanges:
        with self._lock:
            self.calls.append(call)
        if self.fail_with is not None:
            raise self.fail_with
        return OpChanges(entities=frozenset({"conversations", "messages"}), ids=frozenset({str(call[1])}), mutation_id=1)

    def claim(self, conversation_id: str) -> OpChanges:
        return self._record("claim", conversation_id)

    def reply(self, conversation_id: str, body: str, *, channel: str | None = None, **_: Any) -> OpChanges:
        return self._record("reply", conversation_id, body, channel)

    def add_note(self, conversation_id: str, body: str) -> OpChanges:
        return self._record("add_note", conversation_id, body)

    def set_fields(self, conversation_id: str, **fields: Any) -> OpChanges:
        return self._record("set_fields", conversation_id, fields)

    def transfer(self, conversation_id: str, **target: Any) -> OpChanges:
        return self._record("transfer", conversation_id, target)

    def update_case_record(self, conversation_id: str, **values: Any) -> OpChanges:
        return self._record("update_case_record", conversation_id, values)

    def open_case(self, **args: Any) -> OpChanges:
        return self._record("open_case", args.get("order_item_id"), args)

    @property
    def policy(self) -> Any:
        from workstation.domain.policy import load_policy

        return load_policy()

    def pending_changes(self) -> list[dict[str, Any]]:
        return list(self.entries)

    def pending_counts(self) -> dict[str, int]:
        rejected = sum(1 for e in self.entries if e["status"] == "rejected")
        return {"pending": len(self.entries) - rejected, "rejected": rejected}

    def retry(self, mutation_id: int) -> OpChanges:
        self.calls.append(("retry", mutation_id))
        self.entries = [e for e in self.entries if e["mutation_id"] != mutation_id]
        return OpChanges(entities=frozenset({"outbox"}))

    def discard(self, mutation_id: int) -> OpChanges:
        self.calls.append(("discard", mutation_id))
        self.entries = [e for e in self.entries if e["mutation_id"] != mutation_id]
        return OpChanges(entities=frozenset({"outbox"}))


__all__ = ["USER", "FakeReader", "FakeServices", "ServiceError", "conversation"]
