"""What a villager who did not file a case may know of it (the case their duplicate was merged into):
no identities, no description, and none of the words its own villager wrote or was asked.

Like the officers' projection (officer_view), an allow-list (app/domain/projection.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.projection import AllowList
from app.models import Complaint, ComplaintEvent

CASE_FIELDS = frozenset({"reference", "category", "status", "resolution", "filed_at", "closed_at"})
# Steps whose note is the filer's own words or a question put to them alone (not the case's outcome).
FILERS_OWN_WORDS = frozenset({"confirmed", "reopened", "asked", "supplied"})


@dataclass(frozen=True)
class SharedEvent:
    kind: str
    to_status: str
    actor_label: str
    public_note: str | None
    created_at: datetime


class SharedCase(AllowList):
    __slots__ = ()
    _fields = CASE_FIELDS
    _audience = "what others may follow of a case"

    @property
    def events(self) -> list[SharedEvent]:
        return [_shared(e) for e in self._row.events]


def _shared(event: ComplaintEvent) -> SharedEvent:
    note = None if event.kind in FILERS_OWN_WORDS else event.public_note
    return SharedEvent(event.kind, event.to_status, event.actor_label, note, event.created_at)


def project(complaint: Complaint) -> SharedCase:
    """The case as a villager who did not file it follows it."""
    return SharedCase(complaint)
