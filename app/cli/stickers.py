"""`scripts/flask qr codes|sheet|revoke|reissue`: door codes and stickers (一户一码) from the command line."""

from __future__ import annotations

import contextlib
import json
from typing import TypedDict

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from app.domain import household_codes, stickers
from app.errors import AppError
from app.extensions import db
from app.models import Household, Village


class _Door(TypedDict):
    household_number: str
    grid: str | None
    head_name: str
    code: str
    url: str


def _village(code: str) -> Village:
    village = db.session.scalar(select(Village).where(Village.code == code.strip()))
    if village is None:
        raise click.ClickException(f"未找到村（社区）代码 {code}；可用 scripts/flask territory list 查看")
    return village


def _household(spec: str) -> Household:
    """<village code>/<household number>, e.g. 330199101201/0017"""
    village_code, sep, number = spec.partition("/")
    if not sep or not number:
        raise click.ClickException("住户请写成 村代码/户号，例如 330199101201/0017")
    village = _village(village_code)
    household = db.session.scalar(
        select(Household).where(Household.village_id == village.id, Household.number == number.strip())
    )
    if household is None:
        raise click.ClickException(f"{village.name}没有户号为 {number} 的住户")
    return household


def register(app: Flask) -> None:
    group = click.Group("qr", help="Household door QR codes and printable sticker sheets.")
    app.cli.add_command(group)

    @group.command("codes")
    @click.option("--village", "village_code", required=True, help="Village code (12 digits).")
    @click.option("--json", "as_json", is_flag=True, help="One JSON array, for scripts.")
    def codes(village_code, as_json):
        """List a village's active door codes with household number, grid, head and URL."""
        village = _village(village_code)
        base = current_app.config["PUBLIC_BASE_URL"]
        doors: list[_Door] = [
            {
                "household_number": d.number,
                "grid": d.grid_name,
                "head_name": d.head_name,
                "code": household_codes.grouped(d.code),
                "url": household_codes.url_for_code(base, d.code),
            }
            for d in household_codes.active_codes(village.id)
        ]
        if as_json:
            click.echo(json.dumps(doors, ensure_ascii=False, indent=2))
            return
        total = (
            db.session.scalar(select(func.count()).select_from(Household).where(Household.village_id == village.id))
            or 0
        )
        click.echo(f"{village.name} {village.code}：{len(doors)} 个有效门牌码（共 {total} 户）")
        for door in doors:
            click.echo(
                f"  {door['household_number']:<6} {door['grid'] or '（未分网格）'}  {door['head_name'].ljust(4, '　')}  "
                f"{door['code']}  {door['url']}"
            )
        if len(doors) < total:
            click.echo(f"  另有 {total - len(doors)} 户还没有门牌码：scripts/flask qr sheet 会为它们发码")
        if doors:
            click.echo(
                f"  试一试 try: GET /api/v1/h/{doors[0]['code']}（本机 scripts/run："
                f"http://127.0.0.1:5000/api/v1/h/{doors[0]['code']}）"
            )

    @group.command("sheet")
    @click.option("--village", "village_code", required=True, help="Village code (12 digits).")
    @click.option("--grid", "grid_number", type=int, help="Only this grid (number within the village).")
    @click.option("--households", help="Only these household numbers, comma-separated.")
    @click.option("--layout", default="3x8", show_default=True, help="3x8, 2x5, 1x1 or CxR.")
    @click.option(
        "--with-head-name", is_flag=True, help="Print the head of household's name (off: stickers face the street)."
    )
    @click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
    @click.option(
        "--preview",
        "preview_path",
        type=click.Path(dir_okay=False, writable=True),
        help="Also write a PNG of the first page.",
    )
    def sheet(village_code, grid_number, households, layout, with_head_name, out_path, preview_path):
        """Write a print-ready PDF of one village's door stickers."""
        village = _village(village_code)
        numbers = [n.strip() for n in households.split(",") if n.strip()] if households else None
        try:
            chosen_layout = stickers.parse_layout(layout)
            chosen = stickers.select_households(village, grid_number=grid_number, numbers=numbers)
            items = stickers.stickers_for(
                chosen, public_base_url=current_app.config["PUBLIC_BASE_URL"], include_head_name=with_head_name
            )
            db.session.commit()  # codes issued for households that had none
            with (
                click.progressbar(length=len(items), label=f"{village.name} {len(items)} 户") as bar,
                open(out_path, "wb") as out,
                open(preview_path, "wb") if preview_path else contextlib.nullcontext() as preview,
            ):
                result = stickers.write(
                    village,
                    items,
                    chosen_layout,
                    out,
                    preview=preview,
                    progress=lambda done, total: bar.update(done - bar.pos),
                )
        except AppError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"已生成 {out_path}：{result.stickers} 张门牌码，{result.pages} 页（{layout}）")

    @group.command("revoke")
    @click.option("--household", "spec", required=True, help="<village code>/<household number>")
    @click.option("--reason", default="门牌码遗失或损毁", show_default=True)
    def revoke(spec, reason):
        """Void a household's code at once."""
        household = _household(spec)
        try:
            row = household_codes.revoke(household, reason)
        except AppError as exc:
            raise click.ClickException(exc.message) from exc
        db.session.commit()
        click.echo(f"已作废 {household.village.name} {household.number} 户的门牌码 {household_codes.grouped(row.code)}")

    @group.command("reissue")
    @click.option("--household", "spec", required=True, help="<village code>/<household number>")
    @click.option("--reason", default="补发门牌码", show_default=True)
    def reissue(spec, reason):
        """Void the old code and issue a new one (print it with `qr sheet --households`)."""
        household = _household(spec)
        row = household_codes.reissue(household, reason)
        db.session.commit()
        click.echo(f"{household.village.name} {household.number} 户的新门牌码：{household_codes.grouped(row.code)}")
