"""Preferences live in QSettings (a temporary file here) and the dialog writes them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

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
