"""Load test of the sync server scaled out: 200 simulated technicians (locust, headless, bounded) against two
`closeout-server serve` instances on one PostgreSQL database and one S3 bucket (moto's server), all on 127.0.0.1.

    .venv/bin/python bench/load.py [--users 200] [--seconds 60] [--instances 2] [--workers 1]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Prints requests/s, p50/p95/p99 per route and the errors. Target: no errors, push and pull p95 under 500 ms.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import auth  # noqa: E402
from server.db import make_engine, make_session_factory  # noqa: E402
from server.models import User  # noqa: E402
from tests.server.cluster_harness import cluster_environment, make_instances  # noqa: E402
from tests.server.s3_harness import new_bucket, s3_environment  # noqa: E402
from tests.server.server_harness import free_port  # noqa: E402

TECHNICIANS = 20  # accounts; each has users/TECHNICIANS devices
ASSETS_PER_DEVICE = 20


def _bench_sync() -> object:
    """bench/sync.py, for its seeding of a client with assets straight into the server's tables."""
    spec = importlib.util.spec_from_file_location("bench_sync", ROOT / "bench" / "sync.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    """A client with assets, TECHNICIANS technician accounts granted it; the assets split among the devices."""
    bench_sync = _bench_sync()
    client_id, asset_ids = bench_sync.seed_server(db_url, tmp, users * ASSETS_PER_DEVICE)  # type: ignore[attr-defined]
    names = [f"tech{n:02d}" for n in range(TECHNICIANS)]
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session, session.begin():
        for name in names:
            auth.create_user(session, name=name, role="technician", password=bench_sync.PASSWORD)  # type: ignore[attr-defined]
            session.flush()
        for user in session.query(User).filter(User.name.in_(names)):
            auth.grant(session, user, scope_kind="client", scope_id=client_id)
    engine.dispose()
    shares = [asset_ids[i * ASSETS_PER_DEVICE : (i + 1) * ASSETS_PER_DEVICE] for i in range(users)]
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
        print(f"{entry['name']:<18}{entry['num_requests']:>10}{entry['num_requests'] / seconds:>9.1f}"
              f"{percentile(times, 0.5):>9.0f}{p95:>9.0f}{percentile(times, 0.99):>9.0f}{entry['num_failures']:>8}")  # fmt: skip
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
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if "127.0.0.1" not in args.pg and "localhost" not in args.pg:
        raise SystemExit("the load test runs on loopback only")
    bench_sync = _bench_sync()
    with tempfile.TemporaryDirectory(prefix="closeout-load-") as tmp_name:
        tmp = Path(tmp_name)
        db_url = bench_sync.fresh_database(args.pg, "closeout_load")  # type: ignore[attr-defined]
        moto, s3_url = start_moto()
        instances = []
        try:
            names, shares = seed(db_url, tmp, args.users)
            env = cluster_environment(db_url, s3_environment(s3_url, new_bucket(s3_url)))
            instances = make_instances(args.instances, tmp / "servers", env, workers=args.workers)
            for instance in instances:
                instance.start()
            tokens = [
                requests.post(f"{instances[0].url}/api/auth/login", timeout=30,
                              json={"username": name, "password": bench_sync.PASSWORD}).json()["token"]  # type: ignore[attr-defined]
                for name in names
            ]  # fmt: skip
            plan = tmp / "plan.json"
            plan.write_text(json.dumps({"instances": [i.url for i in instances], "tokens": tokens, "assets": shares}))
            stats = tmp / "locust.json"
            print(f"{args.users} technicians, {args.instances} instances x {args.workers} worker(s), {args.seconds} s")
            subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load_technician.py"), "--headless",
                 "--users", str(args.users), "--spawn-rate", "20", "--run-time", f"{args.seconds}s",
                 "--stop-timeout", "10", "--json-file", str(stats.with_suffix("")), "--loglevel", "WARNING"],
                env={**env, "CLOSEOUT_LOAD_PLAN": str(plan)}, cwd=ROOT, check=False, timeout=args.seconds + 120,
                stdout=subprocess.DEVNULL, stderr=(tmp / "locust.log").open("wb"),
            )  # fmt: skip
            if not stats.exists():
                raise SystemExit(f"locust wrote no statistics: {(tmp / 'locust.log').read_text()[-2000:]}")
            met = report(stats, args.seconds)
        finally:
            for instance in instances:
                instance.kill()
            moto.kill()
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
