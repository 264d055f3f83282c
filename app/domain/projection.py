"""Projections: what one audience may know of a row, as an allow-list. An attribute outside the list
raises AttributeError, so a schema or payload that asks for more gets nothing (marshmallow leaves the
key out) or fails in the tests: nothing is shown by adding a field somewhere."""

from __future__ import annotations

from typing import Any


class AllowList:
    """Attributes of `_row` named in `_fields`; anything else does not exist. Read-only."""

    __slots__ = ("_row",)
    _fields: frozenset[str] = frozenset()
    _audience = "this view"  # for the error messages: "<name> is not part of <audience>"

    def __init__(self, row: Any) -> None:
        object.__setattr__(self, "_row", row)

    def __getattr__(self, name: str) -> Any:
        if name in self._fields:
            return getattr(self._row, name)
        raise AttributeError(f"{name} is not part of {self._audience}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self._audience} is read-only")
