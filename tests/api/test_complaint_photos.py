"""Complaint photos over HTTP: cleaned uploads, WeChat's image check through the real sandbox (it
downloads the photo from the app served on a loopback port and pushes its verdict back, signed and
encrypted), who may see which photo, moderation of held photos, and the sweepers."""

from __future__ import annotations

import io
import json
import secrets
import threading
import time
from datetime import timedelta

import pytest
import requests
from PIL import Image
from rq import SimpleWorker
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.domain import household_codes as hc
from app.domain.complaints import photos as photo_rules
from app.extensions import db
from app.jobs import queue
from app.jobs.sweep import sweep
from app.models import Complaint, ComplaintPhoto, ComplaintPhotoCheck, Role
from app.wechat.push import sign
from app.wechat.sandbox_media import _encrypt
from tests import factories as f

RED, YELLOW, GREY = (255, 0, 0), (255, 255, 0), (90, 120, 90)  # the sandbox: red risky, yellow review


@pytest.fixture
def photo_world(app, tmp_path):
    app.config["COMPLAINT_PHOTO_DIR"] = str(tmp_path / "photos")
    village = f.village()
    township = village.township
    homes = [f.household(village) for _ in range(2)]
    codes = hc.ensure_codes(homes)
    w = {
        "folder": tmp_path / "photos",
        "codes": [codes[h.id] for h in homes],
        "villager": f.villager(homes[0]),
        "neighbour": f.villager(homes[1]),
        "director": f.cadre(Role.VILLAGE_DIRECTOR, village),
        "discipline": f.township_staff(Role.TOWNSHIP_DISCIPLINE, township),
        "dispatcher": f.township_staff(Role.TOWNSHIP_DISPATCHER, township),
    }
    db.session.commit()
    return w


@pytest.fixture
def live(app, wechat_sandbox):
    """The app on a loopback port: WeChat (the sandbox) downloads photos from it and pushes to it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url
    requests.post(
        wechat_sandbox.url + "_sandbox/push-target",
        timeout=5,
        json={
            "url": url + "/api/v1/wechat/push",
            "token": app.config["WECHAT_PUSH_TOKEN"],
            "aes_key": app.config["WECHAT_PUSH_AES_KEY"],
        },
    ).raise_for_status()
    yield url
    server.shutdown()
    thread.join(5)


def _jpeg(color=GREY, size=(64, 48), gps: bool = True) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0)}  # GPS IFD: where the villager stood
        exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _upload(client, token, data: bytes, name: str = "photo.jpg"):
    return client.post(
        "/api/v1/complaint-photos",
        headers=f.bearer(token),
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _uploaded(client, token, color=GREY) -> int:
    response = _upload(client, token, _jpeg(color))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _run_jobs() -> None:
    q = queue()
    SimpleWorker([q], connection=q.connection).work(burst=True)


def _checks(sandbox) -> list[dict]:
    return requests.get(sandbox.url + "_sandbox/media-checks", timeout=5).json()["checks"]


def _trace(photo_id: int) -> str:
    db.session.expire_all()
    return db.session.scalars(
        select(ComplaintPhotoCheck.trace_id)
        .where(ComplaintPhotoCheck.photo_id == photo_id)
        .order_by(ComplaintPhotoCheck.id)
    ).all()[-1]


def _push(sandbox, photo_id: int, suggest: str | None = None) -> dict:
    """WeChat judges the photo (by the picture, or as told) and pushes the verdict to the app."""
    body = {} if suggest is None else {"suggest": suggest}
    answer = requests.post(f"{sandbox.url}_sandbox/media-checks/{_trace(photo_id)}/push", json=body, timeout=15)
    assert answer.status_code == 200, answer.text
    db.session.expire_all()
    return answer.json()


def _file(client, token, code, photo_ids, **overrides):
    body = {
        "client_request_id": secrets.token_hex(8),
        "category": "dispute",
        "description": "邻居家的围墙占了公共通道，多次协商无果。",
        "anonymous": True,
        "photo_ids": photo_ids,
    }
    body.update(overrides)
    return client.post(f"/api/v1/h/{code}/complaints", headers=f.bearer(token), json=body)


def _image(client, token, photo_id):
    return client.get(f"/api/v1/complaint-photos/{photo_id}/image", headers=f.bearer(token))


def _status(photo_id: int) -> str:
    db.session.expire_all()
    return db.session.get(ComplaintPhoto, photo_id).status


def test_upload_is_cleaned_stored_and_checked_through_an_unguessable_url(client, photo_world, live, wechat_sandbox):
    me = f.login_wx(client, photo_world["villager"])
    original = _jpeg()
    assert b"PhoneMaker" in original
    uploaded = _upload(client, me, original, "IMG_0001.jpg")
    assert uploaded.status_code == 201, uploaded.get_json()
    body = uploaded.get_json()
    assert body == {"id": body["id"], "status": "pending", "width": 64, "height": 48, "bytes": body["bytes"]}
    stored = list(photo_world["folder"].iterdir())
    assert len(stored) == 1 and stored[0].stat().st_size == body["bytes"]
    assert b"PhoneMaker" not in stored[0].read_bytes()
    assert Image.open(stored[0]).getexif().get(0x8825) is None

    assert _checks(wechat_sandbox) == []  # asked only once the upload is committed, by the job
    _run_jobs()
    [check] = _checks(wechat_sandbox)
    assert check["openid"] == photo_world["villager"].openid and check["media_type"] == 2
    assert check["media_url"].startswith(live + photo_rules.FETCH_PATH)
    token = check["media_url"].rsplit("/", 1)[1]
    assert len(token) >= 40
    _run_jobs()  # a second run of the same job asks nothing more
    assert len(_checks(wechat_sandbox)) == 1
    # the file WeChat downloads is the cleaned one; a guessed token is nobody's
    assert client.get(photo_rules.FETCH_PATH + token).data == stored[0].read_bytes()
    assert client.get(photo_rules.FETCH_PATH + secrets.token_urlsafe(32)).status_code == 404
    # the villager sees their own photo while it waits
    mine = _image(client, me, body["id"])
    assert mine.status_code == 200 and mine.mimetype == "image/jpeg" and "no-store" in mine.headers["Cache-Control"]

    verdict = _push(wechat_sandbox, body["id"])
    assert verdict["download"]["sha256"] == db.session.get(ComplaintPhoto, body["id"]).sha256
    assert verdict["push"] == {"status": 200, "body": "success"}
    assert _status(body["id"]) == "cleared"
    assert client.get(photo_rules.FETCH_PATH + token).status_code == 404  # the download link died with the verdict


def test_bad_files_are_refused_with_clear_errors_and_nothing_stored(client, photo_world):
    me = f.login_wx(client, photo_world["villager"])
    executable = _upload(client, me, b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 2000, "风景.jpg")
    assert executable.status_code == 422 and executable.get_json()["error"]["code"] == "unsupported_file_type"
    assert executable.get_json()["error"]["fields"]["file"]
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    assert _upload(client, me, pdf, "a.jpg").get_json()["error"]["code"] == "unsupported_file_type"
    oversized = _upload(client, me, b"\xff\xd8\xff\xe0" + b"\x00" * (11 * 1024 * 1024), "big.jpg")
    assert oversized.status_code == 422 and oversized.get_json()["error"]["code"] == "file_too_large"
    bomb = io.BytesIO()
    Image.new("1", (30000, 30000)).save(bomb, format="PNG")  # small on disk, 900 megapixels decoded
    refused = _upload(client, me, bomb.getvalue(), "bomb.png")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "image_too_large"
    assert _upload(client, me, _jpeg()[:300]).get_json()["error"]["code"] == "file_damaged"
    missing = client.post("/api/v1/complaint-photos", headers=f.bearer(me), data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and missing.get_json()["error"]["code"] == "file_missing"
    assert (
        client.post(
            "/api/v1/complaint-photos",
            data={"file": (io.BytesIO(_jpeg()), "a.jpg")},
            content_type="multipart/form-data",
        ).status_code
        == 401
    )
    assert db.session.scalar(select(func.count()).select_from(ComplaintPhoto)) == 0
    assert not photo_world["folder"].exists() or not any(photo_world["folder"].iterdir())
    assert queue().count == 0


def test_filing_checks_every_photo_id_and_writes_nothing_on_a_bad_one(client, photo_world, live, wechat_sandbox):
    w = photo_world
    me, neighbour = f.login_wx(client, w["villager"]), f.login_wx(client, w["neighbour"])
    mine = [_uploaded(client, me) for _ in range(10)]
    theirs = _uploaded(client, neighbour)
    _run_jobs()

    def refused(photo_ids, code):
        response = _file(client, me, w["codes"][0], photo_ids)
        assert response.status_code == 422, response.get_json()
        error = response.get_json()["error"]
        assert error["code"] == code and error["fields"]["photo_ids"], error
        return error

    refused(mine, "too_many_photos")
    refused([mine[0], mine[0]], "duplicate_photos")
    assert "第 2 张" in refused([mine[0], theirs], "photo_not_found")["message"]
    refused([mine[0], 10**9], "photo_not_found")
    _push(wechat_sandbox, mine[9], "risky")
    refused([mine[9]], "photo_refused")
    bad_type = _file(client, me, w["codes"][0], ["1"])
    assert bad_type.status_code == 422 and bad_type.get_json()["error"]["code"] == "validation_error"
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(ComplaintPhoto).where(ComplaintPhoto.complaint_id.is_not(None))
        )
        == 0
    )

    filed = _file(client, me, w["codes"][0], [mine[2], mine[0], mine[1]])
    assert filed.status_code == 201, filed.get_json()
    case = filed.get_json()
    assert [p["id"] for p in case["photos"]] == [mine[2], mine[0], mine[1]]  # the villager's order
    assert {p["status"] for p in case["photos"]} == {"pending"}
    refused([mine[0], mine[3]], "photo_already_attached")
    # neither nine nor none is a problem
    assert _file(client, me, w["codes"][0], mine[3:9]).status_code == 201
    assert _file(client, me, w["codes"][0], []).get_json()["photos"] == []


def test_pass_clears_a_photo_for_the_handler_and_the_filer_follows_each_one(
    app, client, photo_world, live, wechat_sandbox
):
    w = photo_world
    me = f.login_wx(client, w["villager"])
    first, second = _uploaded(client, me), _uploaded(client, me)
    _run_jobs()
    case = _file(client, me, w["codes"][0], [first, second]).get_json()
    director = f.login_wx(client, w["director"])
    detail = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(director)).get_json()
    assert detail["photos"] == []  # nothing unchecked reaches an office (先审后发)
    assert _image(client, director, first).status_code == 404

    assert _push(wechat_sandbox, first)["push"]["body"] == "success"  # grey: WeChat finds nothing
    detail = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(director)).get_json()
    assert [(p["id"], p["status"]) for p in detail["photos"]] == [(first, "cleared")]
    assert detail["photos"][0]["url"] == f"/api/v1/complaint-photos/{first}/image"
    inbox = client.get("/api/v1/complaints", headers=f.bearer(director)).get_json()
    assert [p["id"] for p in inbox["items"][0]["photos"]] == [first]
    image = _image(client, director, first)
    assert image.status_code == 200 and Image.open(io.BytesIO(image.data)).size == (64, 48)
    assert _image(client, director, second).status_code == 404  # still pending
    own = client.get(f"/api/v1/me/complaints/{case['id']}", headers=f.bearer(me)).get_json()
    assert [(p["id"], p["status"]) for p in own["photos"]] == [(first, "cleared"), (second, "pending")]
    # another villager, even of the same village, sees none of it
    neighbour = f.login_wx(client, w["neighbour"])
    assert _image(client, neighbour, first).status_code == 404
    # a verdict pushed again, even a different one, changes nothing and is still acknowledged
    again = _encrypted_push(client, app, _event(_trace(first), "risky", app.config["WECHAT_APPID"]))
    assert again.status_code == 200 and again.data == b"success" and _status(first) == "cleared"


def test_risky_photo_is_refused_deleted_and_never_served(client, photo_world, live, wechat_sandbox):
    w = photo_world
    me = f.login_wx(client, w["villager"])
    photo = _uploaded(client, me, RED)
    _run_jobs()
    case = _file(client, me, w["codes"][0], [photo]).get_json()
    path = photo_rules.storage_path(w["folder"], db.session.get(ComplaintPhoto, photo))
    assert path.exists()
    assert _push(wechat_sandbox, photo)["push"]["body"] == "success"  # judged by the picture
    assert _status(photo) == "refused" and not path.exists()
    director = f.login_wx(client, w["director"])
    for token in (me, director):
        assert _image(client, token, photo).status_code == 404
    assert client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(director)).get_json()["photos"] == []
    own = client.get(f"/api/v1/me/complaints/{case['id']}", headers=f.bearer(me)).get_json()
    assert [(p["id"], p["status"]) for p in own["photos"]] == [(photo, "refused")]


def test_review_holds_a_photo_for_the_township_moderator(client, photo_world, live, wechat_sandbox):
    w = photo_world
    me = f.login_wx(client, w["villager"])
    kept, dropped = _uploaded(client, me, YELLOW), _uploaded(client, me, YELLOW)
    _run_jobs()
    case = _file(client, me, w["codes"][0], [kept, dropped]).get_json()
    _push(wechat_sandbox, kept)
    _push(wechat_sandbox, dropped)
    assert _status(kept) == _status(dropped) == "review"
    own = client.get(f"/api/v1/me/complaints/{case['id']}", headers=f.bearer(me)).get_json()
    assert {p["status"] for p in own["photos"]} == {"pending"}  # to the villager: still being checked
    director, dispatcher = f.login_wx(client, w["director"]), f.login_console(client, w["dispatcher"])
    assert _image(client, director, kept).status_code == 404
    assert client.get("/api/v1/complaint-photos/held", headers=f.bearer(director)).status_code == 403
    held = client.get("/api/v1/complaint-photos/held", headers=f.bearer(dispatcher)).get_json()
    assert [(h["id"], h["reference"], h["review_reason"]) for h in held] == [
        (kept, case["reference"], "wechat"),
        (dropped, case["reference"], "wechat"),
    ]
    assert _image(client, dispatcher, kept).status_code == 200  # the moderator must see it to judge

    cleared = client.post(f"/api/v1/complaint-photos/{kept}/clear", headers=f.bearer(dispatcher))
    assert cleared.status_code == 200 and cleared.get_json()["status"] == "cleared"
    refused = client.post(f"/api/v1/complaint-photos/{dropped}/refuse", headers=f.bearer(dispatcher))
    assert refused.status_code == 200 and refused.get_json()["status"] == "refused"
    again = client.post(f"/api/v1/complaint-photos/{kept}/refuse", headers=f.bearer(dispatcher))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "photo_not_held"
    assert _image(client, director, kept).status_code == 200
    assert _image(client, director, dropped).status_code == 404 and _image(client, me, dropped).status_code == 404
    assert client.get("/api/v1/complaint-photos/held", headers=f.bearer(dispatcher)).get_json() == []


def test_the_person_complained_about_can_never_fetch_a_photo(client, photo_world, live, wechat_sandbox):
    w = photo_world
    me = f.login_wx(client, w["villager"])
    photo = _uploaded(client, me)
    _run_jobs()
    case = _file(
        client,
        me,
        w["codes"][0],
        [photo],
        about_role="village_director",
        description="村主任处理纠纷偏袒亲戚，请上级调查。",
    ).get_json()
    _push(wechat_sandbox, photo)
    assert _status(photo) == "cleared"
    discipline = f.login_console(client, w["discipline"])
    assert _image(client, discipline, photo).status_code == 200
    detail = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(discipline)).get_json()
    assert [p["id"] for p in detail["photos"]] == [photo]
    director = f.login_wx(client, w["director"])
    assert _image(client, director, photo).status_code == 404
    assert client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(director)).status_code == 404


# ---- the push endpoint ----


def _signed_query(token: str, **extra) -> dict:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
    return {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, **extra}


def _event(trace_id: str, suggest: str, appid: str) -> str:
    return json.dumps(
        {
            "ToUserName": "gh_x",
            "FromUserName": "y",
            "CreateTime": int(time.time()),
            "MsgType": "event",
            "Event": "wxa_media_check",
            "appid": appid,
            "trace_id": trace_id,
            "version": 2,
            "result": {"suggest": suggest, "label": "100"},
            "detail": [],
        }
    )


def _encrypted_push(client, app, plain: str, **query_overrides):
    cfg = app.config
    encrypted = _encrypt(cfg["WECHAT_PUSH_AES_KEY"], cfg["WECHAT_APPID"], plain)
    query = _signed_query(cfg["WECHAT_PUSH_TOKEN"], encrypt_type="aes")
    query["msg_signature"] = sign(cfg["WECHAT_PUSH_TOKEN"], query["timestamp"], query["nonce"], encrypted)
    query.update(query_overrides)
    return client.post(
        "/api/v1/wechat/push",
        query_string=query,
        data=json.dumps({"ToUserName": "gh_x", "Encrypt": encrypted}),
        content_type="application/json",
    )


def _error(response) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]


def test_push_signatures_are_verified_and_nothing_answers_500(app, client, photo_world, live, wechat_sandbox):
    cfg = app.config
    me = f.login_wx(client, photo_world["villager"])
    photo = _uploaded(client, me)
    _run_jobs()
    trace = _trace(photo)
    risky = _event(trace, "risky", cfg["WECHAT_APPID"])

    # the URL check WeChat makes when the push URL is saved
    check = client.get("/api/v1/wechat/push", query_string=_signed_query(cfg["WECHAT_PUSH_TOKEN"], echostr="abc123"))
    assert check.status_code == 200 and check.data == b"abc123"
    assert _error(client.get("/api/v1/wechat/push", query_string=_signed_query("wrong-token", echostr="x"))) == (
        403,
        "push_signature_invalid",
    )

    assert _error(_encrypted_push(client, app, risky, signature="0" * 40)) == (403, "push_signature_invalid")
    assert _error(_encrypted_push(client, app, risky, msg_signature="0" * 40)) == (403, "push_signature_invalid")
    stale = _signed_query(cfg["WECHAT_PUSH_TOKEN"])
    stale["timestamp"] = str(int(time.time()) - 3600)
    stale["signature"] = sign(cfg["WECHAT_PUSH_TOKEN"], stale["timestamp"], stale["nonce"])
    assert _error(client.post("/api/v1/wechat/push", query_string=stale, data=risky)) == (403, "push_stale")
    # safe mode is configured: a plaintext push, even correctly signed, is not enough
    plain = client.post("/api/v1/wechat/push", query_string=_signed_query(cfg["WECHAT_PUSH_TOKEN"]), data=risky)
    assert _error(plain) == (403, "push_encryption_required")
    assert _error(
        client.post("/api/v1/wechat/push", query_string=_signed_query(cfg["WECHAT_PUSH_TOKEN"]), data=b"\xff<xml>")
    ) == (400, "push_malformed")
    assert _error(client.post("/api/v1/wechat/push", data=risky)) == (403, "push_stale")
    other_app = _encrypt(cfg["WECHAT_PUSH_AES_KEY"], "wxsomeoneelse00000", risky)
    query = _signed_query(cfg["WECHAT_PUSH_TOKEN"], encrypt_type="aes")
    query["msg_signature"] = sign(cfg["WECHAT_PUSH_TOKEN"], query["timestamp"], query["nonce"], other_app)
    assert _error(client.post("/api/v1/wechat/push", query_string=query, data=json.dumps({"Encrypt": other_app}))) == (
        403,
        "push_wrong_app",
    )
    unknown = _encrypted_push(client, app, _event("no-such-trace", "pass", cfg["WECHAT_APPID"]))
    assert _error(unknown) == (404, "unknown_trace_id")
    assert _status(photo) == "pending"  # none of the above changed anything

    other_event = _encrypted_push(client, app, json.dumps({"MsgType": "event", "Event": "user_enter_tempsession"}))
    assert other_event.status_code == 200 and other_event.data == b"success"
    accepted = _encrypted_push(client, app, risky)
    assert accepted.status_code == 200 and accepted.data == b"success"
    assert _status(photo) == "refused"


def test_plaintext_mode_and_a_replayed_query_string(app, client, photo_world, live, wechat_sandbox):
    cfg = app.config
    cfg["WECHAT_PUSH_AES_KEY"] = ""  # plaintext mode (明文模式)
    me = f.login_wx(client, photo_world["villager"])
    first, second = _uploaded(client, me), _uploaded(client, me)
    _run_jobs()
    query = _signed_query(cfg["WECHAT_PUSH_TOKEN"])
    wrong_app = client.post(
        "/api/v1/wechat/push", query_string=query, data=_event(_trace(first), "pass", "wxsomeoneelse00000")
    )
    assert _error(wrong_app) == (403, "push_wrong_app")
    ok = client.post("/api/v1/wechat/push", query_string=query, data=_event(_trace(first), "pass", cfg["WECHAT_APPID"]))
    assert ok.status_code == 200 and ok.data == b"success" and _status(first) == "cleared"
    # the plaintext signature does not cover the body: the same query string cannot carry another one
    forged = client.post(
        "/api/v1/wechat/push", query_string=query, data=_event(_trace(second), "pass", cfg["WECHAT_APPID"])
    )
    assert forged.status_code == 200 and _status(second) == "pending"
    # and the sandbox speaks plaintext too
    requests.post(
        wechat_sandbox.url + "_sandbox/push-target",
        timeout=5,
        json={"url": live + "/api/v1/wechat/push", "token": cfg["WECHAT_PUSH_TOKEN"]},
    ).raise_for_status()
    assert _push(wechat_sandbox, second)["push"]["body"] == "success" and _status(second) == "cleared"


def test_push_without_configuration_is_a_clear_error(app, client):
    app.config["WECHAT_PUSH_TOKEN"] = ""
    assert _error(client.post("/api/v1/wechat/push", data="{}")) == (503, "push_not_configured")


def test_the_sandbox_judges_and_pushes_by_itself_when_told_to(app, client, photo_world, live, wechat_sandbox):
    """What `scripts/run` does for the demo: no test hand in between."""
    requests.post(
        wechat_sandbox.url + "_sandbox/push-target",
        timeout=5,
        json={
            "url": live + "/api/v1/wechat/push",
            "token": app.config["WECHAT_PUSH_TOKEN"],
            "aes_key": app.config["WECHAT_PUSH_AES_KEY"],
            "auto": True,
        },
    ).raise_for_status()
    me = f.login_wx(client, photo_world["villager"])
    grey, red = _uploaded(client, me), _uploaded(client, me, RED)
    _run_jobs()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and {_status(grey), _status(red)} & {"pending"}:
        time.sleep(0.2)
    assert (_status(grey), _status(red)) == ("cleared", "refused")


# ---- sweepers ----


def _sandbox_check_count(sandbox, photo_id) -> int:
    token = db.session.get(ComplaintPhoto, photo_id).fetch_token
    return sum(1 for c in _checks(sandbox) if token and c["media_url"].endswith(token))


def test_lost_jobs_and_lost_pushes_are_asked_again_then_held_for_people(
    clock, client, photo_world, live, wechat_sandbox
):
    me = f.login_wx(client, photo_world["villager"])
    photo = _uploaded(client, me)
    queue().empty()  # the job is lost (e.g. Redis restarted)
    assert sweep()["photo_checks"] == 0  # not yet: the job may just be slow
    clock.shift(timedelta(minutes=3))
    assert sweep()["photo_checks"] == 1
    assert _sandbox_check_count(wechat_sandbox, photo) == 1
    first_trace = _trace(photo)
    assert sweep()["photo_checks"] == 0  # asked: now wait for WeChat
    clock.shift(timedelta(minutes=31))  # no push came
    assert sweep()["photo_checks"] == 1
    assert _sandbox_check_count(wechat_sandbox, photo) == 2
    # the first request's verdict arrives late after all: it still counts
    answer = requests.post(f"{wechat_sandbox.url}_sandbox/media-checks/{first_trace}/push", json={}, timeout=15)
    assert answer.json()["push"]["body"] == "success" and _status(photo) == "cleared"

    silent = _uploaded(client, me)
    for _ in range(photo_rules.MAX_CHECK_ATTEMPTS):
        clock.shift(timedelta(minutes=31))
        sweep()
    assert _sandbox_check_count(wechat_sandbox, silent) == photo_rules.MAX_CHECK_ATTEMPTS
    clock.shift(timedelta(minutes=31))
    sweep()
    db.session.expire_all()
    held = db.session.get(ComplaintPhoto, silent)
    assert (held.status, held.review_reason, held.fetch_token) == ("review", "no_answer", None)
    clock.shift(timedelta(hours=2))
    sweep()
    assert len(_checks(wechat_sandbox)) == 2 + photo_rules.MAX_CHECK_ATTEMPTS  # bounded: nothing more asked


def test_photos_never_filed_are_deleted_after_a_day(clock, app, client, photo_world, live, wechat_sandbox):
    w = photo_world
    me = f.login_wx(client, w["villager"])
    loose, filed = _uploaded(client, me), _uploaded(client, me)
    _file(client, me, w["codes"][0], [filed])
    clock.shift(timedelta(minutes=3))
    sweep()  # both are asked about
    loose_trace = _trace(loose)
    paths = {p: photo_rules.storage_path(w["folder"], db.session.get(ComplaintPhoto, p)) for p in (loose, filed)}
    clock.shift(timedelta(hours=23))
    assert sweep()["unfiled_photos"] == 0
    clock.shift(timedelta(hours=2))
    assert sweep()["unfiled_photos"] == 1
    db.session.expire_all()
    assert db.session.get(ComplaintPhoto, loose) is None and not paths[loose].exists()
    assert db.session.get(ComplaintPhoto, filed) is not None and paths[filed].exists()
    assert sweep()["unfiled_photos"] == 0
    # too late to file it now; a late verdict for it finds nothing and says so
    gone = _file(client, me, w["codes"][0], [loose])
    assert gone.status_code == 422 and gone.get_json()["error"]["code"] == "photo_not_found"
    late = _encrypted_push(client, app, _event(loose_trace, "pass", app.config["WECHAT_APPID"]))
    assert _error(late) == (404, "unknown_trace_id")
