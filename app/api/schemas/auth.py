"""Logging in: WeChat users, console accounts, accepting an invitation."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api.schemas.common import In, ShanghaiDateTime, _text
from app.api.schemas.roles import RoleOut


class WxLoginIn(In):
    code = _text(128, required=True, metadata={"description": "code from wx.login"})


class ConsoleLoginIn(In):
    username = _text(64, required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class InvitationAcceptIn(In):
    token = _text(128, required=True)


class MeOut(Schema):
    kind = fields.String(metadata={"description": "wx (WeChat user) or console (staff account)"})
    id = fields.Integer()
    display_name = fields.String(allow_none=True)
    roles = fields.List(fields.Nested(RoleOut))


class SessionOut(Schema):
    token = fields.String(metadata={"description": "opaque bearer token; send as Authorization: Bearer …"})
    expires_at = ShanghaiDateTime()
    me = fields.Nested(MeOut)
