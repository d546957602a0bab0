"""F1: the keyboard cheat sheet, listing the keys in effect now (customised ones included)."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("CheatSheet", text)


def _native(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) or keys


class CheatSheetDialog(QDialog):
    def __init__(self, shortcuts: list[tuple[str, str]], parent: QWidget | None = None, *,
                 can_customize: bool = False) -> None:  # fmt: skip
        """`shortcuts`: (key sequence text, translated description) pairs; an action with
        two keys comes twice in a row and is shown on one line."""
        super().__init__(parent)
        self.setObjectName("cheatSheet")
        self.setWindowTitle(_tr("Keyboard shortcuts"))
        layout = QVBoxLayout(self)
        merged: list[tuple[list[str], str]] = []
        for keys, text in shortcuts:
            if merged and merged[-1][1] == text:
                merged[-1][0].append(keys)
            else:
                merged.append(([keys], text))
        rows = "".join(
            "<tr><td style='padding:2px 16px 2px 0; white-space:nowrap'><b>"
            + " / ".join(html.escape(_native(k)) for k in keys)
            + "</b></td><td>"
            + html.escape(text)
            + "</td></tr>"
            for keys, text in merged
        )
        self.label = QLabel(f"<table>{rows}</table>", self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_tr("Close"))
        self.customize_button: QPushButton | None = None
        if can_customize:
            self.customize_button = buttons.addButton(_tr("Change shortcuts…"), QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.shortcuts = shortcuts
