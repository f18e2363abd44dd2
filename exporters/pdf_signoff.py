"""The go-live signoff form: what the client signs, with the signature and the SHA-256 of the signed content."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Paragraph, Table, TableStyle

from exporters.pdf_common import ClosureDoc, Styles, kv_table, logo_path, numbered_canvas, spacer, text
from exporters.pdf_data import ProjectDossier
from exporters.pdf_sections import action_table, golive_checklist, signature_block


def header_block(dossier: ProjectDossier, styles: Styles, width: float, title: str) -> list[Flowable]:
    """Logo on the left, MSP name and document title on the right."""
    logo = logo_path()
    right = [text(dossier.msp_name, styles.small), Paragraph(title, styles.h1)]
    if logo is None:
        return right
    table = Table([[Image(str(logo), width=40 * mm, height=10 * mm), right]], colWidths=[46 * mm, width - 46 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return [table, spacer(2)]


def build_signoff_form(dossier: ProjectDossier, path: Path, *, paper: str = "letter") -> Path:
    """Write the signoff form. Signed: it prints exactly the signed content; unsigned: today's facts and blank lines."""
    styles = Styles()
    title = "Service activation signoff"
    doc = ClosureDoc(
        str(path), paper=paper, title=f"{title} — {dossier.project_code}", header=f"{dossier.msp_name} · {title}"
    )
    width = doc.width
    signed = dossier.signoff
    facts = signed.content if signed is not None else dossier.facts
    project = facts.get("project", {})
    story: list[Flowable] = [*header_block(dossier, styles, width, title)]
    story.append(
        kv_table(
            [
                ("Client", facts.get("client", "")),
                ("Project", f"{project.get('name', '')} ({project.get('code', '')})"),
                ("Target go-live", project.get("target_go_live") or "—"),
                ("Actual go-live", facts.get("actual_go_live") or "Not live yet"),
                ("Status of this form", f"Signed, version {signed.version}" if signed else "Not signed yet"),
            ],
            styles,
            width,
        )
    )
    story += [spacer(3), text(facts.get("statement", ""), styles.body), spacer(2)]
    story.append(Paragraph("Go-live checklist", styles.h2))
    story += golive_checklist(facts, styles, width)
    story.append(Paragraph("Post-live action items", styles.h2))
    story.append(action_table(list(facts.get("action_items", [])), styles, width))
    heading = Paragraph("Client signoff", styles.h2)
    story += signature_block(signed, styles, width, str(facts.get("client", "")), heading=heading)
    footer = f"{dossier.client.name} · {dossier.project_code} · go-live signoff"
    doc.build(story, canvasmaker=numbered_canvas(footer))
    return path
