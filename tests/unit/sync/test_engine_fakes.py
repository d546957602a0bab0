"""In-memory stand-ins for the cache and the server, for engine unit tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workstation.sync.api import ApiError
from workstation.sync.engine import PendingMutation
from workstation.sync.protocol import (
    Change,
    Mutation,
    MutationOutcome,
    PullResponse,
    PushResponse,
    decode_cursor,
    encode_cursor,
)


@dataclass
class FakeCache:
    outbox: dict[int, PendingMutation] = field(default_factory=dict)
    rejected: dict[int, tuple[str, str]] = field(default_factory=dict)
    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    saved_cursor: str | None = None
    server_last_applied: int = 0
    synced_at: datetime | None = None
    next_id: int = 1
    resyncs: int = 0
    pages: int = 0
    failures: dict[int, int] = field(default_factory=dict)

    def add(self, name: str, **args: Any) -> int:
        mid = self.next_id
        self.next_id += 1
        self.outbox[mid] = PendingMutation(mutation_id=mid, name=name, args=args)
        return mid

    def pending(self, limit: int) -> Sequence[PendingMutation]:
        return [self.outbox[k] for k in sorted(self.outbox)][:limit]

    def pending_count(self) -> int:
        return len(self.outbox)

    def acknowledge(self, mutation_ids: Sequence[int]) -> None:
        for mid in mutation_ids:
            self.outbox.pop(mid, None)

    def reject(self, mutation_id: int, code: str, reason: str) -> None:
        self.outbox.pop(mutation_id, None)
        self.rejected[mutation_id] = (code, reason)

    def note_failure(self, mutation_ids: Sequence[int], error: str) -> None:
        for mid in mutation_ids:
            self.failures[mid] = self.failures.get(mid, 0) + 1

    def cursor(self) -> str | None:
        return self.saved_cursor

    def apply_page(self, changes: Sequence[Change], cursor: str, last_applied_mutation_id: int) -> None:
        for c in changes:
            self.rows[(c.entity, c.id)] = c.data
        self.saved_cursor = cursor
        self.server_last_applied = last_applied_mutation_id
        self.pages += 1

    def last_sync_at(self) -> datetime | None:
        return self.synced_at

    def mark_synced(self, at: datetime) -> None:
        self.synced_at = at

    def reset_for_resync(self) -> None:
        self.rows.clear()
        self.saved_cursor = None
        self.resyncs += 1


Handler = Callable[[Mutation], MutationOutcome | None]


@dataclass
class FakeServer:
    """The mutation-id rule and a change log, in memory."""

    last_applied: int = 0
    log: list[Change] = field(default_factory=list)
    applied: list[tuple[int, str]] = field(default_factory=list)
    results: dict[int, MutationOutcome] = field(default_factory=dict)
    reject_names: dict[str, str] = field(default_factory=dict)
    down: bool = False
    fail_after_commit: int = 0  # lose this many push replies after committing
    fail_on: set[int] = field(default_factory=set)  # ids that fail transiently (batch stops)
    resync_once: bool = False
    pushes: list[list[int]] = field(default_factory=list)
    pulls: list[str | None] = field(default_factory=list)

    def add_change(self, entity: str, id_: str, **data: Any) -> None:
        self.log.append(Change(entity=entity, id=id_, seq=len(self.log) + 1, data={"id": id_, **data}))

    def push(self, client_id: str, mutations: Sequence[Mutation]) -> PushResponse:
        if self.down:
            raise ApiError(0, "Server unreachable", "connection refused")
        assert len(mutations) <= 500
        self.pushes.append([m.mutation_id for m in mutations])
        out: list[MutationOutcome] = []
        for m in mutations:
            if m.mutation_id <= self.last_applied:
                stored = self.results[m.mutation_id]
                out.append(stored if stored.status == "rejected" else
                           MutationOutcome(mutation_id=m.mutation_id, status="duplicate"))
                continue
            if m.mutation_id > self.last_applied + 1:
                out.append(MutationOutcome(mutation_id=m.mutation_id, status="gap", code="gap",
                                           reason=f"send {self.last_applied + 1} first"))
                break
            if m.mutation_id in self.fail_on:
                self.fail_on.discard(m.mutation_id)
                break
            if m.name in self.reject_names:
                res = MutationOutcome(mutation_id=m.mutation_id, status="rejected", code="nope",
                                      reason=self.reject_names[m.name])
            else:
                res = MutationOutcome(mutation_id=m.mutation_id, status="applied")
                self.applied.append((m.mutation_id, m.name))
                self.add_change("notes", f"n{m.mutation_id}", name=m.name)
            self.results[m.mutation_id] = res
            self.last_applied = m.mutation_id
            out.append(res)
        if self.fail_after_commit:
            self.fail_after_commit -= 1
            raise ApiError(0, "Server unreachable", "connection reset after the request was sent")
        return PushResponse(results=out, last_applied=self.last_applied)

    def pull(self, *, cursor: str | None, limit: int, client_id: str | None = None) -> PullResponse:
        if self.down:
            raise ApiError(0, "Server unreachable", "connection refused")
        self.pulls.append(cursor)
        if self.resync_once and cursor:
            self.resync_once = False
            raise ApiError(409, "Resync required", "start over",
                           type_="https://workstation.invalid/problems/resync-required")
        after = decode_cursor(cursor)
        rest = [c for c in self.log if c.seq > after]
        page = rest[:limit]
        end = page[-1].seq if page else max(after, len(self.log))
        return PullResponse(changes=page, cursor=encode_cursor(end), has_more=len(rest) > limit,
                            last_applied_mutation_id=self.last_applied)
