"""Every keyboard shortcut in one table, so menus, tooltips and the help screen agree."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QAction, QKeySequence

SHORTCUTS: dict[str, tuple[str, ...]] = {
    "quick_tag": ("F6", "Ctrl+T"),
    "new_asset": ("Ctrl+N",),
    "save": ("Ctrl+S", "Ctrl+Return"),
    "undo_save": ("Ctrl+Alt+Z",),
    "change_tag": ("F2",),
    "delete_asset": ("Ctrl+Del",),
    "bulk_edit": ("Ctrl+Shift+E",),
    "add_photo": ("Ctrl+Shift+P",),
    "find": ("Ctrl+F",),
    "attention": ("Ctrl+Shift+A",),
    "refresh": ("F5",),
    "settings": ("Ctrl+,",),
    "quit": ("Ctrl+Q",),
    "shortcuts": ("F1",),
    "navigator": ("Ctrl+Shift+N",),
    "focus_navigator": ("Ctrl+1",),
    "focus_table": ("Ctrl+2",),
    "focus_editor": ("Ctrl+3",),
    # In the navigator only (ui/setup_actions.py): add inside the selected node, edit it.
    "navigator_new": ("Ins",),
    "navigator_edit": ("F2",),
}


def shortcuts_text(actions: Mapping[str, QAction]) -> str:
    """A readable list of the shortcuts, in the platform's notation."""
    lines = []
    for name, keys in SHORTCUTS.items():
        action = actions.get(name)
        if action is None:
            continue
        label = action.text().replace("&", "").replace("…", "")
        native = ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        lines.append(f"{native:<22}\t{label}")
    lines.append("Enter\tin the tag field: open the asset or start a new one; in a field: next field, last one saves")
    lines.append("Esc\tback to the tag field")
    return "\n".join(lines)
