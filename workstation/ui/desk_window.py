"""The agent desk: Inbox | Conversation | Customer 360 in one window, keyboard-first.

The window is the small controller of its panes: it turns selections into loads, runs the
desk use cases (claim, reply, note, set fields, retry, discard) as background operations
and refreshes from what they report changed (OpChanges), and shows the sync state the
composition root forwards from the engine (through `SyncBridge`, on the UI thread).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStatusBar,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.services.scripts import render_context
from workstation.ui import labels, preferences, theme, timefmt
from workstation.ui.approvals import APPROVER_ROLES, ApprovalsPanel
from workstation.ui.calculator_panel import CalculatorPanel
from workstation.ui.case_dialogs import OpenCaseDialog, TransferDialog, assess
from workstation.ui.cheatsheet import CheatSheetDialog
from workstation.ui.conversation_panel import ConversationPanel
from workstation.ui.customer_panel import CustomerPanel
from workstation.ui.idle_lock import IdleWatcher, LockDialog, PrivacyCover
from workstation.ui.models.inbox import Col, InboxModel
from workstation.ui.models.timeline import TimelineModel
from workstation.ui.notifications import NotificationPolicy, Notifier
from workstation.ui.pending_dialog import PendingChangesDialog
from workstation.ui.reader import InboxQuery
from workstation.ui.screen_pop import ScreenPopPanel
from workstation.ui.shortcuts import ACTIONS_BY_ID, ShortcutMap, ShortcutsDialog
from workstation.ui.tasks import TaskRunner
from workstation.ui.timeline_delegate import describe

# Roles that may reveal a full phone number or address (the server checks and audits too).
REVEAL_ROLES = frozenset({"agent", "senior_agent", "team_lead", "admin", "field_engineer"})
VIEWS = ("mine", "unassigned", "urgent", "about_to_breach", "all", "closed")
LIVE_ENTITIES_INBOX = frozenset({"conversations", "customers", "messages"})
LIVE_ENTITIES_TIMELINE = frozenset({"messages", "calls", "cases", "case_events", "users"})
LIVE_ENTITIES_SCRIPTS = frozenset({"reply_scripts"})
LIVE_ENTITIES_OFFERS = frozenset({"compensation_offers"})
LIVE_ENTITIES_ARRIVALS = frozenset({"messages", "conversations"})
LIVE_DELAY_MS = 150  # a burst of changes becomes one refresh
# While a sync round writes, each page would refresh the inbox (a big read plus a merge on the
# UI thread); at most one a second keeps the UI thread free, and the round's end catches up.
LIVE_INBOX_INTERVAL_S = 1.0
LIVE_ENTITIES_CUSTOMER = frozenset(
    {"customers", "identities", "orders", "order_items", "conversations", "cases", "compensation_offers", "surveys"}
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("DeskWindow", text)


def view_titles() -> dict[str, str]:
    return {
        "mine": _tr("Mine"),
        "unassigned": _tr("Unassigned"),
        "urgent": _tr("Urgent"),
        "about_to_breach": _tr("About to breach"),
        "all": _tr("All"),
        "closed": _tr("Closed"),
    }


class DeskReader(Protocol):
    def conversation_ids(self, query: InboxQuery) -> list[str]: ...
    def conversation_rows(self, ids: list[str]) -> list[dict[str, Any]]: ...
    def conversation(self, conversation_id: str) -> dict[str, Any] | None: ...
    def view_counts(self, channel: str | None = None) -> dict[str, int]: ...
    def search(self, text: str) -> list[str]: ...
    def timeline(self, conversation_id: str) -> list[dict[str, Any]]: ...
    def user_names(self) -> dict[str, str]: ...
    def customer_card(self, customer_id: str) -> Any: ...


class DeskWindow(QMainWindow):
    desk_ready = Signal()  # once: first sync finished, inbox loaded, first conversation shown
    language_requested = Signal(str)  # "zh_CN" / "en": the composition root rebuilds the desk
    logout_requested = Signal(bool)  # confirmed sign-out; True: also wipe the local cache

    def __init__(
        self,
        *,
        reader: DeskReader,
        services: Any,
        runner: TaskRunner,
        user: dict[str, Any],
        server_url: str,
        view: str = "mine",
        settings: QSettings | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        amber_percent: Decimal = Decimal(25),
        page_size: int = 200,
        tick_ms: int = 1000,
        sync_expected: bool = True,
        confirm: Callable[[QWidget, str], bool] | None = None,
        sync_now: Callable[[], None] | None = None,
        reveal: Callable[[str, str], str] | None = None,
        check_password: Callable[[str], bool] | None = None,
        idle_lock_minutes: float = 15,
        script_api: Any = None,
        arrivals: Callable[[Any], tuple[list[Any], Any]] | None = None,
        watermark: Callable[[], Any] | None = None,
        tray: bool | None = None,
        sound_file: Any = None,
        language: str = "",
        parent: QWidget | None = None,
    ) -> None:
        """``arrivals(mark)`` / ``watermark()``: what customers sent since a watermark and the
        cache's current one (`workstation.ui.arrivals`), for notifications; ``tray``: force
        the system tray on or off (None: when the system has one)."""
        super().__init__(parent)
        self.setObjectName("DeskWindow")
        self.setWindowTitle(_tr("After-sales workstation"))
        self._reader = reader
        self._services = services
        self._runner = runner
        self._user = user
        self._user_id = str(user.get("id") or "") or None
        self._server_url = server_url
        self._settings = settings
        self._confirm = confirm
        self._sync_now = sync_now
        self._reveal = reveal
        self._check_password = check_password
        self._script_api = script_api
        self.script_admin_dialog: Any = None
        self._clock = clock
        self.screen_pop: ScreenPopPanel | None = None
        self.open_case_dialog: OpenCaseDialog | None = None
        self.transfer_dialog: TransferDialog | None = None
        self.lock_dialog: LockDialog | None = None
        self.privacy_cover = PrivacyCover(self)
        self._names: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._pending_live: set[str] = set()
        self._inbox_due = False  # a live inbox refresh waits for its turn
        self._inbox_now = False  # ... and must not wait (the agent's own change, the round's end)
        self._inbox_refreshed_at: float | None = None  # monotonic time of the last live one
        self._monotonic: Callable[[], float] = time.monotonic  # tests step it
        self._synced_once = not sync_expected
        self._inbox_loaded = False
        self._ready_sent = False
        self._timeline_ready = False
        self._customer_ready = False
        self._current_id: str | None = None
        self._reselect = True  # select the first row when the next refresh arrives
        self._last_sync: datetime | None = None
        self._sync_state = "offline" if sync_expected else "online"
        self._arrivals = arrivals
        self._watermark_fn = watermark
        self._mark: Any = None  # notifications are armed once the first sync set the watermark
        self._checking_arrivals = False
        self._arrivals_again = False
        self._language = language
        self.shortcut_map = ShortcutMap.load(settings)
        self.desk_actions: dict[str, QAction] = {}
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self.logout_dialog: Any = None
        self.notification_policy = NotificationPolicy(user_id=self._user_id)
        self.notifier = Notifier(window=self, settings=settings, tray=tray, sound_file=sound_file)

        self.inbox = InboxModel(
            reader=reader, runner=runner, query=InboxQuery(view=view), page_size=page_size,
            clock=clock, amber_percent=amber_percent, tick_ms=tick_ms, parent=self,
        )  # fmt: skip
        self.timeline_model = TimelineModel(reader=reader, runner=runner, describe=describe, parent=self)

        central = QWidget(self)
        col = QVBoxLayout(central)
        col.setContentsMargins(6, 6, 6, 2)
        col.setSpacing(4)
        col.addWidget(self._build_banner(central))
        self.splitter = QSplitter(Qt.Orientation.Horizontal, central)
        self.splitter.setObjectName("deskSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._build_inbox_pane())
        self.conversation_panel = ConversationPanel(model=self.timeline_model, user_id=self._user_id, parent=self.splitter)
        self.splitter.addWidget(self.conversation_panel)
        self.customer_panel = CustomerPanel(reader=reader, runner=runner, parent=self.splitter)
        self.customer_panel.can_reveal = reveal is not None and str(user.get("role") or "") in REVEAL_ROLES
        self.customer_panel.can_open_cases = services is not None
        self.splitter.addWidget(self.customer_panel)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([640, 480, 300])
        col.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._build_docks()
        self._build_status_bar()
        self._build_menu_and_shortcuts()
        self._restore_layout()

        self.inbox.refreshed.connect(self._on_inbox_refreshed)
        self.inbox.refresh_failed.connect(self._on_inbox_failed)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.timeline_model.loaded.connect(self._on_timeline_loaded)
        self.customer_panel.loaded.connect(self._on_customer_loaded)
        self.customer_panel.open_conversation.connect(self.open_conversation)
        self.conversation_panel.claim_requested.connect(self.claim)
        self.conversation_panel.fields_requested.connect(self.set_fields)
        self.conversation_panel.send_requested.connect(self._send)
        self.conversation_panel.transfer_requested.connect(self.show_transfer)
        self.conversation_panel.case_record_requested.connect(self.update_case_record)
        self.customer_panel.open_case_requested.connect(self.show_open_case)
        self.customer_panel.reveal_requested.connect(self.reveal_contact)
        self.customer_panel.loaded.connect(self._customer_for_scripts)
        self.customer_panel.open_case_requested.connect(self._item_for_calculator)
        self.customer_panel.merged.connect(self._customer_merged)
        if script_api is not None and hasattr(script_api, "merge_suggestions"):
            from workstation.services.customers import CustomerMerges

            self.customer_panel.set_merges(CustomerMerges(
                api=script_api, role=str(user.get("role") or ""), on_merged=self.sync_now,
            ))  # fmt: skip
        self.calculator.result_changed.connect(lambda _r: self._update_render_context())
        self.calculator.offer_requested.connect(self.offer_compensation)
        self.idle = IdleWatcher(timeout_ms=int(idle_lock_minutes * 60_000) if check_password else 0, parent=self)
        self.idle.idle.connect(self.lock)

        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.setInterval(LIVE_DELAY_MS)
        self._live_timer.timeout.connect(self._apply_live)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._update_sync_label)
        if tick_ms > 0:
            self._clock_timer.start()
        self._select_tab(view)
        self._load_names()
        self.load_scripts()
        self.load_offers()
        self.inbox.refresh()
        self._refresh_counts()
        self.notifier.activated.connect(self._notification_clicked)
        self.notifier.do_not_disturb_changed.connect(self._show_do_not_disturb)
        self.notifier.sound_changed.connect(self._show_sound)
        self._show_do_not_disturb(self.notifier.do_not_disturb)
        if self._synced_once:
            self._arm_notifications()

    # -- construction -----------------------------------------------------------------------

    def _build_docks(self) -> None:
        services = self._services
        policy = (lambda: services.policy) if services is not None and hasattr(services, "policy") else None
        quote = getattr(services, "quote_compensation", None)
        user = self._user

        def authority(amount: Decimal) -> tuple[bool, Decimal, str | None]:
            from workstation.services.scripts import authority as check

            return check(services.policy, role=str(user.get("role") or "agent"),
                         tenure_months=int(user.get("tenure_months") or 0), amount=amount)  # fmt: skip

        self.calculator = CalculatorPanel(
            policy=policy, clock=self._clock, quote=quote,
            authority=authority if policy is not None else None, runner=self._runner, parent=self,
        )  # fmt: skip
        self.calculator_dock = QDockWidget(_tr("Calculators"), self)
        self.calculator_dock.setObjectName("calculatorDock")
        self.calculator_dock.setWidget(self.calculator)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.calculator_dock)
        self.calculator_dock.hide()
        self.approvals: ApprovalsPanel | None = None
        self.approvals_dock: QDockWidget | None = None
        if str(self._user.get("role") or "") in APPROVER_ROLES:
            self.approvals = ApprovalsPanel(self)
            self.approvals.decision_requested.connect(self.decide_offer)
            self.approvals_dock = QDockWidget(_tr("Approvals"), self)
            self.approvals_dock.setObjectName("approvalsDock")
            self.approvals_dock.setWidget(self.approvals)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.approvals_dock)
            self.approvals_dock.hide()
        self._offer_status: dict[str, str] = {}
        self.offer_notices: list[str] = []  # what the agent was told about their offers' outcome

    def toggle_calculator(self) -> None:
        visible = not self.calculator_dock.isVisible()
        self.calculator_dock.setVisible(visible)
        if visible:
            self.calculator.tabs.currentWidget().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def toggle_approvals(self) -> None:
        if self.approvals_dock is not None:
            self.approvals_dock.setVisible(not self.approvals_dock.isVisible())
            if self.approvals_dock.isVisible() and self.approvals is not None:
                self.approvals.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_script_admin(self) -> Any:
        from workstation.ui.script_admin import ScriptAdminDialog

        if str(self._user.get("role") or "") not in APPROVER_ROLES:
            self._show_error(_tr("Script authoring is for team leads and admins."))
            return None

        reader = self._reader

        def keys() -> list[str]:
            return [s.key for s in reader.approved_scripts()] if hasattr(reader, "approved_scripts") else []

        dialog = ScriptAdminDialog(api=self._script_api, runner=self._runner, keys=keys,
                                   online=self._sync_state != "offline", parent=self)  # fmt: skip
        dialog.setModal(False)
        dialog.show()
        self.script_admin_dialog = dialog
        return dialog

    # -- scripts, calculators, approvals ------------------------------------------------------

    def load_scripts(self) -> None:
        reader = self._reader
        if not hasattr(reader, "approved_scripts"):
            return
        self._runner.run_in_background(owner=self, fn=reader.approved_scripts,
                                       on_success=self.conversation_panel.set_scripts)  # fmt: skip

    def load_offers(self) -> None:
        reader = self._reader
        if not hasattr(reader, "offers"):
            return
        self._runner.run_in_background(owner=self, fn=lambda: reader.offers(None), on_success=self._offers_arrived)

    def _offers_arrived(self, offers: list[dict[str, Any]]) -> None:
        if self.approvals is not None:
            self.approvals.set_offers([o for o in offers if o.get("status") == "pending_approval"], self._names)
        from workstation.ui.approvals import status_text

        for o in offers:
            oid, status = str(o.get("id")), str(o.get("status"))
            before = self._offer_status.get(oid)
            self._offer_status[oid] = status
            if before == "pending_approval" and status != before and o.get("offered_by") == self._user_id:
                amount = timefmt.money(o.get("approved_amount") or o.get("amount"))
                notice = _tr("Compensation {amount} {status}.").format(amount=amount, status=status_text(status))
                self.offer_notices.append(notice)
                self.statusBar().showMessage(notice, 15000)
        self._update_render_context()

    def _customer_for_scripts(self, _customer_id: str) -> None:
        card = self.customer_panel.card
        conv = self.conversation_panel.conversation or {}
        choices = []
        if card is not None:
            for order in card.orders:
                bare = {k: v for k, v in order.items() if k != "items"}
                for item in order.get("items") or []:
                    choices.append((dict(item), bare))
        self.calculator.set_items(choices, conversation_id=self._current_id, prefer_order=conv.get("order_id"))
        self._update_render_context()

    def _item_for_calculator(self, item: dict[str, Any], order: dict[str, Any]) -> None:
        self.calculator.set_item(item, order, conversation_id=self._current_id)

    def _latest_offer(self) -> dict[str, Any] | None:
        card = self.customer_panel.card
        if card is None:
            return None
        for o in card.compensation:  # newest first
            if o.get("conversation_id") in (None, self._current_id) and o.get("status") in ("offered", "approved", "changed"):
                return dict(o)
        return None

    def render_context(self) -> dict[str, Any]:
        card = self.customer_panel.card
        conv = self.conversation_panel.conversation or {}
        item, order = self.calculator.item, self.calculator.order
        case = None
        if card is not None:
            case = next((c for c in card.cases if c.get("conversation_id") == self._current_id), None)
        compensation: dict[str, Any] = dict(self.calculator.result)
        offer = self._latest_offer()
        if offer is not None:  # what was actually offered / approved wins over the draft figure
            compensation.update({"amount": offer.get("approved_amount") or offer.get("amount"),
                                 "kind": offer.get("kind")})  # fmt: skip
        return render_context(
            conversation=conv, customer=card.customer if card is not None else None, order=order,
            item=item, case=case, compensation=compensation, agent=self._user,
        )  # fmt: skip

    def _update_render_context(self) -> None:
        self.conversation_panel.set_render_context(self.render_context())

    def offer_compensation(self, args: dict[str, Any]) -> None:
        services, panel = self._services, self.calculator

        def done() -> None:
            panel.offer_done(_tr("Offer sent."))
            self.statusBar().showMessage(_tr("Compensation offered."), 6000)

        self._run(lambda: services.offer_compensation(**args), on_done=done, on_error=panel.offer_done)

    def decide_offer(self, offer_id: str, decision: str, amount: str, reason: str) -> None:
        services, panel = self._services, self.approvals
        assert panel is not None
        kwargs: dict[str, Any] = {}
        if amount:
            kwargs["amount"] = amount
        if reason:
            kwargs["reason"] = reason

        def done() -> None:
            panel.decided()
            self.statusBar().showMessage(_tr("Decision recorded."), 6000)

        self._run(lambda: services.decide_compensation(offer_id, decision, **kwargs), on_done=done, on_error=panel.failed)

    def _build_banner(self, parent: QWidget) -> QFrame:
        self.banner = QFrame(parent)
        self.banner.setObjectName("offlineBanner")
        self._style_banner()
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.banner_label = QLabel(self.banner)
        self.banner_label.setWordWrap(True)
        row.addWidget(self.banner_label, 1)
        self.banner.hide()
        return self.banner

    def _style_banner(self) -> None:
        if theme.is_dark():
            css = "#offlineBanner { background: #4a3410; border: 1px solid #b7791f; border-radius: 4px; }"
        else:
            css = "#offlineBanner { background: #fff3e0; border: 1px solid #ffb74d; border-radius: 4px; }"
        self.banner.setStyleSheet(css)

    def _filter_combo(self, parent: QWidget, everything: str, table: dict[str, str], name: str) -> QComboBox:
        combo = QComboBox(parent)
        combo.setAccessibleName(name)
        combo.addItem(everything, None)
        for value, text in table.items():
            combo.addItem(QCoreApplication.translate("Labels", text), value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.currentIndexChanged.connect(self._on_filter_changed)
        return combo

    def _build_inbox_pane(self) -> QWidget:
        pane = QWidget(self)
        col = QVBoxLayout(pane)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(4)
        self.view_tabs = QTabBar(pane)
        self.view_tabs.setAccessibleName(_tr("View"))
        self.view_tabs.setExpanding(False)
        self.view_tabs.setDrawBase(False)
        self.view_tabs.setUsesScrollButtons(True)
        for key, title in view_titles().items():
            index = self.view_tabs.addTab(title)
            self.view_tabs.setTabData(index, key)
        self.view_tabs.currentChanged.connect(self._on_tab_changed)
        col.addWidget(self.view_tabs)
        row = QHBoxLayout()
        self.channel_filter = QComboBox(pane)
        self.channel_filter.setAccessibleName(_tr("Channel filter"))
        self.channel_filter.addItem(_tr("All channels"), None)
        for value in labels.CHANNELS:
            self.channel_filter.addItem(labels.channel(value), value)
        self.channel_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.search_box = QLineEdit(pane)
        self.search_box.setPlaceholderText(_tr("Search customers, orders, messages (Ctrl+F)"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self.run_search)
        self.search_box.textChanged.connect(self._on_search_text)
        row.addWidget(self.channel_filter)
        row.addWidget(self.search_box, 1)
        col.addLayout(row)
        filters = QHBoxLayout()
        self.type_filter = self._filter_combo(pane, _tr("All types"), labels.REQUEST_TYPES, _tr("Request type filter"))
        self.priority_filter = self._filter_combo(pane, _tr("All priorities"), labels.PRIORITIES, _tr("Priority filter"))
        self.status_filter = self._filter_combo(pane, _tr("All statuses"), labels.STATUSES, _tr("Status filter"))
        self.tag_filter = QLineEdit(pane)
        self.tag_filter.setAccessibleName(_tr("Tag filter"))
        self.tag_filter.setPlaceholderText(_tr("Tag"))
        self.tag_filter.setClearButtonEnabled(True)
        self.tag_filter.setMaximumWidth(140)
        self.tag_filter.editingFinished.connect(self._on_tag_changed)
        for w in (self.type_filter, self.priority_filter, self.status_filter, self.tag_filter):
            filters.addWidget(w)
        filters.addStretch(1)
        col.addLayout(filters)
        self.table = QTableView(pane)
        self.table.setModel(self.inbox)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(18)
        metrics = self.table.fontMetrics()
        pad = metrics.horizontalAdvance("MM")

        def fit(texts: list[str], col_: Col) -> int:
            title = str(self.inbox.headerData(col_, Qt.Orientation.Horizontal) or "")
            return max(metrics.horizontalAdvance(t) for t in [*texts, title]) + pad

        def tr_all(table: dict[str, str]) -> list[str]:
            return [QCoreApplication.translate("Labels", t) for t in table.values()]

        widths = {
            Col.UNREAD: metrics.horizontalAdvance("●") + pad // 2,
            Col.CHANNEL: fit(tr_all(labels.CHANNELS), Col.CHANNEL) + 20,
            Col.CUSTOMER: fit(["Liam O'Brien", "欧阳娜娜"], Col.CUSTOMER),
            Col.TYPE: fit(tr_all(labels.REQUEST_TYPES), Col.TYPE),
            Col.PRIORITY: fit(tr_all(labels.PRIORITIES), Col.PRIORITY),
            Col.SLA: fit(["-23h 59m", "-99d 23h"], Col.SLA),
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(Col.PREVIEW, QHeaderView.ResizeMode.Stretch)
        col.addWidget(self.table, 1)
        return pane

    def _build_status_bar(self) -> None:
        bar = QStatusBar(self)
        self.sync_label = QLabel(_tr("Connecting…"), bar)
        self.pending_button = QPushButton(_tr("Pending: {count}").format(count=0), bar)
        self.pending_button.setFlat(True)
        self.pending_button.setToolTip(_tr("Changes not yet confirmed by the server (click for the list)"))
        self.pending_button.clicked.connect(self.show_pending_changes)
        self.last_sync_label = QLabel(_tr("Not synced yet"), bar)
        name = str(self._user.get("display_name") or self._user.get("username") or "?")
        self.user_label = QLabel(
            _tr("{name} · {role}").format(name=name, role=labels.role(str(self._user.get("role") or ""))), bar
        )
        self.user_label.setToolTip(_tr("Server: {url}").format(url=self._server_url))
        self.dnd_button = QPushButton(_tr("Do not disturb"), bar)
        self.dnd_button.setObjectName("doNotDisturbIndicator")
        self.dnd_button.setFlat(True)
        self.dnd_button.setIcon(self.style().standardIcon(self.style().StandardPixmap.SP_MediaVolumeMuted))
        self.dnd_button.setStyleSheet("color: #b26a00; font-weight: bold;")
        self.dnd_button.setToolTip(_tr("Notifications are paused. Click to turn them back on."))
        self.dnd_button.clicked.connect(lambda: self.set_do_not_disturb(False))
        self.dnd_button.hide()
        bar.addWidget(self.sync_label)
        bar.addWidget(self.pending_button)
        bar.addWidget(self.last_sync_label)
        bar.addPermanentWidget(self.dnd_button)
        bar.addPermanentWidget(self.user_label)
        self.setStatusBar(bar)

    def _action_handlers(self) -> dict[str, Callable[[], None]]:
        """Every desk action by its id (`workstation.ui.shortcuts.ACTIONS`)."""
        panel = self.conversation_panel
        handlers: dict[str, Callable[[], None]] = {
            "next_conversation": self.next_conversation,
            "previous_conversation": self.previous_conversation,
            "reply": panel.focus_reply,
            "note": panel.focus_note,
            "claim": self.claim,
            "search": self.focus_search,
            "send": panel.send,
            "transfer": self.show_transfer,
            "case_record": self.edit_case_record,
            "calculators": self.toggle_calculator,
            "pending_changes": self.show_pending_changes,
            "sync_now": self.sync_now,
            "do_not_disturb": lambda: self.set_do_not_disturb(not self.notifier.do_not_disturb),
            "notification_sound": lambda: self.set_notification_sound(not self.notifier.sound),
            "toggle_theme": lambda: self.set_theme("light" if theme.is_dark() else "dark"),
            "toggle_language": lambda: self.request_language("en" if self.language == "zh_CN" else "zh_CN"),
            "lock": self.lock,
            "idle_lock": self.ask_idle_lock_minutes,
            "customize_shortcuts": self.show_shortcuts_dialog,
            "cheat_sheet": self.show_cheat_sheet,
            "logout": self.request_logout,
            "quit": self.close,
        }
        if self.approvals_dock is not None:
            handlers["approvals"] = self.toggle_approvals
            handlers["script_admin"] = self.show_script_admin
        return handlers

    def shortcut_table(self) -> list[tuple[str, str, Callable[[], None]]]:
        """(key, description, handler) of every key in effect now, in the cheat sheet's order."""
        handlers = self._action_handlers()
        rows = []
        for spec in self.shortcut_map.actions:
            handler = handlers.get(spec.id)
            if handler is None:
                continue
            for keys in self.shortcut_map.keys(spec.id):
                rows.append((keys, spec.title, handler))
        return rows

    def _desk_action(self, action_id: str, text: str | None = None, *, checkable: bool = False) -> QAction:
        """The QAction of a desk action (made once; its keys come from `shortcut_map`)."""
        action = self.desk_actions.get(action_id)
        if action is None:
            spec = ACTIONS_BY_ID[action_id]
            action = QAction(text or spec.title, self)
            action.setCheckable(checkable)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            handler = self._action_handlers().get(action_id)
            if handler is not None and not checkable:
                action.triggered.connect(lambda _checked=False, h=handler: h())
            self.addAction(action)  # works without a menu, too
            self.desk_actions[action_id] = action
        return action

    def apply_shortcuts(self, shortcuts: ShortcutMap | None = None, *, save: bool = True) -> None:
        """Bind the keys of `shortcuts` (default: the current map) to the desk's actions now."""
        if shortcuts is not None:
            self.shortcut_map = shortcuts
            if save:
                shortcuts.save(self._settings)
        for action_id, action in self.desk_actions.items():
            spec = ACTIONS_BY_ID[action_id]
            if spec.fixed:
                action.setShortcuts([])  # the composer owns it (only while it has focus)
                continue
            action.setShortcuts([QKeySequence(k) for k in self.shortcut_map.keys(action_id)])
        if self.cheat_sheet is not None and self.cheat_sheet.isVisible():
            self.show_cheat_sheet()

    def _build_menu_and_shortcuts(self) -> None:
        self.cheat_sheet: CheatSheetDialog | None = None
        menu = self.menuBar()
        file_menu = menu.addMenu(_tr("&File"))
        file_menu.addAction(self._desk_action("logout", _tr("Sign out…")))
        file_menu.addSeparator()
        file_menu.addAction(self._desk_action("quit", _tr("&Quit")))
        self.quit_action = self.desk_actions["quit"]

        view_menu = menu.addMenu(_tr("&View"))
        view_menu.addAction(self._desk_action("pending_changes", _tr("Pending changes…")))
        view_menu.addAction(self._desk_action("calculators", _tr("Calculators")))
        if self.approvals_dock is not None:
            view_menu.addAction(self._desk_action("approvals", _tr("Approvals")))
            view_menu.addAction(self._desk_action("script_admin", _tr("Reply scripts (authoring)…")))
        view_menu.addAction(self._desk_action("sync_now"))
        view_menu.addSeparator()
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        group.setExclusive(True)
        for name, title in (("light", _tr("Light theme")), ("dark", _tr("Dark theme"))):
            action = QAction(title, self)
            action.setCheckable(True)
            action.setChecked(theme.current() == name)
            action.triggered.connect(lambda _checked=False, n=name: self.set_theme(n))
            group.addAction(action)
            view_menu.addAction(action)
            self.theme_actions[name] = action
        view_menu.addAction(self._desk_action("toggle_theme"))
        view_menu.addSeparator()
        view_menu.addAction(self._desk_action("lock", _tr("Lock now")))
        view_menu.addAction(self._desk_action("idle_lock", _tr("Lock after inactivity…")))
        for action_id in ("next_conversation", "previous_conversation", "reply", "note", "claim", "search",
                          "send", "transfer", "case_record"):  # fmt: skip
            self._desk_action(action_id)  # keyboard only

        settings_menu = menu.addMenu(_tr("&Settings"))
        language_menu = settings_menu.addMenu(_tr("Language"))
        language_menu.setObjectName("languageMenu")
        from workstation.ui.i18n import LANGUAGE_NAMES

        self.language_actions: dict[str, QAction] = {}
        languages = QActionGroup(self)
        languages.setExclusive(True)
        for code, name in LANGUAGE_NAMES.items():
            action = QAction(name, self)
            action.setCheckable(True)
            action.setChecked(code == self.language)
            action.triggered.connect(lambda _checked=False, c=code: self.request_language(c))
            languages.addAction(action)
            language_menu.addAction(action)
            self.language_actions[code] = action
        language_menu.addSeparator()
        language_menu.addAction(self._desk_action("toggle_language"))
        settings_menu.addSeparator()
        dnd = self._desk_action("do_not_disturb", _tr("Do not disturb"), checkable=True)
        dnd.setChecked(self.notifier.do_not_disturb)
        dnd.toggled.connect(self.set_do_not_disturb)
        settings_menu.addAction(dnd)
        sound = self._desk_action("notification_sound", _tr("Notification sound"), checkable=True)
        sound.setChecked(self.notifier.sound)
        sound.toggled.connect(self.set_notification_sound)
        settings_menu.addAction(sound)
        settings_menu.addSeparator()
        settings_menu.addAction(self._desk_action("customize_shortcuts", _tr("Customize keyboard shortcuts…")))

        help_menu = menu.addMenu(_tr("&Help"))
        help_menu.addAction(self._desk_action("cheat_sheet", _tr("Keyboard shortcuts")))
        self.apply_shortcuts(save=False)

    # -- settings: language, notifications, shortcuts ----------------------------------------

    @property
    def language(self) -> str:
        if self._language:
            return self._language
        from workstation.ui.application import current_language

        return current_language()

    def request_language(self, language: str) -> None:
        """Ask the composition root to switch the UI language (it rebuilds the desk, keeping
        the open conversation). Remembered at once."""
        for code, action in self.language_actions.items():
            action.setChecked(code == language)
        if language == self.language:
            return
        preferences.save_language(self._settings, language)
        self.language_requested.emit(language)

    def view_state(self) -> dict[str, Any]:
        """What a rebuilt desk needs to look the same: view, filters, search and selection."""
        return {
            "view": self._current_view(),
            "channel": self.channel_filter.currentData(),
            "request_type": self.type_filter.currentData(),
            "priority": self.priority_filter.currentData(),
            "status": self.status_filter.currentData(),
            "tag": self.tag_filter.text().strip() or None,
            "search": self.search_box.text(),
            "conversation_id": self._current_id,
            "calculators": self.calculator_dock.isVisible(),
            "mark": self._mark,
            "notified": self.notification_policy,
            "draft": self.conversation_panel.editor.toPlainText(),
            "note": self.conversation_panel.note_toggle.isChecked(),
            "reply_channel": self.conversation_panel.channel_combo.currentData(),
        }

    def restore_view_state(self, state: dict[str, Any]) -> None:
        with QSignalBlocker(self.channel_filter):
            self.channel_filter.setCurrentIndex(max(self.channel_filter.findData(state.get("channel")), 0))
        self._select_tab(str(state.get("view") or "mine"))
        if state.get("mark") is not None and self._mark is None:
            self._mark = state["mark"]
        if isinstance(state.get("notified"), NotificationPolicy):
            self.notification_policy = state["notified"]  # bursts already announced stay announced
        if state.get("calculators"):
            self.calculator_dock.show()
        self.set_filters(request_type=state.get("request_type"), priority=state.get("priority"),
                         status=state.get("status"), tag=state.get("tag"))  # fmt: skip
        search = str(state.get("search") or "")
        if search:
            with QSignalBlocker(self.search_box):
                self.search_box.setText(search)
            self.run_search()
        conversation_id = state.get("conversation_id")
        if conversation_id:
            self._reselect = False
            draft = str(state.get("draft") or "")
            if draft:
                self._put_back_draft(str(conversation_id), draft, bool(state.get("note")), state.get("reply_channel"))
            self.open_conversation(str(conversation_id))

    def _put_back_draft(self, conversation_id: str, draft: str, note: bool, channel: Any) -> None:
        """The reply being written survives a rebuild: back in the composer once the
        conversation is shown again (showing a conversation clears the composer)."""
        panel = self.conversation_panel

        def put_back(loaded_id: str) -> None:
            if loaded_id != conversation_id:
                return
            self.timeline_model.loaded.disconnect(put_back)
            if (panel.conversation or {}).get("id") != conversation_id or panel.editor.toPlainText():
                return
            panel.note_toggle.setChecked(note)
            if channel is not None:
                panel.channel_combo.setCurrentIndex(max(panel.channel_combo.findData(channel), 0))
            panel.editor.setPlainText(draft)

        self.timeline_model.loaded.connect(put_back)

    def set_do_not_disturb(self, on: bool) -> None:
        self.notifier.set_do_not_disturb(bool(on))

    def set_notification_sound(self, on: bool) -> None:
        self.notifier.set_sound(bool(on))

    def _show_do_not_disturb(self, on: bool) -> None:
        action = self.desk_actions.get("do_not_disturb")
        if action is not None and action.isChecked() != on:
            with QSignalBlocker(action):
                action.setChecked(on)
        self.dnd_button.setVisible(on)

    def _show_sound(self, on: bool) -> None:
        action = self.desk_actions.get("notification_sound")
        if action is not None and action.isChecked() != on:
            with QSignalBlocker(action):
                action.setChecked(on)

    def show_shortcuts_dialog(self) -> ShortcutsDialog:
        leads = self.approvals_dock is not None
        dialog = ShortcutsDialog(self.shortcut_map, leads=leads, parent=self)
        dialog.applied.connect(self._shortcuts_edited)
        dialog.setModal(False)
        dialog.show()
        self.shortcuts_dialog = dialog
        return dialog

    def _shortcuts_edited(self, shortcuts: ShortcutMap) -> None:
        self.apply_shortcuts(shortcuts)
        self.statusBar().showMessage(_tr("Keyboard shortcuts saved."), 4000)

    # -- notifications ------------------------------------------------------------------------

    def _arm_notifications(self) -> None:
        """Take the cache's watermark: only what arrives after it is announced."""
        if self._mark is not None or self._watermark_fn is None:
            return
        fn = self._watermark_fn
        self._runner.run_in_background(owner=self, fn=fn, on_success=self._armed)

    def _armed(self, mark: Any) -> None:
        if self._mark is None:
            self._mark = mark

    def is_on_screen(self, conversation_id: str) -> bool:
        """The agent is looking at it: open in the focused, unminimised, unlocked desk."""
        return (
            conversation_id == self._current_id
            and self.isVisible()
            and self.isActiveWindow()
            and not self.isMinimized()
            and not self.locked
        )

    def check_arrivals(self) -> None:
        """Look for customer messages that came since the watermark (in the background)."""
        if self._arrivals is None or self._mark is None:
            return
        if self._checking_arrivals:
            self._arrivals_again = True
            return
        self._checking_arrivals = True
        fn, mark = self._arrivals, self._mark
        self._runner.run_in_background(owner=self, fn=lambda: fn(mark), on_success=self._arrivals_found,
                                       on_failure=self._arrivals_failed)  # fmt: skip

    def _arrivals_failed(self, _exc: BaseException) -> None:
        self._checking_arrivals = False

    def _arrivals_found(self, result: tuple[list[Any], Any]) -> None:
        arrivals, self._mark = result
        self._checking_arrivals = False
        chosen = self.notification_policy.select(arrivals, on_screen=self.is_on_screen)
        if chosen:
            self.notifier.announce(chosen, private=self.locked)  # a locked desk names no customer
        if self._arrivals_again:
            self._arrivals_again = False
            self.check_arrivals()

    def _notification_clicked(self, conversation_id: str) -> None:
        from PySide6.QtGui import QGuiApplication

        if self.isMinimized():
            self.showNormal()
        if QGuiApplication.platformName() != "offscreen":  # no window manager to ask there
            self.raise_()
            self.activateWindow()
        self.open_conversation(conversation_id)

    # -- sign out -------------------------------------------------------------------------------

    def request_logout(self) -> None:
        """Sign out: count the unsent changes (in the background), then ask."""
        services = self._services
        if services is None or not hasattr(services, "pending_counts"):
            self._ask_logout(0)
            return
        self._runner.run_in_background(owner=self, fn=services.pending_counts,
                                       on_success=lambda counts: self._ask_logout(int(counts.get("pending", 0))
                                                                                  + int(counts.get("rejected", 0))),
                                       on_failure=lambda _exc: self._ask_logout(-1))  # fmt: skip

    def _ask_logout(self, pending: int) -> None:
        from workstation.ui.logout_dialog import LogoutDialog

        dialog = LogoutDialog(pending=pending, user=str(self._user.get("display_name") or self._user.get("username")
                                                        or ""), confirm=self._confirm, parent=self)  # fmt: skip
        dialog.confirmed.connect(self.logout_requested.emit)
        dialog.open()
        self.logout_dialog = dialog

    # -- layout persistence -----------------------------------------------------------------

    def _restore_layout(self) -> None:
        if self._settings is None:
            return
        state = self._settings.value("desk/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        geometry = self._settings.value("desk/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def save_layout(self) -> None:
        if self._settings is None:
            return
        self._settings.setValue("desk/splitter", self.splitter.saveState())
        self._settings.setValue("desk/geometry", self.saveGeometry())
        self._settings.sync()

    # -- inbox ------------------------------------------------------------------------------

    @property
    def current_conversation_id(self) -> str | None:
        return self._current_id

    def set_view(self, view: str) -> None:
        self._select_tab(view)
        self._apply_query()

    def _select_tab(self, view: str) -> None:
        for index in range(self.view_tabs.count()):
            if self.view_tabs.tabData(index) == view:
                with QSignalBlocker(self.view_tabs):
                    self.view_tabs.setCurrentIndex(index)

    def _current_view(self) -> str:
        return str(self.view_tabs.tabData(self.view_tabs.currentIndex()) or "mine")

    def _on_tab_changed(self, _index: int) -> None:
        if self.search_box.text():
            with QSignalBlocker(self.search_box):
                self.search_box.clear()
        self._apply_query()

    def _on_filter_changed(self, _index: int) -> None:
        self._apply_query()
        self._refresh_counts()

    def _on_tag_changed(self) -> None:
        if (self.tag_filter.text().strip() or None) != self.inbox.query.tag:
            self._on_filter_changed(0)

    def set_filters(self, *, request_type: str | None = None, priority: str | None = None,
                    status: str | None = None, tag: str | None = None) -> None:
        """Set the inbox filters at once (None: no filter)."""
        for combo, value in ((self.type_filter, request_type), (self.priority_filter, priority),
                             (self.status_filter, status)):  # fmt: skip
            with QSignalBlocker(combo):
                combo.setCurrentIndex(max(combo.findData(value), 0))
        with QSignalBlocker(self.tag_filter):
            self.tag_filter.setText(tag or "")
        self._on_filter_changed(0)

    def _query(self, search_ids: tuple[str, ...] | None = None) -> InboxQuery:
        return InboxQuery(
            view=self._current_view(),
            channel=self.channel_filter.currentData(),
            search_ids=search_ids,
            request_type=self.type_filter.currentData(),
            priority=self.priority_filter.currentData(),
            status=self.status_filter.currentData(),
            tag=self.tag_filter.text().strip() or None,
        )

    def _apply_query(self, search_ids: tuple[str, ...] | None = None) -> None:
        self._inbox_loaded = False
        self._reselect = True
        self.inbox.set_query(self._query(search_ids))
        self.table.scrollToTop()

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def _on_search_text(self, text: str) -> None:
        if not text.strip() and self.inbox.query.search_ids is not None:
            self._apply_query()

    def run_search(self) -> None:
        text = self.search_box.text().strip()
        if not text:
            self._apply_query()
            return
        reader = self._reader
        self._runner.run_in_background(owner=self, fn=
            lambda: reader.search(text),
            on_success=lambda ids: self._search_done(text, ids),
            on_failure=lambda exc: self.statusBar().showMessage(_tr("Search failed: {error}").format(error=exc), 8000),
        )

    def _search_done(self, text: str, ids: list[str]) -> None:
        if self.search_box.text().strip() != text:
            return
        self._apply_query(search_ids=tuple(ids))
        self.statusBar().showMessage(_tr("{count} conversations match “{text}”").format(count=len(ids), text=text), 8000)

    def _refresh_counts(self) -> None:
        reader, channel, query = self._reader, self.channel_filter.currentData(), self._query()
        services = self._services

        def work() -> tuple[dict[str, int], dict[str, int] | None]:
            counts = reader.view_counts(channel, query)
            pending = services.pending_counts() if services is not None and hasattr(services, "pending_counts") else None
            return counts, pending

        self._runner.run_in_background(owner=self, fn=work, on_success=lambda r: self._counts_arrived(*r))

    def _counts_arrived(self, counts: dict[str, int], pending: dict[str, int] | None) -> None:
        self._counts = counts
        titles = view_titles()
        for index in range(self.view_tabs.count()):
            key = str(self.view_tabs.tabData(index))
            n = counts.get(key)
            self.view_tabs.setTabText(index, titles[key] if n is None else f"{titles[key]} ({n})")
        if pending is not None:
            self._show_pending_count(pending.get("pending", 0), pending.get("rejected", 0))

    def _on_inbox_refreshed(self, _total: int) -> None:
        self._inbox_loaded = True
        if self._reselect or self._current_id is None:
            self._reselect = False
            if self.inbox.rowCount() > 0:
                self.table.selectRow(0)
                if self.inbox.conversation_id(0) == self._current_id:
                    self._show(self.inbox.row_data(0))
            else:
                self._current_id = None
                self.conversation_panel.show_conversation(None)
                self.customer_panel.show_customer(None)
        elif self._current_id is not None:
            row = self.inbox.row_of(self._current_id)
            if row >= 0:
                self.conversation_panel.show_conversation(self.inbox.row_data(row))
            else:
                self._refresh_current()
        if self.inbox.rowCount() == 0:
            self._timeline_ready = self._customer_ready = True
        self._check_ready()

    def _on_inbox_failed(self, exc: object) -> None:
        self.statusBar().showMessage(_tr("Could not read the local cache: {error}").format(error=exc), 15000)
        self._inbox_loaded = True
        self._timeline_ready = self._customer_ready = True
        self._check_ready()

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        row = self.inbox.row_data(current.row())
        self._show(row)

    def _show(self, row: dict[str, Any]) -> None:
        cid = str(row.get("id"))
        self.notification_policy.seen(cid)
        if cid == self._current_id:
            self.conversation_panel.show_conversation(row)
            return
        self._current_id = cid
        self._timeline_ready = self._customer_ready = False
        self.conversation_panel.show_conversation(row)
        self.customer_panel.show_customer(row.get("customer_id"), conversation_id=cid)

    def open_conversation(self, conversation_id: str) -> None:
        """Select it in the inbox when it is there, else show it without a selection."""
        row = self.inbox.row_of(conversation_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.inbox.index(row, 0))
            return
        reader = self._reader
        self._runner.run_in_background(owner=self, fn=
            lambda: reader.conversation(conversation_id),
            on_success=lambda conv: self._show(conv) if conv else None,
        )

    def _refresh_current(self) -> None:
        cid = self._current_id
        if cid is None:
            return
        reader = self._reader
        self._runner.run_in_background(owner=self, fn=
            lambda: reader.conversation(cid),
            on_success=lambda conv: self.conversation_panel.show_conversation(conv)
            if conv and cid == self._current_id
            else None,
        )

    def _move(self, step: int) -> None:
        current = self.table.currentIndex()
        row = (current.row() + step) if current.isValid() else 0
        if step > 0 and row >= self.inbox.rowCount() and self.inbox.canFetchMore(QModelIndex()):
            self.inbox.fetchMore(QModelIndex())
        if 0 <= row < self.inbox.rowCount():
            index = self.inbox.index(row, 0)
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.table.scrollTo(index)

    def next_conversation(self) -> None:
        self._move(1)

    def previous_conversation(self) -> None:
        self._move(-1)

    # -- readiness (for the screenshot) -----------------------------------------------------

    def _on_timeline_loaded(self, conversation_id: str) -> None:
        if conversation_id == self._current_id:
            self._timeline_ready = True
            self._check_ready()

    def _on_customer_loaded(self, _customer_id: str) -> None:
        self._customer_ready = True
        self._check_ready()

    def _check_ready(self) -> None:
        if self._ready_sent or not (self._synced_once and self._inbox_loaded):
            return
        if self.inbox.rowCount() and not (self._timeline_ready and self._customer_ready):
            return
        self._ready_sent = True
        self.desk_ready.emit()

    # -- sync state (from the engine, via SyncBridge, on the UI thread) ---------------------

    def apply_sync_status(self, status: Any) -> None:
        state = str(getattr(status, "state", "online"))
        message = str(getattr(status, "message", "") or "")
        self._sync_state = state
        self._last_sync = getattr(status, "last_sync_at", None) or self._last_sync
        texts = {
            "online": (_tr("Online"), "#2e7d32"),
            "syncing": (_tr("Syncing…"), "#1565c0"),
            "offline": (_tr("Offline"), "#c62828"),
            "error": (_tr("Sync error"), "#c62828"),
        }
        text, color = texts.get(state, (state, "#5f6368"))
        self.sync_label.setText(text)
        self.sync_label.setStyleSheet(f"color: {color}; font-weight: bold;")
        self.sync_label.setToolTip(message)
        if state in ("offline", "error"):
            self.set_offline_banner(message)
        elif state == "online":
            self.banner.hide()
        pending = getattr(status, "pending", None)
        if isinstance(pending, int):
            self._show_pending_count(pending, None)
        self._update_sync_label()
        if state != "syncing" and self._inbox_due:
            self._inbox_now = True  # the round is over: show its final state now
            self._live_timer.start(0)
        if state != "syncing" and not self._synced_once:
            self._synced_once = True
            self.inbox.refresh()
            self._refresh_counts()
            self._check_ready()
            self._arm_notifications()

    def set_offline_banner(self, message: str = "") -> None:
        text = _tr("Working offline: changes are kept on this computer and sent when the server is back.")
        if message:
            text += "  (" + message + ")"
        self.banner_label.setText(text)
        self.banner.show()

    def _show_pending_count(self, pending: int, rejected: int | None) -> None:
        if rejected is None:
            rejected = int(self.pending_button.property("rejected") or 0)
        self.pending_button.setProperty("rejected", rejected)
        text = _tr("Pending: {count}").format(count=pending)
        if rejected:
            text += " · " + _tr("{count} rejected").format(count=rejected)
        self.pending_button.setText(text)
        self.pending_button.setStyleSheet("color: #c62828;" if rejected else "")

    def _update_sync_label(self) -> None:
        if self._last_sync is None:
            return
        self.last_sync_label.setText(_tr("Last sync {time}").format(time=timefmt.clock(self._last_sync)))

    def sync_now(self) -> None:
        if self._sync_now is not None:
            self._sync_now()

    # -- live updates -----------------------------------------------------------------------

    def apply_changes(self, entities: Any) -> None:
        """Refresh what `entities` (a set of table names, or OpChanges) touched; coalesced.

        A plain set comes from a sync round (page by page): the inbox then refreshes at most
        once a second, and at once when the round ends. An OpChanges is the agent's own
        action, which they expect to see in the inbox right away."""
        local = hasattr(entities, "entities")
        names = {str(n) for n in getattr(entities, "entities", entities) or ()}
        self._pending_live.update(names)
        self._pending_live.add("outbox")
        if names & LIVE_ENTITIES_INBOX:
            self._inbox_due = True
            self._inbox_now = self._inbox_now or local
        # The timer may be waiting for the inbox's turn: the rest must not wait that long.
        if not self._live_timer.isActive() or self._live_timer.remainingTime() > LIVE_DELAY_MS:
            self._live_timer.start(LIVE_DELAY_MS)

    def _refresh_inbox_live(self) -> bool:
        """Refresh the inbox if one is due and its turn has come; else arm the timer for it."""
        if not self._inbox_due:
            return False
        now, last = self._monotonic(), self._inbox_refreshed_at
        if not self._inbox_now and last is not None and now - last < LIVE_INBOX_INTERVAL_S:
            if not self._live_timer.isActive():
                self._live_timer.start(int((LIVE_INBOX_INTERVAL_S - (now - last)) * 1000) + 1)
            return False
        self._inbox_due = self._inbox_now = False
        self._inbox_refreshed_at = now
        self.inbox.refresh()
        return True

    def _apply_live(self) -> None:
        names, self._pending_live = self._pending_live, set()
        refreshed_inbox = self._refresh_inbox_live()
        if self._current_id is not None:
            if names & LIVE_ENTITIES_TIMELINE:
                self.timeline_model.reload()
            if names & LIVE_ENTITIES_CUSTOMER:
                self.customer_panel.reload()
        if "users" in names:
            self._load_names()
        if names & LIVE_ENTITIES_SCRIPTS:
            self.load_scripts()
        if names & LIVE_ENTITIES_OFFERS:
            self.load_offers()
        if names & LIVE_ENTITIES_ARRIVALS:
            self.check_arrivals()
        if "calls" in names and self._call_watcher is not None:
            self._call_watcher.refresh()  # the call record follows the change; its timer is a fallback
        if refreshed_inbox or not self._inbox_due:  # the tab counts go with the inbox they count
            self._refresh_counts()

    def _load_names(self) -> None:
        reader = self._reader
        self._runner.run_in_background(owner=self, fn=reader.user_names, on_success=self._names_arrived)

    def _names_arrived(self, names: dict[str, str]) -> None:
        self._names = dict(names)
        self.conversation_panel.set_names(names)

    # -- use cases --------------------------------------------------------------------------

    def _run(self, op: Callable[[], Any], *, on_done: Callable[[], None] | None = None,
             on_error: Callable[[str], None] | None = None) -> None:
        if self._services is None:
            message = _tr("Changes are not available in this session.")
            (on_error or self._show_error)(message)
            return

        def success(changes: Any) -> None:
            self.apply_changes(changes)
            if on_done is not None:
                on_done()

        def failure(exc: BaseException) -> None:
            message = str(getattr(exc, "message", "") or exc)
            (on_error or self._show_error)(message)

        self._runner.run_in_background(owner=self, fn=op, on_success=success, on_failure=failure)

    def _show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)

    def claim(self) -> None:
        cid = self._current_id
        if cid is None:
            return
        services = self._services
        self._run(lambda: services.claim(cid), on_done=lambda: self.statusBar().showMessage(_tr("Claimed."), 4000))

    def set_fields(self, fields: dict[str, Any]) -> None:
        cid = self._current_id
        if cid is None:
            return
        services = self._services
        self._run(lambda: services.set_fields(cid, **fields), on_error=self._fields_failed)

    def _fields_failed(self, message: str) -> None:
        self._show_error(message)
        self._refresh_current()  # put the selectors back to the stored values

    def _send(self, body: str, channel: str, note: bool) -> None:
        cid = self._current_id
        if cid is None:
            return
        services = self._services
        if note:
            op: Callable[[], Any] = lambda: services.add_note(cid, body)  # noqa: E731
        else:
            ref, subject = self.conversation_panel.script_ref, self.conversation_panel.script_subject
            extra: dict[str, Any] = {}
            if ref is not None:
                extra = {"script_id": ref[0], "script_version": ref[1]}
            if subject and (channel or "") == "email":
                extra["subject"] = subject
            op = lambda: services.reply(cid, body, channel=channel or None, **extra)  # noqa: E731
        panel = self.conversation_panel
        self._run(op, on_done=panel.sent, on_error=panel.send_failed)

    # -- dialogs ----------------------------------------------------------------------------

    def show_pending_changes(self) -> PendingChangesDialog | None:
        if self._services is None:
            return None
        dialog = PendingChangesDialog(
            services=self._services, confirm=self._confirm, on_changed=self.apply_changes, parent=self
        )
        dialog.setModal(False)
        dialog.show()
        self.pending_dialog = dialog
        return dialog

    def show_cheat_sheet(self) -> CheatSheetDialog:
        if self.cheat_sheet is not None:
            self.cheat_sheet.close()
        dialog = CheatSheetDialog([(k, t) for k, t, _ in self.shortcut_table()], parent=self, can_customize=True)
        if dialog.customize_button is not None:
            dialog.customize_button.clicked.connect(lambda: (dialog.close(), self.show_shortcuts_dialog()))
        dialog.show()
        self.cheat_sheet = dialog
        return dialog

    # -- case work --------------------------------------------------------------------------

    def update_case_record(self, values: dict[str, Any]) -> None:
        cid = self._current_id
        panel = self.conversation_panel
        if cid is None:
            panel.case_record_saved()
            return
        services = self._services

        def saved() -> None:
            panel.case_record_saved()
            self.statusBar().showMessage(_tr("Case record saved."), 4000)

        def failed(message: str) -> None:
            panel.case_record_saved()
            self._show_error(message)

        self._run(lambda: services.update_case_record(cid, **values), on_done=saved, on_error=failed)

    def edit_case_record(self) -> None:
        if self._current_id is not None:
            self.conversation_panel.set_case_record_open(True)

    def show_transfer(self) -> TransferDialog | None:
        cid = self._current_id
        if cid is None or self._services is None:
            return None
        row = self.conversation_panel.conversation or {}
        dialog = TransferDialog(users=self._names, me=self._user_id, current_queue=row.get("queue"), parent=self)
        services = self._services

        def submitted(target: dict[str, Any]) -> None:
            def done() -> None:
                dialog.accept()
                self.statusBar().showMessage(_tr("Transferred."), 4000)

            self._run(lambda: services.transfer(cid, **target), on_done=done, on_error=dialog.failed)

        dialog.submitted.connect(submitted)
        dialog.setModal(False)
        dialog.show()
        self.transfer_dialog = dialog
        return dialog

    def show_open_case(self, item: dict[str, Any], order: dict[str, Any], kind: str = "return") -> OpenCaseDialog | None:
        if self._services is None:
            return None
        services, clock = self._services, self._clock

        def assess_fn(**facts: Any) -> Any:
            return assess(getattr(services, "policy", None), now=clock(), **facts)

        dialog = OpenCaseDialog(item=item, order=order, assess_fn=assess_fn, kind=kind, parent=self)
        conversation_id = self._current_id
        if conversation_id is not None:
            row = self.conversation_panel.conversation or {}
            if row.get("customer_id") not in (None, order.get("customer_id")):
                conversation_id = None

        def submitted(args: dict[str, Any]) -> None:
            def done() -> None:
                dialog.accept()
                self.statusBar().showMessage(_tr("Case opened."), 4000)

            self._run(
                lambda: services.open_case(order_item_id=str(item["id"]), conversation_id=conversation_id, **args),
                on_done=done, on_error=dialog.failed,
            )  # fmt: skip

        dialog.submitted.connect(submitted)
        dialog.setModal(False)
        dialog.show()
        self.open_case_dialog = dialog
        return dialog

    # -- privacy ----------------------------------------------------------------------------

    def reveal_contact(self, customer_id: str, field: str) -> None:
        if self._reveal is None or not self.customer_panel.can_reveal:
            return
        reveal, panel = self._reveal, self.customer_panel
        self._runner.run_in_background(owner=self, fn=
            lambda: reveal(customer_id, field),
            on_success=lambda value: panel.set_revealed(customer_id, field, str(value or "")),
            on_failure=lambda exc: self._show_error(
                _tr("Could not reveal: {error}").format(error=getattr(exc, "detail", "") or exc)
            ),
        )  # fmt: skip

    @property
    def locked(self) -> bool:
        return self.lock_dialog is not None and self.lock_dialog.isVisible()

    def lock(self) -> None:
        if self._check_password is None or self.locked:
            return
        central = self.centralWidget()
        if central is not None:
            central.hide()
        self.customer_panel.forget_revealed()
        if self.screen_pop is not None:
            self.screen_pop.hide()
        if self.notifier.toast is not None:
            self.notifier.toast.hide()  # it may name a customer; toasts while locked do not
        self.privacy_cover.cover()  # docks and floating windows, back as they were on unlock
        name = str(self._user.get("username") or "")
        dialog = LockDialog(user=name, check=self._check_password, parent=self)
        self.privacy_cover.allow(dialog)
        dialog.accepted.connect(self._unlocked)
        self.lock_dialog = dialog
        dialog.open()

    @property
    def idle_lock_minutes(self) -> float:
        return self.idle.timeout_ms / 60_000

    def set_idle_lock_minutes(self, minutes: float) -> None:
        """Lock after `minutes` without input; remembered in the UI settings."""
        minutes = max(1.0, float(minutes))
        if self._check_password is not None:
            self.idle.set_timeout(int(minutes * 60_000))
        if self._settings is not None:
            self._settings.setValue("privacy/idle_lock_minutes", int(minutes))
            self._settings.sync()

    def ask_idle_lock_minutes(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        current = int(self._settings.value("privacy/idle_lock_minutes", 15)) if self._settings is not None else 15
        minutes, ok = QInputDialog.getInt(
            self, _tr("Idle lock"), _tr("Lock the workstation after this many minutes without input:"),
            current, 1, 240,
        )  # fmt: skip
        if ok:
            self.set_idle_lock_minutes(minutes)

    def _unlocked(self) -> None:
        central = self.centralWidget()
        if central is not None:
            central.show()
        self.privacy_cover.lift()
        self.idle.rearm()
        self.lock_dialog = None

    # -- themes -----------------------------------------------------------------------------

    def set_theme(self, name: str) -> None:
        app = QApplication.instance()
        applied = theme.apply(app if isinstance(app, QApplication) else None, name)
        theme.save(self._settings, applied)
        for key, action in self.theme_actions.items():
            action.setChecked(key == applied)
        self._style_banner()
        self.conversation_panel.apply_theme()

    # -- phone ------------------------------------------------------------------------------

    def on_screen_pop(self, pop: dict[str, Any]) -> None:
        """A ringing call from the live stream: pop it when it rings for me (or for anyone)."""
        agent = str(pop.get("agent") or "")
        if agent and agent not in (str(self._user.get("username") or ""), str(self._user_id or "")):
            return
        if self.locked:
            return  # nobody is at the desk (and a locked screen shows no customer)
        self.show_screen_pop(pop)

    def show_screen_pop(self, pop: dict[str, Any]) -> ScreenPopPanel:
        if self.screen_pop is None:
            self.screen_pop = ScreenPopPanel(self)
            self.screen_pop.open_customer.connect(self.open_customer)
            self.screen_pop.answer_requested.connect(self.start_call_record)
        panel = self.screen_pop
        panel.show_pop(pop)
        geo = self.geometry()
        panel.move(geo.right() - panel.width() - 24, geo.top() + 60)
        if not (self.call_record_dock is not None and self.call_record_dock.panel.active):
            self._ringing = dict(pop)  # answered on the phone → the record opens by itself
            self._watch_call(str(pop.get("call_id") or ""), ringing=True)
        customer = pop.get("customer_id")
        if customer:
            reader, cid = self._reader, str(customer)
            self._runner.run_in_background(owner=self, fn=
                lambda: reader.customer_card(cid),
                on_success=lambda card: panel.show_customer(cid, card),
                on_failure=lambda _exc: panel.show_customer(cid, None),
            )  # fmt: skip
        return panel

    # -- the call record (workstation/ui/call_record.py) ------------------------------------

    call_record_dock: Any = None  # CallRecordDock, made on the first answered call
    _call_watcher: Any = None  # CallWatcher
    _ringing: dict[str, Any] | None = None  # the popped call, until it is answered or over

    def start_call_record(self, pop: dict[str, Any], answered: datetime | None = None) -> Any:
        """The agent answered: open the call record (a `CallRecordPanel` in a dock) with its
        running timer and the caller. None when the agent kept a previous call's notes."""
        from workstation.ui.call_record import CallRecordDock, CallRecordPanel

        call_id = str(pop.get("call_id") or "")
        dock = self.call_record_dock
        if dock is not None and dock.panel.active and dock.panel.call_id == call_id:
            dock.show()
            return dock.panel
        if dock is not None and not dock.may_close():
            return None  # the agent keeps the unsaved notes of the previous call
        if dock is None:
            panel = CallRecordPanel(clock=self._clock, parent=self)
            dock = CallRecordDock(panel, confirm=self._confirm, parent=self)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            panel.save_requested.connect(self.save_call_record)
            panel.open_customer.connect(self.open_customer)
            panel.open_conversation.connect(self.open_conversation)
            panel.customer_changed.connect(self._call_customer)
            panel.finished.connect(lambda: self._call_watcher.stop() if self._call_watcher else None)
            self.call_record_dock = dock
        self._ringing = None
        if self.screen_pop is not None:
            self.screen_pop.hide()
        dock.panel.start(pop, answered=answered)
        dock.bring_forward()
        self._watch_call(call_id)
        customer = str(pop.get("customer_id") or "")
        if customer:
            self._call_customer(customer)
            if not self.conversation_panel.editor.toPlainText().strip():
                self.open_customer(customer)  # never away from a reply being written
        return dock.panel

    def _call_customer(self, customer_id: str) -> None:
        dock, reader = self.call_record_dock, self._reader
        if dock is None:
            return
        panel = dock.panel
        self._runner.run_in_background(owner=self, fn=
            lambda: reader.customer_card(customer_id),
            on_success=lambda card: panel.set_customer(customer_id, card),
            on_failure=lambda _exc: panel.set_customer(customer_id, None),
        )  # fmt: skip

    def _watch_call(self, call_id: str, *, ringing: bool = False) -> None:
        from workstation.ui.call_record import RING_WATCH_MS, CallWatcher

        services = self._services
        if not call_id or services is None or not hasattr(services, "call"):
            return
        if self._call_watcher is None:
            self._call_watcher = CallWatcher(fetch=services.call, runner=self._runner, parent=self)
            self._call_watcher.row_changed.connect(self._on_call_row)
        self._call_watcher.watch(call_id, for_ms=RING_WATCH_MS if ringing else None)

    def _on_call_row(self, row: dict[str, Any]) -> None:
        """The cached call changed: follow it in the record, or open the record when the
        server says I answered the popped call."""
        from workstation.services.calls import answered_at

        call_id = str(row.get("id") or "")
        dock = self.call_record_dock
        if dock is not None and dock.panel.active and dock.panel.call_id == call_id:
            dock.panel.update_row(row)
            return
        pop = self._ringing
        if pop is None or str(pop.get("call_id") or "") != call_id:
            return
        mine = bool(self._user_id) and str(row.get("agent_id") or "") == self._user_id
        if mine and row.get("answered_at"):
            panel = self.start_call_record(pop, answered=answered_at(row))
            if panel is not None:
                panel.update_row(row)
        elif row.get("state") in ("ended", "missed") or (row.get("answered_at") and not mine):
            self._ringing = None  # missed, or a colleague took it
            if self._call_watcher is not None:
                self._call_watcher.stop()

    def save_call_record(self, call_id: str, notes: str, wrap_up_code: object) -> None:
        dock, services = self.call_record_dock, self._services
        if dock is None:
            return
        panel = dock.panel
        if services is None:
            panel.save_failed(_tr("Changes are not available in this session."))
            return
        offline = self._sync_state == "offline"
        code = str(wrap_up_code) if wrap_up_code else None

        def saved(changes: Any) -> None:
            self.apply_changes(changes)
            panel.saved(offline=offline)

        def failed(exc: BaseException) -> None:
            panel.save_failed(str(getattr(exc, "message", "") or exc), getattr(exc, "field", None))

        self._runner.run_in_background(owner=self, fn=
            lambda: services.record_call_notes(call_id, notes, code, allow_uncached=True),
            on_success=saved, on_failure=failed,
        )  # fmt: skip

    def _customer_merged(self, kept_id: str, merged_id: str) -> None:
        """A merge at the server: the moved rows arrive with the pull it asked for."""
        from workstation.services.changes import OpChanges
        from workstation.services.customers import MERGED_ENTITIES

        self.apply_changes(OpChanges(entities=MERGED_ENTITIES))  # the agent's own action: no waiting
        self.statusBar().showMessage(_tr("Customers merged; their histories are now one."), 8000)

    def open_customer(self, customer_id: str) -> None:
        """Show the customer, with their latest conversation when the cache has one."""
        reader = self._reader
        latest = getattr(reader, "latest_conversation_of", None)
        if latest is None:
            self.customer_panel.show_customer(customer_id)
            return

        def arrived(conversation_id: str | None) -> None:
            if conversation_id:
                self.open_conversation(conversation_id)
            else:
                self.customer_panel.show_customer(customer_id)

        self._runner.run_in_background(owner=self, fn=lambda: latest(customer_id), on_success=arrived)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.stop()
        if self.screen_pop is not None:
            self.screen_pop.hide()
        self.save_layout()
        self._clock_timer.stop()
        self._live_timer.stop()
        self.inbox.stop()
        self.notifier.close()
        super().closeEvent(event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.notifier.reposition()
