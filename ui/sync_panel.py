"""Sync in the main window: "Sync now", sign-in, conflicts, a status-bar state, and sync when the server returns."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel

from app.sync.errors import OfflineError, SignInRequired

if TYPE_CHECKING:
    from app.sync.engine import SyncReport
    from ui.extensions import ShellWindow

log = logging.getLogger(__name__)

#: How often the server is probed while offline (and changes wait).
PROBE_INTERVAL_MS = 30_000
DEFAULT_SERVER = "http://127.0.0.1:8765"


class SyncPanel(QObject):
    """Owns the sync actions and the status-bar label of one main window."""

    def __init__(self, window: ShellWindow) -> None:
        super().__init__(window.as_widget())
        self.window = window
        self.syncing = False
        self.offline = False
        self.last_error = ""
        #: Local changes waiting to be pushed, as last counted by the window (after saves, every few seconds).
        self.pending = 0
        #: Only when no keyring exists: the password typed this session, kept in memory and nowhere else.
        self._session_password: str | None = None
        # The one place the status bar shows the changes waiting to sync, with the state of the sync itself.
        self.label = QLabel("")
        self.label.setObjectName("syncState")
        self.label.setAccessibleName("Sync status")
        window.statusBar().addPermanentWidget(self.label)
        menu = window.menus["sync"]
        self.sync_action = self._add(menu, "syncNow", "&Sync now", self.sync_now, "Ctrl+Shift+S")
        self.login_action = self._add(menu, "syncLogin", "Sign &in…", self.ask_login)
        self.conflicts_action = self._add(menu, "syncConflicts", "&Conflicts…", self.show_conflicts)
        self.logout_action = self._add(menu, "syncLogout", "Sign &out", self.logout)
        self.probe_timer = QTimer(self)
        self.probe_timer.setInterval(PROBE_INTERVAL_MS)
        self.probe_timer.timeout.connect(self.probe)
        self.probe_timer.start()
        window.pending_changed.connect(self._pending_counted)

    def _add(self, menu: Any, name: str, text: str, slot: Any, shortcut: str = "") -> QAction:
        action = QAction(text, self.window.as_widget())
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # -- settings ------------------------------------------------------------------------------------------
    def _option(self, name: str, default: str) -> str:
        settings = getattr(self.window, "settings", None)
        if settings is None:
            return default
        from ui import settings as options

        return str(settings.get(getattr(options, name))) or default

    def server_url(self) -> str:
        from app.sync import engine as sync_engine

        return self.window.workspace.meta(sync_engine.SERVER_KEY) or self._option("SERVER_URL", DEFAULT_SERVER)

    def ca_bundle(self) -> str | None:
        return self._option("CA_BUNDLE", "") or None

    # -- state ---------------------------------------------------------------------------------------------
    def refresh_state(self) -> None:
        """Count the outbox again (the window counts it; the label follows through pending_changed)."""
        self.window.refresh_pending()

    def _pending_counted(self, pending: int) -> None:
        self.pending = pending
        self._show_state()

    def _show_state(self) -> None:
        pending = self.pending
        if self.syncing:
            text = "Syncing…"
        elif self.offline:
            text = f"Offline · {pending:,} pending" if pending else "Offline"
        elif self.last_error:
            text = f"Sync failed: {self.last_error}"
        elif pending:
            text = f"{pending:,} pending"
        else:
            text = "Up to date"
        self.label.setText(text)
        waiting = f"{pending:,} change{'s' if pending != 1 else ''} saved here wait to be sent to the server."
        self.label.setToolTip(waiting if pending else "Every change saved here has been sent to the server.")

    # -- actions -------------------------------------------------------------------------------------------
    def sync_now(self) -> None:
        if self.syncing:
            return
        ws, ca_bundle, password = self.window.workspace, self.ca_bundle(), self._session_password
        self.syncing = True
        self._show_state()

        def work(ctx: Any) -> SyncReport:
            from app.sync import engine as sync_engine

            engine = sync_engine.connect(ws, ca_bundle=ca_bundle, password=password)
            try:
                return engine.sync(progress=ctx.progress, busy_wait=10.0)
            finally:
                engine.transport.close()

        self.window.runner.run(work, on_success=self._synced, on_failure=self._sync_failed, pool="net")

    def _synced(self, report: SyncReport) -> None:
        self.syncing, self.offline, self.last_error = False, False, ""
        if report.changed or report.removed:
            self.window.data_changed.emit()
        if report.removed:
            self.window.show_message(
                f"{report.removed:,} record{'s' if report.removed != 1 else ''} left this workspace: your access to "
                "them was withdrawn on the server. Anything you had typed in them is kept under Sync ▸ Conflicts.",
                10000,
            )
        elif report.rejected:
            self.window.show_message(f"The server refused {report.rejected} change(s); see Sync ▸ Conflicts.")
        elif report.repaired:
            self.window.show_message(
                "Part of this workspace differed from the server's copy and was fetched again; your unsent work "
                "was kept.",
                10000,
            )
        self.refresh_state()

    def _sync_failed(self, exc: BaseException) -> None:
        self.syncing = False
        if isinstance(exc, OfflineError):
            self.offline, self.last_error = True, ""
        elif isinstance(exc, SignInRequired):
            self.offline, self.last_error = False, "sign in"
            self.refresh_state()
            self.ask_login(str(exc))
            return
        else:
            self.offline, self.last_error = False, str(exc)
            log.warning("sync failed", exc_info=exc)
        self.refresh_state()

    def probe(self) -> None:
        """While offline (or never synced), check whether the server answers; sync as soon as it does."""
        if self.syncing or not (self.offline or self.last_error):
            return
        url, ca_bundle = self.server_url(), self.ca_bundle()

        def reachable(_ctx: object) -> bool:
            from app.sync.transport import Transport

            with Transport(url, ca_bundle=ca_bundle, retries=0) as transport:
                return transport.reachable()

        self.window.runner.run(reachable, on_success=self._probed, on_failure=lambda _exc: None, pool="net")

    def _probed(self, up: bool) -> None:
        if up and not self.syncing:
            self.sync_now()

    def ask_login(self, message: str = "") -> QDialog:
        """The sign-in dialog, window-modal without blocking (sign-in follows its OK)."""
        from app.sync import engine as sync_engine
        from ui.login_dialog import LoginDialog

        user = self.window.workspace.meta(sync_engine.USER_KEY) or self.window.technician()
        dialog = LoginDialog(self.server_url(), user, message, self.window.as_widget())
        dialog.accepted.connect(lambda: self.login(*dialog.values()))
        self.login_dialog = dialog
        dialog.open()
        return dialog

    def login(self, server: str, user: str, password: str) -> None:
        ws, ca_bundle = self.window.workspace, self.ca_bundle()

        def work(_ctx: object) -> bool:
            from app.sync import engine as sync_engine

            return sync_engine.login(ws, server, user, password, ca_bundle=ca_bundle)

        def done(stored: bool) -> None:
            from app.sync import credentials

            self._session_password = None if stored else password
            if not stored:
                self.window.show_message(credentials.NO_KEYRING_MESSAGE, 8000)
            self.last_error = ""
            self.sync_now()

        self.window.runner.run(
            work, on_success=done, on_failure=lambda exc: self.window.show_error("Sign-in failed", exc), pool="net"
        )

    def logout(self) -> None:
        ws, ca_bundle = self.window.workspace, self.ca_bundle()
        self._session_password = None

        def work(_ctx: object) -> None:
            from app.sync import engine as sync_engine

            sync_engine.logout(ws, ca_bundle=ca_bundle)

        self.window.runner.run(
            work,
            on_success=lambda _r: self.window.show_message("Signed out."),
            pool="net",
        )

    def show_conflicts(self) -> None:
        from ui.conflicts_view import ConflictsDialog

        dialog = ConflictsDialog(
            self.window.workspace, self.window.runner, self.window.technician(), self.refresh_state,
            self.window.as_widget(),
        )  # fmt: skip
        dialog.setModal(False)
        dialog.show()
        self.conflicts_dialog = dialog


def install(window: ShellWindow) -> None:
    """Add the sync menu actions and the status-bar state to the main window."""
    window.sync_panel = SyncPanel(window)  # type: ignore[attr-defined]
