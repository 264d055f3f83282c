"""住户与门牌码 in the console: searching households, revoking and reissuing a door code, printing a
grid's sticker sheet through the worker (progress, preview, PDF), and inviting cadres with a QR —
each through the API's domain and authorization."""

from __future__ import annotations

import base64
import re

from rq import SimpleWorker
from sqlalchemy import select

from app.domain import household_codes as hc
from app.extensions import db
from app.jobs import queue
from app.models import Household, HouseholdCode, Invitation, StickerSheet
from tests import factories as f
from tests.helpers.console_pages import households_in_grid
from tests.qr.scan import decode_pdf, decode_png


def _households(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'data-household="(\d+)"', html)]


def test_search_by_village_number_head_and_door_code(console_world, console_client):
    xialin = console_world.villages["xialin"]
    home = f.household(xialin, number="0777")
    home.head_name, home.address = "王秀英", "下林村溪边路 8 号"
    code = hc.ensure_codes([home])[home.id]
    db.session.commit()
    leader = console_client("qingshan.leader")
    everyone = _households(leader.get("/console/households?per_page=200").get_data(as_text=True))
    ours = db.session.scalars(
        select(Household.id).where(Household.village_id.in_([xialin.id, console_world.villages["shanglin"].id]))
    )
    assert sorted(everyone) == sorted(ours)  # 青山镇's households, never 云溪街道's
    for q in ("0777", "王秀", "溪边路", hc.grouped(code), code.lower()):
        assert _households(leader.get("/console/households", query_string={"q": q}).get_data(as_text=True)) == [
            home.id
        ], q
    in_village = leader.get(f"/console/households?village_id={xialin.id}&q=王秀英").get_data(as_text=True)
    assert _households(in_village) == [home.id] and hc.grouped(code) in in_village
    assert "第2网格" in in_village  # the village's grids to filter by
    other = console_world.villages["shanglin"]
    assert _households(leader.get(f"/console/households?village_id={other.id}&q=王秀英").get_data(as_text=True)) == []
    assert leader.get("/console/households?q=%").get_data(as_text=True).count("data-household=") == 0  # no wildcard


def test_revoke_and_reissue_a_door_code(console_world, console_client):
    home = f.household(console_world.villages["xialin"])
    old = hc.ensure_codes([home])[home.id]
    db.session.commit()
    leader = console_client("qingshan.leader")
    back = f"/console/households?q={home.number}"

    reissued = leader.post(f"/console/households/{home.id}/code/reissue", {"reason": "门牌码污损", "next": back})
    assert reissued.status_code == 303 and reissued.headers["Location"] == back
    page = leader.get(back).get_data(as_text=True)
    db.session.expire_all()
    new = hc.active_code(home.id).code
    assert new != old and f"已补发新门牌码 {hc.grouped(new)}" in page
    assert hc.resolve(old) is None and hc.resolve(new).id == home.id
    assert db.session.scalar(select(HouseholdCode.revoke_reason).where(HouseholdCode.code == old)) == "门牌码污损"

    revoked = leader.post(
        f"/console/households/{home.id}/code/revoke", {"reason": "住户搬走", "next": "//evil.example/"}
    )
    assert revoked.status_code == 303 and revoked.headers["Location"] == "/console/households"  # never another site
    db.session.expire_all()
    assert hc.active_code(home.id) is None and hc.resolve(new) is None
    again = leader.post(f"/console/households/{home.id}/code/revoke", {"reason": "再次作废"})
    assert again.status_code == 409 and 'data-code="no_active_code"' in again.get_data(as_text=True)
    no_reason = leader.post(f"/console/households/{home.id}/code/reissue", {"reason": ""})
    assert no_reason.status_code == 422
    db.session.expire_all()
    assert hc.active_code(home.id) is None  # nothing written


def test_a_grids_sticker_sheet_through_the_worker(app, console_world, console_client):
    xialin = console_world.villages["xialin"]
    homes = households_in_grid(xialin, 2, 5)
    leader = console_client("qingshan.leader")
    form = leader.get(f"/console/stickers?village_id={xialin.id}").get_data(as_text=True)
    assert "第2网格（5 户）" in form
    grids = leader.get(f"/console/stickers/grids?village_id={xialin.id}").get_data(as_text=True)
    assert 'id="grid-choice"' in grids and "第2网格（5 户）" in grids

    bad = leader.post("/console/stickers", {"village_id": xialin.id, "layout": "9x99"})
    assert bad.status_code == 422 and 'data-code="invalid_layout"' in bad.get_data(as_text=True)
    no_grid = leader.post("/console/stickers", {"village_id": xialin.id, "grid": "9", "layout": "3x8"})
    assert no_grid.status_code == 404 and 'data-code="grid_not_found"' in no_grid.get_data(as_text=True)
    assert db.session.query(StickerSheet).count() == 0

    asked = leader.post("/console/stickers", {"village_id": xialin.id, "grid": "2", "layout": "2x5"})
    assert asked.status_code == 303
    sheet_id = int(asked.headers["Location"].rsplit("/", 1)[1])
    waiting = leader.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'data-status="queued"' in waiting and f'hx-get="/console/stickers/{sheet_id}/progress"' in waiting
    assert leader.get(f"/console/stickers/{sheet_id}/file").status_code == 409  # not built yet

    q = queue()
    SimpleWorker([q], connection=q.connection).work(burst=True)
    progress = leader.get(f"/console/stickers/{sheet_id}/progress").get_data(as_text=True)
    assert 'data-status="done"' in progress and "hx-get" not in progress  # polling stops once done
    assert (
        "已完成</strong>（5 / 5 户，共 1 页）" in progress and f"/console/stickers/{sheet_id}/preview.png" in progress
    )
    pdf = leader.get(f"/console/stickers/{sheet_id}/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    wanted = sorted(hc.url_for_code(app.config["PUBLIC_BASE_URL"], hc.active_code(h.id).code) for h in homes)
    assert sorted(decode_pdf(pdf.data)) == wanted  # the grid's households, each once
    preview = leader.get(f"/console/stickers/{sheet_id}/preview.png")
    assert preview.mimetype == "image/png" and sorted(decode_png(preview.data)) == wanted
    listed = leader.get("/console/stickers").get_data(as_text=True)
    assert f'data-sheet="{sheet_id}" data-status="done"' in listed


def test_inviting_a_cadre_shows_its_qr_once(app, console_world, console_client):
    xialin = console_world.villages["xialin"]
    leader = console_client("qingshan.leader")
    form = leader.get("/console/invitations").get_data(as_text=True)
    assert "村委会主任" in form and "监察工作联络员" not in form  # the liaison is the discipline office's to appoint
    made = leader.post(
        "/console/invitations", {"role": "village_director", "holder_name": "李明", "village_id": xialin.id}
    )
    assert made.status_code == 201
    html = made.get_data(as_text=True)
    url = re.search(r'<code id="invitation-url">([^<]+)</code>', html).group(1)
    assert url.startswith(app.config["PUBLIC_BASE_URL"] + "/i/")
    qr = re.search(r'id="invitation-qr" src="data:image/png;base64,([^"]+)"', html).group(1)
    assert decode_png(base64.b64decode(qr)) == [url]
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.role, invitation.village_id, invitation.holder_name) == ("village_director", xialin.id, "李明")
    listed = leader.get("/console/invitations").get_data(as_text=True)
    assert f'data-invitation="{invitation.id}" data-state="pending"' in listed and url not in listed  # shown once

    liaison = leader.post(
        "/console/invitations", {"role": "supervision_liaison", "holder_name": "赵六", "village_id": xialin.id}
    )
    assert liaison.status_code == 403 and 'data-code="role_not_grantable"' in liaison.get_data(as_text=True)
    no_village = leader.post("/console/invitations", {"role": "village_director", "holder_name": "钱七"})
    assert no_village.status_code == 422 and 'data-code="scope_required"' in no_village.get_data(as_text=True)
    jiwei = console_client("qingshan.jiwei")
    assert "监察工作联络员" in jiwei.get("/console/invitations").get_data(as_text=True)
    assert (
        jiwei.post(
            "/console/invitations", {"role": "supervision_liaison", "holder_name": "孙八", "village_id": xialin.id}
        ).status_code
        == 201
    )
    sanzi = console_client("qingshan.sanzi").get("/console/invitations").get_data(as_text=True)
    assert "本岗位不能任命任何职务" in sanzi
    assert f'data-invitation="{invitation.id}"' in sanzi  # the township's rosters: theirs to read
    yunxi = console_client("yunxi.leader").get("/console/invitations").get_data(as_text=True)
    assert f'data-invitation="{invitation.id}"' not in yunxi
    assert db.session.query(Invitation).count() == 2
