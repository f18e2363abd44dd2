"""Benchmark of sync against PostgreSQL on loopback (run by hand; prints figures).

    .venv/bin/python bench/sync.py [--assets 100000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Prints: initial pull of N assets into an empty client (target < 20 s), a no-op sync (target < 100 ms),
pushing 10,000 offline edits (target < 10 s), and 50 concurrent clients each pushing 200 edits (none lost; p95).
Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import requests
from sqlalchemy import func, insert, select

from app.assets import create_asset, update_asset
from app.db import open_workspace
from app.journal import snapshot
from app.projects import create_client, create_project
from app.sync import engine as sync_engine
from models import Asset
from models.base import utcnow
from models.ids import new_id
from models.wire import SYNC_SESSION_HEADER
from server import auth
from server.db import make_engine, make_session_factory, upgrade_head
from server.models import Record, Space

PASSWORD = "bench-password-1"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fresh_database(pg_url: str, name: str) -> str:
    dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    return pg_url.rsplit("/", 1)[0] + f"/{name}"


def seed_server(url: str, tmp: Path, assets: int) -> tuple[str, list[str]]:
    """A client, a project and `assets` assets written straight into the server's tables."""
    template_ws = open_workspace(tmp / "template")
    with template_ws.transaction() as s:
        client = create_client(s, code="BENCH", name="Bench Ltd", tag_prefix="B-", tag_digits=6, actor="bench")
        project = create_project(s, client_id=client.id, code="BENCH-1", name="Bench", actor="bench")
        asset = create_asset(s, project_id=project.id, values={"asset_tag": "B-000000"}, actor="bench").asset
        client_data, project_data, asset_data = snapshot(client), snapshot(project), snapshot(asset)
        client_id, project_id = client.id, project.id
    template_ws.close()
    engine = make_engine(url)
    upgrade_head(engine)
    now = utcnow()
    ids: list[str] = []
    meta = [1, "bench", "bench", ""]

    def row(entity: str, record_id: str, version: int, data: dict[str, Any], project: str | None) -> dict[str, Any]:
        fields = dict.fromkeys(data, meta)
        return {
            "id": record_id, "entity": entity, "space_id": client_id, "project_id": project, "version": version,
            "data": data, "field_meta": fields, "tag": data.get("asset_tag"), "created_at": now, "updated_at": now,
            "deleted_at": None,
        }  # fmt: skip

    with make_session_factory(engine)() as session, session.begin():
        auth.create_user(session, name="bench", role="admin", password=PASSWORD)
        session.execute(
            insert(Record),
            [row("client", client_id, 1, client_data, None), row("project", project_id, 2, project_data, project_id)],
        )
        batch: list[dict[str, Any]] = []
        for n in range(assets):
            asset_id = new_id()
            ids.append(asset_id)
            data = dict(asset_data, asset_tag=f"B-{n + 1:06d}", serial=f"SN{n:07d}", hostname=f"host-{n}")
            batch.append(row("asset", asset_id, n + 3, data, project_id))
            if len(batch) == 5000:
                session.execute(insert(Record), batch)
                batch.clear()
        if batch:
            session.execute(insert(Record), batch)
        session.add(Space(id=client_id, version=assets + 2))
    engine.dispose()
    return client_id, ids


def start_server(url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, CLOSEOUT_SERVER_DATABASE_URL=url, CLOSEOUT_SERVER_SECRET_KEY="bench-secret-0123456789abcdef")
    command = [sys.executable, "-m", "server.cli", "--data-dir", str(data_dir), "serve", "--port", str(port)]
    process = subprocess.Popen([*command, "--log-level", "warning"], env=env)
    for _ in range(200):
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def concurrent_pushes(base: str, asset_ids: list[str], clients: int, edits: int, batch: int) -> list[float]:
    token = requests.post(
        f"{base}/api/auth/login", json={"username": "bench", "password": PASSWORD}, timeout=30
    ).json()["token"]
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def client(index: int) -> None:
        device = new_id()
        mine = asset_ids[index * edits : (index + 1) * edits]
        headers = {"Authorization": f"Bearer {token}", SYNC_SESSION_HEADER: f"bench-run-{index:04d}"}
        with requests.Session() as http:
            for start in range(0, edits, batch):
                mutations = [
                    {
                        "mutation_id": start + k + 1,
                        "prev_id": start + k,
                        "entity": "asset",
                        "entity_id": asset_id,
                        "op": "update",
                        "base_version": 0,
                        "at": utcnow().isoformat(),
                        "actor": f"client{index}",
                        "fields": {"assigned_user": f"c{index}-e{start + k}"},
                    }
                    for k, asset_id in enumerate(mine[start : start + batch])
                ]
                began = time.perf_counter()
                response = http.post(
                    f"{base}/api/sync/push", json={"device_id": device, "mutations": mutations}, headers=headers,
                    timeout=120,
                )  # fmt: skip
                with lock:
                    latencies.append(time.perf_counter() - began)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.text[:100]}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"  errors: {len(errors)} e.g. {errors[0]}")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument(
        "--pg", default=os.environ.get("CLOSEOUT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="closeout-sync-bench-"))
    # Other work on a shared machine slows every figure: say how busy it was.
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    url = fresh_database(args.pg, "closeout_sync_bench")
    began = time.perf_counter()
    _client_id, asset_ids = seed_server(url, tmp, args.assets)
    print(f"seeded {args.assets:,} assets on the server in {time.perf_counter() - began:.1f} s")
    server = start_server(url, tmp / "server", args.port)
    base = f"http://127.0.0.1:{args.port}"
    try:
        ws = open_workspace(tmp / "client")
        sync_engine.login(ws, base, "bench", PASSWORD)
        engine = sync_engine.connect(ws)
        began, cpu = time.perf_counter(), time.process_time()
        report = engine.sync(verify=False)
        pull_s, pull_cpu = time.perf_counter() - began, time.process_time() - cpu
        with ws.session() as s:
            local = s.scalar(select(func.count()).select_from(Asset))
        print(
            f"initial pull of {report.pulled:,} rows ({local:,} assets): {pull_s:.1f} s (target < 20 s; "
            f"client CPU {pull_cpu:.1f} s)"
        )
        checks = []
        for _ in range(3):
            began = time.perf_counter()
            checked = engine.sync(verify=True)
            checks.append(time.perf_counter() - began)
            assert checked.verified >= 1 and not checked.repaired, checked
        print(
            f"sync with the sanity check (count + digest of every space, both sides; first sync of a device, "
            f"then daily): median {statistics.median(checks):.2f} s"
        )
        noop = []
        for _ in range(7):
            began = time.perf_counter()
            engine.sync()
            noop.append((time.perf_counter() - began) * 1000)
        print(f"no-op sync: median {statistics.median(noop):.0f} ms, max {max(noop):.0f} ms (target < 100 ms)")
        edits = min(10_000, args.assets)
        began = time.perf_counter()
        with ws.transaction() as s:
            for n, asset_id in enumerate(asset_ids[:edits]):
                update_asset(s, asset_id, {"notes": f"checked {n}"}, actor="bench")
        print(f"  (made {edits:,} offline edits locally in {time.perf_counter() - began:.1f} s)")
        push_report = sync_engine.SyncReport()
        engine.transport.run_id = "bench-push-run-01"
        began = time.perf_counter()
        engine.push(push_report)
        push_s = time.perf_counter() - began
        engine.transport.done(ws.device_id)
        print(f"push of {push_report.pushed:,} offline edits: {push_s:.1f} s (target < 10 s)")
        began = time.perf_counter()
        engine.sync()
        print(f"  (then the pull that brings them back: {time.perf_counter() - began:.1f} s)")
        engine.transport.close()
        ws.close()
        clients, per_client = 50, 200
        if args.assets >= clients * per_client:
            began = time.perf_counter()
            latencies = concurrent_pushes(base, asset_ids, clients, per_client, batch=20)
            wall = time.perf_counter() - began
            engine_db = make_engine(url)
            with engine_db.connect() as con:
                rows = con.execute(select(Record.data).where(Record.entity == "asset")).scalars()
                applied = sum(1 for data in rows if str(data.get("assigned_user", "")).startswith("c"))
            engine_db.dispose()
            print(
                f"{clients} concurrent clients x {per_client} edits: {applied:,}/{clients * per_client:,} applied "
                f"(lost {clients * per_client - applied}), {len(latencies)} requests in {wall:.1f} s, "
                f"request latency median {statistics.median(latencies) * 1000:.0f} ms, "
                f"p95 {pct(latencies, 0.95) * 1000:.0f} ms"
            )
    finally:
        server.terminate()
        server.wait(10)
        dsn = args.pg.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as con:
            con.execute('DROP DATABASE IF EXISTS "closeout_sync_bench" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)  # a 100,000-asset workspace is a quarter of a gigabyte


if __name__ == "__main__":
    main()
