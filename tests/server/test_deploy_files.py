"""The deployment files agree with the server (no Docker engine here): compose's settings are real settings, its
variables are in example.env, and the commands of compose, the Dockerfile and the systemd unit parse."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

from server.cli import build_parser
from server.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_compose_file_names_real_settings_defined_variables_and_valid_commands() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    compose = yaml.safe_load(text)
    services = compose["services"]
    assert set(services) == {"postgres", "minio", "migrate", "server"}
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services), name
        assert {v.split(":")[0] for v in service.get("volumes", [])} <= set(compose["volumes"]), name
    for name in ("migrate", "server"):
        env = services[name]["environment"]
        assert {key.removeprefix("CLOSEOUT_SERVER_").lower() for key in env} <= set(Settings.model_fields)
        assert env["CLOSEOUT_SERVER_STORAGE"] == "s3"
        build_parser().parse_args(services[name]["command"])
    assert services["server"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["upgrade"]
    example = (DEPLOY / "example.env").read_text(encoding="utf-8")
    defined = {line.split("=")[0] for line in example.splitlines() if "=" in line and not line.startswith("#")}
    assert set(re.findall(r"\$\{(\w+)", text)) == defined


def test_the_dockerfile_and_the_systemd_unit_run_commands_the_server_accepts() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    (cmd,) = re.findall(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert re.search(r'^ENTRYPOINT \["closeout-server"\]$', dockerfile, re.MULTILINE)
    build_parser().parse_args(json.loads(cmd))
    unit = (DEPLOY / "closeout-server.service").read_text(encoding="utf-8")
    (exec_start,) = re.findall(r"^ExecStart=(.*)$", unit, re.MULTILINE)
    args = shlex.split(exec_start)
    assert args[0].endswith("/closeout-server")
    parsed = build_parser().parse_args(args[1:])
    assert (parsed.command, parsed.host, parsed.workers) == ("serve", "127.0.0.1", 2)
    (stop,) = re.findall(r"^TimeoutStopSec=(\d+)$", unit, re.MULTILINE)
    assert int(stop) > parsed.graceful_seconds  # systemd waits for the running requests to finish
