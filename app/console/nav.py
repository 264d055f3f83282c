"""The console's navigation: one list, in the order of the menu. A page built later takes its entry
here by key (its template sets `{% set nav = "<key>" %}` to be highlighted); until it exists, its link
answers the console's 404 page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    path: str  # fixed paths: an entry may name a page that is not built yet


NAV: tuple[NavItem, ...] = (
    NavItem("board", "看板", "/console/"),
    NavItem("complaints", "案件", "/console/complaints"),
    NavItem("disclosures", "三务公开", "/console/disclosures"),
    NavItem("statistics", "统计", "/console/statistics"),
    NavItem("rules", "规则", "/console/rules"),
    NavItem("households", "住户与门牌码", "/console/households"),
)
