"""Lifecycle rules travel with the catalog between laptops; a technician's change of one is refused with words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.catalog import ensure_default_categories
from app.lifecycle import build_forecast
from app.lifecycle_rules import list_rules, set_rule
from app.os_support import load_os_support
from app.sync.conflicts import list_rejected
from server.records import CATALOG_REFUSAL
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import DeviceFactory, seed_tenant, tag_asset


def test_an_administrators_rule_reaches_a_technician_whose_change_of_it_is_refused(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    live_server.add_user("root", "admin")
    live_server.add_user("tech", "technician")
    admin = make_device("admin", "root")
    with admin.ws.transaction() as s:
        ensure_default_categories(s, actor="root")
        set_rule(s, "monitor", life=6, cost="9500.50", actor="root")
    tenant = seed_tenant(admin, "ACME")
    tag_asset(admin, tenant.project_id, "ACME-0001", category="monitor", purchase_date="2020-05-01")
    admin.sync()
    live_server.grant("tech", "project", tenant.project_id)
    tech = make_device("tech", "tech")
    tech.sync()
    with tech.ws.session() as s:
        (rule,) = list_rules(s)
        assert (rule.expected_life_years, rule.replacement_cost_cents) == (6, 950050)
        forecast = build_forecast(s, load_os_support(), as_of=date(2026, 3, 15))
    assert forecast.cell(2026, "Monitor").budget == Decimal("9500.50")  # 2020 + 6 = 2026, at the MSP's price
    with tech.ws.transaction() as s:
        set_rule(s, "monitor", cost="1", actor="tech")
    tech.sync()
    with tech.ws.session() as s:
        assert [r.reason for r in list_rejected(s)] == [CATALOG_REFUSAL]
    admin.sync()
    with admin.ws.session() as s:
        assert list_rules(s)[0].replacement_cost_cents == 950050
