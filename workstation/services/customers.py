"""Duplicate customers for the desk: the server's merge suggestions (the same person reached
us on two channels) and the merge itself.

Merging is online only: it is not an outbox mutation but a server route (``POST
/customers/{id}/merge``), because it joins two people's histories and is hard to undo — the
server checks the role and audits it. The moved rows reach the local cache through the next
pull (`on_merged` asks for it at once). No Qt here; call from background operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from workstation.domain.enums import Role
from workstation.services.changes import OpChanges, ServiceError

# The server's rule (workstation/server/routes/customers_merge.py): only team leads and admins
# merge; every staff role may see the suggestions.
MERGE_ROLES = frozenset({Role.TEAM_LEAD.value, Role.ADMIN.value})
SUGGESTION_ROLES = frozenset(
    {Role.AGENT.value, Role.SENIOR_AGENT.value, Role.TEAM_LEAD.value, Role.ADMIN.value}
)
REASONS = ("phone", "email", "name")
# The tables whose rows move to the kept customer (what the desk should refresh).
MERGED_ENTITIES = frozenset(
    {"customers", "identities", "orders", "order_items", "conversations", "cases", "calls",
     "compensation_offers", "surveys", "work_orders"}
)  # fmt: skip


class MergeApi(Protocol):
    def merge_suggestions(self, customer_id: str) -> list[dict[str, Any]]: ...
    def merge_customers(self, keep_id: str, duplicate_id: str) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class MergeSuggestion:
    customer_id: str
    display_name: str
    phone: str | None
    reasons: tuple[str, ...]
    created_at: str

    @property
    def strong(self) -> bool:
        """A shared phone number or e-mail address (a shared name alone is weak evidence)."""
        return any(r in ("phone", "email") for r in self.reasons)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> MergeSuggestion:
        reasons = tuple(str(r) for r in data.get("reasons") or () if str(r))
        return cls(
            customer_id=str(data["customer_id"]),
            display_name=str(data.get("display_name") or ""),
            phone=str(data["phone"]) if data.get("phone") else None,
            reasons=reasons,
            created_at=str(data.get("created_at") or ""),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MergeOutcome:
    kept_id: str
    merged_id: str
    moved: dict[str, int]
    changes: OpChanges


def may_merge(role: str) -> bool:
    return role in MERGE_ROLES


class CustomerMerges:
    """Suggestions and merges for one signed-in user. ``api``: the `ApiClient` (or a fake);
    ``on_merged``: called after a merge (e.g. the sync engine's poke, to pull the moved rows)."""

    def __init__(
        self,
        *,
        api: MergeApi,
        role: str,
        on_merged: Callable[[], None] | None = None,
    ) -> None:
        self._api = api
        self.role = str(role)
        self._on_merged = on_merged
        self._dismissed: set[tuple[str, str]] = set()

    @property
    def can_merge(self) -> bool:
        return may_merge(self.role)

    @property
    def can_see(self) -> bool:
        return self.role in SUGGESTION_ROLES

    def suggestions(self, customer_id: str) -> list[MergeSuggestion]:
        """The server's suggestions for this customer, without the ones dismissed here. An
        error (offline, no permission) is raised as it came: the caller shows no banner."""
        if not self.can_see:
            return []
        found = [MergeSuggestion.from_wire(d) for d in self._api.merge_suggestions(customer_id)]
        return [
            s for s in found
            if s.customer_id != customer_id and self._pair(customer_id, s.customer_id) not in self._dismissed
        ]  # fmt: skip

    def dismiss(self, customer_id: str, other_id: str) -> None:
        """Not the same person: stop suggesting this pair (for this session)."""
        self._dismissed.add(self._pair(customer_id, other_id))

    def dismissed(self) -> Iterable[tuple[str, str]]:
        return set(self._dismissed)

    @staticmethod
    def _pair(a: str, b: str) -> tuple[str, str]:
        return (a, b) if a <= b else (b, a)

    def merge(self, *, keep_id: str, duplicate_id: str) -> MergeOutcome:
        """Merge ``duplicate_id`` into ``keep_id`` at the server."""
        if not self.can_merge:
            raise ServiceError("role", "only a team lead or an admin may merge customers")
        if not keep_id or not duplicate_id:
            raise ServiceError("duplicate_id", "give both customers")
        if keep_id == duplicate_id:
            raise ServiceError("duplicate_id", "a customer cannot be merged into itself")
        reply = self._api.merge_customers(keep_id, duplicate_id)
        moved = {str(k): int(v) for k, v in dict(reply.get("moved") or {}).items()}
        if self._on_merged is not None:
            self._on_merged()
        return MergeOutcome(
            kept_id=str(reply.get("kept_id") or keep_id),
            merged_id=str(reply.get("merged_id") or duplicate_id),
            moved=moved,
            changes=OpChanges(entities=MERGED_ENTITIES, ids=frozenset({keep_id, duplicate_id})),
        )
