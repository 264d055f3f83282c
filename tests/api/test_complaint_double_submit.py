"""The same filing sent twice at the same moment (a double tap, a client retrying before the first
answer): both requests pass the replay check before either has written; the unique key decides, and
the loser answers 201 with the winner's case instead of failing. Found by scripts/bench/intake."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from app.domain import content
from app.extensions import db
from app.models import Complaint, ComplaintEvent
from tests import factories as f
from tests.helpers.complaints import file_complaint


def test_a_double_tap_files_one_case_and_both_answers_name_it(client, complaint_world, monkeypatch):
    me = f.login_wx(client, complaint_world["villager"])
    request_id = secrets.token_hex(8)
    original_check = content.check_text
    twin_answers = []

    def check_then_let_the_twin_win(*args, **kwargs):
        # The first request is past its replay check; now the twin runs all the way through (its own
        # app context, session and connection) and commits first.
        verdict = original_check(*args, **kwargs)
        if not twin_answers:
            twin_answers.append(None)
            twin_answers[0] = file_complaint(client, me, complaint_world["codes"][0], client_request_id=request_id)
        return verdict

    monkeypatch.setattr(content, "check_text", check_then_let_the_twin_win)
    first = file_complaint(client, me, complaint_world["codes"][0], client_request_id=request_id)
    twin = twin_answers[0]
    assert twin.status_code == 201, twin.get_json()
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["id"] == twin.get_json()["id"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1
    assert db.session.scalar(select(func.count()).select_from(ComplaintEvent)) == 1  # one "filed", not two
    # and a different filing under the same request id is still refused
    reused = file_complaint(
        client, me, complaint_world["codes"][0], client_request_id=request_id, description="另一件事情，请处理。"
    )
    assert reused.status_code == 409 and reused.get_json()["error"]["code"] == "request_id_reused"
