"""Excel at the size of a large client: export of 100,000 assets (targets: under 30 s, under 300 MB), import of
the 100,000-row workbook with 1,000 edited rows (target: under 60 s), and a client's 100,000-row list, all new
(targets: under 15 s in total, the preview under 5 s), with the read time of calamine (the import's reader) beside
openpyxl's for the same file. Each phase runs in a fresh process so that its peak memory (max RSS) is its own.
CPU seconds are printed beside wall seconds: the machine may be shared.

Run: .venv/bin/python bench/excel.py [--assets 100000] [--home DIR] [--reuse] [--client-list-only]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import open_workspace

EDITED_ROWS = 1000


def build(home: Path, assets: int, one_by_one: bool = False) -> float:
    """The demo client and project, then `assets` assets through the tagging services, all in one transaction.

    By default the extra assets go through `app.bulk.create_assets_bulk` (the same checks and journal as
    `create_asset`, written in batches); `one_by_one` calls `create_asset` for each, as a technician would.
    """
    from app.assets import create_asset
    from app.bulk import create_assets_bulk
    from app.demo import seed_demo
    from app.importing.refs import NameIndex

    ws = open_workspace(home)
    t0 = time.perf_counter()
    with ws.transaction() as session:
        project = seed_demo(session, assets=min(assets, 300))
        refs = NameIndex(session, project.client_id)  # keeps sites and locations in the identity map
        rooms = list(refs.locations.values())
        kinds = [("workstation", {"custom.cpu": "Core i5-13500", "custom.ram_gb": 16, "custom.disk_encrypted": True}),
                 ("monitor", {"custom.size_in": 27}), ("phone", {"custom.extension": "2001"}),
                 ("laptop", {"custom.ram_gb": 16, "custom.disk_encrypted": True})]  # fmt: skip
        rows = []
        for n in range(301, assets + 1):
            code, custom = kinds[n % len(kinds)]
            rows.append(
                {
                    "asset_tag": f"NWD-{n:06d}" if n > 99999 else f"NWD-{n:05d}",
                    "category": code,
                    "manufacturer": "Dell",
                    "model": "OptiPlex 7010",
                    "serial": f"BX{n:08d}",
                    "hostname": f"nwd-{code[:3]}-{n:06d}",
                    "ip_address": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                    "location": rooms[n % len(rooms)].id,
                    "assigned_user": f"User {n % 977}",
                    "purchase_date": "2024-03-01",
                    **custom,
                }
            )
        if one_by_one:
            for n, values in enumerate(rows, start=1):
                create_asset(session, project_id=project.id, values=values, actor="bench", allow_incomplete=True)
                if n % 10000 == 0:
                    print(f"  … {n:,} assets ({time.perf_counter() - t0:.0f} s)", flush=True)
        else:
            create_assets_bulk(session, project_id=project.id, rows=rows, actor="bench", strict=True)
        del refs
    ws.close()
    return time.perf_counter() - t0


def phase_export(home: Path, out: Path) -> dict[str, float]:
    from exporters.xlsx_export import export_inventory

    ws = open_workspace(home)
    t0 = time.perf_counter()
    calls = 0

    def progress(done: int, total: int, text: str) -> None:
        nonlocal calls
        calls += 1

    with ws.session() as session:
        report = export_inventory(session, out, progress=progress)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "assets": report.assets, "progress_calls": calls, "bytes": out.stat().st_size}


def phase_edit(source: Path, out: Path) -> dict[str, float]:
    """The Assets sheet copied with the model changed on EDITED_ROWS rows, as a manager would in a spreadsheet."""
    from openpyxl import Workbook, load_workbook

    t0 = time.perf_counter()
    book = load_workbook(source, read_only=True)
    target = Workbook(write_only=True)
    sheet = target.create_sheet("Assets")
    step = 0
    for index, row in enumerate(book["Assets"].iter_rows(values_only=True)):
        values = list(row)
        if index == 0:
            model = values.index("Model")
        elif index % 97 == 0 and step < EDITED_ROWS:
            values[model] = f"Edited model {index}"
            step += 1
        sheet.append(values)
    book.close()
    target.save(out)
    return {"seconds": time.perf_counter() - t0, "edited": step}


def phase_import(home: Path, path: Path) -> dict[str, float]:
    from app.importing import RowStatus, apply_import, preview_import
    from app.importing.mapping import suggest_for
    from app.projects import find_project
    from exporters.sheet_reader import read_sheet

    ws = open_workspace(home)
    c0, t0 = time.process_time(), time.perf_counter()
    data = read_sheet(path)
    t1 = time.perf_counter()
    with ws.session() as session:
        project = find_project(session, "NWD-ONB")
        preview = preview_import(session, project.id, data.headers, data.rows, suggest_for(session, data.headers))
    t2 = time.perf_counter()
    with ws.transaction() as session:
        result = apply_import(session, preview, actor="bench")
    t3 = time.perf_counter()
    ws.close()  # waits for the WAL to be copied into the database file, which the user does not wait for
    t4 = time.perf_counter()
    return {
        "read": t1 - t0, "preview": t2 - t1, "apply": t3 - t2, "seconds": t3 - t0, "rows": len(data.rows),
        "checkpoint": t4 - t3,
        "cpu": time.process_time() - c0, "updated": result.updated, "created": result.created,
        "unchanged": preview.count(RowStatus.UNCHANGED), "rejected": len(preview.rejected),
    }  # fmt: skip


def phase_read(path: Path) -> dict[str, float]:
    """The same workbook read by calamine (what the import uses) and by openpyxl in read-only mode."""
    from openpyxl import load_workbook

    from exporters.sheet_reader import read_sheet

    t0 = time.perf_counter()
    rows = len(read_sheet(path).rows)
    t1 = time.perf_counter()
    book = load_workbook(path, read_only=True)
    sheet = book[book.sheetnames[0]]
    cells = sum(len(row) for row in sheet.iter_rows(values_only=True))
    book.close()
    t2 = time.perf_counter()
    return {"calamine": t1 - t0, "openpyxl": t2 - t1, "rows": rows, "cells": cells}


def phase_new(home: Path, path: Path, rows: Path) -> dict[str, float]:
    """A client's 100,000-row list into a project that has none of those assets yet: all rows are new."""
    from openpyxl import Workbook

    from app.demo import seed_demo

    count = int(rows.name)
    ws = open_workspace(home)
    with ws.transaction() as session:
        seed_demo(session)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Hardware")
    sheet.append(["Northwind hardware list"])
    sheet.append(["Tag #", "S/N", "Make", "Model", "Computer Name", "IP", "Type", "Purchased", "Site", "User"])
    for n in range(1000, 1000 + count):
        ip = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        sheet.append([f"NWD-{n:06d}", f"CL{n:09d}", "Lenovo", "ThinkPad T14", f"cl-{n:06d}", ip, "Laptop",
                      "14/02/2024", "Main Clinic", f"User {n % 500}"])  # fmt: skip
    book.save(path)
    ws.close()
    return phase_import(home, path)


def _child(phase: str, *args: str) -> dict[str, float]:
    """Run one phase in a fresh interpreter; returns its figures plus its peak memory."""
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--home", type=Path, help="workspace folder (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="reuse the workspace already built in --home")
    parser.add_argument("--one-by-one", action="store_true", help="build with create_asset per asset (slow)")
    parser.add_argument("--client-list-only", action="store_true", help="only the client's all-new list")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phases = {
            "export": phase_export,
            "edit": phase_edit,
            "import": phase_import,
            "new": phase_new,
            "read": phase_read,
        }
        figures = phases[args.phase](*[Path(p) for p in args.paths])
        figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return 0
    home = args.home or Path(tempfile.mkdtemp(prefix="closeout-bench-")) / "ws"
    work = home.parent
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; CPU reference {cpu_reference():.2f} s "
          "(20 million Python additions)", flush=True)  # fmt: skip
    if args.client_list_only:
        return client_list(work, args.assets)
    if not args.reuse:
        print(f"Building {args.assets:,} assets through the services in one transaction …", flush=True)
        how = "create_asset one by one" if args.one_by_one else "create_assets_bulk"
        print(f"built with {how} in {build(home, args.assets, args.one_by_one):.1f} s ({home})", flush=True)
    book, edited = work / "inventory.xlsx", work / "inventory-edited.xlsx"
    e = _child("export", str(home), str(book))
    print(f"export: {e['assets']:,.0f} assets in {e['seconds']:.1f} s (target < 30 s), peak memory "
          f"{e['max_rss_mb']:.0f} MB max RSS (target < 300 MB), {e['bytes'] / 1e6:.1f} MB file, "
          f"{e['progress_calls']:.0f} progress reports", flush=True)  # fmt: skip
    m = _child("edit", str(book), str(edited))
    print(f"(edited {m['edited']:.0f} rows of the Assets sheet in {m['seconds']:.1f} s)", flush=True)
    i = _child("import", str(home), str(edited))
    print(f"import: {i['rows']:,.0f} rows in {i['seconds']:.1f} s (target < 60 s): read {i['read']:.1f} s, "
          f"preview {i['preview']:.1f} s, write {i['apply']:.1f} s; {i['updated']:.0f} updated, "
          f"{i['unchanged']:,.0f} unchanged, {i['rejected']:.0f} rejected; "
          f"peak {i['max_rss_mb']:.0f} MB max RSS")  # fmt: skip
    return client_list(work, args.assets)


def cpu_reference() -> float:
    """Seconds for a fixed pure-Python loop (20 million additions): the speed of this machine's cores, printed so
    that runs on different machines can be compared (0.9 to 1.0 s on the machine of 2026-12-01's second session)."""
    t0 = time.perf_counter()
    total = 0
    for number in range(20_000_000):
        total += number
    return time.perf_counter() - t0


def client_list(work: Path, rows: int) -> int:
    """A client's list of `rows` new assets: imported (read, preview, write), then read again by both readers."""
    book = work / "client-list.xlsx"
    n = _child("new", str(work / "fresh"), str(book), str(rows))
    print(f"import of a client's list: {n['rows']:,.0f} new rows in {n['seconds']:.1f} s (target < 15 s; "
          f"{n['cpu']:.1f} CPU s): read {n['read']:.1f} s, preview {n['preview']:.1f} s (target < 5 s), "
          f"write {n['apply']:.1f} s (then {n['checkpoint']:.1f} s copying it into the database file in the "
          f"background); {n['created']:,.0f} created, {n['rejected']:.0f} rejected; "
          f"peak {n['max_rss_mb']:.0f} MB max RSS")  # fmt: skip
    r = _child("read", str(book))
    print(f"read of that workbook ({r['rows']:,.0f} rows): calamine {r['calamine']:.2f} s (with header detection), "
          f"openpyxl read-only {r['openpyxl']:.2f} s ({r['openpyxl'] / r['calamine']:.1f}x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
