"""Carries the sync engine's callbacks (made on its background thread) to the UI thread.

The bridge lives on the UI thread; `status()` and `changes()` may be called from any thread
and only emit signals, which Qt queues to the UI thread. No widget is touched here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal


class SyncBridge(QObject):
    status_changed = Signal(object)  # workstation.sync.engine.SyncStatus
    changed = Signal(object)  # frozenset of entity names
    screen_pop = Signal(dict)  # call_id, caller_masked, customer_id, agent

    def status(self, status: Any) -> None:  # any thread
        self.status_changed.emit(status)

    def changes(self, entities: frozenset[str]) -> None:  # any thread
        self.changed.emit(frozenset(entities))

    def hint(self, event: Any) -> None:  # any thread (the live-hints listener)
        from workstation.sync.live import screen_pop_of

        pop = screen_pop_of(event)
        if pop is not None:
            self.screen_pop.emit(pop)

    def event(self, event: Any) -> bool:  # type: ignore[override]
        """Qt's own events go to QObject; anything else is a live hint (older callers)."""
        if isinstance(event, QEvent):
            return super().event(event)
        self.hint(event)
        return True
