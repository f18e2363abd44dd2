"""Benchmark of the offline store on a 100,000-asset workspace (run by hand; prints figures).

    .venv/bin/python bench/store.py [--assets 100000] [--keep DIR]

Prints: bulk load time, median/p95 of a single asset save (validation + journal + commit, target < 5 ms),
median/p95 full-text search (target < 20 ms), and workspace open time (target < 300 ms).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from app.asset_query import AssetFilter, count_assets, query_page
from app.assets import create_asset, suggest_next_tag, update_asset
from app.bulk import create_assets_bulk
from app.catalog import ensure_default_categories, list_categories
from app.db import open_workspace
from app.projects import create_client, create_location, create_project, create_site
from models import ActivationProject, Asset, LocationKind

WORDS = ["dell", "hp", "lenovo", "cisco", "aruba", "optiplex", "elitedesk", "thinkpad", "catalyst", "latitude"]
CUSTOM: dict[str, dict[str, object]] = {
    "workstation": {"disk_encrypted": True, "ram_gb": 16},
    "phone": {"extension": "2001"},
    "monitor": {"size_in": 24},
}
PEOPLE = ["Amélie Laurent", "Sofia Martínez", "James O'Connor", "Chen Wei", "Priya Natarajan", "Luca Rossi"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build(home: Path, count: int) -> tuple[str, list[str], float]:
    ws = open_workspace(home)
    rng = random.Random(1)
    with ws.transaction() as s:
        ensure_default_categories(s)
        client = create_client(s, code="BIG", name="Big Client", tag_prefix="BIG-", tag_digits=6, actor="bench")
        project = create_project(s, client_id=client.id, code="BIG-ONB", name="Big onboarding", actor="bench")
        rooms = []
        for n in range(4):
            site = create_site(s, client_id=client.id, name=f"Site {n}", actor="bench")
            for r in range(25):
                rooms.append(
                    create_location(s, site_id=site.id, kind=LocationKind.ROOM, name=f"Room {r}", actor="bench")
                )
        categories = [c.code for c in list_categories(s) if c.code in ("workstation", "monitor", "phone", "other")]
        project_id, room_ids = project.id, [r.id for r in rooms]
    started = time.perf_counter()
    ids: list[str] = []
    batch = 10_000
    for start in range(0, count, batch):
        rows: list[dict[str, object]] = []
        for n in range(start, min(start + batch, count)):
            category = rng.choice(categories)
            rows.append(
                {
                    "tag": f"BIG-{n + 1:06d}",
                    "category": category,
                    "manufacturer": rng.choice(WORDS),
                    "model": f"{rng.choice(WORDS)} {rng.randrange(100, 999)}",
                    "serial": f"SN{rng.randrange(10**9, 10**10)}",
                    "hostname": f"ws-{n:06d}",
                    "ip": f"10.{n // 65536}.{(n // 256) % 256}.{n % 256}",
                    "location": rng.choice(room_ids),
                    "user": rng.choice(PEOPLE),
                    "notes": "bench asset",
                    **CUSTOM.get(category, {}),
                }
            )
        with ws.transaction() as s:
            result = create_assets_bulk(s, project_id=project_id, rows=rows, actor="bench")
            assert not result.rejected, result.rejected
            ids.extend(result.created)
        print(f"  loaded {len(ids):>7,} assets", end="\r", file=sys.stderr)
    load = time.perf_counter() - started
    ws.close()
    print(file=sys.stderr)
    return project_id, ids, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this folder instead of a temporary one")
    args = parser.parse_args()
    home = args.keep or Path(tempfile.mkdtemp(prefix="closeout-bench-"))
    existing = (home / "workspace.sqlite").exists()
    if existing:
        ws = open_workspace(home)
        with ws.session() as s:
            project_id = s.scalars(select(ActivationProject.id)).one()
            ids = list(s.scalars(select(Asset.id).where(Asset.deleted_at.is_(None))))
        ws.close()
        print(f"reusing {len(ids):,} assets in {home}")
    else:
        project_id, ids, load = build(home, args.assets)
        rate = len(ids) / load
        print(f"bulk load: {len(ids):,} assets in {load:.1f} s ({rate:,.0f} assets/s; validated, journaled, indexed)")
    size = (home / "workspace.sqlite").stat().st_size / 2**20
    print(f"workspace file: {size:.0f} MiB")

    # Workspace open: a fresh process, as the app and the CLI pay it (imports excluded, measured around the call).
    probe = (
        "import time,sys; from pathlib import Path; from app.db import open_workspace; "
        "t=time.perf_counter(); ws=open_workspace(Path(sys.argv[1])); "
        "from app.asset_query import AssetFilter, query_assets\n"
        "with ws.session() as s: query_assets(s, AssetFilter(), limit=100)\n"
        "print(time.perf_counter()-t)"
    )
    opens = [
        float(
            subprocess.run([sys.executable, "-c", probe, str(home)], capture_output=True, text=True, check=True).stdout
        )
        for _ in range(5)
    ]
    print(f"workspace open (+ first page of 100 rows): median {statistics.median(opens) * 1000:.0f} ms, "
          f"max {max(opens) * 1000:.0f} ms  (target < 300 ms)")  # fmt: skip

    ws = open_workspace(home)
    rng = random.Random(2)
    run = time.strftime("%Y%m%d-%H%M%S")  # a reused workspace must not see the same edits again (no-op saves)
    saves: list[float] = []
    for n in range(300):
        asset_id = rng.choice(ids)
        t = time.perf_counter()
        with ws.transaction() as s:
            update_asset(s, asset_id, {"notes": f"checked {n} in run {run}", "user": rng.choice(PEOPLE)}, actor="bench")
        saves.append(time.perf_counter() - t)
    creates: list[float] = []
    with ws.session() as s:
        client_id = s.scalars(select(ActivationProject.client_id).where(ActivationProject.id == project_id)).one()
        first = int(suggest_next_tag(s, client_id).removeprefix("BIG-"))  # a reused workspace has earlier runs' tags
    for n in range(200):
        t = time.perf_counter()
        with ws.transaction() as s:
            create_asset(
                s,
                project_id=project_id,
                values={
                    "tag": f"BIG-{first + n}",
                    "category": "monitor",
                    "serial": f"NEW{first + n}",
                    "model": "P2422H",
                },
                actor="bench",
            )
        creates.append(time.perf_counter() - t)
    print(f"single save, edit (validate + journal + index + commit): median {statistics.median(saves) * 1000:.2f} ms, "
          f"p95 {pct(saves, 0.95) * 1000:.2f} ms  (target < 5 ms)")  # fmt: skip
    print(f"single save, new asset: median {statistics.median(creates) * 1000:.2f} ms, "
          f"p95 {pct(creates, 0.95) * 1000:.2f} ms  (target < 5 ms)")  # fmt: skip

    queries = [
        "dell",
        "BIG-0500",
        "10.1.2",
        "amelie",
        "thinkpad 5",
        "SN12",
        "ws-0999",
        "room 7",
        "catalyst",
        "o'connor",
    ]
    with ws.session() as s:  # the middle of a real serial: found only by searching inside identifiers
        serial = s.scalars(select(Asset.serial).where(Asset.id == rng.choice(ids))).one()
    infix = serial[4:10]
    queries.append(infix)
    searches: list[float] = []
    hits: list[int] = []
    with ws.session() as s:
        for _ in range(10):
            for q in queries:
                t = time.perf_counter()
                flt = AssetFilter(project_id=project_id, text=q)
                page = query_page(s, flt, limit=200)  # as the app reads it: few hits bring their total along
                rows = page.rows
                total = page.total if page.total is not None else count_assets(s, flt)
                searches.append(time.perf_counter() - t)
                hits.append(total)
                assert total >= len(rows)
    with ws.session() as s:
        infix_found = any(row.serial == serial for row in query_page(s, AssetFilter(text=infix)).rows)
    infix_times = searches[len(queries) - 1 :: len(queries)]
    print(f"infix serial search {infix!r} (middle of {serial}): found {infix_found}, "
          f"median {statistics.median(infix_times) * 1000:.2f} ms")  # fmt: skip
    print("full-text search (first page of 200 rows + total count): "
          f"median {statistics.median(searches) * 1000:.2f} ms, "
          f"p95 {pct(searches, 0.95) * 1000:.2f} ms over {len(searches)} searches  (target < 20 ms)")  # fmt: skip
    ws.close()
    if not args.keep:
        print(f"(workspace left in {home}; delete it when done)")


if __name__ == "__main__":
    main()
