"""What every input must be before any code behind the API sees it.

The database stores 32-bit integers, PostgreSQL refuses NUL in text, a lone UTF-16 surrogate (which
JSON can spell as "\\ud800") cannot be encoded as UTF-8, and a date in year 1 or 9999 overflows date
arithmetic: each of these reaching the domain or the database was a 500. The rules are applied here:

* every input schema (`In`, app/api/schemas/common.py) passes each of its fields to `guard_field` when it is
  built, which bounds integers to the database's int4 range and dates to `DATE_MIN`…`DATE_MAX`
  (unless the field declares its own bounds), refuses control characters and lone surrogates in
  every text (also inside lists, nested objects and mapping keys) and caps text length; a field the
  guard cannot check (untyped) is a programming error, raised when the schema is built;
* inputs no schema reads are checked where they are read: path segments by the URL converters
  (app/routing.py), the bearer token (app/api/endpoint.py), WeChat's pushed messages with the same
  text rules (app/domain/text.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

from app.domain.text import text_problem

INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1
DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2099, 12, 31)  # far around anything Mingjing records
TEXT_MAX = 20_000  # the longest text a field may take when it declares no length of its own
MESSAGE_INT_RANGE = f"应在 {INT4_MIN} 到 {INT4_MAX} 之间"


class Text(validate.Validator):
    """Text that can be stored and shown: no control characters (multi-line text may keep tab and
    line breaks), no lone surrogates."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            problem = text_problem(value, multiline=self.multiline)
            if problem is not None:
                raise ValidationError(problem)
        return value


class DateWithin(validate.Validator):
    """A date (or the local date of a datetime) between two days; the bounds may be callables, for
    windows that move with today."""

    def __init__(self, earliest=DATE_MIN, latest=DATE_MAX) -> None:
        self.earliest, self.latest = earliest, latest

    def __call__(self, value: Any) -> Any:
        day = value.date() if isinstance(value, datetime) else value
        earliest = self.earliest() if callable(self.earliest) else self.earliest
        latest = self.latest() if callable(self.latest) else self.latest
        if isinstance(day, date) and not earliest <= day <= latest:
            raise ValidationError(f"应在 {earliest.isoformat()} 到 {latest.isoformat()} 之间")
        return value


def _bounded_range(field: fields.Field) -> bool:
    return any(isinstance(v, validate.Range) and v.min is not None and v.max is not None for v in field.validators)


def _bounded_length(field: fields.Field) -> bool:
    return any(
        (isinstance(v, validate.Length) and (v.max is not None or v.equal is not None)) or isinstance(v, validate.OneOf)
        for v in field.validators
    )


def _is_input_schema(schema_class: type) -> bool:
    """Derives from `In` (app.api.schemas), the one base class whose fields are guarded. Told by the
    class's ancestry, not by importing it: the schemas import this module."""
    return any(base.__name__ == "In" and base.__module__.startswith("app.api.schemas") for base in schema_class.__mro__)


def guard_field(field: fields.Field, where: str) -> None:
    """Attach the input rules to `field` (and to the fields inside it). `where` names it in errors."""
    if isinstance(field, fields.Nested):
        nested = field.nested
        if callable(nested) and not isinstance(nested, type):
            nested = nested()
        schema_class = nested if isinstance(nested, type) else type(nested)
        if not (isinstance(schema_class, type) and _is_input_schema(schema_class)):
            raise TypeError(f"{where}: a nested input schema must derive from In (got {schema_class!r})")
    elif isinstance(field, fields.List):
        guard_field(field.inner, where + "[]")
    elif isinstance(field, fields.Tuple):
        for i, inner in enumerate(field.tuple_fields):
            guard_field(inner, f"{where}[{i}]")
    elif isinstance(field, fields.Mapping):
        if field.value_field is None:
            raise TypeError(f"{where}: an input mapping must declare its value field")
        guard_field(field.key_field or fields.String(), where + "{key}")
        guard_field(field.value_field, where + "{}")
    elif isinstance(field, fields.String):
        if not any(isinstance(v, Text) for v in field.validators):
            field.validators.append(Text(multiline=bool(field.metadata.get("multiline"))))
        if not _bounded_length(field):
            field.validators.append(validate.Length(max=TEXT_MAX))
    elif isinstance(field, fields.Integer):
        if not _bounded_range(field):
            field.validators.append(validate.Range(min=INT4_MIN, max=INT4_MAX, error=MESSAGE_INT_RANGE))
    elif isinstance(field, (fields.Date, fields.DateTime)):
        if not any(isinstance(v, DateWithin) for v in field.validators):
            field.validators.append(DateWithin())
    elif isinstance(field, (fields.Float, fields.Boolean, fields.Decimal)):
        pass  # finite (marshmallow refuses NaN and infinity) and of fixed size
    elif type(field) in (fields.Raw, fields.Function, fields.Method) or not isinstance(field, fields.Field):
        raise TypeError(f"{where}: an input field must have a checkable type, not {type(field).__name__}")
