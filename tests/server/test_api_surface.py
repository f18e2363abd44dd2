"""What the server shows a stranger and how much it takes and keeps: short error answers, a body limit, shortened
refusals, capped unfinished uploads, no hint of others' files, no banner, docs only on request, every answer in the
schema (issue 10, item 6)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import requests
from sqlalchemy import select

from models.ids import new_id
from server.models import RejectedMutationRecord
from tests.server.hostile_kit import call, login, mutation
from tests.server.server_harness import LiveServer, make_settings
from tests.server.test_authorization import PUBLIC

DEVICE = "01a20000-0000-7000-8000-0000000000e1"


def test_a_validation_answer_echoes_only_a_short_part_of_the_input(live_server: LiveServer) -> None:
    answer = requests.post(
        f"{live_server.url}/api/auth/login", json={"username": "x", "password": "p" * 5_000_000}, timeout=30
    )
    assert answer.status_code == 422
    assert len(answer.content) < 2_000
    assert answer.json()["detail"][0]["input"].startswith("ppp")


def test_a_body_over_the_limit_is_refused_with_413_whether_its_length_is_told_or_not(live_server: LiveServer) -> None:
    too_big = b"x" * (live_server.settings.max_request_bytes + 1)
    told = requests.post(f"{live_server.url}/api/auth/login", data=too_big, timeout=30)
    assert told.status_code == 413 and "larger than" in told.json()["detail"]
    streamed = requests.post(
        f"{live_server.url}/api/auth/login", data=(too_big[i : i + 65536] for i in range(0, len(too_big), 65536)),
        timeout=30,
    )  # fmt: skip
    assert streamed.status_code == 413


def test_a_refused_mutation_is_kept_shortened(live_server: LiveServer) -> None:
    live_server.add_user("root", "admin")
    token = login(live_server, "root")
    huge = {"notes": "n" * 1_000_000, **{f"field_{n}": "v" * 1000 for n in range(300)}}
    batch = [mutation(n, "asset", new_id(), "update", huge) for n in range(1, 4)]
    answer = call(live_server, token, "POST", "/api/sync/push", {"device_id": DEVICE, "mutations": batch}).json()
    assert len(answer["rejected"]) == 3
    with live_server.engine.connect() as con:
        kept = [json.dumps(p) for p in con.scalars(select(RejectedMutationRecord.payload))]
    assert len(kept) == 3 and all(len(text) < 40_000 for text in kept)
    assert json.loads(kept[0])["fields_left_out"] == 201


def test_unfinished_uploads_are_capped_per_user(live_server: LiveServer) -> None:
    live_server.add_user("ann", "technician")
    live_server.add_user("ben", "technician")
    live_server.settings.max_unfinished_uploads = 3
    ann, ben = login(live_server, "ann"), login(live_server, "ben")

    def start(token: str, n: int) -> int:
        sha = hashlib.sha256(f"file {n}".encode()).hexdigest()
        url = f"{live_server.url}/api/attachments/{sha}/parts?offset=0&total=6"
        return requests.put(url, data=b"fil", headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code

    assert [start(ann, n) for n in range(4)] == [202, 202, 202, 429]
    assert start(ben, 9) == 202  # another user's uploads are not hers


def test_an_upload_answer_does_not_tell_whether_someone_else_had_the_file(live_server: LiveServer) -> None:
    live_server.add_user("ann", "technician")
    live_server.add_user("ben", "technician")
    data = b"the same photo"
    url = f"{live_server.url}/api/attachments/{hashlib.sha256(data).hexdigest()}"

    def put(user: str) -> tuple[int, bool]:
        answer = requests.put(
            url, data=data, headers={"Authorization": f"Bearer {login(live_server, user)}"}, timeout=10
        )
        return answer.status_code, answer.json()["created"]

    assert put("ben") == (201, True)
    assert put("ann") == (201, True)  # as if nobody had it
    assert put("ann") == (201, False)  # her own upload again


def test_answers_carry_no_server_banner_and_docs_are_off_by_default(live_server: LiveServer) -> None:
    health = requests.get(f"{live_server.url}/api/health", timeout=10)
    assert health.status_code == 200 and "server" not in {name.lower() for name in health.headers}
    for path in ("/docs", "/openapi.json", "/redoc"):
        assert requests.get(live_server.url + path, timeout=10).status_code == 404


def test_docs_are_served_when_the_setting_asks_for_them(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'server.sqlite'}")
    settings.api_docs = True
    server = LiveServer(settings)
    server.start()
    try:
        schema = requests.get(f"{server.url}/openapi.json", timeout=10).json()
        assert schema["info"]["title"] == "Closeout sync server"
        assert requests.get(f"{server.url}/docs", timeout=10).status_code == 200
    finally:
        server.close()


def test_every_error_answer_a_route_gives_is_in_the_schema(live_server: LiveServer) -> None:
    paths = live_server.app.openapi()["paths"]

    def codes(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    assert {"401", "429", "413", "422"} <= codes("/api/auth/login", "post")
    assert {"400", "401", "404", "409", "413", "422"} <= codes("/api/sync/push", "post")
    assert {"400", "401", "404", "409", "410", "413"} <= codes("/api/sync/pull", "post")
    assert {"401", "404", "413", "416", "422", "429"} <= codes("/api/attachments/{sha256}/parts", "put")
    for path, operations in paths.items():
        for method in operations:
            if (method.upper(), path) not in PUBLIC:  # (signing in, the health probes and the metrics)
                assert "401" in codes(path, method), (method, path)
