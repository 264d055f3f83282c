"""The case page: the steps offered to each office and taken through the same domain functions as the
API, input and refusals shown on the page with nothing written, the deliveries to the four-platform
system and the notifications with their course but never their recipient, the photo route's scope."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Complaint, Notification, WxUser
from tests import factories as f
from tests.helpers.jobs import run_queued_jobs


def _case(cid: int) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, cid)


def _offered(html: str) -> set[str]:
    import re

    return set(re.findall(r'<details class="action" id="step-([a-z_]+)"', html))


def test_each_office_is_offered_the_steps_its_role_may_take(console_world, console_client):
    w = console_world.cases
    expected = {
        ("qingshan.dispatch", "overdue"): {"sign", "redispatch", "transfer", "recategorise", "merge"},
        ("qingshan.dispatch", "held"): {"release", "reject"},
        ("qingshan.dispatch", "fresh"): {"sign", "redispatch", "transfer", "recategorise", "merge"},
        ("qingshan.jiwei", "discipline"): {"sign", "send_back", "transfer", "recategorise", "merge"},
        ("qingshan.jiwei", "overdue"): set(),  # monitoring only: another lane's office
        ("qingshan.leader", "overdue"): set(),
        ("qingshan.sanzi", "discipline"): set(),
        ("county.jiwei", "about_staff"): {"sign", "send_back", "recategorise"},
        ("county.jiwei", "overdue"): set(),
    }
    for (username, name), steps in expected.items():
        html = console_client(username).get(f"/console/complaints/{w[name]}").get_data(as_text=True)
        assert _offered(html) == steps, (username, name)


def test_a_step_taken_in_the_console_is_the_apis_step(client, console_world, console_client):
    cid = console_world.cases["overdue"]
    console = console_client("qingshan.dispatch")
    response = console.post(
        f"/console/complaints/{cid}/redispatch",
        {"target": "village_role", "role": "village_director", "reason": "邻里纠纷，请村里调解"},
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/console/complaints/{cid}"
    page = console.get(response.headers["Location"]).get_data(as_text=True)
    assert "分派：已完成" in page and 'data-kind="redispatched"' in page
    api = f.bearer(f.login_console(client, console_world.accounts["qingshan.dispatch"]))
    shown = client.get(f"/api/v1/complaints/{cid}", headers=api).get_json()
    assert shown["events"][-1]["kind"] == "redispatched" and shown["handler"] == "村委会主任"
    assert shown["events"][-1]["internal_note"] == "邻里纠纷，请村里调解"


def test_bad_input_and_refusals_are_shown_on_the_page_and_write_nothing(console_world, console_client):
    cid = console_world.cases["overdue"]
    dispatcher = console_client("qingshan.dispatch")
    missing = dispatcher.post(f"/console/complaints/{cid}/redispatch", {"target": "village_role"})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 422 and 'id="step-error" data-code="validation_error"' in html
    assert '<details class="action" id="step-redispatch" open>' in html  # the form stays open to correct
    vacant = dispatcher.post(
        f"/console/complaints/{cid}/transfer", {"target": "village_role", "role": "village_bookkeeper", "reason": "x"}
    )
    assert vacant.status_code == 422 and 'data-code="role_vacant"' in vacant.get_data(as_text=True)
    leader = console_client("qingshan.leader")
    refused = leader.post(f"/console/complaints/{cid}/transfer", {"target": "township_discipline", "reason": "x"})
    assert refused.status_code == 403 and 'data-code="transfer_not_allowed"' in refused.get_data(as_text=True)
    late = dispatcher.post(f"/console/complaints/{cid}/reply", {"text": "已处理"})
    assert late.status_code == 409 and 'data-code="invalid_transition"' in late.get_data(as_text=True)
    assert _case(cid).version == 2


def test_held_cases_are_released_or_rejected_by_their_moderator(console_world, console_client, new_complaint):
    console = console_client("qingshan.dispatch")
    held = console_world.cases["held"]
    assert console.post(f"/console/complaints/{held}/release").status_code == 303
    assert (_case(held).status, _case(held).moderation) == ("assigned", "clear")
    other = new_complaint(console_world.villages["xialin"], "dispute", "【审核】有人在村道上摆摊，堵住了路。")
    assert console.post(f"/console/complaints/{other}/reject", {"reason": "内容与村务无关"}).status_code == 303
    assert (_case(other).status, _case(other).resolution) == ("closed", "rejected")
    jiwei = console_client("qingshan.jiwei")  # the service lane is the command room's to moderate
    third = new_complaint(console_world.villages["xialin"], "dispute", "【审核】邻居占道晒谷。")
    assert jiwei.post(f"/console/complaints/{third}/release").status_code == 404


def test_deliveries_and_notifications_show_their_course_never_their_recipient(
    console_world, console_client, four_platform, new_complaint
):
    from app.domain.authz import Actor, load_grants
    from app.domain.complaints import platform

    dispatcher = console_world.accounts["qingshan.dispatch"]
    actor = Actor("console", dispatcher.id, load_grants(console_account_id=dispatcher.id))
    platform.configure(
        actor, console_world.qingshan, endpoint_url=four_platform.cases_url, enabled=True, secret=four_platform.SECRET
    )
    db.session.commit()
    sent = new_complaint(console_world.villages["shanglin"], "environment", "河边有人焚烧垃圾，浓烟很大。")
    run_queued_jobs()  # the delivery, and the case's notifications through the WeChat sandbox
    four_platform.mode("reject")
    refused = new_complaint(console_world.villages["shanglin"], "safety", "桥面栏杆松动，行人很危险。")
    run_queued_jobs()
    console = console_client("qingshan.dispatch")
    page = console.get(f"/console/complaints/{sent}").get_data(as_text=True)
    table = page[page.index('id="deliveries"') :]
    assert "提交反映" in table and "已推送" in table
    failed = console.get(f"/console/complaints/{refused}").get_data(as_text=True)
    failed = failed[failed.index('id="deliveries"') :]
    assert "推送失败" in failed and "422" in failed
    overdue = console_world.cases["overdue"]
    run_queued_jobs()
    html = console.get(f"/console/complaints/{overdue}").get_data(as_text=True)
    notes = html[html.index('id="notifications"') :]
    assert "办理进度通知" in notes and "反映人" in notes and "待办案件通知" in notes and "承办岗位" in notes
    recipients = db.session.scalars(
        select(WxUser.openid)
        .join(Notification, Notification.recipient_user_id == WxUser.id)
        .where(Notification.complaint_id == overdue)
    ).all()
    assert recipients and not any(openid in html for openid in recipients)
    leader = console_client("qingshan.leader")  # monitoring: the same course, read-only
    assert "办理进度通知" in leader.get(f"/console/complaints/{overdue}").get_data(as_text=True)


def test_photos_are_served_within_the_cases_scope(console_world, console_client):
    overdue = _case(console_world.cases["overdue"])
    photo_id = overdue.photos[0].id
    for username, status in (
        ("qingshan.dispatch", 200),
        ("qingshan.leader", 200),
        ("county.jiwei", 200),
        ("yunxi.dispatch", 404),
        ("qingshan.jiwei", 200),
        ("yunxi.leader", 404),
    ):
        response = console_client(username).get(f"/console/complaint-photos/{photo_id}")
        assert response.status_code == status, username
        if status == 200:
            assert response.mimetype == "image/jpeg" and response.headers["Cache-Control"] == "private, no-store"


def test_a_case_about_township_staff_is_the_countys_alone(console_world, console_client):
    about = console_world.cases["about_staff"]
    reference = _case(about).reference
    for username, status in (
        ("qingshan.dispatch", 404),
        ("qingshan.leader", 404),
        ("qingshan.jiwei", 404),
        ("county.jiwei", 200),
    ):
        console = console_client(username)
        assert console.get(f"/console/complaints/{about}").status_code == status, username
        board = console.get("/console/?view=all&per_page=200").get_data(as_text=True)
        assert (reference in board) == (status == 200), username
        book = load_workbook(io.BytesIO(console.get("/console/board.xlsx?view=all").data)).active
        assert (reference in [row[0] for row in book.iter_rows(values_only=True)]) == (status == 200), username
