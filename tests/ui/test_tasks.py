"""Background operations: work off the UI thread, callbacks back on it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread


def test_success_comes_back_on_the_ui_thread(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    ui_thread = QThread.currentThread()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker_is_ui"] = QThread.currentThread() is ui_thread
        seen["worker"] = threading.get_ident()
        return 42

    def done(result: int) -> None:
        seen["result"] = result
        seen["callback_is_ui"] = QThread.currentThread() is ui_thread

    runner.run_in_background(work, on_success=done)
    qtbot.waitUntil(lambda: "result" in seen, timeout=5000)
    assert seen == {
        "worker_is_ui": False,
        "worker": seen["worker"],
        "result": 42,
        "callback_is_ui": True,
    }
    assert seen["worker"] != threading.get_ident()


def test_failure_goes_to_on_failure(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []

    def work() -> None:
        raise ValueError("boom")

    runner.run_in_background(
        work, on_success=lambda _r: errors.append(AssertionError()), on_failure=errors.append
    )
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "boom"


def test_cancelled_callbacks_are_not_called(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    called: list[object] = []
    task = runner.run_in_background(lambda: gate.wait(5), on_success=called.append)
    runner.cancel(task)
    gate.set()
    assert runner.wait(5000)
    qtbot.wait(50)
    assert called == [] and runner.pending == 0


def test_busy_count(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    counts: list[int] = []
    runner.busy_changed.connect(counts.append)
    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda n: n == 0, timeout=5000):
        runner.run_in_background(lambda: None)
    assert counts == [1, 0]
