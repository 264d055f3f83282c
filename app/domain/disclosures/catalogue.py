"""Each township's disclosure catalogue (村务公开目录), seeded with defaults from the rules.

Frequencies follow the Village Committee Organisation Law art. 30 and the 2011 rural collective
finance disclosure rules: finance monthly, ordinary matters quarterly (due by the 20th of the
quarter's first month), major matters (over ¥50,000) and one-off events immediately.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Category, Frequency, ItemType, Township

C, F = Category, Frequency

# (key, name, category, frequency, legal basis)
DEFAULT_CATALOGUE: list[tuple[str, str, Category, Frequency, str]] = [
    ("finance_income_expense", "财务收支情况", C.FINANCE, F.MONTHLY, "农村集体经济组织财务公开规定（2011）"),
    ("finance_plan", "年度财务计划", C.FINANCE, F.QUARTERLY, "农村集体经济组织财务公开规定（2011）"),
    ("assets_resources", "集体资产、资源情况", C.FINANCE, F.QUARTERLY, "农村集体经济组织财务公开规定（2011）"),
    ("assets_lease", "资产资源发包、租赁、出让", C.FINANCE, F.IMMEDIATE, "农村集体经济组织财务公开规定（2011）"),
    ("debts", "债权债务情况", C.FINANCE, F.QUARTERLY, "农村集体经济组织财务公开规定（2011）"),
    ("project_budget_tender", "工程项目预算与招投标", C.VILLAGE, F.IMMEDIATE, "村民委员会组织法第三十条"),
    ("yishiyiyi", "一事一议筹资筹劳", C.VILLAGE, F.IMMEDIATE, "村民委员会组织法第三十条"),
    ("land_compensation", "土地征收补偿", C.VILLAGE, F.IMMEDIATE, "村民委员会组织法第三十条"),
    ("subsidies", "惠农补贴发放", C.VILLAGE, F.QUARTERLY, "村民委员会组织法第三十条"),
    ("dibao_list", "低保对象名单", C.VILLAGE, F.QUARTERLY, "社会救助暂行办法"),
    ("disability_relief", "残疾人补贴、救助款物发放", C.VILLAGE, F.QUARTERLY, "村民委员会组织法第三十条"),
    ("homestead_approval", "宅基地审批", C.VILLAGE, F.IMMEDIATE, "村民委员会组织法第三十条"),
    ("village_affairs_decisions", "村民（代表）会议决定事项", C.VILLAGE, F.QUARTERLY, "村民委员会组织法第三十条"),
    ("major_matters", "5 万元以上重大事项", C.VILLAGE, F.IMMEDIATE, "村级小微权力清单"),
    ("party_member_development", "党员发展", C.PARTY, F.QUARTERLY, "中国共产党发展党员工作细则"),
    ("party_fees", "党费收缴使用", C.PARTY, F.QUARTERLY, "党务公开条例（试行）"),
    ("party_organisation", "党组织建设与活动", C.PARTY, F.QUARTERLY, "党务公开条例（试行）"),
]


def ensure_default_catalogue(township: Township) -> int:
    """Add the default items a township lacks (never touches items it has). Returns how many."""
    existing = set(db.session.scalars(select(ItemType.key).where(ItemType.township_id == township.id)))
    added = 0
    for key, name, category, frequency, basis in DEFAULT_CATALOGUE:
        if key not in existing:
            db.session.add(
                ItemType(
                    township_id=township.id,
                    key=key,
                    name=name,
                    category=category.value,
                    frequency=frequency.value,
                    legal_basis=basis,
                )
            )
            added += 1
    db.session.flush()
    return added
