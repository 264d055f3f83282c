"""A realistic demo county: 清溪县 with two townships, six villages, ~700 households, cadres with
WeChat identities that log in through the loopback sandbox, and township/county console accounts.

``seed_demo`` is idempotent: rows are keyed by code, (village, number), openid, username and
(holder, role, scope); whatever exists is left untouched and counted as present. The content is
fixed by a seed, so the same names and coordinates come out on every machine.

WeChat identities: the sandbox maps a login code ``<identity>.<nonce>`` to openid ``sbx-<identity>``,
so ``xialin-secretary.abc`` logs in as the 下林村 secretary. Console accounts share DEMO_PASSWORD.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import or_, select

from app.clock import SHANGHAI, utcnow
from app.domain import auth, household_codes, roles
from app.domain.disclosures import catalogue
from app.extensions import db
from app.models import (
    Base,
    ConsoleAccount,
    County,
    Grid,
    Household,
    Role,
    RoleAssignment,
    Township,
    Village,
    WxUser,
)
from app.seed.activity import Cast, seed_activity
from app.seed.names import NameGenerator, chinese_ordinal, community_address, rural_address

DEMO_PASSWORD = "mingjing-demo"
SEED = "mingjing-demo-v1"
WX_OPENID_PREFIX = "sbx-"  # what the loopback sandbox gives for a code "<identity>.<nonce>"

KINDS = (
    "county",
    "township",
    "village",
    "grid",
    "household",
    "wx_user",
    "console_account",
    "role_assignment",
    "disclosure",
    "question",
    "complaint",
)


# ---------------------------------------------------------------------------------------------
# Fixed content
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VillageSpec:
    code: str
    name: str
    slug: str  # pinyin, used in WeChat identities
    grids: int
    households: int
    sections: int  # 村民小组 (groups) in a village, buildings (幢) in a community
    center: tuple[str, str]  # latitude, longitude
    dominant: tuple[tuple[str, float], ...] = ()
    generation_chars: str = ""
    combined: bool = True  # 一肩挑: the party secretary is also the committee director
    kind: str = "village"


@dataclass(frozen=True)
class TownshipSpec:
    code: str
    name: str
    slug: str
    kind: str
    supervision_phone: str
    villages: tuple[VillageSpec, ...]


COUNTY_CODE = "330199"
COUNTY_NAME = "清溪县"
COUNTY_SLUG = "county"

TOWNSHIPS: tuple[TownshipSpec, ...] = (
    TownshipSpec(
        "330199101",
        "青山镇",
        "qingshan",
        "town",
        "0571-63215110",
        (
            VillageSpec(
                "330199101201",
                "下林村",
                "xialin",
                grids=4,
                households=118,
                sections=8,
                center=("30.086214", "119.641830"),
                dominant=(("林", 0.36), ("王", 0.09)),
                generation_chars="忠家",
                combined=False,
            ),
            VillageSpec(
                "330199101202",
                "石桥村",
                "shiqiao",
                grids=3,
                households=104,
                sections=6,
                center=("30.097530", "119.660712"),
                dominant=(("徐", 0.30), ("石", 0.12)),
                generation_chars="世永",
            ),
            VillageSpec(
                "330199101203",
                "枫树湾村",
                "fengshuwan",
                grids=5,
                households=127,
                sections=9,
                center=("30.072148", "119.626305"),
                dominant=(("叶", 0.28), ("方", 0.18)),
                generation_chars="启",
            ),
        ),
    ),
    TownshipSpec(
        "330199102",
        "云溪街道",
        "yunxi",
        "street",
        "0571-64187730",
        (
            VillageSpec(
                "330199102001",
                "枫林社区",
                "fenglin",
                grids=5,
                households=130,
                sections=16,
                center=("30.132417", "119.701126"),
                kind="community",
            ),
            VillageSpec(
                "330199102201",
                "上塘村",
                "shangtang",
                grids=3,
                households=109,
                sections=7,
                center=("30.141806", "119.723640"),
                dominant=(("何", 0.25), ("沈", 0.15)),
                generation_chars="立",
            ),
            VillageSpec(
                "330199102202",
                "溪口村",
                "xikou",
                grids=4,
                households=122,
                sections=8,
                center=("30.118735", "119.735902"),
                dominant=(("吴", 0.33), ("金", 0.11)),
                generation_chars="正",
                combined=False,
            ),
        ),
    ),
)

# Households registered recently and not yet placed in a grid (per village): shows that a village's
# household count can exceed the sum over its grids.
UNGRIDDED_PER_VILLAGE = 2
VILLAGERS_PER_VILLAGE = 5

TOWNSHIP_OFFICES: tuple[tuple[str, Role, str], ...] = (
    ("jiwei", Role.TOWNSHIP_DISCIPLINE, "纪委"),
    ("sanzi", Role.TOWNSHIP_ASSETS, "三资中心"),
    ("dispatch", Role.TOWNSHIP_DISPATCHER, "四平台指挥室"),
    ("leader", Role.TOWNSHIP_LEADER, "分管领导"),
)
COUNTY_ACCOUNTS: tuple[tuple[str, Role, str], ...] = (("jiwei", Role.COUNTY_STAFF, "县纪委监委"),)


# ---------------------------------------------------------------------------------------------
# The plan: pure data, computed from the seed alone (no database)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HouseholdPlan:
    number: str
    grid: int | None
    address: str
    head_name: str
    latitude: Decimal
    longitude: Decimal


@dataclass(frozen=True)
class RolePlan:
    role: Role
    grid: int | None = None  # grid number, for grid workers
    household: str | None = None  # household number, for villagers
    past: bool = False  # a term ended at the last 换届


@dataclass(frozen=True)
class PersonPlan:
    identity: str
    name: str
    roles: tuple[RolePlan, ...]

    @property
    def openid(self) -> str:
        return WX_OPENID_PREFIX + self.identity


@dataclass(frozen=True)
class VillagePlan:
    spec: VillageSpec
    township: TownshipSpec
    households: tuple[HouseholdPlan, ...]
    people: tuple[PersonPlan, ...]


@dataclass(frozen=True)
class AccountPlan:
    username: str
    name: str
    role: Role
    office: str  # e.g. 青山镇纪委
    township_code: str | None  # None for county accounts


def _village_plan(township: TownshipSpec, spec: VillageSpec) -> VillagePlan:
    households = _households(township, spec)
    people = _people(spec, households)
    return VillagePlan(spec, township, households, people)


def _households(township: TownshipSpec, spec: VillageSpec) -> tuple[HouseholdPlan, ...]:
    names = NameGenerator(
        f"{SEED}/{spec.code}/households", dominant=spec.dominant, generation_chars=spec.generation_chars
    )
    rng = names.rng
    lat0, lon0 = Decimal(spec.center[0]), Decimal(spec.center[1])
    n = spec.households
    gridded = n - UNGRIDDED_PER_VILLAGE
    places: list[tuple[str, Decimal, Decimal]] = []  # address, latitude, longitude
    if spec.kind == "community":
        # Six-storey blocks, two units, two flats a floor; not every flat is a registered household.
        flats = [
            (b, u, floor * 100 + r)
            for b in range(1, spec.sections + 1)
            for u in (1, 2)
            for floor in range(1, 7)
            for r in (1, 2)
        ]
        chosen = sorted(rng.sample(flats, n))
        block_spots = {b: names.jitter(lat0, lon0, 0.0035) for b in range(1, spec.sections + 1)}
        for building, unit, room in chosen:
            lat, lon = names.jitter(*block_spots[building], 0.00012)
            places.append((community_address(township.name, spec.name, building, unit, room), lat, lon))
    else:
        # Households spread over the 村民小组, often separate hamlets (自然村) a few hundred metres apart.
        group_spots = {g: names.jitter(lat0, lon0, 0.007) for g in range(1, spec.sections + 1)}
        house_no = dict.fromkeys(group_spots, 0)
        for i in range(n):
            group = i * spec.sections // n + 1
            house_no[group] += 1 + (1 if rng.random() < 0.15 else 0)  # numbers have gaps
            lat, lon = names.jitter(*group_spots[group], 0.0009)
            places.append((rural_address(township.name, spec.name, group, house_no[group]), lat, lon))
    rows = []
    for i, (address, lat, lon) in enumerate(places):
        # Grids of about equal size over consecutive addresses (a grid may straddle two groups).
        grid = i * spec.grids // gridded + 1 if i < gridded else None
        head = names.name("m" if rng.random() < 0.78 else "f", young=rng.random() < 0.2)
        rows.append(HouseholdPlan(f"{i + 1:04d}", grid, address, head, lat, lon))
    return tuple(rows)


def _people(spec: VillageSpec, households: tuple[HouseholdPlan, ...]) -> tuple[PersonPlan, ...]:
    names = NameGenerator(f"{SEED}/{spec.code}/people", dominant=spec.dominant, generation_chars=spec.generation_chars)
    rng = names.rng
    s = spec.slug
    people: list[PersonPlan] = []

    def person(identity: str, *plans: RolePlan, gender: str | None = None, young: bool = True) -> None:
        people.append(PersonPlan(f"{s}-{identity}", names.name(gender, young=young, unique=True), plans))

    if spec.combined:
        person("secretary", RolePlan(Role.VILLAGE_SECRETARY), RolePlan(Role.VILLAGE_DIRECTOR), gender="m")
    else:
        person("secretary", RolePlan(Role.VILLAGE_SECRETARY), gender="m")
        person("director", RolePlan(Role.VILLAGE_DIRECTOR), gender="m")
    person("committee1", RolePlan(Role.VILLAGE_COMMITTEE_MEMBER), gender="m")
    person("committee2", RolePlan(Role.VILLAGE_COMMITTEE_MEMBER), gender="f")  # often the 妇女主任
    person("bookkeeper", RolePlan(Role.VILLAGE_BOOKKEEPER), gender="f")
    for g in range(1, spec.grids + 1):
        person(f"grid{g}", RolePlan(Role.GRID_WORKER, grid=g))
    for k in range(1, 4):
        person(f"supervisor{k}", RolePlan(Role.SUPERVISION_MEMBER), young=False)
    person("liaison", RolePlan(Role.SUPERVISION_LIAISON))
    person("former-committee", RolePlan(Role.VILLAGE_COMMITTEE_MEMBER, past=True), young=False)

    # Villagers who bound their WeChat to their household: the head, or a grown-up son or daughter.
    gridded = [h for h in households if h.grid is not None]
    for k, home in enumerate(sorted(rng.sample(gridded, VILLAGERS_PER_VILLAGE), key=lambda h: h.number), 1):
        if k % 2:
            name = home.head_name
        else:
            family = home.head_name[:2] if home.head_name.startswith("诸葛") else home.head_name[0]
            name = family + names.given_name("m" if rng.random() < 0.5 else "f", young=True)
        people.append(PersonPlan(f"{s}-villager{k}", name, (RolePlan(Role.VILLAGER, household=home.number),)))
    return tuple(people)


def _accounts() -> tuple[AccountPlan, ...]:
    plans = []
    for t in TOWNSHIPS:
        names = NameGenerator(f"{SEED}/{t.code}/staff")
        for office, role, label in TOWNSHIP_OFFICES:
            plans.append(
                AccountPlan(f"{t.slug}.{office}", names.name(young=True, unique=True), role, t.name + label, t.code)
            )
    names = NameGenerator(f"{SEED}/{COUNTY_CODE}/staff")
    for office, role, label in COUNTY_ACCOUNTS:
        plans.append(
            AccountPlan(
                f"{COUNTY_SLUG}.{office}",
                names.name(young=True, unique=True),
                role,
                COUNTY_NAME + label.removeprefix("县"),
                None,
            )
        )
    return tuple(plans)


def demo_plan() -> tuple[tuple[VillagePlan, ...], tuple[AccountPlan, ...]]:
    villages = tuple(_village_plan(t, v) for t in TOWNSHIPS for v in t.villages)
    return villages, _accounts()


# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConsoleLogin:
    username: str
    name: str
    role: Role
    office: str


@dataclass(frozen=True)
class WechatLogin:
    identity: str
    name: str
    roles: tuple[Role, ...]
    village: str  # village name
    village_code: str
    past: bool = False  # holds only an ended term (history)

    @property
    def sample_code(self) -> str:
        return f"{self.identity}.demo1"


@dataclass(frozen=True)
class DoorCode:
    village: str
    village_code: str
    household_number: str
    head_name: str
    villager: str  # the WeChat identity living there
    code: str  # canonical


@dataclass
class DemoSummary:
    created: Counter = field(default_factory=Counter)  # kind → rows created by this run
    present: Counter = field(default_factory=Counter)  # kind → rows found already there
    password: str = DEMO_PASSWORD
    console_logins: list[ConsoleLogin] = field(default_factory=list)
    wechat_logins: list[WechatLogin] = field(default_factory=list)
    door_codes: list[DoorCode] = field(default_factory=list)  # one door per village, to try

    def total(self, kind: str) -> int:
        return self.created[kind] + self.present[kind]

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())

    def wechat_by_role(self) -> dict[Role, list[str]]:
        out: dict[Role, list[str]] = {}
        for login in self.wechat_logins:
            if login.past:
                continue
            for role in login.roles:
                out.setdefault(role, []).append(login.identity)
        return out


# ---------------------------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------------------------
def _casts(
    villages_plan: tuple[VillagePlan, ...],
    villages: dict[str, Village],
    households: dict[tuple[int, str], Household],
    users: dict[str, WxUser],
    accounts: dict[str, ConsoleAccount],
    now: datetime,
) -> list[Cast]:
    """Who acts in each village's demo stories: its people by identity suffix ("secretary",
    "villager1"...; in a 一肩挑 village the secretary is also "director"), the villagers' homes, and
    the township's and county's console accounts."""
    casts = []
    for plan in villages_plan:
        village, slug = villages[plan.spec.code], plan.spec.slug
        people = {person.identity.removeprefix(f"{slug}-"): users[person.openid] for person in plan.people}
        people.setdefault("director", people["secretary"])
        homes = {
            person.identity.removeprefix(f"{slug}-"): households[(village.id, rp.household)]
            for person in plan.people
            for rp in person.roles
            if rp.household is not None
        }
        casts.append(
            Cast(
                village=village,
                slug=slug,
                users=people,
                homes=homes,
                households=[households[(village.id, h.number)] for h in plan.households],
                dispatcher=accounts[f"{plan.township.slug}.dispatch"],
                discipline=accounts[f"{plan.township.slug}.jiwei"],
                county=accounts[f"{COUNTY_SLUG}.jiwei"],
                now=now,
            )
        )
    return casts


def _term_change(now: datetime) -> datetime:
    """The last 换届 (village election): a year ago, at 09:00 Shanghai time."""
    local = (now - timedelta(days=365)).astimezone(SHANGHAI)
    return local.replace(hour=9, minute=0, second=0, microsecond=0)


def seed_demo(session=None, *, activity: bool = True) -> DemoSummary:
    """Create whatever of the demo county is missing; never changes or duplicates existing rows.

    ``session`` must be the app's ``db.session`` (role assignments are written through
    ``roles.assign``, which uses it). The caller commits. ``activity``: also what the county has been
    doing (disclosures, questions, complaints: app.seed.activity); without it, the territory and its
    people only.
    """
    if session is None:
        session = db.session
    if session is not db.session and session is not db.session():
        raise ValueError("seed_demo works in the app's db.session")

    summary = DemoSummary()
    villages_plan, accounts_plan = demo_plan()
    now = utcnow()
    term_start = _term_change(now)
    previous_term_start = term_start - timedelta(days=5 * 365 + 1)  # terms run five years

    def found(kind: str, n: int = 1) -> None:
        summary.present[kind] += n

    def made(kind: str, n: int = 1) -> None:
        summary.created[kind] += n

    # Each section below reuses these names for its own rows and plans.
    row: Base
    plan: VillagePlan | AccountPlan
    key: tuple[int | str | None, ...]

    # --- county and townships ---
    county = session.scalar(select(County).where(County.code == COUNTY_CODE))
    if county is None:
        county = County(code=COUNTY_CODE, name=COUNTY_NAME)
        session.add(county)
        session.flush()
        made("county")
    else:
        found("county")

    townships = {
        t.code: t for t in session.scalars(select(Township).where(Township.code.in_([t.code for t in TOWNSHIPS])))
    }
    for spec in TOWNSHIPS:
        if spec.code in townships:
            found("township")
            continue
        row = Township(
            county_id=county.id,
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            supervision_phone=spec.supervision_phone,
        )
        session.add(row)
        townships[spec.code] = row
        made("township")
    session.flush()
    for township in townships.values():  # the default disclosure catalogue (村务公开目录)
        catalogue.ensure_default_catalogue(township)

    # --- villages and grids ---
    village_codes = [p.spec.code for p in villages_plan]
    villages = {v.code: v for v in session.scalars(select(Village).where(Village.code.in_(village_codes)))}
    for plan in villages_plan:
        if plan.spec.code in villages:
            found("village")
            continue
        row = Village(
            township=townships[plan.township.code], code=plan.spec.code, name=plan.spec.name, kind=plan.spec.kind
        )
        session.add(row)
        villages[plan.spec.code] = row
        made("village")
    session.flush()

    village_ids = [v.id for v in villages.values()]
    grids = {(g.village_id, g.number): g for g in session.scalars(select(Grid).where(Grid.village_id.in_(village_ids)))}
    for plan in villages_plan:
        village = villages[plan.spec.code]
        for number in range(1, plan.spec.grids + 1):
            if (village.id, number) in grids:
                found("grid")
                continue
            row = Grid(village=village, number=number, name=f"第{chinese_ordinal(number)}网格")
            session.add(row)
            grids[(village.id, number)] = row
            made("grid")
    session.flush()

    # --- households ---
    households = {
        (h.village_id, h.number): h
        for h in session.scalars(select(Household).where(Household.village_id.in_(village_ids)))
    }
    new_households = []
    for plan in villages_plan:
        village = villages[plan.spec.code]
        for h in plan.households:
            if (village.id, h.number) in households:
                found("household")
                continue
            grid = grids[(village.id, h.grid)] if h.grid is not None else None
            row = Household(
                village=village,
                grid=grid,
                number=h.number,
                address=h.address,
                head_name=h.head_name,
                latitude=h.latitude,
                longitude=h.longitude,
            )
            new_households.append(row)
            households[(village.id, h.number)] = row
    session.add_all(new_households)
    made("household", len(new_households))
    session.flush()
    # Every door has its code (一户一码), as after printing the village's stickers: a newcomer can
    # open any household's landing (seed-demo prints one per village; `qr codes` lists them all).
    door_codes = household_codes.ensure_codes(households.values())

    # --- WeChat users ---
    people = [(plan, person) for plan in villages_plan for person in plan.people]
    users = {
        u.openid: u for u in session.scalars(select(WxUser).where(WxUser.openid.in_([p.openid for _, p in people])))
    }
    for _, person in people:
        if person.openid in users:
            found("wx_user")
            continue
        row = WxUser(openid=person.openid, display_name=person.name)
        session.add(row)
        users[person.openid] = row
        made("wx_user")

    # --- console accounts (the password is hashed once, with the project's policy) ---
    accounts = {
        a.username: a
        for a in session.scalars(
            select(ConsoleAccount).where(ConsoleAccount.username.in_([a.username for a in accounts_plan]))
        )
    }
    password_hash = None
    for plan in accounts_plan:
        if plan.username in accounts:
            found("console_account")
            continue
        if password_hash is None:
            probe = ConsoleAccount(username=plan.username, display_name=plan.name, password_hash="")
            auth.set_password(probe, DEMO_PASSWORD)
            password_hash = probe.password_hash
        row = ConsoleAccount(username=plan.username, display_name=plan.name, password_hash=password_hash)
        session.add(row)
        accounts[plan.username] = row
        made("console_account")
    session.flush()

    # --- role assignments, keyed by (holder, role, scope) ---
    user_ids = [u.id for u in users.values()]
    account_ids = [a.id for a in accounts.values()]
    existing = {
        tuple(row)
        for row in session.execute(
            select(
                RoleAssignment.user_id,
                RoleAssignment.console_account_id,
                RoleAssignment.role,
                RoleAssignment.county_id,
                RoleAssignment.township_id,
                RoleAssignment.village_id,
                RoleAssignment.grid_id,
                RoleAssignment.household_id,
            ).where(or_(RoleAssignment.user_id.in_(user_ids), RoleAssignment.console_account_id.in_(account_ids)))
        )
    }

    def ensure(key: tuple, make) -> None:
        if key in existing:
            found("role_assignment")
            return
        make()
        existing.add(key)
        made("role_assignment")

    for plan, person in people:
        user = users[person.openid]
        village = villages[plan.spec.code]
        township = townships[plan.township.code]
        for rp in person.roles:
            grid = grids[(village.id, rp.grid)] if rp.grid is not None else None
            home = households[(village.id, rp.household)] if rp.household is not None else None
            if rp.role is Role.VILLAGER:
                assert home is not None  # a villager's plan names their household
                key = (user.id, None, rp.role.value, county.id, township.id, village.id, home.grid_id, home.id)
            else:
                key = (
                    user.id,
                    None,
                    rp.role.value,
                    county.id,
                    township.id,
                    village.id,
                    grid.id if grid else None,
                    None,
                )

            def make(rp=rp, user=user, village=village, grid=grid, home=home, name=person.name) -> None:
                if rp.role is Role.VILLAGER:
                    roles.assign(rp.role, user=user, holder_name=name, household=home)
                    return
                assignment = roles.assign(rp.role, user=user, holder_name=name, village=village, grid=grid)
                if rp.past:
                    assignment.starts_at = previous_term_start
                    assignment.ends_at = term_start
                    assignment.end_reason = "换届"
                else:
                    assignment.starts_at = term_start

            ensure(key, make)

    for plan in accounts_plan:
        account = accounts[plan.username]
        if plan.township_code is None:
            key = (None, account.id, plan.role.value, county.id, None, None, None, None)

            def make_county_term(plan=plan, account=account) -> None:
                term = roles.assign(plan.role, account=account, holder_name=plan.name, county_id=county.id)
                term.starts_at = term_start  # in office through the demo's past (app.seed.activity)

            ensure(key, make_county_term)
        else:
            township = townships[plan.township_code]
            key = (None, account.id, plan.role.value, county.id, township.id, None, None, None)

            def make_township_term(plan=plan, account=account, township=township) -> None:
                term = roles.assign(plan.role, account=account, holder_name=plan.name, township=township)
                term.starts_at = term_start

            ensure(key, make_township_term)
    session.flush()

    # --- what the county has been doing: disclosures, questions, complaints (app.seed.activity) ---
    if activity:
        seed_activity(_casts(villages_plan, villages, households, users, accounts, now), now, found, made)

    # --- what to print ---
    summary.console_logins = [ConsoleLogin(a.username, a.name, a.role, a.office) for a in accounts_plan]
    for plan, person in people:
        if person.identity == f"{plan.spec.slug}-villager1":
            home_number = person.roles[0].household
            assert home_number is not None  # villager1 is a villager: the plan names the household
            home = households[(villages[plan.spec.code].id, home_number)]
            summary.door_codes.append(
                DoorCode(
                    plan.spec.name, plan.spec.code, home.number, home.head_name, person.identity, door_codes[home.id]
                )
            )
    summary.wechat_logins = [
        WechatLogin(
            person.identity,
            person.name,
            tuple(rp.role for rp in person.roles),
            plan.spec.name,
            plan.spec.code,
            past=all(rp.past for rp in person.roles),
        )
        for plan, person in people
    ]
    for kind in KINDS:  # make every kind show up, even at zero
        summary.created[kind] += 0
        summary.present[kind] += 0
    return summary
