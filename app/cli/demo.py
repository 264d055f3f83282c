"""`flask --app wsgi seed-demo`: the demo county 清溪县 with villages, households, cadres and logins.

Idempotent: a second run creates nothing and prints the same logins.
"""

from __future__ import annotations

import time

import click
from flask import Flask

from app.domain import household_codes
from app.extensions import db
from app.models import Role
from app.seed.demo import KINDS, DemoSummary, seed_demo

KIND_LABELS = {
    "county": "县 county",
    "township": "镇/街道 townships",
    "village": "村/社区 villages",
    "grid": "网格 grids",
    "household": "户 households",
    "wx_user": "微信用户 WeChat users",
    "console_account": "工作台账号 console accounts",
    "role_assignment": "角色任期 role terms",
    "disclosure": "三务公开 disclosures",
    "question": "质询 questions",
    "complaint": "反映 complaints",
}

# Shown for every village; the rest follow the same pattern and are printed with --all-logins.
HIGHLIGHT = ("secretary", "director", "grid1", "supervisor1", "liaison", "villager1")


def _width(text: str) -> int:
    """Terminal columns: CJK characters and full-width punctuation take two."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 1)


def _lpad(text: str, width: int) -> str:
    return " " * max(width - _width(text), 0) + text


def _roles_text(roles: tuple[Role, ...]) -> str:
    text = "、".join(r.label for r in roles)
    if set(roles) == {Role.VILLAGE_SECRETARY, Role.VILLAGE_DIRECTOR}:
        text += "（一肩挑）"
    return text


def render_summary(summary: DemoSummary, *, all_logins: bool = False, seconds: float | None = None) -> str:
    out: list[str] = []
    took = f"（{seconds:.1f} s）" if seconds is not None else ""
    if summary.created_anything:
        out.append(f"演示数据已就绪 Demo data ready{took}: 清溪县 (330199)")
    else:
        out.append(f"演示数据已存在，未做任何改动 Demo data already present, nothing changed{took}")
    out.append("")
    out.append(f"  {'':<30}{_lpad('新建 created', 14)}{_lpad('已有 present', 14)}")
    for kind in KINDS:
        out.append(f"  {_pad(KIND_LABELS[kind], 30)}{summary.created[kind]:>14}{summary.present[kind]:>14}")

    out.append("")
    out.append(f"工作台账号 Console logins — 密码 password: {summary.password}")
    out.append('  POST /api/v1/auth/console-login {"username": "…", "password": "' + summary.password + '"}')
    for account in summary.console_logins:
        out.append(f"  {account.username:<20}{_pad(account.name, 8)}{account.office} · {account.role.value}")

    out.append("")
    out.append("微信身份 WeChat identities — 通过本地沙箱登录 log in through the sandbox:")
    out.append(
        '  POST /api/v1/auth/wx-login {"code": "<identity>.<nonce>"}  例 e.g. {"code": "xialin-secretary.abc123"}'
    )
    out.append("  （每个 code 只能用一次，换一个 nonce 即可再次登录 each code works once; change the nonce）")
    village = None
    for login in summary.wechat_logins:
        if login.village_code != village:
            village = login.village_code
            slug = login.identity.split("-", 1)[0]
            out.append(
                f"  {login.village} {login.village_code}"
                + (
                    ""
                    if all_logins
                    else f"  （另有 also: {slug}-committee1/2, -bookkeeper, -grid<n>, "
                    f"-supervisor2/3, -villager2…5, -former-committee）"
                )
            )
        suffix = login.identity.split("-", 1)[1]
        if not all_logins and suffix not in HIGHLIGHT:
            continue
        roles = (
            "前任" + _roles_text(login.roles) + "（已于换届卸任 term ended）"
            if login.past
            else _roles_text(login.roles)
        )
        out.append(f"    {login.identity:<28}{_pad(login.name, 8)}{roles}")
    if not all_logins:
        out.append("  全部身份 all identities: scripts/flask seed-demo --all-logins")

    if summary.door_codes:
        out.append("")
        out.append("门牌码 Door codes — 每村一户（该村 villager1 的家）one door per village, villager1's home:")
        out.append(
            "  GET /api/v1/h/<门牌码 code>（不需登录 no login），例 e.g. "
            f"http://127.0.0.1:5000/api/v1/h/{summary.door_codes[0].code}"
        )
        for door in summary.door_codes:
            out.append(
                f"  {_pad(door.village, 10)}{door.village_code}  {door.household_number}  "
                f"{_pad(door.head_name, 8)}{household_codes.grouped(door.code)}  ({door.villager})"
            )
        out.append(
            f"  全村门牌码 all of a village's codes: scripts/flask qr codes --village "
            f"{summary.door_codes[0].village_code} [--json]"
        )
    return "\n".join(out)


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--all-logins", is_flag=True, help="List every WeChat identity, not only the main ones.")
    def seed_demo_command(all_logins: bool) -> None:
        """Create the demo county 清溪县 (idempotent: existing rows are kept, nothing is duplicated)."""
        started = time.perf_counter()
        summary = seed_demo(db.session)
        db.session.commit()
        click.echo(render_summary(summary, all_logins=all_logins, seconds=time.perf_counter() - started))
