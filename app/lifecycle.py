"""Lifecycle of the captured assets: age, warranty, planned replacement, cost and OS support per asset, and the
replacement forecast (count and budget per year and category) that an MSP brings to the first business review.

Money is Decimal throughout; the asset's stored purchase cost (a float rounded to cents) is converted on reading.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.lifecycle_rules import RuleBook, load_rule_book, to_money
from app.os_support import OsSupportTable
from models import ActivationProject, Asset, AssetStatus, Category, Client, LifecycleRule

DEFAULT_YEARS = 5
MAX_YEARS = 30
EXPIRING_DAYS = 90
FALLBACK_CURRENCY = "EUR"
UNCATEGORISED = "Uncategorised"
#: One colour per category in the charts (colour-blind-safe Okabe-Ito, then greys): the app, the PDF alike.
CATEGORY_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
                    "#7f7f7f", "#a6a6a6", "#c7c7c7", "#4d4d4d")  # fmt: skip
_DAYS_PER_YEAR = Decimal("365.25")
_TENTH = Decimal("0.1")
ZERO = Decimal("0.00")


class WarrantyState(StrEnum):
    IN_WARRANTY = "in_warranty"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            "in_warranty": "In warranty",
            "expiring": f"Expires within {EXPIRING_DAYS} days",
            "expired": "Expired",
            "unknown": "Unknown",
        }[self.value]


def format_money(amount: Decimal, currency: str = "") -> str:
    """1234.5 → "1,234.50 EUR" (grouped, two decimals; the code after the amount, as on an invoice)."""
    return f"{amount:,.2f} {currency}".rstrip()


def warranty_state(warranty_end: date | None, as_of: date) -> WarrantyState:
    if warranty_end is None:
        return WarrantyState.UNKNOWN
    if warranty_end < as_of:
        return WarrantyState.EXPIRED
    if warranty_end <= as_of + timedelta(days=EXPIRING_DAYS):
        return WarrantyState.EXPIRING
    return WarrantyState.IN_WARRANTY


def age_in_years(purchase_date: date | None, as_of: date) -> Decimal | None:
    """Years since purchase, to a tenth (365.25 days a year); None when the purchase date is not known."""
    if purchase_date is None:
        return None
    return (Decimal((as_of - purchase_date).days) / _DAYS_PER_YEAR).quantize(_TENTH)


# Not frozen: a frozen dataclass sets each of these fields through object.__setattr__, which made building
# 100,000 of them the slowest part of the forecast. Nothing changes one after `assess` made it.
@dataclass(slots=True)
class AssetLifecycle:
    asset_id: str
    asset_tag: str
    category: str
    manufacturer: str
    model: str
    os: str
    purchase_date: date | None
    warranty_end: date | None
    age_years: Decimal | None
    warranty: WarrantyState
    life_years: int | None
    #: The year it is due; an asset past its life is due in the first year of the forecast (`overdue`).
    replacement_year: int | None
    overdue: bool
    cost: Decimal | None
    #: "model", "category", "default", "purchase" (its own purchase cost) or "" (no estimate in the currency).
    cost_source: str
    #: The report's currency, which `cost` is in.
    currency: str
    os_system: str | None
    os_end_of_support: date | None
    #: True/False by the OS table; None when the OS is not recorded or not in the table.
    os_out_of_support: bool | None


class Assessor:
    """Turns asset rows (the `_ROW_COLUMNS` tuple) into `AssetLifecycle`s for one day and currency.

    Rules, ages and warranty states repeat across a client's assets, so each is worked out once and remembered:
    that keeps a 100,000-asset forecast within a second.
    """

    def __init__(
        self, book: RuleBook, os_table: OsSupportTable, as_of: date, currency: str, names: dict[str, str]
    ) -> None:
        self.book, self.os_table, self.as_of, self.currency, self.names = book, os_table, as_of, currency, names
        self._ages: dict[date | None, Decimal | None] = {}
        self._warranty: dict[date | None, WarrantyState] = {}

    def __call__(self, row: Sequence[Any]) -> AssetLifecycle:
        (asset_id, tag, category_id, manufacturer, model, model_number, os_text, bought, warranty_end, paid,
         paid_currency) = row[:11]  # fmt: skip
        as_of, currency = self.as_of, self.currency
        rule = self.book.rule_for(category_id, model, model_number)
        replacement_year: int | None = None
        overdue = False
        if bought is not None and rule.life_years:
            replacement_year = bought.year + rule.life_years
            if replacement_year < as_of.year:
                replacement_year, overdue = as_of.year, True
        cost: Decimal | None = None
        source = ""
        if rule.cost is not None and rule.currency in ("", currency):
            cost, source = rule.cost, rule.cost_source
        elif rule.cost is None and paid is not None and paid_currency in ("", currency):
            cost, source = to_money(paid), "purchase"
        if bought in self._ages:
            age = self._ages[bought]
        else:
            age = self._ages[bought] = age_in_years(bought, as_of)
        warranty = self._warranty.get(warranty_end)
        if warranty is None:
            warranty = self._warranty[warranty_end] = warranty_state(warranty_end, as_of)
        verdict = self.os_table.verdict(os_text, as_of)
        return AssetLifecycle(
            asset_id, tag, self.names.get(category_id, UNCATEGORISED), manufacturer, model, os_text, bought,
            warranty_end, age, warranty, rule.life_years, replacement_year, overdue, cost, source, currency,
            verdict.system, verdict.end_of_support, verdict.out_of_support,
        )  # fmt: skip


@dataclass(frozen=True)
class ForecastCell:
    year: int
    category: str
    count: int
    budget: Decimal
    #: Assets due without a cost estimate in the report's currency (counted, not in the budget).
    unpriced: int


@dataclass
class Forecast:
    title: str
    as_of: date
    currency: str
    years: list[int]
    #: Categories with at least one asset due in the window, in catalog order.
    categories: list[str]
    cells: dict[tuple[int, str], ForecastCell]
    assets: list[AssetLifecycle]
    out_of_warranty: list[AssetLifecycle] = field(default_factory=list)
    out_of_support: list[AssetLifecycle] = field(default_factory=list)
    overdue: int = 0
    without_purchase_date: int = 0
    without_life: int = 0

    def cell(self, year: int, category: str) -> ForecastCell:
        return self.cells.get((year, category)) or ForecastCell(year, category, 0, ZERO, 0)

    def year_count(self, year: int) -> int:
        return sum(self.cell(year, c).count for c in self.categories)

    def year_budget(self, year: int) -> Decimal:
        return sum((self.cell(year, c).budget for c in self.categories), ZERO)

    def year_unpriced(self, year: int) -> int:
        return sum(self.cell(year, c).unpriced for c in self.categories)

    @property
    def total_budget(self) -> Decimal:
        return sum((self.year_budget(y) for y in self.years), ZERO)

    @property
    def total_due(self) -> int:
        return sum(self.year_count(y) for y in self.years)


_ROW_COLUMNS = (
    Asset.id,
    Asset.asset_tag,
    Asset.category_id,
    Asset.manufacturer,
    Asset.model,
    Asset.model_number,
    Asset.os,
    Asset.purchase_date,
    Asset.warranty_end,
    Asset.purchase_cost,
    Asset.currency,
)


def report_currency(session: Session, project_ids: Sequence[str] | None) -> str:
    """The currency the client's own records use most (their purchase costs), else the MSP's rules', else EUR."""
    query = (
        select(Asset.currency, func.count())
        .where(Asset.deleted_at.is_(None), Asset.currency != "")
        .group_by(Asset.currency)
    )
    if project_ids is not None:
        query = query.where(Asset.project_id.in_(project_ids))
    used: Counter[str] = Counter({str(code): int(n) for code, n in session.execute(query)})
    if not used:
        rules = select(LifecycleRule.currency).where(LifecycleRule.deleted_at.is_(None), LifecycleRule.currency != "")
        used = Counter(session.scalars(rules))
    return used.most_common(1)[0][0] if used else FALLBACK_CURRENCY


def _title(session: Session, project_ids: Sequence[str] | None) -> str:
    if project_ids is None:
        return "All projects"
    rows = session.execute(
        select(ActivationProject.code, Client.name)
        .join(Client, Client.id == ActivationProject.client_id)
        .where(ActivationProject.id.in_(project_ids))
        .order_by(ActivationProject.code)
    ).all()
    return "; ".join(f"{client} · {code}" for code, client in rows) or "No project"


def build_forecast(
    session: Session,
    os_table: OsSupportTable,
    *,
    project_ids: Sequence[str] | None = None,
    years: int = DEFAULT_YEARS,
    as_of: date | None = None,
    currency: str | None = None,
) -> Forecast:
    """The forecast of the given projects' live assets (all projects when None); retired assets are left out."""
    if not 1 <= years <= MAX_YEARS:
        raise ValueError(f"A forecast covers 1 to {MAX_YEARS} years, not {years}.")
    today = as_of or date.today()
    money = currency or report_currency(session, project_ids)
    book = load_rule_book(session)
    categories = session.execute(select(Category.id, Category.name).order_by(Category.position, Category.name)).all()
    names = {cid: name for cid, name in categories}
    query = (
        select(*_ROW_COLUMNS)
        .where(Asset.deleted_at.is_(None), Asset.status != AssetStatus.RETIRED)
        .order_by(Asset.asset_tag)
    )
    if project_ids is not None:
        query = query.where(Asset.project_id.in_(project_ids))
    window = [today.year + i for i in range(years)]
    last = window[-1]
    assess = Assessor(book, os_table, today, money, names)
    # Through the connection, not the ORM: plain rows of columns need none of its identity bookkeeping.
    assessed = [assess(row) for row in session.connection().execute(query)]
    forecast = Forecast(_title(session, project_ids), today, money, window, [], {}, assessed)
    due: dict[tuple[int, str], list[AssetLifecycle]] = defaultdict(list)
    for item in assessed:
        year = item.replacement_year
        if year is not None and year <= last:
            due[(year, item.category)].append(item)
    for key, items in due.items():
        costs = [i.cost for i in items if i.cost is not None]
        forecast.cells[key] = ForecastCell(*key, len(items), sum(costs, ZERO), len(items) - len(costs))
        forecast.overdue += sum(i.overdue for i in items)
    forecast.without_purchase_date = sum(1 for a in assessed if a.purchase_date is None)
    forecast.without_life = sum(1 for a in assessed if a.purchase_date is not None and a.life_years is None)
    used = {category for _year, category in due}
    forecast.categories = [n for n in dict.fromkeys([*names.values(), UNCATEGORISED]) if n in used]
    # Both lists only hold assets with the date they are sorted by (an expired warranty has an end, an ended OS
    # its end of support); the rows come in tag order and the sort is stable, so ties stay in tag order.
    late = (WarrantyState.EXPIRED, WarrantyState.EXPIRING)
    forecast.out_of_warranty = sorted((a for a in assessed if a.warranty in late), key=attrgetter("warranty_end"))
    ended = (a for a in assessed if a.os_out_of_support)
    forecast.out_of_support = sorted(ended, key=attrgetter("os_end_of_support"))
    return forecast


def asset_lifecycle(
    session: Session, asset_id: str, os_table: OsSupportTable, *, as_of: date | None = None
) -> AssetLifecycle | None:
    """One asset's lifecycle, as the forecast of its project counts it (for the asset editor)."""
    row = session.execute(select(*_ROW_COLUMNS, Asset.project_id).where(Asset.id == asset_id)).first()
    if row is None:
        return None
    name = session.scalar(select(Category.name).where(Category.id == row.category_id))
    names = {row.category_id: name} if name else {}
    money = report_currency(session, [row.project_id])
    return Assessor(load_rule_book(session), os_table, as_of or date.today(), money, names)(tuple(row))


def forecast_to_plain(forecast: Forecast) -> dict[str, Any]:
    """The forecast as JSON-ready data (amounts as exact decimal text), for `closeout-cli lifecycle --json`."""

    def asset(a: AssetLifecycle) -> dict[str, Any]:
        return {
            "asset_tag": a.asset_tag,
            "category": a.category,
            "model": " ".join(p for p in (a.manufacturer, a.model) if p),
            "os": a.os,
            "age_years": None if a.age_years is None else str(a.age_years),
            "warranty": a.warranty.value,
            "warranty_end": a.warranty_end.isoformat() if a.warranty_end else None,
            "replacement_year": a.replacement_year,
            "overdue": a.overdue,
            "cost": None if a.cost is None else str(a.cost),
            "os_end_of_support": a.os_end_of_support.isoformat() if a.os_end_of_support else None,
            "os_out_of_support": a.os_out_of_support,
        }

    return {
        "title": forecast.title,
        "as_of": forecast.as_of.isoformat(),
        "currency": forecast.currency,
        "years": [
            {
                "year": y,
                "count": forecast.year_count(y),
                "budget": str(forecast.year_budget(y)),
                "unpriced": forecast.year_unpriced(y),
                "categories": [
                    {"category": c, "count": cell.count, "budget": str(cell.budget), "unpriced": cell.unpriced}
                    for c in forecast.categories
                    if (cell := forecast.cell(y, c)).count
                ],
            }
            for y in forecast.years
        ],
        "total_budget": str(forecast.total_budget),
        "total_due": forecast.total_due,
        "overdue": forecast.overdue,
        "without_purchase_date": forecast.without_purchase_date,
        "without_life": forecast.without_life,
        "out_of_warranty": [asset(a) for a in forecast.out_of_warranty],
        "out_of_support": [asset(a) for a in forecast.out_of_support],
    }
