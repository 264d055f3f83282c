"""Deterministic generator of plausible Chinese personal names and village addresses, for demo data.

Everything here is driven by a seeded ``random.Random``: the same seed gives the same names in the
same order, on every machine and Python version (only ``random()``, ``choice`` over fixed sequences
and ``choices`` with explicit weights are used).

Villages in Zhejiang are often lineage villages (宗族村): one or two surnames cover a third or more of
the households, the rest follow the provincial distribution. Men of the dominant lineage often
share a generation character (字辈) as the first character of their given name.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

# Surnames with rough weights (per mille of the population), tilted towards Zhejiang: 王 陈 张 李
# 吴 徐 lead, and 金 俞 楼 应 章 钱 邵 are far more common there than nationally.
SURNAME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("王", 72),
    ("陈", 62),
    ("张", 52),
    ("李", 46),
    ("吴", 34),
    ("徐", 30),
    ("周", 27),
    ("刘", 24),
    ("杨", 22),
    ("金", 20),
    ("朱", 20),
    ("黄", 19),
    ("胡", 18),
    ("林", 17),
    ("何", 16),
    ("叶", 15),
    ("沈", 15),
    ("郑", 14),
    ("方", 13),
    ("赵", 13),
    ("孙", 12),
    ("俞", 11),
    ("蒋", 11),
    ("钱", 10),
    ("汪", 10),
    ("章", 9),
    ("潘", 9),
    ("楼", 8),
    ("应", 8),
    ("邵", 8),
    ("毛", 8),
    ("许", 8),
    ("高", 8),
    ("郭", 7),
    ("马", 7),
    ("罗", 6),
    ("施", 6),
    ("姚", 6),
    ("谢", 6),
    ("范", 6),
    ("盛", 5),
    ("董", 5),
    ("鲍", 5),
    ("韩", 5),
    ("冯", 5),
    ("曹", 5),
    ("丁", 5),
    ("程", 5),
    ("袁", 4),
    ("傅", 4),
    ("戴", 4),
    ("葛", 4),
    ("夏", 4),
    ("宋", 4),
    ("陆", 4),
    ("严", 4),
    ("唐", 4),
    ("屠", 3),
    ("卢", 3),
    ("魏", 3),
    ("蔡", 3),
    ("余", 3),
    ("洪", 3),
    ("骆", 3),
    ("裘", 2),
    ("翁", 2),
    ("石", 2),
    ("孔", 2),
    ("童", 2),
    ("舒", 2),
    ("竺", 1),
    ("诸葛", 1),
)

# Given names. Rural households are headed mostly by people born 1950–1975 ("older" pools); cadres,
# grid workers and WeChat users skew younger. Two-character names are the norm; a minority have one.
MALE_OLD_2 = (
    "建国",
    "建华",
    "建平",
    "建明",
    "国强",
    "国庆",
    "国平",
    "国华",
    "志明",
    "志刚",
    "志强",
    "志华",
    "文华",
    "文明",
    "春生",
    "春华",
    "金根",
    "金法",
    "金水",
    "金土",
    "水根",
    "根土",
    "根法",
    "林根",
    "德明",
    "德华",
    "德兴",
    "福根",
    "福林",
    "兴华",
    "兴发",
    "忠良",
    "忠明",
    "永康",
    "永明",
    "永根",
    "荣华",
    "荣根",
    "海明",
    "海林",
    "东升",
    "卫东",
    "卫国",
    "红军",
    "立新",
    "新民",
    "宝林",
    "宝根",
    "耀明",
    "耀祖",
    "庆丰",
    "成林",
    "云龙",
    "松林",
    "有根",
    "法根",
    "伟民",
    "雪根",
    "爱国",
    "树林",
    "连根",
    "仁和",
    "炳荣",
    "长春",
    "正清",
)
MALE_OLD_1 = ("军", "华", "平", "明", "强", "林", "荣", "根", "良", "兴", "勇", "新", "海", "忠", "祥")
MALE_YOUNG_2 = (
    "伟杰",
    "俊杰",
    "建伟",
    "晓东",
    "晓峰",
    "海波",
    "海军",
    "旭东",
    "志伟",
    "国栋",
    "杰锋",
    "俊峰",
    "家豪",
    "浩然",
    "宇航",
    "子豪",
    "鹏飞",
    "文杰",
    "振宇",
    "晨阳",
    "一鸣",
    "佳伟",
    "立群",
    "剑锋",
    "军辉",
    "利民",
    "红兵",
    "卫平",
    "雪峰",
    "凯峰",
    "建军",
)
MALE_YOUNG_1 = ("伟", "杰", "磊", "涛", "斌", "超", "鹏", "辉", "强", "峰", "浩", "彬", "俊", "凯", "炜")
FEMALE_OLD_2 = (
    "秀英",
    "桂英",
    "玉英",
    "秀珍",
    "凤英",
    "月娥",
    "美华",
    "美娟",
    "彩凤",
    "雪芬",
    "素芬",
    "素珍",
    "菊花",
    "小娟",
    "玉兰",
    "桂兰",
    "金娣",
    "杏娣",
    "爱华",
    "爱珍",
    "丽华",
    "仙娟",
    "仙芬",
    "月仙",
    "彩娟",
    "雪娟",
    "玉芬",
    "秋芬",
    "梅英",
    "春燕",
    "美琴",
    "丽娟",
    "金花",
    "水仙",
    "巧英",
)
FEMALE_OLD_1 = ("英", "芳", "兰", "凤", "珍", "娟", "红", "萍", "琴", "霞", "梅", "芬", "燕", "莲", "娣")
FEMALE_YOUNG_2 = (
    "丽萍",
    "晓燕",
    "海燕",
    "红霞",
    "雅琴",
    "婷婷",
    "佳琪",
    "晓丽",
    "丽丽",
    "燕飞",
    "慧敏",
    "静怡",
    "雨婷",
    "思佳",
    "梦婷",
    "晓敏",
    "文静",
    "秀丽",
    "亚萍",
    "利娟",
    "慧芳",
    "春梅",
    "玲玲",
    "佳慧",
    "晨曦",
    "雪丽",
    "丹丹",
    "艳红",
    "伟芳",
    "雅丽",
)
FEMALE_YOUNG_1 = ("静", "敏", "丹", "洁", "慧", "琳", "颖", "婷", "莉", "倩", "雯", "霞", "娜", "芳", "佳")

# Second characters that read well after a generation character (字辈) in men's names.
GENERATION_SECOND = (
    "明",
    "华",
    "良",
    "荣",
    "根",
    "林",
    "法",
    "兴",
    "平",
    "祥",
    "福",
    "康",
    "昌",
    "生",
    "强",
    "新",
    "民",
    "海",
    "忠",
    "发",
    "贵",
    "富",
    "喜",
    "财",
    "鑫",
    "伟",
    "军",
    "东",
    "龙",
    "宝",
)

CHINESE_NUMERALS = ("〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

_DP = Decimal("0.000001")


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (enough for grid and group names)."""
    if not 1 <= n <= 99:
        raise ValueError(f"out of range: {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CHINESE_NUMERALS[ones]
    head = "" if tens == 1 else CHINESE_NUMERALS[tens]
    return head + "十" + (CHINESE_NUMERALS[ones] if ones else "")


class NameGenerator:
    """Names for one village (or one office), reproducible from ``seed``.

    ``dominant`` gives the village's lineage surnames with the probability of each
    (e.g. ``(("林", .38), ("王", .10))``); the remaining probability follows ``SURNAME_WEIGHTS``.
    ``generation_chars`` are the lineage's 字辈: a man of the first dominant surname gets one of them
    as the first character of his given name about a third of the time.
    """

    def __init__(
        self, seed: int | str, *, dominant: Sequence[tuple[str, float]] = (), generation_chars: Sequence[str] = ()
    ) -> None:
        if sum(p for _, p in dominant) >= 1:
            raise ValueError("dominant surname probabilities must leave room for others")
        self.rng = random.Random(str(seed))
        self.dominant = tuple(dominant)
        self.generation_chars = tuple(generation_chars)
        self._surnames = [s for s, _ in SURNAME_WEIGHTS]
        self._weights = [w for _, w in SURNAME_WEIGHTS]
        self._used: set[str] = set()

    # ---- names ----
    def surname(self) -> str:
        roll = self.rng.random()
        for name, share in self.dominant:
            if roll < share:
                return name
            roll -= share
        return self.rng.choices(self._surnames, weights=self._weights)[0]

    def given_name(self, gender: str, *, young: bool = False, surname: str | None = None) -> str:
        rng = self.rng
        lineage = self.dominant[0][0] if self.dominant else None
        if gender == "m" and self.generation_chars and surname == lineage and rng.random() < 0.35:
            return rng.choice(self.generation_chars) + rng.choice(GENERATION_SECOND)
        single = rng.random() < (0.12 if young else 0.18)
        pool: tuple[str, ...]
        if gender == "m":
            pool = (MALE_YOUNG_1 if single else MALE_YOUNG_2) if young else (MALE_OLD_1 if single else MALE_OLD_2)
        else:
            pool = (
                (FEMALE_YOUNG_1 if single else FEMALE_YOUNG_2) if young else (FEMALE_OLD_1 if single else FEMALE_OLD_2)
            )
        return rng.choice(pool)

    def name(self, gender: str | None = None, *, young: bool = False, unique: bool = False) -> str:
        """A full name. ``gender`` is "m", "f" or None (chosen at random, 60 % men: household heads
        and cadres in the sources are mostly men). ``unique`` avoids names already given by this
        generator with unique=True (rosters should not show two identical names)."""
        for _ in range(200):
            g = gender or ("m" if self.rng.random() < 0.6 else "f")
            family = self.surname()
            full = family + self.given_name(g, young=young, surname=family)
            if not unique or full not in self._used:
                if unique:
                    self._used.add(full)
                return full
        raise RuntimeError("name pools exhausted")  # pragma: no cover - pools are far larger

    # ---- places ----
    def jitter(self, lat: Decimal | float, lon: Decimal | float, spread: float) -> tuple[Decimal, Decimal]:
        """A point within about ``spread`` degrees of (lat, lon), rounded to 6 decimal places."""
        dlat = (self.rng.random() * 2 - 1) * spread
        dlon = (self.rng.random() * 2 - 1) * spread * 1.15  # a degree of longitude is shorter at 30°N
        return (
            Decimal(str(float(lat) + dlat)).quantize(_DP, ROUND_HALF_UP),
            Decimal(str(float(lon) + dlon)).quantize(_DP, ROUND_HALF_UP),
        )


def rural_address(township: str, village: str, group: int, number: int) -> str:
    """A village house: 村民小组 (组) and house number, e.g. 青山镇下林村3组17号."""
    return f"{township}{village}{group}组{number}号"


def community_address(township: str, community: str, building: int, unit: int, room: int) -> str:
    """A flat in a 社区, e.g. 云溪街道枫林社区 5幢2单元301."""
    return f"{township}{community} {building}幢{unit}单元{room}"
