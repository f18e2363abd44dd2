"""The asset's fields as a form: common fields, the category's own fields, and an inline message under each."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.assets import ASSET_FIELDS
from models import AssetStatus, FieldDefinition
from ui.custom_fields import FieldEditor, build_editor

#: Sections of common fields, in form (and Tab) order.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("", ("category_id", "manufacturer", "model", "serial")),
    ("Network", ("hostname", "ip_address", "mac_address", "os")),
    ("Where and who", ("site_id", "location_id", "assigned_user", "department")),
    ("Lifecycle", ("status", "managed", "critical", "purchase_date", "warranty_end")),
    ("Purchase", ("purchase_cost", "currency", "supplier", "order_number", "model_number", "previous_tag")),
)
#: Enter moves through these (then the category's fields); Enter on the last one saves.
QUICK_FIELDS = ("category_id", "manufacturer", "model", "serial")
LABELS = {**ASSET_FIELDS, "manufacturer": "Make"}
#: One label width for every section, so all the fields line up in one column.
LABEL_WIDTH = 150
Choices = Sequence[tuple[str, str]]  # (label, value)


def narrow(combo: QComboBox) -> None:
    """Long choices (location paths) must not widen the whole form; the popup still shows them in full."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)


def field_error(parent: QWidget) -> QLabel:
    """The message under a field (hidden until there is one), styled by the theme as an error."""
    label = QLabel(parent)
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


class AssetForm(QWidget):
    """Reads and writes field texts; it never validates (the services do, and their messages land here)."""

    edited = Signal()
    category_changed = Signal(str)
    #: The category's editors were rebuilt (the quick-tag keys must reach the new widgets).
    fields_rebuilt = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.locations_for: Callable[[str], Choices] = lambda _site: ()
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.custom: list[FieldEditor] = []
        #: What the category section was built from, so showing another asset of the category keeps its editors.
        self._custom_built_from: tuple[object, ...] | None = None
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self._custom_title = QLabel("CATEGORY FIELDS", self)
        self._custom_title.setObjectName("sectionTitle")
        self._custom_box = QWidget(self)
        self._custom_layout = self._form(self._custom_box)
        for title, fields in SECTIONS:
            if title:
                label = QLabel(title.upper(), self)
                label.setObjectName("sectionTitle")
                layout.addWidget(label)
            box = QWidget(self)
            form = self._form(box)
            for name in fields:
                self._add_row(form, name, self._make_input(name), LABELS[name])
            layout.addWidget(box)
            if not title:  # the category's own fields follow the quick fields
                layout.addWidget(self._custom_title)
                layout.addWidget(self._custom_box)
        notes_title = QLabel("NOTES", self)
        notes_title.setObjectName("sectionTitle")
        layout.addWidget(notes_title)
        notes = QPlainTextEdit(self)
        notes.setObjectName("notes")
        notes.setAccessibleName("Notes")
        notes.setFixedHeight(64)
        notes.setTabChangesFocus(True)
        notes.textChanged.connect(self._changed)
        self.inputs["notes"] = notes
        layout.addWidget(notes)
        self.errors["notes"] = self._error_label()
        layout.addWidget(self.errors["notes"])
        layout.addStretch(1)
        self._custom_title.setVisible(False)

    # -- building ----------------------------------------------------------------------------------------------
    def _form(self, box: QWidget) -> QFormLayout:
        form = QFormLayout(box)
        form.setContentsMargins(0, 2, 0, 2)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(4)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return form

    def _error_label(self) -> QLabel:
        return field_error(self)

    def _make_input(self, name: str) -> QWidget:
        widget: QWidget
        if name in ("category_id", "site_id", "location_id", "status"):
            combo = QComboBox(self)
            narrow(combo)
            combo.currentIndexChanged.connect(self._changed)
            if name == "status":
                for status in AssetStatus:
                    combo.addItem(status.label, status.value)
            elif name == "category_id":
                combo.currentIndexChanged.connect(lambda _i: self._category_switched())
            elif name == "site_id":
                combo.currentIndexChanged.connect(lambda _i: self._fill_locations())
            widget = combo
        elif name in ("managed", "critical"):
            check = QCheckBox(self)
            check.toggled.connect(self._changed)
            widget = check
        else:
            line = QLineEdit(self)
            line.textEdited.connect(self._changed)
            if name in ("purchase_date", "warranty_end"):
                line.setPlaceholderText("YYYY-MM-DD")
            elif name == "currency":
                line.setPlaceholderText("EUR, CHF, USD")
            widget = line
        widget.setObjectName(name)
        widget.setAccessibleName(LABELS[name])
        self.inputs[name] = widget
        return widget

    def _add_row(self, form: QFormLayout, name: str, widget: QWidget, label: str, required: bool = False) -> None:
        box = form.parentWidget()
        holder = QWidget(box)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        error = self._error_label()
        column.addWidget(error)
        self.errors[name] = error
        caption = QLabel(f"{label} *" if required else label, box)
        caption.setBuddy(widget)
        caption.setMinimumWidth(LABEL_WIDTH)
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if required:
            caption.setToolTip("Required for this category")
        form.addRow(caption, holder)
        # Rows added while the form is on screen are shown now, not on the next event loop turn, so that
        # the quick-tag flow can put the focus in them at once.
        holder.show()
        caption.show()

    # -- choices -----------------------------------------------------------------------------------------------
    def set_choices(self, name: str, choices: Choices, blank: str = "") -> None:
        combo = self.inputs[name]
        assert isinstance(combo, QComboBox)
        # Restored, not cleared: refilling the sites refills the locations inside this call, and the sites'
        # own refill that follows is no edit either.
        was_loading, self._loading = self._loading, True
        try:
            current = combo.currentData()
            combo.clear()
            combo.addItem(blank, "")
            for label, value in choices:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(combo.findData(current), 0))
        finally:
            self._loading = was_loading

    def _fill_locations(self) -> None:
        site = self.text("site_id")
        self.set_choices("location_id", self.locations_for(site) if site else ())

    def set_category_fields(self, definitions: Sequence[FieldDefinition], title: str = "") -> None:
        """Replace the category section with editors for these definitions (values of kept keys survive)."""
        fields = ((d.key, d.label, d.type, d.required, tuple(d.choices), d.help_text) for d in definitions)
        built_from = (title, *fields)
        if built_from == self._custom_built_from:
            return  # the same fields: rebuilding them costs a few ms per asset while tagging a room
        self._custom_built_from = built_from
        kept = {editor.key: editor.text() for editor in self.custom}
        while self._custom_layout.rowCount():
            self._custom_layout.removeRow(0)
        for editor in self.custom:
            self.inputs.pop(editor.key, None)
            self.errors.pop(editor.key, None)
        self.custom = []
        for definition in definitions:
            editor = build_editor(definition, self._custom_box)
            if isinstance(editor.widget, QComboBox):
                narrow(editor.widget)
            self.custom.append(editor)
            self.inputs[editor.key] = editor.widget
            self._add_row(self._custom_layout, editor.key, editor.widget, editor.label, editor.required)
            if editor.key in kept:
                editor.set_text(kept[editor.key])
            if isinstance(editor.widget, QComboBox):
                editor.widget.currentIndexChanged.connect(self._changed)
            elif isinstance(editor.widget, QLineEdit):
                editor.widget.textEdited.connect(self._changed)
        self._custom_title.setText(f"{title or 'Category'} fields".upper())
        self._custom_title.setVisible(bool(definitions))
        self.fields_rebuilt.emit()

    def _category_switched(self) -> None:
        if not self._loading:
            self.category_changed.emit(self.text("category_id"))

    def _changed(self, *_args: object) -> None:
        if not self._loading:
            self.edited.emit()

    # -- values ------------------------------------------------------------------------------------------------
    def text(self, name: str) -> str:
        widget = self.inputs[name]
        if isinstance(widget, QComboBox):
            data = widget.currentData()
            return str(data) if data is not None else widget.currentText()
        if isinstance(widget, QCheckBox):
            return "yes" if widget.isChecked() else "no"
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText().strip()
        assert isinstance(widget, QLineEdit)
        return widget.text().strip()

    def values(self) -> dict[str, str]:
        """Every field's text, custom fields as "custom.<key>"."""
        result = {name: self.text(name) for name in self.inputs if not name.startswith("custom.")}
        result.update({editor.key: editor.text() for editor in self.custom})
        return result

    def set_value(self, name: str, value: str) -> None:
        widget = self.inputs.get(name)
        if widget is None:
            return
        if isinstance(widget, QComboBox):
            found = widget.findData(value)
            widget.setCurrentIndex(max(found, 0))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(value == "yes")
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        elif isinstance(widget, QLineEdit):
            widget.setText(value)
            widget.setCursorPosition(0)
        for editor in self.custom:
            if editor.key == name:
                editor.set_text(value)

    def load(self, values: dict[str, str]) -> None:
        """Show these texts without signalling edits; the category's fields must already be set."""
        self._loading = True
        try:
            for name in ("site_id", "location_id"):  # the site decides which locations can be chosen
                if name in values:
                    self.set_value(name, values[name])
                    if name == "site_id":
                        self._fill_locations()
            for name, value in values.items():
                if name not in ("site_id", "location_id"):
                    self.set_value(name, value)
        finally:
            self._loading = False
        self.clear_errors()

    # -- messages ----------------------------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for name, label in self.errors.items():
            label.clear()
            label.setVisible(False)
            widget = self.inputs.get(name)
            if widget is not None and widget.property("invalid"):
                widget.setProperty("invalid", False)
                widget.style().unpolish(widget)
                widget.style().polish(widget)

    def show_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Put each message under its field; returns the messages that belong to no field shown here."""
        self.clear_errors()
        rest: dict[str, str] = {}
        first: QWidget | None = None
        for name, message in errors.items():
            label = self.errors.get(name)
            if label is None:
                rest[name] = message
                continue
            label.setText(message)
            label.setVisible(True)
            widget = self.inputs[name]
            widget.setProperty("invalid", True)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
            first = first or widget
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return rest

    def quick_chain(self) -> list[QWidget]:
        """The widgets Enter walks through, in order."""
        return [self.inputs[name] for name in QUICK_FIELDS] + [editor.widget for editor in self.custom]
