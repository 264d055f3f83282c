"""Every input schema of the application — also those the OpenAPI document does not show, such as
the platform's signed update — guards every field, however deeply nested; a field that cannot be
guarded keeps the schema from being built at all."""

from __future__ import annotations

from datetime import date

import pytest
from marshmallow import ValidationError, fields, validate

import app.api.routes  # noqa: F401  (every schema module is imported with the routes)
from app.api.inputs import DateWithin, Text
from app.api.schemas.common import ErrorBody, In


def _input_schemas() -> list[type[In]]:
    found, todo = [], [In]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls is not In and cls.__module__.startswith("app."):
            found.append(cls)
    return found


def _leaves(field: fields.Field, where: str):
    if isinstance(field, fields.Nested):
        return  # its schema is an In of its own, checked as such
    if isinstance(field, fields.List):
        yield from _leaves(field.inner, where + "[]")
    elif isinstance(field, fields.Mapping):
        yield from _leaves(field.key_field, where + "{key}")
        yield from _leaves(field.value_field, where + "{}")
    else:
        yield where, field


def test_every_field_of_every_input_schema_is_guarded():
    schemas = _input_schemas()
    assert len(schemas) > 30
    unguarded = []
    for cls in schemas:
        for name, field in cls().fields.items():
            for where, leaf in _leaves(field, f"{cls.__name__}.{name}"):
                kinds = {type(v) for v in leaf.validators}
                if isinstance(leaf, fields.String):
                    ok = Text in kinds and any(
                        isinstance(v, validate.OneOf) or (isinstance(v, validate.Length) and v.max is not None)
                        for v in leaf.validators
                    )
                elif isinstance(leaf, fields.Integer):
                    ok = any(
                        isinstance(v, validate.Range)
                        and v.min is not None
                        and v.max is not None
                        and v.min >= -(2**63)
                        and v.max < 2**63
                        for v in leaf.validators
                    )
                elif isinstance(leaf, (fields.Date, fields.DateTime)):
                    ok = DateWithin in kinds
                else:
                    ok = isinstance(leaf, (fields.Boolean, fields.Float))
                if not ok:
                    unguarded.append(where)
    assert not unguarded, unguarded


def test_what_the_guards_refuse():
    class Probe(In):
        count = fields.Integer()
        fen = fields.Integer(validate=validate.Range(min=0, max=10**13))  # declared: wider than int4
        day = fields.Date()
        at = fields.DateTime()
        title = fields.String()
        note = fields.String(metadata={"multiline": True})
        tags = fields.List(fields.String())
        extra = fields.Dict(keys=fields.String(), values=fields.Integer())

    schema = Probe()
    assert (
        schema.load(
            {
                "count": 2**31 - 1,
                "fen": 10**12,
                "day": "2026-03-02",
                "note": "一\n二\t三\r\n",
                "tags": ["甲"],
                "extra": {"a": 1},
            }
        )["fen"]
        == 10**12
    )
    bad = {
        "count": 2**31,
        "fen": 10**14,
        "day": "0001-01-01",
        "at": "9999-12-31T23:59:59+14:00",
        "title": "a\nb",
        "note": "a\u0000b",
        "tags": ["ok", "\ud800"],
        "extra": {"\u0007": 2**40},
    }
    with pytest.raises(ValidationError) as refused:
        schema.load(bad)
    errors = refused.value.messages
    assert errors["count"] == ["应在 -2147483648 到 2147483647 之间"]
    assert errors["fen"] == ["Must be greater than or equal to 0 and less than or equal to 10000000000000."]
    assert errors["day"] == errors["at"] == ["应在 2000-01-01 到 2099-12-31 之间"]
    assert errors["title"] == ["不能包含换行、制表符等控制字符"]
    assert errors["note"] == ["不能包含控制字符"]
    assert errors["tags"] == {1: ["含有无效的字符编码"]}
    assert errors["extra"]["\u0007"] == {
        "key": ["不能包含换行、制表符等控制字符"],
        "value": ["应在 -2147483648 到 2147483647 之间"],
    }
    with pytest.raises(ValidationError) as long_text:
        schema.load({"title": "字" * 20_001})
    assert long_text.value.messages == {"title": ["Longer than maximum length 20000."]}


def test_a_moving_window_is_evaluated_on_each_load():
    today = [date(2026, 3, 2)]

    class Window(In):
        since = fields.Date(validate=DateWithin(lambda: date(today[0].year - 5, today[0].month, 1), lambda: today[0]))

    schema = Window()
    assert schema.load({"since": "2021-03-01"})
    today[0] = date(2026, 4, 1)
    with pytest.raises(ValidationError):
        schema.load({"since": "2021-03-01"})


def test_a_field_that_cannot_be_guarded_keeps_the_schema_from_being_built():
    class Untyped(In):
        anything = fields.Raw()

    class UntypedMapping(In):
        anything = fields.Dict()

    class Foreign(In):
        inner = fields.Nested(ErrorBody)  # not an In: its fields would not be guarded

    for schema in (Untyped, UntypedMapping, Foreign):
        with pytest.raises(TypeError):
            schema()
