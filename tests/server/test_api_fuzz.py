"""Property-based fuzzing of the live server with schemathesis: no input gets a 500, and every answer matches the
OpenAPI schema (status code, content type, headers, body). Bounded: EXAMPLES valid and EXAMPLES invalid requests per
operation and database, derandomized, no shrinking."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.server.hostile_kit import RUN, login
from tests.server.server_harness import LiveServer, seed_tenant_via_device

#: Examples per operation and database: 14 operations x 2 databases x EXAMPLES requests in about 30-40 s.
EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzzed_server(live_server: LiveServer, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    """The live server with one tenant's data and a signed-in coordinator (the token the fuzzer sends)."""
    live_server.add_user("fuzz", "coordinator")
    seed_tenant_via_device(live_server, tmp_path / "fuzz", "fuzz", "FUZZ")
    yield live_server, login(live_server, "fuzz")


def _takes_input(operation: Any) -> bool:
    return bool(list(operation.iter_parameters())) or bool(operation.body)


def _operations(server: LiveServer) -> list[Any]:
    schema = schemathesis.openapi.from_dict(server.app.openapi())
    # Signing out would revoke the token the rest of the run needs.
    return [result.ok() for result in schema.exclude(path="/api/auth/logout").get_all_operations()]


def test_no_input_gets_a_500_and_every_answer_matches_the_schema(fuzzed_server: tuple[LiveServer, str]) -> None:
    server, token = fuzzed_server
    headers = {"Authorization": f"Bearer {token}", **RUN}
    operations = _operations(server)
    assert len(operations) >= 13
    with requests.Session() as session:
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @given(case=operation.as_strategy(generation_mode=mode))
                @settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                    derandomize=True,
                    database=None,
                )
                def fuzz(case: Any) -> None:
                    case.call_and_validate(
                        base_url=server.url, session=session, headers=headers, checks=CHECKS, timeout=30
                    )

                try:
                    fuzz()
                except Unsatisfiable:
                    # An operation without inputs (GET /api/health) has no invalid request to make.
                    assert mode is GenerationMode.NEGATIVE and not _takes_input(operation), operation.label
