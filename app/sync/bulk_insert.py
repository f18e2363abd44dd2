"""Many-row INSERTs for applying a pull: the driver's executemany, fed values the way SQLAlchemy would store them."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

_NOTHING = object()


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT `rows` (all with the same keys) into `table` inside the session's transaction.

    Each value goes through its column type's own bind processor and missing columns take their scalar
    defaults, so the stored rows equal those of `session.execute(insert(table), rows)`; only SQLAlchemy's
    per-row parameter bookkeeping is skipped, which was a third of the time of applying a large pull.
    A table with a callable default for a missing column takes the ordinary path.
    """
    if not rows:
        return
    names = list(rows[0])
    missing = [column for column in table.c if column.key not in rows[0] and column.default is not None]
    if any(not getattr(column.default, "is_scalar", False) for column in missing):
        session.execute(insert(table), list(rows))
        return
    connection = session.connection()
    dialect = connection.dialect
    defaults = {column.key: getattr(column.default, "arg", None) for column in missing}
    compiled = insert(table).compile(dialect=dialect, column_keys=[*names, *defaults])
    order = list(compiled.positiontup or ())
    if dialect.paramstyle != "qmark" or sorted(order) != sorted([*names, *defaults]):
        session.execute(insert(table), list(rows))  # another driver, or a statement this shortcut cannot mirror
        return
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
    connection.exec_driver_sql(str(compiled), parameters)
