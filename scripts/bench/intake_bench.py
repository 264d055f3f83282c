"""Complaint intake under load: many WeChat villagers file complaints at once, over real HTTP.

    scripts/bench/intake [--rounds 5] [--users 600] [--per-user 4] [--clients 48] [--client-procs 2]
                         [--retry-share 0.2] [--double-share 0.1] [--workers 4] [--threads 4]
                         [--worker-class gthread] [--keep-db]

What it does, all by itself, loopback only:
  1. creates a throw-away PostgreSQL database mingjing_bench_intake_<pid> (server: $BENCH_PG_SERVER,
     default postgresql://127.0.0.1:5432/test, trust auth), runs `flask --app wsgi db upgrade` and
     bulk-loads (COPY) 1 county, 4 townships, 40 villages (each with its village director, secretary,
     grid worker and supervision liaison, so every routing rule finds its office), and for every round
     (a warm-up round, then the measured ones) fresh households with a door code and two villagers
     each: the rate limits (5 filings a user, 10 a household, per day) are never what is measured;
  2. starts the WeChat sandbox (gunicorn, one process: its tokens live in memory) and gunicorn for
     wsgi:app pointed at it;
  3. per round: every villager of the round logs in through POST /api/v1/auth/wx-login (a fresh
     sandbox code each), then all of them file at once from `--clients` keep-alive connections
     (`--client-procs` processes): each villager `--per-user` complaints from their own door code,
     every one with its own client_request_id, mixed categories (both lanes), anonymous and real-name,
     some about a cadre, a few held by the content check. A share of filings is sent again after the
     answer (a client retry) and a share is sent twice at the same moment on two connections (a
     double tap): both must answer 201 with the same case;
  4. checks that every accepted complaint is in the database exactly once: the ids the server gave
     are exactly the rows filed by the round's villagers, one per (villager, request id);
  5. drops the database (also on failure or Ctrl-C) and prints as the LAST line
     {"rps", "p99_ms", "accepted", "stored", ...}: rps and p99 are medians over the measured rounds
     (filing requests, replays included), accepted and stored their totals.

See docs/performance.md ("Complaint intake under load").
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import scan_bench as sb  # noqa: E402  (database, gunicorn and machine helpers shared with the scan bench)

from app.domain.complaints.categories import CATEGORIES  # noqa: E402
from app.domain.household_codes import ALPHABET, LENGTH  # noqa: E402

ROOT = sb.ROOT
say = sb.say
FILE_PREFIX = "/api/v1/h/"

DESCRIPTIONS = {
    "collective_assets": "村集体厂房租金去年没有公开，收入去向不明，请核查。",
    "village_works": "村道硬化工程才半年就开裂，施工单位是怎么选的？",
    "purchasing": "村里采购的垃圾桶价格比市场贵一倍，请查一查。",
    "labour_hire": "修水渠的务工名单里有人根本没来干活却领了工钱。",
    "subsidies": "低保名单里有家里开厂的人，真正困难的却没评上。",
    "seal_use": "村委会公章被借出去给私人做担保，不知道有没有登记。",
    "disclosure": "公开栏三个月没有更新，财务收支看不到。",
    "cadre_conduct": "村干部办事要先请吃饭，群众意见很大。",
    "environment": "河边有人偷倒建筑垃圾，气味很大。",
    "safety": "村口加油站旁堆放易燃杂物，存在火灾隐患。",
    "dispute": "邻居家的围墙占了公共通道，多次协商无果。",
    "hardship": "家里老人重病住院，申请临时救助不知道怎么办。",
    "public_service": "想办理老年证，不知道去哪里办、要带什么材料。",
    "other": "村里路灯坏了一个多月没人修，晚上出门不方便。",
}
ABOUT = ("village_director", "village_secretary", "village_bookkeeper")
VILLAGE_CADRES = ("village_director", "village_secretary", "grid_worker", "supervision_liaison")


class Interrupted(Exception):
    pass


def _on_signal(signum, frame):
    raise Interrupted(f"signal {signum}")


# ---------------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------------


@dataclass
class Villager:
    identity: str  # sandbox identity: openid = "sbx-" + identity
    code: str  # their door code


def load(
    dbname: str, *, townships: int, villages: int, rounds: list[int], seed: int
) -> tuple[dict, list[list[Villager]]]:
    """COPY the territory, the cadres, and per round its households (with codes) and villagers."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    created = now - timedelta(days=400)
    counts: dict[str, int] = {}
    per_round: list[list[Villager]] = []
    with sb.pg_connect(dbname) as conn:
        counts["county"] = sb.copy_rows(
            conn, "county", ["id", "code", "name", "created_at"], [(1, "330399", "明镜县", created)]
        )
        counts["township"] = sb.copy_rows(
            conn,
            "township",
            ["id", "county_id", "code", "name", "kind", "supervision_phone", "created_at"],
            [
                (t, 1, f"330399{100 + t:03d}", f"{sb.PLACE[t]}镇", "town", f"0574-8{t:03d}1000", created)
                for t in range(1, townships + 1)
            ],
        )
        village_township = {v: (v - 1) % townships + 1 for v in range(1, villages + 1)}
        counts["village"] = sb.copy_rows(
            conn,
            "village",
            ["id", "township_id", "code", "name", "kind", "created_at"],
            [
                (v, t, f"330399{100 + t:03d}{200 + v:03d}", f"{sb.PLACE[v % len(sb.PLACE)]}{v}村", "village", created)
                for v, t in village_township.items()
            ],
        )
        counts["grid"] = sb.copy_rows(
            conn,
            "grid",
            ["id", "village_id", "number", "name", "created_at"],
            [(v, v, 1, "第一网格", created) for v in range(1, villages + 1)],
        )
        users: list[tuple[int, str, datetime]] = []
        roles: list[tuple[int, int, str, str, int, int, int, int, int | None, datetime, datetime]] = []
        homes: list[tuple[int, int, int, str, str, str, datetime]] = []
        codes: list[tuple[int, int, str, datetime]] = []
        seen_codes: set[str] = set()

        def role(user_id: int, name: str, village: int, household: int | None = None) -> None:
            roles.append(
                (
                    len(roles) + 1,
                    user_id,
                    name,
                    rng.choice(sb.SURNAMES) + rng.choice(sb.GIVEN),
                    1,
                    village_township[village],
                    village,
                    village,
                    household,
                    created,
                    created,
                )
            )

        for v in range(1, villages + 1):
            for name in VILLAGE_CADRES:
                users.append((len(users) + 1, f"sbx-bench-{name.replace('_', '-')}-{v}", created))
                role(len(users), name, v)
        for r, n_users in enumerate(rounds):
            villagers = []
            for i in range(n_users):
                if i % 2 == 0:  # two villagers a household
                    v = rng.randint(1, villages)
                    hid = len(homes) + 1
                    homes.append(
                        (
                            hid,
                            v,
                            v,
                            f"{hid:05d}",
                            f"{sb.PLACE[v % len(sb.PLACE)]}{v}村{hid}号",
                            rng.choice(sb.SURNAMES) + rng.choice(sb.GIVEN),
                            created,
                        )
                    )
                    while True:
                        code = "".join(rng.choices(ALPHABET, k=LENGTH))
                        if code not in seen_codes:
                            seen_codes.add(code)
                            break
                    codes.append((hid, hid, code, created))
                identity = f"bench-{r}-{i}"
                users.append((len(users) + 1, f"sbx-{identity}", created))
                role(len(users), "villager", homes[-1][1], homes[-1][0])
                villagers.append(Villager(identity, codes[-1][2]))
            per_round.append(villagers)
        counts["household"] = sb.copy_rows(
            conn, "household", ["id", "village_id", "grid_id", "number", "address", "head_name", "created_at"], homes
        )
        counts["household_code"] = sb.copy_rows(
            conn, "household_code", ["id", "household_id", "code", "issued_at"], codes
        )
        counts["wx_user"] = sb.copy_rows(conn, "wx_user", ["id", "openid", "created_at"], users)
        counts["role_assignment"] = sb.copy_rows(
            conn,
            "role_assignment",
            [
                "id",
                "user_id",
                "role",
                "holder_name",
                "county_id",
                "township_id",
                "village_id",
                "grid_id",
                "household_id",
                "starts_at",
                "created_at",
            ],
            roles,
        )
        for table in (
            "county",
            "township",
            "village",
            "grid",
            "household",
            "household_code",
            "wx_user",
            "role_assignment",
        ):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
    with sb.pg_connect(dbname, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return counts, per_round


# ---------------------------------------------------------------------------------------------------
# clients
# ---------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one client process saw."""

    started: float = float("inf")
    ended: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, every request of the phase
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # first few unexpected answers
    accepted: dict[str, int] = field(default_factory=dict)  # "identity/request id" -> complaint id
    replays: int = 0
    replay_mismatches: int = 0
    resent: int = 0  # requests sent again because the server had closed an idle connection
    client_errors: int = 0
    tokens: dict[str, str] = field(default_factory=dict)  # identity -> token (login phase)

    def merge(self, other: Tally) -> None:
        self.started, self.ended = min(self.started, other.started), max(self.ended, other.ended)
        self.latencies += other.latencies
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.failures += other.failures[: max(0, 10 - len(self.failures))]
        self.accepted.update(other.accepted)
        self.replays += other.replays
        self.replay_mismatches += other.replay_mismatches
        self.resent += other.resent
        self.client_errors += other.client_errors
        self.tokens.update(other.tokens)


class Client:
    """One keep-alive HTTP connection. gunicorn closes a connection idle for 2 s (its keep-alive): one
    idle for more than half a second is replaced before use, and a request that finds its connection
    closed anyway (the server's idle clock starts when it answers, which the client may read later) is
    sent again on a new one; the server never saw it, and a filing is idempotent by its request id."""

    IDLE_SECONDS = 0.5
    CLOSED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, http.client.RemoteDisconnected)

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0
        self.pending: tuple[str, str, bytes, dict[str, str]] | None = None
        self.resent = 0

    def _connect(self) -> http.client.HTTPConnection:
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return self.conn

    def send(self, path: str, body: dict, token: str | None) -> None:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.pending = pending = ("POST", path, json.dumps(body, ensure_ascii=False).encode(), headers)
        conn = self.conn
        if conn is None or time.perf_counter() - self.last_used > self.IDLE_SECONDS:
            conn = self._connect()
        try:
            conn.request(*pending)
        except self.CLOSED:
            self._resend()

    def _resend(self) -> http.client.HTTPConnection:
        assert self.pending is not None, "only a sent request is sent again"
        self.resent += 1
        conn = self._connect()
        conn.request(*self.pending)
        return conn

    def receive(self) -> tuple[int, dict | None]:
        conn = self.conn
        assert conn is not None, "a response follows a send"
        try:
            response = conn.getresponse()
        except self.CLOSED:
            conn = self._resend()
            response = conn.getresponse()
        data = response.read()
        self.last_used = time.perf_counter()
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            self.conn = None
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, None

    def post(self, path: str, body: dict, token: str | None = None) -> tuple[int, dict | None]:
        self.send(path, body, token)
        return self.receive()


def _record(tally: Tally, lock: threading.Lock, t0: float, status: int, body, what: str) -> None:
    with lock:
        tally.latencies.append(time.perf_counter() - t0)
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if status not in (200, 201) and len(tally.failures) < 10:
            tally.failures.append(f"{what}: {status} {json.dumps(body, ensure_ascii=False)[:300]}")


def _client_error(tally: Tally, lock: threading.Lock, what: str, exc: Exception) -> None:
    with lock:
        tally.client_errors += 1
        if len(tally.failures) < 10:
            tally.failures.append(f"{what}: client error {type(exc).__name__}: {exc}")


def _login_all(port: int, villagers: list[Villager], tally: Tally, lock: threading.Lock) -> None:
    client = Client(port)
    for villager in villagers:
        t0 = time.perf_counter()
        try:
            status, body = client.post("/api/v1/auth/wx-login", {"code": f"{villager.identity}.{secrets.token_hex(4)}"})
        except (OSError, http.client.HTTPException) as exc:
            _client_error(tally, lock, f"login {villager.identity}", exc)
            client = Client(port)
            continue
        _record(tally, lock, t0, status, body, f"login {villager.identity}")
        if status == 200 and body is not None:  # a 200 always has its JSON
            with lock:
                tally.tokens[villager.identity] = body["token"]
    with lock:
        tally.resent += client.resent


def _filing(rng: random.Random, villager: Villager, k: int) -> dict:
    category = rng.choice(list(CATEGORIES))
    body = {
        "client_request_id": f"{villager.identity}-{k}-{secrets.token_hex(6)}",
        "category": category,
        "description": f"{DESCRIPTIONS[category]}（第{k + 1}次反映）",
        "anonymous": rng.random() < 0.7,
        "latitude": round(29.8 + rng.random() * 0.1, 6),
        "longitude": round(121.5 + rng.random() * 0.1, 6),
    }
    if not body["anonymous"]:
        body.update(
            contact_name=rng.choice(sb.SURNAMES) + rng.choice(sb.GIVEN), contact_phone=f"138{rng.randrange(10**8):08d}"
        )
    if rng.random() < 0.05:
        body["about_role"] = rng.choice(ABOUT)
    if rng.random() < 0.02:
        body["description"] = "【审核】" + str(body["description"])  # the content check holds it for moderation
    return body


def _file_all(
    port: int,
    villagers: list[Villager],
    tokens: dict[str, str],
    per_user: int,
    retry_share: float,
    double_share: float,
    seed: int,
    tally: Tally,
    lock: threading.Lock,
) -> None:
    rng = random.Random(seed)
    client, twin = Client(port), Client(port)
    for villager in villagers:
        token = tokens[villager.identity]
        path = f"{FILE_PREFIX}{villager.code}/complaints"
        for k in range(per_user):
            body = _filing(rng, villager, k)
            key = f"{villager.identity}/{body['client_request_id']}"
            try:
                _file_one(client, twin, rng, path, body, token, key, double_share, retry_share, tally, lock)
            except (OSError, http.client.HTTPException) as exc:
                _client_error(tally, lock, f"file {key}", exc)
                client, twin = Client(port), Client(port)
    with lock:
        tally.resent += client.resent + twin.resent


def _file_one(
    client: Client,
    twin: Client,
    rng: random.Random,
    path: str,
    body: dict,
    token: str,
    key: str,
    double_share: float,
    retry_share: float,
    tally: Tally,
    lock: threading.Lock,
) -> None:
    """One filing; perhaps sent twice at once (double tap), perhaps sent again after its answer (retry)."""
    double = rng.random() < double_share
    t0 = time.perf_counter()
    client.send(path, body, token)
    if double:  # the same request on a second connection before either answer is read
        t1 = time.perf_counter()
        twin.send(path, body, token)
    status, answer = client.receive()
    _record(tally, lock, t0, status, answer, f"file {key}")
    ids = [answer.get("id") if status == 201 and answer else None]
    if double:
        status2, answer2 = twin.receive()
        _record(tally, lock, t1, status2, answer2, f"double {key}")
        ids.append(answer2.get("id") if status2 == 201 and answer2 else None)
    if rng.random() < retry_share:  # a client retry after the answer
        t0 = time.perf_counter()
        status3, answer3 = client.post(path, body, token)
        _record(tally, lock, t0, status3, answer3, f"retry {key}")
        ids.append(answer3.get("id") if status3 == 201 and answer3 else None)
    with lock:
        if ids[0] is not None:
            tally.accepted[key] = ids[0]
        tally.replays += len(ids) - 1
        if len(set(ids)) > 1:
            tally.replay_mismatches += 1


def _client_process(
    phase: str,
    port: int,
    villagers: list[Villager],
    tokens: dict[str, str],
    threads: int,
    per_user: int,
    retry_share: float,
    double_share: float,
    seed: int,
) -> Tally:
    tally, lock = Tally(), threading.Lock()
    slices = [villagers[i::threads] for i in range(threads)]
    if phase == "login":
        workers = [threading.Thread(target=_login_all, args=(port, s, tally, lock)) for s in slices if s]
    else:
        workers = [
            threading.Thread(
                target=_file_all,
                args=(port, s, tokens, per_user, retry_share, double_share, seed * 1000 + i, tally, lock),
            )
            for i, s in enumerate(slices)
            if s
        ]
    tally.started = time.time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    tally.ended = time.time()
    return tally


def _client_init() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not our clean-up handler: a client just stops
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_phase(pool, phase: str, args, port: int, villagers: list[Villager], tokens: dict[str, str], seed: int) -> Tally:
    procs = args.client_procs
    threads = max(1, args.clients // procs)
    jobs = [
        (
            phase,
            port,
            villagers[p::procs],
            tokens,
            threads,
            args.per_user,
            args.retry_share,
            args.double_share,
            seed * 10 + p,
        )
        for p in range(procs)
    ]
    total = Tally()
    for part in pool.starmap(_client_process, jobs):
        total.merge(part)
    return total


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else 0.0


# ---------------------------------------------------------------------------------------------------
# one round
# ---------------------------------------------------------------------------------------------------


def verify(dbname: str, round_index: int, accepted: dict[str, int]) -> dict:
    """Every accepted complaint is in the database exactly once: the ids answered are exactly the rows
    filed by the round's villagers, one row per (villager, request id)."""
    with sb.pg_connect(dbname) as conn:
        rows = conn.execute(
            "SELECT c.id, u.openid, c.client_request_id FROM complaint c JOIN wx_user u ON u.id = c.filed_by_user_id "
            "WHERE u.openid LIKE %s",
            (f"sbx-bench-{round_index}-%",),
        ).fetchall()
    stored = {f"{openid.removeprefix('sbx-')}/{rid}": cid for cid, openid, rid in rows}
    return {
        "stored": len(rows),
        "distinct": len(stored),
        "missing": sorted(set(accepted) - set(stored))[:5],
        "unexpected": sorted(set(stored) - set(accepted))[:5],
        "id_mismatch": sum(1 for k, v in accepted.items() if stored.get(k) not in (None, v)),
    }


def run_round(pool, args, port: int, dbname: str, index: int, villagers: list[Villager], servers: dict) -> dict:
    login = run_phase(pool, "login", args, port, villagers, {}, seed=args.seed + index)
    if len(login.tokens) != len(villagers):
        raise SystemExit(f"round {index}: {len(villagers) - len(login.tokens)} logins failed: {login.failures}")
    cpu0 = {name: sb.tree_cpu(pid) for name, pid in servers.items()}
    busy0, all0 = sb.cpu_busy_jiffies()
    filing = run_phase(pool, "file", args, port, villagers, login.tokens, seed=args.seed + 100 + index)
    busy1, all1 = sb.cpu_busy_jiffies()
    cpu = {name: sb.tree_cpu(pid) - cpu0[name] for name, pid in servers.items()}
    seconds = filing.ended - filing.started
    check = verify(dbname, index, filing.accepted)
    requests = sum(filing.statuses.values())
    expected = len(villagers) * args.per_user
    ok = (
        check["stored"] == len(filing.accepted) == check["distinct"] == expected
        and not check["missing"]
        and not check["unexpected"]
        and not check["id_mismatch"]
        and not filing.replay_mismatches
        and set(filing.statuses) == {201}
        and not filing.client_errors
    )
    return {
        "round": index,
        "villagers": len(villagers),
        "login_rps": len(login.latencies) / max(1e-9, login.ended - login.started),
        "login_p99_ms": p99(login.latencies) * 1000,
        "requests": requests,
        "seconds": seconds,
        "rps": requests / seconds,
        "accepted_per_s": len(filing.accepted) / seconds,
        "p50_ms": statistics.median(filing.latencies) * 1000,
        "p99_ms": p99(filing.latencies) * 1000,
        "max_ms": max(filing.latencies) * 1000,
        "app_cpu_ms": 1000 * cpu["app"] / requests,
        "sandbox_cpu_ms": 1000 * cpu["sandbox"] / requests,
        "machine_busy_pct": 100 * (busy1 - busy0) / max(1, all1 - all0),
        "accepted": len(filing.accepted),
        "expected": expected,
        "replays": filing.replays,
        "replay_mismatches": filing.replay_mismatches,
        "resent": filing.resent + login.resent,
        "client_errors": filing.client_errors + login.client_errors,
        "statuses": filing.statuses,
        "failures": filing.failures,
        **check,
        "ok": ok,
    }


def fmt(r: dict) -> str:
    return (
        f"{r['rps']:7.1f} req/s ({r['accepted_per_s']:6.1f} complaints/s)  p50 {r['p50_ms']:6.1f} ms  "
        f"p99 {r['p99_ms']:7.1f} ms  max {r['max_ms']:7.1f} ms  accepted {r['accepted']}/{r['expected']} "
        f"stored {r['stored']}  replays {r['replays']} (resent on a new connection {r['resent']})  logins {r['login_rps']:.0f}/s  "
        f"CPU/request app {r['app_cpu_ms']:.1f} ms sandbox {r['sandbox_cpu_ms']:.1f} ms  "
        f"machine busy {r['machine_busy_pct']:.0f}%  "
        f"{'ok' if r['ok'] else 'NOT OK'}"
    )


# ---------------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------------


def forget_earlier_runs(redis_url: str) -> None:
    """A fresh database reuses user ids, and a fresh sandbox knows no earlier access token: forget the
    complaint counters and the WeChat token an earlier run left in Redis."""
    from redis import Redis

    client = Redis.from_url(redis_url)
    for pattern in ("mingjing:rl:complaint-*", "mingjing:wechat*"):
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)
    client.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5, help="measured rounds (after one warm-up round)")
    ap.add_argument("--users", type=int, default=600, help="villagers per round (two a household)")
    ap.add_argument("--warmup-users", type=int, default=200)
    ap.add_argument("--per-user", type=int, default=4, help="complaints each villager files (at most 5 a day)")
    ap.add_argument("--clients", type=int, default=48, help="concurrent client connections (plus one twin each)")
    ap.add_argument("--client-procs", type=int, default=2)
    ap.add_argument("--retry-share", type=float, default=0.2, help="share of filings sent again after the answer")
    ap.add_argument("--double-share", type=float, default=0.1, help="share of filings sent twice at once")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    ap.add_argument("--worker-class", default="gthread")
    ap.add_argument("--sandbox-threads", type=int, default=16)
    ap.add_argument("--townships", type=int, default=4)
    ap.add_argument("--villages", type=int, default=40)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--keep-db", action="store_true", help="leave the database (and print its URL) for profiling")
    args = ap.parse_args(argv)
    if not 1 <= args.per_user <= 5:
        ap.error("--per-user must be 1..5 (the per-villager daily limit is 5)")

    dbname = f"mingjing_bench_intake_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="mingjing-intake-"))
    procs: list = []
    created = False
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    pool = None
    ok_so_far = True
    try:
        say(f"machine: {sb.machine()}")
        say(f"==> database {dbname}: create, migrate, load (COPY)")
        sb.create_db(dbname)
        created = True
        sb.migrate(dbname)
        rounds = [args.warmup_users] + [args.users] * args.rounds
        counts, per_round = load(
            dbname, townships=args.townships, villages=args.villages, rounds=rounds, seed=args.seed
        )
        say("    " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        forget_earlier_runs(sb.REDIS_URL)

        sandbox_port, app_port = sb.free_port(), sb.free_port()
        env = sb.app_env(dbname)
        env.update(WECHAT_API_BASE=f"http://127.0.0.1:{sandbox_port}/", WECHAT_APPID="", WECHAT_SECRET="")
        sandbox_log, app_log = work / "sandbox.log", work / "gunicorn-app.log"
        sandbox_cmd = [
            str(sb.VENV_BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{sandbox_port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            str(args.sandbox_threads),
            "--log-level",
            "warning",
            "--timeout",
            "300",  # a restarted worker would forget every token it issued
            "app.wechat.sandbox:create_sandbox_app()",
        ]
        procs.append(sb.start(sandbox_cmd, ROOT, env, sandbox_log))
        sb.wait_ready(f"http://127.0.0.1:{sandbox_port}/_sandbox/health", procs[-1], sandbox_log)
        app_cmd = sb.gunicorn_cmd(args, app_port, "wsgi:app")
        procs.append(sb.start(app_cmd, ROOT, env, app_log))
        sb.wait_ready(f"http://127.0.0.1:{app_port}/api/v1/h/{per_round[0][0].code}", procs[-1], app_log)
        say(
            f"==> gunicorn: {' '.join(app_cmd[1:-1])} :{app_port}; WeChat sandbox: gunicorn gthread 1x"
            f"{args.sandbox_threads} :{sandbox_port}"
        )
        say(
            f"==> {len(rounds) - 1} rounds after a warm-up: {args.users} villagers a round, {args.per_user} complaints "
            f"each, {args.clients} connections from {args.client_procs} processes; retries {args.retry_share:.0%}, "
            f"double taps {args.double_share:.0%}"
        )
        pool = multiprocessing.get_context("fork").Pool(args.client_procs, initializer=_client_init)
        results = []
        for index, villagers in enumerate(per_round):
            r = run_round(
                pool, args, app_port, dbname, index, villagers, {"app": procs[1].pid, "sandbox": procs[0].pid}
            )
            say(f"    {'warm-up' if index == 0 else f'round {index}':8s} {fmt(r)}")
            if not r["ok"]:
                ok_so_far = False
                say(
                    f"!!  round {index}: statuses {r['statuses']}, client errors {r['client_errors']}, missing {r['missing']}, unexpected {r['unexpected']}, "
                    f"id mismatches {r['id_mismatch']}, replay mismatches {r['replay_mismatches']}"
                )
                for failure in r["failures"]:
                    say(f"    {failure}")
            if index:
                results.append(r)

        summary = {
            "rps": round(statistics.median(r["rps"] for r in results), 1),
            "p99_ms": round(statistics.median(r["p99_ms"] for r in results), 1),
            "accepted": sum(r["accepted"] for r in results),
            "stored": sum(r["stored"] for r in results),
            "complaints_per_s": round(statistics.median(r["accepted_per_s"] for r in results), 1),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in results), 1),
            "replays": sum(r["replays"] for r in results),
            "resent": sum(r["resent"] for r in results),
            "login_rps": round(statistics.median(r["login_rps"] for r in results), 1),
            "app_cpu_ms_per_request": round(statistics.median(r["app_cpu_ms"] for r in results), 2),
            "sandbox_cpu_ms_per_request": round(statistics.median(r["sandbox_cpu_ms"] for r in results), 2),
            "machine_busy_pct": round(statistics.median(r["machine_busy_pct"] for r in results), 1),
            "all_ok": all(r["ok"] for r in results),
            "connections": args.clients,
            "gunicorn": f"{args.worker_class} workers={args.workers}"
            + (f" threads={args.threads}" if args.worker_class == "gthread" else ""),
            "rounds": len(results),
            "villagers_per_round": args.users,
        }
        say(
            f"==> medians: {summary['rps']} req/s ({summary['complaints_per_s']} complaints/s), p50 {summary['p50_ms']} ms, "
            f"p99 {summary['p99_ms']} ms, app CPU {summary['app_cpu_ms_per_request']} ms a request; accepted {summary['accepted']}, stored {summary['stored']}, "
            f"{'every accepted complaint stored exactly once' if summary['all_ok'] else 'MISMATCH (see above)'}"
        )
        if args.keep_db:
            say(f"    kept: DATABASE_URL={sb.db_url(dbname)}")
        print(json.dumps(summary), flush=True)
        return 0 if summary["all_ok"] else 1
    except (KeyboardInterrupt, Interrupted) as exc:
        say(f"!!  interrupted ({exc or 'Ctrl-C'}): cleaning up")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish
        if pool is not None:
            pool.terminate()
            pool.join()
        for p in reversed(procs):
            sb.stop(p)
        if created and not args.keep_db:
            try:
                sb.drop_db(dbname)
            except Exception as exc:  # noqa: BLE001 - report, do not mask the real outcome
                sys.stderr.write(f"could not drop database {dbname}: {exc}\n")
        if ok_so_far:
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"    server logs kept in {work}")


if __name__ == "__main__":
    sys.exit(main())
