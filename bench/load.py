"""Load test of the sync server scaled out: 200 simulated technicians (locust, headless, bounded) against two
`closeout-server serve` instances on one PostgreSQL database and one S3 bucket (moto's server), all on 127.0.0.1.

    .venv/bin/python bench/load.py [--users 200] [--seconds 60] [--instances 2] [--workers 1]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Prints requests/s, p50/p95/p99 per route and the errors. Target: no errors, push and pull p95 under 500 ms.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import auth  # noqa: E402
from server.db import make_engine, make_session_factory, upgrade_head  # noqa: E402
from tests.server.cluster_harness import cluster_environment, make_instances  # noqa: E402
from tests.server.s3_harness import new_bucket, s3_environment  # noqa: E402
from tests.server.server_harness import free_port  # noqa: E402

TECHNICIANS = 20  # accounts, each with a client of its own and users/TECHNICIANS devices
ASSETS_PER_DEVICE = 20
PASSWORD = "load-password-1"


def fresh_database(pg_url: str, name: str) -> str:
    dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    return pg_url.rsplit("/", 1)[0] + f"/{name}"


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(url, timeout=1)
            return process, url
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("moto's S3 server did not start")


def seed(db_url: str, tmp: Path, users: int) -> tuple[list[str], list[list[str]]]:
    """TECHNICIANS technician accounts, each granted a client of its own (a project and ASSETS_PER_DEVICE assets
    per device of that technician), written straight into the server's tables; the assets of each device."""
    from sqlalchemy import insert

    from app.assets import create_asset
    from app.db import open_workspace
    from app.journal import snapshot
    from app.projects import create_client, create_project
    from models.base import utcnow
    from models.ids import new_id
    from server.models import Record, Space

    template = open_workspace(tmp / "template")
    with template.transaction() as s:
        client = create_client(s, code="LOAD", name="Load Ltd", tag_prefix="L-", tag_digits=6, actor="load")
        project = create_project(s, client_id=client.id, code="LOAD-1", name="Load", actor="load")
        asset = create_asset(s, project_id=project.id, values={"asset_tag": "L-000000"}, actor="load").asset
        client_data, project_data, asset_data = snapshot(client), snapshot(project), snapshot(asset)
    template.close()
    names = [f"tech{n:02d}" for n in range(TECHNICIANS)]
    shares: list[list[str]] = [[] for _ in range(users)]
    now, meta = utcnow(), [1, "load", "load", ""]

    def row(entity: str, space: str, record_id: str, version: int, data: dict[str, object], project_id: str | None
            ) -> dict[str, object]:  # fmt: skip
        return {
            "id": record_id, "entity": entity, "space_id": space, "project_id": project_id, "version": version,
            "data": data, "field_meta": dict.fromkeys(data, meta), "tag": data.get("asset_tag"),
            "created_at": now, "updated_at": now, "deleted_at": None,
        }  # fmt: skip

    engine = make_engine(db_url)
    upgrade_head(engine)
    with make_session_factory(engine)() as session, session.begin():
        for n, name in enumerate(names):
            user = auth.create_user(session, name=name, role="technician", password=PASSWORD)
            client_id, project_id = new_id(), new_id()
            auth.grant(session, user, scope_kind="client", scope_id=client_id)
            rows = [
                row("client", client_id, client_id, 1, dict(client_data, id=client_id, code=f"C{n:02d}"), None),
                row("project", client_id, project_id, 2,
                    dict(project_data, id=project_id, client_id=client_id, code=f"C{n:02d}-1"), project_id),
            ]  # fmt: skip
            devices = range(n, users, TECHNICIANS)  # locust device k uses account k % TECHNICIANS
            for device in devices:
                for k in range(ASSETS_PER_DEVICE):
                    asset_id = new_id()
                    shares[device].append(asset_id)
                    data = dict(asset_data, id=asset_id, client_id=client_id, project_id=project_id,
                                asset_tag=f"L-{device:03d}{k:03d}", hostname=f"host-{device}-{k}")  # fmt: skip
                    rows.append(row("asset", client_id, asset_id, len(rows) + 1, data, project_id))
            session.execute(insert(Record), rows)
            session.add(Space(id=client_id, version=len(rows)))
    engine.dispose()
    return names, shares


def percentile(times: dict[str, int], q: float) -> float:
    """The q-quantile of locust's response-time histogram (milliseconds, rounded as locust keeps them)."""
    ordered = sorted((float(ms), count) for ms, count in times.items())
    total = sum(count for _ms, count in ordered)
    seen = 0
    for ms, count in ordered:
        seen += count
        if seen >= q * total:
            return ms
    return ordered[-1][0] if ordered else 0.0


def report(stats_file: Path, seconds: float) -> bool:
    """The per-route table from locust's final statistics; whether the target was met."""
    entries = json.loads(stats_file.read_text(encoding="utf-8"))
    print(f"{'route':<18}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    met = True
    everything: dict[str, int] = {}
    for entry in sorted(entries, key=lambda e: e["name"]):
        times = {str(ms): int(n) for ms, n in entry["response_times"].items()}
        for ms, n in times.items():
            everything[ms] = everything.get(ms, 0) + n
        p95 = percentile(times, 0.95)
        p50, p99 = percentile(times, 0.5), percentile(times, 0.99)
        print(f"{entry['name']:<18}{entry['num_requests']:>10}{entry['num_requests'] / seconds:>9.1f}"
              f"{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}{entry['num_failures']:>8}")  # fmt: skip
        if entry["num_failures"] or (entry["name"] in ("push", "pull") and p95 >= 500):
            met = False
    requests_total = sum(e["num_requests"] for e in entries)
    errors = sum(e["num_failures"] for e in entries)
    print(f"{'all':<18}{requests_total:>10}{requests_total / seconds:>9.1f}{percentile(everything, 0.5):>9.0f}"
          f"{percentile(everything, 0.95):>9.0f}{percentile(everything, 0.99):>9.0f}{errors:>8}")  # fmt: skip
    print("target met: no errors, push/pull p95 < 500 ms" if met else "target NOT met")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="worker processes per instance")
    parser.add_argument("--think", type=float, nargs=2, default=[3.0, 7.0], metavar=("MIN", "MAX"),
                        help="seconds a technician waits between actions (default 3 7)")  # fmt: skip
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if "127.0.0.1" not in args.pg and "localhost" not in args.pg:
        raise SystemExit("the load test runs on loopback only")
    with tempfile.TemporaryDirectory(prefix="closeout-load-") as tmp_name:
        tmp = Path(tmp_name)
        db_url = fresh_database(args.pg, "closeout_load")
        moto, s3_url = start_moto()
        instances = []
        try:
            names, shares = seed(db_url, tmp, args.users)
            # Connections: instances x workers x 40 stays under PostgreSQL's default 100 for 2 x 1.
            per_process = max(8, 80 // (args.instances * args.workers))
            env = cluster_environment(db_url, s3_environment(s3_url, new_bucket(s3_url)), db_pool_size="8",
                                      db_max_overflow=str(per_process - 8))  # fmt: skip
            instances = make_instances(args.instances, tmp / "servers", env, workers=args.workers)
            for instance in instances:
                instance.start()
            tokens = [
                requests.post(f"{instances[0].url}/api/auth/login", timeout=30,
                              json={"username": name, "password": PASSWORD}).json()["token"]
                for name in names
            ]  # fmt: skip
            plan = tmp / "plan.json"
            plan.write_text(
                json.dumps(
                    {"instances": [i.url for i in instances], "tokens": tokens, "assets": shares, "think": args.think}
                )
            )
            stats = tmp / "locust.json"
            print(f"{args.users} technicians acting every {args.think[0]:g}-{args.think[1]:g} s, {args.instances} "
                  f"instances x {args.workers} worker(s), {args.seconds} s")  # fmt: skip
            subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load_technician.py"), "--headless",
                 "--users", str(args.users), "--spawn-rate", "20", "--run-time", f"{args.seconds}s",
                 "--stop-timeout", "10", "--json-file", str(stats.with_suffix("")), "--loglevel", "WARNING",
                 "--csv", str(tmp / "locust")],
                env={**env, "CLOSEOUT_LOAD_PLAN": str(plan)}, cwd=ROOT, check=False, timeout=args.seconds + 120,
                stdout=subprocess.DEVNULL, stderr=(tmp / "locust.log").open("wb"),
            )  # fmt: skip
            if not stats.exists():
                raise SystemExit(f"locust wrote no statistics: {(tmp / 'locust.log').read_text()[-2000:]}")
            met = report(stats, args.seconds)
            for instance in instances:
                errors = [line for line in instance.log_tail(400).splitlines() if "Error" in line]
                for line in errors[-3:]:
                    print(f"  {instance.name}: {line[:200]}")
            failures = tmp / "locust_failures.csv"
            for line in failures.read_text(encoding="utf-8").splitlines()[1:6] if failures.exists() else []:
                print(f"  error: {line[:200]}")
        finally:
            for instance in instances:
                instance.kill()
            moto.kill()
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
