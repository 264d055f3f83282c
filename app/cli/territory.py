"""`flask --app wsgi territory list [--json]`: the territory tree with household counts."""

from __future__ import annotations

import json

import click
from flask import Flask

from app.domain.territory import CountyNode, territory_tree
from app.extensions import db

EMPTY_MESSAGE = "还没有辖区数据，请先运行 scripts/flask seed-demo (no territory yet: run seed-demo first)"
KIND_LABELS = {"town": "镇", "street": "街道", "village": "村", "community": "社区"}


def _branch(lines: list[str], prefix: str, last: bool, text: str) -> str:
    lines.append(f"{prefix}{'└── ' if last else '├── '}{text}")
    return prefix + ("    " if last else "│   ")


def render_tree(tree: list[CountyNode]) -> str:
    lines: list[str] = []
    for county in tree:
        lines.append(f"{county['name']} ({county['code']}) · {county['households']} 户")
        townships = county["townships"]
        for ti, township in enumerate(townships):
            phone = f" · 监督电话 {township['supervision_phone']}" if township["supervision_phone"] else ""
            kind = KIND_LABELS.get(township["kind"], township["kind"])
            t_prefix = _branch(
                lines,
                "",
                ti == len(townships) - 1,
                f"{township['name']} ({township['code']} · {kind}) · {township['households']} 户{phone}",
            )
            villages = township["villages"]
            for vi, village in enumerate(villages):
                kind = KIND_LABELS.get(village["kind"], village["kind"])
                v_prefix = _branch(
                    lines,
                    t_prefix,
                    vi == len(villages) - 1,
                    f"{village['name']} ({village['code']} · {kind}) · {village['households']} 户",
                )
                leaves = [f"{g['name']} · {g['households']} 户" for g in village["grids"]]
                if village["ungridded"]:
                    leaves.append(f"未划入网格 · {village['ungridded']} 户")
                for li, leaf in enumerate(leaves):
                    _branch(lines, v_prefix, li == len(leaves) - 1, leaf)
    return "\n".join(lines)


def register(app: Flask) -> None:
    group = click.Group("territory", help="Territory: county → township → village → grid (辖区).")
    app.cli.add_command(group)

    @group.command("list")
    @click.option(
        "--json", "as_json", is_flag=True, help="Print the tree as JSON (UTF-8, not ASCII-escaped) for scripts."
    )
    def list_(as_json: bool) -> None:
        """Print the territory tree with household counts.

        With no territory yet, prints a hint (with --json: `[]` on stdout, the hint on stderr) and
        exits 0: an empty database is a valid state, not an error.
        """
        tree = territory_tree(db.session)
        if as_json:
            click.echo(json.dumps(tree, ensure_ascii=False, indent=2))
            if not tree:
                click.echo(EMPTY_MESSAGE, err=True)
            return
        click.echo(render_tree(tree) if tree else EMPTY_MESSAGE)
