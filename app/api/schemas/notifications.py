"""Subscribe messages (订阅消息)."""

from __future__ import annotations

from marshmallow import Schema, fields


class SubscribeTemplateOut(Schema):
    key = fields.String(metadata={"description": "the code's name for the template, e.g. case_progress"})
    template_id = fields.String(metadata={"description": "pass to wx.requestSubscribeMessage({tmplIds})"})
    title = fields.String()
    audience = fields.String(
        metadata={"description": "villager (complaints) | handler (offices) | asker (a question on a disclosure)"}
    )
    request_when = fields.String(metadata={"description": "the tap in which the mini-program requests it"})
