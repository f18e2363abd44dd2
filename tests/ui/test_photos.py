"""Photos: stored once by content hash, attached through the journal, shown as thumbnails."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.assets import find_by_tag
from app.attachments import add_asset_photo, blob_path, file_sha256, list_attachments, remove_attachment
from app.db import Workspace
from app.errors import ValidationError
from app.journal import history
from ui.main_window import MainWindow


def _photo(path: Path, color: str = "#3366cc") -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path))
    return path


def _asset_id(ws: Workspace, tag: str) -> str:
    with ws.session() as session:
        from app.projects import list_clients

        client = list_clients(session)[0]
        asset = find_by_tag(session, client.id, tag)
        assert asset is not None
        return asset.id


def test_a_photo_is_stored_by_hash_once_and_journaled(demo_workspace: Workspace, tmp_path: Path) -> None:
    source = _photo(tmp_path / "label.png")
    asset_id = _asset_id(demo_workspace, "NWD-00012")
    with demo_workspace.transaction() as session:
        first = add_asset_photo(
            session, blobs_dir=demo_workspace.blobs_dir, asset_id=asset_id, source=source, actor="pat"
        )
        add_asset_photo(session, blobs_dir=demo_workspace.blobs_dir, asset_id=asset_id, source=source, actor="pat")
        first_id = first.id
    sha = file_sha256(source)
    stored = blob_path(demo_workspace.blobs_dir, sha)
    assert stored.read_bytes() == source.read_bytes()
    assert [p.name for p in stored.parent.iterdir()] == [sha]  # one blob, no temporary left behind
    with demo_workspace.transaction() as session:
        photos = list_attachments(session, "asset", asset_id)
        assert [(p.sha256, p.filename, p.mime_type) for p in photos] == [(sha, "label.png", "image/png")] * 2
        assert history(session, "attachment", first_id)[0].op == "create"
        remove_attachment(session, first_id, actor="pat")
    with demo_workspace.session() as session:
        assert len(list_attachments(session, "asset", asset_id)) == 1


def test_a_file_that_is_not_a_photo_is_refused(demo_workspace: Workspace, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    asset_id = _asset_id(demo_workspace, "NWD-00012")
    with pytest.raises(ValidationError, match="not a photo"), demo_workspace.transaction() as session:
        add_asset_photo(session, blobs_dir=demo_workspace.blobs_dir, asset_id=asset_id, source=text, actor="pat")


def test_adding_photos_in_the_editor_shows_thumbnails(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    window.quick.scan("NWD-00012")
    opened: list[str] = []
    window.editor.photos.opener = lambda path, title: opened.append(title)
    window.editor.photos.add_requested.emit([_photo(tmp_path / "front.png"), _photo(tmp_path / "back.jpg", "#aa0")])
    qtbot.waitUntil(lambda: window.editor.photos.count() == 2, timeout=5000)
    icon = window.editor.photos.model.item(0).icon()
    assert not icon.isNull()
    window.editor.photos.open_photo(1)
    assert opened == ["back.jpg"]


def test_dropping_a_photo_file_adds_it(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    window.quick.scan("NWD-00012")
    strip = window.editor.photos
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(_photo(tmp_path / "dropped.png")))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    strip.dropEvent(event)
    qtbot.waitUntil(lambda: strip.count() == 1, timeout=5000)
    assert strip.model.item(0).text() == "dropped.png"


def _history_texts(window: MainWindow) -> list[str]:
    model = window.editor.history.history_model
    return [model.index(row, 2).data() for row in range(model.rowCount())]


def test_removing_a_photo_in_the_editor_is_journaled_shown_in_history_and_undone(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.quick.scan("NWD-00012")
    editor, strip = window.editor, window.editor.photos
    editor.tabs.setCurrentWidget(strip)
    strip.add_requested.emit([_photo(tmp_path / "front.png"), _photo(tmp_path / "back.png", "#aa0")])
    qtbot.waitUntil(lambda: strip.count() == 2, timeout=5000)
    assert not strip.remove_button.isEnabled()  # nothing selected yet
    strip.view.setCurrentIndex(strip.model.index(0, 0))
    assert strip.remove_button.isEnabled()
    qtbot.mouseClick(strip.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: strip.count() == 1)
    assert strip.model.item(0).text() == "back.png"
    assert "Removed the photo front.png" in editor.banner.text()
    asset_id = _asset_id(window.workspace, "NWD-00012")
    with window.workspace.session() as session:
        assert [p.filename for p in list_attachments(session, "asset", asset_id)] == ["back.png"]
    editor.tabs.setCurrentWidget(editor.history)
    qtbot.waitUntil(lambda: "Photo removed: front.png" in _history_texts(window))
    texts = _history_texts(window)  # newest first
    assert texts.index("Photo removed: front.png") < texts.index("Photo added: back.png")
    assert "Photo added: front.png" in texts
    assert editor.undo_last_save()
    assert "the photo front.png of NWD-00012 is back" in editor.banner.text()
    with window.workspace.session() as session:
        assert sorted(p.filename for p in list_attachments(session, "asset", asset_id)) == ["back.png", "front.png"]
    assert _history_texts(window)[0] == "Photo brought back: front.png"


def test_the_delete_key_on_a_selected_thumbnail_removes_it(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    window.quick.scan("NWD-00012")
    strip = window.editor.photos
    window.editor.tabs.setCurrentWidget(strip)
    strip.add_requested.emit([_photo(tmp_path / "front.png")])
    qtbot.waitUntil(lambda: strip.count() == 1, timeout=5000)
    strip.view.setFocus()
    strip.view.setCurrentIndex(strip.model.index(0, 0))
    qtbot.keyClick(strip.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: strip.count() == 0)


def test_a_photo_of_a_closed_project_is_not_removed(demo_workspace: Workspace, tmp_path: Path) -> None:
    from app.errors import ReadOnlyError
    from app.projects import find_project, update_project
    from models import ProjectStatus

    asset_id = _asset_id(demo_workspace, "NWD-00012")
    with demo_workspace.transaction() as session:
        photo = add_asset_photo(
            session,
            blobs_dir=demo_workspace.blobs_dir,
            asset_id=asset_id,
            source=_photo(tmp_path / "a.png"),
            actor="pat",
        )
        update_project(session, find_project(session, "NWD-ONB").id, {"status": ProjectStatus.CLOSED}, actor="lead")
    with pytest.raises(ReadOnlyError, match="closed"), demo_workspace.transaction() as session:
        remove_attachment(session, photo.id, actor="pat")
