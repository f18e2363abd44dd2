"""Room labels as they are used: printed by the CLI on real templates, rendered, decoded by zxing-cpp, and the code
read back sets the room it was printed for; a code two rooms share, an unknown code and another client's code."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from app.audit import find_room
from app.cli import main
from app.db import Workspace
from app.errors import AmbiguousError, NotFoundError
from app.projects import create_client, create_location, create_site, find_project
from app.room_labels import location_label_text, place_of_label, room_labels, short_code
from models import Location, Site

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")


def _codes_on(pdf: Path, folder: Path) -> list[tuple[str, str]]:
    """(format, text) of every code on every page, rendered at 300 dpi as a printer would."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(folder / "p")], check=True)
    found: list[tuple[str, str]] = []
    for page in sorted(folder.glob("p-*.png")):
        found += [(c.format.name, c.text) for c in zxingcpp.read_barcodes(Image.open(page))]
    return found


@pytest.mark.parametrize("template", ["avery-5160", "avery-l7651", "thermal-2x1"])
def test_printed_room_labels_decode_and_each_code_sets_its_room(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str], template: str
) -> None:
    home = demo_workspace.home
    with demo_workspace.session() as s:
        client_id = find_project(s, "NWD-ONB").client_id
    demo_workspace.close()
    pdf = tmp_path / "rooms.pdf"
    argv = ["--home", str(home), "--json", "labels", "--rooms", "Main Clinic", "--template", template, "-o", str(pdf)]
    assert main(argv) == 0
    rooms = json.loads(capsys.readouterr().out)["rooms"]
    assert rooms[0] == {"code": rooms[0]["code"], "name": "Main Clinic", "where": "Northwind Dental Group"}
    assert len(rooms) == len({r["code"] for r in rooms}) > 10  # the site's door, then every location inside it
    assert all(len(r["code"]) == len("LOC:") + 8 for r in rooms)  # short: a laser scanner reads it on a small label
    codes = _codes_on(pdf, tmp_path / "png")
    linear = sorted(text for kind, text in codes if kind == "Code128")
    assert linear == sorted(r["code"] for r in rooms)  # every label's bars read back, none misread
    assert sorted(text for kind, text in codes if kind != "Code128") == linear  # and its 2D code says the same
    from app.db import open_workspace

    ws = open_workspace(home)
    try:
        with ws.session() as s:
            for room in rooms:
                found = find_room(s, client_id, room["code"].lower())  # a scanner with caps lock on
                assert found.name.endswith(room["name"])
                assert found.name.startswith("Main Clinic")
    finally:
        ws.close()


def test_a_code_two_rooms_share_is_printed_in_full_and_a_scan_of_it_is_not_guessed(workspace: Workspace) -> None:
    with workspace.transaction() as s:
        client = create_client(s, code="HX", name="Helix AG", tag_prefix="HX-", tag_digits=5, actor="t")
        site = create_site(s, client_id=client.id, name="Zürich HQ", actor="t")
        lab = create_location(s, site_id=site.id, kind="room", name="Lab", actor="t")
        # A room made on another laptop whose id ends in the same eight digits (as a sync could bring one).
        twin_id = "0192f000-0000-7000-8000-0000" + lab.id[-8:]
        s.add(Location(id=twin_id, site_id=site.id, kind=lab.kind, name="Store", path="Store"))
        other = create_client(s, code="NW", name="Northwind", tag_prefix="NW-", tag_digits=5, actor="t")
        other_site = create_site(s, client_id=other.id, name="Main Clinic", actor="t")
        client_id, site_id, lab_id, other_site_id = client.id, site.id, lab.id, other_site.id
    with workspace.session() as s:
        labels = {label.name: label for label in room_labels(s, client_id)}
        assert labels["Zürich HQ"].code == "LOC:" + short_code(site_id)
        assert labels["Lab"].code == "LOC:" + lab_id.upper()  # the full code: no scan can mistake it
        assert labels["Store"].code == "LOC:" + twin_id.upper()
        assert find_room(s, client_id, labels["Lab"].code).location_id == lab_id
        assert find_room(s, client_id, labels["Store"].code).location_id == twin_id
        with pytest.raises(AmbiguousError, match="Two rooms share the label LOC:"):
            place_of_label(s, client_id, "LOC:" + short_code(lab_id))
        with pytest.raises(NotFoundError, match="may be another client's label"):
            find_room(s, client_id, "LOC:" + short_code(other_site_id))
        with pytest.raises(NotFoundError, match="No room of this client has the label LOC:0BADC0DE"):
            find_room(s, client_id, "LOC:0badc0de")
        assert find_room(s, client_id, location_label_text(site_id)).site_id == site_id  # the long form still reads
        assert place_of_label(s, client_id, "Lab") is None  # not a label: found by name the usual way


def test_room_labels_of_one_location_take_it_and_what_is_inside_it(demo_workspace: Workspace) -> None:
    with demo_workspace.session() as s:
        client_id = find_project(s, "NWD-ONB").client_id
        server_room = s.scalars(select(Location).where(Location.name == "Server room")).first()
        assert server_room is not None
        labels = room_labels(s, client_id, server_room.site_id, server_room.id)
        site = s.get(Site, server_room.site_id)
        assert site is not None
        children = s.scalars(select(Location).where(Location.parent_id == server_room.id)).all()
    assert [label.name for label in labels] == ["Server room", *sorted(c.name for c in children)]
    assert labels[0].where == f"{site.name} / " + server_room.path.rsplit(" / ", 1)[0]
    assert len(children) >= 1 and all(label.location_id for label in labels)


def test_a_client_without_places_is_told_what_to_do(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    from app.projects import create_project

    with workspace.transaction() as s:
        client = create_client(s, code="EMPTY", name="Empty Co", tag_prefix="EM-", tag_digits=4, actor="t")
        create_project(s, client_id=client.id, code="EM-ONB", name="Onboarding", actor="t")
    home = workspace.home
    workspace.close()
    out = home / "rooms.pdf"
    assert main(["--home", str(home), "labels", "--rooms", "--template", "avery-5160", "-o", str(out)]) != 0
    assert "no sites or locations yet" in capsys.readouterr().err
    assert not out.exists()
