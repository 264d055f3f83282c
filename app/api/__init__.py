"""Versioned JSON API under /api/v1."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import (  # noqa: E402,F401  (routes register on import)
    auth,
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

from app.api.endpoint import limit_request_body  # noqa: E402

bp.before_app_request(limit_request_body)  # every route of the app, not only the API's
