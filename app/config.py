"""Where a workspace lives and the per-workspace facts the services need (who is working, on which device)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Closeout"
APP_AUTHOR = "Closeout"
WORKSPACE_FILE = "workspace.sqlite"
ENV_HOME = "CLOSEOUT_HOME"


def default_home() -> Path:
    """The workspace folder: CLOSEOUT_HOME if set, else the platform's per-user data folder."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def resolve_home(home: str | os.PathLike[str] | None) -> Path:
    return Path(home).expanduser() if home else default_home()


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
