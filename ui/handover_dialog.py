"""The knowledge-transfer dialog: schedule and hold the NOC briefing, tick topics, record acknowledgements."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any, cast

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.db import Workspace
from app.handover import (
    acknowledge,
    add_attendee,
    ensure_kt,
    get_kt,
    hold_kt,
    schedule_kt,
    set_topic,
    update_kt,
)
from app.projects import get_project
from models import ProjectStatus
from ui.dialog_guard import values_of
from ui.handover_models import Column, ProjectDialog, RecordTableModel, read
from ui.messages import show_error
from ui.runner import Runner

TEXT_FIELDS = (
    ("notes", "Notes"),
    ("questions", "Questions"),
    ("policies", "Policies and procedures"),
    ("maintenance_windows", "Maintenance windows"),
)


def to_qt(value: datetime | None) -> QDateTime:
    if value is None:
        return QDateTime.currentDateTime()
    return QDateTime.fromMSecsSinceEpoch(round(value.timestamp() * 1000))  # in the technician's local time


def from_qt(value: QDateTime) -> datetime:
    return cast(datetime, value.toPython()).astimezone(UTC)


def ack_text(value: Any) -> str:
    if not value:
        return "Not yet"
    try:
        return datetime.fromisoformat(str(value)).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


class KnowledgeTransferDialog(ProjectDialog):
    """Edits the project's one knowledge-transfer session through app.handover."""

    error_title = "Knowledge transfer"
    unsaved_question = "The knowledge-transfer notes and ticks you changed are not saved yet. Save them before closing?"

    def __init__(
        self,
        workspace: Workspace,
        project_id: str,
        actor: str,
        runner: Runner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            workspace,
            project_id,
            actor,
            runner,
            parent,
            name="knowledgeTransferDialog",
            title="Knowledge transfer to the NOC",
            size=(760, 640),
        )

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.scheduled = QDateTimeEdit()
        self.scheduled.setCalendarPopup(True)
        self.scheduled.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.presenter = QLineEdit()
        self.presenter.setPlaceholderText("Who briefs the NOC")
        self.held = QCheckBox("The session took place")
        form = QFormLayout()
        form.addRow("Scheduled", self.scheduled)
        form.addRow("Presenter", self.presenter)
        form.addRow("", self.held)

        topic_columns = [
            Column("covered", "Covered", checkable=True),
            Column("title", "Topic"),
            Column("notes", "Notes", editable=True),
        ]
        self.topics = RecordTableModel(topic_columns, parent=self)
        self.topics_view = self._table(self.topics)
        people_columns = [
            Column("name", "Attendee"),
            Column("role", "Role"),
            Column("acknowledged_at", "Acknowledged", display=ack_text),
        ]
        self.attendees = RecordTableModel(people_columns, parent=self)
        self.attendees_view = self._table(self.attendees)
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("Name")
        self.new_role = QLineEdit("NOC")
        self.add_button = QPushButton("Add attendee")
        self.ack_button = QPushButton("Acknowledged")
        self.ack_button.setToolTip("The selected attendee confirms they were briefed")
        people_row = QHBoxLayout()
        for w in (self.new_name, self.new_role, self.add_button, self.ack_button):
            people_row.addWidget(w)
        people = QWidget()
        people_layout = QVBoxLayout(people)
        people_layout.addWidget(self.attendees_view)
        people_layout.addLayout(people_row)

        self.texts: dict[str, QPlainTextEdit] = {}
        tabs = QTabWidget()
        tabs.addTab(self.topics_view, "Topics")
        tabs.addTab(people, "Attendees")
        for key, label in TEXT_FIELDS:
            edit = QPlainTextEdit()
            edit.setObjectName(f"kt_{key}")
            self.texts[key] = edit
            tabs.addTab(edit, label)
        self.tabs = tabs

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(tabs, 1)
        layout.addLayout(self.button_row(self.buttons))

        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(self.add_attendee)
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.reload()

    def edit_state(self) -> object:
        return (
            self.pending_attendee(),
            values_of([self.scheduled, self.presenter, self.held, self.topics, *self.texts.values()]),
        )

    def pending_attendee(self) -> tuple[str, str] | None:
        """An attendee typed but not added yet (Save adds them: Save keeps everything on screen)."""
        return (self.new_name.text(), self.new_role.text()) if self.new_name.text().strip() else None

    @staticmethod
    def _table(model: RecordTableModel) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setStretchLastSection(True)
        view.verticalHeader().setVisible(False)
        return view

    def reload(self) -> None:
        with self.workspace.transaction() as s:
            project = get_project(s, self.project_id)
            closed = project.status == ProjectStatus.CLOSED
            kt = get_kt(s, self.project_id) if closed else ensure_kt(s, self.project_id, actor=self.actor)
            code = project.code
            state: dict[str, Any] = {
                "scheduled_at": kt.scheduled_at if kt else None,
                "held_at": kt.held_at if kt else None,
                "presenter": kt.presenter if kt else "",
                "topics": list(kt.topics or []) if kt else [],
                "attendees": list(kt.attendees or []) if kt else [],
                **{key: getattr(kt, key) if kt else "" for key, _ in TEXT_FIELDS},
            }
        self._held_before = state["held_at"] is not None
        self.scheduled.setDateTime(to_qt(state["scheduled_at"]))
        self.presenter.setText(state["presenter"])
        self.held.setChecked(self._held_before)
        self.topics.set_rows(state["topics"])
        self.attendees.set_rows(state["attendees"])
        self.new_name.clear()
        for key, edit in self.texts.items():
            edit.setPlainText(state[key])
        held = f"Held {ack_text(state['held_at'].isoformat())}." if state["held_at"] else "Not held yet."
        self.banner.setText(
            f"<b>{html.escape(code)}</b>: {held}" + (" The project is closed; this is read-only." if closed else "")
        )
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        for w in (self.scheduled, self.presenter, self.held, self.add_button, self.ack_button, *self.texts.values()):
            w.setEnabled(not closed)
        self.topics_view.setEnabled(not closed)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not closed)
        self.mark_clean()

    def _attendees_written(self, _result: object) -> None:
        """Only the attendee list is read again: what is typed in the other fields stays as it is."""
        self.new_name.clear()
        self.attendees.set_rows(read(self.workspace, self._stored_attendees))
        self.saved.emit()

    def _stored_attendees(self, session: Session) -> list[dict[str, Any]]:
        kt = get_kt(session, self.project_id)
        return list(kt.attendees or []) if kt else []

    def add_attendee(self) -> None:
        name, role = self.new_name.text(), self.new_role.text()
        self.write(lambda s: add_attendee(s, self.project_id, name=name, role=role, actor=self.actor),
                   self._attendees_written)  # fmt: skip

    def selected_attendee(self) -> str | None:
        rows = self.attendees_view.selectionModel().selectedRows()
        return self.attendees.row(rows[0].row())["name"] if rows else None

    def acknowledge_selected(self) -> None:
        name = self.selected_attendee()
        if name is None:
            show_error(self, "Knowledge transfer", "Select the attendee who acknowledges the briefing.")
            return
        self.write(lambda s: acknowledge(s, self.project_id, name=name, actor=self.actor), self._attendees_written)

    def save(self) -> None:
        when = from_qt(self.scheduled.dateTime())
        presenter = self.presenter.text()
        topics = self.topics.rows()
        texts = {key: edit.toPlainText() for key, edit in self.texts.items()}
        hold = self.held.isChecked() and not self._held_before
        pending = self.pending_attendee()

        def work(s: Session) -> None:
            schedule_kt(s, self.project_id, when=when, presenter=presenter, actor=self.actor)
            update_kt(s, self.project_id, texts, actor=self.actor)
            for topic in topics:
                set_topic(s, self.project_id, key=topic["key"], covered=bool(topic.get("covered")),
                          notes=str(topic.get("notes", "")), actor=self.actor)  # fmt: skip
            if hold:
                hold_kt(s, self.project_id, actor=self.actor)
            if pending is not None:
                add_attendee(s, self.project_id, name=pending[0], role=pending[1], actor=self.actor)

        self.write_and_reload(work)
