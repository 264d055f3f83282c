"""Versioned JSON API under /api/v1. The view modules register their routes on `bp` when imported
(app.api.routes imports them all; the app factory imports that)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
