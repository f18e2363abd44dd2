"""`closeout-cli labels` on a real workspace: ranges, selection files, pre-printed runs, ZPL; words for bad input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from app.assets import create_asset, suggest_next_tag
from app.cli import main
from app.db import Workspace, open_workspace, set_meta_value
from app.projects import create_client, create_project, find_project
from app.tag_blocks import device_code, load_state


@pytest.fixture
def home(workspace: Workspace) -> Path:
    with workspace.transaction() as s:
        client = create_client(s, code="ACME", name="Acme Dental", tag_prefix="ACME-", tag_digits=4, actor="t")
        project = create_project(s, client_id=client.id, code="ACME-ONB", name="Onboarding", actor="t")
        create_asset(s, project_id=project.id, values={"asset_tag": "ACME-0007"}, actor="t")
        set_meta_value(s, "support_phone", "+1 555 0100")
        wide = create_client(s, code="WIDE", name="Wide", tag_prefix="WIDEWORLD-", tag_digits=6, actor="t")
        create_project(s, client_id=wide.id, code="WIDE-ONB", name="Onboarding", actor="t")
    path = workspace.home
    workspace.close()
    return path


def run(home: Path, *argv: str) -> int:
    return main(["--home", str(home), "--as", "cli.tester", *argv])


def decoded(pdf: Path, tmp: Path) -> list[str]:
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(tmp / "p")], check=True)
    found: list[str] = []
    for page in sorted(tmp.glob("p-*.png")):
        codes = zxingcpp.read_barcodes(Image.open(page), formats=zxingcpp.BarcodeFormat.Code128)
        found += [c.text for c in sorted(codes, key=lambda c: (c.position.top_left.y, c.position.top_left.x))]
    return found


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_a_range_and_a_selection_file_print_those_tags(home: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "range.pdf"
    assert run(home, "labels", "--project", "ACME-ONB", "--tags", "acme-0001..ACME-0004", "--template",
               "avery-5160", "-o", str(out)) == 0  # fmt: skip
    assert "Wrote 4 labels (ACME-0001 … ACME-0004)" in capsys.readouterr().out
    assert decoded(out, tmp_path) == ["ACME-0001", "ACME-0002", "ACME-0003", "ACME-0004"]
    chosen = tmp_path / "chosen.txt"
    chosen.write_text("# tags picked in the app\nACME-0007\n\n acme-0009 \n", encoding="utf-8")
    roll = tmp_path / "roll.pdf"
    assert run(home, "--json", "labels", "-p", "ACME-ONB", "--selection-file", str(chosen), "--template", "dymo-30334",
               "-o", str(roll)) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["pages"] == 2
    (tmp_path / "again").mkdir()
    assert decoded(roll, tmp_path / "again") == ["ACME-0007", "ACME-0009"]


def test_a_pre_printed_run_offline_takes_the_devices_own_tags_and_tagging_uses_them_first(
    home: Path, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run.zpl"
    assert (
        run(home, "--json", "labels", "-p", "ACME-ONB", "--next", "3", "--template", "thermal-2x1", "-o", str(out)) == 0
    )
    data = json.loads(capsys.readouterr().out)
    ws = open_workspace(home)
    try:
        code = device_code(ws.device_id)
        assert data["tags"] == [f"ACME-{code}0001", f"ACME-{code}0002", f"ACME-{code}0003"]
        assert "Not signed in" in data["note"]
        with ws.transaction() as s:
            client_id = find_project(s, "ACME-ONB").client_id
            assert suggest_next_tag(s, client_id) == f"ACME-{code}0001"
            create_asset(s, project_id=find_project(s, "ACME-ONB").id, values={"asset_tag": f"ACME-{code}0001"},
                         actor="t")  # fmt: skip
            assert suggest_next_tag(s, client_id) == f"ACME-{code}0002"
    finally:
        ws.close()
    assert run(home, "labels", "-p", "ACME-ONB", "--return-unused") == 0
    assert "Returned 2 unused pre-printed tags" in capsys.readouterr().out
    ws = open_workspace(home)
    try:
        with ws.session() as s:
            assert suggest_next_tag(s, find_project(s, "ACME-ONB").client_id) == "ACME-0008"  # after ACME-0007
    finally:
        ws.close()
    zpl = out.read_text(encoding="utf-8")
    labels = re.findall(r"\^XA(.*?)\^XZ", zpl, re.S)
    assert len(labels) == 3
    for label, tag in zip(labels, data["tags"], strict=True):
        assert re.search(r"\^BCN,\d+,N,N,N\^FH_\^FD" + re.escape(tag) + r"\^FS", label)
        assert "^BXN," in label and f"^FD{tag}^FS" in label and "Support: +1 555 0100" in label
        width, height = int(re.search(r"\^PW(\d+)", label)[1]), int(re.search(r"\^LL(\d+)", label)[1])  # type: ignore[index]
        assert (width, height) == (406, 203)  # 2 x 1 in at 203 dpi
        for x, y in re.findall(r"\^FO(\d+),(\d+)", label):
            assert 0 <= int(x) < width and 0 <= int(y) < height


def test_bad_input_is_refused_in_words_and_reserves_nothing(home: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    base = ["labels", "-p", "ACME-ONB", "-o", str(tmp_path / "x.pdf")]
    cases = [
        (["--tags", "ACME-0001..B", "--template", "avery-5160"], "is not a range of tags"),
        (["--tags", "ACME-0001..ACME-0002", "--template", "avery-9999"], "There is no label template “avery-9999”"),
        (["--tags", "ACME-0001..ACME-0002", "--template", "avery-5160", "--start", "11,1"], "a row from 1 to 10"),
        (["--tags", "ACME-0001..ACME-0002", "--template", "avery-5160", "--start", "x"], "is not a start position"),
        (["--selection-file", str(tmp_path / "none.txt"), "--template", "avery-5160"], "cannot be read"),
    ]
    for extra, message in cases:
        assert run(home, *base, *extra) == 1
        assert message in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
    assert (
        run(home, "labels", "-p", "WIDE-ONB", "--next", "5", "--template", "thermal-2x1", "-o", str(tmp_path / "x.zpl"))
        == 1
    )
    assert "too long for a 50.8 x 25.4 mm label" in capsys.readouterr().err
    ws = open_workspace(home)
    try:
        with ws.session() as s:
            assert load_state(s).own == []  # nothing was reserved for labels that could not be printed
    finally:
        ws.close()
    assert run(home, "labels", "--list-templates") == 0
    assert "brother-ql-62" in capsys.readouterr().out
