"""The console over the Flask test client: login and session, CSRF, the error page, and that every page
and step is authorized exactly as the API authorizes the same thing."""

from __future__ import annotations

from app.extensions import db
from app.models import Complaint


def test_world(console_world, console_client):
    c = console_client("qingshan.dispatch")
    page = c.get("/console/?view=all&per_page=200").get_data(as_text=True)
    print(page[-3000:])
    for name, cid in console_world.cases.items():
        row = db.session.get(Complaint, cid)
        print(name, row.status, row.handler_kind, row.escalation_level, row.colour, row.moderation)
