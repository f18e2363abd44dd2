"""Full-text search over assets (SQLite FTS5): tag, serial, host and addresses, model, user, location, notes.

Identifiers are found by any part too: "90105" finds CZC90105 through their inner parts (see `inner_parts`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import ColumnElement, Integer, ScalarSelect, String, TextClause, column, select, table, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from models import Asset, Location, Site

_TOKEN = re.compile(r"\w+", re.UNICODE)

#: The shortest inner part of an identifier that is indexed: shorter ones ("05" of CZC90105) would make every
#: one- and two-character search match nearly every asset.
INNER_MIN = 3

#: Starts every inner part in the index, so that only a search asking for inner parts finds them (the "7" of
#: "room 7" must not match every serial with a 7 in it). A private-use character: a token character for FTS5's
#: unicode61, never typed, and dropped from typed searches (it is not \w).
INNER_MARK = "\ue000"

#: The columns of a search document, in the order of UPSERT_ROWS's parameters.
DOCUMENT_COLUMNS = ("asset_id", "project_id", "client_id", "tag", "serial", "hostname", "model", "person", "location",
                    "notes", "inside")  # fmt: skip
_ON_CONFLICT = "ON CONFLICT(asset_id) DO UPDATE SET " + ", ".join(
    f"{name}=excluded.{name}" for name in DOCUMENT_COLUMNS if name != "asset_id"
)
_UPSERT = text(
    f"INSERT INTO asset_search_docs ({', '.join(DOCUMENT_COLUMNS)}) "
    f"VALUES ({', '.join(':' + name for name in DOCUMENT_COLUMNS)}) {_ON_CONFLICT}"
)
#: The same with positional parameters, for the driver's executemany (bulk work): tuples in DOCUMENT_COLUMNS order.
UPSERT_ROWS = (
    f"INSERT INTO asset_search_docs ({', '.join(DOCUMENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in DOCUMENT_COLUMNS)}) {_ON_CONFLICT}"
)
_DELETE = text("DELETE FROM asset_search_docs WHERE asset_id = :asset_id")

#: Rowids of the matching documents: the FTS index alone, without reading a document (ten times cheaper for
#: tens of thousands of hits than reading the documents).
MATCHING_ROWIDS = "SELECT rowid FROM asset_search WHERE asset_search MATCH :match"


def matching_documents(columns: str, scope: Mapping[str, str] | None = None) -> TextClause:
    """SELECT `columns` of the documents (alias d) that match the FTS5 query bound as :match, within `scope`
    (project_id and/or client_id, which the documents carry). The full-text index drives: each hit reads one
    document by rowid."""
    scope = scope or {}
    sql = (
        f"SELECT {columns} FROM asset_search s JOIN asset_search_docs d ON d.rowid = s.rowid "
        "WHERE asset_search MATCH :match" + "".join(f" AND d.{name} = :{name}" for name in scope)
    )
    return text(sql).bindparams(**scope)


def search_scope(session: Session, *, project_id: str | None, client_id: str | None) -> dict[str, str]:
    """The project and client conditions a search still needs: none for what the workspace holds alone."""
    scope = {"project_id": project_id, "client_id": client_id}
    return {name: value for name, value in scope.items() if value and not _holds_only(session, name, value)}


_docs = table("asset_search_docs", column("rowid", Integer), column("asset_id", String))


def document_rowid(asset_id: ColumnElement[str] | InstrumentedAttribute[str]) -> ScalarSelect[int]:
    """The rowid of this asset's search document (a correlated lookup in the asset_id index, no row read)."""
    return select(_docs.c.rowid).where(_docs.c.asset_id == asset_id).scalar_subquery()


def count_matches(session: Session, match: str, *, limit: int) -> int:
    """How many documents match the FTS5 query, counting no further than `limit` (reads the index alone)."""
    capped = text(f"SELECT count(*) FROM ({MATCHING_ROWIDS} LIMIT :limit)")
    return int(session.scalar(capped, {"match": match, "limit": limit}) or 0)


def count_matches_in(session: Session, match: str, *, project_id: str | None, client_id: str | None) -> int:
    """How many live assets of the project and/or client match the FTS5 query (the documents alone are read)."""
    scope = search_scope(session, project_id=project_id, client_id=client_id)
    if not scope:  # the workspace holds nothing else: the index alone answers
        return int(
            session.scalar(text("SELECT count(*) FROM asset_search WHERE asset_search MATCH :match"), {"match": match})
            or 0
        )
    return int(session.scalar(matching_documents("count(*)", scope), {"match": match}) or 0)


def _holds_only(session: Session, column_name: str, value: str) -> bool:
    """Whether every asset of the workspace (deleted ones too) has this project or client: two index probes."""
    if column_name not in ("project_id", "client_id"):
        raise ValueError(column_name)
    lowest, highest = session.execute(
        text(f"SELECT (SELECT min({column_name}) FROM assets), (SELECT max({column_name}) FROM assets)")
    ).one()
    return bool(lowest == highest == value)


def build_match(query: str) -> str | None:
    """An FTS5 expression from what a person typed: every word must match, the last of each as a prefix; a word
    of INNER_MIN characters or more may also match inside an identifier (as a marked inner part).

    Punctuated terms (10.0.1.5, ACME-0012, aa:bb) become phrases of their parts, so they match as typed;
    FTS5 operators and quotes in the input are never interpreted.
    """
    parts: list[str] = []
    for term in query.split():
        tokens = _TOKEN.findall(term)
        if not tokens:
            continue
        phrase = '"' + " ".join(tokens) + '"*'
        if len(tokens[0]) < INNER_MIN:
            parts.append(phrase)  # the words alone, as fast as ever: no inner part is that short
        else:
            inner = '"' + INNER_MARK + " ".join(tokens) + '"*'
            parts.append(f"({phrase} OR {inner})")
    return " AND ".join(parts) or None  # explicit: FTS5 does not join parenthesised groups by juxtaposition


def inner_parts(*identifiers: str) -> str:
    """Every tail of the identifiers (tag, serial, host and addresses) that starts inside a word, each marked
    with INNER_MARK, as text for the index: "CZC90105" gives "ZC90105 C90105 90105 0105 105" (marked), so a
    prefix search for the marked "90105" finds it.

    A tail runs to the identifier's end ("WS-0042-B": "S-0042-B", "042-B"...), so a search that spans the
    punctuation ("0042-b") still matches as a phrase. Tails shorter than INNER_MIN characters are left out.
    """
    tails: list[str] = []
    for text_ in identifiers:
        for identifier in text_.split() if text_ else ():
            if identifier.isalnum():  # one word (what \w matches, less "_"): most serials, every MAC without ":"
                tails.extend([identifier[start:] for start in range(1, len(identifier) - INNER_MIN + 1)])
                continue
            for word in _TOKEN.finditer(identifier):
                tails.extend([identifier[start:] for start in range(word.start() + 1, word.end() - INNER_MIN + 1)])
    return INNER_MARK + (" " + INNER_MARK).join(tails) if tails else ""


#: The asset fields a search document is made of.
DOCUMENT_FIELDS = (
    "id", "project_id", "client_id", "asset_tag", "previous_tag", "serial", "hostname", "ip_address", "mac_address",
    "manufacturer", "model", "model_number", "os", "supplier", "assigned_user", "department", "notes",
    "order_number", "custom_fields",
)  # fmt: skip


def document(asset: Asset, site: Site | None, location: Location | None) -> dict[str, str]:
    return document_of(
        {name: getattr(asset, name) for name in DOCUMENT_FIELDS},
        site.name if site else "",
        location.path if location else "",
    )


def document_of(asset: Mapping[str, Any], site_name: str, location_path: str) -> dict[str, str]:
    """The search document of an asset given as field → value (bulk work builds rows, not objects)."""
    custom = " ".join(str(v) for v in (asset["custom_fields"] or {}).values() if v not in (None, ""))
    return {
        "asset_id": asset["id"],
        "project_id": asset["project_id"],
        "client_id": asset["client_id"],
        "tag": " ".join(filter(None, (asset["asset_tag"], asset["previous_tag"]))),
        "serial": asset["serial"],
        "hostname": " ".join(filter(None, (asset["hostname"], asset["ip_address"], asset["mac_address"]))),
        "model": " ".join(
            filter(None, (asset["manufacturer"], asset["model"], asset["model_number"], asset["os"], asset["supplier"]))
        ),
        "person": " ".join(filter(None, (asset["assigned_user"], asset["department"]))),
        "location": " ".join(filter(None, (site_name, location_path))),
        "notes": " ".join(filter(None, (asset["notes"], asset["order_number"], custom))),
        "inside": inner_parts(
            asset["asset_tag"],
            asset["previous_tag"],
            asset["serial"],
            asset["hostname"],
            asset["ip_address"],
            asset["mac_address"],
        ),
    }


#: The indexed columns of a document (the full-text table's columns, in its order).
INDEXED_COLUMNS = ", ".join(DOCUMENT_COLUMNS[3:])


class DeferredIndex:
    """Search documents inserted while `indexed_in_one_pass` holds are indexed by ranges of rowids:
    `next_range(count)` gives the statement that indexes the next `count` documents inserted (run it once they
    are in, on the same connection); whatever is left is indexed when the block ends."""

    #: Indexes the documents whose rowid is in (?, ?].
    STATEMENT = (
        f"INSERT INTO asset_search (rowid, {INDEXED_COLUMNS}) "
        f"SELECT rowid, {INDEXED_COLUMNS} FROM asset_search_docs WHERE rowid > ? AND rowid <= ?"
    )

    def __init__(self, indexed_through: int) -> None:
        self.indexed_through = indexed_through

    def next_range(self, count: int) -> tuple[str, list[tuple[int, int]]]:
        low = self.indexed_through
        self.indexed_through += count
        return self.STATEMENT, [(low, self.indexed_through)]


@contextmanager
def indexed_in_one_pass(session: Session) -> Iterator[DeferredIndex]:
    """Search documents inserted inside this block are indexed by INSERT … SELECT over their rowids, in ranges
    (`DeferredIndex.next_range`) or when the block ends: for thousands of new assets half the time of the insert
    trigger indexing them one by one, and a statement that runs without Python's lock (see `BackgroundWriter`).

    The trigger stands aside while the workspace holds the "search_deferred" flag (revision 0009); the flag
    lives and dies inside the caller's transaction, so no other connection ever sees it, and it is taken away
    even when the block fails (the caller then rolls back). New documents take rowids above every existing one.
    """
    connection = session.connection()
    before = int(connection.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM asset_search_docs").scalar() or 0)
    connection.exec_driver_sql("INSERT INTO workspace_meta (key, value) VALUES ('search_deferred', '1')")
    deferred = DeferredIndex(before)

    def finish() -> None:
        last = connection.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM asset_search_docs").scalar()
        if int(last or 0) > deferred.indexed_through:
            connection.exec_driver_sql(DeferredIndex.STATEMENT, (deferred.indexed_through, int(last or 0)))
        connection.exec_driver_sql("DELETE FROM workspace_meta WHERE key = 'search_deferred'")

    try:
        yield deferred
    except BaseException:
        with suppress(Exception):  # the block's own failure is the one to report
            finish()
        raise
    finish()


def index_assets(session: Session, assets: Iterable[Asset]) -> None:
    """Bring the search documents of these assets up to date (deleted ones are removed)."""
    docs: list[dict[str, str]] = []
    gone: list[dict[str, str]] = []
    for asset in assets:
        if asset.deleted_at is not None:
            gone.append({"asset_id": asset.id})
            continue
        site = session.get(Site, asset.site_id) if asset.site_id else None
        location = session.get(Location, asset.location_id) if asset.location_id else None
        docs.append(document(asset, site, location))
    if docs:
        session.execute(_UPSERT, docs)
    if gone:
        session.execute(_DELETE, gone)


def rebuild_index(session: Session) -> int:
    """Recreate every search document from the assets table (after a repair or a bulk sync)."""
    from sqlalchemy import select

    session.execute(text("DELETE FROM asset_search_docs"))
    count = 0
    batch: list[Asset] = []
    for asset in session.scalars(select(Asset).where(Asset.deleted_at.is_(None))).yield_per(2000):
        batch.append(asset)
        if len(batch) == 2000:
            index_assets(session, batch)
            count += len(batch)
            batch.clear()
    index_assets(session, batch)
    return count + len(batch)
