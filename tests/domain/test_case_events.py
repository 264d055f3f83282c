"""Case events are published to the subscribers the app factory registered (the four-platform
connector, subscribe messages), in the step's own transaction (issue 13 item 2)."""

from __future__ import annotations

from app.domain import events
from app.domain.complaints import notifications, platform
from app.extensions import db
from app.models import Complaint
from tests.connector import file_case, township_with_platform


def test_the_factory_subscribes_the_connector_and_the_notifications(app):
    assert events.subscribers(events.ANY) == [platform.on_case_event, notifications.record]


def test_a_subscriber_hears_every_event_of_its_kind_inside_the_transaction(client, four_platform):
    heard = []

    def listener(complaint, event):
        heard.append((complaint.id, event.kind, event.to_status, db.session().in_transaction()))

    events.subscribe("filed", listener)
    events.subscribe("filed", listener)  # twice: heard once
    try:
        w = township_with_platform(client, four_platform)
        case = file_case(client, w)
    finally:
        events.unsubscribe("filed", listener)
    complaint = db.session.get(Complaint, case["id"])
    assert heard == [(complaint.id, "filed", "assigned", True)]
    assert events.subscribers("filed") == []
