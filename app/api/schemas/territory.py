"""Counties, townships, villages, grids and households."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.api.schemas.common import PageIn, _text


class TerritoryRef(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class GridOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    name = fields.String()


class TownshipOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    supervision_phone = fields.String(allow_none=True)


class VillageOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    township = fields.Nested(TownshipOut)
    grids = fields.List(fields.Nested(GridOut))


class HouseholdOut(Schema):
    id = fields.Integer()
    village_id = fields.Integer()
    grid = fields.Nested(GridOut, allow_none=True)
    number = fields.String()
    address = fields.String()
    head_name = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)


class HouseholdQueryIn(PageIn):
    grid_id = fields.Integer()


class HouseholdSearchIn(PageIn):
    """The console's household search: a village (default every one in sight), a grid, and a text
    matched against the household number, the head of household, the address and the door code."""

    village_id = fields.Integer()
    grid_id = fields.Integer()
    q = _text(40, metadata={"description": "household number, head of household, address or door code"})


class HouseholdPageOut(Schema):
    items = fields.List(fields.Nested(HouseholdOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
