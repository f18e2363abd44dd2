"""Opening a workspace: one SQLite file in WAL mode, migrated by Alembic, refused rather than damaged."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, String, create_engine, event, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from app.config import WORKSPACE_FILE
from app.errors import WorkspaceError
from app.migrations import SCHEMA_HEAD
from models import WorkspaceMeta, new_id

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Workspace:
    """An open workspace: its folder, database engine and session factory."""

    home: Path
    engine: Engine
    session_factory: sessionmaker[Session]
    device_id: str
    backups: list[Path] = field(default_factory=list)
    #: Why writes are refused (set when an integrity check found damage); None while the file is sound.
    refuse_writes: str | None = None
    #: Whether check_integrity() has run in this process.
    integrity_checked: bool = False

    @property
    def path(self) -> Path:
        return self.home / WORKSPACE_FILE

    @property
    def blobs_dir(self) -> Path:
        return self.home / "blobs"

    def session(self) -> Session:
        return self.session_factory()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back on any error."""
        if self.refuse_writes:
            raise WorkspaceError(self.refuse_writes)
        with self.session_factory() as session, session.begin():
            yield session

    def check_integrity(self) -> str | None:
        """Read every page once (SQLite's quick_check). On damage, refuse every later write in this process so
        that nothing more is written into a damaged file, and return the message; None when the file is sound.

        About 10 ms for a few thousand assets and 1 s for 100,000, so the app runs it in the background after
        the window shows, and the command line before its first write."""
        self.integrity_checked = True
        try:
            _check_integrity(self.path)
        except DamagedWorkspaceError as exc:
            self.refuse_writes = (
                f"{exc} Closeout will not save anything more into it; copy the workspace folder somewhere safe "
                "and restore the latest backup."
            )
        return self.refuse_writes

    def meta(self, key: str, default: str = "") -> str:
        with self.session() as s:
            row = s.get(WorkspaceMeta, key)
            return row.value if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as s:
            s.merge(WorkspaceMeta(key=key, value=value))

    def close(self) -> None:
        _checkpointers[self.engine].wait()
        self.engine.dispose()


def _text_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def lowered(column: Any) -> ColumnElement[str]:
    """`column` in lower case as Python lowers it (SQLite's own lower() leaves "É" as it is): the workspace compares
    names typed or imported ("Étage 2", "ÖSTRA LAGER") with the stored ones through this."""
    return func.text_lower(column, type_=String)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.create_function("text_lower", 1, _text_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a saved asset survives a power cut, not only a crash of the app.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-32000")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


#: SQLite's own default: the commit that leaves this many pages in the WAL copies them into the database file.
_AUTOCHECKPOINT_PAGES = 1000
_CHECKPOINT_AFTER = "closeout_checkpoint_after"


class _Checkpointer:
    """Copies the WAL into the database file in a background thread, after a large write has committed
    (`defer_checkpoint`), instead of inside that commit: for 100,000 imported assets 1.2 s the user no longer
    waits for. Readers and writers go on meanwhile (a PASSIVE checkpoint takes no lock they need); until it is
    done the committed rows are safe in the WAL, which SQLite reads and, after a crash, replays."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread: threading.Thread | None = None

    def after_checkin(self, dbapi_connection: Any, record: Any) -> None:
        if not record.info.pop(_CHECKPOINT_AFTER, False) or dbapi_connection is None:
            return
        try:
            dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT_PAGES}")
        except sqlite3.Error:
            return  # a connection that failed is dropped by the pool; no checkpoint owed to it
        self.wait()
        self._thread = threading.Thread(target=self._checkpoint, name="closeout-checkpoint", daemon=True)
        self._thread.start()

    def _checkpoint(self) -> None:
        try:
            connection = sqlite3.connect(self.path, timeout=10)
            try:
                connection.execute("PRAGMA synchronous=FULL")
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()
        except sqlite3.Error as exc:  # the next commits checkpoint as usual; nothing is lost
            log.warning("background checkpoint of %s failed: %s", self.path, exc)

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None


_checkpointers: weakref.WeakKeyDictionary[Engine, _Checkpointer] = weakref.WeakKeyDictionary()


def defer_checkpoint(session: Session) -> None:
    """This transaction writes a lot (a bulk import): its commit leaves the WAL as it is, and the workspace's
    `_Checkpointer` copies it into the database file once the connection is back in the pool."""
    connection = session.connection().connection
    connection.driver_connection.execute("PRAGMA wal_autocheckpoint=0")  # type: ignore[union-attr]
    connection.info[_CHECKPOINT_AFTER] = True


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 10, "check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    checkpointer = _checkpointers[engine] = _Checkpointer(path)
    event.listen(engine, "checkin", checkpointer.after_checkin)
    return engine


def describe_db_error(exc: BaseException) -> str:
    """Words for a database failure that a technician can act on."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return "The disk is full, so the change could not be saved. Free some space and save again."
    if "disk i/o error" in text:
        return (
            "The disk could not be read or written (a full disk, a removed drive or a failing disk). "
            "Nothing was changed; free some space or check the drive and try again."
        )
    if "malformed" in text or "not a database" in text:
        return (
            "The workspace file is damaged. Closeout has not changed it; restore it from a backup "
            "or ask support to recover it."
        )
    if "readonly" in text or "read-only" in text:
        return "The workspace is read-only on this disk, so nothing can be saved."
    if "locked" in text or "busy" in text:
        return "The workspace is busy in another Closeout window. Close it and try again."
    return f"The workspace could not be read or written ({exc})."


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite found the file itself damaged, rather than its disk full, read-only or locked."""
    text = str(exc).lower()
    return not isinstance(exc, sqlite3.OperationalError) or "malformed" in text or "not a database" in text


def _stored_revision(path: Path) -> str | None:
    """The workspace's schema revision, or None for a new file; refuses a file that is not SQLite."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as fh:
        magic = fh.read(len(SQLITE_MAGIC))
    if magic != SQLITE_MAGIC:
        raise WorkspaceError(
            f"{path} is not a Closeout workspace or is damaged. It was left untouched; "
            "restore it from a backup or choose another folder."
        )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            has_version = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if not has_version:
                tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
                if tables:
                    raise WorkspaceError(
                        f"{path} is an SQLite file but not a Closeout workspace. It was left untouched."
                    )
                return None
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if not _is_damage(exc):
            # A full disk, a read-only folder, a lock: the file is fine, the place it lives is the problem.
            text = str(exc).lower()
            if "readonly" in text or "read-only" in text or "unable to open" in text:
                raise WorkspaceError(
                    f"The workspace folder {path.parent} cannot be written by you, so Closeout cannot open it "
                    "(SQLite keeps its working files next to the workspace). Ask for write access to the folder "
                    "or copy it somewhere you can write. The workspace was left untouched."
                ) from exc
            raise WorkspaceError(f"{describe_db_error(exc)} ({path})") from exc
        raise WorkspaceError(
            f"{path} is damaged and cannot be opened ({exc}). It was left untouched; restore it from a backup."
        ) from exc


class DamagedWorkspaceError(WorkspaceError):
    """The workspace file itself is damaged (not merely unreachable)."""


def _check_integrity(path: Path) -> None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = con.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if not _is_damage(exc):
            raise WorkspaceError(f"{describe_db_error(exc)} ({path})") from exc
        raise DamagedWorkspaceError(f"{path} is damaged ({exc}). It was left untouched.") from exc
    finally:
        con.close()
    if result != "ok":
        raise DamagedWorkspaceError(f"{path} is damaged ({result}). It was left untouched; restore it from a backup.")


def backup_workspace(path: Path, label: str) -> Path:
    """Copy the workspace aside with SQLite's online backup (consistent even with a WAL beside it)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.{label}.{stamp}.bak.sqlite")
    free = shutil.disk_usage(path.parent).free
    if free < path.stat().st_size * 1.2:
        raise WorkspaceError(
            "There is not enough free disk space to back up the workspace before updating it. "
            "Free some space and open it again."
        )
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def _migrate(engine: Engine, target: str = "heads") -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("app") / "migrations"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, target)


def known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("app") / "migrations"))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def open_workspace(home: Path, *, create: bool = True) -> Workspace:
    """Open (creating or migrating as needed) the workspace in `home`; never overwrite what it cannot read."""
    path = home / WORKSPACE_FILE
    if not path.exists() and not create:
        raise WorkspaceError(
            f"There is no workspace in {home}. Check the folder name (--home or CLOSEOUT_HOME); to start a "
            "workspace there, open the app once, sign in with 'closeout-cli login', or run 'closeout-cli demo'."
        )
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"Cannot create the workspace folder {home}: {exc.strerror or exc}.") from exc

    current = _stored_revision(path)
    backups: list[Path] = []
    if current != SCHEMA_HEAD:
        if current is not None:
            if current not in known_revisions():
                raise WorkspaceError(
                    f"This workspace was saved by a newer version of Closeout (schema {current}). "
                    "Update Closeout to open it; the file was left untouched."
                )
            _check_integrity(path)
            backups.append(backup_workspace(path, f"before-{SCHEMA_HEAD}"))
            log.info("workspace backed up to %s before migrating from %s", backups[-1], current)
        engine = make_engine(path)
        try:
            _migrate(engine)
        except DBAPIError as exc:
            engine.dispose()
            raise WorkspaceError(describe_db_error(exc)) from exc
    else:
        engine = make_engine(path)

    factory = sessionmaker(engine, expire_on_commit=False)
    try:
        with factory() as s, s.begin():
            row = s.get(WorkspaceMeta, "device_id")
            if row is None:
                row = WorkspaceMeta(key="device_id", value=new_id())
                s.add(row)
            device_id = row.value
    except DBAPIError as exc:
        engine.dispose()
        raise WorkspaceError(describe_db_error(exc)) from exc
    factory.configure(info={"device_id": device_id})  # the journal reads it on every write
    return Workspace(home=home, engine=engine, session_factory=factory, device_id=device_id, backups=backups)


def meta_value(session: Session, key: str, default: str = "") -> str:
    value = session.scalar(select(WorkspaceMeta.value).where(WorkspaceMeta.key == key))
    return default if value is None else value


def set_meta_value(session: Session, key: str, value: str) -> None:
    session.merge(WorkspaceMeta(key=key, value=value))
