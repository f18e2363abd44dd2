"""Reading assets for lists: filters, sorting and paging done in SQL so 100,000 rows stay fast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, literal_column, select, text
from sqlalchemy.orm import Session, aliased

from app.search import MATCHING_IDS, build_match
from models import Asset, AssetStatus, Category, Location, Site


@dataclass(frozen=True)
class AssetFilter:
    project_id: str | None = None
    client_id: str | None = None
    site_id: str | None = None
    #: A location and everything inside it.
    location_id: str | None = None
    category_id: str | None = None
    status: AssetStatus | None = None
    needs_attention: bool = False
    text: str = ""


@dataclass(frozen=True, slots=True)
class AssetRow:
    id: str
    asset_tag: str
    category: str
    manufacturer: str
    model: str
    serial: str
    hostname: str
    ip_address: str
    mac_address: str
    site: str
    location: str
    assigned_user: str
    status: AssetStatus
    needs_attention: bool
    attention: list[str]
    updated_at: datetime


_cat = aliased(Category)
_site = aliased(Site)
_loc = aliased(Location)

SORT_COLUMNS: dict[str, Any] = {
    "asset_tag": Asset.asset_tag,
    "category": _cat.name,
    "manufacturer": Asset.manufacturer,
    "model": Asset.model,
    "serial": Asset.serial,
    "hostname": Asset.hostname,
    "ip_address": Asset.ip_address,
    "mac_address": Asset.mac_address,
    "site": _site.name,
    "location": _loc.path,
    "assigned_user": Asset.assigned_user,
    "status": Asset.status,
    "needs_attention": Asset.needs_attention,
    "updated_at": Asset.updated_at,
}


_Q = TypeVar("_Q", bound=Select[*tuple[Any, ...]])


def _where(query: _Q, flt: AssetFilter) -> _Q:
    query = query.where(Asset.deleted_at.is_(None))
    if flt.project_id:
        query = query.where(Asset.project_id == flt.project_id)
    if flt.client_id:
        query = query.where(Asset.client_id == flt.client_id)
    if flt.site_id:
        query = query.where(Asset.site_id == flt.site_id)
    if flt.location_id:
        tree = select(Location.id).where(Location.id == flt.location_id).cte("tree", recursive=True)
        tree = tree.union_all(select(Location.id).where(Location.parent_id == tree.c.id))
        query = query.where(Asset.location_id.in_(select(tree.c.id)))
    if flt.category_id:
        query = query.where(Asset.category_id == flt.category_id)
    if flt.status:
        query = query.where(Asset.status == flt.status)
    if flt.needs_attention:
        query = query.where(Asset.needs_attention.is_(True))
    match = build_match(flt.text)
    if match:
        query = query.where(
            Asset.id.in_(text(MATCHING_IDS).bindparams(match=match).columns(literal_column("asset_id")))
        )
    return query


def count_assets(session: Session, flt: AssetFilter) -> int:
    return int(session.scalar(_where(select(func.count()).select_from(Asset), flt)) or 0)


def query_assets(
    session: Session,
    flt: AssetFilter,
    *,
    sort: str = "asset_tag",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> list[AssetRow]:
    """One page of list rows, sorted in SQL (ties broken by tag then id so pages never overlap)."""
    column = SORT_COLUMNS.get(sort, Asset.asset_tag)
    order = [column.desc() if descending else column.asc(), Asset.asset_tag, Asset.id]
    query = (
        select(
            Asset.id,
            Asset.asset_tag,
            func.coalesce(_cat.name, ""),
            Asset.manufacturer,
            Asset.model,
            Asset.serial,
            Asset.hostname,
            Asset.ip_address,
            Asset.mac_address,
            func.coalesce(_site.name, ""),
            func.coalesce(_loc.path, ""),
            Asset.assigned_user,
            Asset.status,
            Asset.needs_attention,
            Asset.attention,
            Asset.updated_at,
        )
        .select_from(Asset)
        .outerjoin(_cat, _cat.id == Asset.category_id)
        .outerjoin(_site, _site.id == Asset.site_id)
        .outerjoin(_loc, and_(_loc.id == Asset.location_id))
    )
    query = _where(query, flt).order_by(*order).offset(offset).limit(limit)
    rows: list[tuple[Any, ...]] = [tuple(row) for row in session.execute(query)]
    return [AssetRow(*row) for row in rows]


def search_assets(session: Session, project_id: str | None, text_query: str, limit: int = 50) -> list[AssetRow]:
    return query_assets(session, AssetFilter(project_id=project_id, text=text_query), limit=limit)
