"""Flask CLI commands: `flask --app wsgi <command>`."""
from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.cli import accounts, audit, demo, stickers, territory, worker

    for module in (accounts, audit, demo, stickers, territory, worker):
        module.register(app)
