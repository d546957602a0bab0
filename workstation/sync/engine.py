"""The sync engine: push the outbox, pull pages of changes, report state. No Qt here.

One *round* (`SyncEngine.run_once`), per ARCHITECTURE.md "Sync protocol":

1. **Push** the outbox in mutation-id order, in batches of at most 500. ``applied`` and
   ``duplicate`` acknowledge (the entry is dropped); ``rejected`` is recorded with the server's
   code and reason and does not block the queue; ``gap`` stops the batch and the next batch
   starts again from the server's ``last_applied`` + 1. A transient failure (network, 5xx,
   busy) stops pushing and keeps every entry for the next round.
2. **Pull** pages until ``has_more`` is false; each page and its cursor are applied in one
   local transaction. Pending local mutations stay in the outbox (the services re-apply them
   optimistically on top of the server state).
3. A "resync required" answer (409 ``resync-required`` / 410) makes a full resync: the unsent
   outbox is kept, synced rows and the cursor are dropped, and pulling starts over.

State goes to ``on_state(SyncStatus(...))`` — from whichever thread runs the round; a UI must
marshal it to its own thread. `start()` runs rounds on a background thread: at start, on a
polling timer, on `poke()` (after local writes), on live SSE hints and reconnects (``live=True``,
see `workstation.sync.live`), and with backoff while offline.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Literal, Protocol, TypeVar, cast

from pydantic import ValidationError

from workstation.store import outbox
from workstation.store import state as store_state
from workstation.store import tables as store_tables
from workstation.store.apply import (
    BulkLoader,
    apply_pull_page,
    begin_bulk_load,
    bulk_load_pending,
    finish_bulk_load,
)
from workstation.store.db import CacheDatabase
from workstation.store.timefmt import from_ts, to_ts
from workstation.sync.api import ApiClient, ApiError, Session
from workstation.sync.live import LiveHints
from workstation.sync.protocol import (
    MAX_MUTATIONS_PER_PUSH,
    Change,
    Mutation,
    PullResponse,
    PushResponse,
)
from workstation.sync.transport import RetryPolicy

log = logging.getLogger("workstation.sync.engine")

OFFLINE_BACKOFF = RetryPolicy(base=1.0, cap=60.0)
"""Pauses between timed rounds while the server is unreachable (never beyond the poll interval)."""

State = Literal["online", "offline", "syncing", "error"]
Clock = Callable[[], datetime]


@dataclass(frozen=True, kw_only=True, slots=True)
class SyncStatus:
    state: State
    pending: int
    last_sync_at: datetime | None
    message: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class RoundResult:
    pulled: int
    pushed: int
    rejected: int
    pending: int
    cursor: str | None
    state: State = "online"
    message: str = ""

    def summary(self) -> dict[str, Any]:
        """The five numbers the CLI prints."""
        return {
            "pulled": self.pulled,
            "pushed": self.pushed,
            "rejected": self.rejected,
            "pending": self.pending,
            "cursor": self.cursor,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class PendingMutation:
    mutation_id: int
    name: str
    args: dict[str, Any]
    schema_version: int = 1
    created_at: datetime | None = None

    def to_wire(self) -> Mutation:
        return Mutation(
            mutation_id=self.mutation_id,
            name=self.name,
            args=self.args,
            schema_version=self.schema_version,
            created_at=self.created_at,
        )


class SyncCache(Protocol):
    """What the engine needs from the local cache (see `workstation.sync.storecache`)."""

    def pending(self, limit: int) -> Sequence[PendingMutation]:
        """Unsent mutations (not acknowledged, not rejected), lowest id first."""
        ...

    def pending_count(self) -> int: ...

    def acknowledge(self, mutation_ids: Sequence[int]) -> None:
        """The server applied these (or had already): drop them."""
        ...

    def reject(self, mutation_id: int, code: str, reason: str) -> None: ...

    def note_failure(self, mutation_ids: Sequence[int], error: str) -> None:
        """A push of these failed transiently; they stay pending."""
        ...

    def cursor(self) -> str | None: ...

    def apply_page(self, changes: Sequence[Change], cursor: str, last_applied_mutation_id: int) -> None:
        """Apply one page and save its cursor in one local transaction. With the real
        `ApiClient` the changes arrive as plain ``{"entity", "id", "seq", "data"}`` dicts
        (see `_raw_pull`); with any other API, as that API returns them."""
        ...

    def last_sync_at(self) -> datetime | None: ...

    def mark_synced(self, at: datetime) -> None: ...

    def reset_for_resync(self) -> None:
        """Keep the outbox; drop synced rows and the cursor so the next pull starts over."""
        ...


class SyncApi(Protocol):
    def push(self, client_id: str, mutations: Sequence[Mutation]) -> PushResponse: ...

    def pull(self, *, cursor: str | None, limit: int, client_id: str | None = None) -> PullResponse: ...


T = TypeVar("T")


class _Stop(Exception):
    """Ends a round early with a state for the UI."""

    def __init__(self, state: State, message: str) -> None:
        super().__init__(message)
        self.state = state
        self.message = message


def _describe(exc: ApiError) -> tuple[State, str]:
    if exc.is_network:
        return "offline", f"server unreachable: {exc.detail or exc.title}"
    if exc.is_auth:
        return "error", f"signed out: {exc.detail or exc.title} — sign in again"
    if exc.is_transient:
        return "offline", f"server busy or failing ({exc.status} {exc.title}); will retry"
    return "error", str(exc)


@dataclass(frozen=True, slots=True)
class _RawPage:
    """A pull page as plain JSON: changes are ``{"entity", "id", "seq", "data"}`` dicts."""

    changes: list[dict[str, Any]]
    cursor: str
    has_more: bool
    last_applied_mutation_id: int


def _entity(change: Change | Mapping[str, Any]) -> str:
    return str(change["entity"]) if isinstance(change, Mapping) else change.entity


def _raw_pull(api: ApiClient, *, cursor: str | None, limit: int, client_id: str | None) -> PullResponse | _RawPage:
    """``GET /sync/pull`` like `ApiClient.pull`, with the same errors, but the changes stay
    dicts. Anything a quick shape check does not accept goes through pydantic as before."""
    params: dict[str, str | int] = {"limit": limit}
    if cursor:
        params["cursor"] = cursor
    if client_id:
        params["client_id"] = client_id
    body = api._request("GET", "/sync/pull", params=params)
    if isinstance(body, dict):
        changes = body.get("changes")
        cur, more, last = body.get("cursor"), body.get("has_more"), body.get("last_applied_mutation_id")
        if (
            type(changes) is list
            and type(cur) is str
            and type(more) is bool
            and type(last) is int
            and all(
                type(c) is dict
                and type(c.get("entity")) is str
                and type(c.get("id")) is str
                and type(c.get("seq")) is int
                and type(c.get("data")) is dict
                for c in changes
            )
        ):
            return _RawPage(changes=changes, cursor=cur, has_more=more, last_applied_mutation_id=last)
    try:
        return PullResponse.model_validate(body)
    except ValidationError as exc:
        raise ApiError(200, "Invalid response", f"pull answer: {exc}") from exc


class SyncEngine:
    """Push/pull rounds over one cache for one installation (``client_id``)."""

    def __init__(
        self,
        *,
        api: SyncApi | ApiClient,
        cache: SyncCache | CacheDatabase,
        client_id: str,
        clock: Clock,
        on_state: Callable[[SyncStatus], None] | None = None,
        page_size: int = 1000,
        push_batch: int = MAX_MUTATIONS_PER_PUSH,
        poll_interval: float = 30.0,
        offline_backoff: RetryPolicy = OFFLINE_BACKOFF,
        rand: Callable[[], float] = random.random,
        on_session: Callable[[Session], None] | None = None,
        live: bool = False,
        on_changes: Callable[[frozenset[str]], None] | None = None,
    ) -> None:
        """``on_session`` gets the new session after the engine refreshed an expired sign-in
        (store its refresh token, e.g. in `credentials.TokenStore`). ``live``: while started,
        listen to the server's SSE hints (needs an `ApiClient`) and run a round on each.
        ``on_changes`` gets the entity (table) names of each applied page, so views can
        refresh and pending mutations can be re-applied on top."""
        if not 1 <= push_batch <= MAX_MUTATIONS_PER_PUSH:
            raise ValueError(f"push_batch must be from 1 to {MAX_MUTATIONS_PER_PUSH}")
        self.api = api
        self.cache: SyncCache = StoreCache(cache) if isinstance(cache, CacheDatabase) else cache
        self.client_id = client_id
        self.clock = clock
        self._listeners: list[Callable[[SyncStatus], None]] = [on_state] if on_state else []
        self.page_size = page_size
        self.push_batch = push_batch
        self.poll_interval = poll_interval
        self.offline_backoff = offline_backoff
        self._rand = rand
        self._round_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._status: SyncStatus | None = None
        self._offline_rounds = 0
        self._on_session = on_session
        self._refreshed = False
        self._want_live = live
        self._on_changes = on_changes
        self.live: LiveHints | None = None

    # -- state ------------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[SyncStatus], None]) -> None:
        self._listeners.append(listener)

    @property
    def status(self) -> SyncStatus | None:
        return self._status

    def _report(self, state: State, message: str = "") -> None:
        status = SyncStatus(
            state=state,
            pending=self.cache.pending_count(),
            last_sync_at=self.cache.last_sync_at(),
            message=message,
        )
        self._status = status
        for listener in list(self._listeners):
            try:
                listener(status)
            except Exception:  # a listener's bug must not stop syncing
                log.exception("sync state listener failed")

    # -- one round --------------------------------------------------------------------------

    def run_once(self) -> RoundResult:
        """Push the outbox, then pull until up to date. Never raises for network or server
        trouble: the result's ``state`` says how it went."""
        with self._round_lock:
            self._report("syncing")
            counts = {"pushed": 0, "rejected": 0, "pulled": 0}
            state: State = "online"
            message = ""
            self._refreshed = False
            try:
                self._push(counts)
                self._pull(counts)
                self.cache.mark_synced(self.clock())
            except _Stop as stop:
                state, message = stop.state, stop.message
            except Exception as exc:  # a bug or a local failure: keep the thread alive
                log.exception("sync round failed")
                state, message = "error", f"sync failed: {exc}"
            self._offline_rounds = self._offline_rounds + 1 if state == "offline" else 0
            self._report(state, message)
            return RoundResult(
                pulled=counts["pulled"],
                pushed=counts["pushed"],
                rejected=counts["rejected"],
                pending=self.cache.pending_count(),
                cursor=self.cache.cursor(),
                state=state,
                message=message,
            )

    def _call(self, request: Callable[[], T]) -> T:
        """Run a request; on an expired sign-in refresh the session once per round and retry."""
        try:
            return request()
        except ApiError as exc:
            if not exc.is_auth or self._refreshed or not isinstance(self.api, ApiClient):
                raise
            session = self.api.session
            if session is None or not session.refresh_token:
                raise
            self._refreshed = True
            try:
                fresh = self.api.refresh()
            except ApiError as refresh_error:
                if refresh_error.is_network or refresh_error.is_transient:
                    raise refresh_error from exc
                raise exc from refresh_error  # the refresh token is no good either: sign in
            log.info("the sign-in expired and was refreshed")
            if self._on_session is not None:
                self._on_session(fresh)
            return request()

    def _push(self, counts: dict[str, int]) -> None:
        while True:
            batch = list(self.cache.pending(self.push_batch))
            if not batch:
                return
            try:
                wire = [m.to_wire() for m in batch]
                answer = self._call(partial(self.api.push, self.client_id, wire))
            except ApiError as exc:
                state, message = _describe(exc)
                self.cache.note_failure([m.mutation_id for m in batch], message)
                raise _Stop(state, message) from exc
            acked: list[int] = []
            gap = False
            for outcome in answer.results:
                if outcome.status in ("applied", "duplicate"):
                    acked.append(outcome.mutation_id)
                elif outcome.status == "rejected":
                    if acked:
                        self.cache.acknowledge(acked)
                        counts["pushed"] += len(acked)
                        acked = []
                    self.cache.reject(
                        outcome.mutation_id, outcome.code or "rejected", outcome.reason or "refused by the server"
                    )
                    counts["rejected"] += 1
                else:  # gap: an earlier id is missing on the server
                    gap = True
                    break
            if acked:
                self.cache.acknowledge(acked)
                counts["pushed"] += len(acked)
            handled = len(answer.results) - (1 if gap else 0)
            if gap:
                first = batch[0].mutation_id
                if handled == 0:  # no progress possible: first > the server's last_applied + 1
                    # The server misses ids we no longer hold (e.g. its database was restored).
                    raise _Stop(
                        "error",
                        f"the server has applied changes up to #{answer.last_applied} but this "
                        f"computer's next unsent change is #{first}; a full resync is needed",
                    )
                continue  # resend from the server's last_applied + 1
            if handled < len(batch):
                # The server stopped the batch (a transient failure there): try again later.
                message = "the server could not apply every change; will retry"
                self.cache.note_failure([m.mutation_id for m in batch[handled:]], message)
                raise _Stop("offline", message)
            if len(batch) < self.push_batch:
                return

    def _fetch(self, cursor: str | None) -> PullResponse | _RawPage:
        """One pull page. From the real `ApiClient`, the JSON is taken as plain dicts (checked,
        not turned into a pydantic model per change: pages are big); any other API as is."""
        api = self.api
        if type(api) is ApiClient and "pull" not in vars(api):
            return _raw_pull(api, cursor=cursor, limit=self.page_size, client_id=self.client_id)
        return api.pull(cursor=cursor, limit=self.page_size, client_id=self.client_id)

    def _pull(self, counts: dict[str, int]) -> None:
        """Pull pages until ``has_more`` is false. While page N is applied, page N+1 is already
        being fetched (one prefetch thread; its cursor is page N's, which apply_page stores).

        An initial sync (no cursor, more than one page) is a *bulk load*: the cache's indexes
        are deferred and built once when the pull completes (`store.apply.BulkLoader`). A
        round that finds a bulk load cut short (the process died, or a round stopped) resumes
        it in the same mode from the saved cursor; only a completed pull builds the indexes."""
        resynced = False
        cursor = self.cache.cursor()
        pool: ThreadPoolExecutor | None = None
        ahead: Future[PullResponse | _RawPage] | None = None
        self._bulk("resume_bulk_load")
        try:
            while True:
                try:
                    if ahead is not None:
                        page, ahead = ahead.result(), None
                    else:
                        page = self._call(partial(self._fetch, cursor))
                except ApiError as exc:
                    if exc.is_resync_required and not resynced:
                        log.warning("the server asks for a full resync: %s", exc)
                        self.cache.reset_for_resync()
                        resynced = True
                        cursor = self.cache.cursor()
                        continue
                    raise _Stop(*_describe(exc)) from exc
                if page.has_more:
                    if not cursor:
                        self._bulk("begin_bulk_load")
                    if pool is None:
                        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-prefetch")
                    ahead = pool.submit(self._call, partial(self._fetch, page.cursor))
                changes = cast(Sequence[Change], page.changes)  # dicts from `_raw_pull`: see SyncCache
                self.cache.apply_page(changes, page.cursor, page.last_applied_mutation_id)
                counts["pulled"] += len(page.changes)
                if page.changes and self._on_changes is not None:
                    try:
                        self._on_changes(frozenset(_entity(c) for c in page.changes))
                    except Exception:
                        log.exception("sync change listener failed")
                if not page.has_more:
                    break
                cursor = page.cursor
            seconds = self._bulk("finish_bulk_load")
            if seconds:
                log.info("indexes built after the bulk load in %.1f s", seconds)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            self._bulk("close_bulk_load")

    def _bulk(self, step: str) -> float:
        """A bulk-load step of the cache, if it has them (test fakes need not)."""
        method = getattr(self.cache, step, None)
        return float(method() or 0.0) if method is not None else 0.0

    # -- background -------------------------------------------------------------------------

    def poke(self) -> None:
        """Run a round soon (after a local write, a live hint or a reconnect)."""
        self._wake.set()

    def start(self) -> None:
        """Run rounds on a background thread until `stop()`; the first one right away."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._wake.set()
        self._thread = threading.Thread(target=self._loop, name="sync-engine", daemon=True)
        self._thread.start()
        if self._want_live and isinstance(self.api, ApiClient):
            # A (re)connect pokes too: hints may have been missed while the stream was down.
            self.live = LiveHints(api=self.api, on_hint=lambda _seq: self.poke(), on_connect=self.poke)
            self.live.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        live, self.live = self.live, None
        if live is not None:
            live.stop()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def next_delay(self) -> float:
        """Seconds until the next timed round: the poll interval, or backoff while offline."""
        if self._offline_rounds:
            delay = self.offline_backoff.backoff(self._offline_rounds - 1, self._rand)
            return min(self.poll_interval, max(self.offline_backoff.base / 2, delay))
        return self.poll_interval

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.next_delay())
            if self._stopping.is_set():
                return
            self._wake.clear()
            self.run_once()


class StoreCache:
    """`SyncCache` over the real local cache (`workstation.store`)."""

    def __init__(self, db: CacheDatabase) -> None:
        self.db = db
        self._loader: BulkLoader | None = None

    def pending(self, limit: int) -> Sequence[PendingMutation]:
        return [
            PendingMutation(
                mutation_id=e.mutation_id,
                name=e.name,
                args=dict(e.args),
                schema_version=e.schema_version,
                created_at=from_ts(e.created_at),
            )
            for e in outbox.pending(self.db, limit=limit)
        ]

    def pending_count(self) -> int:
        return outbox.counts(self.db)["pending"]

    def rejected_count(self) -> int:
        return outbox.counts(self.db)["rejected"]

    def acknowledge(self, mutation_ids: Sequence[int]) -> None:
        if mutation_ids:
            outbox.mark_acknowledged(self.db, max(mutation_ids))

    def reject(self, mutation_id: int, code: str, reason: str) -> None:
        outbox.mark_rejected(self.db, mutation_id, code, reason)

    def note_failure(self, mutation_ids: Sequence[int], error: str) -> None:
        outbox.note_attempt(self.db, list(mutation_ids), error)

    def cursor(self) -> str | None:
        with self.db.read() as session:
            return store_state.get(session, store_state.CURSOR) or None

    def apply_page(self, changes: Sequence[Change], cursor: str, last_applied_mutation_id: int) -> None:
        # apply_pull_page reads fields by name from mappings or objects: no copy of the page.
        rows = cast(Sequence[Mapping[str, Any]], changes)
        if self._loader is not None:
            self._loader.apply_page(rows, cursor, last_applied_mutation_id=last_applied_mutation_id)
        else:
            apply_pull_page(self.db, rows, cursor, last_applied_mutation_id=last_applied_mutation_id)

    def last_sync_at(self) -> datetime | None:
        with self.db.read() as session:
            return from_ts(store_state.get(session, store_state.LAST_SYNC_AT))

    def mark_synced(self, at: datetime) -> None:
        with self.db.write() as session:
            store_state.put(session, store_state.LAST_SYNC_AT, to_ts(at))

    # -- bulk loads (see store.apply.BulkLoader) ---------------------------------------------

    def begin_bulk_load(self) -> None:
        """A big load starts: defer the indexes, write pages over the bulk connection."""
        with self.db.write() as session:
            begin_bulk_load(session)
        self._open_loader()

    def resume_bulk_load(self) -> bool:
        """At the start of a pull: a bulk load cut short (e.g. the process was killed) goes on
        in the same mode. Returns True if one was pending."""
        with self.db.read() as session:
            pending = bulk_load_pending(session)
        if pending:
            self._open_loader()
        return pending

    def finish_bulk_load(self) -> float:
        """After a complete pull: build the deferred indexes (no-op when none are)."""
        if self._loader is not None:
            return self._loader.finish()
        return finish_bulk_load(self.db)

    def close_bulk_load(self) -> None:
        """End of a pull, complete or not: let go of the bulk connection (indexes stay
        deferred until a pull completes)."""
        loader, self._loader = self._loader, None
        if loader is not None:
            loader.close()

    def _open_loader(self) -> None:
        if self._loader is None:
            self._loader = BulkLoader(self.db)

    def reset_for_resync(self) -> None:
        """Drop every synced row and the cursor in one transaction; the outbox stays. The
        indexes are deferred first (the full-text ones emptied at once: far cheaper than
        deleting row by row) and built after the full pull, which runs as a bulk load."""
        self.close_bulk_load()
        keep = {store_tables.outbox.name, store_tables.sync_state.name}
        with self.db.write() as session:
            begin_bulk_load(session, clear=True)
            for table in reversed(store_tables.metadata.sorted_tables):
                if table.name not in keep:
                    session.execute(table.delete())
            store_state.put(session, store_state.CURSOR, "")
            store_state.put(session, store_state.SERVER_LAST_APPLIED, 0)
