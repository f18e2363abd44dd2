"""The technician's workspace: navigator, asset table and detail editor, with menus other features extend."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QIcon, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QTableView,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.asset_query import AssetFilter
from app.assets import suggest_next_tag
from app.db import Workspace
from app.errors import CloseoutError, ValidationError
from ui import asset_io, extensions, messages
from ui.asset_editor import AssetEditor
from ui.asset_table import COLUMNS, AssetTableModel
from ui.filter_bar import FilterBar
from ui.menus import build_menus
from ui.navigator import Counts, NavigatorModel, Node
from ui.quick_tag import QuickTag
from ui.runner import Runner
from ui.scanner import ACCEPTS_SCAN, ScanCatcher, ScanConfig
from ui.settings import (
    DEFAULT_SITE,
    LAST_PROJECT,
    SCAN_BURST_MS,
    SCAN_MIN_LENGTH,
    SCAN_PREFIX,
    SCAN_SUFFIX,
    SOUND,
    TAG_PREFIX,
    WINDOW_GEOMETRY,
    WINDOW_PANES,
    Settings,
)
from ui.shortcuts import SHORTCUTS, shortcuts_text
from ui.theme import icon

log = logging.getLogger(__name__)
PENDING_REFRESH_MS = 15000
#: The workspace setting the PDF exports print as the MSP's name (exporters.pdf_data reads it).
MSP_NAME_KEY = "msp_name"


#: How long after start-up the workspace's pages are checked (the first paint and the first scan come first).
INTEGRITY_CHECK_DELAY_MS = 1500
#: Below this width the navigator folds away (a 1024 or 1280 px laptop screen); the View menu brings it back.
NARROW_WIDTH = 1200
#: Pane widths: navigator, editor (the list takes the rest); the editor never gets narrower than its form.
NAVIGATOR_WIDTH, EDITOR_WIDTH, EDITOR_MIN_WIDTH, LIST_MIN_WIDTH = 260, 440, 340, 380
#: How often a scan made while a dialog is open is tried again (it opens once the dialog has closed).
QUEUED_SCAN_POLL_MS = 150


class MainWindow(QMainWindow):
    """Implements ui.extensions.ShellWindow for the feature installers."""

    project_changed = Signal(str)
    data_changed = Signal()
    pending_changed = Signal(int)

    def __init__(self, workspace: Workspace, *, settings: Settings | None = None, runner: Runner | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.settings = settings or Settings()
        self.runner = runner or Runner(self, on_unhandled=lambda exc: self.show_error("Background work failed", exc))
        self.menus: dict[str, QMenu] = {}
        self.toolbar: QToolBar | None = None  # built by ui.menus.build_menus
        self.actions_by_name: dict[str, QAction] = {}
        self._project_id: str | None = None
        self._node: Node | None = None
        self._sized = False
        #: Scans made while a dialog was open, opened in order once it has closed.
        self._queued_scans: list[str] = []
        self.setWindowTitle("Closeout[*]")
        self.setObjectName("mainWindow")

        self.navigator = NavigatorModel(workspace, self, icons=self._navigator_icons())
        self.tree = QTreeView(self)
        self.tree.setObjectName("navigator")
        self.tree.setAccessibleName("Navigator: clients, projects, sites and locations")
        self.tree.setModel(self.navigator)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setMinimumWidth(180)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.selectionModel().selectionChanged.connect(self._navigator_selected)
        self.navigator.counter = self._count_project

        self.table_model = AssetTableModel(workspace, self)
        self.table_model.attention_icon = lambda: icon("attention", color="#d97706")
        self.table = QTableView(self)
        self.table.setObjectName("assetTable")
        self.table.setAccessibleName("Assets")
        self.table.setModel(self.table_model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for column, (_key, _title, width) in enumerate(COLUMNS):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_selected)
        self.table_model.total_changed.connect(self._total_changed)
        self.table_model.counter = self._count_assets

        self.filters = FilterBar(self)
        self.filters.changed.connect(self._filters_changed)

        self.editor = AssetEditor(workspace, self.runner, self.technician, self)
        self.editor.saved.connect(self._asset_saved)
        self.editor.undone.connect(self._asset_saved)
        self.editor.changed.connect(self._asset_saved)
        self.editor.notice.connect(lambda text: self.show_message(text, 6000))
        self.editor.dirty_changed.connect(lambda dirty: self.setWindowModified(dirty))
        self.quick = QuickTag(
            self.editor,
            confirm_leave=self.confirm_leave_edits,
            sound_on=lambda: self.settings.get(SOUND),
            tag_prefix=lambda: self.settings.get(TAG_PREFIX),
        )
        self.quick.verified.connect(self._asset_saved)  # a verification or a tag given: the lists refresh

        middle = QWidget(self)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.setSpacing(0)
        middle_layout.addWidget(self.filters)
        middle_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setCollapsible(0, True)  # the navigator folds away on a small screen; list and editor never
        middle.setMinimumWidth(LIST_MIN_WIDTH)
        self.editor.setMinimumWidth(EDITOR_MIN_WIDTH)
        self.splitter.splitterMoved.connect(self._splitter_moved)
        self.setCentralWidget(self.splitter)

        self.scanner = ScanCatcher(
            self, config=self.scan_config, is_tag=self.quick.is_tag, tag_field=self.editor.tag_field
        )
        self.scanner.scanned.connect(self.handle_scan)
        self.scanner.misread.connect(self._scanner_misread)
        self._layout_notice = ""
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scanner)
        self._scan_timer = QTimer(self)
        self._scan_timer.setInterval(QUEUED_SCAN_POLL_MS)
        self._scan_timer.timeout.connect(self._open_queued_scans)

        #: Local changes waiting to sync, as last counted (the sync panel shows them with the sync state).
        self.pending = 0
        self.technician_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.technician_label)
        self._pending_timer = QTimer(self)
        self._pending_timer.timeout.connect(self.refresh_pending)
        self._pending_timer.start(PENDING_REFRESH_MS)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh_after_save)

        build_menus(self)
        self.data_changed.connect(self.reload)
        self.navigator.reload()
        self.tree.expandToDepth(1)
        self.filters.set_categories(asset_io.categories(self.workspace))
        self._select_initial_project()
        extensions.install_all(self)
        self.refresh_pending()  # after the installers, so the sync panel hears the first count
        self._restore_geometry()
        QTimer.singleShot(0, self.offer_draft)
        # Read every page of the workspace once, off the GUI thread, after the window is up: a damaged file
        # is then reported before more work goes into it (saves are refused from that moment).
        QTimer.singleShot(INTEGRITY_CHECK_DELAY_MS, self.check_integrity)

    def check_integrity(self) -> None:
        workspace = self.workspace
        self.runner.run(
            lambda _ctx: workspace.check_integrity(),
            on_success=self._integrity_checked,
            on_failure=lambda exc: self.show_error("The workspace could not be checked", exc),
            pool="db",
        )

    def _integrity_checked(self, problem: str | None) -> None:
        if problem:
            self.show_error("The workspace file is damaged", problem)

    # -- size and place ---------------------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        """The size and place it had when last closed, else fitted to the screen it opens on."""
        saved = self.settings.get(WINDOW_GEOMETRY)
        if saved and self.restoreGeometry(QByteArray.fromBase64(saved.encode("ascii"))):
            panes = self.settings.get(WINDOW_PANES)
            if panes and self.splitter.restoreState(QByteArray.fromBase64(panes.encode("ascii"))):
                self._sized = True
            return
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else None
        if available is None:
            self.resize(1440, 900)
            return
        # Room for the window frame that the window manager adds around it.
        width, height = min(1440, available.width() - 16), min(900, available.height() - 40)
        self.resize(width, height)
        self.move(available.x() + (available.width() - width) // 2, available.y() + (available.height() - height) // 3)

    def _save_geometry(self) -> None:
        self.settings.set(WINDOW_GEOMETRY, bytes(self.saveGeometry().toBase64().data()).decode("ascii"))
        self.settings.set(WINDOW_PANES, bytes(self.splitter.saveState().toBase64().data()).decode("ascii"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._sized:  # until the user drags a splitter handle, keep the panes in proportion
            self._size_panes()

    def _size_panes(self) -> None:
        central = self.centralWidget()
        width = central.width() if central is not None else self.width()
        if self.toolbar is not None:  # on a small screen the buttons keep their icons and tooltips, not their words
            narrow = width < NARROW_WIDTH
            style = Qt.ToolButtonStyle.ToolButtonIconOnly if narrow else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
            self.toolbar.setToolButtonStyle(style)
        navigator = 0 if width < NARROW_WIDTH else NAVIGATOR_WIDTH
        editor = max(EDITOR_MIN_WIDTH, min(EDITOR_WIDTH, width - navigator - LIST_MIN_WIDTH))
        self.splitter.setSizes([navigator, max(width - navigator - editor, LIST_MIN_WIDTH), editor])
        self._show_navigator_state()

    def _splitter_moved(self, _pos: int, _index: int) -> None:
        self._sized = True
        self._show_navigator_state()

    def navigator_shown(self) -> bool:
        return self.splitter.sizes()[0] > 0

    def show_navigator(self, shown: bool) -> None:
        """Fold the navigator away or bring it back (View menu); the window's width no longer decides (_sized)."""
        sizes = self.splitter.sizes()
        if shown and sizes[0] == 0:
            take = min(NAVIGATOR_WIDTH, max(sizes[1] - LIST_MIN_WIDTH, self.tree.minimumWidth()))
            self.splitter.setSizes([take, sizes[1] - take, sizes[2]])
        elif not shown and sizes[0] > 0:
            self.splitter.setSizes([0, sizes[1] + sizes[0], sizes[2]])
        self._sized = True
        self._show_navigator_state()

    def _show_navigator_state(self) -> None:
        action = self.actions_by_name.get("navigator")
        if action is not None:
            action.setChecked(self.navigator_shown())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            QTimer.singleShot(0, self.editor.focus_tag)  # the first scan goes to the tag field, not the navigator

    # -- scanning ----------------------------------------------------------------------------------------------
    def scan_config(self) -> ScanConfig:
        s = self.settings
        return ScanConfig(s.get(SCAN_BURST_MS), s.get(SCAN_MIN_LENGTH), s.get(SCAN_PREFIX), s.get(SCAN_SUFFIX))

    def handle_scan(self, text: str) -> None:
        """A scan from anywhere in the app: it opens or creates its tag. While a dialog is open it waits for it."""
        if QApplication.activeModalWidget() is not None:
            self._queued_scans.append(text)
            self.show_message(f"Scanned {text.strip()}: it opens when the dialog is closed.", 8000)
            self._scan_timer.start()
            return
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
        self.quick.scan(text, scanned=True)
        self._show_layout_notice()

    def _scanner_misread(self, typed: str, read: str) -> None:
        """Told once, with the scan that showed it (`_layout_notice` is added to that scan's banner)."""
        self._layout_notice = (
            f"The scanner typed “{typed}” for {read}: it is set to a US keyboard, this laptop is not. Closeout "
            "reads its scans from the keys from now on; to scan into other programs too, set the scanner to this "
            "layout (Settings, “Test your scanner”)."
        )

    def _show_layout_notice(self) -> None:
        notice, self._layout_notice = self._layout_notice, ""
        if notice:
            self.editor.flash(f"{self.editor.banner.text()} {notice}".strip(), "warn")

    def _open_queued_scans(self) -> None:
        if QApplication.activeModalWidget() is not None:
            return
        self._scan_timer.stop()
        queued, self._queued_scans = self._queued_scans, []
        for text in queued:
            self.quick.scan(text, scanned=True)
        self._show_layout_notice()

    # -- ShellWindow -------------------------------------------------------------------------------------------
    def current_project_id(self) -> str | None:
        return self._project_id

    def technician(self) -> str:
        return self.settings.technician()

    def show_error(self, title: str, error: BaseException | str) -> None:
        messages.show_error(self, title, error)

    def show_message(self, text: str, timeout_ms: int = 4000) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def as_widget(self) -> QWidget:
        return self

    # -- loading -----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Reload every view from the workspace (after sync, import, or F5)."""
        node = self._node
        self.navigator.reload()
        self.tree.expandToDepth(1)
        if node is not None:
            self._select_node(node)
        self.filters.set_categories(asset_io.categories(self.workspace))
        self.table_model.reload()
        if self.editor.asset is not None and not self.editor.dirty:
            try:
                self.editor.open_asset(self.editor.asset.id)
            except CloseoutError:
                self.editor.clear()
        self.refresh_pending()

    def refresh_pending(self) -> None:
        """Count the outbox on the db worker; `pending_changed` carries the count when it arrives."""
        self.technician_label.setText(f"Technician: {self.technician()}")
        self.runner.run(lambda _ctx: asset_io.pending(self.workspace), on_success=self._pending_counted)

    def _pending_counted(self, count: int) -> None:
        self.pending = count
        self.pending_changed.emit(count)

    def _count_assets(self, flt: AssetFilter, done: Callable[[int], None]) -> None:
        self.runner.run(lambda _ctx: asset_io.count(self.workspace, flt), on_success=done)

    def _count_project(self, project_id: str, done: Callable[[Counts], None]) -> None:
        self.runner.run(lambda _ctx: asset_io.project_counts(self.workspace, project_id), on_success=done)

    def _select_initial_project(self) -> None:
        wanted = self.settings.get(LAST_PROJECT)
        index = self.navigator.find("project", wanted) if wanted else QModelIndex()
        if not index.isValid():
            client = self.navigator.index(0, 0)
            index = self.navigator.index(0, 0, client) if client.isValid() else QModelIndex()
        if index.isValid():
            self.tree.setCurrentIndex(index)

    def _select_node(self, node: Node) -> None:
        index = self.navigator.find(node.kind, node.id, node.project_id)
        if index.isValid():
            self.tree.selectionModel().blockSignals(True)
            self.tree.setCurrentIndex(index)
            self.tree.selectionModel().blockSignals(False)
            self.tree.scrollTo(index)  # also expands the folded parents

    def _navigator_selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        node = self.navigator.node(indexes[0]) if indexes else None
        self._node = node
        project_id = node.project_id if node else None
        if node is not None and node.kind == "client":
            project_id = self._project_id if self._project_id else None
        if project_id != self._project_id and project_id is not None:
            self._project_id = project_id
            self.editor.set_project(project_id)
            self.settings.set(LAST_PROJECT, project_id)
            self.project_changed.emit(project_id)
        self.editor.defaults.pop("location_id", None)
        if node is not None and node.site_id:
            self.editor.defaults["site_id"] = node.site_id
            if node.location_id:
                self.editor.defaults["location_id"] = node.location_id
        else:
            self._apply_default_site()
        flt = AssetFilter(
            project_id=node.project_id if node else None,
            # A project's assets are its client's: saying the client too would only keep SQLite from counting
            # them in the covering project index (9 ms instead of 140 ms on 100,000 assets).
            client_id=node.client_id if node and not node.project_id else None,
            site_id=node.site_id if node and node.kind == "site" else None,
            location_id=node.location_id if node else None,
            **self.filters.values(),
        )
        self.table_model.set_filter(flt)

    def _apply_default_site(self) -> None:
        wanted = self.settings.get(DEFAULT_SITE).strip().lower()
        self.editor.defaults.pop("site_id", None)
        if wanted and self.editor.client_id:
            for name, site_id in asset_io.sites(self.workspace, self.editor.client_id):
                if name.lower() == wanted:
                    self.editor.defaults["site_id"] = site_id

    def _filters_changed(self, values: dict[str, Any]) -> None:
        self.table_model.update_filter(**values)

    def _total_changed(self, total: int) -> None:
        self.filters.show_count(total)

    def _row_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.table_model.row_at(current.row()) if current.isValid() else None
        if row is None or (self.editor.asset is not None and self.editor.asset.id == row.id):
            return
        if self.editor.dirty and not self.confirm_leave_edits():
            return
        self.editor.open_asset(row.id)

    def _asset_saved(self, asset_id: str) -> None:
        self._saved_id = asset_id
        self._refresh_timer.start()

    def _refresh_after_save(self) -> None:
        """Refresh the list, counts and outbox after a save, once, after the confirmation has shown."""
        self.navigator.refresh_counts()
        scrolled = self.table.verticalScrollBar().value()
        self.table_model.reload(keep_loaded=True)  # the list stays where the technician was working
        self.table.verticalScrollBar().setValue(scrolled)
        row = self.table_model.row_of(getattr(self, "_saved_id", ""))
        if row >= 0:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.selectionModel().blockSignals(False)
            self.table.scrollTo(self.table_model.index(row, 0))  # a new asset, or one the sort moved
        self.refresh_pending()

    # -- commands ----------------------------------------------------------------------------------------------
    def confirm_leave_edits(self) -> bool:
        """Ask about unsaved edits: True when it is fine to move on (saved or discarded)."""
        if not self.editor.dirty:
            return True
        what = self.editor.new_tag or (self.editor.asset.tag if self.editor.asset else "this asset")
        answer = messages.ask_save_changes(self, f"{what} has changes that are not saved. Save them?")
        if answer == messages.Answer.SAVE:
            return self.editor.save() is not None
        if answer == messages.Answer.DISCARD:
            self.editor.revert()
            return True
        return False

    def offer_draft(self) -> None:
        """After a crash, offer the fields that were typed but not saved."""
        draft = self.editor.drafts.load()
        if draft is None:
            return
        question = f"Closeout closed before {draft.tag or 'an asset'} was saved. Restore the fields you had typed?"
        if not messages.ask_yes_no(self, "Unsaved fields", question, yes="Restore", no="Discard", default=True):
            self.editor.drafts.clear()
            return
        try:
            self.editor.restore_draft(draft)
        except CloseoutError as exc:
            self.editor.drafts.clear()
            messages.show_error(self, "The unsaved fields could not be restored", exc)

    def start_quick_tag(self) -> None:
        self.editor.focus_tag()
        self.show_message("Quick tag: scan or type a tag and press Enter.", 5000)

    def new_with_next_tag(self) -> None:
        if not self.editor.client_id or not self.confirm_leave_edits():
            return
        with self.workspace.session() as session:
            tag = suggest_next_tag(session, self.editor.client_id)
        self.quick.scan(tag)

    def focus_search(self) -> None:
        self.filters.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search.selectAll()

    def _focus(self, name: str) -> None:
        if name == "focus_navigator" and not self.navigator_shown():
            self.show_navigator(True)
        target = {"focus_navigator": self.tree, "focus_table": self.table, "focus_editor": self.editor.tag_field}
        target[name].setFocus(Qt.FocusReason.ShortcutFocusReason)

    def add_photo(self) -> None:
        self.editor.tabs.setCurrentWidget(self.editor.photos)
        self.editor.photos.choose_files()

    def change_tag(self) -> None:
        asset = self.editor.asset
        if asset is None:
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Change tag")
        dialog.setLabelText(f"New tag for {asset.tag} (type or scan it):")
        dialog.setTextValue(asset.tag)
        for field in dialog.findChildren(QLineEdit):
            field.setProperty(ACCEPTS_SCAN, True)  # a scanned tag here is the new tag, not a tag to open
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.textValue().strip():
            return
        text = dialog.textValue()
        try:
            saved = asset_io.update(self.workspace, asset.id, {"asset_tag": text}, self.technician())
        except ValidationError as exc:
            messages.show_error(self, "Tag not changed", exc)
            return
        except CloseoutError as exc:
            messages.show_error(self, "Tag not changed", exc)
            return
        if saved.undo is not None:
            self.editor.push_undo(saved.undo)
        self.editor.show_asset(saved.view)
        self.editor.flash(f"{asset.tag} is now {saved.tag}.", "ok")
        self._asset_saved(asset.id)

    def delete_asset(self) -> None:
        asset = self.editor.asset
        if asset is None:
            return
        question = f"Delete {asset.tag}? It disappears from the list and, after the next sync, everywhere."
        if not messages.ask_yes_no(self, "Delete asset", question):
            return
        try:
            undo = asset_io.delete(self.workspace, asset.id, self.technician())
        except CloseoutError as exc:
            messages.show_error(self, "Not deleted", exc)
            return
        self.editor.push_undo(undo)
        self.editor.clear()
        undo_keys = SHORTCUTS["undo_save"][0]
        self.editor.flash(f"Deleted {asset.tag}. Undo last save ({undo_keys}) brings it back.", "ok")
        self._asset_saved(asset.id)

    def open_settings(self) -> QDialog:
        from exporters.pdf_data import DEFAULT_MSP_NAME
        from ui.settings_dialog import SettingsDialog

        msp_name = self.workspace.meta(MSP_NAME_KEY, DEFAULT_MSP_NAME)
        sites = asset_io.sites(self.workspace, self.editor.client_id or "")
        dialog = SettingsDialog(self.settings, sites, self, msp_name=msp_name, scanner=self.scanner)

        def accepted() -> None:
            typed = dialog.msp_name.text().strip() or DEFAULT_MSP_NAME
            if typed != msp_name:
                self.workspace.set_meta(MSP_NAME_KEY, typed)
            self._apply_default_site()
            self.refresh_pending()

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def set_theme(self, choice: str) -> None:
        from PySide6.QtWidgets import QApplication

        from ui.settings import THEME
        from ui.theme import apply_theme

        self.settings.set(THEME, choice)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.settings, choice)
        self.refresh_icons()

    def refresh_icons(self) -> None:
        """Icons are tinted for the theme: draw them again after a theme change."""
        for action in self.actions_by_name.values():
            name = action.property("iconName")
            if name:
                action.setIcon(icon(str(name)))
        self.navigator.icons = self._navigator_icons()
        node = self._node
        self.navigator.reload()
        self.tree.expandToDepth(1)
        if node is not None:
            self._select_node(node)

    @staticmethod
    def _navigator_icons() -> dict[str, QIcon]:
        return {name: icon(name) for name in ("client", "project", "site", "location", "rack")}

    def show_shortcuts(self) -> None:
        messages.show_info(self, "Keyboard shortcuts", shortcuts_text(self.actions_by_name))

    def show_about(self) -> None:
        messages.show_info(self, "About Closeout", "Closeout: asset tagging and activation closeout for MSPs.")

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_leave_edits():
            event.ignore()
            return
        self.runner.shutdown()  # counts still on their way would land in a closed window
        self.scanner.enabled = False
        self._save_geometry()
        self.settings.sync()
        event.accept()
