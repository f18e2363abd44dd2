"""Sign-in against things that are not a working Closeout server: each answer gets its own words, no traceback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.sync.errors import OfflineError, SignInRequired, SyncError
from app.sync.transport import Transport


class _Answers(BaseHTTPRequestHandler):
    """A real HTTP peer on loopback: a guest Wi-Fi page, a wrong address, a server under maintenance."""

    status = 200
    body = b"<html><body>Welcome to Hotel Wi-Fi. Accept the terms to continue.</body></html>"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def peer() -> Iterator[tuple[ThreadingHTTPServer, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (200, SyncError, "not Closeout"),
        (404, SyncError, "not a Closeout server"),
        (503, OfflineError, "not working right now"),
        (401, SignInRequired, "Wrong user name or password"),
    ],
)
def test_each_answer_to_a_sign_in_has_its_own_words(
    peer: tuple[ThreadingHTTPServer, str], status: int, error: type[Exception], words: str
) -> None:
    server, url = peer
    server.RequestHandlerClass = type("Answers", (_Answers,), {"status": status})
    with Transport(url, retries=0) as transport, pytest.raises(error, match=words):
        transport.login("alice", "a-password")


def test_an_empty_password_is_asked_for_before_anything_is_sent() -> None:
    with Transport("http://127.0.0.1:9", retries=0) as transport, pytest.raises(SignInRequired, match="Enter a"):
        transport.login("alice", "")
