"""The coordinator's signoff packet: cover, contents, summaries, assets by site, KT, go-live, signature."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, NextPageTemplate, PageBreak, Paragraph

from exporters.pdf_common import (
    INK,
    MUTED,
    ClosureDoc,
    Styles,
    data_table,
    fmt_date,
    kv_table,
    logo_path,
    numbered_canvas,
    spacer,
    text,
    yes_no,
)
from exporters.pdf_data import ProjectDossier
from exporters.pdf_fonts import fonts, markup, shape_rtl
from exporters.pdf_lifecycle import lifecycle_section
from exporters.pdf_reconciliation import reconciliation_section
from exporters.pdf_sections import action_table, golive_checklist, signature_block

Progress = Callable[[int, int, str], None]


def _cover(d: ProjectDossier, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = []
    logo = logo_path()
    if logo is not None:
        out.append(Image(str(logo), width=80 * mm, height=20 * mm, hAlign="LEFT"))
    out += [
        spacer(45),
        Paragraph("Activation signoff packet", styles.title),
        spacer(6),
        text(d.client.name, styles.subtitle),
        text(f"{d.project_name} ({d.project_code})", styles.subtitle),
        spacer(10),
        text(f"Prepared by {d.msp_name} on {datetime.now(UTC).strftime('%Y-%m-%d')}", styles.body),
        text(
            f"Status: {d.project_status}; services in scope: {len(d.services)}; assets: {d.inventory.total}",
            styles.body,
        ),
        NextPageTemplate("body"),
        PageBreak(),
    ]
    return out


def _summary(d: ProjectDossier, styles: Styles, width: float) -> list[Flowable]:
    k = d.kpis
    out: list[Flowable] = [Paragraph("Client and project summary", styles.h1)]
    out.append(
        kv_table(
            [
                ("Client", d.client.name),
                ("Industry", d.client.industry or "—"),
                ("Address", d.client.address or "—"),
                ("Project", f"{d.project_name} ({d.project_code})"),
                ("Description", d.description or "—"),
                ("Status", d.project_status),
                ("Target go-live", fmt_date(d.target_go_live)),
                ("Actual go-live", fmt_date(d.actual_go_live)),
                ("On time", "—" if k.on_time is None else ("Yes" if k.on_time else f"No ({k.days_late} days late)")),
                ("Services in scope", ", ".join(d.services) or "—"),
                ("Technicians", ", ".join(d.technicians) or "—"),
            ],
            styles,
            width,
        )
    )
    out.append(Paragraph("Client contacts", styles.h2))
    rows = [[c.name, c.title, c.role, str(c.escalation_order or "—"), c.phone, c.email] for c in d.contacts]
    out.append(
        data_table(
            ["Name", "Title", "Role", "Escalation", "Phone", "E-mail"],
            rows or [["—"] * 6],
            styles,
            [width * f for f in (0.2, 0.18, 0.12, 0.1, 0.15, 0.25)],
        )
    )
    return out


def _inventory(d: ProjectDossier, styles: Styles, width: float, progress: Progress | None) -> list[Flowable]:
    inv = d.inventory
    out: list[Flowable] = [PageBreak(), Paragraph("Asset inventory summary", styles.h1)]
    out.append(
        kv_table(
            [
                ("Assets captured", str(inv.total)),
                ("Managed by us", str(inv.managed)),
                ("Critical", str(inv.critical)),
                ("Needing attention", str(inv.needing_attention)),
                ("By site", "; ".join(f"{name}: {n}" for name, n in inv.by_site) or "—"),
                ("By status", "; ".join(f"{name}: {n}" for name, n in inv.by_status) or "—"),
            ],
            styles,
            width,
        )
    )
    out.append(Paragraph("Assets by category", styles.h2))
    out.append(
        data_table(
            ["Category", "Assets", "Managed"],
            [[c, n, m] for c, n, m in inv.by_category] or [["—", 0, 0]],
            styles,
            [width * 0.6, width * 0.2, width * 0.2],
        )
    )
    out += [PageBreak(), Paragraph("Asset inventory by site", styles.h1)]
    widths = [width * f for f in (0.12, 0.115, 0.16, 0.12, 0.13, 0.16, 0.105, 0.09)]
    headers = ["Tag", "Category", "Make / model", "Serial", "Host / IP", "Location", "User", "Status"]
    done = 0
    for site, group in groupby(d.assets, key=lambda a: a.site or "No site"):
        rows = [
            [
                a.asset_tag + (" ⚠" if a.needs_attention else ""),
                a.category,
                f"{a.manufacturer} {a.model}".strip(),
                a.serial,
                "\n".join(v for v in (a.hostname, a.ip_address) if v),
                a.location,
                a.assigned_user,
                a.status.label,
            ]
            for a in group
        ]
        done += len(rows)
        out.append(Paragraph(f"{markup(site)} — {len(rows)} assets", styles.h2))
        out.append(data_table(headers, rows, styles, widths, long=True))
        if progress:
            progress(done, max(len(d.assets), 1), "Laying out the asset table…")
    if not d.assets:
        out.append(Paragraph("No assets have been captured.", styles.body))
    out.append(Paragraph("⚠ marks an asset that still needs attention.", styles.small))
    return out


def _knowledge_transfer(d: ProjectDossier, styles: Styles, width: float) -> list[Flowable]:
    kt = d.kt
    out: list[Flowable] = [PageBreak(), Paragraph("Knowledge-transfer summary", styles.h1)]
    out.append(
        kv_table(
            [
                ("Scheduled", fmt_date(kt["scheduled_at"])),
                ("Held", fmt_date(kt["held_at"])),
                ("Presenter", kt["presenter"] or "—"),
                ("Maintenance windows", kt["maintenance_windows"] or "—"),
            ],
            styles,
            width,
        )
    )
    out.append(Paragraph("Topics", styles.h2))
    topics = [[t.get("title", ""), yes_no(t.get("covered")), t.get("notes", "")] for t in kt["topics"]]
    out.append(
        data_table(
            ["Topic", "Covered", "Notes"], topics or [["—", "", ""]], styles, [width * 0.35, width * 0.1, width * 0.55]
        )
    )
    out.append(Paragraph("Attendees and acknowledgements", styles.h2))
    people = [
        [
            a.get("name", ""),
            a.get("role", ""),
            fmt_date(a.get("acknowledged_at")) if a.get("acknowledged_at") else "Not yet",
        ]
        for a in kt["attendees"]
    ]
    out.append(
        data_table(
            ["Attendee", "Role", "Acknowledged"],
            people or [["—", "", ""]],
            styles,
            [width * 0.4, width * 0.25, width * 0.35],
        )
    )
    for label, key in (("Notes", "notes"), ("Questions raised", "questions")):
        if kt[key]:
            out += [Paragraph(label, styles.h2), text(kt[key], styles.body)]
    return out


def draw_contents(canvas: Canvas, doc: ClosureDoc, styles: Styles) -> None:
    """Fill the contents page (page 2) once every heading's page is known: titles, dot leaders, page, link."""
    fs = fonts()
    _, height = doc.pagesize
    left, right = doc.leftMargin + 6, doc.leftMargin + doc.width - 6  # the frame pads its content by 6 pt
    y = height - doc.topMargin - 40
    entries = doc.toc_entries
    room = int((y - doc.bottomMargin) // 15)
    shown = entries if len(entries) <= room else entries[: room - 1]
    for level, title, page, key in shown:
        size = 11.0 if level == 0 else 9.0
        font = fs.bold if level == 0 else fs.regular
        indent = 0 if level == 0 else 14
        label = shape_rtl(title if len(title) < 90 else title[:87] + "…")
        number = str(page)
        canvas.setFont(font, size)
        canvas.setFillColor(INK if level == 0 else MUTED)
        canvas.drawString(left + indent, y, label)
        canvas.drawRightString(right, y, number)
        start = left + indent + stringWidth(label, font, size) + 6
        end = right - stringWidth(number, font, size) - 6
        if end > start:
            dot = stringWidth(". ", font, size)
            canvas.drawString(start, y, ". " * int((end - start) / dot))
        canvas.linkAbsolute(title, key, (left, y - 3, right, y + size), thickness=0)
        y -= 17 if level == 0 else 14
    if len(shown) < len(entries):
        canvas.setFont(fs.regular, 9)
        canvas.drawString(left + 14, y, f"… and {len(entries) - len(shown)} more sections (see the PDF bookmarks)")


def build_packet(
    dossier: ProjectDossier, path: Path, *, paper: str = "letter", progress: Progress | None = None
) -> Path:
    """Write the packet; `progress(done, total, text)` is told as the asset table is laid out."""
    styles = Styles()
    d = dossier
    title = "Activation signoff packet"
    doc = ClosureDoc(
        str(path), paper=paper, title=f"{title} — {d.project_code}", header=f"{d.msp_name} · {title} · {d.client.name}",
        cover=True,
    )  # fmt: skip
    width = doc.width
    story: list[Flowable] = _cover(d, styles)
    story += [Paragraph("Contents", styles.h1.clone("contents")), PageBreak()]
    story += _summary(d, styles, width)
    story += _inventory(d, styles, width, progress)
    if d.reconciliation is not None and d.reconciliation.audited:
        story += reconciliation_section(d.reconciliation, d.audit, styles, width)
    if d.lifecycle is not None:
        story += [PageBreak(), *lifecycle_section(d.lifecycle, styles, width)]
    story += _knowledge_transfer(d, styles, width)
    story += [PageBreak(), Paragraph("Go-live checklist", styles.h1)]
    story += golive_checklist(d.facts, styles, width)
    story += [
        Paragraph("Post-live action items", styles.h1),
        action_table(d.facts.get("action_items", []), styles, width),
    ]
    story += [PageBreak(), Paragraph("Signature page", styles.h1)]
    statement = d.signoff.content.get("statement", "") if d.signoff else d.facts.get("statement", "")
    story += [text(statement, styles.body), spacer(4)]
    story += signature_block(d.signoff, styles, width, d.client.name)
    if progress:
        progress(0, 0, "Writing the PDF…")
    footer = f"{d.client.name} · {d.project_code} · signoff packet"
    contents = {2: lambda canvas: draw_contents(canvas, doc, styles)}
    doc.build(story, canvasmaker=numbered_canvas(footer, skip_first=True, late=contents))
    return path
