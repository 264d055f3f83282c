"""What the demo county has been doing, so that the console's board and statistics and the villagers'
pages show something on first start: published disclosures of all three kinds (党务, 村务, 财务 with
finance tables, one corrected), public questions answered, open, overdue and held, and complaints
in every state — held, assigned, returned, signed, waiting, replied, closed (solved, not confirmed,
rejected, merged) — with cases escalated to the township and the county, and overdue at the top.

Everything happens through the domain functions, in the past, under a controlled clock
(`app.clock.at`): the hash chain, the reach, the case histories, the notifications owed and the
deadline clocks are the real ones. Steps are placed in working days before the seed's "now" (the
official calendar, like the clocks), so the same story ends in the same state whatever the date.
Between two steps the deadline sweep runs as the scheduler would have, at each due instant
(`Timeline`): what the demo shows is what the minute sweep would have done.

Idempotent: a disclosure story is skipped when its village already has a disclosure of that item,
a complaint story when its case (the villager's `client_request_id` `demo-…`) exists.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.clock import SHANGHAI, at, to_shanghai
from app.domain import authz, workdays
from app.domain.complaints import cases
from app.domain.complaints.routing import COUNTY, TOWNSHIP_DISCIPLINE, TOWNSHIP_DISPATCH
from app.domain.deadlines import escalation
from app.domain.disclosures import periods, questions, reach, workflow
from app.extensions import db
from app.models import (
    Complaint,
    ConsoleAccount,
    Disclosure,
    Grid,
    Household,
    ItemType,
    Question,
    Role,
    Village,
    WxUser,
)

QUESTION_REPLY_DAYS = 20  # the default of QUESTION_REPLY_DAYS (Ningbo rule)


# ---------------------------------------------------------------------------------------------
# When: instants before the seed's now
# ---------------------------------------------------------------------------------------------
When = Callable[[datetime], datetime]


def working_days_ago(n: int, clock: str = "09:30") -> When:
    """The n-th working day before today (n ≥ 1), at a Shanghai clock time."""
    hour, minute = (int(part) for part in clock.split(":"))

    def when(now: datetime) -> datetime:
        day, left = to_shanghai(now).date(), n
        while left:
            day -= timedelta(days=1)
            left -= workdays.is_working_day(day)
        return datetime.combine(day, time(hour, minute), SHANGHAI)

    return when


def days_ago(n: int, clock: str = "10:00") -> When:
    hour, minute = (int(part) for part in clock.split(":"))
    return lambda now: datetime.combine(to_shanghai(now).date() - timedelta(days=n), time(hour, minute), SHANGHAI)


def hours_ago(hours: float) -> When:
    return lambda now: now - timedelta(hours=hours)


def exactly(moment: datetime) -> When:
    return lambda now: moment


# ---------------------------------------------------------------------------------------------
# The cast of a village
# ---------------------------------------------------------------------------------------------
@dataclass
class Cast:
    """Who acts in one village's stories (the demo's people, by their identity suffix)."""

    village: Village
    slug: str
    users: dict[str, WxUser]  # "secretary", "director", "grid1", "supervisor1", "villager1", ...
    homes: dict[str, Household]  # "villager1" → their household
    households: list[Household]
    dispatcher: ConsoleAccount
    discipline: ConsoleAccount
    county: ConsoleAccount
    now: datetime
    _actors: dict[str, authz.Actor] = field(default_factory=dict)

    def actor(self, who: str) -> authz.Actor:
        """An office holder as the authorization layer sees them, with the terms they hold at the seed's
        now (a demo seeded before township terms were dated back still acts in its past)."""
        if who not in self._actors:
            if who in ("dispatcher", "discipline", "county"):
                account: ConsoleAccount = getattr(self, who)
                grants = authz.load_grants(console_account_id=account.id, moment=self.now)
                self._actors[who] = authz.Actor("console", account.id, grants)
            else:
                user = self.users[who]
                self._actors[who] = authz.Actor("wx", user.id, authz.load_grants(user_id=user.id, moment=self.now))
        return self._actors[who]

    def office(self, complaint: Complaint) -> authz.Actor:
        """Whoever holds the case now works it."""
        if complaint.handler_kind == TOWNSHIP_DISPATCH:
            return self.actor("dispatcher")
        if complaint.handler_kind == TOWNSHIP_DISCIPLINE:
            return self.actor("discipline")
        if complaint.handler_kind == COUNTY:
            return self.actor("county")
        assert complaint.handler_role is not None  # a case held in the village names the office
        role = Role(complaint.handler_role)
        if role is Role.GRID_WORKER:
            grid = db.session.get_one(Grid, complaint.handler_grid_id)
            return self.actor(f"grid{grid.number}")
        return self.actor(
            {Role.VILLAGE_DIRECTOR: "director", Role.VILLAGE_SECRETARY: "secretary"}.get(role, "committee1")
        )


# ---------------------------------------------------------------------------------------------
# The timeline: steps in time order, with the deadline sweep in between
# ---------------------------------------------------------------------------------------------
@dataclass
class Timeline:
    now: datetime
    _steps: list[tuple[datetime, int, Callable[[], None]]] = field(default_factory=list)
    _seq: Iterator[int] = field(default_factory=itertools.count)
    cases: list[Complaint] = field(default_factory=list)  # the demo cases the sweep looks after
    questions: list[Question] = field(default_factory=list)

    def add(self, when: When, step: Callable[[], None], *, not_before: datetime | None = None) -> datetime:
        moment = when(self.now)
        if not_before is not None:
            moment = max(moment, not_before)
        if moment >= self.now:
            raise ValueError(f"a demo step in the future: {moment} (now {self.now})")
        heapq.heappush(self._steps, (moment, next(self._seq), step))
        return moment

    def run(self) -> None:
        while self._steps:
            moment, _, step = heapq.heappop(self._steps)
            self._sweep_until(moment)
            with at(moment):
                step()
        self._sweep_until(self.now)

    def _sweep_until(self, moment: datetime) -> None:
        """What the scheduler's sweep would have done up to `moment`, each step at its due instant."""
        while True:
            due: list[tuple[datetime, int, int, Complaint | Question]] = [
                (c.next_check_at, 0, c.id, c) for c in self.cases if c.next_check_at and c.next_check_at <= moment
            ]
            due += [
                (q.next_check_at, 1, q.id, q)
                for q in self.questions
                if q.next_check_at and q.next_check_at <= moment and q.answered_at is None
            ]
            if not due:
                return
            instant, kind, _, row = min(due, key=lambda d: d[:3])
            with at(instant):
                if kind == 0:
                    assert isinstance(row, Complaint)
                    escalation.advance(row)
                else:
                    assert isinstance(row, Question)
                    escalation.advance_question(row, instant)
                    db.session.refresh(row)
            if row.next_check_at == instant:
                raise RuntimeError(f"the demo sweep made no progress on {row!r}")


# ---------------------------------------------------------------------------------------------
# Disclosures (三务公开)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """One published disclosure: what, for which period, by whom, when."""

    key: str
    period: str
    title: str
    body: str
    drafter: str
    published: datetime
    lines: list[workflow.LineItemEntry] | None = None
    correction: tuple[str, list[workflow.LineItemEntry], datetime] | None = None  # reason, lines, when
    questions: tuple[
        tuple[str, datetime, str | None, datetime | None, bool], ...
    ] = ()  # body, asked, answer, when, held
    reach: float = 0.0  # share of households that opened it


def _month_published(now: datetime) -> tuple[periods.Period, datetime]:
    """The latest month whose books are out: published on the 8th of the next month at 10:00, an hour
    ago at least."""
    local = to_shanghai(now)
    year, month = local.year, local.month
    while True:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        period = periods.month(year, month)
        published = datetime.combine(period.end + timedelta(days=8), time(10), SHANGHAI)
        if published <= now - timedelta(hours=1):
            return period, published


def _quarter_published(now: datetime) -> tuple[periods.Period, datetime]:
    """The latest quarter whose disclosures are out: published on the 12th after it, at 10:00."""
    local = to_shanghai(now)
    year, number = local.year, (local.month - 1) // 3 + 1
    while True:
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
        period = periods.quarter(year, number)
        published = datetime.combine(period.end + timedelta(days=12), time(10), SHANGHAI)
        if published <= now - timedelta(hours=1):
            return period, published


def _books(village: Village, period: periods.Period) -> list[workflow.LineItemEntry]:
    """A month of a village's books: a few incomes, a dozen expenses, amounts in fen."""
    rng = random.Random(f"mingjing-demo/{village.code}/books/{period.label}")

    def fen(low: int, high: int) -> int:
        return rng.randrange(low, high) * 100 + rng.choice((0, 0, 50, 80))

    lines: list[workflow.LineItemEntry] = [
        {"label": "厂房、店面租金收入", "income_fen": fen(18_000, 42_000)},
        {"label": "山林、水塘承包费", "income_fen": fen(3_000, 12_000)},
        {"label": "上级转移支付：村级组织运转经费", "income_fen": 2_000_000},
        {"label": "存款利息", "income_fen": fen(30, 220)},
        {"label": "村干部误工补贴", "expense_fen": fen(14_000, 19_000)},
        {"label": "村务监督委员会补贴", "expense_fen": 240_000},
        {"label": "村道保洁费", "expense_fen": fen(5_000, 9_000)},
        {"label": "电费（村委会、路灯）", "expense_fen": fen(1_400, 2_600)},
        {"label": "办公用品", "expense_fen": fen(300, 1_200)},
        {"label": "水渠清淤（务工）", "expense_fen": fen(2_000, 5_000)},
        {"label": "文化礼堂活动", "expense_fen": fen(800, 2_400)},
        {"label": "网格员通讯补贴", "expense_fen": 60_000},
        {"label": "慰问困难群众", "expense_fen": fen(2_000, 6_000)},
        {"label": "村集体资产保险", "expense_fen": fen(600, 900)},
    ]
    if period.start.month in (6, 7, 8, 9):
        lines.append({"label": "防汛物资", "expense_fen": fen(800, 2_000)})
    if period.start.month in (1, 2, 12):
        lines.append({"label": "春节慰问老党员、老干部", "expense_fen": fen(2_000, 4_000)})
    return lines


def _totals(lines: list[workflow.LineItemEntry]) -> dict[str, int]:
    return {
        "income_fen": sum(line.get("income_fen", 0) for line in lines),
        "expense_fen": sum(line.get("expense_fen", 0) for line in lines),
    }


def _month_name(period: periods.Period) -> str:
    return f"{period.start.year}年{period.start.month}月"


def _quarter_name(period: periods.Period) -> str:
    return f"{period.start.year}年第{'一二三四'[(period.start.month - 1) // 3]}季度"


def disclosure_items(cast: Cast, now: datetime) -> list[Item]:
    """The village's published disclosures: two months of books (the older one corrected), party
    fees and party-member development for the last quarter, the quarter's farm subsidies and a road
    project's budget (an immediate matter)."""
    village = cast.village
    month, month_out = _month_published(now)
    before = periods.month(
        month.start.year - (month.start.month == 1), 12 if month.start.month == 1 else month.start.month - 1
    )
    before_out = datetime.combine(before.end + timedelta(days=8), time(10), SHANGHAI)
    quarter, quarter_out = _quarter_published(now)
    older_lines = _books(village, before)
    wrong = list(older_lines)
    wrong[6] = {"label": "村道保洁费", "expense_fen": older_lines[6].get("expense_fen", 0) + 90_000}  # typed wrong
    event_day = to_shanghai(now).date() - timedelta(days=12)
    project_out = datetime.combine(event_day + timedelta(days=1), time(10), SHANGHAI)
    fee_lines: list[workflow.LineItemEntry] = [
        {"label": f"党员交纳党费（{18 + len(village.name)} 人）", "income_fen": 186_000 + 1_000 * len(village.name)},
        {"label": "上缴镇党委", "expense_fen": 186_000 + 1_000 * len(village.name)},
    ]
    project_lines: list[workflow.LineItemEntry] = [
        {"label": "路基整理与碎石垫层", "expense_fen": 4_260_000},
        {"label": "C25 混凝土路面（560 平方米）", "expense_fen": 9_520_000},
        {"label": "排水边沟", "expense_fen": 1_835_000},
        {"label": "安全警示桩与标线", "expense_fen": 412_000},
        {"label": "上级“四好农村路”补助", "income_fen": 10_000_000},
        {"label": "村集体自筹", "income_fen": 6_027_000},
    ]
    return [
        Item(
            "finance_income_expense",
            before.label,
            f"{_month_name(before)}财务收支公开",
            f"{village.name}{_month_name(before)}财务收支情况如下，已经村务监督委员会（民主理财小组）审核。"
            "如有疑问，可在小程序中对本条公开提问，村里将在 20 天内答复。",
            "bookkeeper",
            before_out,
            lines=wrong,
            correction=(
                "村道保洁费误将下月预付款计入本月，更正为本月实际支出。",
                older_lines,
                before_out + timedelta(days=6),
            ),
            questions=(
                (
                    "保洁费每个月都不一样，是按什么算的？",
                    before_out + timedelta(days=2),
                    "保洁按实际清扫的路段和天数结算，合同在村委会可查阅。",
                    before_out + timedelta(days=5),
                    False,
                ),
                ("慰问困难群众是哪几户？名单能公开吗？", before_out + timedelta(days=3), None, None, False),
            ),
            reach=0.55,
        ),
        Item(
            "finance_income_expense",
            month.label,
            f"{_month_name(month)}财务收支公开",
            f"{village.name}{_month_name(month)}财务收支情况如下，已经村务监督委员会（民主理财小组）审核。",
            "bookkeeper",
            month_out,
            lines=_books(village, month),
            questions=(
                (
                    "租金收入比上个月少了，是有厂房空着吗？",
                    max(month_out + timedelta(hours=3), now - timedelta(days=2)),
                    None,
                    None,
                    False,
                ),
                (
                    "村干部误工补贴是怎么定的【审核】",
                    max(month_out + timedelta(hours=2), now - timedelta(days=1)),
                    None,
                    None,
                    True,
                ),
            ),
            reach=0.32,
        ),
        Item(
            "party_fees",
            quarter.label,
            f"{_quarter_name(quarter)}党费收缴使用情况公开",
            f"{village.name}党支部{_quarter_name(quarter)}党费收缴情况如下。党费按规定全额上缴镇党委，村里不留存。",
            "secretary",
            quarter_out,
            lines=fee_lines,
            reach=0.21,
        ),
        Item(
            "party_member_development",
            quarter.label,
            f"{_quarter_name(quarter)}发展党员公示",
            f"经支部委员会研究，拟将 2 名同志列为发展对象，现予公示。\n公示期为 5 个工作日。"
            f"对公示对象有意见的，可向{village.name}党支部或{village.township.name}党委反映。",
            "secretary",
            quarter_out + timedelta(days=1),
            reach=0.12,
        ),
        Item(
            "subsidies",
            quarter.label,
            f"{_quarter_name(quarter)}惠农补贴发放情况公开",
            "本季度耕地地力保护补贴、农机购置补贴已通过“一卡通”直接发放到户，共 "
            f"{40 + len(village.name) * 7} 户。各户金额可在村委会公开栏或持本人社保卡到银行查询。",
            "director",
            quarter_out + timedelta(days=2),
            reach=0.17,
        ),
        Item(
            "project_budget_tender",
            event_day.isoformat(),
            "村道硬化工程预算公示",
            "经村民代表会议讨论通过，对村东至三组的村道进行硬化，长约 400 米、宽 3.5 米。"
            "工程预算如下，将由镇招投标中心公开招标，结果另行公示。",
            "director",
            project_out,
            lines=project_lines,
            reach=0.26,
        ),
    ]


def seed_disclosures(
    cast: Cast, timeline: Timeline, found: Callable[[str, int], None], made: Callable[[str, int], None]
) -> None:
    """A village that has any disclosure already has its demo ones (or its own): then nothing is added,
    whatever the date (the periods move with it)."""
    village = cast.village
    items = disclosure_items(cast, timeline.now)
    tell = made
    if db.session.scalar(select(Disclosure.id).where(Disclosure.village_id == village.id).limit(1)) is not None:
        tell = found
    tell("disclosure", len(items))
    tell("question", sum(len(item.questions) for item in items))
    if tell is found:
        return
    item_types = {
        t.key: t for t in db.session.scalars(select(ItemType).where(ItemType.township_id == village.township_id))
    }
    for item in items:
        _schedule_item(cast, timeline, item, item_types[item.key])


def _schedule_item(cast: Cast, timeline: Timeline, item: Item, item_type: ItemType) -> None:
    state: dict[str, object] = {}

    def publish() -> None:
        drafter = cast.actor(item.drafter)
        version = workflow.create(
            drafter,
            village_id=cast.village.id,
            item_type_id=item_type.id,
            period=item.period,
            title=item.title,
            body=item.body,
            line_items=item.lines,
            totals=_totals(item.lines) if item.lines else None,
        )
        workflow.submit(drafter, version.id)
        workflow.approve(cast.actor("supervisor1"), version.id, "经审核，同意公开")
        state["disclosure"] = version.disclosure

    timeline.add(exactly(item.published), publish)
    if item.correction is not None:
        reason, lines, when = item.correction

        def correct() -> None:
            disclosure = state["disclosure"]
            assert isinstance(disclosure, Disclosure)
            drafter = cast.actor(item.drafter)
            version = workflow.correct(drafter, disclosure.id, reason=reason, line_items=lines, totals=_totals(lines))
            workflow.submit(drafter, version.id)
            workflow.approve(cast.actor("supervisor2"), version.id, "更正内容已核对")

        timeline.add(exactly(when), correct)
    asker = itertools.cycle(["villager2", "villager4", "villager1", "villager3", "villager5"])
    for body, asked, answer, answered, held in item.questions:
        who = next(asker)

        def ask(body=body, who=who, answer=answer, answered=answered, held=held) -> None:
            disclosure = state["disclosure"]
            assert isinstance(disclosure, Disclosure)
            question = questions.ask_authored(
                cast.users[who], cast.homes[who], disclosure.id, body, reply_days=QUESTION_REPLY_DAYS, held=held
            )
            timeline.questions.append(question)
            if answer is not None and answered is not None:

                def reply(question=question) -> None:
                    questions.answer(cast.actor(item.drafter), question.id, answer)

                timeline.add(exactly(answered), reply)

        timeline.add(exactly(asked), ask)
    _schedule_reach(cast, timeline, item, state)


def _schedule_reach(cast: Cast, timeline: Timeline, item: Item, state: dict[str, object]) -> None:
    """Households opening it over the days after its publication (the reach township staff see)."""
    rng = random.Random(f"mingjing-demo/{cast.village.code}/reach/{item.key}/{item.period}")
    homes = [h for h in cast.households if rng.random() < item.reach]
    if not homes:
        return
    span = max((timeline.now - item.published).total_seconds() - 3600, 60.0)
    moments = sorted(item.published + timedelta(seconds=min(span, rng.expovariate(1 / (3 * 86400)))) for _ in homes)

    def read() -> None:
        disclosure = state["disclosure"]
        assert isinstance(disclosure, Disclosure)
        reach.record_first_views(disclosure, list(zip(homes, moments, strict=True)))

    timeline.add(exactly(moments[0]), read)


# ---------------------------------------------------------------------------------------------
# Complaints (监督一点通)
# ---------------------------------------------------------------------------------------------
Step = tuple[When, str, str | None]  # when, what, the words it carries


@dataclass(frozen=True)
class Story:
    """One case: filed by a villager of the village, then the steps people take. The deadline sweep
    takes its own steps in between (escalations, reminders, closing unconfirmed replies)."""

    key: str
    villager: str
    category: str
    description: str
    filed: When
    steps: tuple[Step, ...] = ()
    held: bool = False  # the text check sent it to review
    about_role: Role | None = None
    real_name: bool = False
    villages: tuple[int, ...] = (0, 1, 2, 3, 4, 5)  # which of the six villages tell it


wd, d, h = working_days_ago, days_ago, hours_ago

STORIES: tuple[Story, ...] = (
    # open, on its normal course
    Story(
        "fresh", "villager1", "public_service", "想给家里老人办高龄补贴，不知道要带哪些材料，能不能上门帮忙办？", h(2)
    ),
    Story(
        "in-hand",
        "villager2",
        "safety",
        "村口小桥的栏杆松动了，孩子每天上学从这里走，担心出危险。",
        wd(3, "09:40"),
        ((wd(3, "11:00"), "sign", None),),
    ),
    Story(
        "waiting",
        "villager3",
        "public_service",
        "家门口的路灯坏了一个多星期，晚上出门看不清路。",
        wd(2, "09:20"),
        (
            (wd(2, "10:05"), "sign", None),
            (wd(1, "10:00"), "ask", "请问是哪一根电线杆上的路灯？方便的话告诉我们附近的门牌号。"),
        ),
    ),
    Story(
        "replied",
        "villager4",
        "hardship",
        "我母亲瘫痪在床，家里只有我一个劳动力，想问问能不能申请救助。",
        wd(3, "08:50"),
        (
            (wd(3, "10:30"), "sign", None),
            (
                wd(1, "16:00"),
                "reply",
                "已上门了解情况，材料齐全后村里协助您向镇社会事务办申请临时救助，并登记低保边缘户。",
            ),
        ),
        real_name=True,
    ),
    Story(
        "returned",
        "villager5",
        "dispute",
        "邻居在我家承包地边上建了猪圈，味道很大，协商不了。",
        h(5),
        ((h(4), "send_back", "涉及农用地违建，需镇综合执法处理，不属村调解范围。"),),
        villages=(0, 1, 2, 4),
    ),
    Story(
        "held",
        "villager2",
        "other",
        "村里广场舞音响声音太大，晚上九点以后还在放。",
        h(1),
        held=True,
        villages=(0, 2, 4),
    ),
    # overdue and escalated
    Story(
        "to-township",
        "villager1",
        "dispute",
        "隔壁两户为宅基地界址吵了好几次，村里一直没人来调解。",
        wd(4, "10:10"),
    ),
    Story(
        "township-on-it",
        "villager3",
        "hardship",
        "家里房子漏雨很严重，老人住着不安全，申请危房改造一直没消息。",
        wd(5, "09:00"),
        ((wd(3, "14:00"), "sign", None),),
    ),
    Story(
        "to-county",
        "villager5",
        "dispute",
        "村里修路占了我家的自留地，说好的补偿到现在没给。",
        wd(9, "15:00"),
        villages=(0, 2, 4),
    ),
    Story(
        "overdue-at-top",
        "villager4",
        "environment",
        "村后山有人偷偷倒建筑垃圾，已经堆了好几车。",
        wd(10, "11:20"),
        villages=(1, 3, 5),
    ),
    Story(
        "discipline-late",
        "villager2",
        "collective_assets",
        "村里的仓库租给外村人好几年了，租金多少从来没公开过。",
        d(26, "10:00"),
        villages=(0, 3),
    ),
    # the discipline lane
    Story(
        "about-director",
        "villager1",
        "cadre_conduct",
        "村主任在低保评议时偏向自己亲戚，评议会也没开。",
        d(10, "20:10"),
        ((d(9, "09:30"), "sign", None),),
        about_role=Role.VILLAGE_DIRECTOR,
        real_name=True,
    ),
    Story(
        "discipline-done",
        "villager3",
        "subsidies",
        "去年的耕地地力补贴我家少发了一亩的钱。",
        d(45, "09:00"),
        (
            (d(44, "10:00"), "sign", None),
            (d(30, "15:00"), "reply", "经核实，系面积登记漏录 1 亩，已补录，差额已于本月随补贴一并发放。"),
            (d(29, "09:00"), "confirm", None),
            (d(29, "09:05"), "rate", "5"),
        ),
        villages=(1, 2, 5),
    ),
    # closed
    Story(
        "solved",
        "villager2",
        "environment",
        "河道里漂着很多垃圾，好久没人清理了。",
        wd(14, "09:00"),
        (
            (wd(14, "10:00"), "sign", None),
            (wd(11, "15:00"), "reply", "已安排河道保洁员清理，并在河边增设两处垃圾桶。"),
            (wd(11, "15:10"), "summary", "河道漂浮垃圾已清理，增设垃圾桶两处。"),
            (wd(10, "09:00"), "confirm", None),
            (wd(10, "09:02"), "rate", "5"),
        ),
    ),
    Story(
        "not-confirmed",
        "villager4",
        "public_service",
        "想办理残疾证，不知道去哪里办。",
        wd(22, "10:00"),
        (
            (wd(22, "11:00"), "sign", None),
            (wd(18, "16:00"), "reply", "网格员已帮您预约了县残联的评定，请带身份证和病历。"),
        ),
        villages=(0, 3, 4),
    ),
    Story(
        "late-but-done",
        "villager5",
        "public_service",
        "村里的公共厕所坏了，门关不上，水也冲不了。",
        wd(20, "09:00"),
        (
            (wd(20, "10:00"), "sign", None),
            (wd(12, "10:00"), "sign", None),  # the township, after the village let the clock run out
            (wd(11, "15:00"), "reply", "已请维修队更换门锁和冲水阀，恢复使用。"),
            (wd(10, "10:00"), "confirm", None),
            (wd(10, "10:01"), "rate", "3"),
        ),
        villages=(1, 2, 5),
    ),
    Story(
        "reopened",
        "villager1",
        "public_service",
        "我家附近的垃圾桶坏了，垃圾撒了一地。",
        wd(12, "09:00"),
        (
            (wd(12, "09:30"), "sign", None),
            (wd(9, "16:00"), "reply", "已更换新的垃圾桶。"),
            (wd(8, "08:30"), "reopen", "换的桶第二天又被车撞坏了，还是没解决。"),
            (wd(8, "10:00"), "sign", None),
            (wd(6, "15:00"), "reply", "已改用固定式垃圾桶，并在旁边加了防撞桩。"),
            (wd(5, "09:00"), "confirm", None),
            (wd(5, "09:01"), "rate", "4"),
        ),
        villages=(2, 4, 5),
    ),
    Story(
        "rejected",
        "villager3",
        "other",
        "某某家天天在家里打牌赌钱，太吵了。",
        wd(6, "21:00"),
        ((wd(5, "09:30"), "reject", "反映内容涉及他人隐私且无具体事实，不予受理；如有违法线索请拨打 110。"),),
        held=True,
        villages=(1, 3, 5),
    ),
    Story(
        "duplicate-a",
        "villager2",
        "environment",
        "村东头小河发黑发臭，好像有厂在偷排污水。",
        wd(2, "08:40"),
        villages=(0, 1, 3),
    ),
    Story(
        "duplicate-b",
        "villager4",
        "environment",
        "小河水很臭，是不是上游的厂子排污？",
        wd(2, "11:00"),
        ((wd(2, "14:00"), "sign-other", "duplicate-a"), (wd(1, "09:30"), "merge", "duplicate-a")),
        villages=(0, 1, 3),
    ),
    *(
        Story(
            f"history-{n}",
            f"villager{n % 5 + 1}",
            category,
            text,
            wd(back, "09:10"),
            (
                (wd(back, "10:40"), "sign", None),
                (wd(back - 2, "15:30"), "reply", answer),
                (wd(back - 3, "09:00"), "confirm", None),
                (wd(back - 3, "09:05"), "rate", str(stars)),
            ),
            villages=(0, 2, 4) if n % 2 == 0 else (1, 3, 5),
        )
        for n, (back, category, text, answer, stars) in enumerate(
            (
                (28, "public_service", "能不能帮忙代办医保缴费？", "网格员已上门代办，缴费凭证已送到家。", 5),
                (37, "environment", "秸秆在田里焚烧，烟很大。", "已劝导停止焚烧，并宣传秸秆还田政策。", 4),
                (46, "safety", "老年活动室的灭火器过期了。", "已更换全部灭火器，并登记下次检查日期。", 5),
                (55, "hardship", "独居老人家里没有取暖设备。", "已送去电暖器和棉被，列入冬季走访名单。", 5),
            ),
        )
    ),
)


def seed_complaints(
    cast: Cast, index: int, timeline: Timeline, found: Callable[[str, int], None], made: Callable[[str, int], None]
) -> None:
    stories = [s for s in STORIES if index in s.villages]
    keys = {f"demo-{cast.slug}-{s.key}" for s in stories}
    present = set(db.session.scalars(select(Complaint.client_request_id).where(Complaint.client_request_id.in_(keys))))
    filed: dict[str, Complaint] = {}
    for story in stories:
        key = f"demo-{cast.slug}-{story.key}"
        if key in present:
            found("complaint", 1)
            continue
        made("complaint", 1)
        _schedule_story(cast, timeline, story, key, filed)


def _schedule_story(cast: Cast, timeline: Timeline, story: Story, key: str, filed: dict[str, Complaint]) -> None:
    user, home = cast.users[story.villager], cast.homes[story.villager]

    def file() -> None:
        complaint = cases.file_authored(
            user,
            home,
            cases.Filing(
                category=story.category,
                description=story.description,
                anonymous=not story.real_name,
                client_request_id=key,
                contact_name=user.display_name if story.real_name else None,
                contact_phone=_phone(key) if story.real_name else None,
                about_role=story.about_role.value if story.about_role else None,
            ),
            held=story.held,
        )
        filed[story.key] = complaint
        timeline.cases.append(complaint)

    last = timeline.add(story.filed, file)
    for when, action, words in story.steps:
        last = timeline.add(when, _action(cast, story, action, words, filed), not_before=last)


def _action(
    cast: Cast, story: Story, action: str, words: str | None, filed: dict[str, Complaint]
) -> Callable[[], None]:
    def step() -> None:
        complaint = filed[story.key]
        villager = cast.users[story.villager].id
        if action == "sign":
            cases.sign_for(cast.office(complaint), complaint.id)
        elif action == "sign-other":  # the office signs for the case this one duplicates
            assert words is not None
            other = filed[words]
            cases.sign_for(cast.office(other), other.id)
        elif action == "reply":
            cases.reply(cast.office(complaint), complaint.id, words or "")
        elif action == "ask":
            cases.ask_villager(cast.office(complaint), complaint.id, words or "")
        elif action == "send_back":
            cases.send_back(cast.office(complaint), complaint.id, words or "")
        elif action == "summary":
            cases.set_public_summary(cast.office(complaint), complaint.id, words)
        elif action == "reject":
            cases.reject(cast.actor("dispatcher"), complaint.id, words or "")
        elif action == "merge":
            assert words is not None
            cases.merge(cast.actor("dispatcher"), complaint.id, into_id=filed[words].id, reason="同一问题，合并办理")
        elif action == "confirm":
            cases.confirm(villager, complaint.id, solved=True)
        elif action == "reopen":
            cases.confirm(villager, complaint.id, solved=False, note=words)
        elif action == "rate":
            cases.rate(villager, complaint.id, int(words or "5"), None)
        else:
            raise ValueError(action)

    return step


def _phone(key: str) -> str:
    return "139" + f"{random.Random(key).randrange(10**8):08d}"


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------
def seed_activity(
    casts: list[Cast], now: datetime, found: Callable[[str, int], None], made: Callable[[str, int], None]
) -> None:
    """Every village's disclosures and cases, on one timeline (the sweep sees them all at once)."""
    timeline = Timeline(now)
    for index, cast in enumerate(casts):
        seed_disclosures(cast, timeline, found, made)
        seed_complaints(cast, index, timeline, found, made)
    timeline.run()
    db.session.flush()
