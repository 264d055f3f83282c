"""Sticker sheets end to end: the demo village's sheet, built by the worker, decoded by zbar."""

from __future__ import annotations

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from app.domain import household_codes as hc
from app.extensions import db
from app.jobs import queue
from app.models import Household, HouseholdCode, Role, Village
from app.seed.demo import seed_demo
from tests import factories as f
from tests.qr.scan import decode_pdf, decode_png


@pytest.fixture
def demo(app):
    seed_demo(db.session, activity=False)  # the territory is what a sheet prints
    db.session.commit()
    village = db.session.scalar(select(Village).where(Village.code == "330199101201"))  # 下林村
    return village


def _staff_token(client, village):
    return f.login_console(client, f.township_staff(Role.TOWNSHIP_LEADER, village.township))


def _active_urls(village) -> list[str]:
    codes = db.session.scalars(
        select(HouseholdCode.code)
        .join(Household, Household.id == HouseholdCode.household_id)
        .where(Household.village_id == village.id, HouseholdCode.revoked_at.is_(None))
    )
    return sorted(hc.url_for_code("https://mj.test", c) for c in codes)


def test_demo_village_sheet_round_trip_through_the_worker(client, demo):
    token = _staff_token(client, demo)
    households = db.session.query(Household).filter_by(village_id=demo.id).count()
    requested = client.post(
        "/api/v1/sticker-sheets", headers=f.bearer(token), json={"village_id": demo.id, "layout": "3x8"}
    )
    assert requested.status_code == 202, requested.get_json()
    sheet = requested.get_json()
    assert sheet["status"] == "queued" and sheet["progress_total"] == households
    not_yet = client.get(f"/api/v1/sticker-sheets/{sheet['id']}/file", headers=f.bearer(token))
    assert not_yet.status_code == 409 and not_yet.get_json()["error"]["code"] == "sheet_not_ready"

    q = queue()
    SimpleWorker([q], connection=q.connection).work(burst=True)
    status = client.get(f"/api/v1/sticker-sheets/{sheet['id']}", headers=f.bearer(token)).get_json()
    assert status["status"] == "done", status
    assert status["progress_done"] == households and status["pages"] == -(-households // 24)

    pdf = client.get(status["file_url"], headers=f.bearer(token))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    decoded = decode_pdf(pdf.data)
    # exactly the village's active households, each once
    assert sorted(decoded) == _active_urls(demo)
    assert len(decoded) == households

    preview = client.get(status["preview_url"], headers=f.bearer(token))
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    assert len(decode_png(preview.data)) == 24

    # a revoked sticker resolves to the void page
    first_url = sorted(decoded)[0]
    home = db.session.scalar(
        select(Household).join(HouseholdCode).where(HouseholdCode.code == first_url.rsplit("/", 1)[1])
    )
    hc.revoke(home, "遗失")
    db.session.commit()
    path = first_url.removeprefix("https://mj.test")
    assert client.get(path).status_code == 404
    assert "此二维码已作废或不存在" in client.get(path).get_data(as_text=True)

    # running the job again changes nothing
    from app.jobs.stickers import build_sticker_sheet

    assert build_sticker_sheet(sheet["id"]) == "done"


def test_sheet_requests_with_bad_input_get_clear_errors(client, demo):
    token = _staff_token(client, demo)
    post = lambda body: client.post("/api/v1/sticker-sheets", headers=f.bearer(token), json=body)  # noqa: E731
    impossible = post({"village_id": demo.id, "layout": "9x40"})
    assert impossible.status_code == 422 and impossible.get_json()["error"]["code"] == "invalid_layout"
    assert "layout" in impossible.get_json()["error"]["fields"]
    nonsense = post({"village_id": demo.id, "layout": "abc"})
    assert nonsense.get_json()["error"]["code"] == "invalid_layout"
    unknown_village = post({"village_id": 999999, "layout": "3x8"})
    assert unknown_village.status_code == 404
    other_township = db.session.scalar(select(Village).where(Village.code == "330199102201"))
    assert post({"village_id": other_township.id}).status_code == 404
    no_grid = post({"village_id": demo.id, "grid": 99})
    assert no_grid.status_code == 404 and no_grid.get_json()["error"]["code"] == "grid_not_found"
    foreign = db.session.scalar(select(Household.id).where(Household.village_id == other_township.id))
    mixed = post({"village_id": demo.id, "household_ids": [foreign]})
    assert mixed.status_code == 422 and mixed.get_json()["error"]["code"] == "households_not_in_village"
    empty = post({"village_id": demo.id, "household_ids": []})
    assert empty.status_code == 422
    villager = f.login_wx(client, "xialin-villager1")
    assert (
        client.post("/api/v1/sticker-sheets", headers=f.bearer(villager), json={"village_id": demo.id}).status_code
        == 403
    )


def test_cli_sheet_for_a_grid_and_bad_input(runner, demo, tmp_path):
    out = tmp_path / "grid1.pdf"
    preview = tmp_path / "grid1.png"
    result = runner.invoke(
        args=[
            "qr",
            "sheet",
            "--village",
            demo.code,
            "--grid",
            "1",
            "--layout",
            "2x5",
            "--out",
            str(out),
            "--preview",
            str(preview),
        ]
    )
    assert result.exit_code == 0, result.output
    grid_homes = db.session.scalars(
        select(Household).where(Household.village_id == demo.id, Household.grid_id == demo.grids[0].id)
    ).all()
    codes = hc.ensure_codes(grid_homes)
    assert sorted(decode_pdf(out.read_bytes())) == sorted(hc.url_for_code("https://mj.test", c) for c in codes.values())
    assert decode_png(preview.read_bytes())

    unknown = runner.invoke(args=["qr", "sheet", "--village", "000000000000", "--out", str(out)])
    assert unknown.exit_code != 0 and "未找到村" in unknown.output
    bad_layout = runner.invoke(args=["qr", "sheet", "--village", demo.code, "--layout", "9x40", "--out", str(out)])
    assert bad_layout.exit_code != 0 and "9x40" in bad_layout.output
    empty = runner.invoke(args=["qr", "sheet", "--village", demo.code, "--households", "9999", "--out", str(out)])
    assert empty.exit_code != 0 and "9999" in empty.output


def test_cli_revoke_and_reissue(runner, demo, client):
    home = db.session.scalar(select(Household).where(Household.village_id == demo.id).order_by(Household.number))
    old = hc.ensure_codes([home])[home.id]
    db.session.commit()
    spec = f"{demo.code}/{home.number}"
    reissued = runner.invoke(args=["qr", "reissue", "--household", spec])
    assert reissued.exit_code == 0, reissued.output
    assert client.get(f"/h/{old}").status_code == 404
    new = hc.active_code(home.id).code
    assert hc.grouped(new) in reissued.output and client.get(f"/h/{new}").status_code == 200
    revoked = runner.invoke(args=["qr", "revoke", "--household", spec])
    assert revoked.exit_code == 0 and client.get(f"/h/{new}").status_code == 404
    twice = runner.invoke(args=["qr", "revoke", "--household", spec])
    assert twice.exit_code != 0 and "没有有效" in twice.output
    bad = runner.invoke(args=["qr", "revoke", "--household", "nonsense"])
    assert bad.exit_code != 0 and "村代码/户号" in bad.output
