"""HTTP to the sync server: one requests session with timeouts, TLS verification, retries with backoff."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import requests
from pydantic import BaseModel, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.sync.errors import CursorExpired, OfflineError, SignInRequired, SyncBusy, SyncError
from models.wire import (
    SYNC_SESSION_HEADER,
    CheckRequest,
    CheckResponse,
    CursorExpiredError,
    LoginRequest,
    LoginResponse,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
)

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
#: Files larger than this go up in parts of this size, so a dropped connection costs at most one part.
PART_BYTES = 1024 * 1024
UNFINISHED_UPLOAD = "An attachment's upload did not finish; it continues at the next sync."

#: (connect, read) seconds: a dead network is noticed quickly, a big page still has time to arrive.
TIMEOUT = (5.0, 60.0)


def _retrying_adapter(retries: int) -> HTTPAdapter:
    # Push and pull are safe to repeat (the server applies each mutation once), so POST is retried too.
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=0.3,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD", "PUT", "POST"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    return HTTPAdapter(max_retries=retry, pool_maxsize=4)


@dataclass
class Transport:
    """A connection to one server; `token` is the bearer token of the signed-in user."""

    base_url: str
    token: str = ""
    ca_bundle: str | None = None
    retries: int = 3
    timeout: tuple[float, float] = TIMEOUT
    run_id: str = ""
    http: requests.Session = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise SyncError(f"“{self.base_url}” is not a server address; it starts with https://")
        self.http = requests.Session()
        self.http.verify = self.ca_bundle or True  # never off: a custom CA bundle is the only alternative
        adapter = _retrying_adapter(self.retries)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if self.run_id:
            headers[SYNC_SESSION_HEADER] = self.run_id
        return headers

    def request(
        self, method: str, path: str, *, data: bytes | str | None = None, as_json: bool = False
    ) -> requests.Response:
        headers = self._headers()
        if as_json:
            headers["Content-Type"] = "application/json"
        try:
            response = self.http.request(method, self.base_url + path, headers=headers, timeout=self.timeout, data=data)
        except requests.exceptions.SSLError as exc:
            raise OfflineError(f"The server's certificate could not be verified ({exc}).") from exc
        except requests.exceptions.RequestException as exc:
            raise OfflineError(f"The server at {self.base_url} cannot be reached ({type(exc).__name__}).") from exc
        if response.status_code == 401:
            raise SignInRequired("Sign in to the server again (the sign-in expired or was revoked).")
        if response.status_code == 409:
            raise SyncBusy("Another sync of this workspace is still running; try again in a moment.")
        if response.status_code >= 500:
            raise OfflineError(f"The server had a problem ({response.status_code}); try again later.")
        return response

    def _call(self, path: str, body: BaseModel, answer: type[M]) -> M:
        response = self.request("POST", path, data=body.model_dump_json(), as_json=True)
        if response.status_code != 200:
            raise SyncError(f"The server refused the request ({response.status_code}: {_detail(response)}).")
        return self._parse(answer, response)

    def _parse(self, model: type[M], response: requests.Response) -> M:
        """The server's answer as `model`; anything else (a proxy's page, a cut-off body) is a sync error in words,
        and nothing of it is applied."""
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            raise SyncError(
                f"The answer from {self.base_url} was not understood (cut off, or not from Closeout); nothing of it "
                "was applied. Sync again; if it keeps happening, check the server address."
            ) from None

    def reachable(self) -> bool:
        try:
            return self.http.get(self.base_url + "/api/health", timeout=(2.0, 5.0)).status_code == 200
        except requests.exceptions.RequestException:
            return False

    def login(self, user: str, password: str) -> LoginResponse:
        if not user.strip() or not password:
            raise SignInRequired("Enter a user name and a password.")
        body = LoginRequest(username=user, password=password).model_dump_json()
        try:
            response = self.http.post(
                self.base_url + "/api/auth/login",
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except requests.exceptions.RequestException as exc:
            raise OfflineError(f"The server at {self.base_url} cannot be reached ({type(exc).__name__}).") from exc
        if response.status_code == 429:
            raise SyncError("Too many failed sign-ins; wait a little and try again.")
        if response.status_code in (401, 403):
            raise SignInRequired("Wrong user name or password.")
        if response.status_code == 404:
            raise SyncError(f"{self.base_url} answers, but it is not a Closeout server (no sign-in page there).")
        if response.status_code >= 500:
            raise OfflineError(
                f"The server at {self.base_url} is not working right now (HTTP {response.status_code}); "
                "try again later."
            )
        if response.status_code != 200:
            raise SyncError(f"The server at {self.base_url} refused the sign-in (HTTP {response.status_code}).")
        try:
            answer = LoginResponse.model_validate_json(response.content)
        except ValidationError:
            raise SyncError(
                f"{self.base_url} answered with something that is not Closeout (a hotel or guest Wi-Fi sign-in "
                "page, or a proxy?). Open a browser to get online, then sign in again."
            ) from None
        self.token = answer.token
        return answer

    def logout(self) -> None:
        self.request("POST", "/api/auth/logout")

    def push(self, body: PushRequest) -> PushResponse:
        return self._call("/api/sync/push", body, PushResponse)

    def pull(self, body: PullRequest) -> PullResponse:
        response = self.request("POST", "/api/sync/pull", data=body.model_dump_json(), as_json=True)
        if response.status_code == 410:
            # Deletes newer than the cursor were purged from these spaces: the engine re-pulls them whole.
            try:
                gone = CursorExpiredError.model_validate_json(response.content)
            except ValueError:
                raise SyncError(f"The server refused the pull (410: {_detail(response)}).") from None
            raise CursorExpired(gone.message, gone.spaces)
        if response.status_code != 200:
            raise SyncError(f"The server refused the request ({response.status_code}: {_detail(response)}).")
        return self._parse(PullResponse, response)

    def check(self, body: CheckRequest) -> CheckResponse | None:
        """The server's sanity check of the device's spaces; None from a server that predates it."""
        response = self.request("POST", "/api/sync/check", data=body.model_dump_json(), as_json=True)
        if response.status_code in (404, 405) and "no such device" not in _detail(response):
            return None
        if response.status_code != 200:
            raise SyncError(f"The server refused the request ({response.status_code}: {_detail(response)}).")
        return self._parse(CheckResponse, response)

    def done(self, device_id: str) -> None:
        self.request("POST", f"/api/sync/done/{device_id}")

    def has_blob(self, sha256: str) -> bool:
        return self.request("HEAD", f"/api/attachments/{sha256}").status_code == 200

    def put_blob(self, sha256: str, data: bytes) -> None:
        response = self.request("PUT", f"/api/attachments/{sha256}", data=data)
        if response.status_code not in (200, 201):
            raise _attachment_refused(response)

    def _upload_progress(self, sha256: str) -> int | None:
        """How many bytes of this laptop's user's unfinished upload the server holds; None from a server without
        resumable uploads."""
        response = self.request("GET", f"/api/attachments/{sha256}/parts")
        if response.status_code in (404, 405):
            return None
        return int(response.json().get("received", 0)) if response.status_code == 200 else 0

    def put_blob_file(self, sha256: str, path: Path, *, part_bytes: int | None = None) -> None:
        """Upload a file; one larger than a part goes up in parts, continuing where an earlier, interrupted upload
        stopped (a server from before resumable uploads gets it whole)."""
        part_bytes = part_bytes or PART_BYTES
        size = path.stat().st_size
        if size <= part_bytes:
            self.put_blob(sha256, path.read_bytes())
            return
        progress = self._upload_progress(sha256)
        if progress is None:
            self.put_blob(sha256, path.read_bytes())
            return
        received = progress
        with path.open("rb") as fh:
            for _part in range(2 * (size // part_bytes + 2)):
                if received >= size:  # another laptop of this user is storing the last part right now
                    received = self._await_other_upload(sha256, size)
                    if received >= size:
                        return
                fh.seek(received)
                part = fh.read(part_bytes)
                response = self.request(
                    "PUT", f"/api/attachments/{sha256}/parts?offset={received}&total={size}", data=part
                )
                if response.status_code in (200, 201):
                    return
                if response.status_code == 202:
                    received = int(response.json()["received"])
                elif response.status_code == 416:  # another upload of it moved on meanwhile: continue from there
                    received = int(response.json()["detail"]["received"])
                else:
                    raise _attachment_refused(response)
        raise SyncError(UNFINISHED_UPLOAD)

    def _await_other_upload(self, sha256: str, size: int) -> int:
        """Wait (briefly) for an upload another laptop is finishing; returns `size` once the server has the file,
        else the bytes it holds of an upload this laptop should go on with."""
        for attempt in range(20):
            if self.has_blob(sha256):
                return size
            time.sleep(min(0.05 * (attempt + 1), 0.5))
            received = self._upload_progress(sha256) or 0
            if received < size:
                return received
        raise SyncError(UNFINISHED_UPLOAD)

    def get_blob(self, sha256: str) -> bytes:
        response = self.request("GET", f"/api/attachments/{sha256}")
        if response.status_code != 200:
            raise SyncError(f"The server has no attachment {sha256[:12]}… for you.")
        return response.content


def _attachment_refused(response: requests.Response) -> SyncError:
    return SyncError(f"The server refused an attachment ({response.status_code}: {_detail(response)}).")


def _detail(response: requests.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return response.text[:200]
    return str(detail)[:200]


def backoff_sleep(attempt: int, cap: float = 8.0) -> None:
    time.sleep(min(cap, 0.25 * (2**attempt)))
