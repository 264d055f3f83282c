"""Complaints over HTTP, as the mini-program and the console do it."""

from __future__ import annotations

import secrets

from tests import factories as f


def file_complaint(client, token, code, **overrides):
    """A villager files a dispute at the door code (overrides change the body); the response."""
    body = {
        "client_request_id": secrets.token_hex(8),
        "category": "dispute",
        "description": "邻居家的围墙占了公共通道，多次协商无果。",
        "anonymous": True,
    }
    body.update(overrides)
    return client.post(f"/api/v1/h/{code}/complaints", headers=f.bearer(token), json=body)


def inbox(client, token, **params):
    response = client.get("/api/v1/complaints", headers=f.bearer(token), query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def inbox_ids(client, token):
    return {c["id"] for c in inbox(client, token)["items"]}
