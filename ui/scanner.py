"""Tells a barcode scanner from a person at the keyboard, so a scan is a scan wherever the focus is.

A USB scanner types like a keyboard: a burst of keys, far faster than a person types, ended by Enter or Tab (or by
the prefix and suffix characters it can be set to send). `ScanCatcher` watches every key of the application. Keys
typed into a text field go through at once and are taken back if they turn out to be a scanned tag; keys typed
anywhere else (a combo box's type-ahead, a check box, the navigator, a dialog's buttons) are held for a few
milliseconds and handed on unchanged when they were a person's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from app.key_positions import us_reading

#: Keys that end a burst (scanners send Enter by default; many can be set to send Tab).
TERMINATORS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
#: A scanner set to end with a line feed sends it as text with a key code of its own (X11's Linefeed).
_LINE_ENDS = ("\r", "\n")
MODIFIER_KEYS = (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr)
#: With a prefix set, the rest of the scan may take this long before it counts as typing after all.
EXPLICIT_TIMEOUT_MS = 1000
#: A scan may stall inside (a busy laptop, a wireless scanner's buffer): up to this many pauses of up to this long
#: between runs of fast keys still make one scan, when what it reads is a tag. A person's keys are not fast runs.
MAX_PAUSES, PAUSE_MS = 2, 300
#: A widget with this property set to True takes scans as typing (a field meant for a scanned value).
ACCEPTS_SCAN = "acceptsScan"
_TYPED_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


@dataclass(frozen=True)
class ScanConfig:
    """How this site's scanner types: the longest gap between its keys, the shortest scan, prefix and suffix."""

    burst_ms: int = 40
    min_length: int = 4
    prefix: str = ""
    suffix: str = ""


class Route(Enum):
    SCAN = "scan"  # to quick-tag; the keys never reach the widget
    TYPE = "type"  # to the widget, as if typed


@dataclass
class _Key:
    receiver: QObject
    key: int
    modifiers: Qt.KeyboardModifier
    text: str
    at: float
    release: bool = False
    #: Where the key is on the keyboard, as the window system says (`app.key_positions`).
    native: int = 0


@dataclass
class _Burst:
    keys: list[_Key] = field(default_factory=list)
    #: Held presses and releases in the order they came (a button acts on the release of Space, after its press).
    held_events: list[_Key] = field(default_factory=list)
    held: bool = False  # the keys were kept back (replayed if typed) rather than passed through
    #: The text field as it was before the first key went through, to restore when the burst was a scan.
    snapshot: tuple[QWidget, str, int] | None = None
    explicit: bool = False  # started by the scanner's prefix character
    #: Pauses inside the burst so far, and the number of keys since the last one (the current run of fast keys).
    pauses: int = 0
    run: int = 0

    @property
    def text(self) -> str:
        return "".join(k.text for k in self.keys)


def is_text_input(widget: QObject | None) -> bool:
    """A field where typed characters become text (and can be taken back), not a choice or a command."""
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return not widget.isReadOnly()
    return False


def _key_time(event: QKeyEvent) -> float:
    """When the key was pressed, in ms: the window system's time when it gives one (a busy GUI thread then does
    not make a person's keys look like a burst), else now."""
    stamp = event.timestamp()
    return float(stamp) if stamp else time.monotonic() * 1000.0


class ScanCatcher(QObject):
    """An application-wide key filter. `scanned` carries each scan that is not the focused field's to keep.

    `received` reports every finished burst for the scanner test in the settings: the text, the mean gap between
    keys in ms, whether it counted as a scan, and what it was read as when the scanner's keyboard layout is not the
    laptop's ("" when it is read as typed).

    A scanner set to a US layout on a laptop with another one types "NWDß00012" for NWD-00012: when what was
    typed is no tag and the keys pressed spell one on a US keyboard, the scan is read from the keys (`misread`
    tells the window once), and from then on every scan of the session is, serials included.
    """

    scanned = Signal(str)
    received = Signal(str, float, bool, str)
    misread = Signal(str, str)  # what the laptop made of the keys, what they spell on a US keyboard

    def __init__(
        self,
        window: QWidget,
        *,
        config: Callable[[], ScanConfig],
        is_tag: Callable[[str], bool],
        tag_field: QWidget,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.config = config
        self.is_tag = is_tag
        self.tag_field = tag_field
        self.enabled = True
        #: Set once a scan was a tag only when read from its keys: the scanner types as a US keyboard here.
        self.us_scanner = False
        self._platform = QGuiApplication.platformName()
        self._burst = _Burst()
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)

    # -- the filter --------------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind != QEvent.Type.KeyPress:
            if kind == QEvent.Type.KeyRelease and self._burst.held and self._burst.keys and not self._replaying:
                return self._hold_release(watched, event)
            if kind == QEvent.Type.MouseButtonPress and self._burst.keys:
                self.flush()  # held keys first, then the click, in the order they happened
            return False
        if self._replaying or not self._watching(watched):
            return False
        assert isinstance(event, QKeyEvent)
        return self._key(watched, event)

    def _hold_release(self, watched: QObject, event: QEvent) -> bool:
        assert isinstance(event, QKeyEvent)
        if event.key() in MODIFIER_KEYS or not any(k.receiver is watched for k in self._burst.keys):
            return False
        self._burst.held_events.append(
            _Key(watched, event.key(), event.modifiers(), event.text(), _key_time(event), release=True)
        )
        return True

    def _watching(self, watched: QObject) -> bool:
        """Each key once: at the widget it is delivered to (not its window, nor the parents it propagates to)."""
        if not self.enabled or not self.window.isVisible():
            return False
        focus = QApplication.focusWidget()
        if focus is None:
            return isinstance(watched, QWidget) and watched.isWindow()
        return watched is focus

    def _key(self, receiver: QObject, event: QKeyEvent) -> bool:
        key, text, mods = event.key(), event.text(), event.modifiers()
        if key in MODIFIER_KEYS:
            return False  # the Shift a scanner presses for capitals changes nothing
        cfg = self.config()
        now = _key_time(event)
        burst = self._burst
        if event.isAutoRepeat():
            self.flush()
            return False
        if cfg.prefix and text == cfg.prefix and not burst.explicit:
            self.flush()
            self._burst = _Burst(held=True, explicit=True)
            self._timer.start(EXPLICIT_TIMEOUT_MS)
            return True
        if burst.explicit:
            return self._explicit_key(receiver, event, cfg)
        ends = key in TERMINATORS or text in _LINE_ENDS or bool(cfg.suffix and text == cfg.suffix)
        if burst.keys:
            gap = now - burst.keys[-1].at
            # Some scanners pause a little before the Enter they add: the end may take twice the gap of a key.
            if burst.keys[-1].receiver is not receiver:
                self.flush()
            elif gap > cfg.burst_ms * (2 if ends else 1):
                if gap <= PAUSE_MS and burst.run >= 2 and burst.pauses < MAX_PAUSES:
                    burst.pauses += 1  # a stall between two fast runs: still possibly one scan
                    burst.run = burst.run if ends else 0
                else:
                    self.flush()  # too slow for a scanner: what came before was typed
            burst = self._burst
        if ends:
            return self._ended(receiver, cfg)
        if text and text.isprintable() and not (mods & ~_TYPED_MODIFIERS):
            if not burst.keys:
                self._begin(receiver)
            pressed = _Key(receiver, key, mods, text, now, native=event.nativeScanCode())
            burst.keys.append(pressed)
            burst.run += 1
            if burst.held:
                burst.held_events.append(pressed)
            may_pause = burst.run >= 2 and burst.pauses < MAX_PAUSES
            self._timer.start(PAUSE_MS if may_pause else cfg.burst_ms + 15)
            return burst.held
        self.flush()  # Backspace, arrows, shortcuts: a person; let it act after what it follows
        return False

    def _begin(self, receiver: QObject) -> None:
        burst = self._burst
        burst.held = not is_text_input(receiver)
        if not burst.held and isinstance(receiver, QLineEdit):
            burst.snapshot = (receiver, receiver.text(), receiver.cursorPosition())
        elif not burst.held and isinstance(receiver, QPlainTextEdit | QTextEdit):
            burst.snapshot = (receiver, receiver.toPlainText(), receiver.textCursor().position())

    def _ended(self, receiver: QObject, cfg: ScanConfig) -> bool:
        burst = self._burst
        keys = burst.keys
        if len(keys) < max(cfg.min_length, 1) or (burst.pauses and burst.run < 2):
            self.flush()
            return False
        typed = burst.text
        text = self._read(keys, typed)
        gap = (keys[-1].at - keys[0].at) / max(len(keys) - 1, 1)
        route = self.route(text, receiver)
        if burst.pauses and route is Route.SCAN and receiver is not self.tag_field and not self.is_tag(text):
            route = Route.TYPE  # a stalled burst is taken away from where it was typed only when it reads a tag
        self.received.emit(typed, gap, route is Route.SCAN, text if text != typed else "")
        if route is Route.TYPE:
            if text != typed:
                self._retype(typed, text)
            self.flush()
            return False
        self._take_back()
        self.scanned.emit(text)
        return True

    def _read(self, keys: list[_Key], typed: str) -> str:
        """The scan as the scanner meant it: as typed, or spelled from its keys when the scanner types as a US
        keyboard on this laptop (known from a tag that only reads right that way)."""
        read = us_reading([(k.native, bool(k.modifiers & Qt.KeyboardModifier.ShiftModifier)) for k in keys],
                          self._platform)  # fmt: skip
        if read is None or read == typed:
            return typed
        if not self.us_scanner:
            if self.is_tag(typed) or not self.is_tag(read):
                return typed  # a scanner set to this layout: its keys spell something else on a US keyboard
            self.us_scanner = True
            self.misread.emit(typed, read)
        return read

    def _retype(self, typed: str, read: str) -> None:
        """A scan read from its keys but typed into a text field (a serial into its field): the field gets what the
        scanner meant instead of what the layout made of it."""
        snapshot = self._burst.snapshot
        if snapshot is None or not isinstance(snapshot[0], QLineEdit) or not shiboken6.isValid(snapshot[0]):
            return
        field = snapshot[0]
        end = field.cursorPosition()
        if field.text()[end - len(typed) : end] != typed:
            return
        text = field.text()[: end - len(typed)] + read + field.text()[end:]
        field.setText(text)
        field.setCursorPosition(end - len(typed) + len(read))
        field.textEdited.emit(text)

    def _explicit_key(self, receiver: QObject, event: QKeyEvent, cfg: ScanConfig) -> bool:
        burst = self._burst
        key, text = event.key(), event.text()
        if (cfg.suffix and text == cfg.suffix) or (not cfg.suffix and (key in TERMINATORS or text in _LINE_ENDS)):
            scanned = burst.text
            self._timer.stop()
            self._burst = _Burst()
            if scanned:
                self.received.emit(scanned, 0.0, True, "")
                self.scanned.emit(scanned)
            return True
        if text and text.isprintable():
            pressed = _Key(receiver, key, event.modifiers(), text, _key_time(event))
            burst.keys.append(pressed)
            burst.held_events.append(pressed)
            self._timer.start(EXPLICIT_TIMEOUT_MS)
            return True
        return False

    # -- where a burst goes ------------------------------------------------------------------------------------
    def route(self, text: str, receiver: QObject) -> Route:
        """A scanned tag goes to quick-tag from anywhere; other scans (a serial into the Serial field, a value into
        a dialog) stay where they were typed, except where typing them would choose or press something."""
        if receiver is self.tag_field:
            return Route.SCAN
        if receiver.property(ACCEPTS_SCAN):
            return Route.TYPE
        if self.is_tag(text):
            return Route.SCAN
        if is_text_input(receiver) or isinstance(receiver, QAbstractSpinBox):
            return Route.TYPE
        if isinstance(receiver, QWidget) and receiver.window() is not self.window:
            return Route.TYPE  # a dialog's own keys: not ours to take unless they are a tag
        if isinstance(receiver, QComboBox) and receiver.isEditable():
            return Route.TYPE
        return Route.SCAN

    # -- giving keys back --------------------------------------------------------------------------------------
    def flush(self) -> None:
        """Hand the held keys to the widgets they were typed into, in order (a person typed them)."""
        burst, self._burst = self._burst, _Burst()
        self._timer.stop()
        if not burst.held:
            return
        self._replaying = True
        try:
            for k in burst.held_events:
                if shiboken6.isValid(k.receiver):
                    kind = QEvent.Type.KeyRelease if k.release else QEvent.Type.KeyPress
                    event = QKeyEvent(kind, k.key, k.modifiers, k.text)
                    QApplication.sendEvent(k.receiver, event)
        finally:
            self._replaying = False

    def _take_back(self) -> None:
        """The burst was a scan: what it typed into a text field is removed again."""
        burst, self._burst = self._burst, _Burst()
        self._timer.stop()
        if burst.snapshot is None:
            return
        widget, text, cursor = burst.snapshot
        if not shiboken6.isValid(widget):
            return
        if isinstance(widget, QLineEdit):
            if widget.text() != text:
                widget.setText(text)
                widget.setCursorPosition(cursor)
                widget.textEdited.emit(text)  # the form re-reads the field as the person left it
        elif isinstance(widget, QPlainTextEdit | QTextEdit) and widget.toPlainText() != text:
            widget.setPlainText(text)
            cursor_obj = widget.textCursor()
            cursor_obj.setPosition(min(cursor, len(text)))
            widget.setTextCursor(cursor_obj)

    def _timed_out(self) -> None:
        self.flush()
