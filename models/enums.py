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
