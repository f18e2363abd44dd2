"""Sections shared by the signoff form and the packet: go-live checklist, action items, signature block."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Table, TableStyle

from exporters.pdf_common import INK, Styles, data_table, fmt_date, kv_grid, kv_table, spacer, text, yes_no
from exporters.pdf_data import SignoffView
from exporters.pdf_fonts import markup


def golive_checklist(facts: dict[str, Any], styles: Styles, width: float) -> list[Flowable]:
    """The services in scope (live or not) beside the entry conditions, then the call's outcome."""
    call = facts.get("call", {})
    services = facts.get("services_live", {})
    rows = [[name, yes_no(live), "Live" if live else "Not live yet"] for name, live in services.items()]
    left, right = width * 0.54, width * 0.43
    service_table = data_table(
        ["Service in scope", "Live", "Status"], rows or [["No services in scope", "", ""]], styles,
        [left * 0.58, left * 0.14, left * 0.28],
    )  # fmt: skip
    conditions = [[label, yes_no(met)] for label, met in call.get("entry_conditions", {}).items()]
    condition_table = data_table(["Entry condition", "Met"], conditions, styles, [right * 0.82, right * 0.18])
    side_by_side = Table([[service_table, condition_table]], colWidths=[left + width * 0.03, right], hAlign="LEFT")
    side_by_side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                      ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    satisfaction = call.get("satisfaction")
    adoption = call.get("adoption_rate")
    details = kv_grid(
        [
            ("Call scheduled", fmt_date(call.get("scheduled_at"))),
            ("Call held", fmt_date(call.get("held_at"))),
            ("MSP attendees", ", ".join(call.get("msp_attendees", [])) or "—"),
            ("Client attendees", ", ".join(call.get("client_attendees", [])) or "—"),
            ("Client satisfaction", f"{satisfaction} / 5" if satisfaction else "Not recorded"),
            ("Procedures adopted", f"{adoption * 100:.0f} %" if adoption is not None else "Not recorded"),
        ],
        styles,
        width,
    )
    out: list[Flowable] = [side_by_side, spacer(3), details]
    comment = call.get("satisfaction_comment")
    if comment:
        out += [spacer(1), text(f"Client's comment: {comment}", styles.small)]
    return out


def action_table(items: list[dict[str, Any]], styles: Styles, width: float) -> Flowable:
    rows = [
        [
            i.get("title", ""),
            i.get("owner", "") or "—",
            fmt_date(i.get("due")),
            str(i.get("status", "")).replace("_", " ").capitalize(),
            "Issue" if i.get("issue") else "Follow-up",
        ]
        for i in items
    ]
    if not rows:
        return Paragraph("No post-live action items.", styles.body)
    return data_table(
        ["Action item", "Owner", "Due", "Status", "Kind"],
        rows,
        styles,
        [width * 0.42, width * 0.2, width * 0.13, width * 0.13, width * 0.12],
        long=True,
    )


def _signature_image(view: SignoffView, max_w: float, max_h: float) -> Flowable | None:
    if not view.signature or view.signature_mime not in ("image/png", "image/jpeg"):
        return None
    reader = ImageReader(io.BytesIO(view.signature))
    w, h = reader.getSize()
    scale = min(max_w / w, max_h / h)
    return Image(io.BytesIO(view.signature), width=w * scale, height=h * scale, hAlign="LEFT")


def signature_block(
    view: SignoffView | None, styles: Styles, width: float, client_name: str, heading: Flowable | None = None
) -> list[Flowable]:
    """Signed: the signature beside the signer's details, and the SHA-256 of the signed content. Unsigned: lines
    to sign on paper. The heading (if given) is kept on the same page as the block."""
    head = [heading] if heading is not None else []
    if view is None:
        grid = Table(
            [
                [Paragraph("Client signature", styles.small), Paragraph("Date", styles.small)],
                ["", ""],
                [Paragraph("Name", styles.small), Paragraph("Title", styles.small)],
                ["", ""],
            ],
            colWidths=[width * 0.58, width * 0.42],
            rowHeights=[12, 30, 12, 26],
            hAlign="LEFT",
        )
        grid.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 1), (0, 1), 0.8, INK),
                    ("LINEBELOW", (1, 1), (1, 1), 0.8, INK),
                    ("LINEBELOW", (0, 3), (-1, 3), 0.8, INK),
                    ("RIGHTPADDING", (0, 0), (0, -1), 18),
                ]
            )
        )
        intro = text(
            f"For {client_name}. This form is not yet signed: print it, sign it and attach the scan in Closeout, "
            "or sign on screen.",
            styles.body,
        )
        return [KeepTogether([*head, intro, spacer(2), grid])]
    image = _signature_image(view, 70 * mm, 26 * mm)
    method = "On screen" if view.method == "on_screen" else "On paper (scan kept in Closeout)"
    version = f"{view.version}" + (f" (supersedes version {view.version - 1})" if view.version > 1 else "")
    rows: list[tuple[str, object]] = [
        ("Signed by", view.signer_name),
        ("Title", view.signer_title or "—"),
        ("Signed at", fmt_date(view.signed_at)),
        ("Method", method),
        ("Signoff version", version),
    ]
    if image is not None:
        left: Flowable = image
    elif view.signature is None:
        left = text("The signature file is missing from this workspace.", styles.body)
    else:
        left = text("Signed on paper; the scan is kept with the signoff in Closeout.", styles.body)
    pair = Table(
        [[[Paragraph("Signature", styles.small), left], kv_table(rows, styles, width * 0.56, key_share=0.36)]],
        colWidths=[width * 0.42, width * 0.58],
        hAlign="LEFT",
    )
    pair.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("LINEBELOW", (0, 0), (0, 0), 0.8, INK)]))  # fmt: skip
    state = "verified" if view.verified else "DOES NOT MATCH the stored content"
    block: list[Flowable] = [
        *head,
        pair,
        spacer(2),
        Paragraph(f"SHA-256 of the signed content ({state}): {markup(view.content_sha256)}", styles.mono),
        Paragraph(f"SHA-256 of the signature file: {markup(view.content.get('signature_sha256', ''))}", styles.mono),
    ]
    return [KeepTogether(block)]
