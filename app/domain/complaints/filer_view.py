"""What the villager who filed a case sees of it: the case as filed and worked, and their photos as
they know them — a photo WeChat sent to people for review is still "being checked" (pending) to them,
whatever the moderators decide later; a refused one says so (its image is gone)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.domain.projection import AllowList
from app.models import Complaint, ComplaintPhoto

PHOTO_FIELDS = frozenset({"id", "width", "height", "size", "media_type", "position"})


class FilerPhoto(AllowList):
    __slots__ = ()
    _fields = PHOTO_FIELDS
    _audience = "what a villager sees of their photo"

    @property
    def status(self) -> str:
        """pending | cleared | refused."""
        return "pending" if self._row.status == "review" else self._row.status


class FilerCase:
    """The filer's own case: all of the row (the schema picks what is shown), photos as they see them."""

    __slots__ = ("_row",)

    def __init__(self, complaint: Complaint) -> None:
        self._row = complaint

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)

    @property
    def photos(self) -> list[FilerPhoto]:
        return [FilerPhoto(p) for p in self._row.photos]


def project(complaint: Complaint) -> FilerCase:
    return FilerCase(complaint)


def project_all(complaints: Iterable[Complaint]) -> list[FilerCase]:
    return [FilerCase(c) for c in complaints]


def project_photo(photo: ComplaintPhoto) -> FilerPhoto:
    return FilerPhoto(photo)
