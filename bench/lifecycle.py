"""The lifecycle forecast of a large client: 100,000 assets with varied purchase dates, warranties, operating
systems, costs and model overrides (target: the forecast under 1 s).

The assets are written with one bulk insert (the forecast's speed is measured, not the tagging's); the forecast
then runs exactly as the CLI, the workbook and the app run it.

Run: .venv/bin/python bench/lifecycle.py [--assets 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from app.catalog import default_category_id, ensure_default_categories
from app.db import open_workspace
from app.lifecycle import build_forecast, format_money
from app.lifecycle_rules import set_rule
from app.os_support import load_os_support
from app.projects import create_client, create_project
from models import Asset
from models.ids import new_id

CATEGORIES = ("laptop", "workstation", "monitor", "server", "switch", "printer", "phone", "ups", "mobile", "other")
SYSTEMS = ("Windows 10 Pro", "Windows 11 Pro", "Windows Server 2016", "Windows Server 2012 R2", "macOS 14 Sonoma",
           "macOS 12 Monterey", "Ubuntu 22.04 LTS", "", "Windows Server 2022 Standard", "ChromeOS")  # fmt: skip
MODELS = ("Latitude 7440", "OptiPlex 7010", "ThinkPad T14", "PowerEdge R750", "EliteBook 840", "")


def build(home: Path, assets: int) -> str:
    ws = open_workspace(home)
    rng = random.Random(14)
    with ws.transaction() as s:
        ensure_default_categories(s)
        client = create_client(s, code="BIG", name="Big Client", tag_prefix="BIG-", tag_digits=6, actor="bench")
        project = create_project(s, client_id=client.id, code="BIG-1", name="Big onboarding", actor="bench")
        set_rule(s, "laptop", model="Latitude 7440", life=5, cost="1650", actor="bench")
        set_rule(s, "server", life=6, cost="9500.50", actor="bench")
        rows = []
        for n in range(assets):
            bought = date(2014, 1, 1) + timedelta(days=rng.randrange(0, 4400)) if n % 23 else None
            rows.append({
                "id": new_id(), "client_id": client.id, "project_id": project.id, "asset_tag": f"BIG-{n:06d}",
                "category_id": default_category_id(CATEGORIES[n % len(CATEGORIES)]), "model": MODELS[n % len(MODELS)],
                "os": SYSTEMS[n % len(SYSTEMS)], "purchase_date": bought,
                "warranty_end": bought + timedelta(days=365 * rng.choice((1, 3, 5))) if bought and n % 7 else None,
                "purchase_cost": round(rng.uniform(100, 5000), 2) if n % 3 == 0 else None,
                "currency": "EUR" if n % 3 == 0 else "",
            })  # fmt: skip
        s.execute(insert(Asset), rows)
        project_id = project.id
    ws.close()
    return project_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="closeout-bench-lifecycle-") as folder:
        home = Path(folder)
        t0 = time.perf_counter()
        project_id = build(home, args.assets)
        print(f"built {args.assets:,} assets in {time.perf_counter() - t0:.1f} s")
        ws = open_workspace(home)
        os_table = load_os_support(home)
        times, cpu = [], []
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            with ws.session() as s:
                forecast = build_forecast(s, os_table, project_ids=[project_id], as_of=date(2026, 12, 1))
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        ws.close()
        print(f"forecast of {len(forecast.assets):,} assets: best {min(times):.3f} s, median "
              f"{sorted(times)[len(times) // 2]:.3f} s over {args.runs} runs (target < 1 s); CPU time best "
              f"{min(cpu):.3f} s (what a busy shared machine does not inflate)")  # fmt: skip
        print(f"  {forecast.total_due:,} due in {forecast.years[0]}-{forecast.years[-1]}, "
              f"{format_money(forecast.total_budget, forecast.currency)}; {len(forecast.out_of_warranty):,} out of "
              f"warranty, {len(forecast.out_of_support):,} out of OS support")  # fmt: skip


if __name__ == "__main__":
    main()
