"""`flask openapi export <path>`: the same document GET /api/v1/openapi.json serves, as a file."""

from __future__ import annotations

import json

from openapi_spec_validator import validate


def test_export_writes_the_served_document(runner, client, tmp_path):
    target = tmp_path / "deep" / "openapi.json"
    result = runner.invoke(args=["openapi", "export", str(target)])
    assert result.exit_code == 0, result.output

    exported = json.loads(target.read_text(encoding="utf-8"))
    validate(exported)
    assert exported == client.get("/api/v1/openapi.json").get_json()
    assert not list(target.parent.glob("*.partial"))


def test_export_to_stdout(runner, client):
    result = runner.invoke(args=["openapi", "export", "-"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == client.get("/api/v1/openapi.json").get_json()
