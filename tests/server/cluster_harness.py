"""Several `closeout-server serve` processes on one PostgreSQL database and one bucket, each on its own loopback
port: started, killed (SIGKILL) or stopped (SIGTERM, graceful) and started again by tests and the load test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.server.server_harness import SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Instance:
    """One server process; its port stays the same across restarts (a load balancer's fixed backend)."""

    name: str
    data_dir: Path
    env: dict[str, str]
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, *, wait: float = 60.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = (self.data_dir / "server.log").open("ab")
        command = [
            sys.executable, "-m", "server.cli", "--data-dir", str(self.data_dir), "serve", "--host", "127.0.0.1",
            "--port", str(self.port), "--log-level", "warning", "--workers", str(self.workers),
        ]  # fmt: skip
        # A session of its own: a kill reaches its worker processes too.
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
        log.close()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start: {self.log_tail()}")
            try:
                if requests.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} was not ready within {wait:g} s: {self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: the process dies in the middle of whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> int:
        """SIGTERM: running requests finish, then the process exits; its exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process is not None else 0
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)

    def log_tail(self, lines: int = 20) -> str:
        path = self.data_dir / "server.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def cluster_environment(database_url: str, storage: dict[str, str], **more: str) -> dict[str, str]:
    """The environment of every instance: one database, one storage, one secret (tokens work on any instance)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLOSEOUT_SERVER_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update({
        "PYTHONPATH": str(ROOT), "CLOSEOUT_SERVER_SECRET_KEY": SECRET, "CLOSEOUT_SERVER_DATABASE_URL": database_url,
        **storage, **{f"CLOSEOUT_SERVER_{key.upper()}": value for key, value in more.items()},
    })  # fmt: skip
    return env


def make_instances(count: int, root: Path, env: dict[str, str], *, workers: int = 1) -> list[Instance]:
    return [Instance(f"instance-{i}", root / f"instance-{i}", env, workers) for i in range(count)]
