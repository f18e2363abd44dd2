"""Knowledge transfer, go-live call, action items, signoff locking and project closure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.attachments import blob_path
from app.closure import close_project, closure_report
from app.errors import NotFoundError, ReadOnlyError, ValidationError
from app.golive import (
    add_action,
    get_call,
    hold_call,
    list_actions,
    mark_live,
    set_action_status,
    set_adoption,
    set_entry_condition,
    set_satisfaction,
)
from app.handover import (
    DEFAULT_KT_TOPICS,
    acknowledge,
    add_attendee,
    ensure_kt,
    hold_kt,
    kt_progress,
    kt_template,
    save_kt_template,
    set_topic,
)
from app.journal import history, record_delete
from app.projects import get_project
from app.signoff import (
    current_signoff,
    list_signoffs,
    sign,
    signature_bytes,
    update_signoff,
    verify_signoff,
)
from models import ActionStatus, ProjectStatus, Signoff, SignoffStatus

ACTOR = "tester"


def finish_golive(ws, pid: str) -> None:  # type: ignore[no-untyped-def]
    with ws.transaction() as s:
        hold_call(s, pid, held_at=datetime(2026, 11, 20, 15, 0, tzinfo=UTC), actor=ACTOR)
        mark_live(s, pid, "service desk", actor=ACTOR)
        mark_live(s, pid, "Backup", actor=ACTOR)


def test_kt_session_uses_the_default_template_and_records_acknowledgements(small_project) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    with ws.transaction() as s:
        kt = ensure_kt(s, pid, actor=ACTOR)
        assert [t["key"] for t in kt.topics] == [t["key"] for t in DEFAULT_KT_TOPICS]
        add_attendee(s, pid, name="Nia NOC", role="NOC", actor=ACTOR)
        add_attendee(s, pid, name="Sam Sysadmin", role="Sysadmin", actor=ACTOR)
        acknowledge(s, pid, name="nia noc", actor=ACTOR)
        set_topic(s, pid, key="Critical assets", covered=True, notes="Two hypervisors", actor=ACTOR)
        hold_kt(s, pid, presenter="Alex", actor=ACTOR)
    with ws.session() as s:
        kt = ensure_kt(s, pid, actor=ACTOR)
        assert kt_progress(kt) == (1, 6, 1, 2)
        assert kt.held_at is not None and kt.presenter == "Alex"
        changed = {h.field for h in history(s, "knowledge_transfer", kt.id)}
        assert {"attendees", "topics", "held_at"} <= changed


def test_an_edited_template_shapes_new_sessions(small_project) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    with ws.transaction() as s:
        save_kt_template(
            s, [{"title": "Client overview"}, {"title": "Backup runbook", "hint": "restore test"}], actor=ACTOR
        )
        assert [t["title"] for t in kt_template(s)] == ["Client overview", "Backup runbook"]
        kt = ensure_kt(s, pid, actor=ACTOR)
        assert [t["key"] for t in kt.topics] == ["client_overview", "backup_runbook"]
    with ws.transaction() as s, pytest.raises(ValidationError):
        save_kt_template(s, [{"title": " "}], actor=ACTOR)


def test_all_services_live_puts_the_project_live(small_project) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    finish_golive(ws, pid)
    with ws.session() as s:
        project = get_project(s, pid)
        assert project.status == ProjectStatus.LIVE
        assert project.actual_go_live == date(2026, 11, 20)
        assert get_call(s, pid).services_live == {"Service desk": True, "Backup": True}  # type: ignore[union-attr]
    with ws.transaction() as s, pytest.raises(NotFoundError, match="not a service in scope"):
        mark_live(s, pid, "Printing", actor=ACTOR)


def test_call_outcome_is_validated(small_project) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    with ws.transaction() as s:
        set_satisfaction(s, pid, 4, "Smooth", actor=ACTOR)
        set_adoption(s, pid, 80, actor=ACTOR)
        set_entry_condition(s, pid, "asset_policy_documented", True, actor=ACTOR)
        call = get_call(s, pid)
        assert call is not None and call.adoption_rate == 0.8 and call.satisfaction == 4
        assert call.entry_conditions["asset_policy_documented"] is True
    with ws.transaction() as s, pytest.raises(ValidationError):
        set_satisfaction(s, pid, 6, actor=ACTOR)
    with ws.transaction() as s, pytest.raises(ValidationError, match="owner"):
        add_action(s, pid, title="Fix it", owner="  ", actor=ACTOR)


def test_closure_lists_what_is_missing_then_closes_and_locks(small_project) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    with ws.transaction() as s:
        item = add_action(s, pid, title="Replace UPS battery", owner="Sam", due=date(2026, 12, 1), actor=ACTOR)
        item_id = item.id
    with ws.session() as s:
        report = closure_report(s, pid)
    assert not report.ready
    text = " ".join(report.missing)
    assert "go-live call has not been held" in text
    assert "Not live yet: Service desk, Backup." in text
    assert "Replace UPS battery (Sam)" in text
    with ws.transaction() as s, pytest.raises(ValidationError) as err:
        close_project(s, pid, actor=ACTOR)
    assert set(err.value.errors) == {"call", "services", "actions"}

    finish_golive(ws, pid)
    with ws.transaction() as s:
        set_action_status(s, pid, item_id, ActionStatus.DONE, actor=ACTOR)
        assert list_actions(s, pid, open_only=True) == []
        close_project(s, pid, actor=ACTOR)
    with ws.session() as s:
        assert get_project(s, pid).status == ProjectStatus.CLOSED
    for write in (
        lambda s: add_action(s, pid, title="Late", owner="Sam", actor=ACTOR),
        lambda s: set_satisfaction(s, pid, 3, actor=ACTOR),
        lambda s: acknowledge(s, pid, name="x", actor=ACTOR),
        lambda s: set_action_status(s, pid, item_id, ActionStatus.OPEN, actor=ACTOR),
        lambda s: close_project(s, pid, actor=ACTOR),
    ):
        with ws.transaction() as s, pytest.raises(ReadOnlyError):
            write(s)


def test_asset_capture_needs_assets_without_attention(demo_workspace) -> None:  # type: ignore[no-untyped-def]
    from app.projects import find_project

    with demo_workspace.session() as s:
        report = closure_report(s, find_project(s, "NWD-ONB").id)
    capture = report.conditions[0]
    assert not capture.met and "still need attention" in capture.missing


def test_signing_locks_the_signoff_and_new_versions_supersede(small_project, signature_png: bytes) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    finish_golive(ws, pid)
    with ws.transaction() as s:
        first = sign(s, ws.blobs_dir, pid, signer_name="Dana Øster", signer_title="IT lead",
                     method="on_screen", file_bytes=signature_png, actor=ACTOR)  # fmt: skip
        first_id = first.id
    with ws.session() as s:
        signoff = s.get(Signoff, first_id)
        assert signoff is not None and verify_signoff(signoff)
        assert signoff.content["services_live"] == {"Service desk": True, "Backup": True}
        assert signoff.content["signer"] == {"name": "Dana Øster", "title": "IT lead"}
        data, mime = signature_bytes(s, ws.blobs_dir, signoff)
        assert data == signature_png and mime == "image/png"
        assert blob_path(ws.blobs_dir, signoff.signature_sha256).exists()

    with ws.transaction() as s, pytest.raises(ReadOnlyError, match="locked"):
        update_signoff(s, first_id, {"signer_name": "Someone else"}, actor=ACTOR)
    # Even a direct write that bypasses the services is refused when it reaches the database.
    with pytest.raises(ReadOnlyError, match="locked"), ws.transaction() as s:
        row = s.get(Signoff, first_id)
        assert row is not None
        row.content = {**row.content, "client": "Forged"}
    with ws.session() as s:
        assert s.get(Signoff, first_id).content["client"] == "Acme Ltd"  # type: ignore[union-attr]
    with pytest.raises(ReadOnlyError, match="never deleted"), ws.transaction() as s:
        row = s.get(Signoff, first_id)
        assert row is not None
        record_delete(s, row, ACTOR)

    with ws.transaction() as s:
        sign(s, ws.blobs_dir, pid, signer_name="Dana Øster", signer_title="CIO", method="paper",
             file_bytes=b"%PDF-1.4 scanned form", actor=ACTOR)  # fmt: skip
    with ws.session() as s:
        versions = list_signoffs(s, pid)
        assert [(v.version, v.status) for v in versions] == [(2, SignoffStatus.SIGNED), (1, SignoffStatus.SUPERSEDED)]
        assert current_signoff(s, pid).supersedes_id == first_id  # type: ignore[union-attr]
        assert all(verify_signoff(v) for v in versions)


def test_a_signature_must_be_an_image(small_project) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    with ws.transaction() as s, pytest.raises(ValidationError) as err:
        sign(s, ws.blobs_dir, pid, signer_name="", method="on_screen", file_bytes=b"not a png", actor=ACTOR)
    assert set(err.value.errors) == {"signer_name", "signature"}
