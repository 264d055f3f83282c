"""Helpers for the four-platform connector tests: a township whose platform is the fake one, filing a
case that lands on the township dispatch desk, running the RQ worker, reading deliveries over HTTP."""

from __future__ import annotations

import secrets

from rq import SimpleWorker

from app.domain import household_codes as hc
from app.extensions import db
from app.jobs import queue
from app.models import Role
from tests import factories as f


def township_with_platform(client, fake, *, enabled: bool = True) -> dict:
    """A village with three households, its township's dispatcher and leader, and the township's
    platform set (by the leader, over HTTP) to the fake one."""
    village = f.village()
    township = village.township
    homes = [f.household(village) for _ in range(3)]
    codes = hc.ensure_codes(homes)
    w = {
        "village": village,
        "township": township,
        "homes": homes,
        "codes": [codes[h.id] for h in homes],
        "villager": f.villager(homes[0]),
        "director": f.cadre(Role.VILLAGE_DIRECTOR, village),
        "discipline": f.township_staff(Role.TOWNSHIP_DISCIPLINE, township),
        "dispatcher": f.township_staff(Role.TOWNSHIP_DISPATCHER, township),
        "leader": f.township_staff(Role.TOWNSHIP_LEADER, township),
    }
    db.session.commit()
    w["leader_token"] = f.login_console(client, w["leader"])
    w["dispatcher_token"] = f.login_console(client, w["dispatcher"])
    w["me"] = f.login_wx(client, w["villager"])
    response = client.put(
        f"/api/v1/townships/{township.id}/platform",
        headers=f.bearer(w["leader_token"]),
        json={"endpoint_url": fake.cases_url, "secret": fake.SECRET, "enabled": enabled},
    )
    assert response.status_code == 200, response.get_json()
    w["inbound_url"] = response.get_json()["inbound_url"]
    return w


def file_case(client, w, **overrides) -> dict:
    """A villager files a safety matter: by default it goes to the township's four-platform dispatch."""
    body = {
        "client_request_id": secrets.token_hex(8),
        "category": "safety",
        "description": "村口加油站旁堆放了大量易燃杂物。",
        "anonymous": True,
    }
    body.update(overrides)
    response = client.post(f"/api/v1/h/{w['codes'][0]}/complaints", headers=f.bearer(w["me"]), json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deliveries(client, w, **params) -> list[dict]:
    response = client.get(
        f"/api/v1/townships/{w['township'].id}/platform/deliveries",
        headers=f.bearer(w["leader_token"]),
        query_string=params,
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def run_worker(*, with_scheduler: bool = False) -> None:
    """Run the jobs that are due (with the scheduler: also those scheduled for now or earlier)."""
    q = queue()
    db.session.commit()
    SimpleWorker([q], connection=q.connection).work(burst=True, with_scheduler=with_scheduler)
    db.session.expire_all()
    failed = q.failed_job_registry
    assert failed.count == 0, [q.fetch_job(i).latest_result().exc_string for i in failed.get_job_ids()]
