"""The signoff packet's reconciliation section: what was listed against what was found on site."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph

from app.audit_report import AuditRow, Reconciliation
from exporters.pdf_common import Styles, data_table, kv_table
from models import AuditState

#: The listed assets that were seen are counted, not listed one by one; every exception is listed.
_EXCEPTIONS = (AuditState.EXPECTED, AuditState.MISSING, AuditState.OUT_OF_SCOPE, AuditState.FOUND)


def reconciliation_section(
    result: Reconciliation, rows: list[AuditRow], styles: Styles, width: float
) -> list[Flowable]:
    total = result.total
    out: list[Flowable] = [PageBreak(), Paragraph("Onsite audit reconciliation", styles.h1)]
    verdict = "Complete: every listed asset was seen or explained." if result.complete else (
        f"Not complete: {total.unseen} listed assets were not seen and are not explained.")  # fmt: skip
    out.append(
        kv_table(
            [
                ("Listed (expected)", str(total.expected)),
                ("Seen on site", str(total.seen)),
                ("Missing", str(total.missing)),
                ("Not in scope", str(total.out_of_scope)),
                ("Found, not listed", str(total.found)),
                ("Seen or explained", f"{total.done} of {total.expected} ({total.progress:.0%})"),
                ("Capture", verdict),
            ],
            styles,
            width,
        )
    )
    out.append(Paragraph("By site and location", styles.h2))
    out.append(
        data_table(
            ["Site", "Location", "Expected", "Seen", "Missing", "Not in scope", "Found", "Done"],
            [
                [p.site, p.location or "—", p.expected, p.seen, p.missing, p.out_of_scope, p.found, f"{p.progress:.0%}"]
                for p in result.places
            ]
            or [["—"] * 8],
            styles,
            [width * f for f in (0.17, 0.27, 0.09, 0.08, 0.09, 0.11, 0.08, 0.11)],
            long=True,
        )
    )
    for state in _EXCEPTIONS:
        listed = [r for r in rows if r.state is state]
        if not listed:
            continue
        title = {AuditState.EXPECTED: "Listed, not seen"}.get(state, state.label)
        out.append(Paragraph(f"{title} — {len(listed)}", styles.h2))
        out.append(
            data_table(
                ["Tag", "Previous tag", "Asset", "Serial", "Site / location", "Reason"],
                [
                    [
                        r.tag,
                        r.previous_tag,
                        r.description,
                        r.serial,
                        " / ".join(filter(None, (r.site, r.location))),
                        r.reason,
                    ]
                    for r in listed
                ],
                styles,
                [width * f for f in (0.13, 0.13, 0.2, 0.14, 0.28, 0.12)],
                long=True,
            )
        )
    return out
