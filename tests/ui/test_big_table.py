"""A 100,000-asset project opens at once: the table model fetches pages, never the whole list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.asset_query import AssetFilter
from app.bulk import create_assets_bulk
from app.catalog import ensure_default_categories
from app.db import Workspace, open_workspace
from app.projects import create_client, create_location, create_project, create_site
from models import LocationKind
from ui.asset_table import PAGE_SIZE, AssetTableModel
from ui.main_window import MainWindow

COUNT = 100_000


def build_big_workspace(home: Path, count: int) -> str:
    """A workspace with `count` assets, written through the bulk service (same checks and journal)."""
    ws = open_workspace(home)
    with ws.transaction() as s:
        ensure_default_categories(s)
        client = create_client(s, code="BIG", name="Big Client", tag_prefix="BIG-", tag_digits=6, actor="t")
        project = create_project(s, client_id=client.id, code="BIG-ONB", name="Big onboarding", actor="t")
        site = create_site(s, client_id=client.id, name="Campus", actor="t")
        room = create_location(s, site_id=site.id, kind=LocationKind.ROOM, name="Hall", actor="t")
        project_id, room_id = project.id, room.id
    for start in range(0, count, 25_000):
        rows = [
            {"tag": f"BIG-{n:06d}", "category": "other", "model": f"Model {n % 97}", "serial": f"SN{n:08d}",
             "location": room_id}
            for n in range(start + 1, min(start + 25_000, count) + 1)
        ]  # fmt: skip
        with ws.transaction() as s:
            create_assets_bulk(s, project_id=project_id, rows=rows, actor="t")
    ws.close()
    return project_id


@pytest.fixture(scope="module")
def big_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("big")
    build_big_workspace(home, COUNT)
    return home


@pytest.fixture
def big_workspace(big_home: Path) -> Iterator[Workspace]:
    ws = open_workspace(big_home)
    yield ws
    ws.close()


@pytest.mark.slow
def test_a_100000_asset_model_loads_lazily(big_workspace: Workspace, qtmodeltester: ModelTester) -> None:
    model = AssetTableModel(big_workspace)
    model.set_filter(AssetFilter())
    assert model.total == COUNT
    assert model.rowCount() == PAGE_SIZE
    assert model.pages_fetched == 1
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE
    assert model.row_at(PAGE_SIZE).asset_tag == f"BIG-{PAGE_SIZE + 1:06d}"  # type: ignore[union-attr]
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == PAGE_SIZE and model.row_at(0).asset_tag == f"BIG-{COUNT:06d}"  # type: ignore[union-attr]
    qtmodeltester.check(model)


@pytest.mark.slow
def test_the_main_window_opens_a_100000_asset_project_with_one_page(
    qtbot: QtBot, big_workspace: Workspace, open_window: Callable[[Workspace], MainWindow]
) -> None:
    window = open_window(big_workspace)
    model = window.table_model
    qtbot.waitUntil(lambda: model.total == COUNT)
    assert model.loaded <= 2 * PAGE_SIZE  # the view may ask for one more page to fill itself
    bar = window.table.verticalScrollBar()

    def scrolled_to_the_end() -> bool:
        bar.setValue(bar.maximum())  # the view fetches the next page when it reaches the end
        return model.loaded > 2 * PAGE_SIZE

    qtbot.waitUntil(scrolled_to_the_end)
    assert model.loaded < COUNT
