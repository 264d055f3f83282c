"""Every route of the web pages: importing the view modules registers them on the blueprint."""

from app.web import bp, pages  # noqa: F401  (routes register on import)

__all__ = ["bp"]
