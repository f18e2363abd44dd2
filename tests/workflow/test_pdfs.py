"""The three closeout PDFs, read back with pypdf: facts, signature image, page numbers, hostile text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.db import Workspace
from app.golive import add_action, hold_call, mark_live, set_satisfaction
from app.handover import add_attendee, ensure_kt, set_topic, update_kt
from app.projects import find_project
from app.signoff import sign
from exporters.pdf_cli import export_pdf
from models import Client, Contact
from tests.workflow.conftest import HOSTILE, HOSTILE_NAME, build_small_project

ACTOR = "tester"


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def flat(text: str) -> str:
    """Extracted text without line breaks, so wrapped words can be searched."""
    return re.sub(r"\s+", "", text)


def sign_demo(ws: Workspace, png: bytes) -> str:
    with ws.transaction() as s:
        pid = find_project(s, "NWD-ONB").id
        hold_call(s, pid, held_at=datetime(2026, 11, 20, 16, 30, tzinfo=UTC), actor=ACTOR)
        mark_live(s, pid, "Service desk", actor=ACTOR)
        set_satisfaction(s, pid, 5, "Great handover", actor=ACTOR)
        signoff = sign(s, ws.blobs_dir, pid, signer_name="Sofia Martínez", signer_title="Practice manager",
                       method="on_screen", file_bytes=png, actor=ACTOR)  # fmt: skip
        return signoff.content_sha256


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_signed_form_carries_the_facts_the_hash_and_the_signature(
    demo_workspace, signature_png, tmp_path, paper
) -> None:  # type: ignore[no-untyped-def]
    digest = sign_demo(demo_workspace, signature_png)
    out = export_pdf(demo_workspace, "signoff", "NWD-ONB", tmp_path / "form.pdf", paper=paper)
    reader = PdfReader(out)
    width = float(reader.pages[0].mediabox.width)
    assert round(width) == (612 if paper == "letter" else 595)
    text = pdf_text(out)
    facts = ["Northwind Dental Group", "NWD-ONB", "Service desk", "Sofia Martínez", "Practice manager"]
    facts += ["Signed, version 1", "5 / 5", "Replace failing UPS battery in Eastside rack", "Page 1 of"]
    for fact in facts:
        assert fact in text, fact
    assert digest in flat(text)
    sizes = [img.image.size for page in reader.pages for img in page.images]
    assert (300, 90) in sizes, f"signature image not embedded; images: {sizes}"


def test_the_signed_form_prints_what_was_signed_even_after_later_changes(
    demo_workspace, signature_png, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    sign_demo(demo_workspace, signature_png)
    with demo_workspace.transaction() as s:
        set_satisfaction(s, find_project(s, "NWD-ONB").id, 1, "Changed my mind", actor=ACTOR)
    text = pdf_text(export_pdf(demo_workspace, "signoff", "NWD-ONB", tmp_path / "form.pdf"))
    assert "5 / 5" in text and "Changed my mind" not in text


def test_unsigned_form_has_lines_to_sign_and_no_signature(demo_workspace, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = export_pdf(demo_workspace, "signoff", "NWD-ONB", tmp_path / "form.pdf")
    text = pdf_text(out)
    assert "Not signed yet" in text and "Client signature" in text
    assert (300, 90) not in [img.image.size for page in PdfReader(out).pages for img in page.images]


def test_packet_has_contents_every_asset_and_repeated_headers(demo_workspace, signature_png, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_demo(demo_workspace, signature_png)
    out = export_pdf(demo_workspace, "packet", "NWD-ONB", tmp_path / "packet.pdf", paper="a4")
    reader = PdfReader(out)
    pages = [p.extract_text() or "" for p in reader.pages]
    total = len(pages)
    assert total > 8
    assert f"Page 2 of {total}" in pages[1] and f"Page {total} of {total}" in pages[-1]
    text = "\n".join(pages)
    for fact in ("Activation signoff packet", "Contents", "Client and project summary", "Asset inventory summary",
                 "Asset inventory by site", "Main Clinic", "Eastside Clinic", "Knowledge-transfer summary",
                 "Go-live checklist", "Post-live action items", "Signature page", "Sofia Martínez"):  # fmt: skip
        assert fact in text, fact
    for n in range(1, 301):
        assert f"NWD-{n:05d}" in text
    contents = pages[1]
    assert "Asset inventory by site" in contents and "Signature page" in contents
    assert re.search(rf"Signature page\s*{total}\b", contents), "the contents page gives each section's page"
    header_pages = [p for p in pages if "Make / model" in p]
    assert len(header_pages) >= 5, "the asset table header is repeated on each page it spans"
    assert [img for p in reader.pages for img in p.images], "the cover has the MSP's logo"
    assert reader.outline, "the headings are bookmarked"


def test_noc_brief_lists_contacts_in_escalation_order_and_critical_assets(demo_workspace, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = export_pdf(demo_workspace, "noc-brief", "NWD-ONB", tmp_path / "noc.pdf")
    text = pdf_text(out)
    facts = ["NOC familiarization brief", "Client profile", "Contacts and escalation", "Sites", "Managed scope"]
    facts += ["Critical assets", "Policies and procedures", "Sundays 22:00-02:00 Pacific", "PowerEdge R750"]
    for fact in facts:
        assert fact in text, fact
    assert text.index("Dr. Amélie Laurent") < text.index("Sofia Martínez") < text.index("James O'Connor")


@pytest.mark.parametrize("kind", ["signoff", "packet", "noc-brief"])
def test_hostile_text_is_printed_as_text_in_every_pdf(workspace, signature_png, tmp_path, kind) -> None:  # type: ignore[no-untyped-def]
    pid = build_small_project(workspace, client_name=HOSTILE_NAME)
    with workspace.transaction() as s:
        client = s.query(Client).one()
        client.notes = HOSTILE
        s.add(Contact(client_id=client.id, name=HOSTILE_NAME, title=HOSTILE, escalation_order=2))
        ensure_kt(s, pid, actor=ACTOR)
        update_kt(s, pid, {"policies": HOSTILE, "notes": HOSTILE}, actor=ACTOR)
        add_attendee(s, pid, name=HOSTILE_NAME, actor=ACTOR)
        set_topic(s, pid, key="overview", covered=True, notes=HOSTILE, actor=ACTOR)
        add_action(s, pid, title=HOSTILE, owner=HOSTILE_NAME, actor=ACTOR)
        hold_call(s, pid, actor=ACTOR)
        set_satisfaction(s, pid, 2, HOSTILE, actor=ACTOR)
        from models import Asset

        for asset in s.query(Asset):
            asset.notes = HOSTILE
            asset.assigned_user = HOSTILE_NAME
            asset.model = "X" * 300
        sign(s, workspace.blobs_dir, pid, signer_name=HOSTILE_NAME, signer_title="<i>CEO</i> & co",
             method="on_screen", file_bytes=signature_png, actor=ACTOR)  # fmt: skip
    out = export_pdf(workspace, kind, pid, tmp_path / f"{kind}.pdf")
    text = pdf_text(out)
    squashed = flat(text)
    assert "<b>bold</b>" in squashed or "<b>&amp;</b>" in squashed
    assert "&" in text
    assert "Zoë" in text
    assert "李小龙" in squashed
    if kind != "packet":
        assert "Supercalifragilisticexpialidocious" in squashed
    else:
        assert "X" * 60 in squashed, "a very long word is wrapped, not dropped"


def test_the_longest_action_item_allowed_prints_in_every_pdf(demo_workspace: Workspace, tmp_path: Path) -> None:
    from app.errors import ValidationError

    with demo_workspace.transaction() as s:
        project = find_project(s, "NWD-ONB")
        with pytest.raises(ValidationError, match="at most 500 characters"):
            add_action(s, project.id, title="T" * 501, owner="Pat", actor="alex")
        add_action(s, project.id, title="T" * 500, owner="Pat " * 30, description="word " * 800, actor="alex")
        add_action(s, project.id, title="W" * 500, owner="Pat", description="x" * 4000, actor="alex")
    for kind in ("signoff", "packet", "noc-brief"):
        out = export_pdf(demo_workspace, kind, "NWD-ONB", tmp_path / f"{kind}.pdf")
        assert len(PdfReader(out).pages) >= 1
        if kind != "noc-brief":
            assert "TTTTTTTTTT" in flat(pdf_text(out))
