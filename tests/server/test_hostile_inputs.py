"""Inputs that crashed a request now get an answer in words: odd cursors, integers past the database's range, times
without a zone, numbers that are not finite (issue 10, findings 4 and 5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.cli import main
from models.ids import new_id
from server.models import Record
from tests.server.hostile_kit import call, login, mutation
from tests.server.server_harness import LiveServer, seed_tenant_via_device

DEVICE = "01a20000-0000-7000-8000-0000000000f1"


@pytest.fixture
def tenant(live_server: LiveServer, tmp_path: Path) -> dict[str, str]:
    live_server.add_user("alice", "coordinator")
    return seed_tenant_via_device(live_server, tmp_path / "alice", "alice", "ALPHA")


def test_odd_cursors_are_refused_in_words_not_with_a_500(live_server: LiveServer, tenant: dict[str, str]) -> None:
    token = login(live_server, "alice")
    odd = [
        "é" * 32 + ".{}",  # non-ASCII before the dot
        "ß.{}",
        f'{{"global": [{2**63}, "*"]}}',  # an old unsigned cursor naming a version past any integer column
        f'{{"global": [{2**31}, "*"]}}',
        "[" * 5000 + "]" * 5000,
    ]
    for cursor in odd:
        for path in ("/api/sync/pull", "/api/sync/check"):
            answer = call(live_server, token, "POST", path, {"device_id": tenant["device"], "cursor": cursor})
            assert answer.status_code == 400, (cursor[:20], path, answer.status_code, answer.text)
            assert answer.json()["detail"] == "the cursor is not valid"
    # Text that is not even valid Unicode (a lone surrogate) fails the request's schema: 422, not 500.
    answer = call(live_server, token, "POST", "/api/sync/pull", {"device_id": tenant["device"], "cursor": "\ud800."})
    assert answer.status_code == 422


def test_mutation_ids_past_the_database_range_are_refused_and_do_not_pin_the_device(
    live_server: LiveServer, tenant: dict[str, str]
) -> None:
    token = login(live_server, "alice")
    for big in (2**63, 2**63 - 1, 2**31):
        body = {"device_id": DEVICE, "mutations": [mutation(big, "asset", tenant["asset"], "update", {"notes": "x"})]}
        answer = call(live_server, token, "POST", "/api/sync/push", body)
        assert answer.status_code == 422, answer.text
        assert "less than or equal to 2147483647" in answer.text
    # The device was not moved: its first real mutation still applies.
    first = {"device_id": DEVICE, "mutations": [mutation(1, "asset", tenant["asset"], "update", {"notes": "ok"})]}
    assert call(live_server, token, "POST", "/api/sync/push", first).json()["applied"] == 1


def test_a_push_whose_time_has_no_zone_is_read_as_utc(live_server: LiveServer, tenant: dict[str, str]) -> None:
    token = login(live_server, "alice")
    record_id = new_id()
    fields = {"client_id": tenant["client"], "code": "RR", "name": "Rack room", "address": "", "notes": ""}
    naive = mutation(1, "site", record_id, "create", fields, at="2026-01-02T03:04:05")
    answer = call(live_server, token, "POST", "/api/sync/push", {"device_id": DEVICE, "mutations": [naive]})
    assert answer.status_code == 200 and answer.json()["applied"] == 1, answer.text
    with live_server.engine.connect() as con:
        created = con.scalar(select(Record.created_at).where(Record.id == record_id))
    assert created == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_numbers_that_are_not_finite_are_refused_per_mutation_and_the_rest_of_the_batch_applies(
    live_server: LiveServer, tenant: dict[str, str]
) -> None:
    token = login(live_server, "alice")
    asset = tenant["asset"]
    batch = [
        mutation(1, "asset", asset, "update", {"custom.ram_gb": 0.0}),
        mutation(2, "asset", asset, "update", {"custom_fields": {"ram_gb": 0.0}}),
        mutation(3, "asset", asset, "update", {"custom.ram_gb": 0.0}),
        mutation(4, "asset", asset, "update", {"hostname": "after-the-nan"}),
    ]
    # Written as JSON text with NaN and Infinity, as a broken or hostile client would send them.
    raw = json.dumps({"device_id": DEVICE, "mutations": batch})
    raw = raw.replace('{"custom.ram_gb": 0.0}', '{"custom.ram_gb": NaN}', 1)
    raw = raw.replace('{"ram_gb": 0.0}', '{"ram_gb": Infinity}', 1)
    raw = raw.replace('{"custom.ram_gb": 0.0}', '{"custom.ram_gb": -Infinity}', 1)
    answer = call(live_server, token, "POST", "/api/sync/push", raw)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["applied"], result["last_mutation_id"]) == (1, 4)
    assert [(r["mutation_id"], r["reason"]) for r in result["rejected"]] == [
        (1, "custom.ram_gb must be a finite number, not nan"),
        (2, "custom_fields holds a number that is not finite (NaN or infinity)"),
        (3, "custom.ram_gb must be a finite number, not -inf"),
    ]
    seen = call(live_server, token, "GET", f"/api/records/asset/{asset}").json()
    assert seen["data"]["hostname"] == "after-the-nan" and "ram_gb" not in seen["data"]["custom_fields"]
    # Nothing unreadable was stored: the database's own JSON functions read every row.
    with live_server.engine.connect() as con:
        if con.dialect.name == "sqlite":
            con.execute(text("SELECT json_extract(data, '$.custom_fields') FROM records")).all()
        else:
            con.execute(text("SELECT data::jsonb FROM records")).all()


def test_the_command_line_refuses_a_number_that_is_not_finite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "ws")
    assert main(["--home", home, "demo", "--assets", "5"]) == 0
    capsys.readouterr()
    assert main(["--home", home, "--json", "assets", "show", "NWD-00001"]) == 0
    before = json.loads(capsys.readouterr().out)["custom_fields"].get("ram_gb")
    for value in ("nan", "inf", "-Infinity"):
        assert main(["--home", home, "assets", "set", "NWD-00001", f"ram_gb={value}"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("closeout-cli: ") and f"“{value}” is not a number." in err, err
    assert main(["--home", home, "--json", "assets", "show", "NWD-00001"]) == 0
    assert json.loads(capsys.readouterr().out)["custom_fields"].get("ram_gb") == before
