"""Sign in to the sync server: address, user name and password (the password is never stored in a file)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget


class LoginDialog(QDialog):
    """Asks for the server, the user and the password; `values()` hands them back after OK."""

    def __init__(self, server_url: str, user: str = "", message: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to the sync server")
        layout = QFormLayout(self)
        if message:
            note = QLabel(message)
            note.setWordWrap(True)
            layout.addRow(note)
        self.server = QLineEdit(server_url)
        self.server.setObjectName("server")
        self.user = QLineEdit(user)
        self.user.setObjectName("user")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addRow("Server", self.server)
        layout.addRow("User name", self.user)
        layout.addRow("Password", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)
        (self.password if user else self.user).setFocus()

    def values(self) -> tuple[str, str, str]:
        return self.server.text().strip(), self.user.text().strip(), self.password.text()
