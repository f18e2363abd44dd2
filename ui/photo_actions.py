"""Removing a photo from the editor's photo strip: journaled (it syncs as a delete), taken back by Undo last save."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence

from app.errors import CloseoutError
from ui import asset_io
from ui.shortcuts import SHORTCUTS

if TYPE_CHECKING:
    from ui.extensions import ShellWindow


class PhotoActions:
    def __init__(self, window: ShellWindow) -> None:
        self.window = window
        window.editor.photos.remove_requested.connect(self.remove)

    def remove(self, attachment_id: str, filename: str) -> bool:
        """Remove the photo at once (no question: Undo last save brings it back, and says so)."""
        editor = self.window.editor
        try:
            undo = asset_io.remove_photo(self.window.workspace, attachment_id, self.window.technician())
        except CloseoutError as exc:
            editor.flash(f"The photo {filename} was not removed: {exc.message}", "error")
            return False
        editor.push_undo(undo)
        if editor.asset is not None and editor.asset.id == undo.asset_id:
            editor.refresh_side_tabs()
        keys = QKeySequence(SHORTCUTS["undo_save"][0]).toString(QKeySequence.SequenceFormat.NativeText)
        editor.flash(f"Removed the photo {filename}. Undo last save ({keys}) brings it back.", "ok")
        self.window.refresh_pending()
        return True


def install(window: ShellWindow) -> None:
    window.photo_actions = PhotoActions(window)  # type: ignore[attr-defined]  # lives as long as the window
