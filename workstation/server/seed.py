"""`workstation-server seed`: a realistic, deterministic after-sales world for demos and benches.

The content (names, orders, dialogue, amounts, states) depends only on ``--seed``; every
timestamp is placed relative to ``now`` (the current minute when run from the CLI), so SLA
clocks look right whenever the demo starts: most are fine, some amber, some breached.

Speed: rows are plain dicts written with SQLAlchemy Core executemany in batches, one chunk
of conversations (with their customers, orders, messages, cases …) at a time so memory stays
bounded. change_seq values are reserved in blocks and increase in insertion order, parents
before children, so a client's first pull streams the world in a consistent order.
Business numbers (priorities, SLA targets, case deadlines, compensation, authority, warranty,
survey callbacks) come from the domain rules and the policy, never from this module.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter as Tally
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from workstation.domain import cases as case_rules
from workstation.domain.authority import check_authority
from workstation.domain.compensation import CompensationRequest, calculate_compensation
from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import (
    CaseKind,
    CaseState,
    Category,
    Channel,
    CompensationKind,
    Priority,
    Rating,
    RequestType,
    Role,
)
from workstation.domain.policy import Policy, load_policy
from workstation.domain.priority import default_priority
from workstation.domain.qa import score_evaluation
from workstation.domain.sla import first_response_due, resolution_due
from workstation.domain.surveys import callback_due
from workstation.domain.warranty import quote_repair
from workstation.server import auth
from workstation.server.changes import allocate
from workstation.server.db import Database
from workstation.server.identity import CHANNEL_HANDLE_KIND, normalise_phone
from workstation.server.migrate import upgrade
from workstation.server.script_library import load_default_library
from workstation.server.seeddata import catalog, dialogue, people
from workstation.server.tables import (
    Call,
    Case,
    CaseEvent,
    CompensationOffer,
    Conversation,
    Customer,
    Identity,
    Message,
    Order,
    OrderItem,
    QaEvaluation,
    Survey,
    User,
    WorkOrder,
)

CHUNK_CONVERSATIONS = 2000
BATCH_ROWS = 10_000

# Insertion order inside a chunk: parents before children.
TABLE_ORDER: tuple[Table, ...] = tuple(
    t.__table__  # type: ignore[misc]
    for t in (
        Customer, Identity, Order, OrderItem, Conversation, Message, Call, Case, CaseEvent,
        CompensationOffer, WorkOrder, Survey, QaEvaluation,
    )
)

CHANNEL_WEIGHTS: dict[str, int] = {
    "chat": 25, "app": 18, "phone": 15, "email": 12, "sms": 5, "social": 10, "live_stream": 5, "web_form": 10,
}
TYPE_WEIGHTS: dict[str, int] = {
    "inquiry": 35, "return_refund": 20, "exchange": 10, "repair": 12, "complaint": 15, "suggestion": 8,
}
STATUS_WEIGHTS: dict[str, int] = {
    "new": 8, "open": 14, "pending_customer": 8, "pending_internal": 6, "resolved": 14, "closed": 50,
}
QUEUE_BY_TYPE: dict[str, str] = {
    "inquiry": "general", "suggestion": "general", "complaint": "complaints",
    "return_refund": "returns", "exchange": "returns", "repair": "repairs",
}
# Which identity a channel's traffic arrives with: the same mapping live intake resolves by.
IDENTITY_FOR_CHANNEL: dict[str, str] = CHANNEL_HANDLE_KIND
CASE_KIND_FOR_TYPE: dict[str, str] = {"return_refund": "return", "exchange": "exchange", "repair": "repair"}
CASE_REASON: dict[str, str] = {
    "no_reason": "no_reason", "quality": "quality_defect", "virtual_unusable": "not_delivered",
    "size": "wrong_size", "defect_exchange": "quality_defect", "fault": "fault",
    "damaged": "damaged", "fake": "suspected_fake", "fresh_damage": "fresh_spoilage",
}
S = CaseState
CASE_PATHS: dict[str, dict[str, tuple[CaseState, ...]]] = {
    "return": {
        "full": (S.SUBMITTED, S.APPROVED, S.SHIPPED_BACK, S.RECEIVED, S.REFUNDED, S.CLOSED),
        "rejected": (S.SUBMITTED, S.REJECTED, S.CLOSED),
        "cancelled": (S.SUBMITTED, S.APPROVED, S.CANCELLED),
    },
    "exchange": {
        "full": (S.SUBMITTED, S.APPROVED, S.SHIPPED_BACK, S.RECEIVED, S.REPLACEMENT_SHIPPED, S.CLOSED),
        "rejected": (S.SUBMITTED, S.REJECTED, S.CLOSED),
        "cancelled": (S.SUBMITTED, S.CANCELLED),
    },
    "repair": {
        "full": (S.SUBMITTED, S.DIAGNOSING, S.ONSITE_SCHEDULED, S.REPAIRED, S.CLOSED),
        "remote": (S.SUBMITTED, S.DIAGNOSING, S.REPAIRED, S.CLOSED),
        "mail_in": (S.SUBMITTED, S.DIAGNOSING, S.SHIPPED_BACK, S.RECEIVED, S.REPAIRED, S.CLOSED),
        "rejected": (S.SUBMITTED, S.REJECTED, S.CLOSED),
        "cancelled": (S.SUBMITTED, S.DIAGNOSING, S.CANCELLED),
    },
}
# Typical time a case spends before leaving each state, in hours (low, high).
STEP_HOURS: dict[CaseState, tuple[float, float]] = {
    S.SUBMITTED: (0.5, 20), S.APPROVED: (12, 100), S.SHIPPED_BACK: (30, 90), S.RECEIVED: (4, 48),
    S.REFUNDED: (12, 48), S.REPLACEMENT_SHIPPED: (24, 60), S.DIAGNOSING: (0.3, 1.8),
    S.ONSITE_SCHEDULED: (8, 46), S.REPAIRED: (12, 48), S.REJECTED: (6, 30),
}
RATING_WEIGHTS = ((Rating.VERY_SATISFIED, 55), (Rating.SATISFIED, 33), (Rating.AVERAGE, 8), (Rating.UNSATISFIED, 4))
ACTIVE = ("new", "open", "pending_customer", "pending_internal")
INBOUND_KINDS = frozenset({"open", "cust", "nudge", "thanks"})
NOTE_KINDS = frozenset({"note", "wait"})
# A 1x1 transparent PNG stands in for the customer's drawn signature.
SIGNATURE_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
MAIL_DOMAIN = "workstation.local"


class AlreadySeeded(RuntimeError):
    """The database already holds conversations; seeding again would mix two worlds."""


@dataclass
class SeedResult:
    counts: dict[str, int]
    seconds: float
    users: list[tuple[str, str, str]]  # username, role, display name

    @property
    def messages_per_conversation(self) -> float:
        return self.counts.get("messages", 0) / max(self.counts.get("conversations", 0), 1)


# ----------------------------------------------------------------------------- the world


@dataclass
class Staff:
    id: str
    username: str
    display_name: str
    role: Role
    queues: tuple[str, ...]
    tenure_months: int


@dataclass
class Cust:
    idx: int
    id: str
    lang: str
    name: str
    phone: str
    email_user: str
    mail_domain: str
    address: str
    remote: bool
    tags: list[str]
    weight: int
    identities: dict[str, str] = field(default_factory=dict)


class World:
    """Generates the rows of the demo world, chunk by chunk, deterministically for a seed."""

    def __init__(self, *, seed: int, now: datetime, policy: Policy, password_hash: str) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.seed = seed
        self.now = now.astimezone(UTC)
        self.policy = policy
        self.password_hash = password_hash
        self.rng = random.Random(seed)
        self._idrng = random.Random(seed * 7919 + 17)
        self.customer_count = 0
        self.order_count = 0
        self.conversation_count = 0
        self.message_count = 0
        self.call_count = 0
        self.staff: list[Staff] = []
        self._twin_phones: set[str] = set()
        self._target_cache: dict[tuple[str, ...], timedelta] = {}
        self._scenarios: dict[str, list[dict[str, Any]]] = {}
        for sc in dialogue.SCENARIOS:
            self._scenarios.setdefault(sc["type"], []).append(sc)
        self._products = {cat: list(items) for cat, items in catalog.PRODUCTS.items()}
        self._high_value_from = Decimal(catalog.HIGH_VALUE_FROM)
        self._channels, self._channel_w = zip(*CHANNEL_WEIGHTS.items(), strict=True)
        self._types, self._type_w = zip(*TYPE_WEIGHTS.items(), strict=True)
        self._statuses, self._status_w = zip(*STATUS_WEIGHTS.items(), strict=True)

    # -- ids and small helpers ---------------------------------------------------------

    def uid(self, at: datetime) -> str:
        """A UUIDv7 carrying ``at`` as its time; the random bits come from the seed."""
        ms = int(at.timestamp() * 1000)
        r = self._idrng.getrandbits(74)
        v = (ms << 80) | (0x7 << 76) | ((r >> 62) << 64) | (0b10 << 62) | (r & ((1 << 62) - 1))
        h = f"{v:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def ago(self, **delta: float) -> datetime:
        return self.now - timedelta(**delta)

    def tracking(self) -> str:
        r = self.rng
        return f"{r.choice(catalog.CARRIERS)}{r.randrange(10**11, 10**12)}"

    # -- users ---------------------------------------------------------------------------

    def users(self, existing: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Rows of the demo staff; usernames already present keep their id and password."""
        existing = existing or {}
        rows = []
        created = self.ago(days=900)
        for username, display, role, queues, tenure in people.STAFF:
            uid = self.uid(created)
            if username in existing:
                uid = existing[username]
            tenure_start = None
            months = 0
            if tenure is not None:
                tenure_start = _months_before(self.now.date(), tenure)
                months = auth.Principal(
                    id=uid, username=username, display_name=display, role=Role(role),
                    queues=queues, tenure_start=tenure_start,
                ).tenure_months(self.now.date())
            self.staff.append(Staff(uid, username, display, Role(role), queues, months))
            if username in existing:
                continue
            rows.append({
                "id": uid, "username": username, "display_name": display, "role": role,
                "password_hash": self.password_hash, "tenure_start": tenure_start, "queues": list(queues),
                "active": True, "created_at": created,
            })
        self._agents_by_queue: dict[str, list[Staff]] = {}
        for st in self.staff:
            if st.role in (Role.AGENT, Role.SENIOR_AGENT):
                for q in st.queues:
                    self._agents_by_queue.setdefault(q, []).append(st)
        self._urgent_staff = [s for s in self.staff if s.role in (Role.SENIOR_AGENT, Role.TEAM_LEAD)]
        self._lead = next(s for s in self.staff if s.role is Role.TEAM_LEAD)
        self._engineers = [s for s in self.staff if s.role is Role.FIELD_ENGINEER]
        return rows

    # -- customers -----------------------------------------------------------------------

    def _customer(self, out: dict[str, list[dict[str, Any]]], *, twin_of: Cust | None = None) -> Cust:
        r = self.rng
        idx = self.customer_count
        self.customer_count += 1
        created = self.ago(days=r.uniform(420, 1500))
        if twin_of is not None:
            self._twin_phones.add(twin_of.phone)
            lang, name, phone, address, remote = twin_of.lang, twin_of.name, twin_of.phone, twin_of.address, twin_of.remote
            email_user, mail_domain = f"{twin_of.email_user}.{idx}", r.choice(people.MAIL_DOMAINS)
        else:
            lang = "en" if r.random() < 0.2 else "zh"
            # A bijection of the index keeps every phone number distinct.
            phone = r.choice(people.PHONE_PREFIXES) + f"{(idx * 2_654_437 + 1_234_567 + self.seed * 7) % 10**8:08d}"
            if lang == "zh":
                (sur, sur_py), (giv, giv_py) = r.choice(people.SURNAMES), r.choice(people.GIVEN)
                name = sur + giv
                email_user = f"{sur_py}{giv_py}{idx}"
                mail_domain = r.choice(people.MAIL_DOMAINS)
                prov, city, districts, remote = r.choices(people.REGIONS, people.REGION_WEIGHTS)[0]
                address = (
                    f"{prov}{city if city != prov else ''}{r.choice(districts)}{r.choice(people.STREETS)}"
                    f"{r.randint(1, 999)}号{r.choice(people.COMMUNITIES)}{r.randint(1, 30)}栋{r.randint(1, 3)}单元{r.randint(101, 2802)}室"
                )
            else:
                first, last = r.choice(people.EN_FIRST), r.choice(people.EN_LAST)
                name = f"{first} {last}"
                email_user = f"{first}.{last}{idx}".lower().replace("ü", "ue")
                mail_domain = r.choice(people.EN_MAIL_DOMAINS)
                city, remote = r.choice(people.EN_CITIES)
                address = f"Room {r.randint(101, 2802)}, No. {r.randint(1, 999)} {r.choice(people.EN_STREETS)}, {city}"
        tags: list[str] = []
        weight = 2
        if twin_of is None:
            roll = r.random()
            if roll < 0.08:
                tags.append("vip")
            elif roll < 0.12:
                tags.append("frequent_complainer")
                weight = 6
        c = Cust(idx, self.uid(created), lang, name, phone, email_user, mail_domain, address, remote, tags, weight)
        times = people.PREFERRED_TIMES_ZH if lang == "zh" else people.PREFERRED_TIMES_EN
        notes = people.NOTES_ZH if lang == "zh" else people.NOTES_EN
        out["customers"].append({
            "id": c.id, "display_name": name, "language": lang, "tags": tags,
            "preferred_channel": r.choice(self._channels) if r.random() < 0.6 else None,
            "preferred_time": r.choice(times) if r.random() < 0.5 else None,
            "notes": r.choice(notes), "phone": phone, "address": address, "merged_into": None,
            "created_at": created, "updated_at": created,
        })
        if twin_of is None:
            self.identity(out, c, "phone", created)
        for kind, share in (("email", 0.6), ("social", 0.5 if lang == "zh" else 0.15), ("app_user", 0.4)):
            if r.random() < share or twin_of is not None and kind != "app_user":
                self.identity(out, c, kind, created)
        return c

    def identity(self, out: dict[str, list[dict[str, Any]]], c: Cust, kind: str, at: datetime) -> str:
        handle = c.identities.get(kind)
        if handle is not None:
            return handle
        n = c.idx * 7_919 + self.seed
        if kind == "phone":
            handle = normalise_phone(c.phone) or c.phone
        elif kind == "email":
            handle = f"{c.email_user}@{c.mail_domain}".lower()
        elif kind == "social":
            handle = f"wxid_{_base36(n * 104_729 + 3_571)}"
        elif kind == "web_user":
            handle = f"web-{_base36(n * 53 + 11)}"
        elif kind == "app_user":
            handle = f"u{1_000_000 + n}"
        elif kind == "chat_visitor":
            handle = f"v-{(n * 2_246_822_519) % 16**10:010x}"
        else:
            handle = f"live_{_base36(n * 31 + 97)}"
        c.identities[kind] = handle
        at = min(at, self.now)
        out["identities"].append({"id": self.uid(at), "customer_id": c.id, "kind": kind, "handle": handle, "created_at": at})
        return handle

    # -- orders --------------------------------------------------------------------------

    def order(
        self, out: dict[str, list[dict[str, Any]]], c: Cust, category: str, *,
        placed: datetime, delivered: datetime | None, product: tuple[str, str, str, str, bool] | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        r = self.rng
        n = self.order_count
        self.order_count += 1
        order_no = f"8{(n * 2_654_435_761 + 97_531 + self.seed * 1_000_003) % 10**15:015d}"
        paid = placed + timedelta(minutes=r.uniform(0.5, 30))
        shipped = paid + timedelta(hours=r.uniform(2, 30)) if category != "virtual" else None
        if delivered is not None and shipped is not None and delivered <= shipped:
            shipped = delivered - timedelta(hours=r.uniform(20, 40))
            paid = min(paid, shipped - timedelta(hours=2))
            placed = min(placed, paid - timedelta(minutes=5))
        if category == "virtual":
            delivered = paid + timedelta(minutes=r.uniform(1, 20)) if delivered is not None else None
        if shipped is not None and shipped > self.now:
            shipped = None
        status = "delivered" if delivered is not None else ("shipped" if shipped is not None else "paid")
        oid = self.uid(placed)
        lines = [product or r.choice(self._products[category])]
        if r.random() < 0.3:
            lines.append(r.choice(self._products[category]))
        items = []
        total = Decimal("0.00")
        main: dict[str, Any] = {}
        for sku, zh, en, price_s, excluded in lines:
            price = Decimal(price_s)
            qty = 1 if category not in ("fresh_food", "virtual", "beauty") or r.random() < 0.7 else 2
            total += price * qty
            item = {
                "id": self.uid(placed), "order_id": oid, "sku": sku, "title": zh if c.lang == "zh" else en,
                "category": category, "price": price, "quantity": qty, "high_value": price >= self._high_value_from,
                "warranty_months": self.policy.warranty.months[Category(category)], "no_reason_excluded": excluded,
            }
            items.append(item)
            main = main or item
        row = {
            "id": oid, "order_no": order_no, "customer_id": c.id, "shop": catalog.SHOP_BY_CATEGORY[category],
            "amount": total, "placed_at": placed, "paid_at": paid, "shipped_at": shipped, "delivered_at": delivered,
            "status": status, "tracking_number": self.tracking() if shipped is not None else None,
            "address": c.address, "remote_area": c.remote,
        }
        out["orders"].append(row)
        out["order_items"].extend(items)
        return row, main

    # -- targets ------------------------------------------------------------------------

    def _target(self, kind: str, channel: Channel, rt: RequestType, pri: Priority) -> timedelta:
        key = (kind, channel.value, rt.value, pri.value)
        cached = self._target_cache.get(key)
        if cached is None:
            if kind == "first":
                due = first_response_due(self.policy, channel=channel, request_type=rt, priority=pri, opened_at=self.now)
            else:
                due = resolution_due(self.policy, request_type=rt, priority=pri, opened_at=self.now)
            cached = self._target_cache[key] = due - self.now
        return cached

    def _clock_fraction(self) -> float:
        """Where a running clock stands: most are fine, some amber, some breached."""
        roll = self.rng.random()
        if roll < 0.68:
            return self.rng.uniform(0.05, 0.75)
        if roll < 0.84:
            return self.rng.uniform(0.82, 0.97)
        return self.rng.uniform(1.08, 3.0)

    # -- the chunk -----------------------------------------------------------------------

    def chunk(self, n_conv: int, *, first: bool) -> dict[str, list[dict[str, Any]]]:
        r = self.rng
        out: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLE_ORDER}
        pool = [self._customer(out) for _ in range(max(1, n_conv // 2))]
        twins = max(3, round(len(pool) * 0.003)) if first else round(len(pool) * 0.003)
        for original in r.sample(pool, min(twins, len(pool))):
            pool.append(self._customer(out, twin_of=original))
        weights = [c.weight for c in pool]
        for c in pool:  # orders nobody asks about: customers buy more than they complain
            for _ in range(r.choice((0, 0, 1, 1, 2))):
                cat = r.choice(list(self._products))
                placed = self.ago(days=r.uniform(3, 300))
                self.order(out, c, cat, placed=placed, delivered=placed + timedelta(days=r.uniform(1, 4)))
        for i in range(n_conv):
            forced = i if first else None
            self.conversation(out, r.choices(pool, weights)[0], forced)
        return out

    def conversation(self, out: dict[str, list[dict[str, Any]]], c: Cust, forced: int | None) -> None:
        r = self.rng
        pol = self.policy
        now = self.now
        self.conversation_count += 1
        # First chunk: walk every channel, type and status so small worlds cover them all.
        if forced is not None and forced < 48:
            channel_s = self._channels[forced % len(self._channels)]
            rt_s = self._types[forced % len(self._types)]
            status = self._statuses[(forced // 6 + forced) % len(self._statuses)]
        else:
            channel_s = r.choices(self._channels, self._channel_w)[0]
            rt_s = r.choices(self._types, self._type_w)[0]
            status = r.choices(self._statuses, self._status_w)[0]
        channel, rt = Channel(channel_s), RequestType(rt_s)
        scenarios = self._scenarios[rt_s]
        sc = scenarios[forced % len(scenarios)] if forced is not None and forced < 48 else r.choice(scenarios)
        if forced is not None and forced < 16:
            category = ("electronics", "appliances", "home", "apparel", "beauty", "fresh_food", "virtual", "custom_made")[forced % 8]
            if category not in sc["categories"]:
                category = r.choice(sc["categories"])
        else:
            category = r.choice(sc["categories"])
        fresh = bool(sc.get("fresh_damage"))
        pri = default_priority(pol, rt, category=Category(category), fresh_food_damage=fresh)
        lang = c.lang
        lines = sc[lang]
        generic = dialogue.GENERIC[lang]

        # When it started: active conversations sit on their SLA clocks relative to now.
        if status == "new":
            opened = now - self._target("first", channel, rt, pri) * self._clock_fraction()
        elif status in ACTIVE:
            opened = now - self._target("resolution", channel, rt, pri) * self._clock_fraction()
        elif status == "resolved":
            opened = now - timedelta(hours=r.uniform(8, 150))
        else:
            opened = now - timedelta(days=r.uniform(2, 120))
        opened = opened.replace(microsecond=0)

        # The order it is about.
        order = item = None
        if rt is not RequestType.SUGGESTION or r.random() < 0.4:
            if sc["key"] == "logistics":
                placed = opened - timedelta(days=r.uniform(2, 6))
                delivered = None if status in ACTIVE else min(opened + timedelta(days=r.uniform(0.5, 2)), now - timedelta(hours=1))
            elif rt is RequestType.REPAIR:
                delivered = opened - timedelta(days=r.uniform(20, 420))
                placed = delivered - timedelta(days=r.uniform(2, 5))
            elif fresh:
                delivered = opened - timedelta(hours=r.uniform(1, 20))
                placed = delivered - timedelta(days=r.uniform(1, 3))
            else:
                delivered = opened - timedelta(days=r.uniform(0.5, 6 if r.random() < 0.9 else 12))
                placed = delivered - timedelta(days=r.uniform(1.5, 5))
            order, item = self.order(out, c, category, placed=placed, delivered=delivered)

        # Who works it.
        queue = "vip" if "vip" in c.tags and r.random() < 0.6 else QUEUE_BY_TYPE[rt_s]
        agent: Staff | None = None
        if status != "new":
            agent = r.choice(self._urgent_staff) if pri is Priority.URGENT else r.choice(self._agents_by_queue[queue])

        # Case, compensation and repair amounts are decided before the dialogue quotes them.
        amount = Decimal(item["price"]) if item is not None else Decimal("0.00")
        case_kind = CASE_KIND_FOR_TYPE.get(rt_s)
        if case_kind is None and rt is RequestType.COMPLAINT and item is not None and sc["key"] != "service" and r.random() < 0.4:
            case_kind = "return"
        if item is None or (status == "new" and channel is not Channel.WEB_FORM) or r.random() < 0.08:
            case_kind = None
        offer_quote = None
        if sc.get("compensation") and status != "new" and item is not None and r.random() < 0.85:
            offer_quote = self._quote(sc["compensation"], item, order)
            amount = offer_quote.authority_amount
        elif sc["key"] == "logistics" and status in ("resolved", "closed") and r.random() < 0.15:
            offer_quote = calculate_compensation(pol, CompensationRequest(kind=CompensationKind.GOODWILL, price=Decimal(item["price"]) if item else Decimal(0)))
        repair_quote = None
        if case_kind == "repair" and item is not None:
            user_caused = r.random() < 0.15
            parts = catalog.REPAIR_PARTS.get(category, ())
            repair_quote = quote_repair(
                pol,
                item=OrderItemFacts(
                    category=Category(category), price=Decimal(item["price"]), paid_at=order["paid_at"],
                    delivered_at=order["delivered_at"], warranty_months=item["warranty_months"],
                ),
                user_caused=user_caused, parts=[r.choice(parts)] if parts else [],
                labour_code=catalog.REPAIR_LABOUR.get(category), now=opened,
            )
            amount = repair_quote.total

        conv_id = self.uid(opened)
        slots = {
            "product": item["title"] if item else ("our products" if lang == "en" else "商品"),
            "order_no": order["order_no"] if order else "-",
            "agent": agent.display_name if agent else "",
            "tracking": self.tracking(),
            "amount": f"{amount:.2f}",
            "name": c.name,
        }
        subject = r.choice(lines["subject"]).format_map(slots)

        # The dialogue plan.
        if status == "new":
            plan = ["open"] + ["nudge"] * r.choice((0, 0, 1, 1, 2))
        else:
            n = r.randint(5, 17)
            tail = {
                "closed": ["solution", "thanks", "bye"], "resolved": ["solution", "thanks"],
                "pending_customer": ["ask"], "pending_internal": ["wait"], "open": ["cust"],
            }[status]
            plan = ["open", "ack"]
            speaker = "cust"
            for _ in range(max(0, n - 2 - len(tail))):
                if r.random() < 0.12:
                    plan.append("note")
                else:
                    plan.append(speaker)
                    speaker = "agent" if speaker == "cust" else "cust"
            plan += tail

        # Message times: first answer near the first-response target, later gaps by channel.
        fr_target = self._target("first", channel, rt, pri).total_seconds()
        if channel_s in ("email", "web_form"):
            gap_lo, gap_hi = 1800.0, 36000.0
        elif channel_s == "phone":
            gap_lo, gap_hi = 5.0, 50.0
        elif channel_s in ("sms", "social"):
            gap_lo, gap_hi = 60.0, 1800.0
        else:
            gap_lo, gap_hi = 10.0, 240.0
        offsets = [0.0]
        t = 0.0
        for kind in plan[1:]:
            if kind == "ack":
                late = r.random() < 0.1
                t += fr_target * (r.uniform(1.1, 3.0) if late else r.uniform(0.1, 0.9))
                if channel_s == "phone":
                    t = min(t, r.uniform(3, 28) if not late else r.uniform(31, 80))
            else:
                t += r.uniform(gap_lo, gap_hi)
            offsets.append(t)
        margin = 3600.0 if status in ("resolved", "closed") else 5.0
        room = (now - opened).total_seconds() - margin
        if offsets[-1] > room > 0:
            scale = room / offsets[-1]
            offsets = [o * scale for o in offsets]

        msgs = out["messages"]
        is_email = channel is Channel.EMAIL
        email_ids: list[str] = []
        thread_ref = None
        first_response_at = None
        last_inbound = None
        unread = 0
        attach = sc["key"] in ("damaged", "fake", "fresh_damage", "quality", "defect_exchange", "fault")
        seq0 = self.message_count
        sent = opened
        body = ""
        decks: dict[str, list[str]] = {}
        pool: tuple[str, ...] | list[str] = ()
        for j, (kind, off) in enumerate(zip(plan, offsets, strict=True)):
            sent = opened + timedelta(seconds=off)
            if kind in ("cust", "agent"):
                # Draw without repeating inside one conversation; generic lines once spent.
                deck = decks.get(kind)
                if deck is None:
                    deck = decks[kind] = r.sample(lines[kind], len(lines[kind]))
                pool = (deck.pop(),) if deck else generic[kind]
            if kind in INBOUND_KINDS:
                direction = "inbound"
                if kind not in ("open", "cust"):
                    pool = generic[kind]
                elif kind == "open":
                    pool = lines["open"]
                unread += 1
                last_inbound = sent
            elif kind in NOTE_KINDS:
                direction = "note"
                pool = lines["note"] if kind == "note" else generic["wait"]
            else:
                direction = "outbound"
                if kind != "agent":
                    pool = lines[kind] if kind in ("ask", "solution") else generic[kind]
                unread = 0
                if first_response_at is None:
                    first_response_at = sent
            body = r.choice(pool).format_map(slots)
            mid = None
            reply_to = None
            if is_email and direction != "note":
                host = c.mail_domain if direction == "inbound" else MAIL_DOMAIN
                mid = f"<s{self.seed}.{seq0 + j}.{r.getrandbits(32):08x}@{host}>"
                reply_to = email_ids[-1] if email_ids else None
                email_ids.append(mid)
                thread_ref = thread_ref or mid
            external = None
            if direction == "inbound":
                external = mid if is_email else f"seed{self.seed}-m{seq0 + j}"
            msgs.append({
                "id": self.uid(sent), "conversation_id": conv_id, "direction": direction, "channel": channel_s,
                "author_id": agent.id if agent is not None and direction != "inbound" else None,
                "body": body,
                "subject": (subject if j == 0 else f"Re: {subject}") if is_email and direction != "note" else None,
                "external_id": external, "email_message_id": mid, "in_reply_to": reply_to,
                "attachments": [{"name": r.choice(dialogue.ATTACHMENT_NAMES), "size": r.randint(40_000, 4_000_000)}]
                if attach and kind == "open" and r.random() < 0.6 else [],
                "script_id": None, "script_version": None,
                "delivery": "sent" if direction == "outbound" else None, "sent_at": sent,
            })
        self.message_count += len(plan)
        last_message_at = sent
        kind = IDENTITY_FOR_CHANNEL[channel_s]
        if kind != "phone" or "phone" in c.identities or c.phone not in self._twin_phones:
            self.identity(out, c, kind, opened)

        closed_at = None
        if status in ("resolved", "closed"):
            closed_at = min(last_message_at + timedelta(minutes=r.uniform(2, 240)), now - timedelta(minutes=30))
            closed_at = max(closed_at, last_message_at)
        tags = []
        if fresh:
            tags.append("fresh_food_damage")
        if item is not None and item["high_value"]:
            tags.append("high_value")
        tags += c.tags
        if channel is Channel.PHONE:
            first_response_at = self._calls(out, c, conv_id, opened, last_message_at, status, agent, lang, plan) or first_response_at

        case_record: dict[str, Any] = {}
        if status != "new":
            case_record = {
                "asks": _asks(sc["key"], lang),
                "solution": lines["solution"][0].format_map(slots)[:200],
                "promised_at": (opened + timedelta(hours=r.choice((1, 2, 24, 48)))).isoformat().replace("+00:00", "Z"),
                "wishes": r.choice(people.PREFERRED_TIMES_ZH if lang == "zh" else people.PREFERRED_TIMES_EN) if r.random() < 0.3 else "",
            }
        out["conversations"].append({
            "id": conv_id, "customer_id": c.id, "order_id": order["id"] if order else None, "channel": channel_s,
            "request_type": rt_s, "priority": pri.value, "status": status, "queue": queue,
            "assignee_id": agent.id if agent else None, "subject": subject, "preview": body[:120], "tags": tags,
            "case_record": case_record, "opened_at": opened, "first_response_at": first_response_at,
            "first_response_due_at": first_response_due(pol, channel=channel, request_type=rt, priority=pri, opened_at=opened),
            "resolution_due_at": resolution_due(pol, request_type=rt, priority=pri, opened_at=opened),
            "last_message_at": last_message_at, "last_inbound_at": last_inbound, "closed_at": closed_at,
            "thread_ref": thread_ref, "unread": unread if status in ACTIVE else 0,
        })

        case_id = None
        if case_kind is not None and item is not None and order is not None:
            case_id = self._case(out, c, conv_id, order, item, CaseKind(case_kind), sc["key"], status, opened, agent, lang, repair_quote)
        if offer_quote is not None and agent is not None:
            self._offer(out, c, conv_id, case_id, order, item, offer_quote, sc.get("compensation") or "goodwill", status, opened, agent)
        if status in ("resolved", "closed") and closed_at is not None:
            self._survey(out, c, conv_id, case_id, closed_at, agent, lang)
            if status == "closed" and agent is not None and r.random() < 0.02:
                self._qa(out, conv_id, closed_at, agent)

    # -- parts of a conversation ----------------------------------------------------------

    def _quote(self, kind: str, item: dict[str, Any], order: dict[str, Any] | None) -> Any:
        r = self.rng
        price = Decimal(item["price"])
        if kind == "fake_goods":
            req = CompensationRequest(
                kind=CompensationKind.FAKE_GOODS, price=price, quantity=item["quantity"],
                testing_fee=Decimal(r.choice((0, 0, 150, 200))), shipping_fee=Decimal(r.choice((0, 12, 18))),
            )
        elif kind == "damaged_goods":
            req = CompensationRequest(kind=CompensationKind.DAMAGED_GOODS, price=price, quantity=item["quantity"])
        else:
            req = CompensationRequest(
                kind=CompensationKind.SERVICE_FAILURE, price=price,
                order_amount=Decimal(order["amount"]) if order else price,
                severity=r.choice(("minor", "moderate", "severe")),
            )
        return calculate_compensation(self.policy, req)

    def _calls(
        self, out: dict[str, list[dict[str, Any]]], c: Cust, conv_id: str, opened: datetime, last: datetime,
        status: str, agent: Staff | None, lang: str, plan: list[str],
    ) -> datetime | None:
        r = self.rng
        calls = out["calls"]
        if r.random() < 0.2 or status == "new":  # a missed attempt first
            self.call_count += 1
            ring = opened - timedelta(minutes=r.uniform(2, 30)) if status != "new" else opened
            calls.append({
                "id": self.uid(ring), "external_call_id": f"seed{self.seed}-call{self.call_count:08d}",
                "conversation_id": conv_id, "customer_id": c.id, "caller": c.phone, "state": "missed",
                "agent_id": None, "ringing_at": ring, "answered_at": None, "ended_at": ring + timedelta(seconds=r.randint(20, 60)),
                "duration_s": 0, "notes": "", "wrap_up_code": None,
            })
        if status == "new" or agent is None:
            return None
        self.call_count += 1
        wait = r.uniform(3, 28) if r.random() < 0.88 else r.uniform(31, 90)
        answered = opened + timedelta(seconds=wait)
        ended = max(last, answered) + timedelta(seconds=r.randint(15, 90))
        calls.append({
            "id": self.uid(opened), "external_call_id": f"seed{self.seed}-call{self.call_count:08d}",
            "conversation_id": conv_id, "customer_id": c.id, "caller": c.phone, "state": "ended",
            "agent_id": agent.id, "ringing_at": opened, "answered_at": answered, "ended_at": ended,
            "duration_s": int((ended - answered).total_seconds()),
            "notes": r.choice(dialogue.CALL_NOTES[lang]), "wrap_up_code": r.choice(dialogue.WRAP_UP_CODES),
        })
        return answered

    def _case(
        self, out: dict[str, list[dict[str, Any]]], c: Cust, conv_id: str, order: dict[str, Any], item: dict[str, Any],
        kind: CaseKind, key: str, status: str, opened: datetime, agent: Staff | None, lang: str, repair_quote: Any,
    ) -> str:
        r = self.rng
        paths = CASE_PATHS[kind.value]
        if status in ("resolved", "closed"):
            roll = r.random()
            name = "rejected" if roll < 0.1 else "cancelled" if roll < 0.15 else "full"
            if name == "full" and kind is CaseKind.REPAIR:
                name = r.choices(("full", "remote", "mail_in"), (5, 3, 2))[0]
            path = paths[name]
            if status == "resolved" and path[-1] is S.CLOSED:
                path = path[:-1]
        else:
            if kind is CaseKind.REPAIR:
                name = r.choices(("full", "mail_in"), (3, 1))[0]
                stop = {"new": 1, "open": r.choice((1, 2)), "pending_customer": r.choice((2, 3, 3)), "pending_internal": r.choice((3, 3, 4))}[status]
            else:
                name = "full"
                stop = {"new": 1, "open": r.choice((1, 2)), "pending_customer": 2, "pending_internal": r.choice((3, 4))}[status]
            path = paths[name][:stop]
        # Natural durations, squeezed to fit before now for cases still running.
        created = opened + timedelta(minutes=r.uniform(2, 40))
        durations = [r.uniform(*STEP_HOURS.get(s, (1, 24))) * 3600 for s in path[:-1]]
        room = (self.now - created).total_seconds() - 60
        total = sum(durations)
        if total > room:
            scale = max(room, 0) / total if total else 0
            durations = [d * scale for d in durations]
            if room <= 0:
                created = self.now - timedelta(seconds=30)
        case_id = self.uid(created)
        notes = dialogue.CASE_NOTES[lang]
        at = created
        prev = None
        rejection = r.choice(dialogue.REJECTIONS[lang]) if S.REJECTED in path else None
        events = out["case_events"]
        entered = {}
        for k, state in enumerate(path):
            if k:
                at = at + timedelta(seconds=durations[k - 1])
            entered[state] = at
            actor = agent.id if agent is not None and state not in (S.RECEIVED,) else None
            note = notes[state.value] + (f"：{rejection}" if lang == "zh" and state is S.REJECTED else f": {rejection}" if state is S.REJECTED else "")
            events.append({
                "id": self.uid(at), "case_id": case_id, "from_state": prev.value if prev else None,
                "to_state": state.value, "actor_id": actor, "note": note, "at": at,
            })
            prev = state
        state = path[-1]
        out["cases"].append({
            "id": case_id, "kind": kind.value, "state": state.value, "conversation_id": conv_id,
            "customer_id": c.id, "order_id": order["id"], "order_item_id": item["id"],
            "reason": CASE_REASON.get(key, "other"), "description": _case_description(key, lang, item["title"]),
            "rejection_reason": rejection,
            "return_tracking": self.tracking() if S.SHIPPED_BACK in path else None,
            "replacement_tracking": self.tracking() if S.REPLACEMENT_SHIPPED in path else None,
            "owner_department": case_rules.owner_department(kind, state).value,
            "deadline_at": None if state in case_rules.TERMINAL_STATES else case_rules.case_deadline(
                self.policy, kind=kind, state=state, entered_at=at, remote_area=c.remote),
            "state_entered_at": at, "remote_area": c.remote,
            "created_by": agent.id if agent is not None else None, "created_at": created,
        })
        if S.ONSITE_SCHEDULED in path and item["category"] in ("electronics", "appliances", "home", "custom_made"):
            self._work_order(out, c, case_id, entered, state, lang, item, repair_quote)
        return case_id

    def _work_order(
        self, out: dict[str, list[dict[str, Any]]], c: Cust, case_id: str, entered: dict[CaseState, datetime],
        state: CaseState, lang: str, item: dict[str, Any], repair_quote: Any,
    ) -> None:
        r = self.rng
        engineer = self._engineers[0] if r.random() < 0.6 else self._engineers[-1]
        booked = entered[S.ONSITE_SCHEDULED]
        row: dict[str, Any] = {
            "id": self.uid(booked), "case_id": case_id, "customer_id": c.id, "engineer_id": engineer.id,
            "address": c.address, "problem": _case_description("fault", lang, item["title"]),
            "state": "scheduled", "scheduled_at": None, "confirmed_at": None, "diagnosis": "", "parts": [],
            "labour_code": None, "total": None, "signer_name": None, "signature": None, "signed_off_at": None,
            "report": "", "created_at": booked,
        }
        done = entered.get(S.REPAIRED)
        if done is not None:
            scheduled = max(done - timedelta(hours=r.uniform(1, 3)), booked + timedelta(minutes=5))
            parts = [ln.code for ln in repair_quote.lines if ln.label.startswith("part")] if repair_quote else []
            row.update({
                "state": "signed_off", "scheduled_at": scheduled, "confirmed_at": scheduled - timedelta(hours=1),
                "diagnosis": r.choice(dialogue.WORK_DIAGNOSES[lang]),
                "parts": parts,
                "labour_code": catalog.REPAIR_LABOUR.get(item["category"]),
                "total": repair_quote.total if repair_quote else Decimal("0.00"),
                "signer_name": c.name, "signature": SIGNATURE_PNG, "signed_off_at": done,
                "report": "上门维修完成，客户确认问题已解决。" if lang == "zh" else "On-site repair done; customer confirmed the fault is fixed.",
            })
        else:
            # Visits ahead of now (the engineer confirms 1 h before), a few under way.
            roll = r.random()
            ahead = r.uniform(1.5, 44) if roll < 0.6 else r.uniform(0.1, 0.95) if roll < 0.9 else -r.uniform(0.1, 1.5)
            scheduled = max(self.now + timedelta(hours=ahead), booked + timedelta(minutes=30)).replace(microsecond=0)
            confirm_by = scheduled - timedelta(hours=1)
            if confirm_by > self.now:
                row.update({"state": "scheduled", "scheduled_at": scheduled})
            else:
                confirmed = max(min(confirm_by, self.now - timedelta(minutes=1)), booked)
                row.update({"state": "confirmed" if scheduled > self.now else "in_progress", "scheduled_at": scheduled,
                            "confirmed_at": confirmed})
        out["work_orders"].append(row)

    def _offer(
        self, out: dict[str, list[dict[str, Any]]], c: Cust, conv_id: str, case_id: str | None,
        order: dict[str, Any] | None, item: dict[str, Any] | None, quote: Any, kind: str, status: str,
        opened: datetime, agent: Staff,
    ) -> None:
        r = self.rng
        created = min(opened + timedelta(minutes=r.uniform(5, 90)), self.now - timedelta(seconds=20))
        decision = check_authority(self.policy, role=agent.role, tenure_months=agent.tenure_months, amount=quote.authority_amount)
        row: dict[str, Any] = {
            "id": self.uid(created), "conversation_id": conv_id, "case_id": case_id, "customer_id": c.id,
            "order_id": order["id"] if order else None, "kind": quote.kind.value,
            "inputs": {"price": f"{item['price']:.2f}" if item else "0.00", "quantity": item["quantity"] if item else 1,
                       "order_amount": f"{order['amount']:.2f}" if order else None},
            "rule": quote.rule,
            "lines": [{"label": ln.label, "amount": f"{ln.amount:.2f}", "rule": ln.rule, "refund": ln.refund} for ln in quote.lines],
            "amount": quote.total, "authority_amount": quote.authority_amount, "status": "offered",
            "offered_by": agent.id, "decided_by": None, "decided_at": None, "decision_reason": None,
            "approved_amount": None, "created_at": created,
        }
        if not decision.within:
            if status in ACTIVE:
                row["status"] = "pending_approval"
            else:
                roll = r.random()
                decided = created + timedelta(hours=r.uniform(0.5, 20))
                row.update({"decided_by": self._lead.id, "decided_at": min(decided, self.now - timedelta(minutes=40))})
                if roll < 0.7:
                    row.update({"status": "approved", "approved_amount": quote.total, "decision_reason": "符合政策，同意。"})
                elif roll < 0.9:
                    changed = (quote.total * Decimal("0.8")).quantize(Decimal("0.01"))
                    row.update({"status": "changed", "approved_amount": changed, "decision_reason": "与客户协商后调整金额。"})
                else:
                    row.update({"status": "rejected", "decision_reason": "检测结果为正品，不适用赔偿；已向客户说明。"})
        out["compensation_offers"].append(row)

    def _survey(
        self, out: dict[str, list[dict[str, Any]]], c: Cust, conv_id: str, case_id: str | None,
        closed_at: datetime, agent: Staff | None, lang: str,
    ) -> None:
        r = self.rng
        if r.random() >= 0.75:
            return
        invited = min(closed_at + timedelta(minutes=10), self.now - timedelta(minutes=5))
        row: dict[str, Any] = {
            "id": self.uid(invited), "conversation_id": conv_id, "case_id": case_id, "customer_id": c.id,
            "invited_at": invited, "rating": None, "comment": "", "responded_at": None,
            "callback_due_at": None, "callback_done_at": None, "callback_notes": "",
        }
        if r.random() < 0.62:
            responded = min(invited + timedelta(minutes=r.uniform(3, 2880)), self.now - timedelta(minutes=1))
            if responded > invited:
                ratings, weights = zip(*RATING_WEIGHTS, strict=True)
                rating = r.choices(ratings, weights)[0]
                row.update({
                    "rating": rating.value, "responded_at": responded,
                    "comment": r.choice(dialogue.SURVEY_COMMENTS[lang][rating.value]).format(agent=agent.display_name if agent else ""),
                    "callback_due_at": callback_due(self.policy, responded, rating),
                })
                due = row["callback_due_at"]
                if due is not None and due < self.now - timedelta(hours=2) and r.random() < 0.85:
                    row.update({
                        "callback_done_at": responded + timedelta(hours=r.uniform(1, 20)),
                        "callback_notes": r.choice(dialogue.CALLBACK_NOTES[lang]),
                    })
        out["surveys"].append(row)

    def _qa(self, out: dict[str, list[dict[str, Any]]], conv_id: str, closed_at: datetime, agent: Staff) -> None:
        r = self.rng
        at = min(closed_at + timedelta(days=r.uniform(0.5, 5)), self.now - timedelta(minutes=10))
        good = r.random() < 0.8
        lo, hi = (3, 5) if good else (1, 4)
        scores = {k: r.randint(lo, hi) for k in self.policy.qa.scorecard_items}
        result = score_evaluation(self.policy, scores)
        total, passed = result.total, result.passed
        out["qa_evaluations"].append({
            "id": self.uid(at), "conversation_id": conv_id, "agent_id": agent.id, "evaluator_id": self._lead.id,
            "scores": scores, "total": total, "passed": passed,
            "comment": r.choice(dialogue.QA_COMMENTS["pass" if passed else "fail"]),
            "corrective_action": None if passed else r.choice(dialogue.QA_ACTIONS), "amends": None, "created_at": at,
        })


_ASKS = {
    "logistics": "查询物流进度，希望尽快收货", "usage": "咨询使用方法", "invoice": "开具发票",
    "damaged": "商品破损，要求补偿或换新", "fake": "怀疑假货，要求假一赔三", "service": "投诉配送服务",
    "fresh_damage": "生鲜破损，要求退款", "no_reason": "七天无理由退货", "quality": "质量问题退货退款",
    "virtual_unusable": "虚拟商品无法使用，要求退款", "size": "换尺码", "defect_exchange": "质量问题换货",
    "fault": "保修期内维修", "suggestion": "改进建议",
}


_ASKS_EN = {
    "logistics": "Where is the parcel; wants it soon", "usage": "How to use the product", "invoice": "Needs an invoice",
    "damaged": "Damaged item: compensation or replacement", "fake": "Suspected fake: refund plus 3x",
    "service": "Complaint about delivery service", "fresh_damage": "Spoiled fresh food: refund",
    "no_reason": "7-day no-reason return", "quality": "Faulty item: return and refund",
    "virtual_unusable": "Virtual goods unusable: refund", "size": "Exchange for another size",
    "defect_exchange": "Faulty item: exchange", "fault": "Warranty repair", "suggestion": "Suggestion",
}


def _asks(key: str, lang: str) -> str:
    return (_ASKS if lang == "zh" else _ASKS_EN).get(key, "售后咨询" if lang == "zh" else "After-sales request")


def _case_description(key: str, lang: str, title: str) -> str:
    sep = "：" if lang == "zh" else ": "
    return f"{title}{sep}{_asks(key, lang)}"


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    while True:
        n, rem = divmod(n, 36)
        out.append(digits[rem])
        if not n:
            return "".join(reversed(out)).rjust(8, "0")


def _months_before(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, min(day.day, 28))


# ----------------------------------------------------------------------------- writing


def iter_world(
    world: World, conversations: int, *, chunk_size: int = CHUNK_CONVERSATIONS
) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """The world's chunks after the users: {table name: rows} in insertion order."""
    done = 0
    while done < conversations:
        n = min(chunk_size, conversations - done)
        yield world.chunk(n, first=done == 0)
        done += n


def _insert(session: Session, table: Table, rows: list[dict[str, Any]], counts: Tally[str]) -> None:
    if not rows:
        return
    if "change_seq" in table.c:
        last = allocate(session, len(rows))
        for seq, row in enumerate(rows, last - len(rows) + 1):
            row["change_seq"] = seq
    stmt = insert(table)
    for start in range(0, len(rows), BATCH_ROWS):
        session.execute(stmt, rows[start : start + BATCH_ROWS])
    counts[table.name] += len(rows)


def seed_database(
    url: str,
    *,
    conversations: int,
    seed: int,
    demo_password: str,
    now: datetime,
    progress: Callable[[str], None] | None = None,
    policy: Policy | None = None,
) -> SeedResult:
    """Migrate ``url`` and fill it; refuses (AlreadySeeded) when conversations exist."""
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    db = Database.connect(url)
    try:
        upgrade(db)
        with db.read() as session:
            if session.execute(select(Conversation.id).limit(1)).first() is not None:
                raise AlreadySeeded(url)
        password_hash = auth.hash_password(demo_password)  # argon2 is slow on purpose: hash once
        policy = policy or load_policy(_policy_path())
        world = World(seed=seed, now=now, policy=policy, password_hash=password_hash)
        counts: Tally[str] = Tally()
        with db.engine.connect() as conn:
            sqlite = db.dialect == "sqlite"
            if sqlite:  # bulk-load settings for this connection only, restored below
                raw = conn.connection.dbapi_connection
                assert raw is not None
                # A fresh file loads fastest with a rollback journal (WAL would write every page
                # twice); the file goes back to WAL below. If another connection holds the file,
                # SQLite keeps WAL and the seed is merely slower.
                raw.execute("PRAGMA journal_mode=DELETE").fetchall()
                raw.execute("PRAGMA synchronous=OFF")
                raw.execute("PRAGMA cache_size=-262144")
                raw.execute("PRAGMA temp_store=MEMORY")
            try:
                bind = conn.execution_options(sqlite_begin="IMMEDIATE") if sqlite else conn
                with Session(bind=bind) as session, session.begin():
                    if session.execute(select(Conversation.id).limit(1)).first() is not None:
                        raise AlreadySeeded(url)
                    existing = {name: uid for uid, name in session.execute(select(User.id, User.username))}
                    users = world.users(existing)
                    _insert(session, User.__table__, users, counts)  # type: ignore[arg-type]
                    counts["reply_scripts"] += load_default_library(session, approved_by=world._lead.id, now=world.now)
                    for rows in iter_world(world, conversations):
                        for table in TABLE_ORDER:
                            _insert(session, table, rows[table.name], counts)
                        say(
                            f"seed: {counts['conversations']:,}/{conversations:,} conversations, "
                            f"{counts['messages']:,} messages, {time.perf_counter() - started:.1f} s"
                        )
            finally:
                if sqlite:
                    raw.execute("PRAGMA journal_mode=WAL").fetchall()
                    raw.execute("PRAGMA synchronous=NORMAL")
                    raw.execute("PRAGMA cache_size=-2000")
        return SeedResult(
            counts=dict(counts), seconds=time.perf_counter() - started,
            users=[(s.username, s.role.value, s.display_name) for s in world.staff],
        )
    finally:
        db.dispose()


def _policy_path() -> Path | None:
    raw = os.environ.get("WORKSTATION_POLICY")
    return Path(raw) if raw else None


def run_seed_command(args: argparse.Namespace) -> int:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    try:
        result = seed_database(
            args.database, conversations=args.conversations, seed=args.seed, demo_password=args.demo_password,
            now=now, progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except AlreadySeeded:
        print(
            f"workstation-server seed: {args.database} already holds conversations; seeding again would mix two "
            "demo worlds. To start fresh, delete the SQLite file (and its -wal/-shm files) or drop and recreate "
            "the PostgreSQL database, then run the seed again.",
            file=sys.stderr,
        )
        return 2
    total = sum(result.counts.values())
    print(f"seeded {args.database} (seed {args.seed}) in {result.seconds:.1f} s: {total:,} rows, {total / result.seconds:,.0f} rows/s")
    for name in ("users",) + tuple(t.name for t in TABLE_ORDER):
        print(f"  {name:<22}{result.counts.get(name, 0):>12,}")
    print(f"  messages per conversation: {result.messages_per_conversation:.1f}")
    print(f"demo users (password: {args.demo_password}):")
    for username, role, display in result.users:
        print(f"  {username:<10} {role:<15} {display}")
    return 0
