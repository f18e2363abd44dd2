"""Importing a client's inventory list: column mapping, value mapping, a preview, then one all-or-nothing write.

Modules: `mapping` (columns → fields, profiles), `cells` (reading dates and damaged numbers), `value_mapping`
(the client's categories, statuses and places → Closeout's), `refs` (names → ids), `plan` (one import's context),
`matching` (which asset a row is about), `rows` (the preview), `writing` (the write), `results` (what they give),
`changes` (what a row changes, in words).
"""

from __future__ import annotations

from app.importing.results import ImportFailed, ImportOptions, ImportPreview, ImportResult, RowResult, RowStatus
from app.importing.rows import preview_import, rows_from_dicts
from app.importing.writing import apply_import

__all__ = [
    "ImportFailed",
    "ImportOptions",
    "ImportPreview",
    "ImportResult",
    "RowResult",
    "RowStatus",
    "apply_import",
    "preview_import",
    "rows_from_dicts",
]
