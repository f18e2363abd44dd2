"""Client tags "given on site": the client's old tag stands in, flagged, until a Closeout label is stuck and scanned."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.assets import LABEL_PENDING, find_by_previous_tag, find_by_tag, refresh_attention
from app.cli import main
from app.db import Workspace
from app.errors import ValidationError
from app.importing import ImportOptions, RowStatus, apply_import, preview_import
from app.importing.client_tags import ClientTags, give_label_tag
from app.importing.mapping import suggest_for
from exporters.sheet_reader import read_sheet
from models import Asset, ChangeSet
from tests.excel import client_lists
from tests.excel.excel_files import write_csv


def _client_id(ws: Workspace) -> str:
    with ws.session() as session:
        return session.scalars(select(Asset.client_id).limit(1)).one()


def test_a_list_imported_with_tags_given_on_site_keeps_the_old_tags_standing_in_and_flagged(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = client_lists.semicolon_cp1252(tmp_path)
    home = ["--home", str(demo_workspace.home), "--as", "cli.tester"]
    assert main([*home, "import", str(path), "--client-tags", "later"]) == 0
    assert "stand in until a Closeout label is stuck on site" in capsys.readouterr().out
    client_id = _client_id(demo_workspace)
    with demo_workspace.transaction() as session:
        asset = find_by_tag(session, client_id, "hx-00001")  # the old label, scanned on site, finds it
        assert asset is not None and asset.previous_tag == "HX-00001"
        assert LABEL_PENDING in asset.attention and asset.needs_attention
        stored = list(asset.attention)
        refresh_attention(session, client_id, [asset])  # the bulk write flagged it exactly as the services do
        assert asset.attention == stored
        waiting = session.scalars(select(Asset).where(Asset.asset_tag == Asset.previous_tag)).all()
        assert len(waiting) == 22


def test_a_stuck_label_gives_the_asset_its_closeout_tag_and_the_old_label_still_finds_it(
    demo_workspace: Workspace, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "old.csv", [["Tag", "Serial"], ["HX-7", "S7"], ["HX-8", "S8"], ["", "S9"]])
    data = read_sheet(path)
    with demo_workspace.session() as session:
        project_id = session.scalars(select(Asset.project_id).limit(1)).one()
        mapping = suggest_for(session, data.headers)
        options = ImportOptions(client_tags=ClientTags.LATER)
        preview = preview_import(session, project_id, data.headers, data.rows, mapping, options)
    assert [r.status for r in preview.rows] == [RowStatus.NEW] * 3
    assert [r.tag for r in preview.rows][:2] == ["HX-7", "HX-8"]
    assert preview.rows[2].tag.startswith("NWD-")  # a row without a tag gets the client's next tag at once
    with demo_workspace.transaction() as session:
        apply_import(session, preview, actor="importer")
    client_id = _client_id(demo_workspace)
    with demo_workspace.transaction() as session:
        seven = find_by_tag(session, client_id, "HX-7")
        eight = find_by_tag(session, client_id, "HX-8")
        assert seven is not None and eight is not None
        before = session.scalar(select(ChangeSet.id).order_by(ChangeSet.id.desc()).limit(1))
        given = give_label_tag(session, seven.id, actor="tech")  # no label scanned: the client's next tag
        assert given.changed == ["asset_tag"] and seven.asset_tag.startswith("NWD-")
        assert seven.previous_tag == "HX-7" and LABEL_PENDING not in seven.attention
        assert session.scalar(select(ChangeSet.id).order_by(ChangeSet.id.desc()).limit(1)) == (before or 0) + 1
        give_label_tag(session, eight.id, actor="tech", tag="nwd-09999")  # the label as scanned
        assert eight.asset_tag == "NWD-09999" and not eight.needs_attention
        with pytest.raises(ValidationError, match="already has its Closeout tag"):
            give_label_tag(session, eight.id, actor="tech")
        assert [a.id for a in find_by_previous_tag(session, client_id, "hx-7")] == [seven.id]
    with demo_workspace.session() as session:  # the same list again: every row is found by its old tag
        again = preview_import(session, project_id, data.headers, data.rows[:2], mapping, options)
    assert [r.status for r in again.rows] == [RowStatus.UNCHANGED] * 2


def test_an_old_tag_already_on_another_asset_cannot_stand_in(demo_workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "clash.csv", [["Tag", "Serial"], ["NWD-00001", "NEW-1"], ["HX-1", "NEW-2"]])
    data = read_sheet(path)
    with demo_workspace.session() as session:
        project_id = session.scalars(select(Asset.project_id).limit(1)).one()
        mapping = suggest_for(session, data.headers)
        options = ImportOptions(client_tags=ClientTags.LATER)
        # A serial no asset has, with a tag another asset has: new, and the old tag cannot stand in.
        preview = preview_import(session, project_id, data.headers, data.rows, mapping, options)
    assert preview.rows[0].status == RowStatus.REJECTED
    assert "Tag NWD-00001 is already on another asset" in preview.rows[0].message
    assert preview.rows[1].status == RowStatus.NEW
