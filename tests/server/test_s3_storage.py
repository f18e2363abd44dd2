"""Attachments in S3-compatible storage (moto's real server on loopback): whole uploads, resumable uploads as
multipart uploads, the hash check, the purge of abandoned uploads, and readiness when the bucket is gone."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import update

from models.base import utcnow
from server.cli import main as server_main
from server.db import make_session_factory
from server.models import UploadSession
from server.s3store import S3_MIN_PART_BYTES
from server.storage import purge_partials
from tests.server.s3_harness import keys, new_bucket, open_multipart_uploads, s3_client, s3_environment, s3_settings
from tests.server.server_harness import SECRET, LiveServer

MIB = 1024 * 1024


@pytest.fixture
def s3_server(server_db_url: str, tmp_path: Path, s3_endpoint: str) -> Iterator[LiveServer]:
    """A live sync server keeping its attachments in a fresh bucket of the moto server."""
    settings = s3_settings(tmp_path / "data", server_db_url, s3_endpoint, new_bucket(s3_endpoint),
                           max_attachment_bytes=25 * MIB)  # fmt: skip
    server = LiveServer(settings)
    server.start()
    yield server
    server.close()


def _headers(server: LiveServer) -> dict[str, str]:
    server.add_user("ann", "coordinator")
    answer = requests.post(f"{server.url}/api/auth/login", json={"username": "ann", "password": "password-123"},
                           timeout=10)  # fmt: skip
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_a_whole_upload_is_kept_in_the_bucket_under_its_hash_and_read_back(s3_server: LiveServer) -> None:
    headers = _headers(s3_server)
    data = b"signature of the site manager" * 100
    sha = hashlib.sha256(data).hexdigest()
    url = f"{s3_server.url}/api/attachments/{sha}"
    assert requests.put(url, data=data, headers=headers, timeout=10).json() == {"created": True}
    assert requests.put(url, data=data, headers=headers, timeout=10).json() == {"created": False}
    assert requests.head(url, headers=headers, timeout=10).status_code == 200
    assert requests.get(url, headers=headers, timeout=10).content == data
    settings = s3_server.settings
    assert keys(settings.s3_endpoint_url, settings.s3_bucket) == [f"blobs/{sha[:2]}/{sha}"]
    assert not (settings.blobs_dir / sha[:2]).exists()  # nothing on the instance's own disk
    wrong = f"{s3_server.url}/api/attachments/{hashlib.sha256(b'x').hexdigest()}"
    assert requests.put(wrong, data=data, headers=headers, timeout=10).status_code == 422
    assert keys(settings.s3_endpoint_url, settings.s3_bucket) == [f"blobs/{sha[:2]}/{sha}"]


def test_a_resumable_upload_becomes_a_multipart_upload_and_survives_a_dropped_connection(
    s3_server: LiveServer,
) -> None:
    headers = _headers(s3_server)
    data = hashlib.sha256(b"seed").digest() * (13 * MIB // 32)  # 13 MiB: two S3 parts of 5 MiB and a tail
    sha = hashlib.sha256(data).hexdigest()
    parts = f"{s3_server.url}/api/attachments/{sha}/parts"
    endpoint, bucket = s3_server.settings.s3_endpoint_url, s3_server.settings.s3_bucket

    def put(offset: int, size: int = MIB) -> requests.Response:
        chunk = data[offset : offset + size]
        return requests.put(f"{parts}?offset={offset}&total={len(data)}", data=chunk, headers=headers, timeout=30)

    offset = 0
    for _ in range(6):  # 6 MiB: the first S3 part went out at 5 MiB
        assert put(offset).status_code == 202
        offset += MIB
    assert open_multipart_uploads(endpoint, bucket) == 1
    # The connection dropped; the device asks where the upload stands and a part sent twice is not kept twice.
    assert requests.get(parts, headers=headers, timeout=10).json() == {"received": offset}
    again = put(offset - MIB)
    assert again.status_code == 416 and again.json()["detail"]["received"] == offset
    while offset + MIB < len(data):
        assert put(offset).status_code == 202
        offset += MIB
    done = put(offset, len(data) - offset)
    assert done.status_code == 201 and done.json() == {"received": len(data), "created": True}
    assert requests.get(f"{s3_server.url}/api/attachments/{sha}", headers=headers, timeout=30).content == data
    assert keys(endpoint, bucket) == [f"blobs/{sha[:2]}/{sha}"]  # the staging object is gone
    assert open_multipart_uploads(endpoint, bucket) == 0
    # The last part's answer was lost and it is sent again: done already.
    assert put(offset, len(data) - offset).json() == {"received": len(data), "created": False}


def test_a_multipart_upload_whose_content_does_not_match_its_hash_is_refused_and_leaves_nothing(
    s3_server: LiveServer,
) -> None:
    headers = _headers(s3_server)
    size = S3_MIN_PART_BYTES + 1000
    claimed = hashlib.sha256(b"something else").hexdigest()
    parts = f"{s3_server.url}/api/attachments/{claimed}/parts"
    body = b"z" * S3_MIN_PART_BYTES
    assert requests.put(f"{parts}?offset=0&total={size}", data=body, headers=headers, timeout=30).status_code == 202
    last = requests.put(f"{parts}?offset={S3_MIN_PART_BYTES}&total={size}", data=b"z" * 1000, headers=headers,
                        timeout=30)  # fmt: skip
    assert last.status_code == 422 and "SHA-256" in last.json()["detail"]
    assert requests.get(parts, headers=headers, timeout=10).json() == {"received": 0}
    settings = s3_server.settings
    assert keys(settings.s3_endpoint_url, settings.s3_bucket) == []
    assert open_multipart_uploads(settings.s3_endpoint_url, settings.s3_bucket) == 0


def test_the_purge_aborts_the_multipart_upload_of_a_device_that_never_came_back(s3_server: LiveServer) -> None:
    headers = _headers(s3_server)
    data = b"y" * (S3_MIN_PART_BYTES + 10)
    sha = hashlib.sha256(data).hexdigest()
    url = f"{s3_server.url}/api/attachments/{sha}/parts?offset=0&total={len(data)}"
    assert requests.put(url, data=data[:S3_MIN_PART_BYTES], headers=headers, timeout=30).status_code == 202
    settings = s3_server.settings
    assert open_multipart_uploads(settings.s3_endpoint_url, settings.s3_bucket) == 1
    store = s3_server.app.state.blob_store
    with make_session_factory(s3_server.engine)() as session:
        assert purge_partials(session, store, older_than_seconds=3600) == 0
        session.execute(update(UploadSession).values(updated_at=utcnow() - timedelta(hours=2)))
        session.commit()
        assert purge_partials(session, store, older_than_seconds=3600) == 1
    assert open_multipart_uploads(settings.s3_endpoint_url, settings.s3_bucket) == 0
    parts = f"{s3_server.url}/api/attachments/{sha}/parts"
    assert requests.get(parts, headers=headers, timeout=10).json() == {"received": 0}


def test_readyz_answers_503_naming_the_storage_when_the_bucket_is_gone(s3_server: LiveServer) -> None:
    assert requests.get(f"{s3_server.url}/readyz", timeout=10).json() == {"status": "ready"}
    settings = s3_server.settings
    s3_client(settings.s3_endpoint_url).delete_bucket(Bucket=settings.s3_bucket)
    answer = requests.get(f"{s3_server.url}/readyz", timeout=10)
    assert answer.status_code == 503 and answer.json() == {"status": "unavailable", "failed": ["storage"]}
    assert requests.get(f"{s3_server.url}/healthz", timeout=10).json() == {"status": "ok"}  # the process is up


def test_upgrade_brings_the_schema_to_head_and_makes_a_missing_bucket_once(
    s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = f"closeout-new-{tmp_path.name[-8:].lower().replace('_', '-')}"
    for key, value in {**s3_environment(s3_endpoint, bucket), "CLOSEOUT_SERVER_SECRET_KEY": SECRET}.items():
        monkeypatch.setenv(key, value)
    assert server_main(["--data-dir", str(tmp_path), "upgrade"]) == 0
    assert f"bucket {bucket} made" in capsys.readouterr().out
    assert server_main(["--data-dir", str(tmp_path), "upgrade"]) == 0  # a second instance's start: nothing to do
    assert f"bucket {bucket} ready" in capsys.readouterr().out
    assert keys(s3_endpoint, bucket) == []
    assert (tmp_path / "closeout-server.sqlite").exists()
