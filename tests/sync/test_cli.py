"""The command lines: closeout-server init/create-user/grant, and closeout-cli login/sync/conflicts/sync-status."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.assets import update_asset
from app.cli import main as cli_main
from server.cli import main as server_main
from server.models import Grant, User
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import DeviceFactory, seed_tenant, tag_asset


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], home: Path, *args: str, stdin: str = ""
) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli_main(["--home", str(home), "--as", "ann", "--json", *args])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_server_cli_initialises_creates_users_and_grants(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "srv"
    monkeypatch.delenv("CLOSEOUT_SERVER_SECRET_KEY", raising=False)
    assert server_main(["--data-dir", str(data), "init"]) == 0
    assert "CLOSEOUT_SERVER_SECRET_KEY=" in (data / "server.env").read_text()
    monkeypatch.setattr("sys.stdin", io.StringIO("a-good-password\n"))
    assert server_main(["--data-dir", str(data), "create-user", "bob", "--role", "technician"]) == 0
    project_id = "01a20000-0000-7000-8000-000000000001"
    assert server_main(["--data-dir", str(data), "grant", "bob", project_id]) == 0
    assert server_main(["--data-dir", str(data), "grant", "nobody", project_id]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert server_main(["--data-dir", str(data), "create-user", "eve", "--role", "technician"]) == 1
    from server.db import make_engine

    engine = make_engine(f"sqlite:///{data / 'closeout-server.sqlite'}")
    with engine.connect() as con:
        assert con.scalar(select(User.role).where(User.name == "bob")) == "technician"
        assert con.scalar(select(Grant.scope_id)) == project_id
    engine.dispose()


def test_a_default_secret_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOSEOUT_SERVER_SECRET_KEY", "changeme")
    assert server_main(["--data-dir", str(tmp_path / "srv"), "create-user", "x", "--role", "admin"]) == 1


def test_cli_login_sync_and_resolve_a_conflict(
    live_server: LiveServer,
    make_device: DeviceFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    live_server.add_user("ann", "coordinator")
    other = make_device("other", "ann")
    tenant = seed_tenant(other, "ACME")
    asset_id = tag_asset(other, tenant.project_id, "ACME-0001")
    other.sync()
    home = tmp_path / "cli-home"
    _cli(monkeypatch, capsys, home, "login", "--server", live_server.url, "--user", "ann", stdin="password-123\n")
    # No keyring in tests: each command asks for the password again (read from stdin here).
    assert json.loads(_cli(monkeypatch, capsys, home, "sync", stdin="password-123\n"))["pulled"] == 3
    from app.db import open_workspace

    ws = open_workspace(home)
    with ws.transaction() as s:
        update_asset(s, asset_id, {"model": "Mine"}, actor="ann")
    ws.close()
    with other.ws.transaction() as s:
        update_asset(s, asset_id, {"model": "Theirs"}, actor="ann")
    other.sync()
    _cli(monkeypatch, capsys, home, "sync", stdin="password-123\n")
    conflicts = json.loads(_cli(monkeypatch, capsys, home, "conflicts"))
    assert [(c["losing_value"], c["winning_value"]) for c in conflicts] == [("Theirs", "Mine")]
    _cli(monkeypatch, capsys, home, "conflicts", "resolve", conflicts[0]["id"], "keep")
    status = json.loads(_cli(monkeypatch, capsys, home, "sync-status"))
    assert (status["pending"], status["open_conflicts"]) == (1, 0)
    _cli(monkeypatch, capsys, home, "sync", stdin="password-123\n")
    assert json.loads(_cli(monkeypatch, capsys, home, "sync-status"))["pending"] == 0
    checked = json.loads(_cli(monkeypatch, capsys, home, "sync", "--verify", stdin="password-123\n"))
    assert (checked["verified"], checked["repaired"]) == (1, [])  # the client's records match the server's
    _cli(monkeypatch, capsys, home, "logout")
