"""Many-row INSERTs (a pull, a bulk import): the driver's executemany, fed values as SQLAlchemy would store them."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_NOTHING = object()
_VALUES = re.compile(r"\bVALUES \((\?(?:, \?)*)\)")
#: `bulk_row ->> N` (an element of a JSON array as an SQL value) came with SQLite 3.38.
_JSON_ROWS = sqlite3.sqlite_version_info >= (3, 38, 0)
#: Values orjson would write as text of its own choosing (a datetime, a str subclass) are refused instead: such a
#: batch keeps executemany, which stores them as the driver does.
_PLAIN_JSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT `rows` (all with the same keys) into `table` inside the session's transaction.

    Each value goes through its column type's own bind processor and missing columns take their scalar
    defaults, so the stored rows equal those of `session.execute(insert(table), rows)`; only SQLAlchemy's
    per-row parameter bookkeeping is skipped, which was a third of the time of applying a large pull.
    A table with a callable default for a missing column takes the ordinary path.
    """
    if not rows:
        return
    prepared = prepare_rows(session, table, rows)
    if prepared is None:
        session.execute(insert(table), list(rows))
        return
    session.connection().exec_driver_sql(*prepared)


def prepare_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]]
) -> tuple[str, list[tuple[Any, ...]]] | None:
    """The INSERT statement and its parameter rows for the driver's executemany, as `insert_rows` runs them;
    None when only SQLAlchemy's ordinary path can write these rows (a callable default, another driver)."""
    if not rows:
        return None
    names = list(rows[0])
    missing = [column for column in table.c if column.key not in rows[0] and column.default is not None]
    if any(not getattr(column.default, "is_scalar", False) for column in missing):
        return None
    dialect = session.get_bind().dialect
    defaults = {column.key: getattr(column.default, "arg", None) for column in missing}
    compiled = insert(table).compile(dialect=dialect, column_keys=[*names, *defaults])
    order = list(compiled.positiontup or ())
    if dialect.paramstyle != "qmark" or sorted(order) != sorted([*names, *defaults]):
        return None  # another driver, or a statement this shortcut cannot mirror
    processed = [
        (index, process)
        for index, key in enumerate(order)
        if (process := table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    take = itemgetter(*order)
    # Rows of one pull often share a value object (the journal's timestamp, an empty list): converted once.
    last_in: list[Any] = [_NOTHING] * len(processed)
    last_out: list[Any] = [None] * len(processed)
    parameters: list[tuple[Any, ...]] = []
    for row in [{**defaults, **row} for row in rows] if defaults else rows:
        values = take(row) if len(order) > 1 else (take(row),)
        if processed:
            converted = list(values)
            for slot, (index, process) in enumerate(processed):
                value = converted[index]
                if value is not last_in[slot]:
                    last_in[slot], last_out[slot] = value, process(value)
                converted[index] = last_out[slot]
            values = tuple(converted)
        parameters.append(values)
    return str(compiled), parameters


def as_one_statement(statement: str, parameters: Sequence[tuple[Any, ...]]) -> tuple[str, Sequence[tuple[Any, ...]]]:
    """The same rows written by one SQLite statement with a single parameter, the rows as one JSON array:
    `INSERT INTO t (…) VALUES (?, …)` (with or without an ON CONFLICT clause) becomes
    `WITH bulk_rows(bulk_row) AS (SELECT value FROM json_each(?)) INSERT INTO t (…) SELECT bulk_row ->> 0, …`.

    executemany binds every row under Python's lock; while another thread runs Python (the caller preparing the
    next batch), each of those binds waits for the lock: the 100,000 assets of bench/excel.py took 6.8 s to insert
    that way instead of 1.3 s alone. The JSON statement parses and inserts every row without the lock. Each value
    comes back as the driver would have bound it: text, integer (True as 1), real, NULL; a float that is not finite
    comes back as NULL, as SQLite itself stores NaN. Statements of another shape, values JSON cannot carry as they
    are (bytes, a datetime, an integer beyond 64 bits) and SQLite before 3.38 keep the rows as they were, for
    executemany.
    """
    if not _JSON_ROWS or len(parameters) < 2:
        return statement, parameters
    match = _VALUES.search(statement)
    if match is None:
        return statement, parameters
    width = match.group(1).count("?")
    if statement.count("?") != width:
        return statement, parameters
    try:
        rows = orjson.dumps(parameters, option=_PLAIN_JSON).decode()
    except (TypeError, orjson.JSONEncodeError):
        return statement, parameters
    columns = ", ".join(f"bulk_row ->> {index}" for index in range(width))
    # Each row's text is taken from json_each once (MATERIALIZED): read as `value` for every column, json_each would
    # render the row's JSON again each time (three times slower for the assets table). "WHERE true" keeps SQLite
    # from reading an ON CONFLICT that follows as part of the SELECT's join.
    one = (
        f"WITH bulk_rows(bulk_row) AS MATERIALIZED (SELECT value FROM json_each(?)) {statement[: match.start()]}"
        f"SELECT {columns} FROM bulk_rows WHERE true{statement[match.end() :]}"
    )
    return one, [(rows,)]


class BackgroundWriter:
    """Runs prepared statements on the session's own connection (its transaction) in one background thread, one
    batch at a time, while the caller prepares the next batch: SQLite writes without holding Python's lock, so
    building rows and writing them use both cores. Used as a context manager; leaving it waits for the last batch,
    and after an error nothing more is written (the caller's transaction then rolls back).

    While a batch is being written the caller must not use the session: it shares the connection.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._connection = session.connection()
        driver = self._connection.connection.driver_connection
        assert driver is not None  # a live connection, inside the session's transaction
        self._driver = driver
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="closeout-bulk-write")
        self._pending: Future[None] | None = None

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                self.wait()
            elif self._pending is not None:
                futures_wait([self._pending])  # never leave the connection in use behind the caller's rollback
        finally:
            self._pool.shutdown(wait=True)

    def wait(self) -> None:
        """Until the batch being written is in; its failure is raised here, as SQLAlchemy would raise it."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def write(self, batch: Sequence[tuple[str, Sequence[tuple[Any, ...]]]]) -> None:
        """Write these statements (in order) once the previous batch is in; returns at once.

        Plain multi-row INSERTs are made into single statements first (`as_one_statement`), while the previous
        batch is still being written: the writer then runs them without needing Python's lock.
        """
        statements = [as_one_statement(statement, parameters) for statement, parameters in batch]
        self.wait()
        self._pending = self._pool.submit(self._run, statements)

    def _run(self, batch: list[tuple[str, Sequence[tuple[Any, ...]]]]) -> None:
        dbapi = self._connection.dialect.loaded_dbapi
        cursor = self._driver.cursor()
        try:
            for statement, parameters in batch:
                try:
                    cursor.executemany(statement, parameters)
                except dbapi.Error as exc:
                    raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc
        finally:
            cursor.close()
