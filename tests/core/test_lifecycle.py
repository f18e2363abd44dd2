"""The lifecycle forecast on a workspace with known dates and costs: every figure, rule and OS verdict."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.db import Workspace
from app.errors import CloseoutError, ValidationError
from app.lifecycle import Forecast, WarrantyState, build_forecast, forecast_to_plain, warranty_state
from app.lifecycle_rules import list_rules, set_rule, to_money
from app.os_support import load_os_support, load_os_support_for
from models import ChangeSet, LifecycleRule
from tests.core.lifecycle_kit import (
    AS_OF,
    EXPECTED_AGES,
    EXPECTED_CELLS,
    EXPECTED_OUT_OF_SUPPORT,
    EXPECTED_OUT_OF_WARRANTY,
    EXPECTED_TOTAL,
    EXPECTED_YEARS,
    LifecycleSetup,
    seed_lifecycle,
)


@pytest.fixture
def acme(workspace: Workspace) -> LifecycleSetup:
    return seed_lifecycle(workspace)


def _forecast(setup: LifecycleSetup, **kwargs: object) -> Forecast:
    with setup.ws.session() as s:
        return build_forecast(
            s,
            load_os_support(setup.ws.home),
            project_ids=[setup.project_id],
            as_of=AS_OF,
            **kwargs,  # type: ignore[arg-type]
        )


def test_the_forecast_counts_and_prices_each_year_and_category_as_worked_out_by_hand(acme: LifecycleSetup) -> None:
    forecast = _forecast(acme)
    assert forecast.years == [2026, 2027, 2028, 2029, 2030]
    assert forecast.currency == "EUR"
    cells = {key: (c.count, c.budget, c.unpriced) for key, c in forecast.cells.items()}
    assert cells == EXPECTED_CELLS
    assert {y: (forecast.year_count(y), forecast.year_budget(y)) for y in forecast.years} == EXPECTED_YEARS
    assert forecast.total_budget == EXPECTED_TOTAL
    assert isinstance(forecast.total_budget, Decimal)
    assert forecast.total_due == 9
    assert forecast.overdue == 3
    assert (forecast.without_purchase_date, forecast.without_life) == (1, 1)
    assert forecast.categories == ["Server", "Workstation", "Laptop", "Network switch", "UPS", "Monitor", "Other"]


def test_each_asset_gets_its_age_warranty_state_year_cost_and_os_verdict(acme: LifecycleSetup) -> None:
    by_tag = {a.asset_tag: a for a in _forecast(acme).assets}
    assert "AC-0010" not in by_tag  # retired
    assert {tag: by_tag[tag].age_years for tag in EXPECTED_AGES} == EXPECTED_AGES
    assert by_tag["AC-0009"].age_years is None
    assert [by_tag[t].warranty for t in ("AC-0003", "AC-0004", "AC-0005", "AC-0009")] == [
        WarrantyState.IN_WARRANTY, WarrantyState.UNKNOWN, WarrantyState.EXPIRING, WarrantyState.EXPIRED,
    ]  # fmt: skip
    laptop = by_tag["AC-0002"]
    assert (laptop.life_years, laptop.replacement_year, laptop.cost, laptop.cost_source) == (
        3, 2027, Decimal("2100.00"), "model",
    )  # fmt: skip
    assert (by_tag["AC-0001"].replacement_year, by_tag["AC-0001"].overdue) == (2026, True)
    assert (by_tag["AC-0007"].cost, by_tag["AC-0007"].cost_source) == (Decimal("1234.56"), "purchase")
    assert (by_tag["AC-0006"].cost, by_tag["AC-0006"].cost_source) == (Decimal("1100.00"), "default")
    assert (by_tag["AC-0011"].cost, by_tag["AC-0011"].cost_source) == (None, "")
    assert (by_tag["AC-0013"].replacement_year, by_tag["AC-0008"].replacement_year) == (2032, None)
    server = by_tag["AC-0003"]
    assert (server.os_system, server.os_end_of_support, server.os_out_of_support) == (
        "Windows Server 2016", date(2027, 1, 12), False,
    )  # fmt: skip
    assert by_tag["AC-0005"].os_out_of_support is None  # no OS recorded: not known
    assert by_tag["AC-0002"].os_out_of_support is False  # Windows 11: no end announced


def test_the_out_of_warranty_and_out_of_support_lists_are_in_date_order(acme: LifecycleSetup) -> None:
    forecast = _forecast(acme)
    assert [(a.asset_tag, a.warranty.value) for a in forecast.out_of_warranty] == EXPECTED_OUT_OF_WARRANTY
    assert [(a.asset_tag, a.os_end_of_support) for a in forecast.out_of_support] == EXPECTED_OUT_OF_SUPPORT


def test_a_shorter_window_and_a_later_day_move_the_figures(acme: LifecycleSetup) -> None:
    two = _forecast(acme, years=2)
    assert two.years == [2026, 2027] and two.total_budget == Decimal("16985.06") and two.total_due == 7
    with acme.ws.session() as s:
        later = build_forecast(s, load_os_support(), project_ids=[acme.project_id], as_of=date(2027, 2, 1))
    by_tag = {a.asset_tag: a for a in later.assets}
    assert by_tag["AC-0003"].os_out_of_support is True  # Server 2016 ended 2027-01-12
    assert later.cell(2027, "Laptop").count == 2  # the overdue one moves into the new first year
    with pytest.raises(ValueError, match="1 to 30 years"):
        _forecast(acme, years=0)


def test_warranty_state_counts_the_ninetieth_day_as_expiring() -> None:
    day = date(2026, 3, 15)
    assert warranty_state(date(2026, 6, 13), day) is WarrantyState.EXPIRING
    assert warranty_state(date(2026, 6, 14), day) is WarrantyState.IN_WARRANTY
    assert warranty_state(day, day) is WarrantyState.EXPIRING
    assert warranty_state(date(2026, 3, 14), day) is WarrantyState.EXPIRED


def test_money_from_the_stored_float_keeps_its_cents() -> None:
    assert to_money(1299.1) == Decimal("1299.10")
    assert to_money(0.1 + 0.2) == Decimal("0.30")
    assert sum((to_money(0.1) for _ in range(10)), Decimal(0)) == Decimal("1.00")


def test_the_plain_forecast_gives_amounts_as_exact_text(acme: LifecycleSetup) -> None:
    plain = forecast_to_plain(_forecast(acme))
    assert plain["total_budget"] == "27585.56"
    assert [(y["year"], y["count"], y["budget"]) for y in plain["years"]] == [
        (y, n, str(b)) for y, (n, b) in EXPECTED_YEARS.items()
    ]
    json.dumps(plain)  # everything in it is JSON


def test_rules_are_journaled_and_a_second_save_changes_the_same_rule(acme: LifecycleSetup) -> None:
    with acme.ws.transaction() as s:
        set_rule(s, "Server", life=7, cost="", actor="lead")
    with acme.ws.session() as s:
        servers = [r for r in list_rules(s) if r.model == "" and r.expected_life_years == 7]
        assert len(servers) == 1 and servers[0].replacement_cost_cents is None
        sets = s.scalars(select(ChangeSet).where(ChangeSet.entity == "lifecycle_rule")).all()
        assert [c.op for c in sets].count("create") == 4 and [c.op for c in sets].count("update") == 1
    assert _forecast(acme).cell(2026, "Server").budget == Decimal("8000.00")  # the default cost again


def test_the_newest_of_two_rules_for_one_category_wins_on_every_device(acme: LifecycleSetup) -> None:
    with acme.ws.transaction() as s:
        older = s.scalars(select(LifecycleRule).where(LifecycleRule.expected_life_years == 6)).one()
        twin = LifecycleRule(
            category_id=older.category_id, model="", expected_life_years=4, updated_at=older.updated_at
        )
        twin.id = "ffffffff-0000-7000-8000-000000000000"  # same time, larger id: sorts after
        s.add(twin)
    assert {a.asset_tag: a.life_years for a in _forecast(acme).assets}["AC-0003"] == 4


def test_bad_rule_values_are_refused_in_words_field_by_field(acme: LifecycleSetup) -> None:
    with acme.ws.transaction() as s, pytest.raises(ValidationError) as caught:
        set_rule(s, "laptop", life="four", cost="lots", currency="euros", actor="lead")
    assert set(caught.value.errors) == {"expected_life_years", "replacement_cost", "currency"}
    assert "whole number of years" in caught.value.errors["expected_life_years"]
    with acme.ws.transaction() as s, pytest.raises(ValidationError, match="written in USD but the currency says EUR"):
        set_rule(s, "laptop", cost="USD 10", currency="EUR", actor="lead")
    with acme.ws.transaction() as s, pytest.raises(CloseoutError, match="no category “toaster”"):
        set_rule(s, "toaster", life=3, actor="lead")


def test_the_workspace_os_file_adds_and_replaces_dates(tmp_path: Path) -> None:
    (tmp_path / "os_support.json").write_text(
        json.dumps({"systems": [
            {"name": "Windows 11", "match": "windows\\s*11", "end_of_support": "2026-01-01"},
            {"name": "Debian 11", "match": "debian\\s*11", "end_of_support": "2026-08-31"},
        ]}),
        encoding="utf-8",
    )  # fmt: skip
    table = load_os_support(tmp_path)
    assert table.verdict("Windows 11 Pro", date(2026, 3, 1)).out_of_support is True
    assert table.verdict("Debian 11 (bullseye)", date(2026, 3, 1)).end_of_support == date(2026, 8, 31)
    assert table.verdict("Windows Server 2012 R2", date(2026, 3, 1)).system == "Windows Server 2012 R2"
    assert table.verdict("Windows Server 2012", date(2026, 3, 1)).system == "Windows Server 2012"
    assert table.verdict("Haiku R1", date(2026, 3, 1)).out_of_support is None


def test_a_broken_os_file_is_named_with_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "os_support.json"
    path.write_text('{"systems": [', encoding="utf-8")
    with pytest.raises(CloseoutError, match=r"not valid JSON \(line 1"):
        load_os_support(tmp_path)
    path.write_text(json.dumps({"systems": [{"name": "X", "end_of_support": "soon"}]}), encoding="utf-8")
    with pytest.raises(CloseoutError, match="“soon” is not a date like 2025-10-14"):
        load_os_support(tmp_path)


def test_the_shipped_table_has_the_microsoft_dates() -> None:
    table = load_os_support()
    ends = {s.name: s.end_of_support for s in table.systems}
    assert ends["Windows 10"] == date(2025, 10, 14)
    assert ends["Windows Server 2012"] == ends["Windows Server 2012 R2"] == date(2023, 10, 10)
    assert ends["Windows Server 2016"] == date(2027, 1, 12)


def test_exporters_handed_a_session_find_the_workspace_folders_os_file(acme: LifecycleSetup) -> None:
    (acme.ws.home / "os_support.json").write_text(
        json.dumps({"systems": [{"name": "Windows 11", "match": "windows\\s*11", "end_of_support": "2026-01-01"}]}),
        encoding="utf-8",
    )
    with acme.ws.session() as s:
        table = load_os_support_for(s)
    assert table.verdict("Windows 11 Pro", AS_OF).out_of_support is True


def test_the_rule_verbs_change_only_what_is_given_and_clear_back_to_the_default(
    acme: LifecycleSetup, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(acme.ws.home)
    assert main(["--home", home, "lifecycle-rule", "server", "--life", "8"]) == 0
    capsys.readouterr()
    assert main(["--home", home, "--json", "lifecycle-rules"]) == 0
    lines = json.loads(capsys.readouterr().out)
    server = next(line for line in lines if line["category"] == "Server")
    assert (server["life_years"], server["cost"], server["source"]) == (8, "9,500.50", "category")
    laptop_model = next(line for line in lines if line["model"] == "ThinkPad X1 Carbon Gen 11")
    assert (laptop_model["life_years"], laptop_model["cost"]) == (3, "2,100.00")
    assert main(["--home", home, "lifecycle-rule", "server", "--clear"]) == 0
    assert main(["--home", home, "lifecycle-rule", "server", "--life", "0"]) == 1
    assert "from 1 to 50" in capsys.readouterr().err
    assert {a.asset_tag: a.cost for a in _forecast(acme).assets}["AC-0003"] == Decimal("8000.00")
