"""All models, imported here so Alembic and the app see one metadata."""

from app.models.base import Base, UTCDateTime
from app.models.complaint_photos import ComplaintPhoto, ComplaintPhotoCheck
from app.models.complaints import Complaint, ComplaintEvent, ComplaintSubject, RoutingRule
from app.models.deadlines import DeadlinePolicy, QuestionEscalation
from app.models.disclosures import (
    Attachment,
    AuditEntry,
    Category,
    Disclosure,
    DisclosureVersion,
    DisclosureView,
    Frequency,
    ItemType,
    Question,
    VersionStatus,
)
from app.models.notifications import Notification
from app.models.people import (
    ROLE_LABELS,
    VILLAGE_CADRE_ROLES,
    AuthSession,
    ConsoleAccount,
    Invitation,
    Level,
    Role,
    RoleAssignment,
    WxUser,
)
from app.models.platform import PlatformConfig, PlatformDelivery
from app.models.stickers import HouseholdCode, StickerSheet
from app.models.territory import County, Grid, Household, Township, Village

__all__ = [
    "ROLE_LABELS",
    "VILLAGE_CADRE_ROLES",
    "Attachment",
    "AuditEntry",
    "AuthSession",
    "Base",
    "Category",
    "Complaint",
    "ComplaintEvent",
    "ComplaintPhoto",
    "ComplaintPhotoCheck",
    "ComplaintSubject",
    "ConsoleAccount",
    "County",
    "DeadlinePolicy",
    "Disclosure",
    "DisclosureVersion",
    "DisclosureView",
    "Frequency",
    "Grid",
    "Household",
    "HouseholdCode",
    "Invitation",
    "ItemType",
    "Level",
    "Notification",
    "PlatformConfig",
    "PlatformDelivery",
    "Question",
    "QuestionEscalation",
    "Role",
    "RoleAssignment",
    "RoutingRule",
    "StickerSheet",
    "Township",
    "UTCDateTime",
    "VersionStatus",
    "Village",
    "WxUser",
]
