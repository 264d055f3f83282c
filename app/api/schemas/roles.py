"""Roles (terms of office), rosters and cadre invitations."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api.schemas.common import In, ShanghaiDateTime, _text
from app.api.schemas.territory import TerritoryRef
from app.models import ROLE_LABELS, Role


class RoleOut(Schema):
    id = fields.Integer()
    role = fields.String()
    role_label = fields.Function(lambda r: ROLE_LABELS[Role(r.role)])
    holder_name = fields.String(allow_none=True)
    county_id = fields.Integer()
    township = fields.Nested(TerritoryRef, allow_none=True)
    village = fields.Nested(TerritoryRef, allow_none=True)
    grid_id = fields.Integer(allow_none=True)
    household_id = fields.Integer(allow_none=True)
    starts_at = ShanghaiDateTime()
    ends_at = ShanghaiDateTime(allow_none=True)
    end_reason = fields.String(allow_none=True)


class RosterQueryIn(In):
    include_ended = fields.Boolean(load_default=False)


INVITABLE_ROLES = [r.value for r in Role if r not in (Role.VILLAGER, Role.COUNTY_STAFF)]


class InvitationIn(In):
    role = fields.String(required=True, validate=validate.OneOf(INVITABLE_ROLES))
    holder_name = _text(64, required=True, metadata={"description": "the invitee's real name"})
    township_id = fields.Integer()
    village_id = fields.Integer()
    grid_id = fields.Integer()


class InvitationOut(Schema):
    id = fields.Integer()
    role = fields.String()
    holder_name = fields.String()
    township_id = fields.Integer(allow_none=True)
    village_id = fields.Integer(allow_none=True)
    expires_at = ShanghaiDateTime()
    token = fields.String(metadata={"description": "shown once; only its hash is stored"})
    url = fields.String(metadata={"description": "what the QR encodes"})
    qr_png_base64 = fields.String()


class EndTermIn(In):
    reason = _text(200, multiline=True, required=True)
