"""What an officer may know of a case: the one projection every officer-facing output is made from.

Every seat that reaches a case other than its filer — the handling office, the supervision liaison's
copy, moderation, monitoring, re-routing — and every way a case leaves for them — the case JSON
(detail, inbox, every step's answer), the monitoring list and its Excel export, the subscribe
messages to offices, the four-platform delivery — reads the case through `project`, never the row.

The projection is an allow-list. It hands out the columns that describe the case and the office
holding it (`CASE_FIELDS`); the complainant's columns (`COMPLAINANT_FIELDS`: contact, coordinates,
household) only for a real-name case and only to the office handling it, which the villager agreed
to be contacted by; and nothing else: not the filing account, not the household behind an anonymous
case, not a step's actor ids. An attribute outside the lists raises AttributeError, so a schema or
payload that asks for one gets nothing (marshmallow leaves the key out) or fails in the tests —
anonymity cannot be lost by adding a field somewhere. For an anonymous case the village (and the
category, the office, the times) is as precise as it gets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from app.domain import authz
from app.domain.projection import AllowList
from app.extensions import db
from app.models import Complaint, ComplaintEvent, ComplaintPhoto, Notification

# Describe the case and who holds it; none of them identifies or locates the person who filed it.
CASE_FIELDS = frozenset(
    {
        "id",
        "reference",
        "county_id",
        "township_id",
        "village_id",
        "village",
        "anonymous",
        "category",
        "lane",
        "description",
        "about_role",
        "about_level",
        "status",
        "moderation",
        "resolution",
        "merged_into_id",
        "reopen_count",
        "version",
        "handler_kind",
        "handler_role",
        "handler_village_id",
        "handler_township_id",
        "handler_county_id",
        "copy_liaison",
        "routing_rule_id",
        "routing_fallback",
        "filed_at",
        "assigned_at",
        "signed_at",
        "replied_at",
        "closed_at",
        "clock_step",
        "clock_started_at",
        "due_at",
        "remind_at",
        "reminded_at",
        "next_check_at",
        "escalation_level",
        "escalated_at",
        "overdue_since",
        "was_late",
        "deadline_outcome",
        "colour",
        "rating",
        "public_summary",
        "public_summary_at",
    }
)
# Who filed it: a real-name case's handling office only.
COMPLAINANT_FIELDS = frozenset({"contact_name", "contact_phone", "latitude", "longitude", "household_id"})
# A step: what happened and which office did it (the actor's ids stay in the audit trail).
EVENT_FIELDS = frozenset(
    {"id", "kind", "from_status", "to_status", "actor_label", "public_note", "internal_note", "created_at"}
)
# A photo: the cleaned image and its check (not who uploaded it, nor where it is stored).
PHOTO_FIELDS = frozenset(
    {
        "id",
        "complaint_id",
        "status",
        "media_type",
        "width",
        "height",
        "size",
        "position",
        "review_reason",
        "uploaded_at",
    }
)


# A delivery to the township's four-platform system: its course, not its body (which carries a
# real-name complainant's contact for the platform) nor its key.
DELIVERY_FIELDS = frozenset(
    {
        "id",
        "event_kind",
        "state",
        "attempts",
        "created_at",
        "sent_at",
        "acknowledged_at",
        "failed_at",
        "next_attempt_at",
        "last_attempt_at",
        "last_error",
        "failure_code",
        "failure_reason",
    }
)
# A subscribe message the case owed: which template, to which audience, and how it went; never to whom
# (the filer of an anonymous case is a person) nor its values.
NOTIFICATION_FIELDS = frozenset({"id", "template_key", "state", "attempts", "created_at", "finished_at", "last_error"})


class _AllowList(AllowList):
    __slots__ = ()
    _audience = "the officers' view of a case"


class OfficerEvent(_AllowList):
    __slots__ = ()
    _fields = EVENT_FIELDS


class OfficerPhoto(_AllowList):
    __slots__ = ()
    _fields = PHOTO_FIELDS

    @property
    def complaint(self) -> OfficerCase:
        return OfficerCase(self._row.complaint, handling=False)


class OfficerCase(_AllowList):
    """A case as an officer sees it. `handling`: the officer's office handles it (a copy, moderation
    or monitoring does not)."""

    __slots__ = ("handling", "reveals_complainant")
    _fields = CASE_FIELDS

    def __init__(self, complaint: Complaint, *, handling: bool) -> None:
        super().__init__(complaint)
        object.__setattr__(self, "handling", handling)
        object.__setattr__(self, "reveals_complainant", handling and not complaint.anonymous)

    def __getattr__(self, name: str) -> Any:
        if name in COMPLAINANT_FIELDS and self.reveals_complainant:
            return getattr(self._row, name)
        return super().__getattr__(name)

    @property
    def events(self) -> list[OfficerEvent]:
        return [OfficerEvent(e) for e in self._row.events]

    @property
    def photos(self) -> list[OfficerPhoto]:
        """Cleared photos only: pending ones are still being checked, refused ones are never shown."""
        return [OfficerPhoto(p) for p in self._row.photos if p.status == "cleared"]


class OfficerDelivery(_AllowList):
    __slots__ = ()
    _fields = DELIVERY_FIELDS


class OfficerNotification(_AllowList):
    """A notification of a case; `audience`: villager (the filer), handler (the office), liaison (the copy)."""

    __slots__ = ("audience",)
    _fields = NOTIFICATION_FIELDS

    def __init__(self, notification: Notification, audience: str) -> None:
        super().__init__(notification)
        object.__setattr__(self, "audience", audience)


def project(complaint: Complaint, *, handling: bool = False) -> OfficerCase:
    """The officers' view of a case (see the module docstring)."""
    return OfficerCase(complaint, handling=handling)


def handled_ids(actor: authz.Actor, complaint_ids: list[int]) -> set[int]:
    """Which of these cases the actor's office handles: only the handling office sees who complained."""
    if not complaint_ids:
        return set()
    return set(
        db.session.scalars(
            select(Complaint.id).where(
                Complaint.id.in_(complaint_ids), authz.scoped(actor, "complaint.handle", Complaint)
            )
        )
    )


def for_actor(actor: authz.Actor, complaints: Sequence[Complaint]) -> list[OfficerCase]:
    """Cases as this officer sees them: a real-name complainant's contact and location for the
    handling office alone; an anonymous complainant's for nobody (whistleblower protection)."""
    handled = handled_ids(actor, [c.id for c in complaints])
    return [OfficerCase(c, handling=c.id in handled) for c in complaints]


def seen_by(actor: authz.Actor, complaint: Complaint) -> OfficerCase:
    """One case as the officer sees it (every step an office takes answers with it)."""
    return for_actor(actor, [complaint])[0]


def project_event(event: ComplaintEvent) -> OfficerEvent:
    return OfficerEvent(event)


def project_photo(photo: ComplaintPhoto) -> OfficerPhoto:
    """A complaint photo as moderators see it (with its case, projected)."""
    return OfficerPhoto(photo)
