"""GET /healthz."""

from __future__ import annotations

from marshmallow import Schema, fields


class HealthPart(Schema):
    ok = fields.Boolean()
    detail = fields.String()


class HealthOut(Schema):
    ok = fields.Boolean()
    database = fields.Nested(HealthPart)
    redis = fields.Nested(HealthPart)
    worker = fields.Nested(HealthPart)
    scheduler = fields.Nested(HealthPart)
