"""Helpers of the hostile-input and tenant-reference tests: sign in, push raw mutations, read what the server kept."""

from __future__ import annotations

import json
from typing import Any

import requests

from models.base import utcnow
from models.wire import SYNC_SESSION_HEADER
from tests.server.server_harness import LiveServer

RUN = {SYNC_SESSION_HEADER: "run-0123456789"}


def login(server: LiveServer, user: str, password: str = "password-123") -> str:
    response = requests.post(f"{server.url}/api/auth/login", json={"username": user, "password": password}, timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def call(server: LiveServer, token: str, method: str, path: str, body: Any = None) -> requests.Response:
    """`body` as JSON text when a str (so NaN and huge integers go out as written), else encoded here."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **RUN}
    data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
    return requests.request(method, server.url + path, data=data, headers=headers, timeout=30)


def mutation(n: int, entity: str, entity_id: str, op: str, fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "mutation_id": n, "prev_id": n - 1, "entity": entity, "entity_id": entity_id, "op": op, "base_version": 0,
        "at": utcnow().isoformat(), "fields": fields, **extra,
    }  # fmt: skip


def attachment_fields(sha256: str, owner_id: str) -> dict[str, Any]:
    return {
        "sha256": sha256, "owner_entity": "asset", "owner_id": owner_id, "kind": "photo", "filename": "x.jpg",
        "mime_type": "image/jpeg", "size": 11, "caption": "",
    }  # fmt: skip
