"""Full-text search over the cache: messages (body, subject), customers (name, identities)
and orders (order no, item titles), in Chinese and English.

**Terms of 3+ characters** use the FTS5 indexes with the ``trigram`` tokenizer (created by the
migrations; kept in step by triggers inside every write transaction, so a pulled page is
searchable the moment it commits). Trigram matching is substring matching, case-insensitive,
and needs no word segmentation — which Chinese lacks. Several whitespace-separated terms must
all match (AND).

Ranking: bm25 among the newest `FTS_WINDOW` matches of each index (FTS5 walks the doclist by
descending rowid — newest first — and stops at the window), so a very common term costs the
same as a rare one; past the window, older matches are not returned.

**Terms of 1–2 characters** (a surname, 退, 换货 …) cannot be matched by trigrams. Fallback:
``LIKE '%term%'`` over a bounded scan — the newest `FALLBACK_WINDOW` messages by `sent_at`
(index walk, newest first, stopping as soon as `limit` hits are found), and the newest
`FALLBACK_WINDOW` customers / orders. Results are newest first. Older matches outside the
window are not found: type one more character to search everything. In a query that mixes
long and short terms, the long ones drive the FTS lookup and the short ones filter its hits.

**While the index is being built** (the first sync of a big cache defers the FTS indexes to one
rebuild at the end, see `store.apply.defer_search_index`), every query takes the bounded scan
path above, long terms included, and the result says ``indexing=True`` so the UI can show
"search index being built — showing recent matches only".

Messages, customers and orders give conversation ids: a message's own conversation; for a
customer or an order, their most recent conversation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from workstation.store.apply import search_index_deferred
from workstation.store.db import CacheDatabase

Kind = Literal["customer", "order", "message"]
ALL_KINDS: tuple[Kind, ...] = ("customer", "order", "message")
Mode = Literal["fts", "fallback", "empty"]

FTS_WINDOW = 1000
FALLBACK_WINDOW = 20_000
DEFAULT_LIMIT = 50
SNIPPET_CONTEXT = 24


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: Kind
    id: str
    """The message, customer or order id."""
    conversation_id: str | None
    customer_id: str | None
    title: str
    """Subject, customer name or order number."""
    snippet: str
    """Text around the first match, the match in [brackets]."""
    score: float
    """Lower is better (bm25); 0.0 for fallback hits (ordered newest first)."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    mode: Mode
    hits: list[SearchHit] = field(default_factory=list)
    indexing: bool = False
    """The full-text index is being built (initial sync): only the newest rows were scanned."""

    @property
    def conversation_ids(self) -> list[str]:
        """Conversation ids of the hits, best first, without repeats."""
        seen: dict[str, None] = {}
        for hit in self.hits:
            if hit.conversation_id is not None:
                seen.setdefault(hit.conversation_id, None)
        return list(seen)


def terms_of(query: str) -> list[str]:
    return [t for t in query.replace('"', " ").split() if t]


def _fts_expr(terms: Iterable[str]) -> str:
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def snippet(body: str | None, terms: Sequence[str], context: int = SNIPPET_CONTEXT) -> str:
    if not body:
        return ""
    lower = body.lower()
    for term in terms:
        at = lower.find(term.lower())
        if at >= 0:
            start = max(at - context, 0)
            end = min(at + len(term) + context, len(body))
            return (
                ("…" if start else "")
                + body[start:at]
                + "["
                + body[at : at + len(term)]
                + "]"
                + body[at + len(term) : end]
                + ("…" if end < len(body) else "")
            )
    return body[: 2 * context] + ("…" if len(body) > 2 * context else "")


def _likes(columns: Sequence[str], short: Sequence[str], params: dict[str, Any]) -> str:
    """SQL requiring every short term in one of `columns` (and binding the patterns)."""
    parts = []
    for n, term in enumerate(short):
        params[f"s{n}"] = _like(term)
        parts.append("(" + " OR ".join(f"{c} LIKE :s{n} ESCAPE '\\'" for c in columns) + ")")
    return " AND ".join(parts) if parts else "1"


# --- messages ---------------------------------------------------------------------------


def _messages(
    session: Session, long: list[str], short: list[str], limit: int, fts_window: int, fallback_window: int
) -> list[SearchHit]:
    params: dict[str, Any] = {"limit": limit}
    if long:
        params.update(q=_fts_expr(long), w=fts_window)
        sql = f"""
            SELECT m.id, m.conversation_id, m.subject, m.body, f.score
            FROM (SELECT rowid, bm25(messages_fts) AS score FROM messages_fts
                  WHERE messages_fts MATCH :q ORDER BY rowid DESC LIMIT :w) AS f
            JOIN messages AS m ON m.rowid = f.rowid
            WHERE {_likes(("m.body", "m.subject"), short, params)}
            ORDER BY f.score, m.sent_at DESC LIMIT :limit"""
    else:
        params["w"] = fallback_window
        sql = f"""
            SELECT id, conversation_id, subject, body, 0.0
            FROM (SELECT id, conversation_id, subject, body, sent_at FROM messages
                  ORDER BY sent_at DESC LIMIT :w)
            WHERE {_likes(("body", "subject"), short, params)}
            LIMIT :limit"""
    terms = long + short
    return [
        SearchHit(
            kind="message",
            id=id_,
            conversation_id=conv,
            customer_id=None,
            title=subject or "",
            snippet=snippet(body, terms) or snippet(subject, terms),
            score=float(score),
        )
        for id_, conv, subject, body, score in session.execute(text(sql), params)
    ]


# --- customers and orders ---------------------------------------------------------------


def _fts_rows(
    session: Session,
    fts: str,
    table: str,
    select_cols: str,
    like_cols: Sequence[str],
    order_col: str,
    long: list[str],
    short: list[str],
    limit: int,
    fts_window: int,
    fallback_window: int,
) -> list[tuple[Any, ...]]:
    params: dict[str, Any] = {"limit": limit}
    if long:
        params.update(q=_fts_expr(long), w=fts_window)
        sql = f"""
            SELECT {select_cols}, f.score
            FROM (SELECT rowid, bm25({fts}) AS score FROM {fts}
                  WHERE {fts} MATCH :q ORDER BY rowid DESC LIMIT :w) AS f
            JOIN {table} AS t ON t.rowid = f.rowid
            WHERE {_likes([f"t.{c}" for c in like_cols], short, params)}
            ORDER BY f.score LIMIT :limit"""
    else:
        params["w"] = fallback_window
        sql = f"""
            SELECT {select_cols}, 0.0
            FROM (SELECT * FROM {table} ORDER BY {order_col} DESC LIMIT :w) AS t
            WHERE {_likes([f"t.{c}" for c in like_cols], short, params)}
            LIMIT :limit"""
    return list(session.execute(text(sql), params))


def _latest_conversation(session: Session, column: str, value: str | None) -> str | None:
    if value is None:
        return None
    found = session.execute(
        text(
            f"SELECT id FROM conversations WHERE {column} = :v "
            "ORDER BY last_message_at DESC LIMIT 1"
        ),
        {"v": value},
    ).scalar()
    return None if found is None else str(found)


def _customers(
    session: Session, long: list[str], short: list[str], limit: int, fts_window: int, fallback_window: int
) -> list[SearchHit]:
    args = (long, short, limit, fts_window, fallback_window)
    by_name = _fts_rows(
        session, "customers_fts", "customers", "t.id, t.display_name, t.display_name",
        ("display_name",), "rowid", *args,
    )
    by_handle = _fts_rows(
        session, "identities_fts", "identities", "t.customer_id, t.handle, NULL",
        ("handle",), "rowid", *args,
    )
    best: dict[str, tuple[float, str, str | None]] = {}
    for cid, matched, name, score in [*by_name, *by_handle]:
        if cid is None:
            continue
        if cid not in best or score < best[cid][0]:
            best[cid] = (float(score), matched or "", name or best.get(cid, (0.0, "", None))[2])
    hits = []
    for cid, (score, matched, name) in sorted(best.items(), key=lambda kv: kv[1][0])[:limit]:
        if name is None:
            name = session.execute(
                text("SELECT display_name FROM customers WHERE id = :i"), {"i": cid}
            ).scalar()
        hits.append(
            SearchHit(
                kind="customer",
                id=cid,
                conversation_id=_latest_conversation(session, "customer_id", cid),
                customer_id=cid,
                title=str(name or ""),
                snippet=snippet(matched, long + short),
                score=score,
            )
        )
    return hits


def _orders(
    session: Session, long: list[str], short: list[str], limit: int, fts_window: int, fallback_window: int
) -> list[SearchHit]:
    args = (long, short, limit, fts_window, fallback_window)
    by_no = _fts_rows(
        session, "orders_fts", "orders", "t.id, t.order_no", ("order_no",), "placed_at", *args
    )
    by_item = _fts_rows(
        session, "order_items_fts", "order_items", "t.order_id, t.title", ("title",), "rowid", *args
    )
    best: dict[str, tuple[float, str]] = {}
    for oid, matched, score in [*by_no, *by_item]:
        if oid is not None and (oid not in best or score < best[oid][0]):
            best[oid] = (float(score), matched or "")
    hits = []
    for oid, (score, matched) in sorted(best.items(), key=lambda kv: kv[1][0])[:limit]:
        order = session.execute(
            text("SELECT order_no, customer_id FROM orders WHERE id = :i"), {"i": oid}
        ).first()
        order_no, customer_id = (order[0], order[1]) if order is not None else ("", None)
        conv = _latest_conversation(session, "order_id", oid) or _latest_conversation(
            session, "customer_id", customer_id
        )
        hits.append(
            SearchHit(
                kind="order",
                id=oid,
                conversation_id=conv,
                customer_id=customer_id,
                title=str(order_no or ""),
                snippet=snippet(matched, long + short),
                score=score,
            )
        )
    return hits


def search(
    db: CacheDatabase,
    query: str,
    *,
    kinds: Sequence[Kind] = ALL_KINDS,
    limit: int = DEFAULT_LIMIT,
    fts_window: int = FTS_WINDOW,
    fallback_window: int = FALLBACK_WINDOW,
) -> SearchResult:
    """Search the cache. Hits come grouped: customers, then orders, then messages (the precise
    kinds first), each group best first; at most `limit` hits in all."""
    terms = terms_of(query)
    if not terms:
        return SearchResult(query=query, mode="empty")
    long = [t for t in terms if len(t) >= 3]
    short = [t for t in terms if len(t) < 3]
    finders = {"customer": _customers, "order": _orders, "message": _messages}
    hits: list[SearchHit] = []
    with db.read() as session:
        indexing = search_index_deferred(session)
        if indexing:  # the FTS index is not there yet: scan, for every term
            long, short = [], long + short
        mode: Mode = "fts" if long else "fallback"
        for kind in ALL_KINDS:
            if kind in kinds and len(hits) < limit:
                hits += finders[kind](
                    session, long, short, limit - len(hits), fts_window, fallback_window
                )
    return SearchResult(query=query, mode=mode, hits=hits, indexing=indexing)
