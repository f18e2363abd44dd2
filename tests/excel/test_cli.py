"""`closeout-cli export xlsx` and `closeout-cli import` print the preview, honour --dry-run and --strict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.db import Workspace
from models import Asset
from tests.excel.excel_files import write_csv


def _count(ws: Workspace) -> int:
    with ws.session() as session:
        return int(session.scalar(select(func.count()).select_from(Asset)) or 0)


def _cli(ws: Workspace, *args: str) -> int:
    return main(["--home", str(ws.home), "--as", "cli.tester", *args])


#: The second row uses the first row's tag again: really wrong, so rejected.
ROWS = [["Asset Tag", "Serial", "Model"], ["NWD-00500", "S-500", "A"], ["NWD-00500", "S-501", "B"]]


def test_export_then_dry_run_import_prints_the_preview(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "inv.xlsx"
    assert _cli(demo_workspace, "export", "xlsx", "--project", "NWD-ONB", "-o", str(out)) == 0
    assert "300 assets" in capsys.readouterr().out and out.exists()
    assert _cli(demo_workspace, "import", str(out), "--project", "NWD-ONB", "--dry-run") == 0
    printed = capsys.readouterr().out
    assert "Preview: 0 new, 0 updated, 300 unchanged, 0 rejected." in printed
    assert "Dry run: nothing was written." in printed


def test_strict_refuses_a_file_with_rejected_rows(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS)
    before = _count(demo_workspace)
    assert _cli(demo_workspace, "import", str(path), "--strict") == 1
    captured = capsys.readouterr()
    assert "Row 3: Tag NWD-00500 is also on row 2; keep one of the two rows." in captured.out
    assert "nothing was imported" in captured.err
    assert _count(demo_workspace) == before


def test_import_writes_accepted_rows_and_saves_rejects_and_profile(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS)
    rejects = tmp_path / "rejects.xlsx"
    args = ["--json", "import", str(path), "--rejects", str(rejects), "--save-profile", "Client list",
            "--map", "Model=model"]  # fmt: skip
    assert main(["--home", str(demo_workspace.home), *args]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["new"], data["rejected"], data["written"], data["created"]) == (1, 1, True, 1)
    assert rejects.exists() and _count(demo_workspace) == 301
    assert _cli(demo_workspace, "import", str(path), "--profile", "nope") == 1
    assert "no import profile “nope”" in capsys.readouterr().err
