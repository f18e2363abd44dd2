"""First run: the welcome screen, the name asked once, and setting up a client down to a room by keyboard."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db import Workspace
from app.journal import history
from app.projects import create_client, list_clients
from models import Asset, Location
from ui.main_window import MainWindow
from ui.navigator import Node
from ui.settings import TECHNICIAN, Settings
from ui.setup_actions import SetupActions
from ui.setup_dialogs import ClientDialog, LocationDialog, ProjectDialog, SetupDialog, SiteDialog
from ui.shortcuts import shortcuts_text
from ui.welcome import NameDialog, WelcomeDialog, start


@pytest.fixture
def nameless(settings: Settings) -> Settings:
    settings.set(TECHNICIAN, "")
    return settings


def _setup(window: MainWindow) -> SetupActions:
    actions = window.setup_actions  # type: ignore[attr-defined]
    assert isinstance(actions, SetupActions)
    return actions


def _dialog(qtbot: QtBot, window: MainWindow, kind: type[SetupDialog]) -> SetupDialog:
    """The setup dialog of this kind that is open now, once it is on screen."""
    qtbot.waitUntil(lambda: isinstance(_setup(window).last_dialog, kind) and _setup(window).last_dialog.isVisible())
    dialog = _setup(window).last_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: _focus_in(dialog))  # the window manager (here: Qt) activates it
    return dialog


def _focus_in(window: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and focused.window() is window


def _type(qtbot: QtBot, text: str) -> None:
    """Type into whatever has the keyboard focus, as a person would."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClicks(focused, text)


def _key(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key, modifier)


def _welcome(window: MainWindow) -> tuple[MainWindow, WelcomeDialog]:
    welcome = start(window)
    assert isinstance(welcome, WelcomeDialog)
    return window, welcome


def _back_in(qtbot: QtBot, window: MainWindow) -> None:
    """A closed dialog gives the keyboard back to its window (a window manager does this; offscreen Qt does not)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def _current(window: MainWindow) -> Node | None:
    return window.navigator.node(window.tree.currentIndex())


def test_from_an_empty_workspace_the_keyboard_sets_up_a_client_down_to_a_room_and_tagging_works(
    qtbot: QtBot, workspace: Workspace, nameless: Settings, open_window: Callable[[Workspace], MainWindow]
) -> None:
    window = open_window(workspace)
    welcome = start(window)
    assert isinstance(welcome, WelcomeDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is welcome.who.name)
    _type(qtbot, "Sam Rivera")
    _key(qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)  # "&Create a client and project"

    client = _dialog(qtbot, window, ClientDialog)
    _type(qtbot, "Acme Corporation")  # the code follows the name
    assert client.text("code") == "ACME"
    _key(qtbot, Qt.Key.Key_Tab)
    _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "ACM")
    _key(qtbot, Qt.Key.Key_Return)

    project = _dialog(qtbot, window, ProjectDialog)
    assert project.text("code") == "ACME-ONB"
    _type(qtbot, "Acme onboarding")
    _key(qtbot, Qt.Key.Key_Return)

    _dialog(qtbot, window, SiteDialog)
    _type(qtbot, "Head office")
    _key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(_current(window), "kind", "") == "site")
    _back_in(qtbot, window)
    assert window.tree.hasFocus()  # Insert goes to the navigator at once

    for kind, name in (("Building", "Building A"), ("Floor", "Floor 1"), ("Room", "Server room")):
        qtbot.keyClick(window.tree, Qt.Key.Key_Insert)
        dialog = _dialog(qtbot, window, LocationDialog)
        assert dialog.inputs["kind"].currentText() == kind  # type: ignore[union-attr]  # inside a floor: a room
        _type(qtbot, name)
        _key(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda n=name: getattr(_current(window), "name", "").endswith(n))
        _back_in(qtbot, window)
        assert window.tree.hasFocus()
    room = _current(window)
    assert room is not None and room.name == "Building A / Floor 1 / Server room"
    assert window.statusBar().findChild(QWidget) is not None
    assert window.technician_label.text() == "Technician: Sam Rivera"

    # The project is the one being tagged: a scanned tag in the client's form starts an asset in that room.
    window.editor.focus_tag()
    qtbot.keyClicks(window.editor.tag_field, "ACM-000001")
    qtbot.keyClick(window.editor.tag_field, Qt.Key.Key_Return)
    assert window.editor.new_tag == "ACM-000001"
    _key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.editor.dirty)
    with workspace.session() as s:
        asset = s.scalars(select(Asset).where(Asset.asset_tag == "ACM-000001")).one()
        located = s.get(Location, asset.location_id)
        actors = {entry.actor for entry in history(s, "asset", asset.id)}
        client_actors = {entry.actor for entry in history(s, "client", asset.client_id)}
    assert located is not None and located.path == "Building A / Floor 1 / Server room"
    assert actors == client_actors == {"Sam Rivera"}


def test_the_welcome_screen_refuses_an_empty_name_and_keeps_the_choice_open(
    qtbot: QtBot, workspace: Workspace, nameless: Settings, open_window: Callable[[Workspace], MainWindow]
) -> None:
    window, welcome = _welcome(open_window(workspace))
    qtbot.keyClicks(welcome.who.name, "   ")
    welcome.buttons["create"].click()
    assert welcome.isVisible() and welcome.who.error.isVisible()
    assert welcome.who.error.text() == "Enter your name: it is written in the history of every change you make."
    assert nameless.get(TECHNICIAN) == "" and _setup(window).last_dialog is None
    qtbot.keyClicks(welcome.who.name, "Jo")
    qtbot.keyClick(welcome.who.name, Qt.Key.Key_Escape)  # closed without a choice: the name is kept
    assert not welcome.isVisible() and nameless.get(TECHNICIAN) == "Jo"


def test_the_demo_from_the_welcome_screen_is_ready_for_the_first_scan(
    qtbot: QtBot, workspace: Workspace, nameless: Settings, open_window: Callable[[Workspace], MainWindow]
) -> None:
    window, welcome = _welcome(open_window(workspace))
    qtbot.keyClicks(welcome.who.name, "Alex Field")
    welcome.buttons["demo"].click()
    qtbot.waitUntil(lambda: window.current_project_id() is not None, timeout=20000)
    assert window.focusWidget() is window.editor.tag_field  # the keyboard is there once the window is active
    with workspace.session() as s:
        assert [c.code for c in list_clients(s)] == ["NWD"]
    assert nameless.get(TECHNICIAN) == "Alex Field"


def test_sign_in_from_the_welcome_screen_opens_the_sign_in_dialog_for_this_technician(
    qtbot: QtBot, workspace: Workspace, nameless: Settings, open_window: Callable[[Workspace], MainWindow]
) -> None:
    window, welcome = _welcome(open_window(workspace))
    qtbot.keyClicks(welcome.who.name, "Robin Lee")
    welcome.buttons["sign_in"].click()
    login = window.sync_panel.login_dialog  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is login.password)
    assert login.user.text() == "Robin Lee"
    login.reject()


def test_the_name_is_asked_once_when_the_workspace_already_has_clients(
    qtbot: QtBot, workspace: Workspace, nameless: Settings, open_window: Callable[[Workspace], MainWindow]
) -> None:
    with workspace.transaction() as s:
        create_client(s, code="ACME", name="Acme", actor="lead")
    window = open_window(workspace)
    asked = start(window)
    assert isinstance(asked, NameDialog)
    qtbot.keyClicks(asked.who.name, "  Kim  Ng ")
    qtbot.keyClick(asked.who.name, Qt.Key.Key_Return)
    assert not asked.isVisible()
    assert nameless.get(TECHNICIAN) == "Kim Ng" and window.technician() == "Kim Ng"
    assert start(window) is None  # the next start does not ask again


def test_bad_client_input_is_explained_under_the_field_and_what_was_typed_stays(
    qtbot: QtBot, workspace: Workspace, settings: Settings, open_window: Callable[[Workspace], MainWindow]
) -> None:
    with workspace.transaction() as s:
        create_client(s, code="ACME", name="Acme Corporation", tag_prefix="ACM-", actor="lead")
    window = open_window(workspace)
    dialog = _setup(window).new("client", None)
    assert isinstance(dialog, ClientDialog)
    qtbot.waitUntil(lambda: _focus_in(dialog))
    fields = {name: dialog.inputs[name] for name in ("name", "code", "tag_prefix")}
    for name, text in (("code", "ACME"), ("tag_prefix", "acm-")):
        field = fields[name]
        assert isinstance(field, QLineEdit)
        qtbot.keyClicks(field, text)
    qtbot.keyClick(fields["tag_prefix"], Qt.Key.Key_Return)
    assert dialog.isVisible()
    shown = {name: label.text() for name, label in dialog.errors.items() if label.isVisible()}
    assert shown == {
        "name": "Client name is required.",
        "code": "Client code ACME is already used.",
        "tag_prefix": "Tags starting with ACM- already belong to Acme Corporation; choose another prefix.",
    }
    assert QApplication.focusWidget() is fields["name"]
    qtbot.keyClicks(fields["name"], "acme corporation")
    qtbot.keyClick(fields["name"], Qt.Key.Key_Return)
    assert dialog.errors["name"].text() == "There is already a client called “acme corporation”."
    assert dialog.values() == {"name": "acme corporation", "code": "ACME", "tag_prefix": "acm-", "tag_digits": "6"}


def test_closing_a_setup_dialog_with_typing_in_it_asks_before_dropping_it(
    qtbot: QtBot, workspace: Workspace, settings: Settings, open_window: Callable[[Workspace], MainWindow],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    window = open_window(workspace)
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save]
    asked: list[str] = []

    def answer(*args: object, **_kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", answer)
    untouched = _setup(window).new("client", None)
    assert untouched is not None
    qtbot.keyClick(untouched.inputs["name"], Qt.Key.Key_Escape)  # nothing typed: closes without a question
    assert not untouched.isVisible() and not asked
    dialog = _setup(window).new("client", None)
    assert dialog is not None
    qtbot.keyClicks(dialog.inputs["name"], "Globex")
    qtbot.keyClick(dialog.inputs["name"], Qt.Key.Key_Escape)
    assert dialog.isVisible() and asked == ["New client: what you typed is not saved. Save it?"]
    qtbot.keyClick(dialog.inputs["name"], Qt.Key.Key_Escape)  # Save this time
    assert not dialog.isVisible()
    with workspace.session() as s:
        assert [(c.code, c.name) for c in list_clients(s)] == [("GLOBEX", "Globex")]
    qtbot.waitUntil(lambda: getattr(_current(window), "name", "") == "Globex")


def test_f2_in_the_navigator_edits_the_selection_and_renames_follow_in_the_tree(
    qtbot: QtBot, window: MainWindow
) -> None:
    index = window.navigator.find("project", window.current_project_id() or "")
    site = window.navigator.index(0, 0, index)
    window.tree.setCurrentIndex(site)
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_F2)
    dialog = _dialog(qtbot, window, SiteDialog)
    name = dialog.inputs["name"]
    assert isinstance(name, QLineEdit) and name.hasFocus() and name.selectedText() == name.text()
    qtbot.keyClicks(name, "Pearl clinic")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(_current(window), "name", "") == "Pearl clinic")
    node = _current(window)
    assert node is not None and node.kind == "site" and window.focusWidget() is window.tree
    assert window.editor.form.inputs["site_id"].findText("Pearl clinic") >= 0  # type: ignore[attr-defined]


def test_the_navigator_menu_and_the_project_menu_offer_setup_and_the_help_lists_its_keys(
    qtbot: QtBot, window: MainWindow
) -> None:
    index = window.navigator.find("project", window.current_project_id() or "")
    window.tree.setCurrentIndex(index)
    menu = _setup(window).menu_for(_current(window))
    texts = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert texts == ["New site for Northwind managed services activation…", "Edit project…", "Print &room labels…",
                     "New c&lient…"]  # fmt: skip
    menu.close()
    project_menu = [action.objectName() for action in window.menus["project"].actions()]
    assert {"navigator_new", "navigator_edit", "new_client", "new_project", "new_site", "new_location"} <= set(
        project_menu
    )
    help_text = shortcuts_text(window.actions_by_name)
    assert "New inside the selection" in help_text and "Edit the selection" in help_text
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_Insert)
    dialog = _dialog(qtbot, window, SiteDialog)
    assert dialog.windowTitle() == "New site"
    dialog.reject()  # nothing typed: no question
    assert not dialog.isVisible()
