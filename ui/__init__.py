"""Closeout's desktop shell: PySide6 windows, dialogs, item models and background workers over app/."""
