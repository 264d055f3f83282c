"""Every route of the API: importing the view modules registers them on the blueprint."""

from app.api import (  # noqa: F401  (routes register on import)
    auth,
    bp,
    complaint_photos,
    complaints,
    deadlines,
    disclosures,
    files,
    notifications,
    openapi,
    platform,
    roles,
    stickers,
    territory,
    wechat_push,
)
from app.api.endpoint import limit_request_body

bp.before_app_request(limit_request_body)  # every route of the app, not only the API's

__all__ = ["bp"]
