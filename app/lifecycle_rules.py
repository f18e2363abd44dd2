"""Lifecycle rules: expected life and replacement cost per category (shipped defaults, the MSP's own rules) and per
model, read and written through the journal (they sync with the catalog: anyone adds, an admin changes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import find_category
from app.errors import ValidationError
from app.journal import record_create, record_delete, record_update
from app.validation import normalise_currency, printable, split_cost
from models import Category, LifecycleRule

CENT = Decimal("0.01")
#: `set_rule`'s "leave this value as it is".
KEEP: Any = object()
MAX_LIFE_YEARS = 50
MAX_COST = Decimal("100000000")

#: Expected life in years of the default categories' hardware. A virtual machine is not bought and replaced, so
#: it has none (nor does "other" until the MSP says); UPS means its battery, the part replaced on a schedule.
DEFAULT_LIFE_YEARS: dict[str, int] = {
    "server": 5,
    "workstation": 5,
    "laptop": 4,
    "switch": 7,
    "firewall": 7,
    "access_point": 5,
    "storage": 5,
    "ups": 3,
    "printer": 5,
    "phone": 7,
    "mobile": 3,
    "monitor": 6,
}
#: A like-for-like replacement, in the report's currency, until the MSP enters its own prices.
DEFAULT_COSTS: dict[str, Decimal] = {
    code: Decimal(value)
    for code, value in {
        "server": "8000.00",
        "workstation": "1100.00",
        "laptop": "1400.00",
        "switch": "2500.00",
        "firewall": "2500.00",
        "access_point": "450.00",
        "storage": "6000.00",
        "ups": "300.00",
        "printer": "700.00",
        "phone": "250.00",
        "mobile": "800.00",
        "monitor": "250.00",
    }.items()
}


def to_money(value: Decimal | int | float | str) -> Decimal:
    """An amount as Decimal cents. A float (the asset's stored purchase cost) goes through its shortest text, so
    1299.1 stays 1299.10 rather than 1299.0999…"""
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def cents_to_money(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(CENT)


def parse_money(raw: object) -> tuple[Decimal | None, str]:
    """What a person typed as a cost ("1'299.50", "€ 1.299,50", 1299.5) → (amount, currency written with it)."""
    if isinstance(raw, Decimal):
        return to_money(raw), ""
    amount, currency = split_cost(raw)
    return (None if amount is None else to_money(amount)), currency


@dataclass(frozen=True)
class Rule:
    """The rule in force for one category or model, and where each half came from ("model", "category",
    "default" or "" when there is none)."""

    life_years: int | None
    cost: Decimal | None
    currency: str
    life_source: str
    cost_source: str


class RuleBook:
    """Every live rule, indexed for the forecast: `rule_for(category, model, model_number)`."""

    def __init__(self, categories: Iterable[Category], rules: Iterable[LifecycleRule]) -> None:
        self.codes = {c.id: c.code for c in categories}
        self.by_category: dict[str, LifecycleRule] = {}
        self.by_model: dict[tuple[str, str], LifecycleRule] = {}
        # Two devices may each add a rule for the same category offline: the newest one wins, the same on all.
        for rule in sorted(rules, key=lambda r: (r.updated_at, r.id)):
            if rule.model.strip():
                self.by_model[(rule.category_id, rule.model.strip().lower())] = rule
            else:
                self.by_category[rule.category_id] = rule
        self._cache: dict[tuple[str | None, str, str], Rule] = {}
        self._with_models = {category_id for category_id, _model in self.by_model}
        self._by_category_only: dict[str | None, Rule] = {}

    def category_rule(self, category_id: str | None) -> Rule:
        code = self.codes.get(category_id or "", "")
        own = self.by_category.get(category_id or "")
        life, life_source = DEFAULT_LIFE_YEARS.get(code), "default"
        cost, cost_source, currency = DEFAULT_COSTS.get(code), "default", ""
        if own is not None and own.expected_life_years is not None:
            life, life_source = own.expected_life_years, "category"
        if own is not None and own.replacement_cost_cents is not None:
            cost, cost_source, currency = cents_to_money(own.replacement_cost_cents), "category", own.currency
        return Rule(life, cost, currency, life_source if life else "", cost_source if cost is not None else "")

    def rule_for(self, category_id: str | None, model: str, model_number: str) -> Rule:
        if category_id not in self._with_models:  # most categories have no model override: one lookup
            found = self._by_category_only.get(category_id)
            if found is None:
                found = self._by_category_only[category_id] = self.category_rule(category_id)
            return found
        key = (category_id, model, model_number)
        found = self._cache.get(key)
        if found is None:
            found = self.category_rule(category_id)
            override = None
            for name in (model_number, model):
                if name.strip() and category_id:
                    override = override or self.by_model.get((category_id, name.strip().lower()))
            if override is not None:
                life, life_source = found.life_years, found.life_source
                cost, cost_source, currency = found.cost, found.cost_source, found.currency
                if override.expected_life_years is not None:
                    life, life_source = override.expected_life_years, "model"
                if override.replacement_cost_cents is not None:
                    cost, cost_source = cents_to_money(override.replacement_cost_cents), "model"
                    currency = override.currency
                found = Rule(life, cost, currency, life_source, cost_source)
            self._cache[key] = found
        return found


def list_rules(session: Session) -> list[LifecycleRule]:
    return list(
        session.scalars(
            select(LifecycleRule)
            .where(LifecycleRule.deleted_at.is_(None))
            .order_by(LifecycleRule.category_id, LifecycleRule.model, LifecycleRule.updated_at)
        )
    )


def load_rule_book(session: Session) -> RuleBook:
    categories = session.scalars(select(Category).where(Category.deleted_at.is_(None)))
    return RuleBook(categories, list_rules(session))


def clean_rule_values(life: Any, cost: Any, currency: Any) -> dict[str, Any]:
    """Typed rule values from what a person entered; every problem named in one ValidationError."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if life is None or (isinstance(life, str) and not life.strip()):
        values["expected_life_years"] = None
    else:
        try:
            years = int(str(life).strip())
            if not 1 <= years <= MAX_LIFE_YEARS:
                raise ValueError
            values["expected_life_years"] = years
        except ValueError:
            errors["expected_life_years"] = f"Expected life is a whole number of years from 1 to {MAX_LIFE_YEARS}."
    written = ""
    try:
        amount, written = parse_money(cost)
        if amount is not None and not Decimal(0) <= amount < MAX_COST:
            raise ValueError(f"a replacement cost lies between 0 and {MAX_COST:,}")
        values["replacement_cost_cents"] = None if amount is None else int(amount * 100)
    except (ValueError, InvalidOperation) as exc:
        errors["replacement_cost"] = f"Replacement cost: {exc}"
    try:
        code = normalise_currency(str(currency or ""))
        if written and code and written != code:
            raise ValueError(f"the cost is written in {written} but the currency says {code}.")
        values["currency"] = code or written
    except ValueError as exc:
        errors["currency"] = f"Currency: {exc}"
    if errors:
        raise ValidationError(errors)
    return values


def set_rule(
    session: Session,
    category_ref: str,
    *,
    model: str = "",
    life: Any = KEEP,
    cost: Any = KEEP,
    currency: Any = KEEP,
    notes: Any = KEEP,
    actor: str,
) -> LifecycleRule:
    """Create or change the rule of a category (no `model`) or of one model in it. An empty value falls back (to
    the category's rule, then the shipped default); a value not given (KEEP) stays as it was."""
    category = find_category(session, category_ref)
    model = printable(model).strip()
    if len(model) > 160:
        raise ValidationError({"model": "A model name has at most 160 characters."})
    given = {"expected_life_years": life, "replacement_cost_cents": cost, "currency": currency}
    cleaned = clean_rule_values(*(None if v is KEEP else v for v in given.values()))
    values = {k: v for k, v in cleaned.items() if given[k] is not KEEP or (k == "currency" and cost is not KEEP)}
    if notes is not KEEP:
        values["notes"] = printable(str(notes or "")).strip()
    existing = session.scalars(
        select(LifecycleRule)
        .where(LifecycleRule.category_id == category.id, LifecycleRule.deleted_at.is_(None))
        .order_by(LifecycleRule.updated_at.desc(), LifecycleRule.id.desc())
    ).all()
    same = next((r for r in existing if r.model.strip().lower() == model.lower()), None)
    if same is not None:
        record_update(session, same, values, actor)
        return same
    rule = LifecycleRule(category_id=category.id, model=model, **values)
    record_create(session, rule, actor)
    return rule


def delete_rule(session: Session, rule: LifecycleRule, *, actor: str) -> None:
    """Back to the fallback (the category's rule, or the shipped default)."""
    record_delete(session, rule, actor)


def clear_rule(session: Session, category_ref: str, *, model: str = "", actor: str) -> int:
    """Delete the rule(s) of a category (no `model`) or of one model in it; returns how many there were."""
    category = find_category(session, category_ref)
    wanted = model.strip().lower()
    found = [r for r in list_rules(session) if r.category_id == category.id and r.model.strip().lower() == wanted]
    for rule in found:
        delete_rule(session, rule, actor=actor)
    return len(found)


@dataclass(frozen=True)
class RuleLine:
    """One line of the rules as the MSP sees them: each category's rule in force, then each model override."""

    category_id: str
    category: str
    model: str
    life_years: int | None
    cost: Decimal | None
    currency: str
    #: "default" (all shipped), "category" (the MSP set its life or cost) or "model" (an override).
    source: str
    rule_id: str | None


def describe_rules(session: Session) -> list[RuleLine]:
    categories = list(
        session.scalars(select(Category).where(Category.deleted_at.is_(None)).order_by(Category.position))
    )
    rules = list_rules(session)
    book = RuleBook(categories, rules)
    lines: list[RuleLine] = []
    for category in categories:
        rule = book.category_rule(category.id)
        own = book.by_category.get(category.id)
        # "category" as soon as the MSP set either half; the other half may still be the shipped default.
        source = "category" if "category" in (rule.life_source, rule.cost_source) else "default"
        lines.append(RuleLine(category.id, category.name, "", rule.life_years, rule.cost, rule.currency, source,
                              own.id if own else None))  # fmt: skip
        for (category_id, _key), override in sorted(book.by_model.items()):
            if category_id == category.id:
                lines.append(RuleLine(category.id, category.name, override.model, override.expected_life_years,
                                      cents_to_money(override.replacement_cost_cents), override.currency, "model",
                                      override.id))  # fmt: skip
    return lines
