"""Preferences live in QSettings (a temporary file here) and the dialog writes them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.projects import get_project
from exporters.pdf_data import DEFAULT_MSP_NAME, load_dossier
from ui.main_window import MainWindow
from ui.settings import DEFAULT_SITE, SERVER_URL, SOUND, TAG_PREFIX, TECHNICIAN, THEME, Settings
from ui.settings_dialog import SettingsDialog


def test_options_have_typed_defaults_and_round_trip(tmp_path: Path) -> None:
    settings = Settings(QSettings(str(tmp_path / "a.ini"), QSettings.Format.IniFormat))
    assert settings.get(SERVER_URL) == "http://127.0.0.1:8765"
    assert settings.get(SOUND) is True
    assert settings.get(THEME) == "system"
    settings.set(SOUND, False)
    settings.set(TECHNICIAN, "  ")
    settings.sync()
    again = Settings(QSettings(str(tmp_path / "a.ini"), QSettings.Format.IniFormat))
    assert again.get(SOUND) is False
    assert again.technician()  # falls back to the login name


def test_the_default_constructor_never_touches_the_real_users_file(qsettings_in_tmp: Path) -> None:
    settings = Settings()
    settings.set(TAG_PREFIX, "ACME-")
    settings.sync()
    assert Path(settings.store.fileName()).is_relative_to(qsettings_in_tmp)


def test_the_settings_dialog_writes_what_was_typed(qtbot: QtBot, settings: Settings) -> None:
    dialog = SettingsDialog(settings, [("Main Clinic", "s1"), ("Eastside Clinic", "s2")])
    qtbot.addWidget(dialog)
    dialog.technician.clear()
    qtbot.keyClicks(dialog.technician, "alex.tech")
    dialog.site.setCurrentText("Eastside Clinic")
    qtbot.keyClicks(dialog.prefix, "nwd-")
    dialog.sound.setChecked(False)
    dialog.accept()
    assert settings.get(TECHNICIAN) == "alex.tech"
    assert settings.get(DEFAULT_SITE) == "Eastside Clinic"
    assert settings.get(TAG_PREFIX) == "NWD-"
    assert settings.get(SOUND) is False


def test_the_msp_name_typed_in_settings_is_the_one_the_pdfs_print(qtbot: QtBot, window: MainWindow) -> None:
    with window.workspace.session() as session:
        project_code = get_project(session, window.current_project_id() or "").code
        assert load_dossier(session, project_code, window.workspace.blobs_dir).msp_name == DEFAULT_MSP_NAME
    dialog = window.open_settings()
    assert isinstance(dialog, SettingsDialog) and dialog.isVisible()
    assert dialog.msp_name.text() == DEFAULT_MSP_NAME
    dialog.msp_name.selectAll()
    qtbot.keyClicks(dialog.msp_name, "Northwind IT Partners")
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    with window.workspace.session() as session:
        assert load_dossier(session, project_code, window.workspace.blobs_dir).msp_name == "Northwind IT Partners"
    again = window.open_settings()
    assert isinstance(again, SettingsDialog) and again.msp_name.text() == "Northwind IT Partners"
    again.msp_name.clear()  # an empty name goes back to the default, never a blank cover
    again.accept()
    with window.workspace.session() as session:
        assert load_dossier(session, project_code, window.workspace.blobs_dir).msp_name == DEFAULT_MSP_NAME


def test_the_settings_dialog_alone_has_no_msp_row(qtbot: QtBot, settings: Settings) -> None:
    dialog = SettingsDialog(settings, [])
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.msp_name.isVisible()
