"""Enumerations of the domain, stored by value so that the local store and the server agree on text."""

from __future__ import annotations

from enum import StrEnum


class AssetStatus(StrEnum):
    IN_SERVICE = "in_service"
    SPARE = "spare"
    RETIRED = "retired"
    MISSING = "missing"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class AuditState(StrEnum):
    """Where an asset stands in the onsite audit (derived from `listed`, `seen_at` and `audit_mark`)."""

    EXPECTED = "expected"  # on the client's list, not seen yet
    SEEN = "seen"  # on the list and seen on site
    FOUND = "found"  # seen on site, not on the list
    MISSING = "missing"  # on the list, looked for and not there (with a reason)
    OUT_OF_SCOPE = "out_of_scope"  # on the list, not part of this closeout

    @property
    def label(self) -> str:
        return _AUDIT_LABELS[self]


_AUDIT_LABELS = {
    AuditState.EXPECTED: "Expected",
    AuditState.SEEN: "Seen",
    AuditState.FOUND: "Found, not listed",
    AuditState.MISSING: "Missing",
    AuditState.OUT_OF_SCOPE: "Not in scope",
}
#: Why a listed asset is missing (stored in `Asset.audit_reason`).
MISSING_REASONS = {"disposed": "Disposed", "off_site": "Off site", "not_found": "Not found"}


class ProjectStatus(StrEnum):
    OPEN = "open"
    LIVE = "live"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class LocationKind(StrEnum):
    BUILDING = "building"
    FLOOR = "floor"
    ROOM = "room"
    RACK = "rack"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    YES_NO = "yes_no"


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    SCAN = "scan"
    SIGNATURE = "signature"
    DOCUMENT = "document"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class SignoffMethod(StrEnum):
    ON_SCREEN = "on_screen"
    PAPER = "paper"


class SignoffStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    SUPERSEDED = "superseded"
