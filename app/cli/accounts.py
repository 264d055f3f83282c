"""`flask --app wsgi account create|set-password`: console accounts for township and county staff.
`flask --app wsgi roles check-grants [--end]`: terms bound by invitations their inviter could not give.

This shell is the operator's bootstrap path (county staff accounts, the first township accounts): it
is outside the grant matrix of app.domain.grants, which governs every grant made through the API."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from app.clock import utcnow
from app.domain import auth, roles
from app.errors import AppError
from app.extensions import db
from app.models import ConsoleAccount, County, Role, RoleAssignment, Township


def register(app: Flask) -> None:
    group = click.Group("account", help="Console accounts (township and county staff).")
    app.cli.add_command(group)

    @group.command("create")
    @click.argument("username")
    @click.option("--name", "display_name", required=True, help="Real name shown in the console.")
    @click.option(
        "--role", type=click.Choice([r.value for r in Role if r.level.value in ("township", "county")]), required=True
    )
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

    roles_group = click.Group("roles", help="Terms of office (who may grant what: app/domain/grants.py).")
    app.cli.add_command(roles_group)

    @roles_group.command("check-grants")
    @click.option("--end", "end_them", is_flag=True, help="End the terms listed (their history is kept).")
    def check_grants(end_them):
        """List running terms bound by an invitation its inviter could not give; exit 1 if any (unless --end)."""
        found = roles.terms_granted_without_power()
        for term, invitation in found:
            place = term.village.name if term.village else term.township.name if term.township else ""
            inviter = db.session.get_one(ConsoleAccount, invitation.created_by_account_id)
            click.echo(
                f"✗ 任期 {term.id}：{term.holder_name or ''}（{Role(term.role).label}，{place}），"
                f"由 {inviter.username} 于邀请 {invitation.id} 任命，其岗位无权任命该职务"
            )
        if not found:
            click.echo("✓ 所有在任的受邀任期都由有权任命的岗位发出")
            return
        if not end_them:
            raise click.exceptions.Exit(1)
        roles.end_from_the_shell([term for term, _ in found], "任命人无权任命该职务，由运维核查结束")
        db.session.commit()
        click.echo(f"已结束 {len(found)} 个任期")

    @roles_group.command("end")
    @click.argument("term_id", type=int)
    @click.option("--reason", required=True, help="Why the term ends (kept with its history).")
    def end(term_id, reason):
        """End one term from the shell: county staff terms, which nobody ends through the API."""
        term = db.session.get(RoleAssignment, term_id)
        if term is None or not term.is_active_at(utcnow()):
            raise click.ClickException(f"没有在任的任期 {term_id}")
        roles.end_from_the_shell([term], reason)
        db.session.commit()
        click.echo(f"已结束任期 {term_id}（{term.holder_name or ''}，{Role(term.role).label}）")

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
