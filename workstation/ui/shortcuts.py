"""Customisable keyboard shortcuts of the desk.

`ACTIONS` names every desk action once (a stable id, its default keys and its description);
`ShortcutMap` is the user's current binding, read from and saved to QSettings
(``shortcuts/<id>`` = JSON list of portable key texts), with conflict detection;
`ShortcutsDialog` edits a copy of it with QKeySequenceEdit and hands the result back, and
the desk applies it at once (no restart).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

PORTABLE = QKeySequence.SequenceFormat.PortableText
NATIVE = QKeySequence.SequenceFormat.NativeText
SETTINGS_GROUP = "shortcuts"
MAX_KEYS = 2  # a primary and an alternative key per action


def _tr(text: str) -> str:
    return QCoreApplication.translate("Shortcuts", text)


def _desk(text: str) -> str:
    return QCoreApplication.translate("DeskWindow", text)


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    defaults: tuple[str, ...]
    text: str
    """English source of the description (translated in the DeskWindow context)."""
    fixed: bool = False
    """Bound by the widget that owns it (e.g. the composer's Ctrl+Enter): shown, not editable."""
    leads_only: bool = False

    @property
    def title(self) -> str:
        return _desk(self.text)


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("next_conversation", ("Ctrl+Down", "J"), "Next conversation"),
    ActionSpec("previous_conversation", ("Ctrl+Up", "K"), "Previous conversation"),
    ActionSpec("reply", ("R",), "Reply to the customer"),
    ActionSpec("note", ("N",), "Write an internal note"),
    ActionSpec("claim", ("C",), "Claim the conversation"),
    ActionSpec("search", ("Ctrl+F",), "Search"),
    ActionSpec("send", ("Ctrl+Return",), "Send the reply or note", fixed=True),
    ActionSpec("transfer", ("T",), "Transfer the conversation"),
    ActionSpec("case_record", ("E",), "Edit the case record"),
    ActionSpec("calculators", ("Ctrl+K",), "Show or hide the calculators"),
    ActionSpec("approvals", ("Ctrl+Shift+A",), "Show or hide the approvals", leads_only=True),
    ActionSpec("script_admin", ("Ctrl+Shift+S",), "Reply scripts (authoring)", leads_only=True),
    ActionSpec("pending_changes", ("Ctrl+Shift+P",), "Pending changes"),
    ActionSpec("sync_now", ("F5",), "Sync now"),
    ActionSpec("do_not_disturb", ("Ctrl+Shift+D",), "Do not disturb"),
    ActionSpec("notification_sound", (), "Notification sound"),
    ActionSpec("toggle_theme", ("Ctrl+Shift+T",), "Switch between light and dark theme"),
    ActionSpec("toggle_language", ("Ctrl+Shift+L",), "Switch language (中文 / English)"),
    ActionSpec("lock", ("Ctrl+L",), "Lock the workstation"),
    ActionSpec("idle_lock", (), "Lock after inactivity"),
    ActionSpec("customize_shortcuts", ("Ctrl+Alt+K",), "Customize keyboard shortcuts"),
    ActionSpec("cheat_sheet", ("F1",), "This cheat sheet"),
    ActionSpec("logout", (), "Sign out"),
    ActionSpec("quit", ("Ctrl+Q",), "Quit"),
)
ACTIONS_BY_ID: dict[str, ActionSpec] = {a.id: a for a in ACTIONS}

# Keys that text fields and lists need for themselves: binding them would break typing.
RESERVED: dict[str, str] = {
    **{k: "text editing" for k in ("Ctrl+C", "Ctrl+V", "Ctrl+X", "Ctrl+Z", "Ctrl+Y", "Ctrl+A", "Ctrl+Shift+Z",
                                    "Backspace", "Del", "Space", "Return", "Enter", "Ctrl+Enter")},
    **{k: "moving around" for k in ("Tab", "Shift+Tab", "Esc", "Up", "Down", "Left", "Right", "Home", "End",
                                     "PgUp", "PgDown")},
}


def normalize(keys: str | QKeySequence) -> str:
    """The portable text of a key sequence (``"Ctrl+Shift+A"``), "" for none or invalid."""
    seq = keys if isinstance(keys, QKeySequence) else QKeySequence.fromString(str(keys), PORTABLE)
    return seq.toString(PORTABLE) if not seq.isEmpty() else ""


def display(keys: str) -> str:
    """What the user reads for a portable key text (the platform's own spelling)."""
    return QKeySequence.fromString(keys, PORTABLE).toString(NATIVE) or keys


def reserved_reason(keys: str) -> str | None:
    """Why a key cannot be bound (translated), or None."""
    why = RESERVED.get(normalize(keys))
    if why == "text editing":
        return _tr("{keys} is needed for typing and editing text.").format(keys=display(keys))
    if why == "moving around":
        return _tr("{keys} is needed for moving around the window.").format(keys=display(keys))
    return None


class ShortcutMap:
    """Action id → its key texts (portable, at most `MAX_KEYS`)."""

    def __init__(self, bindings: Mapping[str, Iterable[str]] | None = None, *,
                 actions: Iterable[ActionSpec] = ACTIONS) -> None:  # fmt: skip
        self.actions: tuple[ActionSpec, ...] = tuple(actions)
        self._keys: dict[str, tuple[str, ...]] = {a.id: tuple(a.defaults) for a in self.actions}
        for action_id, keys in (bindings or {}).items():
            if action_id in self._keys:
                self.set(action_id, keys)

    # -- reading ----------------------------------------------------------------------------

    def keys(self, action_id: str) -> tuple[str, ...]:
        return self._keys.get(action_id, ())

    def as_dict(self) -> dict[str, tuple[str, ...]]:
        return dict(self._keys)

    def spec(self, action_id: str) -> ActionSpec:
        return next(a for a in self.actions if a.id == action_id)

    def owner_of(self, keys: str, *, besides: str | None = None) -> str | None:
        """The action (other than `besides`) that `keys` is bound to, or None."""
        wanted = normalize(keys)
        if not wanted:
            return None
        for action_id, bound in self._keys.items():
            if action_id != besides and wanted in bound:
                return action_id
        return None

    def conflicts(self) -> list[tuple[str, str, str]]:
        """(keys, action, other action) for every key bound twice."""
        seen: dict[str, str] = {}
        found = []
        for action_id, bound in self._keys.items():
            for k in bound:
                if k in seen and seen[k] != action_id:
                    found.append((k, seen[k], action_id))
                seen.setdefault(k, action_id)
        return found

    def is_default(self, action_id: str) -> bool:
        return self._keys.get(action_id) == tuple(self.spec(action_id).defaults)

    def copy(self) -> ShortcutMap:
        return ShortcutMap(self._keys, actions=self.actions)

    # -- changing ---------------------------------------------------------------------------

    def set(self, action_id: str, keys: Iterable[str]) -> None:
        cleaned: list[str] = []
        for k in keys:
            n = normalize(k)
            if n and n not in cleaned:
                cleaned.append(n)
        self._keys[action_id] = tuple(cleaned[:MAX_KEYS])

    def check(self, action_id: str, keys: str) -> str | None:
        """Why `keys` cannot go to `action_id` (a sentence for the user), or None when it can."""
        if not normalize(keys):
            return None
        reason = reserved_reason(keys)
        if reason:
            return reason
        other = self.owner_of(keys, besides=action_id)
        if other is not None:
            return _tr("{keys} is already used by “{action}”. Clear it there first, or choose another key.").format(
                keys=display(keys), action=self.spec(other).title
            )
        return None

    def reset(self, action_id: str | None = None) -> None:
        for a in self.actions:
            if action_id is None or a.id == action_id:
                self._keys[a.id] = tuple(a.defaults)

    # -- persistence ------------------------------------------------------------------------

    @classmethod
    def load(cls, settings: Any, *, actions: Iterable[ActionSpec] = ACTIONS) -> ShortcutMap:
        """The saved bindings (defaults for what was never changed; a saved set that clashes
        is ignored rather than leaving two actions on one key)."""
        result = cls(actions=actions)
        if settings is None:
            return result
        for a in result.actions:
            if a.fixed:
                continue
            raw = settings.value(f"{SETTINGS_GROUP}/{a.id}")
            if raw is None:
                continue
            try:
                keys = json.loads(str(raw))
            except ValueError:
                continue
            if isinstance(keys, list):
                trial = result.copy()
                trial.set(a.id, [str(k) for k in keys])
                if not any(a.id in (x, y) for _k, x, y in trial.conflicts()):
                    result.set(a.id, [str(k) for k in keys])
        return result

    def save(self, settings: Any) -> None:
        if settings is None:
            return
        for a in self.actions:
            key = f"{SETTINGS_GROUP}/{a.id}"
            if a.fixed or self.is_default(a.id):
                settings.remove(key)
            else:
                settings.setValue(key, json.dumps(list(self._keys[a.id])))
        settings.sync()


# -- the dialog ---------------------------------------------------------------------------------


class ShortcutModel(QAbstractTableModel):
    """Action | Shortcut | Alternative, over a `ShortcutMap` being edited."""

    COLUMNS = 3

    def __init__(self, shortcuts: ShortcutMap, actions: list[ActionSpec], parent: Any = None) -> None:
        super().__init__(parent)
        self.shortcuts = shortcuts
        self.actions = actions

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.actions)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.actions):
            return None
        action = self.actions[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return action.title
            keys = self.shortcuts.keys(action.id)
            k = index.column() - 1
            return display(keys[k]) if k < len(keys) else ""
        if role == Qt.ItemDataRole.UserRole:
            return action.id
        if role == Qt.ItemDataRole.FontRole and index.column() > 0 and not self.shortcuts.is_default(action.id):
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)  # changed from the default
            return font
        if role == Qt.ItemDataRole.ToolTipRole and action.fixed:
            return _tr("Set by the reply box; it cannot be changed here.")
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return (_tr("Action"), _tr("Shortcut"), _tr("Alternative"))[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsSelectable
        if not self.actions[index.row()].fixed:
            flags |= Qt.ItemFlag.ItemIsEnabled
        return flags

    def row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.COLUMNS - 1))

    def all_changed(self) -> None:
        if self.actions:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.actions) - 1, self.COLUMNS - 1))


class ShortcutsDialog(QDialog):
    """Edit the desk's shortcuts. `applied` carries the new `ShortcutMap` on OK."""

    applied = Signal(object)

    def __init__(self, shortcuts: ShortcutMap, *, leads: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(_tr("Keyboard shortcuts"))
        self.draft = shortcuts.copy()
        actions = [a for a in shortcuts.actions if leads or not a.leads_only]
        self.model = ShortcutModel(self.draft, actions, self)
        col = QVBoxLayout(self)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(_tr("Find an action or a key"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter)
        col.addWidget(self.filter_edit)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("Ctrl+Shift+Alt+M") + 16)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._select(cur.row()))
        col.addWidget(self.table, 1)

        form = QFormLayout()
        self.action_label = QLabel(self)
        self.action_label.setTextFormat(Qt.TextFormat.PlainText)
        self.primary_edit = QKeySequenceEdit(self)
        self.alternative_edit = QKeySequenceEdit(self)
        for edit in (self.primary_edit, self.alternative_edit):
            edit.setMaximumSequenceLength(1)
            edit.setClearButtonEnabled(True)
            edit.editingFinished.connect(self._edited)
            edit.keySequenceChanged.connect(lambda _s, e=edit: self._cleared(e))
        self.primary_edit.setAccessibleName(_tr("Shortcut"))
        self.alternative_edit.setAccessibleName(_tr("Alternative"))
        form.addRow(_tr("Action"), self.action_label)
        form.addRow(_tr("Shortcut"), self.primary_edit)
        form.addRow(_tr("Alternative"), self.alternative_edit)
        col.addLayout(form)
        self.message = QLabel(self)
        self.message.setObjectName("shortcutConflict")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet("color: #c62828;")
        col.addWidget(self.message)
        row = QHBoxLayout()
        self.default_button = QPushButton(_tr("Default for this action"), self)
        self.default_button.clicked.connect(self.reset_current)
        self.reset_all_button = QPushButton(_tr("Reset all to defaults"), self)
        self.reset_all_button.clicked.connect(self.reset_all)
        row.addWidget(self.default_button)
        row.addWidget(self.reset_all_button)
        row.addStretch(1)
        col.addLayout(row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_tr("Cancel"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        col.addWidget(self.buttons)
        self._row = -1
        self._loading = False
        self.resize(620, 560)
        self._select(0)
        self.table.selectRow(0)

    # -- selection --------------------------------------------------------------------------

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for r, action in enumerate(self.model.actions):
            keys = " ".join(display(k) for k in self.draft.keys(action.id)).lower()
            hidden = bool(needle) and needle not in action.title.lower() and needle not in keys
            self.table.setRowHidden(r, hidden)

    def current_action(self) -> ActionSpec | None:
        return self.model.actions[self._row] if 0 <= self._row < len(self.model.actions) else None

    def select_action(self, action_id: str) -> None:
        for r, a in enumerate(self.model.actions):
            if a.id == action_id:
                self.table.selectRow(r)
                self._select(r)
                return

    def _select(self, row: int) -> None:
        self._row = row
        action = self.current_action()
        self._loading = True
        try:
            self.message.clear()
            keys = self.draft.keys(action.id) if action else ()
            self.action_label.setText(action.title if action else "")
            for i, edit in enumerate((self.primary_edit, self.alternative_edit)):
                edit.setKeySequence(QKeySequence.fromString(keys[i], PORTABLE) if i < len(keys) else QKeySequence())
                edit.setEnabled(action is not None and not action.fixed)
            self.default_button.setEnabled(action is not None and not action.fixed)
            if action is not None and action.fixed:
                self.message.setStyleSheet("")
                self.message.setText(_tr("Set by the reply box; it cannot be changed here."))
        finally:
            self._loading = False

    # -- editing ----------------------------------------------------------------------------

    def set_keys(self, which: int, keys: str) -> bool:
        """Put `keys` in slot `which` (0 shortcut, 1 alternative) of the current action;
        False (and the reason shown) when it conflicts or is reserved."""
        action = self.current_action()
        if action is None or action.fixed:
            return False
        current = list(self.draft.keys(action.id))
        while len(current) < MAX_KEYS:
            current.append("")
        problem = self.draft.check(action.id, keys)
        if problem is None and normalize(keys) and normalize(keys) == current[1 - which]:
            problem = _tr("{keys} is already this action's other key.").format(keys=display(keys))
        if problem is not None:
            self.message.setStyleSheet("color: #c62828;")
            self.message.setText(problem)
            self._select_keys_back(action.id)
            return False
        current[which] = normalize(keys)
        self.draft.set(action.id, [k for k in current if k])
        self.message.clear()
        self.model.row_changed(self._row)
        self._select_keys_back(action.id, keep_message=True)
        return True

    def _select_keys_back(self, action_id: str, *, keep_message: bool = True) -> None:
        keys = self.draft.keys(action_id)
        self._loading = True
        try:
            for i, edit in enumerate((self.primary_edit, self.alternative_edit)):
                edit.setKeySequence(QKeySequence.fromString(keys[i], PORTABLE) if i < len(keys) else QKeySequence())
        finally:
            self._loading = False

    def _edited(self) -> None:
        if self._loading:
            return
        edit = self.sender()
        which = 0 if edit is self.primary_edit else 1
        seq = edit.keySequence() if isinstance(edit, QKeySequenceEdit) else QKeySequence()
        self.set_keys(which, normalize(seq))

    def _cleared(self, edit: QKeySequenceEdit) -> None:
        if self._loading or not edit.keySequence().isEmpty():
            return
        self.set_keys(0 if edit is self.primary_edit else 1, "")

    def reset_current(self) -> None:
        action = self.current_action()
        if action is None:
            return
        for k in action.defaults:
            other = self.draft.owner_of(k, besides=action.id)
            if other is not None:
                self.message.setStyleSheet("color: #c62828;")
                self.message.setText(
                    _tr("{keys} is already used by “{action}”. Clear it there first, or choose another key.").format(
                        keys=display(k), action=self.draft.spec(other).title
                    )
                )
                return
        self.draft.reset(action.id)
        self.model.row_changed(self._row)
        self._select(self._row)

    def reset_all(self) -> None:
        self.draft.reset()
        self.model.all_changed()
        self._select(self._row)
        self.message.setStyleSheet("")
        self.message.setText(_tr("All shortcuts are back to their defaults. Save to keep them."))

    def _accept(self) -> None:
        self.applied.emit(self.draft.copy())
        self.accept()
