"""`flask --app wsgi account create|set-password`: console accounts for township and county staff."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from app.domain import auth, roles
from app.errors import AppError
from app.extensions import db
from app.models import ConsoleAccount, County, Role, Township


def register(app: Flask) -> None:
    group = click.Group("account", help="Console accounts (township and county staff).")
    app.cli.add_command(group)

    @group.command("create")
    @click.argument("username")
    @click.option("--name", "display_name", required=True, help="Real name shown in the console.")
    @click.option("--role", type=click.Choice([r.value for r in Role if r.level.value in ("township", "county")]),
                  required=True)
    @click.option("--township", "township_code", help="Township code (for township roles).")
    @click.option("--county", "county_code", help="County code (for county roles).")
    @click.password_option()
    def create(username, display_name, role, township_code, county_code, password):
        """Create a console account holding one role."""
        username = username.strip().lower()
        if db.session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == username)):
            raise click.ClickException(f"账号已存在: {username}")
        account = ConsoleAccount(username=username, display_name=display_name, password_hash="")
        try:
            auth.set_password(account, password)
            db.session.add(account)
            db.session.flush()
            role_ = Role(role)
            if role_ is Role.COUNTY_STAFF:
                county = db.session.scalar(select(County).where(County.code == county_code))
                if county is None:
                    raise click.ClickException(f"未找到县: {county_code}")
                roles.assign(role_, account=account, holder_name=display_name, county_id=county.id)
            else:
                township = db.session.scalar(select(Township).where(Township.code == township_code))
                if township is None:
                    raise click.ClickException(f"未找到镇（街道）: {township_code}")
                roles.assign(role_, account=account, holder_name=display_name, township=township)
        except AppError as exc:
            raise click.ClickException(exc.message) from exc
        db.session.commit()
        click.echo(f"已创建账号 {username}（{display_name}，{role_.label}）")

    @group.command("set-password")
    @click.argument("username")
    @click.password_option()
    def set_password(username, password):
        account = db.session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == username.lower()))
        if account is None:
            raise click.ClickException(f"未找到账号: {username}")
        try:
            auth.set_password(account, password)
        except AppError as exc:
            raise click.ClickException(exc.message) from exc
        db.session.commit()
        click.echo("密码已更新")
