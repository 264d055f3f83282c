"""The one error shape every refusal has (app/errors.py)."""

from __future__ import annotations

import re


def assert_error_shape(response, status: int | None = None, code: str | None = None):
    """The body is {"error": {"code", "message"}}: a stable code, a message for people in Chinese."""
    body = response.get_json()
    assert body is not None, response.get_data(as_text=True)[:200]
    error = body["error"]
    assert isinstance(error["code"], str) and re.fullmatch(r"[a-z_]+", error["code"])
    assert re.search(r"[\u4e00-\u9fff]", error["message"]), "message for people must be Chinese"
    if status is not None:
        assert response.status_code == status, body
    if code is not None:
        assert error["code"] == code, body
    return error
