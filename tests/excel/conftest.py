"""Fixtures for the Excel tests (files themselves are made by excel_files.py)."""

from __future__ import annotations

import pytest

from app.db import Workspace
from app.projects import find_project
from tests.excel.excel_files import DEMO_PROJECT
from tests.ui.conftest import qsettings_in_tmp  # noqa: F401 - autouse: dialogs remember folders in QSettings


@pytest.fixture
def demo_project_id(demo_workspace: Workspace) -> str:
    with demo_workspace.session() as session:
        return find_project(session, DEMO_PROJECT).id
