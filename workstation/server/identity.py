"""Identity resolution: every channel's traffic from one person lands on one customer.

A customer is reachable through identities: (kind, handle) pairs such as a phone number, an
e-mail address, a chat visitor id or a WeChat openid. Each pair belongs to exactly one customer
(a unique constraint). Phone numbers and e-mail addresses are normalised before they are
stored or looked up, so "138 0013 8000", "+86 138-0013-8000" and "008613800138000" are one
identity.

When a message names several handles (a chat visitor who also types their phone number), the
customer behind any already known handle is used and the handles not yet known are attached to
them. Two different known customers are never merged automatically: that is a person's call
(`merge_customers`, offered by `suggest_merges`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, insert, inspect, or_, select, update
from sqlalchemy.orm import Session

from workstation.domain.ids import new_id
from workstation.server import changes
from workstation.server.audit import record_audit
from workstation.server.auth import Principal
from workstation.server.context import ServerContext
from workstation.server.problems import Problem, conflict, not_found
from workstation.server.serialize import mask_phone
from workstation.server.tables import (
    Call,
    Case,
    CompensationOffer,
    Conversation,
    Customer,
    Identity,
    Order,
    Survey,
    WorkOrder,
)

# Identity kinds, one per way of reaching a person.
PHONE = "phone"
EMAIL = "email"

# The handle kind each webhook channel's sender id is stored under.
CHANNEL_HANDLE_KIND = {
    "chat": "chat_visitor",
    "app": "app_user",
    "sms": PHONE,
    "social": "social",
    "live_stream": "live_user",
    "web_form": "web_user",
    "phone": PHONE,
    "email": EMAIL,
}

_MAX_MERGE_DEPTH = 20
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


def normalise_phone(raw: str | None) -> str | None:
    """E.164-style '+<digits>' for a phone number, or None when it is not one.

    Chinese numbers are the common case: an 11-digit mobile (1xx xxxx xxxx) or a landline with
    its trunk 0 (010 1234 5678) gets +86; 0086… and 86… prefixes are read as +86. A number that
    already starts with + keeps its country code. Spaces, dashes, dots and brackets are ignored.
    """
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    plus = text.startswith("+")
    if re.search(r"[^\d\s\-().+]", text) or "+" in text[1:]:
        return None
    digits = re.sub(r"\D", "", text)
    if not 5 <= len(digits) <= 15:
        return None
    if plus:
        return "+" + digits
    if digits.startswith("0086"):
        return "+" + digits[2:]
    if digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        return "+" + digits
    if len(digits) == 11 and digits[0] == "1":
        return "+86" + digits
    if digits[0] == "0" and 10 <= len(digits) <= 12:
        return "+86" + digits[1:]
    return "+" + digits if len(digits) > 11 else digits


def national_phone(canonical: str | None) -> str | None:
    """The number as people in China write it: +8613800138000 -> 13800138000."""
    if canonical is None:
        return None
    if canonical.startswith("+86"):
        rest = canonical[3:]
        mobile = len(rest) == 11 and rest.startswith("1")
        return rest if mobile else "0" + rest  # landlines keep their trunk 0 (Beijing: 010 …)
    return canonical


def mask_caller(raw: str | None) -> str | None:
    """138****8000 for a caller id, whatever format it came in."""
    if not raw:
        return raw
    canonical = normalise_phone(raw)
    return mask_phone(national_phone(canonical) if canonical else raw.strip())


def normalise_email(raw: str | None) -> str | None:
    if raw is None:
        return None
    text = raw.strip().lower()
    if not text or len(text) > 200 or not _EMAIL_RE.match(text):
        return None
    return text


def normalise_handle(kind: str, handle: str) -> str | None:
    """The stored form of a handle of this kind, or None when it is not usable."""
    if kind == PHONE:
        return normalise_phone(handle)
    if kind == EMAIL:
        return normalise_email(handle)
    text = handle.strip()
    return text[:200] if text else None


def root_customer(session: Session, customer: Customer) -> Customer:
    """Follow merged_into to the customer that absorbed this one."""
    seen = {customer.id}
    for _ in range(_MAX_MERGE_DEPTH):
        if customer.merged_into is None:
            return customer
        nxt = session.get(Customer, customer.merged_into)
        if nxt is None or nxt.id in seen:
            return customer
        seen.add(nxt.id)
        customer = nxt
    return customer


def _default_name(channel: str, kind: str, handle: str, name: str | None) -> str:
    if name and name.strip():
        return name.strip()[:200]
    if kind == PHONE:
        return mask_phone(national_phone(handle)) or handle
    if kind == EMAIL:
        return handle.split("@", 1)[0][:200]
    return f"{channel} {handle[:40]}"


def _sender_keys(
    handle_kind: str, handle: str, phone: str | None, email: str | None
) -> tuple[list[tuple[str, str]], str | None, str | None]:
    """The (kind, handle) identities a sender names, own handle first; the normalised primary
    handle and phone number."""
    wanted: list[tuple[str, str]] = []
    primary = normalise_handle(handle_kind, handle)
    if primary is not None:
        wanted.append((handle_kind, primary))
    phone_n = normalise_phone(phone)
    if phone_n is not None and (PHONE, phone_n) not in wanted:
        wanted.append((PHONE, phone_n))
    email_n = normalise_email(email)
    if email_n is not None and (EMAIL, email_n) not in wanted:
        wanted.append((EMAIL, email_n))
    return wanted, primary, phone_n


def _new_customer_values(
    *, channel: str, handle_kind: str, handle: str, name: str | None, wanted: list[tuple[str, str]],
    primary: str | None, phone_n: str | None, now: datetime,
) -> dict[str, Any]:
    display_kind, display_handle = wanted[0] if wanted else (handle_kind, handle.strip())
    return {
        "id": new_id(),
        "display_name": _default_name(channel, display_kind, display_handle, name),
        "phone": national_phone(phone_n) if phone_n else (national_phone(primary) if handle_kind == PHONE else None),
        "preferred_channel": channel,
        "language": "zh",
        "tags": [],
        "notes": "",
        "created_at": now,
        "updated_at": now,
    }


def _customer_updates(
    *, phone: str | None, display_name: str, channel: str, handle_kind: str, name: str | None,
    primary: str | None, phone_n: str | None, now: datetime,
) -> dict[str, Any]:
    """What a known customer learns from this contact: a phone number they had none of, a real
    name in place of a placeholder."""
    changes: dict[str, Any] = {}
    if phone is None and (phone_n or (handle_kind == PHONE and primary)):
        changes["phone"] = national_phone(phone_n or primary)
    if name and name.strip() and display_name == _default_name(channel, handle_kind, primary or "", None):
        changes["display_name"] = name.strip()[:200]  # a placeholder name gives way to a real one
    if changes:
        changes["updated_at"] = now
    return changes


def _key_params(wanted: list[tuple[str, str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for i, (kind, value) in enumerate(wanted):
        params[f"k{i}"] = kind
        params[f"h{i}"] = value
    return params


def _identity_lookup(pairs_count: int, *, lock: bool, columns: tuple[Any, ...]) -> Select[Any]:
    """Known identities among `pairs_count` (kind, handle) pairs with their customers, one query."""
    pairs = [(bindparam(f"k{i}"), bindparam(f"h{i}")) for i in range(pairs_count)]
    # OR of (kind = ? AND handle = ?): each arm is a lookup on the unique (kind, handle) index.
    match = or_(*((Identity.kind == kind) & (Identity.handle == handle) for kind, handle in pairs))
    stmt = (
        select(Identity.kind, Identity.handle, *columns)
        .join(Customer, Customer.id == Identity.customer_id)
        .where(match)
        .order_by(Customer.id)  # PostgreSQL takes the row locks in this order: no lock-order deadlocks
    )
    return stmt.with_for_update(of=Customer) if lock else stmt


_CUSTOMER_ROW_COLUMNS = (Customer.id, Customer.merged_into, Customer.phone, Customer.display_name)
# Built once (a message names one to three handles): building a statement costs about as much
# as running it, and a prebuilt one goes straight to SQLAlchemy's compiled cache.
_IDENTITY_ENTITIES = {
    (n, lock): _identity_lookup(n, lock=lock, columns=(Customer,)) for n in (1, 2, 3) for lock in (False, True)
}
_IDENTITY_ROWS = {
    (n, lock): _identity_lookup(n, lock=lock, columns=_CUSTOMER_ROW_COLUMNS) for n in (1, 2, 3) for lock in (False, True)
}
_CUSTOMER_ROW = {
    lock: (lambda stmt: stmt.with_for_update() if lock else stmt)(
        select(*_CUSTOMER_ROW_COLUMNS).where(Customer.id == bindparam("id"))
    )
    for lock in (False, True)
}
_INSERT_CUSTOMER = insert(Customer)
_INSERT_IDENTITY = insert(Identity)


def resolve_customer(
    session: Session,
    ctx: ServerContext,
    *,
    channel: str,
    handle_kind: str,
    handle: str,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    lock: bool = False,
) -> Customer:
    """The customer behind a sender, creating them (and any new identities) as needed.

    One query finds the known identities and their customers. With `lock` (PostgreSQL only;
    SQLite writers are serial already) the customers found are row-locked in the same query, so
    `lock_customer` has nothing left to do for them. A new customer and its identities are only
    added to the session: they reach the database with the caller's next flush, together with
    the rows that point at them.
    """
    now = ctx.clock()
    wanted, primary, phone_n = _sender_keys(handle_kind, handle, phone, email)
    lock = lock and session.get_bind().dialect.name == "postgresql"
    known: dict[tuple[str, str], Customer] = {}
    if wanted:
        rows = session.execute(_IDENTITY_ENTITIES[(len(wanted), lock)], _key_params(wanted))
        known = {(kind, value): cust for kind, value, cust in rows}
    if lock:
        mark_locked(session, (c.id for c in known.values()))

    customer: Customer | None = None
    for key in wanted:  # the sender's own handle first, then what they told us
        if key in known:
            customer = root_customer(session, known[key])
            break

    if customer is None:
        customer = Customer(**_new_customer_values(
            channel=channel, handle_kind=handle_kind, handle=handle, name=name, wanted=wanted, primary=primary,
            phone_n=phone_n, now=now,
        ))
        session.add(customer)
    else:
        for column, value in _customer_updates(
            phone=customer.phone, display_name=customer.display_name, channel=channel, handle_kind=handle_kind,
            name=name, primary=primary, phone_n=phone_n, now=now,
        ).items():
            setattr(customer, column, value)

    for kind, value in wanted:
        if (kind, value) not in known:
            session.add(Identity(id=new_id(), customer_id=customer.id, kind=kind, handle=value, created_at=now))
    return customer


@dataclass(frozen=True, kw_only=True)
class ResolvedCustomer:
    id: str
    created: bool


def resolve_customer_id(
    session: Session,
    ctx: ServerContext,
    *,
    channel: str,
    handle_kind: str,
    handle: str,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    conn: Connection | None = None,
    reserve_extra: int = 0,
) -> ResolvedCustomer:
    """`resolve_customer` for the webhook hot path, in SQLAlchemy Core: same rules, no ORM objects.

    Writes at once on the session's connection (a new customer, then its new identities, or a
    known customer's updates), each row stamped from the transaction's change-seq reservation.
    On PostgreSQL the customer's row is locked (FOR UPDATE) by the lookup itself, so intake for
    one customer is serialised from here to commit. `reserve_extra`: change_seq values the caller
    will take afterwards, reserved with this function's own in one counter update.
    """
    now = ctx.clock()
    wanted, primary, phone_n = _sender_keys(handle_kind, handle, phone, email)
    if conn is None:
        conn = session.connection()
    lock = conn.dialect.name == "postgresql"
    known: dict[tuple[str, str], Any] = {}
    if wanted:
        rows = conn.execute(_IDENTITY_ROWS[(len(wanted), lock)], _key_params(wanted)).all()
        known = {(row[0], row[1]): row for row in rows}

    found: Any = None
    for key in wanted:  # the sender's own handle first, then what they told us
        if key in known:
            found = known[key]
            break
    created = found is None
    new_keys = [key for key in wanted if key not in known]
    if found is not None:
        seen = {found.id}  # follow merged_into to the customer that absorbed this one
        for _ in range(_MAX_MERGE_DEPTH):
            if found.merged_into is None:
                break
            nxt = conn.execute(_CUSTOMER_ROW[lock], {"id": found.merged_into}).first()
            if nxt is None or nxt.id in seen:
                break
            seen.add(nxt.id)
            found = nxt
        customer_id = str(found.id)
        updates = _customer_updates(
            phone=found.phone, display_name=found.display_name, channel=channel, handle_kind=handle_kind, name=name,
            primary=primary, phone_n=phone_n, now=now,
        )
        changes.reserve(session, (1 if updates else 0) + len(new_keys) + reserve_extra)
        if updates:
            updates["change_seq"] = changes.take(session, 1)
            conn.execute(update(Customer).where(Customer.id == customer_id).values(**updates))
    else:
        values = _new_customer_values(
            channel=channel, handle_kind=handle_kind, handle=handle, name=name, wanted=wanted, primary=primary,
            phone_n=phone_n, now=now,
        )
        changes.reserve(session, 1 + len(new_keys) + reserve_extra)
        values["change_seq"] = changes.take(session, 1)
        conn.execute(_INSERT_CUSTOMER, values)
        customer_id = values["id"]

    if new_keys:
        first = changes.take(session, len(new_keys))
        rows = [
            {"id": new_id(), "customer_id": customer_id, "kind": kind, "handle": value, "created_at": now,
             "change_seq": first + offset}
            for offset, (kind, value) in enumerate(new_keys)
        ]
        conn.execute(_INSERT_IDENTITY, rows[0] if len(rows) == 1 else rows)
    return ResolvedCustomer(id=customer_id, created=created)


# session.info key: (transaction, ids of customers it has row-locked) on PostgreSQL. Keyed by the
# innermost transaction object, so a lock taken in another (or a rolled-back nested) transaction
# never counts: at worst a customer is locked twice, which costs a query, not correctness.
_LOCKED = "workstation.locked_customers"


def _locked_ids(session: Session) -> set[str]:
    txn = session.get_nested_transaction() or session.get_transaction()
    entry = session.info.get(_LOCKED)
    if entry is None or entry[0] is not txn:
        entry = (txn, set())
        session.info[_LOCKED] = entry
    ids: set[str] = entry[1]
    return ids


def mark_locked(session: Session, customer_ids: Iterable[str]) -> None:
    """Note that this transaction now holds these customers' row locks."""
    _locked_ids(session).update(customer_ids)


def is_locked(session: Session, customer: Customer) -> bool:
    """Whether this transaction already holds `customer`'s row lock, or needs none (a new row)."""
    if inspect(customer).pending:
        return True
    entry = session.info.get(_LOCKED)
    return entry is not None and customer.id in _locked_ids(session)


def find_customer_by_phone(session: Session, raw: str | None) -> Customer | None:
    """The (root) customer who owns this phone number, without creating anything."""
    canonical = normalise_phone(raw)
    if canonical is None:
        return None
    ident = session.execute(
        select(Identity).where(Identity.kind == PHONE, Identity.handle == canonical)
    ).scalar_one_or_none()
    if ident is None:
        return None
    customer = session.get(Customer, ident.customer_id)
    return root_customer(session, customer) if customer is not None else None


# --- merging duplicates ----------------------------------------------------------------

# Every table that points at a customer, and so moves when two customers become one.
_OWNED: tuple[tuple[str, Any], ...] = (
    ("identities", Identity),
    ("orders", Order),
    ("conversations", Conversation),
    ("cases", Case),
    ("calls", Call),
    ("surveys", Survey),
    ("compensation_offers", CompensationOffer),
    ("work_orders", WorkOrder),
)


@dataclass(frozen=True, kw_only=True)
class MergeResult:
    kept_id: str
    merged_id: str
    moved: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {"kept_id": self.kept_id, "merged_id": self.merged_id, "moved": dict(self.moved)}


def merge_customers(
    session: Session,
    ctx: ServerContext,
    *,
    keep_id: str,
    merge_id: str,
    actor: Principal | None,
    address: str | None = None,
) -> MergeResult:
    """Move everything of `merge_id` onto `keep_id` and mark it merged (audited)."""
    if keep_id == merge_id:
        raise conflict("a customer cannot be merged into itself")
    keep = session.get(Customer, keep_id)
    if keep is None:
        raise not_found("customer", keep_id)
    dup = session.get(Customer, merge_id)
    if dup is None:
        raise Problem(422, "Invalid input", f"no customer with id {merge_id!r}", kind="invalid-input",
                      errors=[{"field": "body.duplicate_id", "message": "unknown customer"}])
    if keep.merged_into is not None:
        raise conflict(f"customer {keep_id} was itself merged into {keep.merged_into}; merge into that one")
    if dup.merged_into is not None:
        raise conflict(f"customer {merge_id} was already merged into {dup.merged_into}")
    now = ctx.clock()
    moved: dict[str, int] = {}
    for name, table in _OWNED:
        rows = session.execute(select(table).where(table.customer_id == merge_id)).scalars().all()
        for row in rows:
            row.customer_id = keep_id  # ORM updates, so each row is re-stamped for pull
        moved[name] = len(rows)
    # Customers merged into the duplicate earlier now point straight at the survivor.
    for earlier in session.execute(select(Customer).where(Customer.merged_into == merge_id)).scalars():
        earlier.merged_into = keep_id
    keep.phone = keep.phone or dup.phone
    keep.address = keep.address or dup.address
    keep.preferred_channel = keep.preferred_channel or dup.preferred_channel
    keep.preferred_time = keep.preferred_time or dup.preferred_time
    keep.tags = list(dict.fromkeys([*(keep.tags or []), *(dup.tags or [])]))
    if dup.notes and dup.notes not in (keep.notes or ""):
        keep.notes = (keep.notes + "\n" if keep.notes else "") + dup.notes
    keep.updated_at = now
    dup.merged_into = keep_id
    dup.updated_at = now
    record_audit(
        session,
        ctx,
        actor=actor,
        action="customer.merge",
        target_type="customer",
        target_id=keep_id,
        details={"merged_id": merge_id, "merged_name": dup.display_name, "moved": moved},
        address=address,
    )
    return MergeResult(kept_id=keep_id, merged_id=merge_id, moved=moved)


def _norm_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def suggest_merges(session: Session, customer_id: str) -> list[dict[str, Any]]:
    """Other (unmerged) customers sharing a phone number, e-mail address or name with this one."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise not_found("customer", customer_id)
    idents = session.execute(select(Identity).where(Identity.customer_id == customer_id)).scalars().all()
    phones = {i.handle for i in idents if i.kind == PHONE}
    if customer.phone:
        canonical = normalise_phone(customer.phone)
        if canonical:
            phones.add(canonical)
    emails = {i.handle for i in idents if i.kind == EMAIL}
    reasons: dict[str, set[str]] = {}

    def note(other_id: str, reason: str) -> None:
        if other_id != customer_id:
            reasons.setdefault(other_id, set()).add(reason)

    if phones:
        nationals = [p for p in (national_phone(x) for x in phones) if p]
        for (cid,) in session.execute(
            select(Customer.id).where(Customer.phone.in_(nationals + sorted(phones)))
        ):
            note(cid, "phone")
    if emails:
        # Identities are unique per handle, so a shared address shows up as case variants in
        # rows written before normalisation, or as the same mailbox in another customer's notes.
        for (cid,) in session.execute(
            select(Identity.customer_id).where(Identity.kind == EMAIL, func.lower(Identity.handle).in_(sorted(emails)))
        ):
            note(cid, "email")
    name = _norm_name(customer.display_name)
    if name:
        for cid, other_name in session.execute(
            select(Customer.id, Customer.display_name).where(
                func.lower(Customer.display_name) == customer.display_name.strip().lower()
            )
        ):
            if _norm_name(other_name) == name:
                note(cid, "name")
    if not reasons:
        return []
    others = session.execute(
        select(Customer).where(Customer.id.in_(sorted(reasons)), Customer.merged_into.is_(None))
    ).scalars()
    out = []
    for other in others:
        why = sorted(reasons[other.id])
        out.append(
            {
                "customer_id": other.id,
                "display_name": other.display_name,
                "phone": mask_phone(other.phone),
                "reasons": why,
                "created_at": other.created_at.isoformat().replace("+00:00", "Z"),
            }
        )
    # Strongest evidence first: a shared phone or e-mail beats a shared name.
    out.sort(key=lambda s: (-len(s["reasons"]), "name" in s["reasons"] and len(s["reasons"]) == 1, s["customer_id"]))
    return out


__all__ = [
    "CHANNEL_HANDLE_KIND",
    "is_locked",
    "mark_locked",
    "MergeResult",
    "find_customer_by_phone",
    "mask_caller",
    "merge_customers",
    "national_phone",
    "normalise_email",
    "normalise_handle",
    "normalise_phone",
    "ResolvedCustomer",
    "resolve_customer",
    "resolve_customer_id",
    "suggest_merges",
]
