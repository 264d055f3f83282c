"""Deliveries to the township's four-platform system (基层治理四平台), through a real RQ worker on real
Redis, to the fake platform over real HTTP: retries with backoff, final failures with a reason,
exactly-once delivery, and the sweep that stands in for lost jobs."""

from __future__ import annotations

from datetime import UTC, datetime

from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from app.extensions import db
from app.fourplatform import client as platform_client
from app.jobs import queue
from app.jobs.platform import deliver
from app.jobs.sweep import sweep
from tests import factories as f
from tests.connector import deliveries, file_case, run_worker, township_with_platform


def _scheduled() -> dict[str, datetime]:
    registry = ScheduledJobRegistry(queue=queue())
    # the delivery retries only: the cases' own deadline checks are scheduled in the same registry
    return {
        job_id: registry.get_scheduled_time(job_id)
        for job_id in registry.get_job_ids()
        if job_id.startswith("platform-")
    }


def _at(hh_mm_ss: str) -> datetime:
    """A moment on the clock fixture's day (2026-03-02), in UTC."""
    return datetime.fromisoformat(f"2026-03-02T{hh_mm_ss}+00:00").astimezone(UTC)


def _inbox_ids(client, token) -> set[int]:
    return {c["id"] for c in client.get("/api/v1/complaints", headers=f.bearer(token)).get_json()["items"]}


def test_platform_down_then_up_is_delivered_exactly_once(client, four_platform, clock):
    w = township_with_platform(client, four_platform)
    four_platform.mode("down")
    case = file_case(client, w)
    [delivery] = deliveries(client, w)
    assert (delivery["reference"], delivery["state"], delivery["attempts"]) == (case["reference"], "pending", 0)

    run_worker()
    [delivery] = deliveries(client, w)
    assert (delivery["state"], delivery["attempts"], delivery["last_error"]) == ("pending", 1, "对方应答 HTTP 503")
    assert delivery["next_attempt_at"] == "2026-03-02T09:00:30+08:00"  # the first backoff: 30 s
    assert _scheduled() == {f"platform-delivery-{delivery['id']}-2": _at("01:00:30")}
    run_worker(with_scheduler=True)  # not due yet: nothing is tried
    assert deliveries(client, w)[0]["attempts"] == 1

    four_platform.mode("up")
    clock.shift(30)
    run_worker(with_scheduler=True)
    [delivery] = deliveries(client, w)
    assert (delivery["state"], delivery["attempts"], delivery["last_error"]) == ("sent", 2, None)
    assert delivery["sent_at"] == "2026-03-02T09:00:30+08:00"

    # a late copy of the job and the minute sweep find nothing left to send
    queue().enqueue(deliver, delivery["id"], job_id="late-copy")
    assert sweep()["platform_deliveries"] == 0
    run_worker(with_scheduler=True)
    [receipt] = four_platform.receipts()
    assert receipt["key"] == delivery["key"] and receipt["body"]["case"]["reference"] == case["reference"]
    assert four_platform.stats() == {
        "received": 1,
        "duplicates": 0,
        "refused": 0,
        "rejected": 0,
        "down": 1,
        "mode": "up",
    }
    # the township's own inbox has the case all along (the fallback)
    assert case["id"] in _inbox_ids(client, w["dispatcher_token"])


def test_a_stopped_platform_is_retried_with_a_doubling_backoff(client, four_platform, clock):
    w = township_with_platform(client, four_platform)
    four_platform.stop()  # connection refused
    file_case(client, w)
    run_worker()
    [delivery] = deliveries(client, w)
    assert delivery["attempts"] == 1 and delivery["last_error"].startswith("无法连接")
    assert delivery["next_attempt_at"] == "2026-03-02T09:00:30+08:00"
    clock.shift(30)
    run_worker(with_scheduler=True)
    [delivery] = deliveries(client, w)
    assert delivery["attempts"] == 2 and delivery["next_attempt_at"] == "2026-03-02T09:01:30+08:00"  # +60 s
    assert _scheduled() == {f"platform-delivery-{delivery['id']}-3": _at("01:01:30")}

    four_platform.start()
    clock.shift(60)
    run_worker(with_scheduler=True)
    assert deliveries(client, w)[0]["state"] == "sent"
    assert len(four_platform.receipts()) == 1


def test_failed_with_a_reason_after_the_last_attempt(app, client, four_platform, clock):
    app.config["PLATFORM_MAX_ATTEMPTS"] = 3
    w = township_with_platform(client, four_platform)
    four_platform.mode("down")
    case = file_case(client, w)
    run_worker()
    for wait in (30, 60):
        clock.shift(wait)
        run_worker(with_scheduler=True)
    [delivery] = deliveries(client, w)
    assert (delivery["state"], delivery["attempts"], delivery["failure_code"]) == ("failed", 3, "exhausted")
    assert delivery["failure_reason"] == "已尝试 3 次仍未送达（对方应答 HTTP 503），案件留在本镇街待办中办理"
    assert delivery["next_attempt_at"] is None and delivery["failed_at"] == "2026-03-02T09:01:30+08:00"
    assert _scheduled() == {}
    # nothing tries again, however long we wait; the case is worked in the township's own inbox
    clock.shift(6 * 3600)
    four_platform.mode("up")
    assert sweep()["platform_deliveries"] == 0
    run_worker(with_scheduler=True)
    assert four_platform.stats()["down"] == 3 and four_platform.receipts() == []
    assert case["id"] in _inbox_ids(client, w["dispatcher_token"])
    signed = client.post(f"/api/v1/complaints/{case['id']}/sign", headers=f.bearer(w["dispatcher_token"]))
    assert signed.status_code == 200 and signed.get_json()["status"] == "signed"


def test_a_refusal_is_final_at_once(client, four_platform, clock):
    w = township_with_platform(client, four_platform)
    four_platform.mode("reject")
    file_case(client, w)
    run_worker()
    [delivery] = deliveries(client, w)
    assert (delivery["state"], delivery["attempts"], delivery["failure_code"]) == ("failed", 1, "rejected")
    assert delivery["failure_reason"] == "四平台拒收（对方应答 HTTP 422），案件留在本镇街待办中办理"
    assert _scheduled() == {}


def test_the_sweep_stands_in_for_lost_jobs(client, four_platform, redis_client, clock):
    w = township_with_platform(client, four_platform)
    first = file_case(client, w)
    queue().empty()  # the job is lost (Redis restarted without persistence)
    run_worker()
    assert four_platform.receipts() == [] and deliveries(client, w)[0]["state"] == "pending"
    assert sweep()["platform_deliveries"] == 1
    run_worker()
    assert [r["body"]["case"]["reference"] for r in four_platform.receipts()] == [first["reference"]]

    # a retry whose time has not come is left alone, then picked up once it has
    four_platform.mode("down")
    second = file_case(client, w)
    run_worker()
    redis_client.flushdb()  # the scheduled retry is lost too
    assert sweep()["platform_deliveries"] == 0
    clock.shift(30)
    four_platform.mode("up")
    assert sweep()["platform_deliveries"] == 1
    run_worker()
    assert [r["body"]["case"]["reference"] for r in four_platform.receipts()] == [
        first["reference"],
        second["reference"],
    ]
    assert {d["state"] for d in deliveries(client, w)} == {"sent"}


def test_a_case_that_moved_on_is_not_delivered(client, four_platform, clock):
    w = township_with_platform(client, four_platform)
    four_platform.mode("down")
    case = file_case(client, w)
    run_worker()
    # meanwhile the dispatcher works it in Mingjing's own inbox
    client.post(f"/api/v1/complaints/{case['id']}/sign", headers=f.bearer(w["dispatcher_token"]))
    four_platform.mode("up")
    clock.shift(30)
    run_worker(with_scheduler=True)
    [delivery] = deliveries(client, w)
    assert (delivery["state"], delivery["failure_code"], delivery["attempts"]) == ("failed", "superseded", 1)
    assert four_platform.receipts() == []


def test_a_newer_step_replaces_a_delivery_still_waiting(client, four_platform, clock):
    w = township_with_platform(client, four_platform)
    four_platform.mode("down")
    case = file_case(client, w, category="hardship", description="家里老人重病，申请临时救助。")
    assert case["handler"] == "村委会主任" and deliveries(client, w) == []  # a village matter: not delivered
    director = f.login_wx(client, w["director"])
    send_back = client.post(
        f"/api/v1/complaints/{case['id']}/send-back",
        headers=f.bearer(director),
        json={"reason": "救助归民政办，请镇里派单"},
    )
    assert send_back.status_code == 200
    run_worker()
    redispatch = client.post(
        f"/api/v1/complaints/{case['id']}/redispatch",
        headers=f.bearer(w["dispatcher_token"]),
        json={"target": "township_dispatch", "reason": "转四平台民政条线"},
    )
    assert redispatch.status_code == 200
    latest, older = deliveries(client, w)
    assert (older["event_kind"], older["state"], older["failure_code"]) == ("returned", "failed", "superseded")
    assert (latest["event_kind"], latest["state"]) == ("redispatched", "pending")
    four_platform.mode("up")
    clock.shift(30)
    run_worker(with_scheduler=True)
    [receipt] = four_platform.receipts()
    assert receipt["key"] == latest["key"] and receipt["body"]["event"]["kind"] == "redispatched"
    assert receipt["body"]["event"]["handler_note"] == "转四平台民政条线"


def test_nothing_is_delivered_without_an_enabled_platform_or_while_held(client, four_platform, clock):
    w = township_with_platform(client, four_platform, enabled=False)
    file_case(client, w)
    assert deliveries(client, w) == [] and queue().count == 0

    enable = client.put(
        f"/api/v1/townships/{w['township'].id}/platform",
        headers=f.bearer(w["leader_token"]),
        json={"endpoint_url": four_platform.cases_url, "enabled": True},
    )
    assert enable.status_code == 200
    held = file_case(client, w, description="【审核】加油站老板和村干部是亲戚，杂物一直没人管。")
    assert held["status"] == "held" and deliveries(client, w) == []
    client.post(f"/api/v1/complaints/{held['id']}/release", headers=f.bearer(w["dispatcher_token"]))
    [delivery] = deliveries(client, w)
    assert delivery["event_kind"] == "released"

    # switched off while a delivery waits: it fails with that reason, nothing is sent
    disable = client.put(
        f"/api/v1/townships/{w['township'].id}/platform",
        headers=f.bearer(w["leader_token"]),
        json={"endpoint_url": four_platform.cases_url, "enabled": False},
    )
    assert disable.status_code == 200, disable.get_json()
    run_worker()
    [delivery] = deliveries(client, w)
    assert (delivery["state"], delivery["failure_code"]) == ("failed", "disabled")
    assert four_platform.receipts() == []


def _die_mid_request(monkeypatch) -> None:
    """Run the due jobs with a worker that dies while the request is in flight (after its claim)."""

    def killed(*args, **kwargs):
        raise RuntimeError("worker killed mid-request")

    monkeypatch.setattr(platform_client, "post", killed)
    q = queue()
    db.session.commit()
    SimpleWorker([q], connection=q.connection).work(burst=True)
    monkeypatch.undo()
    assert q.failed_job_registry.count == 1
    for job_id in q.failed_job_registry.get_job_ids():
        q.failed_job_registry.remove(job_id)
    db.session.expire_all()


def test_an_attempt_cut_short_is_taken_up_again_after_its_lease(app, client, four_platform, clock, monkeypatch):
    w = township_with_platform(client, four_platform)
    file_case(client, w)
    _die_mid_request(monkeypatch)
    [delivery] = deliveries(client, w)
    # the claim stands: one attempt counted, leased for the timeout (10 s) and a minute more
    assert (delivery["state"], delivery["attempts"]) == ("pending", 1)
    assert delivery["next_attempt_at"] == "2026-03-02T09:01:10+08:00"
    assert sweep()["platform_deliveries"] == 0  # nobody starts another attempt meanwhile
    clock.shift(70)
    assert sweep()["platform_deliveries"] == 1
    run_worker()
    assert (deliveries(client, w)[0]["state"], deliveries(client, w)[0]["attempts"]) == ("sent", 2)
    assert len(four_platform.receipts()) == 1

    # when the cut-short attempt was the last one allowed, it is given up without another request
    app.config["PLATFORM_MAX_ATTEMPTS"] = 1
    file_case(client, w)
    _die_mid_request(monkeypatch)
    clock.shift(70)
    sweep()
    run_worker()
    latest = deliveries(client, w)[0]
    assert (latest["state"], latest["failure_code"], latest["attempts"]) == ("failed", "exhausted", 1)
    assert latest["failure_reason"] == "已尝试 1 次仍未确认送达，案件留在本镇街待办中办理"
    assert len(four_platform.receipts()) == 1
