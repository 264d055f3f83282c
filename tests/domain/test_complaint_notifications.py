"""Who is told what of each step of a case: the event kinds other modules record are the contract."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.config import SANDBOX_TEMPLATES
from app.domain.complaints.notifications import TEMPLATES, handler_message, villager_message
from app.models import Complaint, ComplaintEvent
from app.wechat import truncate_subscribe_fields

AT = datetime(2026, 3, 2, 16, 5, tzinfo=UTC)  # 00:05 the next day in Shanghai


def _step(
    kind: str,
    to_status: str,
    *,
    resolution: str | None = None,
    public_note: str | None = None,
    internal_note: str | None = None,
) -> tuple[Complaint, ComplaintEvent]:
    complaint = Complaint(reference="TS-20260302-0123456789", category="subsidies", resolution=resolution)
    event = ComplaintEvent(
        kind=kind,
        to_status=to_status,
        actor_label="镇纪委",
        public_note=public_note,
        internal_note=internal_note,
        created_at=AT,
    )
    return complaint, event


@pytest.mark.parametrize(
    ("kind", "to_status", "resolution", "villager", "handler"),
    [
        ("filed", "held", None, None, None),
        ("filed", "assigned", None, None, ("case_assigned", "新反映待办理，请及时签收")),
        ("released", "assigned", None, None, ("case_assigned", "新反映待办理，请及时签收")),
        ("signed", "signed", None, ("case_progress", "已签收"), None),
        ("replied", "replied", None, ("case_replied", None), None),
        ("returned", "returned", None, None, None),
        ("redispatched", "assigned", None, None, ("case_assigned", "镇四平台分派，请及时签收")),
        ("reopened", "assigned", None, None, ("case_assigned", "村民反馈未解决，请重新办理")),
        ("escalated", "assigned", None, ("case_progress", "已升级"), ("case_assigned", "超期升级，请及时签收办理")),
        ("transferred", "assigned", None, None, ("case_assigned", "转办案件，请及时签收")),
        ("recategorised", "assigned", None, None, ("case_assigned", "改类转办，请及时签收")),
        ("reminded", "signed", None, None, ("case_reminder", "办理期限将到，请尽快办理")),
        ("confirmed", "closed", "solved", ("case_closed", "已解决"), None),
        ("rejected", "closed", "rejected", ("case_closed", "不予受理"), None),
        ("merged", "closed", "merged", ("case_closed", "已合并"), None),
        ("auto_closed", "closed", "not_confirmed", ("case_closed", "已办结"), None),
    ],
)
def test_who_is_told_of_each_step(kind, to_status, resolution, villager, handler):
    complaint, event = _step(kind, to_status, resolution=resolution)
    told = villager_message(complaint, event)
    assert ((told[0], told[1].get("phrase3")) if told else None) == villager
    office = handler_message(complaint, event)
    assert ((office[0], office[1]["thing3"]) if office else None) == handler
    for message in (told, office):
        if message is not None:
            key, data = message
            assert list(data) == [field for field, _label in TEMPLATES[key].fields]
            assert all(data.values()), data  # WeChat refuses an empty value
            assert data["character_string1"] == "TS-20260302-0123456789" and data["thing2"] == "补贴发放 / 低保"
            assert data.get("time5", data.get("time4")) == "2026年3月3日 00:05"


def test_notes_are_one_line_and_cut_to_wechat_limits():
    note = "答复：\n经核实，\t该户符合条件，已于本月补发低保金并在村务公开栏公示，请查收。"
    complaint, event = _step("replied", "replied", public_note=note)
    _key, data = villager_message(complaint, event)
    assert data["thing3"] == "答复： 经核实， 该户符合条件，已于本月补发低保金并在村务公开栏公示，请查收。"
    assert truncate_subscribe_fields(data)["thing3"] == "答复： 经核实， 该户符合条件，已于本…"
    _complaint, reminder = _step("reminded", "signed", public_note="公开说明", internal_note="答复期限明天到期")
    assert handler_message(complaint, reminder)[1]["thing3"] == "答复期限明天到期"  # the office reads its own notes


def test_every_template_has_a_sandbox_id():
    assert set(TEMPLATES) == set(SANDBOX_TEMPLATES)
    assert {t.audience for t in TEMPLATES.values()} == {"villager", "handler", "asker"}
