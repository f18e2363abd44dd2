"""Full-text search finds assets by what a technician remembers of them, and stays current."""

from __future__ import annotations

from importlib import resources

import pytest
from sqlalchemy import select

from app.asset_query import AssetFilter, count_assets, query_assets
from app.assets import create_asset, delete_asset, find_by_tag, update_asset
from app.db import Workspace
from app.projects import find_project
from app.search import INNER_MARK, build_match, inner_parts, rebuild_index
from models import AssetStatus


def _tags(ws: Workspace, text: str) -> list[str]:
    with ws.session() as s:
        project = find_project(s, "NWD-ONB")
        return [r.asset_tag for r in query_assets(s, AssetFilter(project_id=project.id, text=text), limit=500)]


def test_search_by_tag_prefix_serial_ip_host_and_model(demo_workspace: Workspace) -> None:
    with demo_workspace.session() as s:
        asset = find_by_tag(s, find_project(s, "NWD-ONB").client_id, "NWD-00003")
        assert asset is not None
        serial, host, ip, model = asset.serial, asset.hostname, asset.ip_address, asset.model
    assert "NWD-00003" in _tags(demo_workspace, "NWD-0000")
    assert _tags(demo_workspace, serial) == ["NWD-00003"]
    assert "NWD-00003" in _tags(demo_workspace, host)
    assert "NWD-00003" in _tags(demo_workspace, ip)
    assert all(t in _tags(demo_workspace, model.split()[0]) for t in ["NWD-00003"])


def test_accents_do_not_matter_and_every_word_must_match(demo_workspace: Workspace) -> None:
    with_accent = _tags(demo_workspace, "Amélie")
    assert with_accent and with_accent == _tags(demo_workspace, "amelie")
    narrowed = _tags(demo_workspace, "amelie laptop")
    assert set(narrowed) <= set(with_accent)


def test_search_covers_location_user_notes_and_configuration_values(demo_workspace: Workspace) -> None:
    assert _tags(demo_workspace, "eastside server room")
    assert _tags(demo_workspace, "re-tagged")
    assert _tags(demo_workspace, "Domain controller") or _tags(demo_workspace, "File server")


@pytest.mark.parametrize("hostile", ['"', "AND OR NOT", "NEAR(a b)", "col:val", "*", "a'b", "))(("])
def test_search_syntax_in_the_box_is_never_an_error(demo_workspace: Workspace, hostile: str) -> None:
    _tags(demo_workspace, hostile)  # must not raise


def test_build_match_quotes_every_term() -> None:
    assert build_match("r7 10.0.1") == '"r7"* AND "10 0 1"*'  # short: whole words only, as ever
    assert build_match("dell") == '("dell"* OR "\ue000dell"*)'  # or inside an identifier
    assert build_match("\ue000dell") == build_match("dell")  # the mark of inner parts cannot be typed
    assert build_match("  ") is None


def test_edits_and_deletes_show_in_search_at_once(demo_workspace: Workspace) -> None:
    with demo_workspace.transaction() as s:
        project = find_project(s, "NWD-ONB")
        asset = create_asset(
            s, project_id=project.id, values={"tag": "NWD-90000", "notes": "quokka sticker"}, actor="t"
        ).asset
    assert _tags(demo_workspace, "quokka") == ["NWD-90000"]
    with demo_workspace.transaction() as s:
        update_asset(s, asset.id, {"notes": "wombat sticker"}, actor="t")
    assert _tags(demo_workspace, "quokka") == []
    assert _tags(demo_workspace, "wombat") == ["NWD-90000"]
    with demo_workspace.transaction() as s:
        delete_asset(s, asset.id, actor="t")
    assert _tags(demo_workspace, "wombat") == []


def test_rebuilding_the_index_gives_the_same_answers(demo_workspace: Workspace) -> None:
    before = _tags(demo_workspace, "dell")
    with demo_workspace.transaction() as s:
        assert rebuild_index(s) == 300
    assert _tags(demo_workspace, "dell") == before


def test_filters_sorting_and_paging_happen_in_sql(demo_workspace: Workspace) -> None:
    from app.catalog import find_category
    from models import Asset, AssetStatus

    with demo_workspace.session() as s:
        project = find_project(s, "NWD-ONB")
        servers = find_category(s, "server")
        flt = AssetFilter(project_id=project.id, category_id=servers.id)
        assert count_assets(s, flt) == len(
            s.scalars(select(Asset).where(Asset.category_id == servers.id, Asset.deleted_at.is_(None))).all()
        )
        everything = AssetFilter(project_id=project.id)
        pages = [
            r.id for off in range(0, 300, 70) for r in query_assets(s, everything, sort="model", offset=off, limit=70)
        ]
        assert len(pages) == len(set(pages)) == 300
        desc = query_assets(s, everything, sort="asset_tag", descending=True, limit=3)
        assert [r.asset_tag for r in desc] == ["NWD-00300", "NWD-00299", "NWD-00298"]
        spare = query_assets(s, AssetFilter(project_id=project.id, status=AssetStatus.SPARE), limit=500)
        assert spare and all(r.status == AssetStatus.SPARE for r in spare)
        flagged = query_assets(s, AssetFilter(project_id=project.id, needs_attention=True), limit=500)
        assert flagged and all(r.needs_attention and r.attention for r in flagged)


def test_a_location_filter_includes_everything_inside_it(demo_workspace: Workspace) -> None:
    from models import Location

    with demo_workspace.session() as s:
        project = find_project(s, "NWD-ONB")
        server_room = s.scalars(select(Location).where(Location.name == "Server room")).first()
        assert server_room is not None
        rows = query_assets(s, AssetFilter(project_id=project.id, location_id=server_room.id), limit=500)
        assert rows and all(r.location.startswith(server_room.path) for r in rows)
        assert any("Rack" in r.location for r in rows)


@pytest.mark.parametrize("words", ["dell", "10.10", "nwd-00", "amelie", "a", "floor 1", "zzz-nothing"])
def test_a_search_counts_the_same_from_documents_as_from_assets(demo_workspace: Workspace, words: str) -> None:
    with demo_workspace.transaction() as s:
        project = find_project(s, "NWD-ONB")
        gone = query_assets(s, AssetFilter(project_id=project.id, text=words), limit=1)
        if gone:
            delete_asset(s, gone[0].id, actor="alex")  # a deleted asset must not be counted
    with demo_workspace.session() as s:
        by_project = AssetFilter(project_id=project.id, text=words)
        by_client = AssetFilter(client_id=project.client_id, text=words)
        rows = query_assets(s, by_project, limit=1000)
        assert count_assets(s, by_project) == len(rows) == count_assets(s, by_client)
        # The same count through the assets table (a filter that is always true forces that path).
        assert count_assets(s, AssetFilter(project_id=project.id, text=words, needs_attention=False)) == len(rows)
        other = AssetFilter(project_id="0000-not-a-project", text=words)
        assert count_assets(s, other) == 0


def test_an_older_search_index_is_upgraded_with_its_documents(demo_workspace: Workspace) -> None:
    from alembic import command
    from alembic.config import Config

    from app.db import open_workspace

    with demo_workspace.session() as s:
        flt = AssetFilter(project_id=find_project(s, "NWD-ONB").id, text="dell")
        before = count_assets(s, flt)
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("app") / "migrations"))
    with demo_workspace.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0003_indexes")
    home = demo_workspace.home
    demo_workspace.close()
    ws = open_workspace(home)
    try:
        with ws.session() as s:
            assert before > 0 and count_assets(s, flt) == before
            assert len(query_assets(s, flt, limit=1000)) == before
    finally:
        ws.close()


@pytest.mark.parametrize("sort", ["asset_tag", "model"])
@pytest.mark.parametrize("descending", [False, True])
def test_every_way_of_reading_a_search_page_gives_the_same_rows_and_total(
    demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch, sort: str, descending: bool
) -> None:
    """Walking the assets (many hits), reading the hits' assets and reading the documents (few hits) agree."""
    from app import asset_query

    with demo_workspace.session() as s:
        project = find_project(s, "NWD-ONB")
        filters = [
            AssetFilter(project_id=project.id, text=words)
            for words in ("dell", "nwd-00", "10.10", "amelie", "floor 1", "nothing-like-this")
        ]
        filters += [
            AssetFilter(client_id=project.client_id, text="dell"),
            AssetFilter(project_id=project.id, text="dell", status=AssetStatus.IN_SERVICE),
        ]
        for flt in filters:
            readings = []
            for sparse in (0, 10**9):  # always walk; always from the hits
                monkeypatch.setattr(asset_query, "SPARSE_HITS", sparse)
                pages = []
                for offset in (0, 7, 14, 300):
                    page = asset_query.query_page(s, flt, sort=sort, descending=descending, offset=offset, limit=7)
                    total = page.total if page.total is not None else count_assets(s, flt)
                    pages.append(([r.id for r in page.rows], total))
                readings.append(pages)
            assert readings[0] == readings[1], flt
            assert readings[0][0][1] == count_assets(s, flt)


def test_search_totals_keep_projects_and_clients_apart(demo_workspace: Workspace) -> None:
    from app.projects import create_client, create_project

    with demo_workspace.session() as s:
        first = find_project(s, "NWD-ONB")
        before = count_assets(s, AssetFilter(project_id=first.id, text="dell"))
    with demo_workspace.transaction() as s:
        second = create_project(s, client_id=first.client_id, code="NWD-P2", name="Phase two", actor="lead")
        other_client = create_client(s, code="OTH", name="Other", tag_prefix="OT-", tag_digits=4, actor="lead")
        third = create_project(s, client_id=other_client.id, code="OTH-1", name="Other one", actor="lead")
        create_asset(s, project_id=second.id, values={"tag": "NWD-90001", "category": "other", "manufacturer": "Dell"},
                     actor="alex")  # fmt: skip
        for n in (1, 2):
            create_asset(s, project_id=third.id, values={"tag": f"OT-000{n}", "category": "other", "model": "Dell"},
                         actor="alex")  # fmt: skip
    with demo_workspace.session() as s:
        assert count_assets(s, AssetFilter(project_id=first.id, text="dell")) == before
        assert count_assets(s, AssetFilter(project_id=second.id, text="dell")) == 1
        assert count_assets(s, AssetFilter(client_id=first.client_id, text="dell")) == before + 1
        assert count_assets(s, AssetFilter(client_id=other_client.id, text="dell")) == 2
        assert count_assets(s, AssetFilter(text="dell")) == before + 3
        page = query_assets(s, AssetFilter(project_id=third.id, text="dell"))
        assert [r.asset_tag for r in page] == ["OT-0001", "OT-0002"]


def test_the_middle_or_end_of_a_serial_or_hostname_finds_the_asset(demo_workspace: Workspace) -> None:
    with demo_workspace.transaction() as s:
        project = find_project(s, "NWD-ONB")
        values = {"tag": "NWD-90105", "serial": "CZC90105XQ", "hostname": "LONDONPC-0042B", "notes": "infix"}
        create_asset(s, project_id=project.id, values=values, actor="t")
    for part in ("90105", "c90105x", "105XQ", "ondonpc", "DONPC-004", "0042b", "NWD-90105"):
        assert "NWD-90105" in _tags(demo_workspace, part), part
    assert _tags(demo_workspace, "90105 infix") == ["NWD-90105"]  # every word still has to match
    assert "NWD-90105" not in _tags(demo_workspace, "CZC90106")


def test_a_short_word_is_not_looked_for_inside_identifiers(demo_workspace: Workspace) -> None:
    with demo_workspace.transaction() as s:
        project = find_project(s, "NWD-ONB")
        create_asset(
            s, project_id=project.id, values={"tag": "NWD-90300", "serial": "QQ7XZ", "notes": "kiwi"}, actor="t"
        )
    assert _tags(demo_workspace, "kiwi 7") == []  # the 7 inside the serial is not a word of its own
    assert _tags(demo_workspace, "kiwi 7xz") == ["NWD-90300"]


def test_inner_parts_are_the_tails_that_start_inside_a_word() -> None:
    assert inner_parts("CZC90105").split() == [INNER_MARK + t for t in ("ZC90105", "C90105", "90105", "0105", "105")]
    assert inner_parts("ws-0042", "10.0.0.1 aa:bb:cc:dd:ee:ff") == INNER_MARK + "042"  # short words: none
    assert inner_parts("LON-WS-0042", "") == INNER_MARK + "042"
    assert inner_parts("ABCD-12") == INNER_MARK + "BCD-12"


def test_an_edited_serial_is_found_by_its_new_middle_only(demo_workspace: Workspace) -> None:
    with demo_workspace.transaction() as s:
        project = find_project(s, "NWD-ONB")
        asset = create_asset(s, project_id=project.id, values={"tag": "NWD-90200", "serial": "AB12345CD"}, actor="t")
    with demo_workspace.transaction() as s:
        update_asset(s, asset.asset.id, {"serial": "AB67890CD"}, actor="t")
    assert _tags(demo_workspace, "12345") == []
    assert _tags(demo_workspace, "67890") == ["NWD-90200"]


def test_a_workspace_from_before_inner_search_finds_by_any_part_once_opened(demo_workspace: Workspace) -> None:
    from alembic import command
    from alembic.config import Config

    from app.db import open_workspace

    with demo_workspace.session() as s:
        asset = find_by_tag(s, find_project(s, "NWD-ONB").client_id, "NWD-00003")
        assert asset is not None and len(asset.serial) >= 6
        middle = asset.serial[2:-1]
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("app") / "migrations"))
    with demo_workspace.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0004_search")
    home = demo_workspace.home
    demo_workspace.close()
    old = open_workspace(home)
    try:
        assert "NWD-00003" in _tags(old, middle)
    finally:
        old.close()
