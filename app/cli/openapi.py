"""`scripts/flask openapi export <path>`: the OpenAPI document (GET /api/v1/openapi.json) as a file,
for tools that must not start a server: the mini-program's tests validate their fixtures against it."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app

from app.api.openapi import build_spec


def register(app: Flask) -> None:
    group = click.Group("openapi", help="The API's OpenAPI 3 document.")
    app.cli.add_command(group)

    @group.command("export")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
    def export(path: Path):
        """Write the document to PATH ("-" for stdout) as UTF-8 JSON."""
        text = json.dumps(build_spec(current_app), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        if str(path) == "-":
            click.echo(text, nl=False)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole then renamed: a reader (a parallel jest worker) never sees half a document.
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
        click.echo(f"OpenAPI document written to {path}", err=True)
