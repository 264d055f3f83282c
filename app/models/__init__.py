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
from app.models.notifications import Notification
from app.models.platform import PlatformConfig, PlatformDelivery
from app.models.stickers import HouseholdCode, StickerSheet
from app.models.territory import County, Grid, Household, Township, Village

__all__ = [
    "Attachment",
    "Complaint",
    "ComplaintEvent",
    "ComplaintPhoto",
    "ComplaintPhotoCheck",
    "ComplaintSubject",
    "DeadlinePolicy",
    "QuestionEscalation",
    "RoutingRule",
    "PlatformConfig",
    "PlatformDelivery",
    "AuditEntry",
    "Category",
    "Disclosure",
    "DisclosureVersion",
    "DisclosureView",
    "Frequency",
    "ItemType",
    "Question",
    "VersionStatus",
    "ROLE_LABELS",
    "VILLAGE_CADRE_ROLES",
    "AuthSession",
    "Base",
    "ConsoleAccount",
    "County",
    "Grid",
    "Household",
    "HouseholdCode",
    "Invitation",
    "Notification",
    "Level",
    "Role",
    "RoleAssignment",
    "StickerSheet",
    "Township",
    "UTCDateTime",
    "Village",
    "WxUser",
]
