"""Fixtures of the server tests: an S3-compatible server (moto, on loopback) shared by the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server.s3_harness import moto_server


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url
