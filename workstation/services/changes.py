"""What a use case changed (Anki's OpChanges), and the error for bad input."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Key = tuple[str, str]
"""(entity, id): one cached row, e.g. ``("conversations", "0193…")``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OpChanges:
    """What one use case changed, so the UI refreshes just that.

    ``entities``: cache tables written (``"conversations"``, ``"messages"`` …);
    ``ids``: the ids of the rows written; ``mutation_id``: the outbox entry made (None when
    nothing was enqueued); ``created_id``: the id of a record the use case created (a reply's
    message id, a new case's id …), else None.
    """

    entities: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    mutation_id: int | None = None
    created_id: str | None = None

    @classmethod
    def of(
        cls,
        keys: Iterable[Key],
        *,
        mutation_id: int | None = None,
        created_id: str | None = None,
        entities: Iterable[str] = (),
    ) -> OpChanges:
        keys = list(keys)
        return cls(
            entities=frozenset(e for e, _ in keys) | frozenset(entities),
            ids=frozenset(i for _, i in keys),
            mutation_id=mutation_id,
            created_id=created_id,
        )

    def __or__(self, other: OpChanges) -> OpChanges:
        return OpChanges(
            entities=self.entities | other.entities,
            ids=self.ids | other.ids,
            mutation_id=other.mutation_id if other.mutation_id is not None else self.mutation_id,
            created_id=other.created_id if other.created_id is not None else self.created_id,
        )

    @property
    def empty(self) -> bool:
        return not self.entities and not self.ids

    def touches(self, entity: str, id_: str | None = None) -> bool:
        """Whether a view of `entity` (or of one row of it) should refresh."""
        return entity in self.entities and (id_ is None or id_ in self.ids)


class ServiceError(ValueError):
    """Bad input to a use case: ``field`` names the offending argument (as the UI calls it),
    ``message`` says why. Nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
