"""Villager landing under load: GET /api/v1/h/<code> against a bare Flask endpoint, same gunicorn.

    scripts/bench/scan [--duration 20] [--warmup 15] [--rounds 3] [--connections 64]
                       [--workers 4] [--threads 4] [--worker-class gthread]
                       [--households 100000] [--disclosures 200000] [--keep-db] [--compare TREE]

What it does, all by itself, loopback only:
  1. creates a throw-away PostgreSQL database mingjing_bench_<pid> (server: $BENCH_PG_SERVER, default
     postgresql://127.0.0.1:5432/test, trust auth), runs `flask --app wsgi db upgrade` on it and
     bulk-loads (COPY) 1 county, 20 townships, 800 villages, 4,000 grids, 100,000 households with an
     active door code each, the default catalogue per township and 200,000 published disclosures over
     three years (one published version each, a few corrected ones with two), then VACUUM ANALYZE;
  2. starts gunicorn for wsgi:app and for scripts/bench/bare_app.py:app with the same settings;
  3. drives each with wrk (64 keep-alive connections, each request a random door code from the
     loaded set), warm-up first, then alternating app/bare rounds so noise hits both;
  4. drops the database (also on failure or Ctrl-C) and prints as the LAST line
     {"rps", "p50_ms", "p99_ms", "bare_rps", "ratio", "cpu_us", ...}: medians over the rounds.

With --compare TREE (another checkout, e.g. `git worktree add /tmp/before <commit>`), TREE's wsgi:app is
served too, on the same database (migrated by this tree: older code reads its own columns), and every
round measures all three: a before/after comparison in one run, under one machine's noise. `cpu_us`
is the CPU (user + system) the server's processes spent per answered request: it moves less than
throughput when the machine is shared.

See docs/performance.md ("Villager landing under load").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (requirements-dev.txt)
import psycopg  # noqa: E402  (from the project's .venv)

from app.domain.disclosures.catalogue import DEFAULT_CATALOGUE  # noqa: E402
from app.domain.household_codes import ALPHABET, LENGTH  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
LANDING_PREFIX = "/api/v1/h/"
BARE_PREFIX = "/bare?code="  # same request line shape; the bare view ignores the query string


def say(text: str) -> None:
    print(text, flush=True)


class Interrupted(Exception):
    pass


def _on_signal(signum, frame):
    raise Interrupted(f"signal {signum}")


# ---------------------------------------------------------------------------------------------------
# database
# ---------------------------------------------------------------------------------------------------


def pg_connect(dbname: str | None = None, **kw) -> psycopg.Connection:
    # Any: libpq keywords go to psycopg.connect as keyword arguments, each typed on its own there
    conninfo: dict[str, Any] = psycopg.conninfo.conninfo_to_dict(PG_SERVER)
    if dbname:
        conninfo["dbname"] = dbname
    conninfo.setdefault("connect_timeout", 5)
    return psycopg.connect(**conninfo, **kw)


def db_url(dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(PG_SERVER)
    auth = ""
    if info.get("user"):
        auth = str(info["user"]) + (f":{info['password']}" if info.get("password") else "") + "@"
    return f"postgresql://{auth}{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{dbname}"


def create_db(name: str) -> None:
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_db(name: str) -> None:
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_env(dbname: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url(dbname),
        REDIS_URL=REDIS_URL,
        PUBLIC_BASE_URL="https://bench.mingjing.invalid",
        PYTHONUNBUFFERED="1",
    )
    return env


def migrate(dbname: str) -> None:
    out = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=app_env(dbname),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit("flask db upgrade failed")


# ---------------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------------

SURNAMES = "王陈张李吴徐周刘杨金朱黄胡林何叶沈郑方赵孙俞蒋钱汪章潘楼应邵毛许高郭马罗施姚谢范"
GIVEN = (
    "建国",
    "建华",
    "国强",
    "志明",
    "志刚",
    "文华",
    "春生",
    "金根",
    "水根",
    "德明",
    "福林",
    "兴华",
    "永康",
    "荣华",
    "海明",
    "东升",
    "卫东",
    "立新",
    "宝林",
    "秀英",
    "桂英",
    "美华",
    "玉兰",
    "凤英",
    "雪芬",
    "彩娣",
    "月娥",
    "素珍",
    "丽华",
    "小红",
    "海燕",
    "晓东",
    "伟",
    "军",
    "敏",
    "芳",
)
PLACE = (
    "青山",
    "云溪",
    "下林",
    "上塘",
    "前洋",
    "后岙",
    "东岸",
    "西畈",
    "南湖",
    "北渡",
    "杨梅",
    "竹林",
    "石桥",
    "梅园",
    "桃源",
    "柏树",
    "新塘",
    "龙潭",
    "溪口",
    "横山",
    "大岙",
    "里坑",
    "外洋",
    "樟树",
)
BODY_LINES = (
    "经村两委联席会议研究、村务监督委员会审核，现将有关情况公开如下，接受全体村民监督。",
    "如有疑问，请在公开之日起二十日内向村务监督委员会或镇纪委反映。",
    "本期各项收支均经民主理财小组逐笔审核，原始凭证存村会计代理服务中心备查。",
    "具体名单及金额见下表，公示期间如有异议请实名反映，我们将依法依规核查处理。",
    "本事项已按“四议两公开”程序办理，村民代表会议表决通过。",
)
FINANCE_LABELS = (
    "上级补助收入",
    "集体资产租赁收入",
    "经营收入",
    "办公费",
    "水电费",
    "道路养护",
    "环境整治",
    "村干部误工补贴",
    "公益事业支出",
    "利息收入",
)


def month_add(year: int, month: int, delta: int) -> tuple[int, int]:
    m = year * 12 + (month - 1) + delta
    return m // 12, m % 12 + 1


def working_time(day: date, rng: random.Random) -> datetime:
    """A moment on `day` during Beijing office hours, as naive UTC (09:00-17:59 CST = 01:00-09:59 UTC)."""
    # Naive on purpose: the columns hold naive UTC and the rows are bulk-loaded as they are.
    return datetime(day.year, day.month, day.day, rng.randint(1, 9), rng.randint(0, 59), rng.randint(0, 59))  # noqa: DTZ001


def disclosure_plan(rng: random.Random, per_village: int, now: datetime, years: int = 3):
    """For one village: [(item_key, period, published_at)], `per_village` items over `years` years,
    monthly/quarterly periods of the catalogue plus immediate (dated) ones, unique per (item, period)."""
    last_y, last_m = month_add(now.year, now.month, -1)  # last full month
    plan = []
    catalogue = {key: freq.value for key, _, _, freq, _ in DEFAULT_CATALOGUE}
    latest = now - timedelta(hours=1)

    def after(day: date, max_days: int) -> datetime:
        return min(working_time(day + timedelta(days=rng.randint(1, max_days)), rng), latest)

    for back in range(years * 12 - 1, -1, -1):
        y, m = month_add(last_y, last_m, -back)
        ny, nm = month_add(y, m, 1)
        for key, freq in catalogue.items():
            if freq == "monthly":
                plan.append((key, f"{y}-{m:02d}", after(date(ny, nm, 1), 15)))
            elif freq == "quarterly" and m % 3 == 0:
                plan.append((key, f"{y}-Q{m // 3}", after(date(ny, nm, 1), 19)))
    immediate = [k for k, f in catalogue.items() if f == "immediate"]
    first_day = date(*month_add(last_y, last_m, -(years * 12 - 1)), 1)
    span = (date(last_y, last_m, 1) - first_day).days + 28
    seen = set()
    while len(plan) < per_village and immediate:
        key = rng.choice(immediate)
        day = first_day + timedelta(days=rng.randrange(span))
        if (key, day) in seen:
            continue
        seen.add((key, day))
        plan.append((key, day.isoformat(), after(day, 3)))
    if len(plan) > per_village:  # fewer than the periodic items: keep the newest
        plan.sort(key=lambda p: p[2])
        plan = plan[-per_village:]
    return plan


def check_columns(conn, table: str, columns: list[str]) -> None:
    """Fail clearly if a migration added a NOT NULL column without default that we do not fill."""
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND is_nullable = 'NO' "
        "AND column_default IS NULL",
        (table,),
    ).fetchall()
    missing = sorted({r[0] for r in rows} - set(columns))
    if missing:
        raise SystemExit(
            f"the schema of {table} has required columns this benchmark does not fill: {missing}; "
            "update scripts/bench/scan_bench.py"
        )


def copy_rows(conn, table: str, columns: list[str], rows) -> int:
    check_columns(conn, table, columns)
    n = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def load(
    dbname: str, *, townships: int, villages: int, households: int, disclosures: int, seed: int, codes_file: Path
) -> dict:
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    created = now - timedelta(days=3 * 365 + 60)
    t0 = time.perf_counter()
    counts: dict[str, int | float | str] = {}  # rows per table, seconds, the database's size
    with pg_connect(dbname) as conn:
        # disclosure.published_version_id → disclosure_version.id and disclosure_version.disclosure_id →
        # disclosure.id point at each other: drop that one key for the load, put it back (validated) after.
        cycle = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = 'disclosure'::regclass AND confrelid = 'disclosure_version'::regclass"
        ).fetchall()
        for name, _ in cycle:
            conn.execute(f'ALTER TABLE disclosure DROP CONSTRAINT "{name}"')

        counts["county"] = copy_rows(
            conn, "county", ["id", "code", "name", "created_at"], [(1, "330299", "明镜县", created)]
        )
        tw_rows, vil_rows = [], []
        per_tw = villages // townships
        for t in range(1, townships + 1):
            name = f"{PLACE[(t - 1) % len(PLACE)]}{'镇' if t % 4 else '街道'}" + ("" if t <= len(PLACE) else str(t))
            tw_rows.append(
                (
                    t,
                    1,
                    f"330299{100 + t:03d}",
                    name,
                    "town" if t % 4 else "street",
                    f"0574-8{t:03d}{1000 + t:04d}",
                    created,
                )
            )
            for j in range(per_tw):
                v = (t - 1) * per_tw + j + 1
                vname = f"{PLACE[(v * 7) % len(PLACE)]}{PLACE[(v * 11 + t) % len(PLACE)][0]}村"
                vil_rows.append((v, t, f"330299{100 + t:03d}{200 + j:03d}", vname, "village", created))
        counts["township"] = copy_rows(
            conn, "township", ["id", "county_id", "code", "name", "kind", "supervision_phone", "created_at"], tw_rows
        )
        counts["village"] = copy_rows(
            conn, "village", ["id", "township_id", "code", "name", "kind", "created_at"], vil_rows
        )
        n_villages = len(vil_rows)
        village_name = {r[0]: r[3] for r in vil_rows}
        village_township = {r[0]: r[1] for r in vil_rows}

        grids_per_village = 5
        per_village = -(-households // n_villages)
        grid_rows = [
            ((v - 1) * grids_per_village + g, v, g, f"第{'一二三四五六七八九十'[g - 1]}网格", created)
            for v in range(1, n_villages + 1)
            for g in range(1, grids_per_village + 1)
        ]
        counts["grid"] = copy_rows(conn, "grid", ["id", "village_id", "number", "name", "created_at"], grid_rows)

        def household_rows():
            hid = 0
            for v in range(1, n_villages + 1):
                base_lat, base_lon = 29.5 + (v % 40) * 0.01, 121.2 + (v // 40) * 0.01
                for k in range(per_village):
                    hid += 1
                    if hid > households:
                        return
                    g = k * grids_per_village // per_village + 1
                    yield (
                        hid,
                        v,
                        (v - 1) * grids_per_village + g,
                        f"{k + 1:04d}",
                        f"{village_name[v]}{g}组{k + 1}号",
                        rng.choice(SURNAMES) + rng.choice(GIVEN),
                        round(base_lat + rng.random() * 0.01, 6),
                        round(base_lon + rng.random() * 0.01, 6),
                        created,
                    )

        n_households = counts["household"] = copy_rows(
            conn,
            "household",
            ["id", "village_id", "grid_id", "number", "address", "head_name", "latitude", "longitude", "created_at"],
            household_rows(),
        )

        # Door codes: one active per household; ~2% of households also have a revoked older code.
        codes: set[str] = set()

        def fresh_code() -> str:
            while True:
                c = "".join(rng.choices(ALPHABET, k=LENGTH))
                if c not in codes:
                    codes.add(c)
                    return c

        active: list[str] = []

        def code_rows():
            cid = 0
            issued = created + timedelta(days=30)
            for hid in range(1, n_households + 1):
                if rng.random() < 0.02:
                    cid += 1
                    yield (
                        cid,
                        hid,
                        fresh_code(),
                        issued,
                        issued + timedelta(days=rng.randint(30, 600)),
                        "门牌污损，补发",
                    )
                cid += 1
                c = fresh_code()
                active.append(c)
                yield (cid, hid, c, issued + timedelta(days=700), None, None)

        counts["household_code"] = copy_rows(
            conn,
            "household_code",
            ["id", "household_id", "code", "issued_at", "revoked_at", "revoke_reason"],
            code_rows(),
        )
        codes_file.write_text("\n".join(active) + "\n")

        # The default catalogue, per township.
        item_rows: list[tuple[int, int, str, str, str, str, str, bool, datetime]] = []
        item_id: dict[tuple[int, str], int] = {}
        for t in range(1, townships + 1):
            for key, name, kind, frequency, basis in DEFAULT_CATALOGUE:
                item_id[(t, key)] = len(item_rows) + 1
                item_rows.append((len(item_rows) + 1, t, key, name, kind.value, frequency.value, basis, True, created))
        counts["disclosure_item_type"] = copy_rows(
            conn,
            "disclosure_item_type",
            ["id", "township_id", "key", "name", "category", "frequency", "legal_basis", "active", "created_at"],
            item_rows,
        )
        item_meta = {key: (name, category.value) for key, name, category, _, _ in DEFAULT_CATALOGUE}

        # Disclosures: `disclosures` published ones spread evenly over the villages, 3 years of periods;
        # ~3% corrected (two published versions, the second current); plus one open draft per village.
        per_v = -(-disclosures // n_villages)
        d_rows: list[tuple[int, int, int, str, str, datetime, datetime | None, int | None]] = []
        v_rows: list[
            tuple[
                int,
                int,
                int,
                str,
                str,
                str,
                str | None,
                str | None,
                datetime | None,
                datetime | None,
                datetime | None,
                str | None,
                datetime,
            ]
        ] = []
        did = vid = n_published = 0
        for v in range(1, n_villages + 1):
            t = village_township[v]
            want = max(0, min(per_v, disclosures - n_published))
            for key, period, published_at in disclosure_plan(rng, want, now):
                did += 1
                n_published += 1
                name, category = item_meta[key]
                title = f"{village_name[v]}{period}{name}"
                body = "\n".join(rng.sample(BODY_LINES, 3)) + f"\n（{title}）"
                line_items = None
                if category == "finance":
                    line_items = json.dumps(
                        [
                            {
                                "label": lbl,
                                "income_fen": rng.randrange(0, 5_000_000, 100),
                                "expense_fen": rng.randrange(0, 5_000_000, 100),
                            }
                            for lbl in rng.sample(FINANCE_LABELS, rng.randint(3, 7))
                        ],
                        ensure_ascii=False,
                    )
                submitted = published_at - timedelta(hours=rng.randint(20, 72))
                reviewed = published_at - timedelta(hours=rng.randint(1, 19))
                versions: list[tuple[int, datetime, str | None]] = [(1, published_at, None)]
                if rng.random() < 0.03:
                    versions.append(
                        (
                            2,
                            min(published_at + timedelta(days=rng.randint(2, 20)), now - timedelta(minutes=5)),
                            "金额录入有误，更正",
                        )
                    )
                for number, pub, reason in versions:
                    vid += 1
                    h = hashlib.sha256(f"{did}|{number}|{title}|{body}|{line_items}".encode()).hexdigest()
                    v_rows.append(
                        (
                            vid,
                            did,
                            number,
                            "published",
                            title,
                            body,
                            line_items,
                            reason,
                            submitted,
                            reviewed,
                            pub,
                            h,
                            submitted - timedelta(days=1),
                        )
                    )
                d_rows.append(
                    (did, v, item_id[(t, key)], category, period, submitted - timedelta(days=1), published_at, vid)
                )
            # an open draft for the current month (not published: never on the landing)
            did += 1
            vid += 1
            period = f"{now.year}-{now.month:02d}"
            d_rows.append((did, v, item_id[(t, "finance_income_expense")], "finance", period, now, None, None))
            v_rows.append(
                (
                    vid,
                    did,
                    1,
                    "draft",
                    f"{village_name[v]}{period}财务收支情况",
                    "草稿",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    now,
                )
            )
        counts["disclosure"] = copy_rows(
            conn,
            "disclosure",
            [
                "id",
                "village_id",
                "item_type_id",
                "category",
                "period",
                "created_at",
                "first_published_at",
                "published_version_id",
            ],
            d_rows,
        )
        counts["disclosure_version"] = copy_rows(
            conn,
            "disclosure_version",
            [
                "id",
                "disclosure_id",
                "number",
                "status",
                "title",
                "body",
                "line_items",
                "correction_reason",
                "submitted_at",
                "reviewed_at",
                "published_at",
                "content_hash",
                "created_at",
            ],
            v_rows,
        )
        counts["published_disclosures"] = sum(1 for r in d_rows if r[7] is not None)
        # A few attachments (1 version in 10), as cadres photograph receipts.
        att = [
            (
                i + 1,
                r[0],
                f"凭证{i + 1}.jpg",
                "image/jpeg",
                rng.randint(80_000, 900_000),
                hashlib.sha256(str(r[0]).encode()).hexdigest(),
                r[12],
            )
            for i, r in enumerate(r for r in v_rows if r[3] == "published" and r[0] % 10 == 0)
        ]
        counts["disclosure_attachment"] = copy_rows(
            conn,
            "disclosure_attachment",
            ["id", "version_id", "filename", "media_type", "size", "sha256", "created_at"],
            att,
        )

        for name, definition in cycle:
            conn.execute(f'ALTER TABLE disclosure ADD CONSTRAINT "{name}" {definition}')
        for table in (
            "county",
            "township",
            "village",
            "grid",
            "household",
            "household_code",
            "disclosure_item_type",
            "disclosure",
            "disclosure_version",
            "disclosure_attachment",
        ):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
    t1 = time.perf_counter()
    with pg_connect(dbname, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchall()[0][0]
    counts["load_s"] = round(t1 - t0, 1)
    counts["vacuum_analyze_s"] = round(time.perf_counter() - t1, 1)
    counts["db_size"] = size
    return counts


# ---------------------------------------------------------------------------------------------------
# servers and load
# ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_cmd(args, port: int, target: str) -> list[str]:
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.threads)]
    return cmd + [target]


def start(cmd: list[str], cwd: Path, env: dict, log: Path) -> subprocess.Popen:
    with open(log, "wb") as fh:
        # own process group: stopped with its workers, untouched by a Ctrl-C aimed at us
        return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # gunicorn arbiter: graceful stop of its workers
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def wait_ready(url: str, proc: subprocess.Popen, log: Path, limit: float = 60) -> None:
    end = time.time() + limit
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except Exception:  # noqa: BLE001 - not up yet, whatever the way it fails: poll again
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer 200 within {limit}s:\n{log.read_text()[-3000:]}")


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (gunicorn and its workers)."""
    total = 0.0
    root = psutil.Process(pid)
    for p in [root, *root.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def cpu_busy_jiffies() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields[:8]) - idle, sum(fields[:8])


def run_wrk(args, port: int, prefix: str, codes_file: Path, seconds: float, server_pid: int | None = None) -> dict:
    cmd = [
        "wrk",
        "-t",
        str(args.wrk_threads),
        "-c",
        str(args.connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH_DIR / "scan_wrk.lua"),
        f"http://127.0.0.1:{port}",
        "--",
        str(codes_file),
        prefix,
    ]
    b0, t0 = cpu_busy_jiffies()
    server0 = tree_cpu(server_pid) if server_pid else 0.0
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    b1, t1 = cpu_busy_jiffies()
    server_cpu = tree_cpu(server_pid) - server0 if server_pid else 0.0
    line = next((ln for ln in text.splitlines() if ln.startswith("WRK_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({proc.returncode}):\n{text}")
    r = json.loads(line[len("WRK_JSON ") :])
    secs = r["duration_us"] / 1e6
    r["rps"] = r["requests"] / secs
    r["wrk_cpu_pct"] = 100 * (usage.ru_utime + usage.ru_stime) / secs  # of one core
    r["machine_busy_pct"] = 100 * (b1 - b0) / max(1, t1 - t0)  # of all cores
    r["cpu_us"] = 1e6 * server_cpu / max(1, r["requests"])  # the server's CPU per answered request
    r["errors"] = sum(r[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return r


def fmt(r: dict) -> str:
    return (
        f"{r['rps']:8.1f} req/s  p50 {r['p50_us'] / 1000:7.2f} ms  p90 {r['p90_us'] / 1000:7.2f} ms  "
        f"p99 {r['p99_us'] / 1000:7.2f} ms  max {r['max_us'] / 1000:7.1f} ms  errors {r['errors']}  "
        f"server CPU {r['cpu_us']:5.0f} us/req  wrk {r['wrk_cpu_pct']:4.1f}% of a core  "
        f"machine busy {r['machine_busy_pct']:4.1f}%"
    )


def machine() -> str:
    model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(
        next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
    )
    with pg_connect(autocommit=True) as conn:
        pg = conn.execute("SHOW server_version").fetchall()[0][0]
    return (
        f"nproc {os.cpu_count()}, {model}, RAM {mem_kb / 1024 / 1024:.1f} GiB, Python {platform.python_version()}, "
        f"PostgreSQL {pg}, {platform.system()} {platform.release()}"
    )


def git_head(tree: Path) -> str:
    out = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() or "?"


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("==> wrk is missing: apt-get install -y wrk")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-q"], check=False, stdout=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        raise SystemExit("wrk (the HTTP load generator) is missing: as root, apt-get install -y wrk")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=20, help="seconds per measured round and target")
    # 15 s: long enough for every worker to hold every village's part (800 villages x 4 processes) and
    # for PostgreSQL's cache to hold the code index, i.e. the state a server is in after its first minute
    ap.add_argument("--warmup", type=float, default=15, help="seconds of warm-up per target (figures shown)")
    ap.add_argument("--rounds", type=int, default=3, help="measured rounds (each: app then bare, or bare then app)")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    ap.add_argument("--worker-class", default="gthread")
    ap.add_argument("--townships", type=int, default=20)
    ap.add_argument("--villages", type=int, default=800)
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--disclosures", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--keep-db", action="store_true", help="leave the database (and print its URL) for profiling")
    ap.add_argument("--compare", type=Path, help="another checkout whose wsgi:app is measured in the same rounds")
    args = ap.parse_args(argv)
    if args.compare and not (args.compare / "wsgi.py").is_file():
        ap.error(f"--compare {args.compare}: no wsgi.py there")

    ensure_wrk()
    dbname = f"mingjing_bench_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="mingjing-scan-"))
    codes_file = work / "codes.txt"
    procs: list[subprocess.Popen] = []
    created = False
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    try:
        say(f"machine: {machine()}")
        say(f"==> database {dbname}: create, migrate")
        create_db(dbname)
        created = True
        t = time.perf_counter()
        migrate(dbname)
        say(f"    migrated in {time.perf_counter() - t:.1f}s; loading (COPY)")
        counts = load(
            dbname,
            townships=args.townships,
            villages=args.villages,
            households=args.households,
            disclosures=args.disclosures,
            seed=args.seed,
            codes_file=codes_file,
        )
        say("    " + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in counts.items()))

        app_port, bare_port = free_port(), free_port()
        env = app_env(dbname)
        app_log, bare_log = work / "gunicorn-app.log", work / "gunicorn-bare.log"
        app_cmd = gunicorn_cmd(args, app_port, "wsgi:app")
        procs.append(start(app_cmd, ROOT, env, app_log))
        procs.append(start(gunicorn_cmd(args, bare_port, "bare_app:app"), BENCH_DIR, env, bare_log))
        say(f"==> gunicorn: {' '.join(app_cmd[1:-1])} (same for all; app :{app_port}, bare :{bare_port})")
        sample = codes_file.read_text().split("\n", 1)[0]
        wait_ready(f"http://127.0.0.1:{app_port}{LANDING_PREFIX}{sample}", procs[0], app_log)
        wait_ready(f"http://127.0.0.1:{bare_port}{BARE_PREFIX}{sample}", procs[1], bare_log)
        targets = {"app": (app_port, LANDING_PREFIX, procs[0].pid), "bare": (bare_port, BARE_PREFIX, procs[1].pid)}
        if args.compare:
            compare_port, compare_log = free_port(), work / "gunicorn-compare.log"
            procs.append(start(gunicorn_cmd(args, compare_port, "wsgi:app"), args.compare.resolve(), env, compare_log))
            wait_ready(f"http://127.0.0.1:{compare_port}{LANDING_PREFIX}{sample}", procs[2], compare_log)
            targets["compare"] = (compare_port, LANDING_PREFIX, procs[2].pid)
            say(f"    compare: {args.compare.resolve()} ({git_head(args.compare)}) on :{compare_port}")
        with urllib.request.urlopen(f"http://127.0.0.1:{app_port}{LANDING_PREFIX}{sample}") as r:
            body = r.read()
            landing = json.loads(body)
        assert len(landing["disclosures"]) == 5, landing
        say(
            f"    landing response: {len(body):,} bytes, village {landing['village']['name']}, "
            f"{len(landing['disclosures'])} disclosures (newest {landing['disclosures'][0]['period']})"
        )

        for name, (port, prefix, pid) in targets.items():
            r = run_wrk(args, port, prefix, codes_file, args.warmup, pid)
            say(f"    warm-up {name:7s} {fmt(r)}  ({args.warmup:g}s, not counted)")
        results: dict[str, list[dict]] = {name: [] for name in targets}
        say(
            f"==> {args.rounds} rounds x {args.duration:g}s per target, {args.connections} keep-alive connections, "
            f"wrk -t{args.wrk_threads}"
        )
        for i in range(args.rounds):
            order = list(targets) if i % 2 == 0 else list(reversed(targets))
            for name in order:
                port, prefix, pid = targets[name]
                r = run_wrk(args, port, prefix, codes_file, args.duration, pid)
                results[name].append(r)
                say(f"    round {i + 1} {name:7s} {fmt(r)}")

        med = {
            name: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50_us", "p99_us", "cpu_us")}
            for name, rs in results.items()
        }
        errors = sum(r["errors"] for rs in results.values() for r in rs)
        summary = {
            "rps": round(med["app"]["rps"], 1),
            "p50_ms": round(med["app"]["p50_us"] / 1000, 2),
            "p99_ms": round(med["app"]["p99_us"] / 1000, 2),
            "bare_rps": round(med["bare"]["rps"], 1),
            "ratio": round(med["app"]["rps"] / med["bare"]["rps"], 3),
            "bare_p50_ms": round(med["bare"]["p50_us"] / 1000, 2),
            "bare_p99_ms": round(med["bare"]["p99_us"] / 1000, 2),
            "cpu_us": round(med["app"]["cpu_us"]),
            "bare_cpu_us": round(med["bare"]["cpu_us"]),
            "errors": errors,
            "connections": args.connections,
            "gunicorn": f"{args.worker_class} workers={args.workers}"
            + (f" threads={args.threads}" if args.worker_class == "gthread" else ""),
            "households": counts["household"],
            "published_disclosures": counts["published_disclosures"],
            "rounds": args.rounds,
            "duration_s": args.duration,
        }
        if args.compare:
            summary |= {
                "compare": git_head(args.compare),
                "compare_rps": round(med["compare"]["rps"], 1),
                "compare_p50_ms": round(med["compare"]["p50_us"] / 1000, 2),
                "compare_p99_ms": round(med["compare"]["p99_us"] / 1000, 2),
                "compare_cpu_us": round(med["compare"]["cpu_us"]),
            }
        say(
            f"==> medians: app {summary['rps']} req/s p50 {summary['p50_ms']} ms p99 {summary['p99_ms']} ms; "
            f"bare {summary['bare_rps']} req/s; ratio {summary['ratio']} "
            f"(targets: ratio >= 0.5 {'met' if summary['ratio'] >= 0.5 else 'MISSED'}, "
            f"p99 <= 50 ms {'met' if summary['p99_ms'] <= 50 else 'MISSED'})"
        )
        if args.compare:
            say(
                f"    compare ({summary['compare']}): {summary['compare_rps']} req/s p99 {summary['compare_p99_ms']} ms, "
                f"server CPU {summary['compare_cpu_us']} us/req (this tree {summary['cpu_us']} us/req)"
            )
        if errors:
            say(f"!!  {errors} failed requests (see wrk counts above)")
        if args.keep_db:
            say(f"    kept: DATABASE_URL={db_url(dbname)}  codes: {codes_file}")
        print(json.dumps(summary), flush=True)
        return 0 if not errors else 1
    except (KeyboardInterrupt, Interrupted) as exc:
        say(f"!!  interrupted ({exc or 'Ctrl-C'}): cleaning up")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish
        for p in procs:
            stop(p)
        if created and not args.keep_db:
            try:
                drop_db(dbname)
            except Exception as exc:  # noqa: BLE001 - report, do not mask the real outcome
                sys.stderr.write(f"could not drop database {dbname}: {exc}\n")
        if not args.keep_db:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
