"""`closeout-cli lifecycle` (the replacement forecast) and `lifecycle-rules` / `lifecycle-rule` (the MSP's rules)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from app.errors import ValidationError
from app.lifecycle import DEFAULT_YEARS, MAX_YEARS, build_forecast, forecast_to_plain, format_money
from app.lifecycle_rules import KEEP, cents_to_money, clear_rule, describe_rules, set_rule
from app.os_support import load_os_support
from app.projects import find_project
from app.validation import normalise_currency

if TYPE_CHECKING:
    from app.cli import Context


def parse_as_of(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"as_of": f"--as-of “{raw}” is not a date like 2026-03-15."}) from None


def years_argument(raw: str) -> int:
    try:
        years = int(raw)
    except ValueError:
        years = 0
    if not 1 <= years <= MAX_YEARS:
        raise argparse.ArgumentTypeError(f"the forecast covers 1 to {MAX_YEARS} years, not “{raw}”")
    return years


def cmd_lifecycle(ctx: Context, args: argparse.Namespace) -> int:
    from app.cli import print_table

    as_of = parse_as_of(args.as_of)
    try:
        currency = normalise_currency(args.currency or "") or None
    except ValueError as exc:
        raise ValidationError({"currency": str(exc)}) from None
    os_table = load_os_support(ctx.home)
    with ctx.session() as s:
        project_ids = [find_project(s, args.project).id] if args.project else None
        forecast = build_forecast(
            s, os_table, project_ids=project_ids, years=args.years, as_of=as_of, currency=currency
        )

    def human() -> None:
        money = forecast.currency
        print(f"Replacement forecast — {forecast.title} (as of {forecast.as_of:%Y-%m-%d}, in {money})")
        rows: list[list[object]] = []
        for category in forecast.categories:
            row: list[object] = [category]
            for year in forecast.years:
                cell = forecast.cell(year, category)
                row.append(f"{cell.count} · {format_money(cell.budget)}" if cell.count else "")
            rows.append(row)
        totals: list[object] = ["Total"]
        totals += [f"{forecast.year_count(y)} · {format_money(forecast.year_budget(y))}" for y in forecast.years]
        print_table(["Category", *map(str, forecast.years)], [*rows, totals])
        print(f"Budget over {len(forecast.years)} years: {format_money(forecast.total_budget, money)}")
        unpriced = sum(forecast.year_unpriced(y) for y in forecast.years)
        notes = [
            f"{forecast.overdue} already past their life (in {forecast.years[0]})" if forecast.overdue else "",
            f"{unpriced} due without a cost estimate in {money}" if unpriced else "",
            f"{forecast.without_purchase_date} without a purchase date" if forecast.without_purchase_date else "",
            f"{forecast.without_life} in categories without an expected life" if forecast.without_life else "",
        ]
        if any(notes):
            print("Not in the budget or worth a look: " + "; ".join(n for n in notes if n) + ".")
        print(f"Out of warranty or expiring within 90 days: {len(forecast.out_of_warranty)}")
        for a in forecast.out_of_warranty:
            print(f"  {a.asset_tag}  {a.category}  {a.warranty.label}  {a.warranty_end:%Y-%m-%d}")
        print(f"Operating system out of support: {len(forecast.out_of_support)}")
        for a in forecast.out_of_support:
            ended = f"{a.os_end_of_support:%Y-%m-%d}" if a.os_end_of_support else ""
            print(f"  {a.asset_tag}  {a.os}  ended {ended}")

    ctx.emit(forecast_to_plain(forecast), human)
    return 0


def cmd_rules(ctx: Context, args: argparse.Namespace) -> int:
    from app.cli import print_table

    with ctx.session() as s:
        rows = [
            [r.category, r.model, r.life_years, "" if r.cost is None else format_money(r.cost, r.currency), r.source]
            for r in describe_rules(s)
        ]
    data = [dict(zip(("category", "model", "life_years", "cost", "source"), r, strict=True)) for r in rows]
    ctx.emit(data, lambda: print_table(["Category", "Model", "Life (years)", "Replacement cost", "Source"], rows))
    return 0


def cmd_rule(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.transaction() as s:
        if args.clear:
            cleared = clear_rule(s, args.category, model=args.model or "", actor=ctx.actor)
            data = {"category": args.category, "model": args.model or "", "cleared": cleared}
            ctx.emit(data, lambda: print(f"Cleared {cleared} rule(s); the fallback applies again."))
            return 0
        rule = set_rule(
            s,
            args.category,
            model=args.model or "",
            life=KEEP if args.life is None else args.life,
            cost=KEEP if args.cost is None else args.cost,
            currency=KEEP if args.currency is None else args.currency,
            actor=ctx.actor,
        )
        data = {
            "category": args.category,
            "model": rule.model,
            "life_years": rule.expected_life_years,
            "cost": None if rule.replacement_cost_cents is None else str(cents_to_money(rule.replacement_cost_cents)),
            "currency": rule.currency,
        }
    ctx.emit(data, lambda: print("Saved; it syncs with the catalog (only an administrator may change a rule)."))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("lifecycle", help="the replacement forecast: assets due and budget per year and category")
    p.add_argument("--project", "-p", help="one project (default: all projects)")
    p.add_argument("--years", type=years_argument, default=DEFAULT_YEARS, help=f"years ahead (default {DEFAULT_YEARS})")
    p.add_argument("--as-of", metavar="DATE", help="count ages and warranties as of this day (default: today)")
    p.add_argument("--currency", help="the report's currency (default: the one the client's records use most)")
    p.set_defaults(handler=cmd_lifecycle)
    p = sub.add_parser("lifecycle-rules", help="expected life and replacement cost per category and model")
    p.set_defaults(handler=cmd_rules)
    p = sub.add_parser("lifecycle-rule", help="set (or --clear) the expected life and cost of a category or model")
    p.add_argument("category", help="category code or name")
    p.add_argument("--model", help="one model (name or model number) instead of the whole category")
    p.add_argument("--life", metavar="YEARS", help="expected life in years")
    p.add_argument("--cost", help="replacement cost, e.g. 1400 or “CHF 1'299.00”")
    p.add_argument("--currency", help="currency of the cost (default: the report's)")
    p.add_argument("--clear", action="store_true", help="remove the rule; the defaults apply again")
    p.set_defaults(handler=cmd_rule)
