"""`closeout-cli`: every verb on a real workspace, JSON for scripts, one-line errors and no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "ws")
    code, _, err = run(capsys, "--home", path, "demo", "--assets", "40")
    assert code == 0, err
    return path


def test_version_and_help_need_no_workspace(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("closeout ")
    assert main([]) == 2
    assert "assets" in capsys.readouterr().out


def test_demo_seeds_a_workspace_and_refuses_to_run_twice(capsys: pytest.CaptureFixture[str], home: str) -> None:
    code, out, err = run(capsys, "--home", home, "--json", "projects")
    assert code == 0
    projects = json.loads(out)
    assert [(p["code"], p["assets"], p["status"]) for p in projects] == [("NWD-ONB", 40, "open")]
    assert projects[0]["technicians"] == ["alex.tech", "sam.field"]
    code, out, err = run(capsys, "--home", home, "demo")
    assert code == 1
    assert err == "closeout-cli: The demo client already exists in this workspace.\n"


def test_clients_and_categories(capsys: pytest.CaptureFixture[str], home: str) -> None:
    code, out, _ = run(capsys, "--home", home, "--json", "clients")
    assert json.loads(out)[0]["tag_prefix"] == "NWD-"
    code, out, _ = run(capsys, "--home", home, "--json", "categories")
    server = next(c for c in json.loads(out) if c["code"] == "server")
    assert {"key": "role", "label": "Role", "type": "text", "required": True, "choices": []} in server["fields"]
    code, out, _ = run(capsys, "--home", home, "categories")
    assert code == 0 and "role*" in out


def test_add_set_show_history_and_search(capsys: pytest.CaptureFixture[str], home: str) -> None:
    code, out, err = run(
        capsys, "--home", home, "--as", "alex", "--json", "assets", "add", "--category", "switch",
        "manufacturer=Cisco", "model=C9200L", "serial=FDO42", "ports=48", "location=Floor 1 / Server room",
    )  # fmt: skip
    assert code == 1
    assert err.startswith("closeout-cli: Location: Several locations match “Floor 1 / Server room” (Main Clinic: ")
    code, out, err = run(
        capsys, "--home", home, "--as", "alex", "--json", "assets", "add", "--category", "switch",
        "manufacturer=Cisco", "model=C9200L", "serial=FDO42", "ports=48", "site=Main Clinic",
        "location=Floor 1 / Server room",
    )  # fmt: skip
    assert code == 0, err
    added = json.loads(out)
    assert added["asset_tag"] == "NWD-00041"
    assert added["custom_fields"] == {"ports": 48}
    assert added["tagged_by"] == "alex"

    code, out, err = run(capsys, "--home", home, "--as", "sam", "assets", "set", "nwd-00041", "ip=10.0.0.9", "poe=yes")
    assert code == 0, err
    assert out.startswith("NWD-00041: changed ")

    code, out, _ = run(capsys, "--home", home, "--json", "assets", "history", "NWD-00041")
    history = json.loads(out)
    assert [(h["op"], h["field"], h["actor"]) for h in history] == [
        ("create", "*", "alex"),
        ("update", "ip_address", "sam"),
        ("update", "custom.poe", "sam"),
    ]
    code, out, _ = run(capsys, "--home", home, "--json", "assets", "search", "fdo42")
    found = json.loads(out)
    assert found["total"] == 1 and found["assets"][0]["ip_address"] == "10.0.0.9"
    code, out, _ = run(capsys, "--home", home, "assets", "show", "NWD-00041")
    assert "Manufacturer: Cisco" in out
    assert "ports: 48" in out
    code, out, _ = run(capsys, "--home", home, "assets", "next-tag")
    assert out.strip() == "NWD-00042"


def test_list_filters_and_paging(capsys: pytest.CaptureFixture[str], home: str) -> None:
    code, out, _ = run(capsys, "--home", home, "--json", "assets", "list", "--limit", "5", "--offset", "5")
    data = json.loads(out)
    assert data["total"] == 40 and [a["asset_tag"] for a in data["assets"]] == [f"NWD-{n:05d}" for n in range(6, 11)]
    code, out, _ = run(capsys, "--home", home, "--json", "assets", "list", "--status", "in service", "--limit", "100")
    assert all(a["status"] == "in_service" for a in json.loads(out)["assets"])
    code, out, _ = run(capsys, "--home", home, "assets", "list", "--limit", "3")
    assert code == 0 and "(3 of 40 shown" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["assets", "set", "NWD-99999", "model=x"], "closeout-cli: No asset has the tag NWD-99999.\n"),
        (["assets", "set", "NWD-00001", "model"],
         "closeout-cli: “model” should be FIELD=VALUE, for example serial=ABC123.\n"),
        (["assets", "add", "--tag", "NWD-00001"], None),
        (["assets", "add", "--tag", "BAD 1"], None),
        (["assets", "list", "--project", "nope"], "closeout-cli: There is no project “nope”.\n"),
        (["assets", "set", "NWD-00002", "mac=xyz"], None),
    ],
)  # fmt: skip
def test_errors_are_one_line_in_words_with_a_failing_exit(
    capsys: pytest.CaptureFixture[str], home: str, args: list[str], message: str | None
) -> None:
    code, out, err = run(capsys, "--home", home, *args)
    assert code == 1 and out == ""
    assert "Traceback" not in err and err.startswith("closeout-cli: ") and err.endswith("\n")
    if message:
        assert err == message


def test_a_damaged_workspace_is_reported_not_overwritten(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    home = tmp_path / "ws"
    home.mkdir()
    (home / "workspace.sqlite").write_bytes(b"garbage" * 50)
    code, _, err = run(capsys, "--home", str(home), "clients")
    assert code == 1 and "is not a Closeout workspace or is damaged" in err
    assert (home / "workspace.sqlite").read_bytes() == b"garbage" * 50


def test_a_mistyped_home_is_refused_not_created(capsys: pytest.CaptureFixture[str], home: str) -> None:
    typo = Path(home).with_name("wss")
    for verb in (["projects"], ["assets", "add", "--project", "ACME-ONB", "--tag", "X-1"], ["sync"]):
        code, _, err = run(capsys, "--home", str(typo), *verb)
        assert code == 1 and f"There is no workspace in {typo}. Check the folder name" in err
    assert not typo.exists()
    code, out, _ = run(capsys, "--home", home, "--json", "projects")  # the real one is where it was
    assert code == 0 and len(json.loads(out)) == 1


def test_the_installed_console_script_runs(tmp_path: Path) -> None:
    from app.db import open_workspace

    open_workspace(tmp_path / "ws").close()
    exe = Path(sys.executable).with_name("closeout-cli")
    env = {**os.environ, "CLOSEOUT_HOME": str(tmp_path / "ws")}
    done = subprocess.run([str(exe), "--json", "projects"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_a_tag_in_another_project_says_which(capsys: pytest.CaptureFixture[str], home: str) -> None:
    from app.db import open_workspace
    from app.projects import create_project, list_clients

    ws = open_workspace(Path(home))
    with ws.transaction() as s:
        create_project(s, client_id=list_clients(s)[0].id, code="NWD-P2", name="Second site", actor="pat")
    ws.close()
    code, _, err = run(capsys, "--home", home, "assets", "show", "nwd-00012", "--project", "NWD-P2")
    assert code == 1 and "NWD-00012 is not in that project; it is in NWD-ONB." in err
    code, out, _ = run(capsys, "--home", home, "--json", "assets", "show", "NWD-00012")
    assert code == 0 and json.loads(out)["asset_tag"] == "NWD-00012"
