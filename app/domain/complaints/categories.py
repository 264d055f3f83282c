"""Complaint categories and their lanes (domain notes, "Complaints and the two lanes").

Discipline lane: matters of small and micro power, to the township discipline office (纪委/监察办).
Service lane: everyday matters, to the responsible village cadre or the township's four platforms.
"""

from __future__ import annotations

from dataclasses import dataclass

DISCIPLINE = "discipline"
SERVICE = "service"


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    lane: str


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category("collective_assets", "三资管理", DISCIPLINE),
        Category("village_works", "工程建设", DISCIPLINE),
        Category("purchasing", "村级采购", DISCIPLINE),
        Category("labour_hire", "务工用工", DISCIPLINE),
        Category("subsidies", "补贴发放 / 低保", DISCIPLINE),
        Category("seal_use", "公章使用", DISCIPLINE),
        Category("disclosure", "三务公开", DISCIPLINE),
        Category("cadre_conduct", "干部作风", DISCIPLINE),
        Category("environment", "生态环境", SERVICE),
        Category("safety", "消防 / 安全隐患", SERVICE),
        Category("dispute", "矛盾纠纷", SERVICE),
        Category("hardship", "困难救助", SERVICE),
        Category("public_service", "便民服务", SERVICE),
        Category("other", "其他", SERVICE),
    )
}


def lane_of(category: str) -> str:
    return CATEGORIES[category].lane


def name_of(category: str) -> str:
    return CATEGORIES[category].name
