"""Held content is moderated by the office of its lane (issue 12 item 2's class: no office takes
another office's powers). A complaint held by WeChat's content check (【审核】 in the sandbox) is read,
released or refused within the township by the dispatcher on the service lane and by the discipline
office on the discipline lane — the command room never reads nor refuses a discipline complaint — and
by county staff over the county."""

from __future__ import annotations

from tests import factories as f
from tests.helpers.complaints import file_complaint, inbox_ids

# lane → (a category of the lane, who moderates it within the township, who may not)
LANES = {
    "service": ("dispute", {"dispatcher", "county"}, {"discipline", "leader", "director", "liaison"}),
    "discipline": ("collective_assets", {"discipline", "county"}, {"dispatcher", "leader", "director", "liaison"}),
}


def test_each_lanes_held_cases_are_moderated_by_its_own_office(client, complaint_world):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    seats = {
        name: (f.login_wx if name in ("director", "liaison") else f.login_console)(client, w[name])
        for name in ("dispatcher", "discipline", "leader", "county", "director", "liaison")
    }
    for lane, (category, moderators, others) in LANES.items():
        for action in ("release", "reject"):
            held = file_complaint(
                client,
                me,
                w["codes"][0],
                category=category,
                description=f"【审核】{lane} {action}：村集体的事情请查一查。",
            ).get_json()
            assert held["status"] == "held", held
            for name in others:  # not on their desk, not theirs to decide
                assert held["id"] not in inbox_ids(client, seats[name]), (lane, name)
                body = {} if action == "release" else {"reason": "不予受理"}
                refused = client.post(
                    f"/api/v1/complaints/{held['id']}/{action}", headers=f.bearer(seats[name]), json=body
                )
                assert refused.status_code in (403, 404), (lane, name, action, refused.get_json())
            if lane == "discipline":  # the command room does not even read it
                assert (
                    client.get(f"/api/v1/complaints/{held['id']}", headers=f.bearer(seats["dispatcher"])).status_code
                    == 404
                )
            for name in moderators:
                assert held["id"] in inbox_ids(client, seats[name]), (lane, name)
            office = sorted(moderators - {"county"})[0]
            body = {} if action == "release" else {"reason": "不予受理"}
            decided = client.post(
                f"/api/v1/complaints/{held['id']}/{action}", headers=f.bearer(seats[office]), json=body
            )
            assert decided.status_code == 200, (lane, office, action, decided.get_json())
