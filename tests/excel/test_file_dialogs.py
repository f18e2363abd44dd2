"""Each kind of file dialog starts in the folder last used for that kind: real QFileDialogs, answered as users do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from app.db import Workspace
from exporters.xlsx_export import ExportReport
from tests.excel.excel_files import write_csv
from ui.export_dialog import ExportDialog
from ui.file_dialogs import Folder, ask_save_file, problem_with_file, remember_folder, start_folder
from ui.import_dialog import ImportDialog
from ui.runner import Runner
from ui.settings import FOLDER_IMPORT_SOURCE, FOLDER_PDF_EXPORT, FOLDER_XLSX_EXPORT, TECHNICIAN, Settings

OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"
pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[Runner]:
    runner = Runner(None, synchronous=True)
    yield runner
    runner.wait()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "dialogs.ini"), QSettings.Format.IniFormat))


def answer_file_dialog(answer: Callable[[QFileDialog], None]) -> list[str]:
    """Answer the next file dialog once it is up; returns the folders it started in (filled when it was seen)."""
    started: list[str] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, look)
            return
        started.append(dialog.directory().absolutePath())
        answer(dialog)

    QTimer.singleShot(0, look)
    return started


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_the_export_dialog_starts_in_the_folder_of_the_last_export(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, settings: Settings,
    tmp_path: Path,
) -> None:  # fmt: skip
    first = ExportDialog(demo_workspace, runner, demo_project_id, settings=settings)
    qtbot.addWidget(first)
    assert Path(first.path_edit.text()).parent == Path.home()  # nothing remembered yet

    reports = _folder(tmp_path / "Northwind" / "reports")
    started = answer_file_dialog(lambda d: (d.selectFile(str(reports / "handover copy")), d.accept()))
    first.choose_path()
    assert started == [str(Path.home())]
    assert first.path_edit.text() == str(reports / "handover copy.xlsx")
    with qtbot.waitSignal(first.exported) as signal:
        first.export_button.click()
    assert isinstance(signal.args[0], ExportReport) and (reports / "handover copy.xlsx").exists()
    assert settings.get(FOLDER_XLSX_EXPORT) == str(reports)

    again = ExportDialog(demo_workspace, runner, demo_project_id, settings=settings)
    qtbot.addWidget(again)
    assert Path(again.path_edit.text()).parent == reports and "NWD-ONB inventory" in again.path_edit.text()
    started = answer_file_dialog(lambda d: d.reject())
    again.choose_path()
    assert started == [str(reports)] and Path(again.path_edit.text()).parent == reports


def test_the_import_dialog_opens_where_the_last_list_came_from(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, settings: Settings,
    tmp_path: Path,
) -> None:  # fmt: skip
    downloads = _folder(tmp_path / "Downloads")
    path = write_csv(downloads / "list.csv", [["Asset Tag", "Model"], ["NWD-09960", "A"]])
    settings.set(FOLDER_IMPORT_SOURCE, str(downloads))
    dialog = ImportDialog(demo_workspace, runner, demo_project_id, "pat.tester", settings=settings)
    qtbot.addWidget(dialog)
    started = answer_file_dialog(lambda d: (d.selectFile(str(path)), d.accept()))
    dialog.choose_file()
    assert started == [str(downloads)]
    assert dialog.path_edit.text() == str(path) and dialog.chips["new"].text() == "1 new"


def test_each_kind_keeps_its_own_folder_and_a_folder_since_removed_falls_back_to_home(
    settings: Settings, tmp_path: Path
) -> None:
    pdfs, lists = _folder(tmp_path / "pdfs"), _folder(tmp_path / "lists")
    remember_folder(settings, Folder.PDF_EXPORT, pdfs / "NWD-ONB-packet.pdf")
    remember_folder(settings, Folder.IMPORT_SOURCE, lists)
    assert (start_folder(settings, Folder.PDF_EXPORT), start_folder(settings, Folder.IMPORT_SOURCE)) == (pdfs, lists)
    assert start_folder(settings, Folder.XLSX_EXPORT) == Path.home()
    pdfs.rmdir()
    assert start_folder(settings, Folder.PDF_EXPORT) == Path.home() and settings.get(FOLDER_PDF_EXPORT)


def test_a_pdf_export_from_the_main_window_starts_in_the_pdf_folder(
    qtbot: QtBot, demo_workspace: Workspace, settings: Settings, tmp_path: Path
) -> None:
    from ui.main_window import MainWindow

    settings.set(TECHNICIAN, "pat.tester")
    pdfs = _folder(tmp_path / "signoff pdfs")
    settings.set(FOLDER_PDF_EXPORT, str(pdfs))
    window = MainWindow(demo_workspace, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(window.current_project_id()))
    actions = window._workflow_actions  # type: ignore[attr-defined]
    started = answer_file_dialog(lambda d: (d.selectFile(str(pdfs / "mine")), d.accept()))
    actions.export("noc-brief")
    assert started == [str(pdfs)]
    qtbot.waitUntil(lambda: (pdfs / "mine.pdf").exists(), timeout=60000)
    window.runner.wait()
    assert (pdfs / "mine.pdf").read_bytes().startswith(b"%PDF")


def test_a_path_that_cannot_be_read_is_told_in_words(tmp_path: Path) -> None:
    readable = write_csv(tmp_path / "ok.csv", [["Asset Tag"], ["NWD-1"]])
    assert problem_with_file(readable) is None
    assert problem_with_file(tmp_path) == f"{tmp_path} is a folder; choose a file in it."
    assert problem_with_file(tmp_path / "gone.csv") == f"There is no file gone.csv in {tmp_path}; check the name."


def test_a_save_dialog_adds_the_missing_suffix_and_remembers_the_folder(
    qtbot: QtBot, settings: Settings, tmp_path: Path
) -> None:
    out = _folder(tmp_path / "out")
    answer_file_dialog(lambda d: (d.selectFile(str(out / "brief")), d.accept()))
    chosen = ask_save_file(None, Folder.PDF_EXPORT, "Export", "NWD-ONB-noc-brief.pdf", "PDF (*.pdf)",
                           suffix=".pdf", settings=settings)  # fmt: skip
    assert chosen == out / "brief.pdf" and start_folder(settings, Folder.PDF_EXPORT) == out
