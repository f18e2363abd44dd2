"""The go-live call dialog: services marked live, entry conditions, satisfaction, adoption and action items."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDateTimeEdit,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.db import Workspace
from app.golive import (
    ENTRY_CONDITIONS,
    add_action,
    ensure_call,
    entry_conditions_of,
    followed_conditions,
    get_call,
    hold_call,
    list_actions,
    mark_live,
    schedule_call,
    services_of,
    set_action_status,
    set_adoption,
    set_attendees,
    set_entry_condition,
    set_satisfaction,
)
from app.projects import get_project
from models import ActionStatus, ProjectStatus
from ui import theme
from ui.dialog_guard import values_of
from ui.handover_dialog import from_qt, to_qt
from ui.handover_models import Column, ProjectDialog, RecordTableModel, read
from ui.messages import show_error
from ui.runner import Runner


def status_text(value: Any) -> str:
    return ActionStatus(value).label if value else ""


class GoLiveDialog(ProjectDialog):
    """Edits the project's go-live call and its post-live action items through app.golive."""

    error_title = "Go-live call"
    unsaved_question = "The go-live call's changes are not saved yet. Save them before closing?"

    def __init__(
        self,
        workspace: Workspace,
        project_id: str,
        actor: str,
        runner: Runner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            workspace, project_id, actor, runner, parent, name="goLiveDialog", title="Go-live call", size=(820, 760)
        )
        self.banner = QLabel()
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.scheduled = QDateTimeEdit()
        self.scheduled.setCalendarPopup(True)
        self.scheduled.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.held = QCheckBox("The call took place")
        self.msp = QLineEdit()
        self.msp.setPlaceholderText("Names, separated by commas")
        self.client = QLineEdit()
        self.client.setPlaceholderText("Names, separated by commas")
        self.satisfaction = QSpinBox()
        self.satisfaction.setRange(0, 5)
        self.satisfaction.setSpecialValueText("Not recorded")
        self.comment = QLineEdit()
        self.adoption = QSpinBox()
        self.adoption.setRange(-1, 100)
        self.adoption.setSuffix(" %")
        self.adoption.setSpecialValueText("Not recorded")
        form = QFormLayout()
        form.addRow("Scheduled", self.scheduled)
        form.addRow("", self.held)
        form.addRow("MSP attendees", self.msp)
        form.addRow("Client attendees", self.client)
        form.addRow("Client satisfaction (1-5)", self.satisfaction)
        form.addRow("Satisfaction comment", self.comment)
        form.addRow("Service procedures adopted", self.adoption)

        self.services = RecordTableModel(
            [Column("live", "Live", checkable=True), Column("service", "Service in scope")]
        )
        self.services_view = QTableView()
        self.services_view.setModel(self.services)
        self.services_view.horizontalHeader().setStretchLastSection(True)
        self.services_view.verticalHeader().setVisible(False)
        self.conditions: dict[str, QCheckBox] = {k: QCheckBox(label) for k, label in ENTRY_CONDITIONS.items()}
        conditions = QGroupBox("Entry conditions")
        cond_layout = QVBoxLayout(conditions)
        for box in self.conditions.values():
            cond_layout.addWidget(box)
        self.followed_note = QLabel()
        self.followed_note.setWordWrap(True)
        self.followed_note.setStyleSheet(f"color: {theme.colors()['muted']};")
        cond_layout.addWidget(self.followed_note)
        top = QHBoxLayout()
        top.addWidget(self.services_view, 1)
        top.addWidget(conditions)

        self.action_items = RecordTableModel(
            [Column("title", "Action item"), Column("owner", "Owner"), Column("due", "Due"),
             Column("status", "Status", display=status_text), Column("kind", "Kind")]
        )  # fmt: skip
        self.actions_view = QTableView()
        self.actions_view.setModel(self.action_items)
        self.actions_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.actions_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.actions_view.verticalHeader().setVisible(False)
        self.new_title = QLineEdit()
        self.new_title.setPlaceholderText("New action item")
        self.new_owner = QLineEdit()
        self.new_owner.setPlaceholderText("Owner")
        self.new_due = QDateEdit(QDate.currentDate().addDays(7))
        self.new_due.setDisplayFormat("yyyy-MM-dd")  # as the table shows due dates, whatever the locale
        self.new_due.setCalendarPopup(True)
        self.new_issue = QCheckBox("Activation issue")
        self.add_button = QPushButton("Add")
        self.done_button = QPushButton("Mark done")
        row = QHBoxLayout()
        for w in (self.new_title, self.new_owner, self.new_due, self.new_issue, self.add_button, self.done_button):
            row.addWidget(w)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(top)
        layout.addWidget(QLabel("<b>Post-live action items</b>"))
        layout.addWidget(self.actions_view, 1)
        layout.addLayout(row)
        layout.addLayout(self.button_row(self.buttons))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(self.add_item)
        self.done_button.clicked.connect(self.mark_done)
        self.services.edited.connect(self._follow_services)
        self._open = True
        self.reload()

    def edit_state(self) -> object:
        inputs = [self.scheduled, self.held, self.msp, self.client, self.satisfaction, self.comment, self.adoption,
                  self.services, *self.conditions.values()]  # fmt: skip
        return (values_of(inputs), self.pending_action())

    def pending_action(self) -> tuple[str, str, date, bool] | None:
        """An action item typed but not added yet (Save adds it: Save keeps everything on screen)."""
        title, owner = self.new_title.text(), self.new_owner.text()
        if not (title.strip() or owner.strip()):
            return None
        due: date = self.new_due.date().toPython()  # type: ignore[assignment]
        return title, owner, due, self.new_issue.isChecked()

    def live_services(self) -> dict[str, bool]:
        return {r["service"]: bool(r["live"]) for r in self.services.rows()}

    def _follow_services(self) -> None:
        """The entry conditions that follow the services marked live are shown ticked as the services say,
        and are not ticked by hand (app.golive keeps the CLI and the signed PDF to the same rule)."""
        followed = followed_conditions(self.live_services())
        for key, box in self.conditions.items():
            if key in followed:
                box.setChecked(followed[key])
                box.setToolTip("Follows the services marked live")
            else:
                box.setToolTip("")
            box.setEnabled(self._open and key not in followed)
        names = " and ".join(f"“{ENTRY_CONDITIONS[key]}”" for key in followed)
        self.followed_note.setText(f"{names} follow the services marked live." if names else "")
        self.followed_note.setVisible(bool(names))

    def reload(self) -> None:
        with self.workspace.transaction() as s:
            project = get_project(s, self.project_id)
            closed = project.status == ProjectStatus.CLOSED
            call = get_call(s, self.project_id) if closed else ensure_call(s, self.project_id, actor=self.actor)
            services = services_of(project, call)
            conditions = entry_conditions_of(project, call)
            state: dict[str, Any] = {
                "code": project.code,
                "status": project.status.label,
                "go_live": project.actual_go_live,
                "scheduled_at": call.scheduled_at if call else None,
                "held_at": call.held_at if call else None,
                "msp": ", ".join(call.msp_attendees or []) if call else "",
                "client": ", ".join(call.client_attendees or []) if call else "",
                "satisfaction": call.satisfaction if call else None,
                "comment": call.satisfaction_comment if call else "",
                "adoption": call.adoption_rate if call else None,
            }
            items = self._stored_actions(s)
        self._services_before = dict(services)
        self._held_before = state["held_at"] is not None
        self.scheduled.setDateTime(to_qt(state["scheduled_at"]))
        self.held.setChecked(self._held_before)
        self.msp.setText(state["msp"])
        self.client.setText(state["client"])
        self.satisfaction.setValue(state["satisfaction"] or 0)
        self.comment.setText(state["comment"])
        self.adoption.setValue(-1 if state["adoption"] is None else round(state["adoption"] * 100))
        for key, box in self.conditions.items():
            box.setChecked(conditions[key])
        self.services.set_rows([{"service": name, "live": live} for name, live in services.items()])
        self.action_items.set_rows(items)
        self.new_title.clear()
        self.new_owner.clear()
        live = f"live since {state['go_live']}" if state["go_live"] else "not live yet"
        note = " The project is closed; this is read-only." if closed else ""
        self.banner.setText(f"<b>{html.escape(state['code'])}</b> ({state['status']}, {live}).{note}")
        for w in (self.scheduled, self.held, self.msp, self.client, self.satisfaction, self.comment, self.adoption,
                  self.services_view, self.add_button, self.done_button):  # fmt: skip
            w.setEnabled(not closed)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not closed)
        self._open = not closed
        self._follow_services()
        self.mark_clean()

    def _stored_actions(self, session: Session) -> list[dict[str, Any]]:
        return [
            {"id": a.id, "title": a.title, "owner": a.owner, "due": a.due_date.isoformat() if a.due_date else "",
             "status": a.status.value, "kind": "Issue" if a.is_issue else "Follow-up"}
            for a in list_actions(session, self.project_id)
        ]  # fmt: skip

    def _actions_written(self, _result: object) -> None:
        """Only the action items are read again: what is typed in the other fields stays as it is."""
        self.new_title.clear()
        self.new_owner.clear()
        self.action_items.set_rows(read(self.workspace, self._stored_actions))
        self.saved.emit()

    def add_item(self) -> None:
        pending = self.pending_action() or ("", "", None, False)
        self.write(lambda s: self._add_action(s, *pending), self._actions_written)

    def _add_action(self, session: Session, title: str, owner: str, due: date | None, issue: bool) -> None:
        add_action(session, self.project_id, title=title, owner=owner, due=due, is_issue=issue, actor=self.actor)

    def mark_done(self) -> None:
        rows = self.actions_view.selectionModel().selectedRows()
        if not rows:
            show_error(self, "Go-live call", "Select the action item that is done.")
            return
        item_id = self.action_items.row(rows[0].row())["id"]
        self.write(
            lambda s: set_action_status(s, self.project_id, item_id, ActionStatus.DONE, actor=self.actor),
            self._actions_written,
        )

    def save(self) -> None:
        when = from_qt(self.scheduled.dateTime())
        msp = self.msp.text().split(",")
        client = self.client.text().split(",")
        services = self.live_services()
        followed = followed_conditions(services)  # written by mark_live with the services
        conditions = {k: box.isChecked() for k, box in self.conditions.items() if k not in followed}
        pending = self.pending_action()
        score, comment, adoption = self.satisfaction.value(), self.comment.text(), self.adoption.value()
        hold = self.held.isChecked() and not self._held_before
        before = self._services_before

        def work(s: Session) -> None:
            schedule_call(s, self.project_id, when=when, actor=self.actor)
            set_attendees(s, self.project_id, msp=msp, client=client, actor=self.actor)
            if hold:
                hold_call(s, self.project_id, actor=self.actor)
            for key, met in conditions.items():
                set_entry_condition(s, self.project_id, key, met, actor=self.actor)
            if score:
                set_satisfaction(s, self.project_id, score, comment, actor=self.actor)
            if adoption >= 0:
                set_adoption(s, self.project_id, adoption / 100, actor=self.actor)
            for name, live in services.items():
                if before.get(name) != live:
                    mark_live(s, self.project_id, name, live=live, actor=self.actor)
            if pending is not None:
                self._add_action(s, *pending)

        self.write_and_reload(work)
