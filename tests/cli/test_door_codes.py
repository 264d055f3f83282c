"""A newcomer finds door codes to try (issue 12 item 17): `seed-demo` prints one door per village,
`qr codes --village CODE [--json]` lists a village's active codes; each one opens its landing."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from app.domain import household_codes as hc
from app.extensions import db
from app.models import Role, RoleAssignment, WxUser
from tests import factories as f

GROUPED = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}\b")


def test_seed_demo_prints_a_door_per_village_that_opens_the_villagers_home(runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    section = result.output.split("门牌码 Door codes", 1)[1]
    lines = [line for line in section.splitlines() if GROUPED.search(line)]
    assert len(lines) == 6  # the six demo villages
    for line in lines:
        code = GROUPED.search(line).group()
        identity = re.search(r"\((\w+-villager1)\)", line).group(1)
        landing = client.get(f"/api/v1/h/{code}")
        assert landing.status_code == 200, (line, landing.get_json())
        home = hc.resolve(code)
        # the household is the home of the printed villager, so logging in as them and opening it agree
        user = db.session.scalar(select(WxUser).where(WxUser.openid == f"sbx-{identity}"))
        bound = db.session.scalar(
            select(RoleAssignment.household_id).where(
                RoleAssignment.user_id == user.id, RoleAssignment.role == Role.VILLAGER
            )
        )
        assert bound == home.id and home.number in line and home.head_name in line
    assert "scripts/flask qr codes --village 330199101201" in section

    again = runner.invoke(args=["seed-demo"])  # idempotent: the same doors, no new codes
    assert GROUPED.findall(again.output.split("门牌码 Door codes", 1)[1]) == [GROUPED.search(x).group() for x in lines]


def _village_with_doors():
    village = f.village(grids=2)
    other = f.village(village.township)
    homes = [f.household(village, number=n) for n in ("0003", "0001", "0002", "0004")]
    homes[2].grid_id = None  # registered, not yet in a grid
    codes = hc.ensure_codes(homes[:3] + [f.household(other)])
    revoked = hc.ensure_codes([homes[3]])[homes[3].id]
    hc.revoke(homes[3], "遗失")
    db.session.commit()
    return village, homes, codes, revoked


def test_qr_codes_lists_the_active_codes_of_one_village(app, runner, client):
    village, homes, codes, revoked = _village_with_doors()
    result = runner.invoke(args=["qr", "codes", "--village", village.code, "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    base = app.config["PUBLIC_BASE_URL"]
    by_number = {h.number: h for h in homes}
    assert [d["household_number"] for d in listed] == ["0001", "0002", "0003"]  # active only, this village only
    for door in listed:
        home = by_number[door["household_number"]]
        code = codes[home.id]
        assert door == {
            "household_number": home.number,
            "grid": home.grid.name if home.grid else None,
            "head_name": home.head_name,
            "code": hc.grouped(code),
            "url": f"{base}/h/{code}",
        }
        assert client.get(f"/api/v1/h/{door['code']}").status_code == 200
    assert listed[1]["grid"] is None
    assert hc.grouped(revoked) not in result.stdout

    text = runner.invoke(args=["qr", "codes", "--village", village.code])
    assert text.exit_code == 0, text.output
    assert f"{village.name} {village.code}：3 个有效门牌码（共 4 户）" in text.output
    for door in listed:
        assert re.search(
            rf"{door['household_number']}\s.*{door['head_name']}.*{door['code']}\s+{re.escape(door['url'])}",
            text.output,
        ), text.output
    assert "1 户还没有门牌码" in text.output


def test_qr_codes_for_an_unknown_or_missing_village_fails_clearly(runner):
    _village_with_doors()
    unknown = runner.invoke(args=["qr", "codes", "--village", "999999999999"])
    assert unknown.exit_code != 0
    assert "未找到村（社区）代码 999999999999" in unknown.output and "territory list" in unknown.output
    as_json = runner.invoke(args=["qr", "codes", "--village", "999999999999", "--json"])
    assert as_json.exit_code != 0 and as_json.stdout == ""  # nothing a script could mistake for a list
    missing = runner.invoke(args=["qr", "codes"])
    assert missing.exit_code != 0 and "--village" in missing.output


def test_a_village_without_codes_says_so(runner):
    village = f.village()
    f.household(village)
    db.session.commit()
    result = runner.invoke(args=["qr", "codes", "--village", village.code])
    assert result.exit_code == 0
    assert "0 个有效门牌码（共 1 户）" in result.output and "qr sheet" in result.output
    assert json.loads(runner.invoke(args=["qr", "codes", "--village", village.code, "--json"]).stdout) == []
