"""`closeout-cli kt|golive|actions|signoff|close|kpis`: the closeout workflow without a window."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from app.closure import close_project, closure_report
from app.errors import ValidationError
from app.golive import (
    ENTRY_CONDITIONS,
    add_action,
    entry_conditions_of,
    get_call,
    hold_call,
    list_actions,
    mark_live,
    schedule_call,
    services_of,
    set_action_status,
    set_adoption,
    set_attendees,
    set_entry_condition,
    set_satisfaction,
)
from app.handover import (
    KT_TEXT_FIELDS,
    acknowledge,
    add_attendee,
    ensure_kt,
    hold_kt,
    kt_progress,
    schedule_kt,
    set_topic,
    update_kt,
)
from app.journal import to_plain
from app.kpis import describe_portfolio, describe_project, portfolio_kpis, project_kpis
from app.projects import find_project
from app.signoff import list_signoffs, sign, verify_signoff
from models import ActionStatus, SignoffMethod

if TYPE_CHECKING:
    from app.cli import Context

Handler = Callable[["Context", argparse.Namespace], int]


def _when(text: str | None) -> datetime | None:
    """A date or date-time from the command line, taken as UTC when it names no zone."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError({"at": f"“{text}” is not a date like 2026-12-01 or 2026-12-01T14:30."}) from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _shown(value: datetime | str | None) -> str:
    """A moment as people read it: local date, hour and minute with the zone; "—" when there is none."""
    if not value:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError({"due": f"“{text}” is not a date like 2026-12-01."}) from exc


def _pid(ctx: Context, args: argparse.Namespace) -> str:
    with ctx.session() as s:
        return find_project(s, args.project).id


def _kv(rows: list[tuple[str, Any]]) -> None:
    width = max((len(k) for k, _ in rows), default=0)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")


# -- knowledge transfer -------------------------------------------------------------------------------------------


def cmd_kt_show(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    with ctx.transaction() as s:
        kt = ensure_kt(s, pid, actor=ctx.actor)
        data = {k: to_plain(getattr(kt, k)) for k in ("scheduled_at", "held_at", "presenter", "attendees", "topics")}
        data.update({k: getattr(kt, k) for k in KT_TEXT_FIELDS})
        covered, topics, acked, people = kt_progress(kt)

    def human() -> None:
        _kv([("Scheduled", _shown(data["scheduled_at"])), ("Held", _shown(data["held_at"])),
             ("Presenter", data["presenter"] or "—"), ("Topics covered", f"{covered} of {topics}"),
             ("Acknowledged", f"{acked} of {people} attendees")])  # fmt: skip
        for t in data["topics"]:
            print(
                f"  [{'x' if t.get('covered') else ' '}] {t['title']}" + (f": {t['notes']}" if t.get("notes") else "")
            )
        for a in data["attendees"]:
            print(f"  {a['name']} ({a.get('role', '')}): {'acknowledged' if a.get('acknowledged_at') else 'not yet'}")

    ctx.emit(data, human)
    return 0


def cmd_kt_schedule(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    when = _when(args.at)
    assert when is not None
    with ctx.transaction() as s:
        schedule_kt(s, pid, when=when, presenter=args.presenter, actor=ctx.actor)
    print(f"Knowledge transfer scheduled for {_shown(when)}.")
    return 0


def cmd_kt_hold(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    with ctx.transaction() as s:
        kt = hold_kt(s, pid, held_at=_when(args.at), presenter=args.presenter, actor=ctx.actor)
        held = kt.held_at
    print(f"Knowledge transfer recorded as held at {_shown(held)}.")
    return 0


def cmd_kt_attendee(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    with ctx.transaction() as s:
        add_attendee(s, pid, name=args.name, role=args.role, actor=ctx.actor)
    print(f"{args.name} added to the knowledge-transfer attendees.")
    return 0


def cmd_kt_ack(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    with ctx.transaction() as s:
        acknowledge(s, pid, name=args.name, actor=ctx.actor)
    print(f"{args.name} acknowledged the briefing.")
    return 0


def cmd_kt_topic(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    with ctx.transaction() as s:
        set_topic(s, pid, key=args.topic, covered=args.covered, notes=args.notes, actor=ctx.actor)
    print(f"Topic “{args.topic}” updated.")
    return 0


def cmd_kt_set(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    values: dict[str, str] = {}
    for pair in args.fields:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValidationError({key: f"Write {key}=VALUE (fields: {', '.join(KT_TEXT_FIELDS)})."})
        values[key.strip()] = value.replace("\\n", "\n")
    with ctx.transaction() as s:
        changed = update_kt(s, pid, values, actor=ctx.actor)
    print(f"Changed: {', '.join(changed) or 'nothing'}.")
    return 0


# -- go-live call -------------------------------------------------------------------------------------------------


def cmd_golive_show(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.session() as s:
        project = find_project(s, args.project)
        call = get_call(s, project.id)
        data: dict[str, Any] = {
            "project": project.code,
            "status": project.status.value,
            "target_go_live": to_plain(project.target_go_live),
            "actual_go_live": to_plain(project.actual_go_live),
            "services_live": services_of(project, call),
            "scheduled_at": to_plain(call.scheduled_at) if call else None,
            "held_at": to_plain(call.held_at) if call else None,
            "msp_attendees": list(call.msp_attendees or []) if call else [],
            "client_attendees": list(call.client_attendees or []) if call else [],
            "entry_conditions": entry_conditions_of(project, call),
            "satisfaction": call.satisfaction if call else None,
            "satisfaction_comment": call.satisfaction_comment if call else "",
            "adoption_rate": call.adoption_rate if call else None,
        }

    def human() -> None:
        _kv([("Project", f"{data['project']} ({data['status']})"), ("Scheduled", _shown(data["scheduled_at"])),
             ("Held", _shown(data["held_at"])), ("Actual go-live", data["actual_go_live"] or "—"),
             ("Satisfaction", data["satisfaction"] or "—"), ("Adoption", data["adoption_rate"] or "—")])  # fmt: skip
        for name, live in data["services_live"].items():
            print(f"  [{'x' if live else ' '}] {name}")
        for key, met in data["entry_conditions"].items():
            print(f"  [{'x' if met else ' '}] {ENTRY_CONDITIONS[key]} ({key})")

    ctx.emit(data, human)
    return 0


def _golive_write(work: Callable[[Session, str, argparse.Namespace, str], object], message: str) -> Handler:
    def handle(ctx: Context, args: argparse.Namespace) -> int:
        pid = _pid(ctx, args)
        with ctx.transaction() as s:
            work(s, pid, args, ctx.actor)
        print(message.format(**vars(args)))
        return 0

    return handle


def _parse_yes(text: str) -> bool:
    if text.lower() in ("yes", "y", "true", "1", "met"):
        return True
    if text.lower() in ("no", "n", "false", "0", "unmet"):
        return False
    raise ValidationError({"value": f"Say yes or no, not “{text}”."})


def _gl_schedule(s: Session, pid: str, a: argparse.Namespace, who: str) -> object:
    return schedule_call(s, pid, when=_when(a.at) or datetime.now(UTC), actor=who)


def _gl_hold(s: Session, pid: str, a: argparse.Namespace, who: str) -> object:
    return hold_call(s, pid, held_at=_when(a.at), notes=a.notes, actor=who)


def _gl_live(s: Session, pid: str, a: argparse.Namespace, who: str) -> object:
    return mark_live(s, pid, a.service, live=not a.undo, actor=who)


def _gl_satisfaction(s: Session, pid: str, a: argparse.Namespace, who: str) -> object:
    return set_satisfaction(s, pid, a.score, a.comment, actor=who)


def _gl_adoption(s: Session, pid: str, a: argparse.Namespace, who: str) -> object:
    return set_adoption(s, pid, a.percent, actor=who)


def _gl_condition(s: Session, pid: str, a: argparse.Namespace, who: str) -> object:
    return set_entry_condition(s, pid, a.key, _parse_yes(a.value), actor=who)


def _gl_attendees(s: Session, pid: str, a: argparse.Namespace, who: str) -> object:
    msp = a.msp.split(",") if a.msp is not None else None
    client = a.client.split(",") if a.client is not None else None
    return set_attendees(s, pid, msp=msp, client=client, actor=who)


# -- action items -------------------------------------------------------------------------------------------------


def cmd_actions_list(ctx: Context, args: argparse.Namespace) -> int:
    from app.cli import print_table

    with ctx.session() as s:
        items = list_actions(s, find_project(s, args.project).id, open_only=args.open)
        data = [
            {"id": i.id, "title": i.title, "owner": i.owner, "due": to_plain(i.due_date), "status": i.status.value,
             "issue": i.is_issue}
            for i in items
        ]  # fmt: skip
    rows = [[d["id"][-8:], d["title"], d["owner"], d["due"] or "", d["status"], "issue" if d["issue"] else ""]
            for d in data]  # fmt: skip
    ctx.emit(data, lambda: print_table(["Ref", "Title", "Owner", "Due", "Status", "Kind"], rows))
    return 0


def cmd_actions_add(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    with ctx.transaction() as s:
        item = add_action(s, pid, title=args.title, owner=args.owner, due=_day(args.due),
                          description=args.description, is_issue=args.issue, actor=ctx.actor)  # fmt: skip
        ref = item.id[-8:]
    print(f"Action item {ref} added for {args.owner}.")
    return 0


def cmd_actions_close(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    status = ActionStatus.CANCELLED if args.cancel else ActionStatus.DONE
    with ctx.transaction() as s:
        item = set_action_status(s, pid, args.ref, status, actor=ctx.actor)
        title = item.title
    print(f"“{title}” is {status.label.lower()}.")
    return 0


def cmd_actions_status(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    with ctx.transaction() as s:
        item = set_action_status(s, pid, args.ref, args.status, actor=ctx.actor)
        title = item.title
    print(f"“{title}” is now {ActionStatus(args.status).label.lower()}.")
    return 0


# -- signoff, closure, KPIs ---------------------------------------------------------------------------------------


def cmd_signoff_sign(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    path = Path(args.signature or args.scan).expanduser()
    method = SignoffMethod.ON_SCREEN if args.signature else SignoffMethod.PAPER
    data = path.read_bytes()
    with ctx.transaction() as s:
        signoff = sign(s, ctx.workspace.blobs_dir, pid, signer_name=args.name, signer_title=args.title or "",
                       method=method, file_bytes=data, filename=path.name, actor=ctx.actor)  # fmt: skip
        result = {"version": signoff.version, "content_sha256": signoff.content_sha256}
    ctx.emit(result, lambda: print(f"Signed version {result['version']}; content SHA-256 {result['content_sha256']}."))
    return 0


def cmd_signoff_list(ctx: Context, args: argparse.Namespace) -> int:
    from app.cli import print_table

    with ctx.session() as s:
        data = [
            {"version": v.version, "status": v.status.value, "signer": v.signer_name, "title": v.signer_title,
             "signed_at": to_plain(v.signed_at), "method": v.method.value if v.method else "",
             "content_sha256": v.content_sha256, "intact": verify_signoff(v)}
            for v in list_signoffs(s, find_project(s, args.project).id)
        ]  # fmt: skip
    rows = [
        [d["version"], d["status"], d["signer"], _shown(d["signed_at"]), "yes" if d["intact"] else "NO"] for d in data
    ]
    ctx.emit(data, lambda: print_table(["Version", "Status", "Signer", "Signed at", "Intact"], rows))
    return 0


def cmd_close(ctx: Context, args: argparse.Namespace) -> int:
    pid = _pid(ctx, args)
    with ctx.session() as s:
        report = closure_report(s, pid)
    data = {"project": report.project_code, "ready": report.ready, "missing": report.missing}
    if args.check or not report.ready:

        def human() -> None:
            for c in report.conditions:
                print(f"  [{'x' if c.met else ' '}] {c.label}" + ("" if c.met else f": {c.missing}"))
            print("Ready to close." if report.ready else f"{report.project_code} cannot be closed yet.")

        ctx.emit(data, human)
        return 0 if report.ready else 1
    with ctx.transaction() as s:
        close_project(s, pid, actor=ctx.actor)
    ctx.emit({**data, "closed": True}, lambda: print(f"{report.project_code} is closed; it is now read-only."))
    return 0


def cmd_kpis(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.session() as s:
        if args.project:
            k = project_kpis(s, find_project(s, args.project).id)
            ctx.emit(to_plain(dataclasses.asdict(k)), lambda: _kv(describe_project(k)))
        else:
            p = portfolio_kpis(s)
            ctx.emit(to_plain(dataclasses.asdict(p)), lambda: _kv(describe_portfolio(p)))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    def verb(
        group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, handler: Handler, text: str
    ) -> argparse.ArgumentParser:
        p = group.add_parser(name, help=text)
        p.add_argument("--project", "-p", help="project code, name or id (default: the only open project)")
        p.set_defaults(handler=handler)
        return p

    kt = sub.add_parser("kt", help="the knowledge-transfer session that briefs the NOC")
    v = kt.add_subparsers(dest="verb", metavar="VERB", required=True)
    verb(v, "show", cmd_kt_show, "the session, its topics and attendees")
    p = verb(v, "schedule", cmd_kt_schedule, "schedule the session")
    p.add_argument("--at", required=True, help="date and time, e.g. 2026-12-01T14:00")
    p.add_argument("--presenter")
    p = verb(v, "hold", cmd_kt_hold, "record that the session took place")
    p.add_argument("--at", help="when it was held (default: now)")
    p.add_argument("--presenter")
    p = verb(v, "attendee", cmd_kt_attendee, "add an attendee")
    p.add_argument("name")
    p.add_argument("--role", default="NOC")
    p = verb(v, "ack", cmd_kt_ack, "an attendee acknowledges the briefing")
    p.add_argument("name")
    p = verb(v, "topic", cmd_kt_topic, "tick a topic as covered and/or add notes")
    p.add_argument("topic", help="topic key or title")
    p.add_argument("--not-covered", dest="covered", action="store_false", default=True)
    p.add_argument("--notes")
    p = verb(v, "set", cmd_kt_set, f"set text fields: {', '.join(KT_TEXT_FIELDS)}")
    p.add_argument("fields", nargs="+", metavar="FIELD=VALUE")

    golive = sub.add_parser("golive", help="the service activation (go-live) call")
    v = golive.add_subparsers(dest="verb", metavar="VERB", required=True)
    verb(v, "show", cmd_golive_show, "services, entry conditions and outcome of the call")
    p = verb(v, "schedule", _golive_write(_gl_schedule, "Go-live call scheduled for {at}."), "schedule the call")
    p.add_argument("--at", required=True)
    p = verb(v, "hold", _golive_write(_gl_hold, "Go-live call recorded as held."), "record that the call took place")
    p.add_argument("--at", help="when it was held (default: now)")
    p.add_argument("--notes")
    p = verb(v, "live", _golive_write(_gl_live, "{service}: updated."), "mark a service in scope live")
    p.add_argument("service")
    p.add_argument("--undo", action="store_true", help="mark it not live")
    p = verb(v, "satisfaction", _golive_write(_gl_satisfaction, "Satisfaction {score}/5 recorded."), "score 1-5")
    p.add_argument("score", type=int)
    p.add_argument("--comment")
    p = verb(
        v,
        "adoption",
        _golive_write(_gl_adoption, "Adoption {percent} % recorded."),
        "share of procedures adopted, in percent",
    )
    p.add_argument("percent", type=float)
    text = "set an entry condition: " + ", ".join(ENTRY_CONDITIONS)
    p = verb(v, "condition", _golive_write(_gl_condition, "Entry condition {key}: {value}."), text)
    p.add_argument("key", choices=list(ENTRY_CONDITIONS))
    p.add_argument("value", help="yes or no")
    p = verb(v, "attendees", _golive_write(_gl_attendees, "Attendees updated."), "set attendees (comma-separated)")
    p.add_argument("--msp")
    p.add_argument("--client")

    actions = sub.add_parser("actions", help="post-live action items")
    v = actions.add_subparsers(dest="verb", metavar="VERB", required=True)
    p = verb(v, "list", cmd_actions_list, "list action items")
    p.add_argument("--open", action="store_true", help="only those still open")
    p = verb(v, "add", cmd_actions_add, "add an action item (it needs an owner)")
    p.add_argument("title")
    p.add_argument("--owner", required=True)
    p.add_argument("--due", help="due date, e.g. 2026-12-01")
    p.add_argument("--description", default="")
    p.add_argument("--issue", action="store_true", help="count it as an activation issue")
    p = verb(v, "close", cmd_actions_close, "mark an action item done")
    p.add_argument("ref", help="the reference shown by 'actions list', or the exact title")
    p.add_argument("--cancel", action="store_true", help="cancelled rather than done")
    p = verb(v, "status", cmd_actions_status, "set an action item's status")
    p.add_argument("ref")
    p.add_argument("status", choices=[s.value for s in ActionStatus])

    signoff = sub.add_parser("signoff", help="the client's go-live signoff")
    v = signoff.add_subparsers(dest="verb", metavar="VERB", required=True)
    p = verb(v, "sign", cmd_signoff_sign, "record a signed signoff (a new version if one exists)")
    p.add_argument("--name", required=True, help="the client's signer")
    p.add_argument("--title", help="the signer's job title")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--signature", metavar="PNG", help="signature drawn on screen, as a PNG")
    how.add_argument("--scan", metavar="FILE", help="scan of the signed paper form (PDF, PNG or JPEG)")
    verb(v, "list", cmd_signoff_list, "every signoff version and whether it is intact")

    p = verb(sub, "close", cmd_close, "close the project (lists what is missing if it cannot be closed)")
    p.add_argument("--check", action="store_true", help="only list the exit conditions")
    p = sub.add_parser("kpis", help="activation KPIs of one project or across projects")
    p.add_argument("--project", "-p", help="one project (default: across all projects)")
    p.set_defaults(handler=cmd_kpis)
