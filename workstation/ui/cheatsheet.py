"""F1: the keyboard cheat sheet."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("CheatSheet", text)


class CheatSheetDialog(QDialog):
    def __init__(self, shortcuts: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        """`shortcuts`: (key sequence text, translated description) pairs."""
        super().__init__(parent)
        self.setWindowTitle(_tr("Keyboard shortcuts"))
        layout = QVBoxLayout(self)
        rows = "".join(
            "<tr><td style='padding:2px 16px 2px 0'><b>"
            + html.escape(QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) or keys)
            + "</b></td><td>"
            + html.escape(text)
            + "</td></tr>"
            for keys, text in shortcuts
        )
        self.label = QLabel(f"<table>{rows}</table>", self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.shortcuts = shortcuts
