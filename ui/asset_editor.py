"""The detail pane: the tag field, the asset's fields, photos and history; saves through app services."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.db import Workspace
from app.errors import CloseoutError, ValidationError
from models import FieldDefinition
from ui import asset_io
from ui.asset_form import AssetForm
from ui.asset_io import AssetView, Saved, UndoRecord
from ui.asset_table import attention_text
from ui.drafts import Draft, DraftStore
from ui.history_view import HistoryView
from ui.photos import PhotoStrip
from ui.runner import Runner

BANNER_MS = 6000
DRAFT_DELAY_MS = 400
UNDO_DEPTH = 20


class AssetEditor(QFrame):
    """Shows one asset (or a new one being tagged). `saved`/`undone` carry the asset id."""

    saved = Signal(str)
    undone = Signal(str)
    #: An asset changed by something other than the form (a tag given from a scanned label): lists refresh.
    changed = Signal(str)
    dirty_changed = Signal(bool)
    notice = Signal(str)

    def __init__(
        self, workspace: Workspace, runner: Runner, technician: Callable[[], str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("editorPane")
        self.workspace, self.runner, self.technician = workspace, runner, technician
        self.project_id: str | None = None
        self.client_id: str | None = None
        #: The client's tag prefix: a scan that starts with it is a tag wherever the focus is.
        self.tag_prefix = ""
        self.asset: AssetView | None = None
        self.new_tag: str | None = None
        self._loaded: dict[str, str] = {}
        self._dirty = False
        self.undo_stack: list[UndoRecord] = []
        self.defaults: dict[str, str] = {}

        self.title = QLabel("Scan or type a tag", self)
        self.title.setObjectName("editorTitle")
        self.subtitle = QLabel("Enter opens a tagged asset or starts a new one.", self)
        self.subtitle.setObjectName("editorSubtitle")
        self.subtitle.setWordWrap(True)
        self.tag_field = QLineEdit(self)
        self.tag_field.setObjectName("tagField")
        self.tag_field.setAccessibleName("Asset tag")
        self.tag_field.setPlaceholderText("Scan or type a tag, then Enter")
        self.tag_field.setClearButtonEnabled(True)
        self.tag_error = QLabel(self)
        self.tag_error.setObjectName("fieldError")
        self.tag_error.setWordWrap(True)
        self.tag_error.setVisible(False)
        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.banner.setAccessibleName("Confirmation")
        self.attention = QLabel(self)
        self.attention.setObjectName("banner")
        self.attention.setProperty("kind", "warn")
        self.attention.setWordWrap(True)
        self.attention.setVisible(False)
        self.attention.setAccessibleName("Needs attention")
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.timeout.connect(lambda: self.banner.setVisible(False))

        self.form = AssetForm(self)
        self.form.locations_for = lambda site: asset_io.locations(self.workspace, site)
        self.drafts = DraftStore(workspace.home)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.keep_draft)
        self.form.edited.connect(lambda: self._set_dirty(True))
        self.form.edited.connect(self._draft_timer.start)
        self.form.category_changed.connect(self._category_switched)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget(scroll)
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(10, 6, 14, 10)
        inner_layout.addWidget(self.form)
        scroll.setWidget(inner)
        self.photos = PhotoStrip(self)
        self.photos.blobs_dir = workspace.blobs_dir
        self.photos.add_requested.connect(self.add_photos)
        self.history = HistoryView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(scroll, "Details")
        self.tabs.addTab(self.photos, "Photos")
        self.tabs.addTab(self.history, "History")
        #: The asset whose photos and history the side tabs show; they are read when one of them is shown.
        self._side_tabs_of: str | None = None
        self.tabs.currentChanged.connect(lambda _index: self._show_side_tabs())

        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("primary")
        self.save_button.setAccessibleName("Save asset")
        self.save_button.setToolTip("Save (Ctrl+S or Ctrl+Enter)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert", self)
        self.revert_button.setToolTip("Throw away the edits not yet saved")
        self.revert_button.clicked.connect(self.revert)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(6)
        layout.addWidget(self.tag_field)
        layout.addWidget(self.tag_error)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.attention)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self._set_enabled(False)

    # -- context -----------------------------------------------------------------------------------------------
    def set_project(self, project_id: str | None) -> None:
        """Switch the project being tagged (reloads the choices of categories and sites)."""
        self.project_id = project_id
        self.client_id = asset_io.project_client(self.workspace, project_id) if project_id else None
        self.tag_prefix = asset_io.tag_prefix(self.workspace, self.client_id) if self.client_id else ""
        self.form.set_choices("category_id", asset_io.categories(self.workspace), "—")
        self.form.set_choices("site_id", asset_io.sites(self.workspace, self.client_id) if self.client_id else [])

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        if not dirty:
            self._draft_timer.stop()
            self.drafts.clear()
        self.revert_button.setEnabled(dirty or self.new_tag is not None)

    def _set_enabled(self, enabled: bool) -> None:
        self.tabs.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        self.revert_button.setEnabled(enabled and (self._dirty or self.new_tag is not None))

    # -- drafts ------------------------------------------------------------------------------------------------
    def keep_draft(self) -> None:
        """Write what has been typed and not saved (the workspace has everything that was saved)."""
        if self._dirty and self.project_id:
            asset_id = self.asset.id if self.asset else None
            tag = self.asset.tag if self.asset else self.new_tag or ""
            self.drafts.save(Draft(self.project_id, asset_id, tag, self.pending_values()))

    def restore_draft(self, draft: Draft) -> None:
        """Show a draft left by a crash: the asset (or new tag) with the typed fields on top."""
        if draft.project_id != self.project_id:
            self.set_project(draft.project_id)
        if draft.asset_id:
            self.open_asset(draft.asset_id)
        else:
            self.start_new(draft.tag)
        category = draft.values.get("category_id")
        if category is not None and category != self.form.text("category_id"):
            self.form.set_value("category_id", category)
            self._show_category_fields(category)
        self.form.load({k: v for k, v in draft.values.items() if k != "asset_tag"})
        self._set_dirty(True)
        self.flash(f"Restored the unsaved fields of {draft.tag}. Save them or revert.", "warn")

    # -- showing -----------------------------------------------------------------------------------------------
    def _category_switched(self, category_id: str) -> None:
        self._show_category_fields(category_id)

    def _show_category_fields(self, category_id: str, definitions: list[FieldDefinition] | None = None) -> None:
        if definitions is None:
            definitions = asset_io.definitions(self.workspace, category_id) if category_id else []
        combo = self.form.inputs["category_id"]
        assert isinstance(combo, QComboBox)
        names = {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}
        self.form.set_category_fields(definitions, names.get(category_id, ""))

    def open_asset(self, asset_id: str) -> None:
        self.show_asset(asset_io.load_asset(self.workspace, asset_id))

    def show_asset(self, view: AssetView) -> None:
        """Show an asset as read (by open_asset, or by a save in the same transaction)."""
        if view.project_id != self.project_id:
            self.set_project(view.project_id)
        if self.asset is None or self.asset.id != view.id:
            self.banner.setVisible(False)  # a confirmation belongs to the asset it was about
        self.asset, self.new_tag = view, None
        self._show_category_fields(view.category_id, view.definitions)
        self.form.load(view.values)
        self._loaded = self.form.values()
        self.title.setText(f"{view.tag}  ·  {view.title}")
        self.subtitle.setText(view.subtitle)
        self.attention.setText(f"⚠  Needs attention: {attention_text(view.attention)}")
        self.attention.setVisible(bool(view.attention))
        self.tag_field.setText(view.tag)
        self.tag_field.selectAll()
        self._hide_tag_error()
        self._set_enabled(True)
        self._set_dirty(False)
        self.photos.set_enabled_for(True)
        self._side_tabs_of = None
        self._show_side_tabs()

    def _show_side_tabs(self) -> None:
        """Read the photos and history when one of their tabs is shown (quick tagging stays on Details)."""
        shown = self.tabs.currentWidget() in (self.photos, self.history)
        if shown and self.asset is not None and self._side_tabs_of != self.asset.id:
            self.refresh_side_tabs()

    def refresh_side_tabs(self) -> None:
        if self.asset is None:
            self.history.history_model.set_entries([], {}, {})
            self.photos.load([])
            self._side_tabs_of = None
            return
        entries, names, labels = asset_io.history_of(self.workspace, self.asset.id)
        self.history.history_model.set_entries(entries, names, labels)
        self.photos.load(asset_io.photos(self.workspace, self.asset.id))
        self._side_tabs_of = self.asset.id

    def start_new(self, tag: str) -> None:
        """A new asset with this tag, pre-filled with the current category, site and location."""
        self.asset, self.new_tag = None, tag
        category = self.defaults.get("category_id", "")
        self._show_category_fields(category)
        blank = {name: "" for name in self.form.values()}
        blank.update(status="in_service", managed="yes", critical="no")
        blank.update({k: v for k, v in self.defaults.items() if v})
        self.form.load(blank)
        self._loaded = self.form.values()
        self.attention.setVisible(False)
        self.title.setText(f"{tag}  ·  New asset")
        self.subtitle.setText("Not saved yet. Enter moves on; Enter on the last field saves.")
        self.tag_field.setText(tag)
        self._hide_tag_error()
        self._set_enabled(True)
        self._set_dirty(True)
        self.photos.set_enabled_for(False)
        self.refresh_side_tabs()
        self.tabs.setCurrentIndex(0)

    def clear(self) -> None:
        """Nothing shown: the form is emptied too, so no value of the last asset lingers under the next one."""
        self.asset, self.new_tag = None, None
        self._show_category_fields("")
        self.form.load({name: "" for name in self.form.values()})
        self._loaded = self.form.values()
        self.attention.setVisible(False)
        self.title.setText("Scan or type a tag")
        self.subtitle.setText("Enter opens a tagged asset or starts a new one.")
        self.tag_field.clear()
        self._set_enabled(False)
        self._set_dirty(False)
        self.refresh_side_tabs()

    def revert(self) -> None:
        if self.asset is not None:
            self.open_asset(self.asset.id)
        else:
            self.clear()
        self.focus_tag()

    def focus_tag(self) -> None:
        self.tag_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.tag_field.selectAll()

    # -- messages ----------------------------------------------------------------------------------------------
    def flash(self, text: str, kind: str = "ok") -> None:
        """The visible confirmation: a coloured banner that fades after a few seconds."""
        self.banner.setText(text)
        self.banner.setProperty("kind", kind)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.setVisible(True)
        self._banner_timer.start(BANNER_MS if kind == "ok" else BANNER_MS * 2)
        self.notice.emit(text)

    def show_tag_error(self, text: str) -> None:
        self.tag_error.setText(text)
        self.tag_error.setVisible(True)
        self.tag_field.setProperty("invalid", True)
        self.tag_field.style().unpolish(self.tag_field)
        self.tag_field.style().polish(self.tag_field)

    def _hide_tag_error(self) -> None:
        self.tag_error.setVisible(False)
        if self.tag_field.property("invalid"):
            self.tag_field.setProperty("invalid", False)
            self.tag_field.style().unpolish(self.tag_field)
            self.tag_field.style().polish(self.tag_field)

    # -- saving ------------------------------------------------------------------------------------------------
    def pending_values(self) -> dict[str, str]:
        """What a save would send: everything for a new asset, only the edited fields otherwise."""
        current = self.form.values()
        if self.asset is None:
            values = {k: v for k, v in current.items() if v != ""}
            values["asset_tag"] = self.new_tag or self.tag_field.text()
            return values
        return {k: v for k, v in current.items() if self._loaded.get(k, "") != v}

    def save(self, *, allow_incomplete: bool = False) -> Saved | None:
        """Save now (the services commit at once); problems appear under their fields. None if not saved.

        After a save the tag field has the focus, whichever way the save was asked for, so the next scan lands there.
        `allow_incomplete`: required fields may stay empty (the asset is then flagged as needing attention).
        """
        if self.asset is None and self.new_tag is None:
            return None
        if self.project_id is None:
            self.flash("Choose a project in the navigator before tagging.", "error")
            return None
        values = self.pending_values()
        if self.asset is not None and not values:
            self._set_dirty(False)
            self.flash("Nothing to save: no field was changed.", "ok")
            return None
        try:
            if self.asset is None:
                result = asset_io.create(
                    self.workspace, self.project_id, values, self.technician(), allow_incomplete=allow_incomplete
                )
            else:
                result = asset_io.update(
                    self.workspace, self.asset.id, values, self.technician(), allow_incomplete=allow_incomplete
                )
        except ValidationError as exc:
            self._show_validation(exc)
            return None
        except CloseoutError as exc:
            self.flash(exc.message, "error")
            return None
        if result.undo is not None:
            self.push_undo(result.undo)
        self.remember_defaults()
        self.show_asset(result.view)
        if result.warnings:
            self.flash(f"Saved {result.tag}. " + " ".join(result.warnings), "warn")
        else:
            self.flash(f"Saved {result.tag}  ✓", "ok")
        self.focus_tag()
        self.saved.emit(result.asset_id)
        return result

    def _show_validation(self, exc: ValidationError) -> None:
        errors = dict(exc.errors)
        tag_message = errors.pop("asset_tag", None)
        if tag_message:
            self.show_tag_error(tag_message)
        rest = self.form.show_errors(errors)
        if tag_message and not errors:
            self.tag_field.setFocus(Qt.FocusReason.OtherFocusReason)
        words = [tag_message] if tag_message else []
        words += list(rest.values())
        self.flash("Not saved. " + (" ".join(words) if words else "Check the fields marked in red."), "error")

    def remember_defaults(self) -> None:
        """The next new asset starts with this one's category, site and location (quick tagging a room)."""
        for name in ("category_id", "site_id", "location_id"):
            value = self.form.text(name)
            if value:
                self.defaults[name] = value

    def push_undo(self, record: UndoRecord) -> None:
        self.undo_stack = [*self.undo_stack[-(UNDO_DEPTH - 1) :], record]

    def undo_last_save(self) -> bool:
        """Take back the last save, tag change or delete (the newest first)."""
        if not self.undo_stack:
            self.flash("There is no save to undo.", "warn")
            return False
        record = self.undo_stack[-1]
        try:
            asset_io.undo(self.workspace, record, self.technician())
        except ValidationError as exc:
            if record.what == "delete" and "asset_tag" in exc.errors:
                self.flash(
                    f"{record.tag} was not brought back. {exc.errors['asset_tag']} "
                    "Give that asset another tag (F2), then undo again.",
                    "error",
                )
            else:
                self.flash(f"Could not undo: {exc.message}", "error")
            return False
        except CloseoutError as exc:
            self.flash(f"Could not undo: {exc.message}", "error")
            return False
        self.undo_stack.pop()
        if record.what == "create":
            self.clear()
            self.flash(f"Undone: {record.tag} was removed again.", "ok")
        elif record.what == "delete":
            self.open_asset(record.asset_id)
            self.flash(f"Undone: {record.tag} is back.", "ok")
        else:
            self.open_asset(record.asset_id)
            self.flash(record.undone_text or f"Undone: {record.tag} has its previous values again.", "ok")
        self.undone.emit(record.asset_id)
        self.focus_tag()
        return True

    # -- photos ------------------------------------------------------------------------------------------------
    def add_photos(self, paths: list[Path]) -> None:
        if self.asset is None:
            self.flash("Save the asset first, then add photos.", "warn")
            return
        asset_id, actor = self.asset.id, self.technician()

        def done(count: int) -> None:
            if self.asset is not None and self.asset.id == asset_id:
                self.refresh_side_tabs()
            self.flash(f"Added {count} photo{'s' if count != 1 else ''}.", "ok")
            self.saved.emit(asset_id)

        def failed(exc: BaseException) -> None:
            message = exc.message if isinstance(exc, CloseoutError) else str(exc)
            self.flash(f"The photo was not added: {message}", "error")

        self.runner.run(
            lambda _ctx: asset_io.add_photos(self.workspace, asset_id, paths, actor),
            on_success=done,
            on_failure=failed,
            progress="Adding photos…",
            progress_parent=self,
        )
