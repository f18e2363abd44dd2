"""First run: the three ways to start (sign in, the demo, a new client), and who is tagging, asked once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.projects import list_clients
from app.validation import normalise_technician
from ui.asset_form import field_error
from ui.settings import TECHNICIAN, Settings

if TYPE_CHECKING:
    from ui.extensions import ShellWindow
    from ui.runner import JobContext

CHOICES = (
    ("sign_in", "&Sign in to the sync server", "Get the clients and projects your team already set up."),
    ("demo", "Open the &demo", "A dental group with two clinics and 300 assets to try everything on."),
    ("create", "&Create a client and project", "Start tagging a new customer's assets on this laptop."),
)


class NameField(QWidget):
    """“Who is tagging?”: the name goes into the history of every change; an empty one is refused in words."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.name = QLineEdit(settings.get(TECHNICIAN))
        self.name.setObjectName("technicianName")
        self.name.setAccessibleName("Your name")
        self.name.setPlaceholderText("e.g. Sam Rivera")
        self.error = field_error(self)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(self.name)
        column.addWidget(self.error)
        label = QLabel("Your &name", self)
        label.setBuddy(self.name)
        layout.addRow(label, column)

    def store(self) -> bool:
        """Keep the typed name in the settings; False (and a message under the field) when it is not usable."""
        try:
            name = normalise_technician(self.name.text())
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            self.name.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self.error.setVisible(False)
        self.settings.set(TECHNICIAN, name)
        self.settings.sync()
        return True


class WelcomeDialog(QDialog):
    """Shown while the workspace has no client; `chosen` carries "sign_in", "demo" or "create"."""

    chosen = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget | None = None, can_sign_in: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Closeout")
        self.setObjectName("welcome")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        title = QLabel("Welcome to Closeout")
        title.setObjectName("editorTitle")
        intro = QLabel(
            "This workspace is empty. Tell Closeout who you are, then choose how to start. "
            "Everything you do here works offline and syncs later."
        )
        intro.setWordWrap(True)
        self.who = NameField(settings, self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.who)
        self.buttons: dict[str, QCommandLinkButton] = {}
        for key, text, description in CHOICES:
            button = QCommandLinkButton(text, description, self)
            button.setObjectName(key)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, k=key: self.choose(k))
            layout.addWidget(button)
            self.buttons[key] = button
        self.buttons["sign_in"].setEnabled(can_sign_in)
        later = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        later.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)  # Enter after the name: no exit
        later.rejected.connect(self.reject)
        layout.addWidget(later)
        self.who.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        """Closing without a choice still keeps a name that was typed (the question then never comes back)."""
        if self.who.name.text().strip():
            self.who.store()
        super().reject()

    def choose(self, key: str) -> None:
        if not self.who.store():
            return
        self.accept()
        self.chosen.emit(key)


class NameDialog(QDialog):
    """“Who is tagging?” for a workspace that already has clients but a laptop that never gave a name."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is tagging?")
        self.setObjectName("whoIsTagging")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        note = QLabel("Your name goes into the history of every asset you tag or change, and into the sync.")
        note.setWordWrap(True)
        self.who = NameField(settings, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Ask me &later")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(note)
        layout.addWidget(self.who)
        layout.addWidget(buttons)
        self.who.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def accept(self) -> None:
        if self.who.store():
            super().accept()


def start(window: ShellWindow) -> QDialog | None:
    """At start-up: the welcome screen on an empty workspace, else the name question if it was never answered."""
    with window.workspace.session() as session:
        empty = not list_clients(session)
    parent = window.as_widget()
    dialog: QDialog
    if empty:
        welcome = WelcomeDialog(window.settings, parent, can_sign_in=hasattr(window, "sync_panel"))
        welcome.chosen.connect(lambda key: begin(window, key))
        dialog = welcome
    elif not window.settings.get(TECHNICIAN).strip():
        dialog = NameDialog(window.settings, parent)
    else:
        return None
    dialog.finished.connect(lambda _result: window.refresh_pending())  # the status bar shows the new name
    dialog.open()
    window.welcome_dialog = dialog  # type: ignore[attr-defined]
    return dialog


def begin(window: ShellWindow, key: str) -> None:
    """Carry out the welcome screen's choice."""
    if key == "sign_in":
        window.sync_panel.ask_login()  # type: ignore[attr-defined]
    elif key == "demo":
        open_demo(window)
    else:
        window.setup_actions.start_from_scratch()  # type: ignore[attr-defined]


def open_demo(window: ShellWindow) -> None:
    """Build the demo client on the db worker, then show its project ready for the first scan."""
    workspace = window.workspace

    def work(_ctx: JobContext) -> str:
        from app.demo import seed_demo

        with workspace.transaction() as session:
            return seed_demo(session).id

    def done(project_id: str) -> None:
        window.data_changed.emit()
        index = window.navigator.find("project", project_id)
        if index.isValid():
            window.tree.setCurrentIndex(index)
        window.editor.focus_tag()
        window.show_message("The demo is ready: scan or type a tag (try NWD-00001) and press Enter.", 8000)

    window.runner.run(
        work,
        on_success=done,
        on_failure=lambda exc: window.show_error("The demo could not be built", exc),
        progress="Building the demo workspace…",
        progress_parent=window.as_widget(),
        pool="db",
    )
