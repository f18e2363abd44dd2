"""Take the first-run screenshots (welcome screen, setup dialogs) from the real app on an empty workspace.

QT_QPA_PLATFORM=offscreen .venv/bin/python -m ui.screenshots_first_run [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLineEdit

from app.db import open_workspace
from ui.collector import GuiThreadCollector
from ui.main_window import MainWindow
from ui.screenshots import save, settle
from ui.settings import SOUND, TECHNICIAN, Settings
from ui.setup_actions import SetupActions
from ui.setup_dialogs import SetupDialog
from ui.theme import apply_theme
from ui.welcome import NameDialog, start


def _fill(dialog: SetupDialog, **texts: str) -> None:
    for name, text in texts.items():
        field = dialog.inputs[name]
        assert isinstance(field, QLineEdit)
        field.setText(text)
        field.textEdited.emit(text)  # as if typed: the client's code follows its name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    GuiThreadCollector(app)
    tmp = Path(tempfile.mkdtemp(prefix="closeout-first-run-"))
    ws = open_workspace(tmp / "workspace")
    settings = Settings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    settings.set(SOUND, False)
    apply_theme(app, settings, "light")
    window = MainWindow(ws, settings=settings)
    window.resize(1280, 800)
    window.show()
    settle(app, window)
    welcome = start(window)
    assert welcome is not None
    settle(app, window)
    save(welcome, args.out / "welcome.png")
    welcome.who.name.setText("Sam Rivera")  # type: ignore[attr-defined]
    welcome.choose("create")  # type: ignore[attr-defined]
    actions: SetupActions = window.setup_actions  # type: ignore[attr-defined]

    client = actions.last_dialog
    assert client is not None
    _fill(client, name="Acme Corporation", tag_prefix="ACME-")
    settle(app, window)
    save(client, args.out / "setup-client.png")
    _fill(client, name="")
    client.accept()  # refused: the messages show under the fields, the typing stays
    settle(app, window)
    save(client, args.out / "setup-client-errors.png")
    _fill(client, name="Acme Corporation")
    client.accept()
    settle(app, window)

    project = actions.last_dialog
    assert project is not None and project is not client
    _fill(project, name="Managed services activation")
    settle(app, window)
    save(project, args.out / "setup-project.png")
    project.accept()
    settle(app, window)
    site = actions.last_dialog
    assert site is not None
    _fill(site, name="Head office", code="HQ", address="200 Market St, Springfield")
    settle(app, window)
    save(site, args.out / "setup-site.png")
    site.accept()
    settle(app, window)
    for name in ("Building A", "Floor 2"):
        location = actions.new_here()
        assert location is not None
        _fill(location, name=name)
        location.accept()
        settle(app, window)
    location = actions.new_here()
    assert location is not None
    _fill(location, name="Server room")
    settle(app, window)
    save(location, args.out / "setup-location.png")
    location.accept()
    settle(app, window)
    menu = actions.menu_for(window.navigator.node(window.tree.currentIndex()))
    menu.adjustSize()
    settle(app, window)
    save(menu, args.out / "setup-navigator-menu.png")
    menu.close()

    settings.set(TECHNICIAN, "")
    asked = start(window)
    assert isinstance(asked, NameDialog)
    settle(app, window)
    save(asked, args.out / "who-is-tagging.png")
    asked.reject()
    window.close()
    ws.close()


if __name__ == "__main__":
    main()
