"""The OpenAPI document itself (GET /api/v1/openapi.json)."""

from __future__ import annotations

from marshmallow import Schema, fields


class OpenApiDocumentOut(Schema):
    """An OpenAPI 3 document, as https://spec.openapis.org/oas/v3.0.3 describes it."""

    openapi = fields.String()
    info = fields.Dict()
    paths = fields.Dict()
    components = fields.Dict()
    tags = fields.List(fields.Dict())
