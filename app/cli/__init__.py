"""Flask CLI commands: `scripts/flask <command>` (the project's flask, with the settings of scripts/run)."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.cli import accounts, audit, demo, openapi, stickers, territory, worker

    for module in (accounts, audit, demo, openapi, stickers, territory, worker):
        module.register(app)
