"""The main window's menus, actions and toolbar, with the shortcuts from ui/shortcuts.py."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar

from ui.shortcuts import SHORTCUTS
from ui.theme import icon

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _action(
    window: MainWindow, name: str, text: str, slot: Any, icon_name: str = "", checkable: bool = False
) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    keys = SHORTCUTS.get(name, ())
    if keys:
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setToolTip(f"{text.replace('…', '').replace('&', '')} ({keys[0]})")
    if icon_name:
        action.setIcon(icon(icon_name))
        action.setProperty("iconName", icon_name)
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    window.addAction(action)
    window.actions_by_name[name] = action
    return action


def build_menus(window: MainWindow) -> None:
    """The menus (keys as in ShellWindow.menus), their actions and the toolbar."""
    bar = window.menuBar()
    for key, title in (("file", "&File"), ("edit", "&Edit"), ("view", "&View"), ("project", "&Project"),
                       ("sync", "&Sync"), ("tools", "&Tools"), ("help", "&Help")):  # fmt: skip
        window.menus[key] = bar.addMenu(title)

    def a(*args: Any, **kwargs: Any) -> QAction:
        return _action(window, *args, **kwargs)

    quick = a("quick_tag", "&Quick tag", window.start_quick_tag, "tag")
    new = a("new_asset", "&New asset with next tag", window.new_with_next_tag, "new")
    save = a("save", "&Save", lambda: window.editor.save(), "save")
    undo = a("undo_save", "&Undo last save", lambda: window.editor.undo_last_save(), "undo")
    retag = a("change_tag", "Change &tag…", window.change_tag)
    delete = a("delete_asset", "&Delete asset…", window.delete_asset)
    photo = a("add_photo", "Add &photo…", window.add_photo, "photo")
    find = a("find", "&Find", window.focus_search, "search")
    attention = a(
        "attention",
        "Needs &attention only",
        lambda on=False: window.filters.attention.setChecked(on),
        "attention",
        True,
    )
    window.filters.attention.toggled.connect(attention.setChecked)
    refresh = a("refresh", "&Refresh", window.reload, "refresh")
    settings = a("settings", "&Settings…", window.open_settings, "settings")
    quit_action = a("quit", "&Quit", window.close)
    keys = a("shortcuts", "&Keyboard shortcuts", window.show_shortcuts)
    about = a("about", "&About Closeout", window.show_about)
    for name, text in (("focus_navigator", "Go to navigator"), ("focus_table", "Go to asset list"),
                       ("focus_editor", "Go to editor")):  # fmt: skip
        a(name, text, lambda _checked=False, n=name: window._focus(n))
    file_menu = window.menus["file"]
    window.menus["file.import"] = file_menu.addMenu("&Import")
    window.menus["file.export"] = file_menu.addMenu("&Export")
    file_menu.addSeparator()
    file_menu.addAction(settings)
    file_menu.addSeparator()
    file_menu.addAction(quit_action)
    for action in (save, undo, None, retag, delete, photo, None, find):
        window.menus["edit"].addSeparator() if action is None else window.menus["edit"].addAction(action)
    navigator = a("navigator", "&Navigator", window.show_navigator, "", True)
    navigator.setToolTip("Show or fold away the clients, projects, sites and locations (folded on a small screen)")
    view = window.menus["view"]
    view.addAction(navigator)
    view.addAction(attention)
    view.addAction(refresh)
    view.addSeparator()
    for name in ("focus_navigator", "focus_table", "focus_editor"):
        view.addAction(window.actions_by_name[name])
    view.addSeparator()
    theme_menu = view.addMenu("&Theme")
    for choice in ("light", "dark", "system"):
        theme_menu.addAction(choice.capitalize(), partial(window.set_theme, choice))
    window.menus["project"].addAction(quick)
    window.menus["project"].addAction(new)
    window.menus["tools"].addAction(settings)
    window.menus["help"].addAction(keys)
    window.menus["help"].addAction(about)
    toolbar = QToolBar("Main", window)
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for action in (quick, new, save, undo, None, photo, attention, refresh, None, settings):
        toolbar.addSeparator() if action is None else toolbar.addAction(action)
    window.addToolBar(toolbar)
    window.toolbar = toolbar
