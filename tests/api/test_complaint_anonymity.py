"""Anonymous complainants stay anonymous to every officer (issue 12, item 1).

The class: every officer seat (each village cadre role, the grid worker, the supervision member and
liaison, the township discipline office, 三资中心, dispatcher and leader, county staff) × every
officer-facing output (case detail, inbox, every step's answer, monitoring list, Excel export, held
photos and photo images, subscribe messages to offices, four-platform deliveries) × anonymous cases
→ none of the filers' household ids, account ids, openids, coordinates (even rounded), contact, the
household's address or head name appears anywhere in the raw bytes. And the matrix for real-name
cases: the handling office alone sees the complainant.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select

from app.domain import household_codes as hc
from app.domain import roles
from app.extensions import db
from app.models import Complaint, ComplaintPhoto, Household, Notification, PlatformDelivery, Role, WxUser
from tests import factories as f
from tests.connector import run_worker

WX_SEATS = (
    Role.VILLAGE_SECRETARY,
    Role.VILLAGE_DIRECTOR,
    Role.VILLAGE_COMMITTEE_MEMBER,
    Role.VILLAGE_BOOKKEEPER,
    Role.GRID_WORKER,
    Role.SUPERVISION_MEMBER,
    Role.SUPERVISION_LIAISON,
)
TOWNSHIP_SEATS = (Role.TOWNSHIP_DISCIPLINE, Role.TOWNSHIP_ASSETS, Role.TOWNSHIP_DISPATCHER, Role.TOWNSHIP_LEADER)
CONSOLE_SEATS = TOWNSHIP_SEATS + (Role.COUNTY_STAFF,)
ALL_SEATS = WX_SEATS + CONSOLE_SEATS
# Seats with no reach into complaints at all (their outputs must still be clean, and are: empty).
NO_REACH = {Role.SUPERVISION_MEMBER, Role.TOWNSHIP_ASSETS}
CONTACT_NAME, CONTACT_PHONE = "张三丰", "13912345678"  # sent with an anonymous filing: must be dropped


def _filer(village, n: int) -> dict:
    """A villager whose household and account have ids and words no other value can be mistaken for."""
    lat, lon = Decimal(f"31.98{n}123"), Decimal(f"121.87{n}456")
    # the house number with a CJK character: never found by chance in a signature, token or time
    home = Household(
        id=900000 + n,
        village_id=village.id,
        grid_id=village.grids[1].id,
        number=f"东{n:03d}",
        address=f"梧桐巷{80 + n}号",
        head_name=["欧阳明远", "司马青云", "上官晓燕"][n - 1],
        latitude=lat,
        longitude=lon,
    )
    db.session.add(home)
    user = WxUser(id=900010 + n, openid=f"sbx-anonfiler{n}")
    db.session.add(user)
    db.session.flush()
    roles.assign(Role.VILLAGER, user=user, household=home)
    return {"home": home, "user": user, "lat": float(lat), "lon": float(lon)}


def _needles(filers: list[dict]) -> list[str]:
    out = [CONTACT_NAME, CONTACT_PHONE]
    for p in filers:
        home, user = p["home"], p["user"]
        out += [
            str(home.id),
            str(user.id),
            user.openid,
            home.address,
            home.head_name,
            home.number,
            # coordinates, and their roundings down to two decimals
            f"{p['lat']:.2f}",
            f"{p['lon']:.2f}",
            f"{p['lat']:.3f}"[:-1],
            f"{p['lon']:.3f}"[:-1],
        ]
    return out


@pytest.fixture
def anonymity_world(app, client, four_platform, tmp_path, clock):
    app.config["COMPLAINT_PHOTO_DIR"] = str(tmp_path / "photos")
    village = f.village()
    township = village.township
    filers = [_filer(village, n) for n in (1, 2, 3)]
    neighbour_home = f.household(village)
    codes = hc.ensure_codes([p["home"] for p in filers] + [neighbour_home])
    seats = {role: f.cadre(role, village) for role in WX_SEATS}
    seats |= {role: f.township_staff(role, township) for role in TOWNSHIP_SEATS}
    seats[Role.COUNTY_STAFF] = f.county_staff(township.county)
    db.session.commit()
    tokens = {role: (f.login_wx if role in WX_SEATS else f.login_console)(client, who) for role, who in seats.items()}
    for p in filers:
        p["token"] = f.login_wx(client, p["user"])
        p["code"] = codes[p["home"].id]
    response = client.put(
        f"/api/v1/townships/{township.id}/platform",
        headers=f.bearer(tokens[Role.TOWNSHIP_LEADER]),
        json={"endpoint_url": four_platform.cases_url, "secret": four_platform.SECRET, "enabled": True},
    )
    assert response.status_code == 200, response.get_json()
    return {"village": village, "township": township, "filers": filers, "tokens": tokens, "seats": seats}


def _file(client, filer, **overrides) -> dict:
    body = {
        "client_request_id": secrets.token_hex(8),
        "category": "safety",
        "anonymous": True,
        "description": "村口加油站旁堆放了大量易燃杂物，存在火灾隐患。",
        "contact_name": CONTACT_NAME,
        "contact_phone": CONTACT_PHONE,
        "latitude": filer["lat"],
        "longitude": filer["lon"],
    }
    body.update(overrides)
    response = client.post(f"/api/v1/h/{filer['code']}/complaints", headers=f.bearer(filer["token"]), json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _ok(response, answers: list[bytes]):
    assert response.status_code == 200, response.get_json()
    answers.append(response.get_data())
    return response.get_json()


def _photo(client, filer) -> int:
    image = Image.new("RGB", (64, 48), (90, 120, 90))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 59.0, 0.0)}  # GPS IFD: where the villager stood
    exif[0x010F] = "PhoneMaker"
    raw = io.BytesIO()
    image.save(raw, format="JPEG", exif=exif.tobytes())
    response = client.post(
        "/api/v1/complaint-photos",
        headers=f.bearer(filer["token"]),
        data={"file": (io.BytesIO(raw.getvalue()), "photo.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _anonymous_cases(client, w) -> tuple[list[int], list[bytes], list[int]]:
    """Anonymous cases that reach every seat that can reach a case, and the officers' answers to the
    steps taken on them."""
    t, (one, two, three) = w["tokens"], w["filers"]
    answers: list[bytes] = []
    photo = _photo(client, one)
    # the finding: about the village secretary → the discipline office, the liaison copied
    finding = _file(
        client,
        one,
        category="collective_assets",
        about_role="village_secretary",
        photo_ids=[photo],
        description="村书记把集体厂房低价租给亲戚，租金去向不明。",
    )
    db.session.get(ComplaintPhoto, photo).status = "cleared"  # as WeChat's check would leave it
    db.session.commit()
    held_photo = _photo(client, one)
    desk = _file(client, one, photo_ids=[held_photo])  # the dispatch desk, delivered to the township's platform
    photo_row = db.session.get(ComplaintPhoto, held_photo)
    photo_row.status, photo_row.review_reason = "review", "wechat"  # WeChat asked for a person to look
    db.session.commit()
    # one case for each village cadre role: transferred there by the dispatcher
    routed = []
    for filer, role in (
        (two, Role.VILLAGE_SECRETARY),
        (two, Role.VILLAGE_DIRECTOR),
        (two, Role.VILLAGE_COMMITTEE_MEMBER),
        (two, Role.VILLAGE_BOOKKEEPER),
        (two, Role.GRID_WORKER),
    ):
        case = _file(client, filer, category="dispute", description="邻居家的围墙占了公共通道，多次协商无果。")
        if case["handler"] != role.label:
            _ok(
                client.post(
                    f"/api/v1/complaints/{case['id']}/send-back",
                    headers=f.bearer(t[Role.VILLAGE_DIRECTOR]),
                    json={"reason": "转给对应岗位"},
                ),
                answers,
            )
            _ok(
                client.post(
                    f"/api/v1/complaints/{case['id']}/redispatch",
                    headers=f.bearer(t[Role.TOWNSHIP_DISPATCHER]),
                    json={"target": "village_role", "role": role.value, "reason": "按岗位分派"},
                ),
                answers,
            )
        routed.append(case)
    about_township = _file(
        client,
        three,
        category="cadre_conduct",
        about_role="township_dispatcher",
        description="镇四平台调度员办事拖拉，反映多次无人理睬。",
    )  # the county's
    held = _file(client, three, description="【审核】村口加油站旁堆放了大量易燃杂物。")  # the dispatcher moderates
    # steps that tell offices (subscribe messages) and show in the officers' timelines
    worked = _file(client, three, category="collective_assets", description="村里的集体山林承包费没有公开。")
    path = f"/api/v1/complaints/{worked['id']}"
    discipline = f.bearer(t[Role.TOWNSHIP_DISCIPLINE])
    _ok(client.post(f"{path}/sign", headers=discipline), answers)
    _ok(client.post(f"{path}/ask", headers=discipline, json={"text": "请说明是哪一片山林"}), answers)
    assert (
        client.post(
            f"/api/v1/me/complaints/{worked['id']}/supply", headers=f.bearer(three["token"]), json={"text": "后山那片"}
        ).status_code
        == 200
    )
    _ok(client.post(f"{path}/reply", headers=discipline, json={"text": "已责令公开"}), answers)
    assert (
        client.post(
            f"/api/v1/me/complaints/{worked['id']}/confirm",
            headers=f.bearer(three["token"]),
            json={"solved": False, "note": "还没公开"},
        ).status_code
        == 200
    )
    _ok(client.put(f"{path}/public-summary", headers=discipline, json={"text": "已督促村里公开承包费"}), answers)
    ids = [c["id"] for c in (finding, desk, *routed, about_township, held, worked)]
    return ids, answers, [photo, held_photo]


def _xlsx_text(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return b"".join(book.read(name) for name in book.namelist())


def _outputs(client, w, ids: list[int], photos: list[int]) -> dict[tuple[str, str], bytes]:
    """(seat, output) → the raw bytes that seat got from that output."""
    out: dict[tuple[str, str], bytes] = {}
    for role in ALL_SEATS:
        auth = f.bearer(w["tokens"][role])
        seat = role.value
        inbox = client.get("/api/v1/complaints", headers=auth, query_string={"per_page": 200})
        assert inbox.status_code == 200
        out[seat, "inbox"] = inbox.get_data()
        details = [client.get(f"/api/v1/complaints/{i}", headers=auth) for i in ids]
        assert {d.status_code for d in details} <= {200, 404}
        out[seat, "detail"] = b"".join(d.get_data() for d in details)
        out[seat, "reached"] = json.dumps(
            [i for i, d in zip(ids, details, strict=True) if d.status_code == 200]
        ).encode()
        images = [client.get(f"/api/v1/complaint-photos/{p}/image", headers=auth) for p in photos]
        out[seat, "photo images"] = b"".join(i.get_data() for i in images if i.status_code == 200)
        for image in images:
            if image.status_code == 200:
                assert Image.open(io.BytesIO(image.get_data())).getexif().get(0x8825) is None  # no GPS
        if role in CONSOLE_SEATS:
            monitored = client.get(
                "/api/v1/monitoring/complaints", headers=auth, query_string={"view": "all", "per_page": 200}
            )
            assert monitored.status_code == 200
            out[seat, "monitoring"] = monitored.get_data()
            export = client.get("/api/v1/monitoring/complaints.xlsx", headers=auth, query_string={"view": "all"})
            assert export.status_code == 200
            out[seat, "export"] = _xlsx_text(export.get_data())
            held = client.get("/api/v1/complaint-photos/held", headers=auth)
            out[seat, "held photos"] = held.get_data()
            if role == Role.TOWNSHIP_DISPATCHER:
                assert len(held.get_json()) == 1  # the moderator saw the held photo
    return out


def _officer_messages(wechat_sandbox, w) -> dict[tuple[str, str], bytes]:
    """Subscribe messages to officers: the outbox rows and what reached WeChat, per seat."""
    out = {}
    for role in WX_SEATS:
        user = w["seats"][role]
        rows = db.session.scalars(select(Notification).where(Notification.recipient_user_id == user.id)).all()
        # what WeChat received, without the sandbox's own random message id and clock stamp (noise digits
        # that once in a while contain a household number)
        sent = [
            {k: v for k, v in m.items() if k not in ("msgid", "sent_at")}
            for m in wechat_sandbox.messages()
            if m["touser"] == user.openid
        ]
        out[role.value, "notifications"] = json.dumps([r.data for r in rows] + sent, ensure_ascii=False).encode()
    return out


def test_no_officer_seat_and_no_output_learns_who_filed_an_anonymous_case(
    client, anonymity_world, four_platform, wechat_sandbox
):
    w = anonymity_world
    ids, answers, photos = _anonymous_cases(client, w)
    run_worker()  # subscribe messages and platform deliveries go out
    outputs = _outputs(client, w, ids, photos)
    outputs |= _officer_messages(wechat_sandbox, w)
    outputs["offices", "step answers"] = b"".join(answers)
    outputs["four-platform", "delivery bodies"] = "".join(db.session.scalars(select(PlatformDelivery.body))).encode()
    outputs["four-platform", "received"] = json.dumps(four_platform.receipts(), ensure_ascii=False).encode()

    # every seat that can reach a case reached at least one, every output was produced
    for role in ALL_SEATS:
        reached = json.loads(outputs[role.value, "reached"])
        assert (reached == []) == (role in NO_REACH), (role, reached)
    assert ids[0] in json.loads(outputs[Role.SUPERVISION_LIAISON.value, "reached"])  # the copy of the finding
    assert any(m for (seat, kind), m in outputs.items() if kind == "notifications" and m != b"[]")
    assert len(four_platform.receipts()) >= 1
    assert outputs[Role.TOWNSHIP_DISCIPLINE.value, "photo images"]  # the photo was served (without EXIF)

    needles = _needles(w["filers"])
    leaks = [
        (seat, output, needle)
        for (seat, output), data in outputs.items()
        for needle in needles
        if needle.encode() in data or json.dumps(needle).strip('"').encode() in data
    ]
    assert leaks == []

    # and nothing with their names at all, whatever its value
    for (seat, output), data in outputs.items():
        for key in (
            b'"household_id"',
            b'"latitude"',
            b'"longitude"',
            b'"contact_name"',
            b'"contact_phone"',
            b'"filed_by_user_id"',
            b'"actor_user_id"',
            b'"uploaded_by_user_id"',
        ):
            if output not in ("delivery bodies", "received"):  # the platform's own format: checked above
                assert key not in data, (seat, output, key)


def test_the_finding_the_liaison_and_the_discipline_office_cannot_locate_the_family(client, anonymity_world):
    """Regression (issue 12 item 1): an anonymous complaint about the village secretary gave the
    copied liaison and the discipline office household_id, latitude and longitude."""
    w = anonymity_world
    filer = w["filers"][0]
    case = _file(
        client,
        filer,
        category="collective_assets",
        about_role="village_secretary",
        description="村书记把集体厂房低价租给亲戚，租金去向不明。",
    )
    for role in (Role.SUPERVISION_LIAISON, Role.TOWNSHIP_DISCIPLINE, Role.TOWNSHIP_LEADER, Role.COUNTY_STAFF):
        auth = f.bearer(w["tokens"][role])
        detail = client.get(f"/api/v1/complaints/{case['id']}", headers=auth).get_json()
        [listed] = [
            c for c in client.get("/api/v1/complaints", headers=auth).get_json()["items"] if c["id"] == case["id"]
        ] or [detail]
        for shown in (detail, listed):
            assert shown["id"] == case["id"] and shown["anonymous"] is True
            assert not {"household_id", "latitude", "longitude", "contact_name", "contact_phone"} & set(shown), role
    stored = db.session.get(Complaint, case["id"])
    assert stored.contact_name is None and stored.contact_phone is None  # never even kept


def test_a_real_name_complainant_is_seen_by_the_handling_office_alone(client, anonymity_world):
    w = anonymity_world
    filer = w["filers"][0]
    case = _file(
        client,
        filer,
        category="collective_assets",
        anonymous=False,
        contact_name="王秀英",
        contact_phone="13800001111",
        description="村集体厂房租金去年没有公开，去向不明。",
    )
    seen = {}
    for role in ALL_SEATS:
        response = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(w["tokens"][role]))
        if response.status_code == 200:
            seen[role] = response.get_json()
        else:
            assert response.status_code == 404
    assert set(seen) == {Role.TOWNSHIP_DISCIPLINE, Role.SUPERVISION_LIAISON, Role.TOWNSHIP_LEADER, Role.COUNTY_STAFF}
    handling = seen.pop(Role.TOWNSHIP_DISCIPLINE)
    assert handling["handling"] is True
    assert (handling["contact_name"], handling["contact_phone"], handling["household_id"]) == (
        "王秀英",
        "13800001111",
        filer["home"].id,
    )
    assert (handling["latitude"], handling["longitude"]) == (filer["lat"], filer["lon"])
    for role, view in seen.items():  # a copy or monitoring: the case, never the person
        assert view["handling"] is False
        assert not {"household_id", "latitude", "longitude", "contact_name", "contact_phone"} & set(view), role
    for role in CONSOLE_SEATS:
        auth = f.bearer(w["tokens"][role])
        monitored = client.get("/api/v1/monitoring/complaints", headers=auth, query_string={"view": "all"})
        export = client.get("/api/v1/monitoring/complaints.xlsx", headers=auth, query_string={"view": "all"})
        for data in (monitored.get_data(), _xlsx_text(export.get_data())):
            assert (
                "王秀英".encode() not in data
                and b"13800001111" not in data
                and str(filer["home"].id).encode() not in data
            )


def test_the_officers_projection_has_no_identifying_attribute_for_an_anonymous_case(client, anonymity_world):
    """The one place: whatever a schema or payload asks of the projection, an anonymous filer's
    columns are not there for anyone, and attributes outside the allow-list do not exist."""
    from app.domain.complaints.officer_view import project

    filer = anonymity_world["filers"][0]
    case = db.session.get(Complaint, _file(client, filer)["id"])
    for handling in (True, False):
        view = project(case, handling=handling)
        for name in (
            "household_id",
            "latitude",
            "longitude",
            "contact_name",
            "contact_phone",
            "filed_by_user_id",
            "household",
            "client_request_id",
            "rating_comment",
            "events_unknown",
        ):
            with pytest.raises(AttributeError):
                getattr(view, name)
        for event in view.events:
            for name in ("actor_user_id", "actor_console_account_id"):
                with pytest.raises(AttributeError):
                    getattr(event, name)
        assert view.village.name == anonymity_world["village"].name and view.reference == case.reference
    assert filer["home"].id == case.household_id  # the row keeps it (the filer's own view, the audit)
