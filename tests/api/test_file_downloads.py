"""Every file the API serves is a download no browser renders or sniffs (issue 12 item 11): each
route that answers with something other than JSON is listed here and fetched for real; a new file
route fails the first test until it is fetched here too. JSON answers carry the same guards."""

from __future__ import annotations

import io

from PIL import Image
from rq import SimpleWorker
from sqlalchemy import select

from app.domain import household_codes as hc
from app.domain.complaints import photos as photo_rules
from app.extensions import db
from app.jobs import queue
from app.models import ComplaintPhoto, Role
from tests import factories as f
from tests import pdfs
from tests.helpers.disclosures import draft_disclosure, upload_attachment

CSP = "default-src 'none'; sandbox"
NOT_FILES = ("application/json", "text/plain")
FILE_ROUTES = {
    "api.villager_attachment",
    "api.officer_attachment",
    "api.complaint_photo_image",
    "api.complaint_photo_for_wechat",
    "api.download_sticker_sheet",
    "api.preview_sticker_sheet",
    "api.monitored_xlsx",
}


def _file_routes(app) -> set[str]:
    found = set()
    for rule in app.url_map.iter_rules():
        doc = getattr(app.view_functions[rule.endpoint], "api_doc", None)
        if rule.endpoint.startswith("api.") and doc is not None and doc.produces not in NOT_FILES:
            found.add(rule.endpoint)
    return found


def _guarded(response, *, filename: str | None = None) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''" in disposition, disposition
    if filename:
        assert disposition.endswith("filename*=UTF-8''" + filename), disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == CSP


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 120, 90)).save(out, format="PNG")
    return out.getvalue()


def test_the_file_routes_are_the_ones_fetched_below(app):
    assert _file_routes(app) == FILE_ROUTES


def test_every_file_route_serves_a_download_that_is_never_rendered(app, client, village_world, tmp_path):
    w = village_world
    app.config["COMPLAINT_PHOTO_DIR"] = str(tmp_path / "photos")
    seen = set()

    # disclosure attachments (PDF and image), through the door code
    keeper = f.login_wx(client, w["bookkeeper"])
    version = draft_disclosure(client, keeper, w).get_json()
    ids = []
    for data, name in ((pdfs.clean(), "公开.pdf"), (_png(), "收据.png")):
        uploaded = upload_attachment(client, keeper, version["id"], data, name)
        assert uploaded.status_code == 201, uploaded.get_json()
        ids.append(uploaded.get_json()["id"])
    supervisor = f.login_wx(client, w["supervisor"])
    client.post(f"/api/v1/disclosure-versions/{version['id']}/submit", headers=f.bearer(keeper))
    # the same files under review, for the supervision committee
    officer = client.get(f"/api/v1/disclosure-attachments/{ids[0]}", headers=f.bearer(supervisor))
    _guarded(officer, filename="%E5%85%AC%E5%BC%80.pdf")
    seen.add("api.officer_attachment")
    client.post(f"/api/v1/disclosure-versions/{version['id']}/approve", headers=f.bearer(supervisor), json={})
    _guarded(client.get(f"/api/v1/h/{w['codes'][0]}/attachments/{ids[0]}"), filename="%E5%85%AC%E5%BC%80.pdf")
    _guarded(client.get(f"/api/v1/h/{w['codes'][0]}/attachments/{ids[1]}"), filename="%E6%94%B6%E6%8D%AE.png")
    seen.add("api.villager_attachment")

    # a complaint photo: the filer's own, and the copy WeChat downloads to check it
    villager = f.login_wx(client, w["villager"])
    photo = client.post(
        "/api/v1/complaint-photos",
        headers=f.bearer(villager),
        data={"file": (io.BytesIO(_png()), "IMG_1.png")},
        content_type="multipart/form-data",
    )
    assert photo.status_code == 201, photo.get_json()
    photo_id = photo.get_json()["id"]
    image = client.get(f"/api/v1/complaint-photos/{photo_id}/image", headers=f.bearer(villager))
    _guarded(image, filename=f"photo-{photo_id}.png")
    assert image.headers["Cache-Control"] == "private, no-store"
    seen.add("api.complaint_photo_image")
    token = db.session.scalar(select(ComplaintPhoto.fetch_token).where(ComplaintPhoto.id == photo_id))
    _guarded(client.get(photo_rules.FETCH_PATH + token))
    seen.add("api.complaint_photo_for_wechat")

    # the township's Excel export and a sticker sheet with its preview
    leader = f.login_console(client, f.township_staff(Role.TOWNSHIP_LEADER, w["village"].township))
    _guarded(client.get("/api/v1/monitoring/complaints.xlsx?view=open", headers=f.bearer(leader)))
    seen.add("api.monitored_xlsx")
    requested = client.post(
        "/api/v1/sticker-sheets",
        headers=f.bearer(leader),
        json={"village_id": w["village"].id, "layout": "2x5", "household_ids": [w["homes"][0].id]},
    )
    assert requested.status_code == 202, requested.get_json()
    q = queue()
    SimpleWorker([q], connection=q.connection).work(burst=True)
    sheet = client.get(f"/api/v1/sticker-sheets/{requested.get_json()['id']}", headers=f.bearer(leader)).get_json()
    assert sheet["status"] == "done", sheet
    _guarded(client.get(sheet["file_url"], headers=f.bearer(leader)), filename=f"stickers-{sheet['id']}.pdf")
    seen.add("api.download_sticker_sheet")
    _guarded(client.get(sheet["preview_url"], headers=f.bearer(leader)))
    seen.add("api.preview_sticker_sheet")

    assert seen == FILE_ROUTES


def test_json_answers_and_errors_carry_the_same_guards(client, village_world):
    code = village_world["codes"][0]
    for response in (
        client.get(f"/api/v1/h/{code}/disclosures"),  # through Flask
        client.get(f"/api/v1/h/{code}"),  # the door's fast path
        client.get(f"/api/v1/h/{hc.new_code()}/attachments/1"),  # an error
        client.get("/api/v1/openapi.json"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == CSP
        assert "Content-Disposition" not in response.headers
