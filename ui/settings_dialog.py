"""The settings dialog: who is tagging, where, the tag prefix, the scanner, the MSP name on the PDFs, sync, the look."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.dialog_guard import GuardedDialog, values_of
from ui.file_dialogs import Folder, ask_open_file
from ui.scanner import ACCEPTS_SCAN, ScanCatcher
from ui.settings import (
    CA_BUNDLE,
    DEFAULT_SITE,
    SCAN_BURST_MS,
    SCAN_PREFIX,
    SCAN_SUFFIX,
    SERVER_URL,
    SOUND,
    TAG_PREFIX,
    TECHNICIAN,
    THEME,
    THEMES,
    Settings,
)


class SettingsDialog(GuardedDialog):
    """Edits the QSettings-backed options; OK writes them; closing with changes asks whether to save them."""

    unsaved_question = "The settings you changed are not saved yet. Save them before closing?"

    def __init__(
        self,
        settings: Settings,
        sites: list[tuple[str, str]],
        parent: QWidget | None = None,
        *,
        msp_name: str | None = None,
        scanner: ScanCatcher | None = None,
    ) -> None:
        """`msp_name`: the workspace's MSP name, shown for editing (None: no such row); the caller stores it.
        `scanner`: the window's scan catcher, whose verdicts the scanner test shows."""
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self.technician = QLineEdit(settings.get(TECHNICIAN), self)
        self.technician.setPlaceholderText(settings.technician())
        self.technician.setAccessibleName("Technician name")
        self.site = QComboBox(self)
        self.site.setEditable(True)
        self.site.setAccessibleName("Default site")
        self.site.addItem("")
        for name, _site_id in sites:
            self.site.addItem(name)
        self.site.setCurrentText(settings.get(DEFAULT_SITE))
        self.prefix = QLineEdit(settings.get(TAG_PREFIX), self)
        self.prefix.setAccessibleName("Tag prefix")
        self.prefix.setPlaceholderText("e.g. NWD-  (added when only digits are scanned)")
        self.server = QLineEdit(settings.get(SERVER_URL), self)
        self.server.setAccessibleName("Server address")
        self.ca_bundle = QLineEdit(settings.get(CA_BUNDLE), self)
        self.ca_bundle.setAccessibleName("CA bundle")
        self.ca_bundle.setPlaceholderText("System certificates")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        ca_box = QWidget(self)
        ca_box.setLayout(ca_row)
        self.theme = QComboBox(self)
        self.theme.setAccessibleName("Theme")
        for choice in THEMES:
            self.theme.addItem("Follow the system" if choice == "system" else choice.capitalize(), choice)
        self.theme.setCurrentIndex(max(self.theme.findData(settings.get(THEME)), 0))
        self.sound = QCheckBox("Beep when an asset is saved", self)
        self.sound.setChecked(settings.get(SOUND))
        self.msp_name = QLineEdit(msp_name or "", self)
        self.msp_name.setAccessibleName("MSP name")
        self.msp_name.setToolTip("Printed on the cover and in the header of the closeout PDFs of this workspace")
        self.msp_name.setVisible(msp_name is not None)  # not in the form then; the caller does not store it
        self.burst = QSpinBox(self)
        self.burst.setRange(5, 200)
        self.burst.setSuffix(" ms")
        self.burst.setValue(settings.get(SCAN_BURST_MS))
        self.burst.setFixedWidth(110)
        self.burst.setAccessibleName("Longest gap between a scanner's keys")
        self.burst.setToolTip("Keys closer together than this, ended by Enter or Tab, are a scan, not typing")
        self.scan_prefix = QLineEdit(settings.get(SCAN_PREFIX), self)
        self.scan_prefix.setMaxLength(1)
        self.scan_prefix.setAccessibleName("Scanner prefix character")
        self.scan_prefix.setPlaceholderText("none")
        self.scan_suffix = QLineEdit(settings.get(SCAN_SUFFIX), self)
        self.scan_suffix.setMaxLength(1)
        self.scan_suffix.setAccessibleName("Scanner suffix character")
        self.scan_suffix.setPlaceholderText("⏎ or Tab")
        affixes = QHBoxLayout()
        affixes.setContentsMargins(0, 0, 0, 0)
        for label, field in (("Prefix", self.scan_prefix), ("Suffix", self.scan_suffix)):
            field.setFixedWidth(90)
            affixes.addWidget(QLabel(label, self))
            affixes.addWidget(field)
        affixes.addStretch(1)
        affix_box = QWidget(self)
        affix_box.setLayout(affixes)
        self.scan_test = QLineEdit(self)
        self.scan_test.setObjectName("scanTest")
        self.scan_test.setAccessibleName("Test your scanner")
        self.scan_test.setPlaceholderText("Click here and scan any barcode")
        self.scan_test.setProperty(ACCEPTS_SCAN, True)
        self.scan_verdict = QLabel("", self)
        self.scan_verdict.setObjectName("hint")
        self.scan_verdict.setWordWrap(True)
        self.scan_verdict.setVisible(False)
        self._scanned_here = False
        self.scan_test.installEventFilter(self)  # its Enter ends a test scan; it must not press OK
        if scanner is not None:
            scanner.received.connect(self._received)

        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        for title, rows in (
            ("ON SITE", (("Technician name", self.technician), ("Default site", self.site),
                         ("Tag prefix", self.prefix))),
            ("PDF EXPORTS", (("MSP name", self.msp_name),) if msp_name is not None else ()),
            ("SCANNER", (("Key gap", self.burst), ("Sends", affix_box), ("Test your scanner", self.scan_test),
                         ("", self.scan_verdict))),
            ("SYNC", (("Server address", self.server), ("CA bundle", ca_box))),
            ("LOOK AND SOUND", (("Theme", self.theme), ("", self.sound))),
        ):  # fmt: skip
            if not rows:
                continue
            heading = QLabel(title, self)
            heading.setObjectName("sectionTitle")
            form.addRow(heading)
            for label, widget in rows:
                form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.mark_clean()

    def edit_state(self) -> object:
        return values_of([self.technician, self.site, self.prefix, self.burst, self.scan_prefix, self.scan_suffix,
                          self.server, self.ca_bundle, self.theme, self.sound, self.msp_name])  # fmt: skip

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scan_test and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._typed_in_test()
                return True
        return super().eventFilter(watched, event)

    def _received(self, text: str, gap_ms: float, is_scan: bool, read: str = "") -> None:
        """What the scan catcher made of a burst typed into the test field."""
        if not self.scan_test.hasFocus():
            return
        self._scanned_here = True
        speed = f"{gap_ms:.0f} ms between keys" if gap_ms else "sent with the prefix"
        layout = (
            f" It is read as “{read}”: the scanner types as a US keyboard, this laptop's layout is another one. "
            "Closeout reads its scans from the keys it presses; to scan into other programs too, set the scanner to "
            "this keyboard layout (its manual has a setup barcode for it)."
            if read
            else ""
        )
        self.scan_verdict.setText(
            f"Scanner input: “{text}” ({len(text)} characters, {speed}). Scans will be recognised.{layout}"
        )
        self.scan_verdict.setVisible(True)

    def _typed_in_test(self) -> None:
        if self._scanned_here:
            self._scanned_here = False
        else:
            self.scan_verdict.setText(
                f"“{self.scan_test.text()}” looked like typing, not a scanner. If it was scanned, raise the key gap "
                "or set the prefix your scanner sends."
            )
            self.scan_verdict.setVisible(True)
        self.scan_test.selectAll()

    def _browse(self) -> None:
        path = ask_open_file(self, Folder.CA_BUNDLE, "CA bundle", "Certificates (*.pem *.crt);;All files (*)")
        if path:
            self.ca_bundle.setText(str(path))

    def accept(self) -> None:
        s = self.settings
        s.set(TECHNICIAN, self.technician.text().strip())
        s.set(DEFAULT_SITE, self.site.currentText().strip())
        s.set(TAG_PREFIX, self.prefix.text().strip().upper())
        s.set(SERVER_URL, self.server.text().strip() or SERVER_URL.default)
        s.set(CA_BUNDLE, self.ca_bundle.text().strip())
        theme = str(self.theme.currentData())
        changed_theme = theme != s.get(THEME)
        s.set(THEME, theme)
        s.set(SOUND, self.sound.isChecked())
        s.set(SCAN_BURST_MS, self.burst.value())
        s.set(SCAN_PREFIX, self.scan_prefix.text())
        s.set(SCAN_SUFFIX, self.scan_suffix.text())
        s.sync()
        if changed_theme:
            from PySide6.QtWidgets import QApplication

            from ui.theme import apply_theme

            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, s, theme)
        super().accept()
