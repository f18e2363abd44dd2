"""One sync run: push the outbox, then pull and apply the server's changes; safe to kill at any moment."""

from __future__ import annotations

import gc
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from app import tag_blocks
from app.attachments import store_bytes as store_blob
from app.db import Workspace, meta_value, set_meta_value
from app.journal import pending_count
from app.sync import credentials
from app.sync.apply import Pulled, apply_rows, stage_rows, staged_pull
from app.sync.errors import CursorExpired, SignInRequired, SyncBusy, SyncError
from app.sync.push import mark_processed, outbox, record_rejections, reopen_after, upload_attachments
from app.sync.run_lock import RunLocked, sync_run_lock
from app.sync.transport import Transport
from app.sync.verify import local_check
from app.sync.withdraw import PURGED_DETAIL, held_from_server, remove_records
from models import ChangeSet, RejectedChange, StagedRow, WorkspaceMeta, new_id, utcnow
from models.wire import PAGE_SIZE, RECENTLY_CHECKED, CheckRequest, PullRequest, PullResponse, PushRequest

log = logging.getLogger(__name__)

SERVER_KEY, USER_KEY = "sync.server", "sync.user"
CURSOR_KEY, STAGED_CURSOR_KEY = "sync.cursor", "sync.staged_cursor"
LAST_OK_KEY, LAST_ERROR_KEY = "sync.last_ok_at", "sync.last_error"
#: Spaces being pulled again whole (a replacement sync after the server answered 410), as a JSON list.
REPLACE_KEY = "sync.replace_spaces"
#: How many times one pull starts over when the server keeps answering 410 (each adds the spaces it names).
MAX_REPLACEMENTS = 5
#: When each space was last compared with the server's copy (JSON: space -> ISO time).
VERIFIED_KEY = "sync.verified"
#: Spaces that a check could not compare (they moved during the pull): the next sync asks again ("1" or "").
VERIFY_WAITING_KEY = "sync.verify_waiting"
#: Spaces that still differed after a fresh copy (JSON: space -> [here, server]); the same difference is not
#: fetched again every day, only logged.
STILL_DIFFERS_KEY = "sync.still_differs"
#: A space is compared again once its last comparison is older than this (it reads every record on both sides).
VERIFY_EVERY = timedelta(hours=24)

Progress = Callable[[int, int, str], None]


@dataclass
class SyncReport:
    pushed: int = 0
    rejected: int = 0
    pulled: int = 0
    changed: int = 0
    removed: int = 0
    #: Spaces whose count and digest were compared with the server's, those pulled again for a difference, and
    #: those that still differ after that (logged; not fetched again for the same difference).
    verified: int = 0
    repaired: list[str] = field(default_factory=list)
    still_differ: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    """One sanity check's outcome: the spaces the server answered for, those that differ (space -> [here, server])
    and those it could not compare now (they moved during the pull)."""

    answered: list[str]
    differing: dict[str, list[str]]
    skipped: set[str]


@dataclass
class SyncStatus:
    server: str
    user: str
    pending: int
    open_conflicts: int
    rejected: int
    last_ok_at: str
    last_error: str


def _no_progress(done: int, total: int, text: str) -> None:
    return None


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a pull holds its rows until they are applied.

    A large pull keeps hundreds of thousands of objects alive, and every full collection walks them all again
    (a tenth of a 100,000-row pull's time); reference counting still frees everything meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class SyncEngine:
    """Syncs one workspace with one server; `transport` carries the signed-in user's token."""

    def __init__(self, workspace: Workspace, transport: Transport, *, page_size: int = PAGE_SIZE) -> None:
        self.ws = workspace
        self.transport = transport
        self.page_size = page_size

    @property
    def device_id(self) -> str:
        return self.ws.meta("device_id")

    def sync(
        self, progress: Progress = _no_progress, *, busy_wait: float = 40.0, verify: bool | None = None
    ) -> SyncReport:
        """Push then pull, then (`verify`; None: once every VERIFY_EVERY) the sanity check. Any failure leaves the
        workspace as it was after the last completed step.

        A run of this device that was killed holds the server's lease until it expires, so a busy answer
        is waited out for up to `busy_wait` seconds.
        """
        deadline = time.monotonic() + busy_wait
        attempt = 0
        while True:
            try:
                # The local lock spans the whole run, the apply included: the server's lease may lapse during a
                # long apply, and a second run must not stage rows into (or apply) the first one's staging.
                with sync_run_lock(self.ws.home):
                    return self._sync_once(progress, verify)
            except (SyncBusy, RunLocked) as exc:
                if time.monotonic() >= deadline:
                    if isinstance(exc, RunLocked):
                        raise SyncBusy("Another sync of this workspace is still running; try again shortly.") from None
                    raise
                progress(0, 0, "Waiting for an earlier sync of this workspace to end…")
                time.sleep(min(0.5 * (2**attempt), 4.0, max(0.0, deadline - time.monotonic())))
                attempt += 1

    def _sync_once(self, progress: Progress, verify: bool | None) -> SyncReport:
        report = SyncReport()
        self.transport.run_id = secrets.token_hex(16)
        try:
            progress(0, 0, "Sending your changes…")
            self.push(report, progress)
            progress(0, 0, "Fetching changes…")
            self.pull(report, progress)
            if verify or (verify is None and self._verify_due()):
                try:
                    self.verify(report, progress, every_space=bool(verify))
                except SyncError as exc:  # the changes are sent and fetched: a failed check is tried next time
                    log.warning("sanity check not done: %s", exc.message)
            tag_blocks.settle(self.ws, self.transport)  # returns unused pre-printed tags, learns others' blocks
            self.transport.done(self.device_id)
        except SignInRequired as exc:
            # An auth failure means the stored token is useless: forget it so the user is asked to sign in.
            credentials.forget_token(self.ws.meta(SERVER_KEY), self.ws.meta(USER_KEY))
            self.ws.set_meta(LAST_ERROR_KEY, exc.message)
            raise
        except SyncError as exc:
            self.ws.set_meta(LAST_ERROR_KEY, exc.message)
            raise
        with self.ws.transaction() as s:
            set_meta_value(s, LAST_OK_KEY, utcnow().isoformat())
            set_meta_value(s, LAST_ERROR_KEY, "")
        return report

    def push(self, report: SyncReport, progress: Progress = _no_progress) -> None:
        total = self.pending()
        for _attempt in range(10_000):
            with self.ws.session() as s:
                mutations = outbox(s, self.page_size)
            if not mutations:
                return
            upload_attachments(self.transport, self.ws.blobs_dir, mutations)
            response = self.transport.push(PushRequest(device_id=self.device_id, mutations=mutations))
            with self.ws.transaction() as s:
                local_top = int(s.scalar(select(func.max(ChangeSet.id)).where(ChangeSet.origin == "local")) or 0)
                if response.last_mutation_id > local_top:
                    # This workspace was restored from a backup: its ids go backwards. Register as a new device.
                    set_meta_value(s, "device_id", new_id())
                    s.info.pop("device_id", None)
                    reopen_after(s, 0)
                    continue
                if response.gap and response.last_mutation_id < mutations[0].prev_id:
                    reopen_after(s, response.last_mutation_id)  # the server lost acknowledged mutations
                processed = mark_processed(s, response.last_mutation_id)
                record_rejections(s, response)
            report.pushed += response.applied
            report.rejected += len(response.rejected)
            progress(report.pushed, total, "Sending your changes…")
            if not processed and not response.gap:
                raise SyncError("The server did not accept the next change; try again later.")
        raise SyncError("The outbox did not empty; try again later.")

    def pull(self, report: SyncReport, progress: Progress = _no_progress) -> None:
        with _cycle_collector_paused():
            for _attempt in range(MAX_REPLACEMENTS):
                try:
                    self._pull(report, progress)
                    return
                except CursorExpired as exc:
                    self._begin_replacement(exc.spaces)
                    progress(0, 0, "Fetching a fresh copy of data the server has tidied up…")
        raise SyncError("The server kept asking for a fresh copy of this workspace's data; try again later.")

    def _verified(self) -> dict[str, str]:
        value = json.loads(self.ws.meta(VERIFIED_KEY) or "{}")
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}

    @staticmethod
    def _fresh_spaces(verified: dict[str, str]) -> list[str]:
        """Of these (space -> when compared), the spaces compared with the server within VERIFY_EVERY."""
        fresh = []
        for space, when in verified.items():
            try:
                if utcnow() - datetime.fromisoformat(when) < VERIFY_EVERY:
                    fresh.append(space)
            except ValueError:
                continue
        return sorted(fresh)

    def _verify_due(self) -> bool:
        verified = self._verified()
        stale = len(self._fresh_spaces(verified)) < len(verified)
        return not verified or stale or self.ws.meta(VERIFY_WAITING_KEY) == "1"

    def verify(self, report: SyncReport, progress: Progress = _no_progress, *, every_space: bool = False) -> None:
        """The sanity check (SYNC.md): compare each space's count and digest with the server's (those compared in
        the last VERIFY_EVERY are left out unless `every_space`); a space that differs is pulled again whole,
        keeping this device's unsent work, and compared once more."""
        progress(0, 0, "Checking this workspace against the server…")
        verified = self._verified()
        found = self._compare(report, [] if every_space else self._fresh_spaces(verified))
        if found is None:
            return
        differing = found.differing
        known = json.loads(self.ws.meta(STILL_DIFFERS_KEY) or "{}")
        known = known if isinstance(known, dict) else {}
        # A difference that a fresh copy did not mend before is only logged: fetching it again every day would
        # cost a whole client's download and mend nothing.
        to_repair = {space: pair for space, pair in differing.items() if known.get(space) != pair}
        for space in sorted(set(differing) - set(to_repair)):
            log.error("sanity check of %s: the same difference as before remains (%s)", space, differing[space])
            report.still_differ.append(space)
        if to_repair:
            spaces = sorted(to_repair)
            log.warning("sanity check: %s differ from the server; fetching a fresh copy of them", spaces)
            self._begin_replacement(spaces)
            progress(0, 0, "Fetching a fresh copy of data that differed from the server…")
            self.pull(report, progress)
            again = self._compare(report, [space for space in found.answered if space not in to_repair])
            still = again.differing if again is not None else {}
            for space in spaces:
                if space in still:
                    log.error("sanity check of %s: still differs after a fresh copy (%s)", space, still[space])
                    known[space] = still[space]
                    report.still_differ.append(space)
                else:
                    known.pop(space, None)
                    report.repaired.append(space)
        now = utcnow().isoformat()
        for space in found.answered:
            if space not in found.skipped:
                verified[space] = now
            if space not in differing:
                known.pop(space, None)
        with self.ws.transaction() as s:
            set_meta_value(s, VERIFIED_KEY, json.dumps(verified, sort_keys=True))
            set_meta_value(s, VERIFY_WAITING_KEY, "1" if found.skipped else "")
            set_meta_value(s, STILL_DIFFERS_KEY, json.dumps(known, sort_keys=True))

    def _compare(self, report: SyncReport, fresh: list[str]) -> Comparison | None:
        """Compare every space the server answers for except `fresh` ones; None when nothing could be compared (a
        server from before the check, or changes made here wait to be sent, also those saved while it ran)."""
        request = CheckRequest(device_id=self.device_id, cursor=self.ws.meta(CURSOR_KEY), fresh=fresh)
        answer = self.transport.check(request)
        if answer is None or self.pending():
            return None
        differing: dict[str, list[str]] = {}
        skipped: set[str] = set()
        with self.ws.session() as s:
            for space in answer.spaces:
                if space.count is None:
                    if space.reason != RECENTLY_CHECKED:
                        log.info("sanity check of %s skipped: %s", space.space, space.reason)
                        skipped.add(space.space)
                    continue
                count, digest = local_check(s, space.space)
                report.verified += 1
                if (count, digest) != (space.count, space.digest):
                    log.warning(
                        "sanity check of %s: %d records here (digest %s), %d on the server (digest %s)",
                        space.space, count, digest, space.count, space.digest,
                    )  # fmt: skip
                    differing[space.space] = [f"{count}/{digest}", f"{space.count}/{space.digest}"]
        if self.pending():  # a save from the window while the records were read: they are not the server's now
            return None
        return Comparison([space.space for space in answer.spaces], differing, skipped)

    def _begin_replacement(self, spaces: list[str]) -> None:
        """Start a replacement sync of these spaces: pages kept so far are dropped (they are only fetched rows,
        nothing of the user's), and the next pull asks for the spaces again from the start."""
        with self.ws.transaction() as s:
            replacing = set(_spaces(meta_value(s, REPLACE_KEY))) | set(spaces)
            s.execute(delete(StagedRow))
            s.execute(delete(WorkspaceMeta).where(WorkspaceMeta.key == STAGED_CURSOR_KEY))
            set_meta_value(s, REPLACE_KEY, json.dumps(sorted(replacing)))
        log.info("replacement sync of %s: the server purged deletes newer than this device's cursor", spaces)

    def _pull(self, report: SyncReport, progress: Progress) -> None:
        staged_cursor = self.ws.meta(STAGED_CURSOR_KEY)
        cursor = staged_cursor or self.ws.meta(CURSOR_KEY)
        replacing = _spaces(self.ws.meta(REPLACE_KEY))
        # The spaces are reset in the first request only; a resumed replacement continues from its kept cursor.
        reset = [] if staged_cursor else replacing
        device_id = self.device_id
        with self.ws.session() as s:
            kept = int(s.scalar(select(func.max(StagedRow.seq))) or 0)  # pages kept by an interrupted pull
        fetched = Pulled()
        acknowledged = -1  # the server's last mutation id of this device, marked processed by an earlier page
        # The next page is fetched while this one is kept: the server's and the network's time overlap ours.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull") as fetcher:
            next_page = fetcher.submit(self._fetch_page, device_id, cursor, reset)
            while True:
                response = next_page.result()
                if response.has_more:
                    next_page = fetcher.submit(self._fetch_page, device_id, response.cursor, [])
                with self.ws.transaction() as s:
                    # Each page is kept with its cursor, so an interrupted pull resumes after the last kept page.
                    stage_rows(s, response.rows, response.removed)
                    set_meta_value(s, STAGED_CURSOR_KEY, response.cursor)
                    if response.last_mutation_id != acknowledged:
                        mark_processed(s, response.last_mutation_id)
                acknowledged = response.last_mutation_id
                # This run's pages are applied from memory (the same rows as kept), not read back and parsed again.
                fetched.add(response.rows, response.removed)
                cursor = response.cursor
                report.pulled += len(response.rows)
                progress(report.pulled, 0, f"Fetched {report.pulled} changes…")
                if not response.has_more:
                    break
        progress(report.pulled, 0, "Saving fetched changes…")
        with self.ws.transaction() as s:
            pulled = staged_pull(s, upto=kept) if kept else Pulled()
            pulled.add(fetched.rows, ())
            pulled.removed.update(fetched.removed)  # (a page's rows already cancelled the removals they follow)
            summary = apply_rows(s, pulled.kept_rows())
            # Records the user may no longer see leave the workspace (a revoke arrives as deletes), after the rows.
            report.removed += remove_records(s, pulled.removed)
            if replacing:
                # A replacement: the server sent every row it has of these spaces, so a record of theirs held here
                # from the server and not sent was deleted and purged there. It leaves without a journaled delete;
                # an edit of it the server never took stays as a conflict.
                served = {row.id for row in pulled.rows}
                gone = {
                    record_id: entity
                    for space_id in replacing
                    for record_id, entity in held_from_server(s, space_id).items()
                    if record_id not in served
                }
                report.removed += remove_records(s, gone, detail=PURGED_DETAIL)
                s.execute(delete(WorkspaceMeta).where(WorkspaceMeta.key == REPLACE_KEY))
            s.execute(delete(StagedRow))
            set_meta_value(s, CURSOR_KEY, cursor)
            s.execute(delete(WorkspaceMeta).where(WorkspaceMeta.key == STAGED_CURSOR_KEY))
        report.changed += summary.changed

    def _fetch_page(self, device_id: str, cursor: str, reset: list[str]) -> PullResponse:
        return self.transport.pull(PullRequest(device_id=device_id, cursor=cursor, limit=self.page_size, reset=reset))

    def pending(self) -> int:
        with self.ws.session() as s:
            return pending_count(s)

    def fetch_attachment(self, sha256: str) -> str:
        """Download an attachment's file on demand and keep it in the workspace."""
        return store_blob(self.ws.blobs_dir, self.transport.get_blob(sha256))


def _spaces(text: str) -> list[str]:
    value = json.loads(text) if text else []
    return [str(space) for space in value] if isinstance(value, list) else []


def status(workspace: Workspace) -> SyncStatus:
    from models import Conflict

    with workspace.session() as s:
        open_conflicts = s.scalar(
            select(func.count())
            .select_from(Conflict)
            .where(Conflict.resolved_at.is_(None), Conflict.deleted_at.is_(None))
        )
        rejected = s.scalar(select(func.count()).select_from(RejectedChange))
        return SyncStatus(
            server=meta_value(s, SERVER_KEY),
            user=meta_value(s, USER_KEY),
            pending=pending_count(s),
            open_conflicts=int(open_conflicts or 0),
            rejected=int(rejected or 0),
            last_ok_at=meta_value(s, LAST_OK_KEY),
            last_error=meta_value(s, LAST_ERROR_KEY),
        )


def connect(workspace: Workspace, *, ca_bundle: str | None = None, password: str | None = None) -> SyncEngine:
    """An engine for the workspace's server and user, signed in with the stored token (or `password`)."""
    server, user = workspace.meta(SERVER_KEY), workspace.meta(USER_KEY)
    if not server or not user:
        raise SignInRequired("Sign in to a server first (closeout-cli login --server URL --user NAME).")
    transport = Transport(server, ca_bundle=ca_bundle)
    token = credentials.load_token(server, user)
    if token is None:
        if password is None:
            transport.close()
            raise SignInRequired(credentials.NO_KEYRING_MESSAGE if not credentials.keyring_available() else
                                 "Sign in to the server again.")  # fmt: skip
        token = transport.login(user, password).token
        credentials.save_token(server, user, token)
    transport.token = token
    return SyncEngine(workspace, transport)


def login(workspace: Workspace, server: str, user: str, password: str, *, ca_bundle: str | None = None) -> bool:
    """Sign in and remember the server and user; returns whether the token is kept in the keyring."""
    with Transport(server, ca_bundle=ca_bundle) as transport:
        token = transport.login(user, password).token
    with workspace.transaction() as s:
        set_meta_value(s, SERVER_KEY, server.rstrip("/"))
        set_meta_value(s, USER_KEY, user)
    return credentials.save_token(server, user, token)


def logout(workspace: Workspace, *, ca_bundle: str | None = None) -> None:
    server, user = workspace.meta(SERVER_KEY), workspace.meta(USER_KEY)
    if not server or not user:
        return
    token = credentials.load_token(server, user)
    if token:
        with Transport(server, token=token, ca_bundle=ca_bundle) as transport:
            try:
                transport.logout()
            except SyncError:
                log.info("could not revoke the token on the server; it is forgotten here anyway")
    credentials.forget_token(server, user)
