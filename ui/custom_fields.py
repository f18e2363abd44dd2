"""Editors generated from a category's FieldDefinitions: text, number, date, choice and yes/no."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from models import FieldDefinition, FieldType

YES_NO = (("", ""), ("Yes", "yes"), ("No", "no"))


@dataclass
class FieldEditor:
    """One generated editor: its widget plus how to read and write the field's text."""

    key: str  # "custom.<key>"
    label: str
    required: bool
    widget: QWidget

    def text(self) -> str:
        if isinstance(self.widget, QComboBox):
            data = self.widget.currentData()
            return str(data if data is not None else self.widget.currentText())
        assert isinstance(self.widget, QLineEdit)
        return self.widget.text().strip()

    def set_text(self, value: str) -> None:
        if isinstance(self.widget, QComboBox):
            found = self.widget.findData(value)
            if found < 0:
                found = self.widget.findText(value)
            if found < 0 and value:
                self.widget.addItem(value, value)  # a value from an older definition stays visible
                found = self.widget.count() - 1
            self.widget.setCurrentIndex(max(found, 0))
        else:
            assert isinstance(self.widget, QLineEdit)
            self.widget.setText(value)


def stored_text(definition_type: FieldType, value: object) -> str:
    """The form text of a stored custom value (yes/no as yes/no, numbers without a needless .0)."""
    if value is None:
        return ""
    if definition_type == FieldType.YES_NO or isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def build_editor(definition: FieldDefinition, parent: QWidget | None = None) -> FieldEditor:
    widget: QWidget
    if definition.type == FieldType.CHOICE:
        combo = QComboBox(parent)
        combo.addItem("", "")
        for choice in definition.choices:
            combo.addItem(choice, choice)
        widget = combo
    elif definition.type == FieldType.YES_NO:
        combo = QComboBox(parent)
        for label, value in YES_NO:
            combo.addItem(label, value)
        widget = combo
    else:
        line = QLineEdit(parent)
        if definition.type == FieldType.NUMBER:
            line.setPlaceholderText("Number")
        elif definition.type == FieldType.DATE:
            line.setPlaceholderText("YYYY-MM-DD")
        elif definition.help_text:
            line.setPlaceholderText(definition.help_text)
        widget = line
    widget.setObjectName(f"custom_{definition.key}")
    widget.setAccessibleName(definition.label + (" (required)" if definition.required else ""))
    if definition.help_text:
        widget.setToolTip(definition.help_text)
    return FieldEditor(f"custom.{definition.key}", definition.label, definition.required, widget)
