"""Dialogs that create or edit a client, a project, a site or a location; the checks are app/'s, in words."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.db import Workspace
from app.errors import CloseoutError, ValidationError
from app.projects import create_location, create_project, create_site, get_project, list_clients
from app.structure import (
    edit_project,
    inner_kind,
    start_client,
    suggest_code,
    suggest_project_code,
    update_client,
    update_location,
    update_site,
)
from models import Client, Location, LocationKind, Site
from ui import messages
from ui.asset_form import field_error


class SetupDialog(QDialog):
    """A short form saved through one service call. Problems show under their fields and what was typed stays;
    closing with changes asks Save / Discard / Cancel."""

    #: The id of the record saved.
    saved = Signal(str)

    def __init__(self, workspace: Workspace, actor: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace, self.actor = workspace, actor
        self.record_id = ""
        self.setWindowTitle(title)
        self.setObjectName("setupDialog")
        self.setMinimumWidth(440)
        outer = QVBoxLayout(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setVisible(False)
        outer.addWidget(self.intro)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.form)
        self.general_error = field_error(self)
        outer.addWidget(self.general_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.inputs: dict[str, QLineEdit | QComboBox | QSpinBox] = {}
        self.errors: dict[str, QLabel] = {}
        self._initial: dict[str, str] = {}

    def say(self, text: str) -> None:
        self.intro.setText(text)
        self.intro.setVisible(True)

    def add_field(self, name: str, label: str, widget: QLineEdit | QComboBox | QSpinBox, hint: str = "") -> None:
        widget.setObjectName(name)
        widget.setAccessibleName(label.replace("&", ""))
        if hint:
            widget.setToolTip(hint)
        if isinstance(widget, QLineEdit) and hint:
            widget.setPlaceholderText(hint)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(widget)
        error = field_error(self)
        column.addWidget(error)
        caption = QLabel(label, self)
        caption.setBuddy(widget)  # Alt + the underlined letter goes to the field
        self.form.addRow(caption, column)
        self.inputs[name], self.errors[name] = widget, error

    def set_texts(self, **texts: str) -> None:
        """Put these texts in the line fields (the form as loaded or suggested, not an edit)."""
        for name, text in texts.items():
            widget = self.inputs[name]
            assert isinstance(widget, QLineEdit)
            widget.setText(text)

    def text(self, name: str) -> str:
        widget = self.inputs[name]
        if isinstance(widget, QComboBox):
            return str(widget.currentData())
        if isinstance(widget, QSpinBox):
            return str(widget.value())
        return widget.text()

    def values(self) -> dict[str, str]:
        return {name: self.text(name) for name in self.inputs}

    def mark_loaded(self) -> None:
        """What is on screen now counts as unchanged (call after filling the form)."""
        self._initial = self.values()
        first = next(iter(self.inputs.values()), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(first, QLineEdit):
                first.selectAll()

    def changed(self) -> bool:
        return self.values() != self._initial

    def save(self, session: Session) -> str:
        """Write the form through the services; returns the record's id."""
        raise NotImplementedError

    def show_errors(self, errors: dict[str, str]) -> None:
        first: QWidget | None = None
        for name, label in self.errors.items():
            message = errors.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
            widget = self.inputs[name]
            widget.setProperty("invalid", bool(message))
            widget.style().unpolish(widget)
            widget.style().polish(widget)
            if message and first is None:
                first = widget
        rest = [message for name, message in errors.items() if name not in self.errors]
        self.general_error.setText("\n".join(rest))
        self.general_error.setVisible(bool(rest))
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        self.adjustSize()  # room for the messages, never a clipped one

    def accept(self) -> None:
        try:
            with self.workspace.transaction() as session:
                record_id = self.save(session)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except CloseoutError as exc:
            self.show_errors({"": exc.message})
            return
        self.record_id = record_id
        self._initial = self.values()
        super().accept()
        self.saved.emit(record_id)

    def reject(self) -> None:
        if self.changed():
            answer = messages.ask_save_changes(self, f"{self.windowTitle()}: what you typed is not saved. Save it?")
            if answer == messages.Answer.CANCEL:
                return
            if answer == messages.Answer.SAVE:
                self.accept()
                return
        super().reject()


class ClientDialog(SetupDialog):
    """A new client (with the default asset categories when it is the first), or a client's name and tag rules."""

    def __init__(self, workspace: Workspace, actor: str, client_id: str = "", parent: QWidget | None = None) -> None:
        super().__init__(workspace, actor, "Edit client" if client_id else "New client", parent)
        self.client_id = client_id
        self.add_field("name", "Client &name", QLineEdit(), "Acme Corporation")
        self.add_field("code", "&Code", QLineEdit(), "ACME")
        self.add_field("tag_prefix", "&Tag prefix", QLineEdit(), "Empty: any tag; e.g. ACME-")
        digits = QSpinBox()
        digits.setRange(1, 12)
        digits.setValue(6)
        self.add_field("tag_digits", "Tag &digits", digits, "Digits after the prefix in suggested tags")
        self.example = QLabel(self)
        self.example.setObjectName("tagExample")
        self.form.addRow("", self.example)
        with workspace.session() as session:
            self._taken = {c.code for c in list_clients(session) if c.id != client_id}
            client = session.get(Client, client_id) if client_id else None
            if client is not None:
                self.set_texts(name=client.name, code=client.code, tag_prefix=client.tag_prefix)
                digits.setValue(client.tag_digits)
        self._code_typed = bool(client_id)
        self._line("name").textEdited.connect(self._name_typed)
        self._line("code").textEdited.connect(lambda _t: setattr(self, "_code_typed", True))
        self._line("tag_prefix").textChanged.connect(self._show_example)
        digits.valueChanged.connect(self._show_example)
        self._show_example()
        self.mark_loaded()

    def _line(self, name: str) -> QLineEdit:
        widget = self.inputs[name]
        assert isinstance(widget, QLineEdit)
        return widget

    def _name_typed(self, text: str) -> None:
        if not self._code_typed:  # the code follows the name until the technician types one
            self._line("code").setText(suggest_code(text, self._taken))

    def _show_example(self) -> None:
        prefix = self._line("tag_prefix").text().strip().upper()
        number = "1".zfill(int(self.text("tag_digits")))
        self.example.setText(f"Suggested tags: {prefix}{number}" if prefix else "Any tag is accepted (no prefix).")

    def save(self, session: Session) -> str:
        v = self.values()
        name, code, prefix, digits = v["name"], v["code"], v["tag_prefix"], int(v["tag_digits"])
        if self.client_id:
            update_client(
                session, self.client_id, name=name, code=code, tag_prefix=prefix, tag_digits=digits, actor=self.actor
            )
            return self.client_id
        return start_client(session, name=name, code=code, tag_prefix=prefix, tag_digits=digits, actor=self.actor).id


class ProjectDialog(SetupDialog):
    def __init__(
        self, workspace: Workspace, actor: str, client_id: str, project_id: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(workspace, actor, "Edit project" if project_id else "New project", parent)
        self.client_id, self.project_id = client_id, project_id
        self.add_field("name", "Project &name", QLineEdit(), "Managed services activation")
        self.add_field("code", "&Code", QLineEdit(), "ACME-ONB")
        with workspace.session() as session:
            client = session.get(Client, client_id)
            self.say(f"For {client.name if client else 'this client'}.")
            if project_id:
                project = get_project(session, project_id)
                name, code = project.name, project.code
            else:
                name, code = "", suggest_project_code(session, client_id)
        self.set_texts(name=name, code=code)
        self.mark_loaded()

    def save(self, session: Session) -> str:
        v = self.values()
        if self.project_id:
            edit_project(session, self.project_id, code=v["code"], name=v["name"], actor=self.actor)
            return self.project_id
        return create_project(session, client_id=self.client_id, code=v["code"], name=v["name"], actor=self.actor).id


class SiteDialog(SetupDialog):
    def __init__(
        self, workspace: Workspace, actor: str, client_id: str, site_id: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(workspace, actor, "Edit site" if site_id else "New site", parent)
        self.client_id, self.site_id = client_id, site_id
        self.add_field("name", "Site &name", QLineEdit(), "Head office")
        self.add_field("code", "&Code", QLineEdit(), "HQ (optional)")
        self.add_field("address", "&Address", QLineEdit(), "Street, town (optional)")
        if site_id:
            with workspace.session() as session:
                site = session.get(Site, site_id)
                if site is not None:
                    self.set_texts(name=site.name, code=site.code, address=site.address)
        self.mark_loaded()

    def save(self, session: Session) -> str:
        v = self.values()
        if self.site_id:
            update_site(session, self.site_id, name=v["name"], code=v["code"], address=v["address"], actor=self.actor)
            return self.site_id
        site = create_site(
            session, client_id=self.client_id, name=v["name"], code=v["code"], address=v["address"], actor=self.actor
        )
        return site.id


class LocationDialog(SetupDialog):
    """A building, floor, room or rack inside a site or another location."""

    def __init__(
        self,
        workspace: Workspace,
        actor: str,
        site_id: str,
        parent_id: str | None = None,
        location_id: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(workspace, actor, "Edit location" if location_id else "New location", parent)
        self.site_id, self.parent_id, self.location_id = site_id, parent_id, location_id
        kind = QComboBox()
        for choice in LocationKind:
            kind.addItem(choice.label, choice.value)
        self.add_field("kind", "&Kind", kind)
        self.add_field("name", "&Name", QLineEdit(), "Building A, Floor 2, Server room, Rack 3…")
        with workspace.session() as session:
            site = session.get(Site, site_id)
            location = session.get(Location, location_id) if location_id else None
            if location is not None:
                self.parent_id = location.parent_id
            container = session.get(Location, self.parent_id) if self.parent_id else None
            where = " / ".join(filter(None, (site.name if site else "", container.path if container else "")))
            wanted = location.kind if location else inner_kind(container.kind if container else None)
            name = location.name if location else ""
        self.say(f"In {where}.")
        kind.setCurrentIndex(kind.findData(LocationKind(wanted).value))
        self.set_texts(name=name)
        self.mark_loaded()
        # The kind is usually right: the name is typed at once.
        self.inputs["name"].setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self, session: Session) -> str:
        v = self.values()
        if self.location_id:
            update_location(session, self.location_id, name=v["name"], kind=v["kind"], actor=self.actor)
            return self.location_id
        location = create_location(
            session, site_id=self.site_id, parent_id=self.parent_id, kind=v["kind"], name=v["name"], actor=self.actor
        )
        return location.id
