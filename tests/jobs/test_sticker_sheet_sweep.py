"""A sticker sheet's build has a database truth (the sheet queued or running) the minute sweep
re-enqueues from: a build lost with Redis, or with its worker, is built all the same (issue 13)."""

from __future__ import annotations

from datetime import timedelta

from rq import SimpleWorker
from sqlalchemy import update

from app.clock import utcnow
from app.domain import stickers
from app.extensions import db, get_redis
from app.jobs import queue
from app.jobs.sweep import sweep
from app.models import Role, StickerSheet
from tests import factories as f


def _request_sheet(client) -> tuple[dict, dict]:
    village = f.village()
    for number in ("1", "2", "3"):
        f.household(village, number)
    headers = f.bearer(f.login_console(client, f.township_staff(Role.TOWNSHIP_LEADER, village.township)))
    db.session.commit()
    requested = client.post("/api/v1/sticker-sheets", headers=headers, json={"village_id": village.id, "layout": "3x8"})
    assert requested.status_code == 202, requested.get_json()
    return requested.get_json(), headers


def _work() -> None:
    q = queue()
    SimpleWorker([q], connection=q.connection).work(burst=True)


def _status(client, sheet: dict, headers: dict) -> str:
    return client.get(f"/api/v1/sticker-sheets/{sheet['id']}", headers=headers).get_json()["status"]


def test_a_sheet_whose_job_redis_lost_is_built_after_the_sweep(client):
    sheet, headers = _request_sheet(client)
    assert queue().job_ids == [stickers.job_id(sheet["id"])]  # enqueued after the commit
    get_redis().flushdb()  # Redis restarted without persistence: the job is gone, the sheet still queued
    _work()
    assert _status(client, sheet, headers) == "queued"

    assert sweep()["sticker_sheets"] == 1
    assert sweep()["sticker_sheets"] == 0  # still queued behind nothing else: not enqueued twice
    _work()
    assert _status(client, sheet, headers) == "done"
    assert sweep()["sticker_sheets"] == 0  # done: nothing left to do


def test_a_sheet_left_running_by_a_dead_worker_is_built_again_and_an_old_one_fails(client):
    sheet, headers = _request_sheet(client)
    get_redis().flushdb()
    db.session.execute(update(StickerSheet).where(StickerSheet.id == sheet["id"]).values(status="running"))
    old, old_headers = _request_sheet(client)
    db.session.execute(
        update(StickerSheet)
        .where(StickerSheet.id == old["id"])
        .values(created_at=utcnow() - stickers.GIVE_UP_AFTER - timedelta(minutes=1))
    )
    db.session.commit()
    get_redis().flushdb()

    assert sweep()["sticker_sheets"] == 1  # the recent one; the old one is given up
    _work()
    assert _status(client, sheet, headers) == "done"
    gave_up = client.get(f"/api/v1/sticker-sheets/{old['id']}", headers=old_headers).get_json()
    assert gave_up["status"] == "failed" and gave_up["error_message"] == "生成超时，请重新生成"
