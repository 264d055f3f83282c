"""The OpenAPI document describes every endpoint, tagged by audience, and is valid OpenAPI 3."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

AUDIENCES = {"villager", "cadre", "township", "county", "system"}


def test_document_is_valid_and_complete(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert {t["name"] for t in document["tags"]} == AUDIENCES

    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith("console.") or rule.endpoint in ("root", "admin"):
            continue  # the web console: pages for people, with a session and CSRF (app/console), not the API
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{method} {path} is not in the OpenAPI document"

    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["tags"] and set(operation["tags"]) <= AUDIENCES, (method, path)
            assert operation["summary"]


def test_error_responses_use_the_one_error_schema(client):
    document = client.get("/api/v1/openapi.json").get_json()
    login = document["paths"]["/api/v1/auth/wx-login"]["post"]
    assert login["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "wechat_code_invalid" in login["description"]
