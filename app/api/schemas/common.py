"""What every schema shares: the input base class (its fields guarded, app/api/inputs.py), times on the
wire, texts, paging and the one error shape. Inputs RAISE on unknown fields."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from app.api.inputs import guard_field
from app.clock import to_shanghai


class In(Schema):
    """Every input schema. Its fields are guarded as it is built (app/api/inputs.py): integers within
    the database's range, dates within reason, texts without control characters or broken encoding."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name, field_obj):
        guard_field(field_obj, f"{type(self).__name__}.{field_name}")


class ShanghaiDateTime(fields.DateTime):
    """UTC inside, Asia/Shanghai (+08:00) on the wire."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(to_shanghai(value), attr, obj, **kwargs)


def _text(max_len: int, min_len: int = 1, *, multiline: bool = False, **kw):
    """Text of a length; single-line unless `multiline` (then tab and line breaks are kept)."""
    if multiline:
        kw["metadata"] = {**kw.get("metadata", {}), "multiline": True}
    return fields.String(validate=validate.Length(min=min_len, max=max_len), **kw)


# ---- errors (documented in OpenAPI; produced by app.errors) ----
class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "message for people, in Chinese"})
    # The body's key is "fields". marshmallow takes declared fields off the class, so this does not
    # shadow Schema.fields at run time; mypy sees the class attribute.
    fields = fields.Dict(metadata={"description": "per-field errors"})  # type: ignore[assignment]


class ErrorOut(Schema):
    error = fields.Nested(ErrorBody, required=True)


class PageIn(In):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
