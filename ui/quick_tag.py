"""Quick-tag mode: a scanner types the tag and Enter; Enter walks the quick fields and the last one saves."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget

from app.validation import looks_like_tag, normalise_tag
from ui import asset_io
from ui.asset_editor import AssetEditor

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class QuickTag(QObject):
    """Keyboard flow over the editor. `confirm_leave()` asks about unsaved edits (False: stay)."""

    def __init__(
        self,
        editor: AssetEditor,
        *,
        confirm_leave: Callable[[], bool],
        sound_on: Callable[[], bool],
        tag_prefix: Callable[[], str],
    ) -> None:
        super().__init__(editor)
        self.editor = editor
        self.confirm_leave = confirm_leave
        self.sound_on = sound_on
        self.tag_prefix = tag_prefix
        editor.tag_field.installEventFilter(self)
        editor.form.fields_rebuilt.connect(self.attach)
        editor.saved.connect(lambda _id: self.confirm())
        self.attach()

    def attach(self) -> None:
        """Catch Enter in every field of the form (installing twice is harmless: Qt keeps one filter)."""
        for widget in self.editor.form.inputs.values():
            if not isinstance(widget, QPlainTextEdit):
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        key, mods = event.key(), event.modifiers()
        if key in _ENTER and mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            if watched is self.editor.tag_field:
                self.scan(self.editor.tag_field.text())
            elif isinstance(watched, QWidget):
                self.advance(watched)
            return True
        if key == Qt.Key.Key_Escape and watched is not self.editor.tag_field:
            self.editor.focus_tag()
            return True
        return False

    def full_tag(self, typed: str) -> str:
        """The typed tag with the configured prefix added when only the number was typed."""
        tag = normalise_tag(typed)
        prefix = self.tag_prefix().strip().upper()
        if prefix and tag.isdigit():
            tag = prefix + tag
        return tag

    def is_tag(self, text: str) -> bool:
        """Whether scanned text is a tag of the client being tagged (its prefix, or the prefix set in settings)."""
        prefix = self.tag_prefix().strip() or self.editor.tag_prefix
        return looks_like_tag(text, prefix)

    def scan(self, typed: str, *, scanned: bool = False) -> None:
        """A tag typed (Enter in the tag field) or scanned (from anywhere): open its asset, or start a new one.

        Unsaved edits are asked about when the tag was typed. A scan must not stop the technician's run of scans
        with a question: the edits are saved (a new asset with required fields still empty is saved as needing
        attention); edits that cannot be saved stay in the form and the scan is refused in the banner.
        """
        tag = self.full_tag(typed)
        editor = self.editor
        if not tag:
            return
        if editor.client_id is None:
            editor.flash("Choose a project in the navigator before tagging.", "error")
            return
        shown = editor.asset.tag if editor.asset else editor.new_tag
        if shown and normalise_tag(shown) == tag:
            editor.tag_field.setText(shown)
            self.focus_first_field()  # the same tag again: go and edit it
            return
        saved = ""
        if editor.dirty:
            if scanned:
                before = shown or "this asset"
                if not self._save_before_scan(tag, before):
                    return
                saved = f"Saved {before}. "
            elif not self.confirm_leave():
                return
        found = asset_io.find_tag(editor.workspace, editor.client_id, tag)
        if found:
            editor.open_asset(found)
            editor.flash(f"{saved}Opened {tag}. Enter again to edit it; scan the next tag to move on.", "ok")
            editor.focus_tag()
        else:
            editor.start_new(tag)
            if saved:
                editor.flash(f"{saved}{tag} is new: fill it in, or scan the next tag.", "ok")
            self.focus_first_field()

    def _save_before_scan(self, tag: str, before: str) -> bool:
        editor = self.editor
        if editor.save(allow_incomplete=True) is not None or not editor.dirty:
            return True
        editor.flash(
            f"{tag} was not opened: {before} has a field that cannot be saved (marked in red). "
            "Correct it or press Revert, then scan again.",
            "error",
        )
        return False

    def focus_first_field(self) -> None:
        """The first empty text field of the quick fields (else the first text field); never a combo box, where
        typing would change the choice."""
        form = self.editor.form
        names = {id(widget): name for name, widget in form.inputs.items()}
        chain = [w for w in form.quick_chain() if isinstance(w, QLineEdit)]
        if not chain:
            self.editor.focus_tag()
            return
        empty = [w for w in chain if form.text(names[id(w)]) == ""]
        target = (empty or chain)[0]
        target.setFocus(Qt.FocusReason.TabFocusReason)

    def advance(self, widget: QWidget) -> None:
        """Enter in a field: the next quick field, or save when this was the last one (or not a quick field)."""
        chain = self.editor.form.quick_chain()
        if widget in chain and widget is not chain[-1]:
            chain[chain.index(widget) + 1].setFocus(Qt.FocusReason.TabFocusReason)
            return
        if self.editor.save() is not None:
            self.editor.focus_tag()

    def confirm(self) -> None:
        """The audible half of the confirmation (the banner is the visible half)."""
        if self.sound_on():
            QApplication.beep()
