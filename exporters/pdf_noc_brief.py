"""The NOC familiarization brief: who the client is, whom to call, where things are, what is critical, the rules."""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import Flowable, Paragraph

from exporters.pdf_common import ClosureDoc, Styles, data_table, kv_table, numbered_canvas, text
from exporters.pdf_data import ProjectDossier
from exporters.pdf_signoff import header_block


def build_noc_brief(dossier: ProjectDossier, path: Path, *, paper: str = "letter") -> Path:
    styles = Styles()
    d = dossier
    title = "NOC familiarization brief"
    doc = ClosureDoc(str(path), paper=paper, title=f"{title} — {d.client.name}", header=f"{d.msp_name} · {title}")
    width = doc.width
    story: list[Flowable] = [*header_block(d, styles, width, title)]

    story.append(Paragraph("Client profile", styles.h2))
    story.append(
        kv_table(
            [
                ("Client", f"{d.client.name} ({d.client.code})"),
                ("Industry", d.client.industry or "—"),
                ("Address", d.client.address or "—"),
                ("Project", f"{d.project_name} ({d.project_code}), {d.project_status.lower()}"),
                ("Asset tag format", f"{d.client.tag_prefix}{'#' * d.client.tag_digits}"),
                ("Notes", d.client.notes or "—"),
            ],
            styles,
            width,
        )
    )

    story.append(Paragraph("Contacts and escalation", styles.h2))
    escalation = sorted((c for c in d.contacts if c.escalation_order), key=lambda c: c.escalation_order)
    others = [c for c in d.contacts if not c.escalation_order]
    rows = [[str(c.escalation_order), c.name, c.title, c.phone, c.email] for c in escalation]
    rows += [["—", c.name, f"{c.title} ({c.role})", c.phone, c.email] for c in others]
    story.append(
        data_table(
            ["Call order", "Name", "Title", "Phone", "E-mail"],
            rows or [["—", "No contacts recorded", "", "", ""]],
            styles,
            [width * f for f in (0.1, 0.22, 0.22, 0.18, 0.28)],
        )
    )

    story.append(Paragraph("Sites", styles.h2))
    counts = dict(d.inventory.by_site)
    site_rows = [[s.name, s.code, s.address, str(counts.get(s.name, 0))] for s in d.sites]
    story.append(
        data_table(
            ["Site", "Code", "Address", "Assets"],
            site_rows or [["—", "", "", ""]],
            styles,
            [width * 0.28, width * 0.12, width * 0.45, width * 0.15],
        )
    )

    story.append(Paragraph("Managed scope", styles.h2))
    live = [f"{name} ({'live' if is_live else 'not live yet'})" for name, is_live in d.services.items()]
    story.append(text("Services: " + ("; ".join(live) or "none in scope"), styles.body))
    story.append(
        data_table(
            ["Category", "Assets", "Managed by us"],
            [[c, n, m] for c, n, m in d.inventory.by_category] or [["—", 0, 0]],
            styles,
            [width * 0.6, width * 0.2, width * 0.2],
            long=True,
        )
    )

    story.append(Paragraph("Critical assets", styles.h2))
    crit = [
        [a.asset_tag, a.category, a.description, f"{a.hostname}\n{a.ip_address}".strip(),
         f"{a.site}\n{a.location}".strip(), a.notes]
        for a in d.critical
    ]  # fmt: skip
    story.append(
        data_table(
            ["Tag", "Category", "What", "Host / IP", "Where", "Notes"],
            crit or [["—", "None flagged", "", "", "", ""]],
            styles,
            [width * f for f in (0.12, 0.12, 0.2, 0.17, 0.24, 0.15)],
            long=True,
        )
    )

    story.append(Paragraph("Policies and procedures", styles.h2))
    story.append(text(d.kt["policies"] or "No client-specific policies recorded.", styles.body))
    story.append(Paragraph("Maintenance windows", styles.h2))
    story.append(text(d.kt["maintenance_windows"] or "None agreed yet.", styles.body))
    noted = [t for t in d.kt["topics"] if t.get("notes")]
    if noted:
        story.append(Paragraph("Briefing notes", styles.h2))
        story.append(
            data_table(
                ["Topic", "Notes"],
                [[t.get("title", ""), t.get("notes", "")] for t in noted],
                styles,
                [width * 0.3, width * 0.7],
            )
        )
    doc.build(story, canvasmaker=numbered_canvas(f"{d.client.name} · NOC brief · internal"))
    return path
