"""Quick-tag mode: a scanner types the tag and Enter; Enter walks the quick fields and the last one saves.

A scan is looked up by Closeout tag, previous (client) tag, serial number and MAC address, in that order. With a
room set ("I am in: …") every scan also verifies the asset there (the onsite audit, ui/audit_panel.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QBoxLayout, QLineEdit, QPlainTextEdit, QWidget

from app.audit import Room
from app.errors import CloseoutError
from app.room_labels import is_location_label
from app.validation import looks_like_tag, normalise_serial, normalise_tag
from ui import audit_io
from ui.asset_editor import AssetEditor
from ui.asset_io import UndoRecord
from ui.audit_panel import AuditPanel

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


@dataclass(frozen=True)
class Offer:
    """The next Closeout tag offered for an asset found by its serial (or old tag) that carries none: Enter in
    the tag field while it shows `tag` takes it. `asset_id` None: no asset has the serial, a new one is made."""

    tag: str
    asset_id: str | None
    serial: str = ""


class QuickTag(QObject):
    """Keyboard flow over the editor. `confirm_leave()` asks about unsaved edits (False: stay).

    `verified(asset_id)` after a scan verified an asset in the room, or a tag was given (the lists refresh).
    """

    verified = Signal(str)

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
        editor.saved.connect(self._saved)
        self.room: Room | None = None
        self.offer: Offer | None = None
        self._new_in_room = False  # the new asset in the form was started in the room: verify it once saved
        self._move_undo: UndoRecord | None = None
        self.panel = AuditPanel(editor)
        layout = editor.layout()
        assert isinstance(layout, QBoxLayout)
        layout.insertWidget(0, self.panel)
        self.panel.room_chosen.connect(self.set_room)
        self.panel.undo_requested.connect(self.undo_move)
        self.panel.chosen.connect(self.open_candidate)
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
        """Whether scanned text is a tag of the client being tagged (its prefix, or the prefix set in settings), a
        tag it carried in the client's own system, or a location label. Serials and MACs are not: typed into a
        text field they stay there (in the tag field they are looked up all the same)."""
        prefix = self.tag_prefix().strip() or self.editor.tag_prefix
        if looks_like_tag(text, prefix) or is_location_label(text):
            return True
        client_id = self.editor.client_id
        if not client_id or not text.strip():
            return False
        return audit_io.is_previous_tag(self.editor.workspace, client_id, text)

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
        if is_location_label(typed):
            self.enter_room_label(typed)
            return
        if self.offer is not None and tag == self.offer.tag:
            self.accept_offer()
            return
        if self._is_fresh_label_for_offer(typed, tag):
            self.accept_offer(tag)  # the label just stuck on the asset that was waiting for one
            return
        self.offer = None
        self.panel.show_candidates("", [])
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
        found = audit_io.match(editor.workspace, editor.client_id, typed.strip(), tag)
        if len(found.candidates) > 1:
            self.panel.show_candidates(
                f"{typed.strip()} is the {found.words or 'tag'} of {len(found.candidates)} assets: pick the one in "
                "front of you, or scan its tag.",
                found.candidates,
            )
            editor.flash(f"{saved}{typed.strip()} matches {len(found.candidates)} assets; nothing was opened.", "warn")
            editor.focus_tag()
        elif found.candidates:
            self.open_found(found.candidates[0].id, saved, found)
        elif self._reads_as_serial(tag):
            self.offer_new(typed, saved)
        else:
            self.start_new(tag)
            if saved:
                editor.flash(f"{saved}{tag} is new: fill it in, or scan the next tag.", "ok")
            self.focus_first_field()

    def _is_fresh_label_for_offer(self, typed: str, tag: str) -> bool:
        """A tag of the client's form that no asset has, scanned while an asset found by its old tag waits for its
        Closeout tag: the pre-printed label the technician has just stuck on it."""
        offer, client_id = self.offer, self.editor.client_id
        if offer is None or offer.asset_id is None or client_id is None or self._reads_as_serial(tag):
            return False
        return not audit_io.match(self.editor.workspace, client_id, typed.strip(), tag).candidates

    def _reads_as_serial(self, tag: str) -> bool:
        """A scan that is no tag of the client's form (which has a prefix) is taken for a maker's serial."""
        prefix = self.tag_prefix().strip() or self.editor.tag_prefix
        return bool(prefix) and not looks_like_tag(tag, prefix)

    def start_new(self, tag: str) -> None:
        """A new asset; in a room it is placed there and verified once saved (found on site, not listed)."""
        if self.room is not None:
            self.editor.defaults["site_id"] = self.room.site_id
            self.editor.defaults.pop("location_id", None)
            if self.room.location_id:
                self.editor.defaults["location_id"] = self.room.location_id
        self._new_in_room = self.room is not None
        self.editor.start_new(tag)

    def open_found(self, asset_id: str, saved: str, found: audit_io.Match | None = None) -> None:
        """Open an asset a scan found; in a room, verify it there first (moving it when listed elsewhere)."""
        editor = self.editor
        tag = found.candidates[0].tag if found else ""
        how = f" (found by its {found.words})" if found and found.words else ""
        text = f"{saved}Opened {tag}{how}. Enter again to edit it; scan the next tag to move on."
        if self.room is not None:
            try:
                text = f"{saved}{self.verify(asset_id)}{how}."
            except CloseoutError as exc:
                text = f"{saved}{tag} was not verified: {exc.message}"
        editor.open_asset(asset_id)
        editor.focus_tag()
        if found is not None and found.untagged:
            next_tag = audit_io.next_tag(editor.workspace, editor.client_id or "")
            self.offer = Offer(next_tag, asset_id)
            editor.tag_field.setText(next_tag)
            editor.tag_field.selectAll()
            if self.room is None:  # here Enter gives the tag: the banner must not also say it opens the editor
                text = f"{saved}Opened {tag}{how}."
            text += f" It has no Closeout tag yet: scan its new label, or press Enter to give it {next_tag}."
        editor.flash(text, "ok")

    def open_candidate(self, asset_id: str) -> None:
        self.open_found(asset_id, "")

    def verify(self, asset_id: str) -> str:
        """Verify the asset in the room (one undo step); the words for the banner."""
        assert self.room is not None
        editor = self.editor
        done = audit_io.verify(editor.workspace, asset_id, self.room, editor.technician())
        if done.moved_from:
            undone = f"Undone: {done.tag} is back in {done.moved_from}, not seen yet."
        else:
            undone = f"Undone: {done.tag} is no longer seen."
        record = UndoRecord(asset_id, done.tag, "audit", done.before, undone)
        editor.push_undo(record)
        self._move_undo = record if done.moved_from else None
        self.panel.show_moved(
            f"{done.tag} moved from {done.moved_from} to {self.room.name}." if done.moved_from else ""
        )
        self.verified.emit(asset_id)
        return f"Seen: {done.tag} in {self.room.name}" + (f", moved from {done.moved_from}" if done.moved_from else "")

    def undo_move(self) -> None:
        """The banner's Undo: take the last move back (as Ctrl+Z would, when it is still the newest step)."""
        record = self._move_undo
        if record is None:
            return
        if self.editor.undo_stack and self.editor.undo_stack[-1] is record:
            undone = self.editor.undo_last_save()
        else:
            try:
                audit_io.undo(self.editor.workspace, record.asset_id, record.restore, self.editor.technician())
            except CloseoutError as exc:
                self.editor.flash(f"Could not undo: {exc.message}", "error")
                return
            self.editor.undo_stack = [r for r in self.editor.undo_stack if r is not record]
            self.editor.open_asset(record.asset_id)
            self.editor.flash(record.undone_text, "ok")
            undone = True
        if undone:
            self._move_undo = None
            self.panel.show_moved("")
            self.verified.emit(record.asset_id)

    # -- the serial of an asset without a tag ------------------------------------------------------------------
    def offer_new(self, typed: str, saved: str) -> None:
        """No asset has this serial: a new asset with it, found on site, offered the next tag (Enter takes it)."""
        editor = self.editor
        serial = normalise_serial(typed)
        next_tag = audit_io.next_tag(editor.workspace, editor.client_id or "")
        self.start_new(next_tag)
        editor.form.set_value("serial", serial)
        self.offer = Offer(next_tag, None, serial)
        editor.focus_tag()
        editor.flash(f"{saved}No asset has the serial {serial}: Enter saves it as a new asset tagged {next_tag}.", "ok")

    def accept_offer(self, label: str = "") -> None:
        """Give the offered tag (or `label`, a pre-printed label scanned instead): to the asset found, or to the new
        asset in the form. A label is printed when labels after saves are on (the editor's `saved` signal)."""
        offer, self.offer = self.offer, None
        assert offer is not None
        editor = self.editor
        if offer.asset_id is None:
            if editor.save(allow_incomplete=True) is not None:
                editor.flash(f"Tagged {offer.tag} (serial {offer.serial}). Scan the next one.", "ok")
                editor.focus_tag()
            return
        try:
            tag, before = audit_io.give_next_tag(editor.workspace, offer.asset_id, editor.technician(), label)
        except CloseoutError as exc:
            editor.flash(f"{label or offer.tag} was not given: {exc.message}", "error")
            return
        editor.push_undo(UndoRecord(offer.asset_id, tag, "audit", before, f"Undone: {tag} was taken off again."))
        editor.open_asset(offer.asset_id)
        if label:  # already on the asset: nothing to print
            editor.changed.emit(offer.asset_id)
            editor.flash(f"Tagged {tag} from its label. Scan the next one.", "ok")
        else:
            editor.saved.emit(offer.asset_id)  # the list refreshes and, when on, the label is printed
            editor.flash(f"Tagged {tag}. Stick its label on, then scan the next one.", "ok")
        editor.focus_tag()

    def _saved(self, asset_id: str) -> None:
        if self._new_in_room and self.room is not None:
            self._new_in_room = False
            try:
                audit_io.verify(self.editor.workspace, asset_id, self.room, self.editor.technician())
            except CloseoutError as exc:
                self.editor.flash(f"Saved, but not recorded as seen here: {exc.message}", "warn")

    # -- the room ----------------------------------------------------------------------------------------------
    def refresh_rooms(self) -> None:
        """The rooms of the current client (a room of another client is left)."""
        client_id = self.editor.client_id
        rooms = audit_io.places(self.editor.workspace, client_id) if client_id else []
        if self.room is not None and not any(r.location_id == self.room.location_id for r in rooms):
            self.room = None
        self.panel.set_rooms(rooms, self.room)

    def set_room(self, room: Room | None) -> None:
        self.room = room
        self.panel.show_room(room)
        self._move_undo = None
        if room is None:
            self.editor.flash("Not auditing: scans open assets without recording them as seen.", "ok")
        else:
            self.editor.flash(f"I am in {room.name}: every scan now records the asset as seen here.", "ok")
        self.editor.focus_tag()

    def enter_room_label(self, typed: str) -> None:
        try:
            room = audit_io.room_from_scan(self.editor.workspace, self.editor.client_id or "", typed)
        except CloseoutError as exc:
            self.editor.flash(f"That location label is not one of this client's: {exc.message}", "error")
            return
        self.set_room(room)

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
