"""Versioned JSON API under /api/v1."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import auth, complaints, disclosures, notifications, openapi, roles, stickers, territory  # noqa: E402,F401  (routes register on import)
