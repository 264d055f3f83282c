"""Every count, total, statistic or side-effect figure answered to a person is computed over what that
person may see (issue 12 item 3): a viewer who is the subject of a case, or who does not follow its
lane, gets figures that leave it out.

The class is enumerated from the endpoints themselves: every response schema carrying a figure must be
listed below, either tested here against the viewer's visible set or with the reason its figure is
not about cases (a list the viewer reads in full, a public figure)."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from marshmallow import fields
from openpyxl import load_workbook

from app.clock import SHANGHAI
from app.extensions import db
from app.models import Complaint
from tests import factories as f
from tests.helpers.complaints import file_complaint

# a field is a figure when a word of its name says so ("households_total", "open_overdue", "on_time"...)
FIGURE_WORDS = {
    "total",
    "count",
    "recomputed",
    "reached",
    "closed",
    "overdue",
    "rate",
    "ratio",
    "entries",
    "progress",
    "late",
    "on_time",
}
# one record's own attribute, shown with the record (not a figure over a set)
OWN_ATTRIBUTES = {
    "reopen_count": "a case's own",
    "total_income_fen": "a disclosure's own sums",
    "total_expense_fen": "a disclosure's own sums",
    "closed_on": "a case's own date",
}


def is_figure(name: str) -> bool:
    words = set(name.split("_")) | {name}
    return bool(words & FIGURE_WORDS) and name not in OWN_ATTRIBUTES


# (method, rule) → how its figures are kept to the viewer's visible set
FIGURE_ENDPOINTS = {
    ("GET", "/api/v1/complaints"): "tested here: authz.count over complaint.inbox",
    ("GET", "/api/v1/monitoring/complaints"): "tested here: authz.count over complaint.monitor",
    ("GET", "/api/v1/monitoring/on-time-rates"): "tested here: grouped over complaint.monitor",
    (
        "PUT",
        "/api/v1/townships/<int:township_id>/deadline-policies/<lane>",
    ): "tested here and in test_deadline_policy_changes: authz.count over complaint.read",
    ("GET", "/api/v1/villages/<int:village_id>/households"): "authz.count over household.read",
    ("GET", "/api/v1/disclosures/<int:disclosure_id>/reach"): "authz.count over household.read",
    ("GET", "/api/v1/villages/<int:village_id>/reach"): "authz.count over household.read",
    (
        "GET",
        "/api/v1/townships/<int:township_id>/disclosure-warnings",
    ): "questions: authz.count_by over disclosure.monitor; disclosures: the statutory calendar of villages "
    "the viewer reads",
    ("GET", "/api/v1/h/<code>/disclosures"): "public: the published disclosures of the door's village",
    ("GET", "/api/v1/disclosures/<int:disclosure_id>/verify"): "public: the hash chain's length",
    ("GET", "/api/v1/sticker-sheets/<int:sheet_id>"): "the sheet's own households, printed by the viewer's office",
    ("POST", "/api/v1/sticker-sheets"): "the sheet's own households, printed by the viewer's office",
}


def _has_figure(schema, depth=0) -> bool:
    if schema is None or depth > 3:
        return False
    for name, field in schema.fields.items():
        if isinstance(field, (fields.Integer, fields.Float, fields.Function, fields.Method)) and is_figure(name):
            return True
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested) and _has_figure(inner.schema, depth + 1):
            return True
    return False


def test_every_endpoint_answering_a_figure_is_accounted_for(app):
    found = set()
    for rule in app.url_map.iter_rules():
        doc = getattr(app.view_functions[rule.endpoint], "api_doc", None)
        if doc is None or not _has_figure(doc.response):
            continue
        found |= {(method, rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert found == set(FIGURE_ENDPOINTS), "a figure answered to a person must be counted over their visible set"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def cases(clock, client, runner, complaint_world):
    """Cases of both lanes, one about the village director (the township discipline office's), one
    about the township leader (the county's); the one-day clocks overdue and escalated."""
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    filed = {
        "service": file_complaint(client, me, w["codes"][0]),
        "safety": file_complaint(client, me, w["codes"][0], category="safety", description="村口堆放易燃杂物"),
        "discipline": file_complaint(
            client,
            me,
            w["codes"][0],
            category="collective_assets",
            description="村集体厂房租金去年没有公开，去向不明。",
        ),
        "about_director": file_complaint(
            client, me, w["codes"][0], about_role="village_director", description="村主任把通道让给亲戚建房。"
        ),
        "about_leader": file_complaint(
            client, me, w["codes"][0], about_role="township_leader", description="镇长收受好处，压着我的事不办。"
        ),
    }
    ids = {name: response.get_json()["id"] for name, response in filed.items()}
    clock.move_to(at(2026, 3, 3, 9, 5))
    assert runner.invoke(args=["sweep"]).exit_code == 0
    db.session.commit()
    return ids


def _viewers(client, w) -> dict[str, str]:
    tokens = {name: f.login_wx(client, w[name]) for name in ("director", "liaison")}
    tokens |= {name: f.login_console(client, w[name]) for name in ("dispatcher", "discipline", "leader", "county")}
    return tokens


# who may not see or count which case: the subject, and those who do not follow its lane
HIDDEN = {
    "director": {"about_director"},
    "leader": {"about_leader"},
    "dispatcher": {"discipline", "about_leader"},
    "discipline": {"about_leader"},
}


def _get(client, token, url, **params):
    response = client.get(url, headers=f.bearer(token), query_string={"per_page": 200, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_inbox_totals_count_only_what_the_viewer_may_see(clock, client, complaint_world, cases):
    seen = set()
    for name, token in _viewers(client, complaint_world).items():
        page = _get(client, token, "/api/v1/complaints")
        listed = {c["id"] for c in page["items"]}
        seen |= listed
        assert page["total"] == len(listed), name
        assert not listed & {cases[hidden] for hidden in HIDDEN.get(name, ())}, name
        for status in ("assigned", "signed"):
            assert _get(client, token, "/api/v1/complaints", status=status)["total"] == len(
                [c for c in page["items"] if c["status"] == status]
            ), (name, status)
    assert seen == set(cases.values())  # every case is on someone's desk


def test_monitoring_figures_count_only_what_the_viewer_may_see(clock, client, complaint_world, cases):
    viewers = _viewers(client, complaint_world)
    for name in ("dispatcher", "discipline", "leader", "county"):
        token = viewers[name]
        every = _get(client, token, "/api/v1/monitoring/complaints", view="all")
        listed = {c["id"] for c in every["items"]}
        hidden = {cases[h] for h in HIDDEN.get(name, ())}
        assert every["total"] == len(listed) and not listed & hidden, name
        assert listed | hidden == set(cases.values()) | {cases["about_leader"]}, (name, listed, hidden)
        overdue = _get(client, token, "/api/v1/monitoring/complaints", view="overdue")
        assert overdue["total"] == len(overdue["items"]) > 0, name
        rates = client.get("/api/v1/monitoring/on-time-rates", headers=f.bearer(token)).get_json()
        assert sum(r["open_overdue"] for r in rates) == overdue["total"], name
        sheet = client.get("/api/v1/monitoring/complaints.xlsx?view=all", headers=f.bearer(token))
        rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))[1:]
        references = {db.session.get(Complaint, i).reference for i in listed}
        assert {r[0] for r in rows} == references, name


def test_the_policy_change_figure_counts_only_what_the_caller_may_read(clock, client, complaint_world, cases):
    """The discipline lane's clock is the discipline office's to set (the dispatcher, who does not
    follow that lane, is refused and changes nothing); the office that shortens it is told how many of
    the cases it may read were shortened: the discipline case, never the one about the leader (the
    county's)."""
    clock.move_to(at(2026, 3, 3, 10))
    viewers = _viewers(client, complaint_world)
    url = f"/api/v1/townships/{complaint_world['township'].id}/deadline-policies/discipline"
    body = {
        "sign": {"amount": 3, "unit": "days"},
        "handle": {"amount": 30, "unit": "days"},
        "follow_up": {"amount": 7, "unit": "working_days"},
    }
    due = db.session.get(Complaint, cases["discipline"]).due_at
    refused = client.put(url, headers=f.bearer(viewers["dispatcher"]), json=body)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "lane_not_yours")
    db.session.expire_all()
    assert db.session.get(Complaint, cases["discipline"]).due_at == due
    clock.move_to(at(2026, 3, 3, 11))
    told = client.put(url, headers=f.bearer(viewers["discipline"]), json=body).get_json()
    assert (told["changed"], told["recomputed"]) == (True, 1)
    db.session.expire_all()
    assert db.session.get(Complaint, cases["discipline"]).due_at < due
