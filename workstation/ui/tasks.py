"""Background operations whose results come back on the UI thread.

    runner.run_in_background(fetch, on_success=show, on_failure=report)

`fetch` runs on a worker thread of a QThreadPool and must never touch widgets. Its return
value (or the exception it raised) travels back through a queued signal to `TaskRunner`,
which lives on the UI thread and calls `on_success(result)` or `on_failure(exc)` there.
`cancel_all()` forgets pending callbacks (used when a window goes away), so a late answer
never lands on a deleted widget.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import Shiboken

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[BaseException], None]


class _Job(QRunnable):
    def __init__(self, runner: TaskRunner, task_id: int, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._runner = runner
        self._task_id = task_id
        self._fn = fn
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        try:
            result: Any = self._fn()
            ok = True
        except BaseException as exc:  # noqa: BLE001 - handed to on_failure on the UI thread
            result, ok = exc, False
        try:
            self._runner._finished.emit(self._task_id, ok, result)
        except RuntimeError:  # the runner was deleted while we worked; nobody is listening
            pass


class TaskRunner(QObject):
    """Runs callables off the UI thread; lives on (and calls back on) the UI thread."""

    _finished = Signal(int, bool, object)
    busy_changed = Signal(int)  # number of operations still running

    # Two workers: the desk's reads are Python-heavy (they share one interpreter lock with
    # the UI thread) and each worker holds its own SQLite connection, page cache and memory
    # map of the cache; more workers made the UI wait longer and the desk ~80 MB bigger.
    def __init__(self, *, max_threads: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[SuccessCallback | None, FailureCallback | None]] = {}
        self._owners: dict[int, QObject] = {}
        self._finished.connect(self._deliver)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def run_in_background(
        self,
        fn: Callable[[], Any],
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        *,
        owner: QObject | None = None,
        priority: int = 0,
    ) -> int:
        """Start `fn` on a worker thread; returns an id usable with `cancel()`. With `owner`,
        the callbacks are dropped once that object is gone (a closed window, a deleted model).
        While the workers are busy, a higher `priority` starts first (what the agent waits
        for on screen before what fills in around it)."""
        task_id = next(self._ids)
        self._pending[task_id] = (on_success, on_failure)
        if owner is not None:
            self._owners[task_id] = owner
        self._pool.start(_Job(self, task_id, fn), priority)
        self.busy_changed.emit(len(self._pending))
        return task_id

    def cancel(self, task_id: int) -> None:
        """Forget the callbacks of one operation (the work itself still finishes)."""
        self._owners.pop(task_id, None)
        if self._pending.pop(task_id, None) is not None:
            self.busy_changed.emit(len(self._pending))

    def cancel_all(self) -> None:
        self._pending.clear()
        self._owners.clear()
        self.busy_changed.emit(0)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the workers are idle (shutdown and tests only)."""
        return self._pool.waitForDone(msecs)

    @Slot(int, bool, object)
    def _deliver(self, task_id: int, ok: bool, result: object) -> None:
        callbacks = self._pending.pop(task_id, None)
        owner = self._owners.pop(task_id, None)
        if callbacks is None:
            return
        if owner is not None and not Shiboken.isValid(owner):
            self.busy_changed.emit(len(self._pending))
            return
        self.busy_changed.emit(len(self._pending))
        on_success, on_failure = callbacks
        if ok:
            if on_success is not None:
                on_success(result)
        elif on_failure is not None:
            assert isinstance(result, BaseException)
            on_failure(result)
        else:
            log.error("background operation failed", exc_info=result)  # type: ignore[arg-type]
