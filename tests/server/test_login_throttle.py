"""Sign-in slow-down: names cannot be told apart, one address is slowed across names, and a stranger's guesses do not
lock a user out of a correct sign-in from an address they used before (issue 10, item 6)."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

from tests.server.server_harness import LiveServer


class _FromAddress(HTTPAdapter):
    """Connections from one loopback address (127.0.0.0/8 is all this machine), to act as another place."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _slow(server: LiveServer) -> None:
    """A slow-down long enough to outlast the test (the harness's is 1 s, for tests that wait one out)."""
    server.settings.login_lockout_seconds = 120.0


def _sign_in(server: LiveServer, address: str, user: str, password: str) -> requests.Response:
    with requests.Session() as session:
        session.mount("http://", _FromAddress(address))
        return session.post(f"{server.url}/api/auth/login", json={"username": user, "password": password}, timeout=10)


def test_unknown_names_and_wrong_passwords_get_the_same_answers(live_server: LiveServer) -> None:
    live_server.add_user("carol", "technician")
    _slow(live_server)
    answers = {}
    for name, address in (("carol", "127.0.0.11"), ("nobody-here", "127.0.0.12")):
        replies = [_sign_in(live_server, address, name, "wrong-password") for _ in range(7)]
        answers[name] = [(r.status_code, r.json()["detail"], "Retry-After" in r.headers) for r in replies]
    assert answers["carol"] == answers["nobody-here"]
    assert [code for code, _, _ in answers["carol"]] == [401] * 5 + [429] * 2


def test_a_stranger_cannot_lock_a_user_out_of_a_correct_sign_in_from_a_known_address(
    live_server: LiveServer,
) -> None:
    live_server.add_user("dana", "coordinator")
    _slow(live_server)
    assert _sign_in(live_server, "127.0.0.21", "dana", "password-123").status_code == 200  # her laptop, before
    stranger = [_sign_in(live_server, "127.0.0.22", "dana", f"guess-{n}").status_code for n in range(8)]
    assert stranger[:5] == [401] * 5 and set(stranger[5:]) == {429}
    # During the slow-down her own address signs in with the right password; a wrong one there is still refused.
    assert _sign_in(live_server, "127.0.0.21", "dana", "password-123").status_code == 200
    assert _sign_in(live_server, "127.0.0.21", "dana", "not-her-password").status_code == 401
    # The right password from an address she never used waits like everyone else's (it may be the stranger's).
    assert _sign_in(live_server, "127.0.0.23", "dana", "password-123").status_code == 429


def test_one_address_is_slowed_down_across_names(live_server: LiveServer) -> None:
    live_server.add_user("erin", "technician")
    _slow(live_server)
    limit = live_server.settings.login_max_failures_per_address
    codes = [_sign_in(live_server, "127.0.0.31", f"name-{n}", "wrong-password").status_code for n in range(limit)]
    assert codes == [401] * limit  # no single name reached its own limit
    slowed = _sign_in(live_server, "127.0.0.31", "erin", "password-123")
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) >= 1
    assert _sign_in(live_server, "127.0.0.32", "erin", "password-123").status_code == 200
