"""A workspace with known purchase dates, warranties, operating systems and costs, and the forecast worked out by
hand from them (as of 2026-03-15, five years): the figures every lifecycle test checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.assets import create_asset
from app.catalog import ensure_default_categories
from app.db import Workspace
from app.lifecycle_rules import set_rule
from app.projects import create_client, create_project

AS_OF = date(2026, 3, 15)
PROJECT = "ACM-1"

#: tag: values. Comments give the rule in force and the year it is due.
ASSETS: dict[str, dict[str, object]] = {
    # laptop default life 4, cost 1400: 2021 + 4 = 2025, past → due 2026 (overdue); Windows 10 ended 2025-10-14
    "AC-0001": {"category": "laptop", "purchase_date": "2021-06-01", "warranty_end": "2024-06-01",
                "os": "Windows 10 Pro 22H2"},
    # model override life 3, cost 2'100.00: 2024 + 3 = 2027; warranty ends within 90 days
    "AC-0002": {"category": "laptop", "manufacturer": "Lenovo", "model": "ThinkPad X1 Carbon Gen 11",
                "purchase_date": "2024-02-10", "warranty_end": "2026-05-01", "os": "Windows 11 Pro"},
    # server rule life 6, cost 9500.50: 2019 + 6 = 2025 → 2026 (overdue); Server 2016 ends 2027-01-12 (not yet)
    "AC-0003": {"category": "server", "purchase_date": "2019-11-20", "warranty_end": "2026-11-20",
                "os": "Windows Server 2016 Standard"},
    # 2022 + 6 = 2028; Server 2012 R2 ended 2023-10-10; no warranty date
    "AC-0004": {"category": "server", "purchase_date": "2022-01-05", "os": "Windows Server 2012 R2"},
    # switch default 7 / 2500: 2020 + 7 = 2027; warranty ends exactly 90 days on (still "expiring")
    "AC-0005": {"category": "switch", "purchase_date": "2020-07-01", "warranty_end": "2026-06-13"},
    # workstation default 5 / 1100 (its own purchase cost is not the estimate): 2023 + 5 = 2028; Ventura ended
    "AC-0006": {"category": "workstation", "purchase_date": "2023-03-15", "warranty_end": "2028-03-15",
                "os": "macOS 13 Ventura", "purchase_cost": "899.99", "currency": "EUR"},
    # other: rule life 5 without a cost → its purchase cost 1234.56: 2022 + 5 = 2027
    "AC-0007": {"category": "other", "purchase_date": "2022-01-01", "purchase_cost": "1234.56", "currency": "EUR"},
    # a VM has no life: not planned
    "AC-0008": {"category": "virtual_machine", "purchase_date": "2023-01-01", "os": "Ubuntu 22.04 LTS"},
    # no purchase date: not planned; warranty ended the day before
    "AC-0009": {"category": "printer", "warranty_end": "2026-03-14"},
    # retired: left out of everything
    "AC-0010": {"category": "laptop", "purchase_date": "2018-01-01", "status": "retired", "os": "Windows 7"},
    # UPS rule cost in USD while the report is in EUR: due 2024 + 3 = 2027 but unpriced
    "AC-0011": {"category": "ups", "purchase_date": "2024-05-01", "warranty_end": "2027-05-01"},
    # monitor default 6 / 250: 2015 + 6 = 2021 → 2026 (overdue)
    "AC-0012": {"category": "monitor", "purchase_date": "2015-01-01"},
    # switch 2025 + 7 = 2032: beyond the five years
    "AC-0013": {"category": "switch", "purchase_date": "2025-01-01", "warranty_end": "2030-01-01"},
}  # fmt: skip

#: (year, category) → (count, budget, unpriced), worked out from the comments above.
EXPECTED_CELLS: dict[tuple[int, str], tuple[int, Decimal, int]] = {
    (2026, "Server"): (1, Decimal("9500.50"), 0),
    (2026, "Laptop"): (1, Decimal("1400.00"), 0),
    (2026, "Monitor"): (1, Decimal("250.00"), 0),
    (2027, "Laptop"): (1, Decimal("2100.00"), 0),
    (2027, "Network switch"): (1, Decimal("2500.00"), 0),
    (2027, "UPS"): (1, Decimal("0.00"), 1),
    (2027, "Other"): (1, Decimal("1234.56"), 0),
    (2028, "Server"): (1, Decimal("9500.50"), 0),
    (2028, "Workstation"): (1, Decimal("1100.00"), 0),
}
EXPECTED_YEARS: dict[int, tuple[int, Decimal]] = {
    2026: (3, Decimal("11150.50")),
    2027: (4, Decimal("5834.56")),
    2028: (2, Decimal("10600.50")),
    2029: (0, Decimal("0.00")),
    2030: (0, Decimal("0.00")),
}
EXPECTED_TOTAL = Decimal("27585.56")
#: tag → age in years (days / 365.25, to a tenth).
EXPECTED_AGES = {
    "AC-0001": Decimal("4.8"),  # 1748 days
    "AC-0002": Decimal("2.1"),  # 764 days
    "AC-0003": Decimal("6.3"),  # 2307 days
    "AC-0006": Decimal("3.0"),  # 1096 days
    "AC-0012": Decimal("11.2"),  # 4091 days
}
EXPECTED_OUT_OF_WARRANTY = [
    ("AC-0001", "expired"),
    ("AC-0009", "expired"),
    ("AC-0002", "expiring"),
    ("AC-0005", "expiring"),
]
EXPECTED_OUT_OF_SUPPORT = [
    ("AC-0004", date(2023, 10, 10)),
    ("AC-0006", date(2025, 9, 15)),
    ("AC-0001", date(2025, 10, 14)),
]


@dataclass(frozen=True)
class LifecycleSetup:
    ws: Workspace
    project_id: str


def seed_lifecycle(ws: Workspace) -> LifecycleSetup:
    """The client, its project, the MSP's rules and the assets above."""
    with ws.transaction() as s:
        ensure_default_categories(s)
        client = create_client(s, code="ACME", name="Acme Corp", tag_prefix="AC-", tag_digits=4, actor="lead")
        project = create_project(s, client_id=client.id, code=PROJECT, name="Acme onboarding", actor="lead")
        set_rule(s, "server", life="6", cost="9500.50", actor="lead")
        set_rule(s, "laptop", model="ThinkPad X1 Carbon Gen 11", life=3, cost="2'100.00", actor="lead")
        set_rule(s, "ups", cost="USD 300", actor="lead")
        set_rule(s, "other", life=5, actor="lead")
        for tag, values in ASSETS.items():
            create_asset(s, project_id=project.id, values={"asset_tag": tag, **values}, actor="alex",
                         allow_incomplete=True)  # fmt: skip
        return LifecycleSetup(ws, project.id)
