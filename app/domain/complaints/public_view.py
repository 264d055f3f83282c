"""What a villager who did not file a case may know of it (the case their duplicate was merged into):
no identities, no description, and none of the words its own villager wrote or was asked.

Like the officers' projection (officer_view), an allow-list: an attribute outside it raises
AttributeError, so a schema that asks for more gets nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


class SharedCase:
    __slots__ = ("_row",)

    def __init__(self, complaint: Complaint) -> None:
        object.__setattr__(self, "_row", complaint)

    def __getattr__(self, name: str) -> Any:
        if name in CASE_FIELDS:
            return getattr(self._row, name)
        raise AttributeError(f"{name} is not part of what others may follow of a case")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the shared view of a case is read-only")

    @property
    def events(self) -> list[SharedEvent]:
        return [_shared(e) for e in self._row.events]


def _shared(event: ComplaintEvent) -> SharedEvent:
    note = None if event.kind in FILERS_OWN_WORDS else event.public_note
    return SharedEvent(event.kind, event.to_status, event.actor_label, note, event.created_at)


def project(complaint: Complaint) -> SharedCase:
    """The case as a villager who did not file it follows it."""
    return SharedCase(complaint)
