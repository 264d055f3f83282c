"""Subscribe messages (订阅消息): which templates the mini-program asks users to accept, and when."""

from __future__ import annotations

from app.api import bp
from app.api.endpoint import endpoint
from app.api.schemas.notifications import SubscribeTemplateOut
from app.domain.complaints import notifications


@bp.get("/subscribe-templates")
@endpoint(
    tags=["villager", "cadre"],
    summary="订阅消息模板（小程序在点按时用 wx.requestSubscribeMessage 请求）",
    auth=None,
    response=SubscribeTemplateOut(many=True),
    description="One accepted request is one message: the mini-program asks inside the tap handler, before "
    "any await, at most 3 templates per call. Templates without an id are not listed.",
)
def subscribe_templates():
    return notifications.configured_templates()
