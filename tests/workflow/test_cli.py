"""`closeout-cli` workflow verbs end to end on a real workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.db import Workspace
from tests.workflow.conftest import build_small_project, png_signature


def run(home: Path, *argv: str) -> int:
    return main(["--home", str(home), "--as", "cli.tester", *argv])


def test_the_whole_closeout_from_the_command_line(workspace: Workspace, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    build_small_project(workspace)
    home = workspace.home
    workspace.close()
    p = ["--project", "ACME-ONB"]
    assert run(home, "kt", "attendee", "Nia NOC", *p) == 0
    assert run(home, "kt", "ack", "Nia NOC", *p) == 0
    assert run(home, "kt", "topic", "overview", "--notes", "Family firm", *p) == 0
    assert run(home, "kt", "hold", "--presenter", "Alex", *p) == 0
    assert run(home, "actions", "add", "Label the spare laptops", "--owner", "Sam", "--due", "2026-12-01", *p) == 0
    capsys.readouterr()
    assert run(home, "close", *p) == 1
    out = capsys.readouterr().out
    assert "The go-live call has not been held yet." in out and "Label the spare laptops (Sam)" in out

    assert run(home, "golive", "hold", "--at", "2026-11-20T15:00", *p) == 0
    assert run(home, "golive", "live", "Service desk", *p) == 0
    assert run(home, "golive", "live", "backup", *p) == 0
    assert run(home, "golive", "satisfaction", "4", "--comment", "Good", *p) == 0
    assert run(home, "golive", "adoption", "75", *p) == 0
    assert run(home, "actions", "close", "Label the spare laptops", *p) == 0
    signature = tmp_path / "sig.png"
    signature.write_bytes(png_signature())
    assert (
        run(home, "signoff", "sign", "--name", "Dana Øster", "--title", "IT lead", "--signature", str(signature), *p)
        == 0
    )
    assert run(home, "export", "signoff", *p, "-o", str(tmp_path / "form.pdf"), "--paper", "a4") == 0
    assert "Dana Øster" in PdfReader(tmp_path / "form.pdf").pages[-1].extract_text()
    capsys.readouterr()
    assert run(home, "--json", "kpis", *p) == 0
    kpis = json.loads(capsys.readouterr().out)
    assert kpis["satisfaction"] == 4 and kpis["adoption_rate"] == 0.75 and kpis["action_items_open"] == 0
    assert run(home, "close", *p) == 0
    assert run(home, "golive", "satisfaction", "2", *p) == 1
    assert "closed" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["signoff", "packet", "noc-brief"])
def test_export_writes_each_pdf(demo_workspace: Workspace, tmp_path: Path, kind: str) -> None:
    home = demo_workspace.home
    demo_workspace.close()
    out = tmp_path / f"{kind}.pdf"
    assert run(home, "export", kind, "--project", "NWD-ONB", "-o", str(out)) == 0
    assert "Northwind Dental Group" in PdfReader(out).pages[1 if kind == "packet" else 0].extract_text()


VERBS = {
    "kt": ["show", "schedule", "hold", "attendee", "ack", "topic", "set"],
    "golive": ["show", "schedule", "hold", "live", "satisfaction", "adoption", "condition", "attendees"],
    "actions": ["list", "add", "close", "status"],
    "signoff": ["sign", "list"],
    "close": [],
    "kpis": [],
}


@pytest.mark.parametrize("group", list(VERBS))
def test_every_workflow_verb_has_working_help(group: str, capsys) -> None:  # type: ignore[no-untyped-def]
    from app.cli import build_parser

    for argv in [[group, "--help"]] + [[group, verb, "--help"] for verb in VERBS[group]]:
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args(argv)
        assert done.value.code == 0, argv
        assert "usage:" in capsys.readouterr().out
