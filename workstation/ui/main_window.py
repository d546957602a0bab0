"""The main window shell: who is signed in, where, the inbox table and a live status bar.

The window only shows things; the composition root (workstation.app) builds the model and
the task runner and hands them in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QStatusBar,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.ui import labels
from workstation.ui.models.conversation_table import Column, ConversationTableModel

VIEW_KEYS = ("mine", "unassigned", "urgent", "all", "closed")


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def _view_titles() -> dict[str, str]:
    return {
        "mine": _tr("Mine"),
        "unassigned": _tr("Unassigned"),
        "urgent": _tr("Urgent"),
        "all": _tr("All"),
        "closed": _tr("Closed"),
    }


class MainWindow(QMainWindow):
    first_load_finished = Signal()  # once, after the first page arrived (or failed)

    def __init__(
        self,
        *,
        model: ConversationTableModel,
        user: dict[str, Any],
        server_url: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._user = user
        self._server_url = server_url
        self._last_refresh: datetime | None = None
        self._first_load_done = False
        self.setWindowTitle(_tr("After-sales workstation"))
        self.setObjectName("MainWindow")

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self._build_header(central))
        layout.addLayout(self._build_toolbar(central))
        self.table = self._build_table(central)
        layout.addWidget(self.table, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_menu()

        model.page_loaded.connect(self._on_page_loaded)
        model.load_failed.connect(self._on_load_failed)
        model.loading_changed.connect(self._on_loading_changed)

        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._update_refresh_label)
        self._clock_timer.start()
        self._select_tab(model.view)

    # -- construction -----------------------------------------------------------------------

    def _build_header(self, parent: QWidget) -> QWidget:
        header = QWidget(parent)
        header.setObjectName("header")
        row = QHBoxLayout(header)
        row.setContentsMargins(4, 0, 4, 0)
        title = QLabel(_tr("After-sales workstation"), header)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        name = str(self._user.get("display_name") or self._user.get("username") or "?")
        username = str(self._user.get("username") or "")
        who = f"{name} ({username})" if username and username != name else name
        self.user_label = QLabel(_tr("Signed in as {name}").format(name=who), header)
        self.role_label = QLabel(
            _tr("Role: {role}").format(role=labels.role(str(self._user.get("role") or ""))), header
        )
        self.server_label = QLabel(_tr("Server: {url}").format(url=self._server_url), header)
        self.server_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(title)
        row.addStretch(1)
        for label in (self.user_label, self.role_label, self.server_label):
            row.addSpacing(12)
            row.addWidget(label)
        return header

    def _build_toolbar(self, parent: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        self.view_tabs = QTabBar(parent)
        self.view_tabs.setAccessibleName(_tr("View"))
        self.view_tabs.setExpanding(False)
        self.view_tabs.setDrawBase(False)
        for key, title in _view_titles().items():
            index = self.view_tabs.addTab(title)
            self.view_tabs.setTabData(index, key)
        self.view_tabs.currentChanged.connect(self._on_tab_changed)
        self.refresh_button = QPushButton(_tr("Refresh"), parent)
        self.refresh_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.view_tabs)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        return row

    def _build_table(self, parent: QWidget) -> QTableView:
        table = QTableView(parent)
        table.setModel(self._model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setShowGrid(False)
        table.verticalHeader().setVisible(False)
        row_height = table.fontMetrics().height() + 10
        table.verticalHeader().setDefaultSectionSize(row_height)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(48)
        # Size the vocabulary columns to their longest translated label (bold = unread rows).
        bold = QFont(table.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        padding = metrics.horizontalAdvance("MM")

        def fit(texts: list[str], column: Column) -> int:
            title = str(self._model.headerData(column, Qt.Orientation.Horizontal))
            return max(metrics.horizontalAdvance(t) for t in [*texts, title]) + padding

        def tr_all(table_: dict[str, str]) -> list[str]:
            return [QCoreApplication.translate("Labels", text) for text in table_.values()]

        widths = {
            Column.CHANNEL: fit(tr_all(labels.CHANNELS), Column.CHANNEL),
            Column.CUSTOMER: fit(["Liam O'Brien", "欧阳娜娜娜"], Column.CUSTOMER),
            Column.TYPE: fit(tr_all(labels.REQUEST_TYPES), Column.TYPE),
            Column.PRIORITY: fit(tr_all(labels.PRIORITIES), Column.PRIORITY),
            Column.STATUS: fit(tr_all(labels.STATUSES), Column.STATUS),
            Column.SLA: fit(["-23h 59m", "-99d 23h"], Column.SLA),
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(Column.SUBJECT, QHeaderView.ResizeMode.Stretch)
        return table

    def _build_status_bar(self) -> None:
        bar = QStatusBar(self)
        self.online_label = QLabel(_tr("Loading…"), bar)
        self.refresh_label = QLabel(_tr("Not refreshed yet"), bar)
        self.count_label = QLabel("", bar)
        bar.addWidget(self.online_label)
        bar.addWidget(self.refresh_label)
        bar.addPermanentWidget(self.count_label)
        self.setStatusBar(bar)

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu(_tr("&File"))
        quit_action = QAction(_tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu(_tr("&View"))
        refresh_action = QAction(_tr("Refresh"), self)
        refresh_action.triggered.connect(self.refresh)
        view_menu.addAction(refresh_action)

    # -- behaviour --------------------------------------------------------------------------

    @property
    def model(self) -> ConversationTableModel:
        return self._model

    def refresh(self) -> None:
        self._model.reload()

    def set_view(self, view: str) -> None:
        self._select_tab(view)
        if self._model.view != view:
            self._model.set_view(view)

    def _select_tab(self, view: str) -> None:
        for index in range(self.view_tabs.count()):
            if self.view_tabs.tabData(index) == view:
                with QSignalBlocker(self.view_tabs):
                    self.view_tabs.setCurrentIndex(index)
                return

    def _on_tab_changed(self, index: int) -> None:
        view = self.view_tabs.tabData(index)
        if isinstance(view, str) and view != self._model.view:
            self._model.set_view(view)
            self.table.scrollToTop()

    def _on_page_loaded(self, loaded: int, total: int) -> None:
        self._last_refresh = datetime.now()
        self.online_label.setText(_tr("Online"))
        self.online_label.setStyleSheet("color: #2e7d32; font-weight: bold;")
        self.count_label.setText(
            _tr("{loaded} of {total} conversations").format(loaded=loaded, total=total)
        )
        self._update_refresh_label()
        self._finish_first_load()

    def _on_load_failed(self, exc: object) -> None:
        if getattr(exc, "is_network", False):
            self.online_label.setText(_tr("Offline"))
            self.online_label.setStyleSheet("color: #c62828; font-weight: bold;")
        self.statusBar().showMessage(
            _tr("Could not load conversations: {error}").format(error=exc), 15000
        )
        self._finish_first_load()

    def _on_loading_changed(self, loading: bool) -> None:
        self.refresh_button.setEnabled(not loading)

    def _update_refresh_label(self) -> None:
        if self._last_refresh is None:
            return
        ago = int((datetime.now() - self._last_refresh).total_seconds())
        self.refresh_label.setText(
            _tr("Last refresh {time} ({ago} s ago)").format(
                time=self._last_refresh.strftime("%H:%M:%S"), ago=ago
            )
        )

    def _finish_first_load(self) -> None:
        if not self._first_load_done:
            self._first_load_done = True
            self.first_load_finished.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._clock_timer.stop()
        self._model.stop()
        super().closeEvent(event)
