"""Labels in the window: the label dialog's preview, saving and printing, a label after each save, the camera."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.assets import suggest_next_tag
from exporters.label_templates import find_template
from tests.labels.photos import photos
from ui.camera_scan import NO_CAMERA, CameraDialog, camera_problem
from ui.labels_actions import AFTER_SAVE_TEMPLATE
from ui.labels_dialog import LabelsDialog
from ui.main_window import MainWindow

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "labels"


def tags_in(pdf: Path, folder: Path) -> list[str]:
    folder.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(folder / "p")], check=True)
    found: list[str] = []
    for page in sorted(folder.glob("p-*.png")):
        codes = zxingcpp.read_barcodes(Image.open(page), formats=zxingcpp.BarcodeFormat.Code128)
        found += [
            c.text for c in sorted(codes, key=lambda c: (round(c.position.top_left.y / 50), c.position.top_left.x))
        ]
    return found


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def open_dialog(qtbot: QtBot, window: MainWindow) -> LabelsDialog:
    qtbot.waitUntil(lambda: window.table_model.rowCount() > 0)
    window.table.selectRow(0)
    dialog = window.labels_actions.open_dialog()  # type: ignore[attr-defined]
    assert isinstance(dialog, LabelsDialog)
    qtbot.addWidget(dialog)
    return dialog


def test_the_label_dialog_previews_the_first_sheet_and_saves_a_range_from_a_partly_used_sheet(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, window)
    first = window.table_model.row_at(0)
    assert first is not None
    qtbot.waitUntil(lambda: dialog.preview.pixmap() is not None and not dialog.preview.pixmap().isNull())
    assert dialog.status.text().startswith(f"1 label on 1 sheet: {first.asset_tag}")
    dialog.template.setCurrentIndex(dialog.template.findData("avery-l7160"))
    dialog.source.setCurrentIndex(dialog.source.findData("range"))
    qtbot.keyClicks(dialog.tags, "nwd-00001..NWD-00024")
    dialog.row.setValue(2)
    dialog.column.setValue(3)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("24 labels on 2 sheets: NWD-00001 … NWD-00024"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "label-dialog.png"))
    out = tmp_path / "labels.pdf"
    with qtbot.waitSignal(dialog.written, timeout=20000):
        dialog.save_to(out)
    assert tags_in(out, tmp_path / "png") == [f"NWD-{n:05d}" for n in range(1, 25)]
    # Bad input: said under the form, the typed range stays for correcting, nothing can be printed.
    dialog.tags.setText("NWD-00001..oops")
    qtbot.waitUntil(lambda: "is not a range of tags" in dialog.status.text())
    assert dialog.tags.text() == "NWD-00001..oops" and not dialog.print_button.isEnabled()


def test_printing_uses_the_templates_page_size_without_scaling(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.template.setCurrentIndex(dialog.template.findData("dymo-30252"))
    dialog.source.setCurrentIndex(dialog.source.findData("range"))
    dialog.tags.setText("NWD-00005..NWD-00007")
    qtbot.waitUntil(lambda: dialog.status.text().startswith("3 labels: NWD-00005"))
    printed = tmp_path / "printed.pdf"
    with qtbot.waitSignal(dialog.written, timeout=20000):
        dialog.print_to(pdf_printer(printed))
    pages = PdfReader(printed).pages
    template = find_template("dymo-30252")
    assert len(pages) == 3
    for page in pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx((template.page_mm[0] / 25.4 * 72, template.page_mm[1] / 25.4 * 72), abs=1.0)
    assert tags_in(printed, tmp_path / "png") == ["NWD-00005", "NWD-00006", "NWD-00007"]


def test_a_pre_printed_run_is_reserved_once_and_tagging_then_uses_its_tags(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.template.setCurrentIndex(dialog.template.findData("brother-ql-62"))
    dialog.source.setCurrentIndex(dialog.source.findData("run"))
    dialog.count.setValue(4)
    qtbot.waitUntil(lambda: "reserved when you print" in dialog.status.text())
    with qtbot.waitSignal(dialog.written, timeout=20000):
        dialog.save_to(tmp_path / "run.pdf")
    run = list(dialog.run_tags)
    assert len(run) == 4 and "this device's code" in dialog.status.text()
    with qtbot.waitSignal(dialog.written, timeout=20000):
        dialog.save_to(tmp_path / "again.pdf")  # a reprint, not a second run
    assert dialog.run_tags == run
    assert tags_in(tmp_path / "again.pdf", tmp_path / "png") == run
    with window.workspace.session() as s:
        assert suggest_next_tag(s, window.editor.client_id or "") == run[0]


def test_a_label_is_printed_after_each_save_of_a_new_asset(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    actions = window.labels_actions  # type: ignore[attr-defined]
    window.settings.set(AFTER_SAVE_TEMPLATE, "thermal-2x1")
    printed = tmp_path / "after-save.pdf"
    actions.printer_factory = lambda: pdf_printer(printed)
    actions.after_save_action.setChecked(True)
    field = window.editor.tag_field
    field.setFocus()
    qtbot.keyClicks(field, "NWD-90001")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    window.editor.form.inputs["model"].setText("OptiPlex 7010")
    assert window.editor.save() is not None
    qtbot.waitUntil(
        lambda: "Label for NWD-90001 sent to the printer" in window.statusBar().currentMessage(), timeout=20000
    )
    assert tags_in(printed, tmp_path / "png") == ["NWD-90001"]
    pages = PdfReader(printed).pages
    assert (float(pages[0].mediabox.width), float(pages[0].mediabox.height)) == pytest.approx((144, 72), abs=1.0)


#: QtMultimedia's FFmpeg backend says which optional video libraries (PipeWire, VA-API) this machine lacks.
MULTIMEDIA_NOISE = r"Couldn't (load|resolve) (pipewire|va)"


@pytest.mark.qt_log_ignore(MULTIMEDIA_NOISE)
def test_camera_frames_are_decoded_on_a_worker_and_scanned_into_quick_tag(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    dialog = window.labels_actions.open_camera()  # type: ignore[attr-defined]
    assert isinstance(dialog, CameraDialog)
    qtbot.addWidget(dialog)
    assert camera_problem() == NO_CAMERA and dialog.status.text() == NO_CAMERA  # this machine has no camera
    frame = photos(find_template("dymo-30334"), "NWD-00012", tmp_path)["tilted 25%"]
    image = QImage(frame.data, frame.shape[1], frame.shape[0], frame.strides[0], QImage.Format.Format_Grayscale8)
    with qtbot.waitSignal(dialog.decoder.decoded, timeout=10000) as seen:
        dialog.show_frame(image.copy())
    assert seen.args == ["NWD-00012"]
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == "NWD-00012")
    assert dialog.tags.stringList() == ["NWD-00012"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "camera-dialog.png"))
    # The same label still in view is not a second scan.
    with qtbot.assertNotEmitted(dialog.decoder.decoded, wait=300):
        dialog.show_frame(image.copy())
        qtbot.waitUntil(lambda: not dialog.decoder.busy)
    QApplication.processEvents()
