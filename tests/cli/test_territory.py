"""`flask territory list [--json]` and `flask seed-demo` through the CLI runner."""

from __future__ import annotations

import json

from sqlalchemy import event, func, select

from app.domain.territory import territory_tree
from app.extensions import db
from app.models import County, Grid, Household, Township, Village
from app.seed.demo import DEMO_PASSWORD, seed_demo
from tests import factories as f

EMPTY = "还没有辖区数据，请先运行 scripts/flask seed-demo"


def _seed():
    seed_demo(db.session)
    db.session.commit()


def test_empty_database_gives_a_clear_message_and_exit_0(runner):
    result = runner.invoke(args=["territory", "list"])
    assert result.exit_code == 0, result.output
    assert EMPTY in result.output

    result = runner.invoke(args=["territory", "list", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []  # stdout stays valid JSON for scripts
    assert EMPTY in result.stderr


def test_json_counts_equal_direct_count_queries(runner):
    _seed()
    result = runner.invoke(args=["territory", "list", "--json"])
    assert result.exit_code == 0, result.output
    tree = json.loads(result.stdout)

    assert [c["code"] for c in tree] == ["330199"]
    county = tree[0]
    assert county["households"] == db.session.scalar(select(func.count()).select_from(Household))
    assert [t["name"] for t in county["townships"]] == ["青山镇", "云溪街道"]
    villages = [v for t in county["townships"] for v in t["villages"]]
    assert len(villages) == 6
    for t in county["townships"]:
        assert t["households"] == db.session.scalar(
            select(func.count()).select_from(Household).join(Village).where(Village.township_id == t["id"])
        )
    for v in villages:
        assert v["households"] == db.session.scalar(
            select(func.count()).select_from(Household).where(Household.village_id == v["id"])
        )
        assert v["ungridded"] == db.session.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.village_id == v["id"], Household.grid_id.is_(None))
        )
        assert v["households"] == v["ungridded"] + sum(g["households"] for g in v["grids"])
        assert [g["number"] for g in v["grids"]] == list(range(1, len(v["grids"]) + 1))
        for g in v["grids"]:
            assert g["households"] == db.session.scalar(
                select(func.count()).select_from(Household).where(Household.grid_id == g["id"])
            )
            assert g["households"] > 0
    assert sum(v["households"] for v in villages) >= 600


def test_text_tree_shows_codes_and_counts(runner):
    _seed()
    result = runner.invoke(args=["territory", "list"])
    assert result.exit_code == 0, result.output
    out = result.output
    for village in db.session.scalars(select(Village)):
        n = db.session.scalar(select(func.count()).select_from(Household).where(Household.village_id == village.id))
        assert f"{village.name} ({village.code} · " in out and f"· {n} 户" in out
    assert "青山镇 (330199101 · 镇)" in out and "云溪街道 (330199102 · 街道)" in out
    assert "第一网格" in out and "未划入网格" in out
    assert EMPTY not in out


def test_tree_counts_villages_without_households_and_households_without_grid(app):
    village = f.village(grids=2)  # own county and township
    empty_village = f.village(village.township, grids=1)
    f.household(village)  # lands in the first grid
    f.household(village)
    db.session.add(Household(village_id=village.id, number="X1", address="无网格1号", head_name="王五"))
    db.session.commit()

    [county] = territory_tree(db.session)
    [township] = county["townships"]
    by_code = {v["code"]: v for v in township["villages"]}
    v = by_code[village.code]
    assert (v["households"], v["ungridded"]) == (3, 1)
    assert [g["households"] for g in v["grids"]] == [2, 0]
    e = by_code[empty_village.code]
    assert (e["households"], e["ungridded"], [g["households"] for g in e["grids"]]) == (0, 0, [0])
    assert township["households"] == county["households"] == 3


def test_tree_uses_a_fixed_number_of_queries(app):
    _seed()
    statements = []

    def count(*_args, **_kw):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        tree = territory_tree(db.session)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert sum(len(v["grids"]) for t in tree[0]["townships"] for v in t["villages"]) == db.session.scalar(
        select(func.count()).select_from(Grid)
    )
    assert len(statements) <= 6  # no per-village or per-grid queries


def test_seed_demo_command(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    assert "qingshan.jiwei" in result.output and "county.jiwei" in result.output
    assert "xialin-secretary" in result.output and "<identity>.<nonce>" in result.output
    counts = (
        db.session.scalar(select(func.count()).select_from(County)),
        db.session.scalar(select(func.count()).select_from(Township)),
        db.session.scalar(select(func.count()).select_from(Household)),
    )
    assert counts[:2] == (1, 2) and counts[2] >= 600

    again = runner.invoke(args=["seed-demo", "--all-logins"])
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output and DEMO_PASSWORD in again.output
    assert "xialin-villager5" in again.output and "xikou-grid4" in again.output
    assert (
        db.session.scalar(select(func.count()).select_from(County)),
        db.session.scalar(select(func.count()).select_from(Township)),
        db.session.scalar(select(func.count()).select_from(Household)),
    ) == counts
