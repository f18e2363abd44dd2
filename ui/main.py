"""`closeout`: open the desktop app on the workspace (or seed a demo, or render once for a smoke test)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from app.config import resolve_home


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="closeout", description="Closeout: asset tagging and activation closeout.")
    parser.add_argument("--home", metavar="DIR", help="workspace folder (default: $CLOSEOUT_HOME or the data folder)")
    parser.add_argument("--smoke-test", action="store_true", help="open the main window, render it once, exit")
    parser.add_argument("--seed-demo-if-empty", action="store_true", help="seed a demo client if there is none")
    return parser.parse_args(argv)


def _no_display() -> bool:
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    )


def seed_if_empty(home_path: str | None) -> str | None:
    """Seed the demo workspace when it has no clients; returns what was done, in words."""
    from app.db import open_workspace
    from app.demo import seed_demo
    from app.projects import list_clients

    ws = open_workspace(resolve_home(home_path))
    try:
        with ws.session() as session:
            if list_clients(session):
                return None
        with ws.transaction() as session:
            seed_demo(session)
        return f"Seeded a demo workspace in {ws.home}."
    finally:
        ws.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    from app.errors import CloseoutError

    try:
        if args.seed_demo_if_empty:
            done = seed_if_empty(args.home)
            if done:
                print(done)
    except CloseoutError as exc:
        print(f"closeout: {exc}", file=sys.stderr)
        return 1
    if _no_display():
        print("There is no display here, so the desktop app cannot open; run `closeout-cli --help` instead.")
        return 0

    from PySide6.QtWidgets import QApplication

    from ui.crash import install_excepthook, setup_logging

    log_path = setup_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName("Closeout")
    app.setApplicationName("Closeout")
    app.setApplicationDisplayName("Closeout")
    install_excepthook(log_path, dialog=not args.smoke_test)
    from ui.collector import GuiThreadCollector

    collector = GuiThreadCollector(app)

    from app.db import open_workspace
    from ui.messages import show_error
    from ui.settings import Settings
    from ui.theme import apply_theme

    settings = Settings()
    apply_theme(app, settings)
    try:
        workspace = open_workspace(resolve_home(args.home))
    except CloseoutError as exc:
        show_error(None, "Cannot open the workspace", exc)
        return 1

    from ui.main_window import MainWindow

    window = MainWindow(workspace, settings=settings)
    if args.smoke_test:
        window.show()
        app.processEvents()
        image = window.grab()
        ok = not image.isNull()
        window.close()
        window.runner.wait()
        collector.stop()
        workspace.close()
        print("smoke test: ok" if ok else "smoke test: the window did not render")
        return 0 if ok else 1
    window.show()
    from ui.welcome import start

    start(window)  # an empty workspace: the three ways to start; else, once, who is tagging
    code = app.exec()
    window.runner.wait()
    collector.stop()
    workspace.close()
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
