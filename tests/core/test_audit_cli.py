"""`closeout-cli audit status|seen|missing|out-of-scope` on a real workspace, with --json and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit import mark_listed
from app.db import open_workspace
from models import Asset
from tests.core.test_cli import run


@pytest.fixture
def home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The 40-asset demo with its first 10 assets on the client's list."""
    path = str(tmp_path / "ws")
    code, _, err = run(capsys, "--home", path, "demo", "--assets", "40")
    assert code == 0, err
    ws = open_workspace(Path(path))
    with ws.transaction() as s:
        ids = list(s.scalars(select(Asset.id).order_by(Asset.asset_tag).limit(10)))
        mark_listed(s, ids, actor="import")
    ws.close()
    return path


def _serial(home: str, tag: str) -> tuple[str, str | None]:
    ws = open_workspace(Path(home))
    with ws.session() as s:
        asset = s.scalars(select(Asset).where(Asset.asset_tag == tag)).one()
        result = asset.serial, asset.location_id
    ws.close()
    return result


def test_audit_status_seen_and_missing_with_json(capsys: pytest.CaptureFixture[str], home: str) -> None:
    code, out, err = run(capsys, "--home", home, "audit", "status", "--json")
    assert code == 0, err
    status = json.loads(out)
    assert status["complete"] is False
    assert {k: status["total"][k] for k in ("expected", "seen", "unseen", "found_not_listed")} == {
        "expected": 10, "seen": 0, "unseen": 10, "found_not_listed": 30,
    }  # fmt: skip

    code, out, err = run(capsys, "--home", home, "audit", "seen", "NWD-00001", "--site", "Main Clinic",
                         "--location", "Floor 1 / Reception", "--json")  # fmt: skip
    assert code == 0, err
    seen = json.loads(out)
    assert (seen["tag"], seen["state"], seen["room"]) == ("NWD-00001", "seen", "Main Clinic / Building A / Floor 1 / "
                                                                               "Reception")  # fmt: skip
    serial, location = _serial(home, "NWD-00002")
    code, out, err = run(capsys, "--home", home, "audit", "seen", serial.lower())
    assert code == 0, err
    assert out.startswith("NWD-00002 seen")
    assert _serial(home, "NWD-00002")[1] == location  # seen without a room: where it is listed, not moved

    code, out, err = run(capsys, "--home", home, "audit", "missing", "NWD-00003", "NWD-00004", "--reason", "off-site",
                         "--json")  # fmt: skip
    assert code == 0, err
    marked = json.loads(out)
    assert marked["changed"] == 2
    assert [(a["tag"], a["state"], a["reason"]) for a in marked["assets"]] == [
        ("NWD-00003", "missing", "off_site"), ("NWD-00004", "missing", "off_site")
    ]  # fmt: skip
    code, out, err = run(capsys, "--home", home, "audit", "out-of-scope", "NWD-00005", "--reason", "leased")
    assert code == 0, err

    code, out, err = run(capsys, "--home", home, "audit", "status", "--site", "Main Clinic")
    assert code == 0, err
    assert "Expected" in out and "Not in scope" in out
    code, out, err = run(capsys, "--home", home, "audit", "status", "--json")
    total = json.loads(out)["total"]
    assert (total["seen"], total["missing"], total["out_of_scope"], total["unseen"]) == (2, 2, 1, 5)


def test_audit_refuses_bad_input_in_words(capsys: pytest.CaptureFixture[str], home: str) -> None:
    code, _, err = run(capsys, "--home", home, "audit", "missing", "NWD-00006", "--reason", "lost")
    assert code == 1
    assert err == "closeout-cli: “lost” is not a reason; use one of: disposed, off site, not found.\n"
    code, _, err = run(capsys, "--home", home, "audit", "missing", "NWD-00030", "--reason", "disposed")
    assert code == 1 and "NWD-00030 is not on the client's list" in err
    code, _, err = run(capsys, "--home", home, "audit", "seen", "NO-SUCH-THING")
    assert code == 1 and "No asset has the tag, previous tag, serial or MAC “NO-SUCH-THING”" in err
    code, _, err = run(capsys, "--home", home, "audit", "seen", "NWD-00001", "--location", "Atlantis")
    assert (code, err) == (1, "closeout-cli: There is no location “Atlantis”.\n")
