"""Closeout's domain model: typed SQLAlchemy 2.0 tables shared by the desktop store and the sync server."""

from __future__ import annotations

from models.asset import Asset, Attachment
from models.base import Base, SyncedEntity, utcnow
from models.catalog import Category, FieldDefinition
from models.client import Client, Contact
from models.enums import (
    ActionStatus,
    AssetStatus,
    AttachmentKind,
    AuditState,
    FieldType,
    LocationKind,
    ProjectStatus,
    SignoffMethod,
    SignoffStatus,
)
from models.handover import (
    ActionItem,
    ActivationCall,
    ChecklistTemplate,
    KnowledgeTransferSession,
    Signoff,
)
from models.ids import new_id
from models.importing import ImportProfile
from models.journal import Change, ChangeSet, Conflict, WorkspaceMeta
from models.lifecycle import LifecycleRule
from models.project import ActivationProject, Location, ProjectTechnician, Site
from models.sync_state import RejectedChange, StagedRow

__all__ = [
    "ActionItem",
    "ActionStatus",
    "ActivationCall",
    "ActivationProject",
    "Asset",
    "AssetStatus",
    "Attachment",
    "AttachmentKind",
    "AuditState",
    "Base",
    "Category",
    "Change",
    "ChangeSet",
    "ChecklistTemplate",
    "Client",
    "Conflict",
    "Contact",
    "FieldDefinition",
    "FieldType",
    "ImportProfile",
    "KnowledgeTransferSession",
    "LifecycleRule",
    "Location",
    "LocationKind",
    "ProjectStatus",
    "ProjectTechnician",
    "RejectedChange",
    "Signoff",
    "SignoffMethod",
    "SignoffStatus",
    "Site",
    "StagedRow",
    "SyncedEntity",
    "WorkspaceMeta",
    "new_id",
    "utcnow",
]
