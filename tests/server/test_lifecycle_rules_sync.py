"""Lifecycle rules are part of the shared catalog: anyone adds one, only an administrator changes or deletes it."""

from __future__ import annotations

from app.catalog import default_category_id
from models.ids import new_id
from server.records import CATALOG_REFUSAL
from tests.server.hostile_kit import call, login, mutation
from tests.server.server_harness import LiveServer

DEVICE = "01a20000-0000-7000-8000-00000000b14e"


def test_a_technician_adds_a_lifecycle_rule_but_only_an_administrator_changes_it(live_server: LiveServer) -> None:
    live_server.add_user("root", "admin")
    live_server.add_user("tech", "technician")
    live_server.add_user("other", "coordinator")
    root, tech = login(live_server, "root"), login(live_server, "tech")
    category_id = default_category_id("laptop")
    category = {"code": "laptop", "name": "Laptop", "icon": "laptop", "position": 3, "description": ""}
    rule_id = new_id()
    rule = {"category_id": category_id, "model": "", "expected_life_years": 4, "replacement_cost_cents": 140000,
            "currency": "EUR", "notes": ""}  # fmt: skip
    first = [mutation(1, "category", category_id, "create", category), mutation(2, "lifecycle_rule", rule_id,
             "create", rule)]  # fmt: skip
    answer = call(live_server, tech, "POST", "/api/sync/push", {"device_id": DEVICE, "mutations": first}).json()
    assert (answer["applied"], answer["rejected"]) == (2, [])
    change = [mutation(3, "lifecycle_rule", rule_id, "update", {"replacement_cost_cents": 1})]
    answer = call(live_server, tech, "POST", "/api/sync/push", {"device_id": DEVICE, "mutations": change}).json()
    assert [(r["mutation_id"], r["reason"]) for r in answer["rejected"]] == [(3, CATALOG_REFUSAL)]
    assert "lifecycle rules" in CATALOG_REFUSAL
    # Every user sees the rule (the catalog is global), as the technician made it.
    seen = call(live_server, login(live_server, "other"), "GET", f"/api/records/lifecycle_rule/{rule_id}").json()
    assert seen["data"]["replacement_cost_cents"] == 140000 and seen["data"]["expected_life_years"] == 4
    admin_change = [mutation(1, "lifecycle_rule", rule_id, "update", {"replacement_cost_cents": 150000})]
    answer = call(live_server, root, "POST", "/api/sync/push", {"device_id": new_id(), "mutations": admin_change})
    assert answer.json()["applied"] == 1
    seen = call(live_server, tech, "GET", f"/api/records/lifecycle_rule/{rule_id}").json()
    assert seen["data"]["replacement_cost_cents"] == 150000
