"""A real S3-compatible server for tests: moto's standalone server on a loopback port (no patched client)."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from server.settings import Settings
from tests.server.server_harness import SECRET, free_port

ACCESS = {"s3_access_key_id": "closeout-test", "s3_secret_access_key": "closeout-test-secret", "s3_region": "us-east-1"}


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1; its URL. Absent: the test is skipped with the reason, except in CI."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"moto[server] is required in CI for the S3 storage tests: {exc}")
        pytest.skip(f"SKIPPED: no S3-compatible test server ({exc}); pip install 'moto[server]' to run these tests")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per S3 request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_client(endpoint: str) -> Any:
    import boto3  # type: ignore[import-untyped]

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=ACCESS["s3_region"], aws_access_key_id=ACCESS["s3_access_key_id"],
        aws_secret_access_key=ACCESS["s3_secret_access_key"],
    )  # fmt: skip


def new_bucket(endpoint: str) -> str:
    """A fresh, empty bucket of its own."""
    name = f"closeout-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def s3_settings(tmp: Path, database_url: str, endpoint: str, bucket: str, **more: Any) -> Settings:
    return Settings(
        data_dir=tmp, database_url=database_url, secret_key=SECRET, sync_lease_seconds=3.0,
        login_lockout_seconds=1.0, storage="s3", s3_endpoint_url=endpoint, s3_bucket=bucket, **ACCESS, **more,
    )  # fmt: skip


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    """The same settings as CLOSEOUT_SERVER_* variables, for `closeout-server serve` processes."""
    values = {"storage": "s3", "s3_endpoint_url": endpoint, "s3_bucket": bucket, **ACCESS}
    return {f"CLOSEOUT_SERVER_{key.upper()}": value for key, value in values.items()}


def keys(endpoint: str, bucket: str) -> list[str]:
    listed = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def open_multipart_uploads(endpoint: str, bucket: str) -> int:
    return len(s3_client(endpoint).list_multipart_uploads(Bucket=bucket).get("Uploads", []))
