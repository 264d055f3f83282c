"""`flask --app wsgi audit verify` and `flask --app wsgi catalogue ensure-defaults`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from app.domain.disclosures import catalogue, chain
from app.extensions import db
from app.models import Township


def register(app: Flask) -> None:
    audit = click.Group("audit", help="The hash chain over published disclosures.")
    app.cli.add_command(audit)

    @audit.command("verify")
    @click.option("--disclosure", "disclosure_id", type=int, help="Recompute only this disclosure's versions.")
    def verify(disclosure_id):
        """Walk the chain and recompute every published version's hash; exit 1 on any problem."""
        result = chain.verify(disclosure_id)
        for problem in result.problems:
            click.echo(f"✗ {problem}", err=True)
        if not result.ok:
            raise click.exceptions.Exit(1)
        click.echo(f"✓ 哈希链完整：{result.entries} 条记录，已公开内容均未被改动")

    group = click.Group("catalogue", help="Township disclosure catalogues (村务公开目录).")
    app.cli.add_command(group)

    @group.command("ensure-defaults")
    def ensure_defaults():
        """Give every township the default catalogue items it lacks."""
        for township in db.session.scalars(select(Township).order_by(Township.code)):
            added = catalogue.ensure_default_catalogue(township)
            click.echo(f"{township.name}: 新增 {added} 项")
        db.session.commit()
