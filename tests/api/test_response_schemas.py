"""Every JSON answer is the declared response schema's dump, so the OpenAPI document tells the truth:
no view builds its own JSON (an `ast` scan of every view module), every JSON operation declares the
schema of its success answer, and the actual bodies of happy-path calls — among them each endpoint
that used to answer with a hand-built `jsonify` — validate against the document (openapi-schema-validator)."""

from __future__ import annotations

import ast
import io
import re
import secrets
from pathlib import Path

import pytest
from openapi_schema_validator import OAS30Validator
from PIL import Image
from sqlalchemy import select

from app.domain import household_codes as hc
from app.domain.disclosures import catalogue
from app.extensions import db
from app.models import ItemType, Role
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
VIEW_MODULES = sorted([*ROOT.glob("app/api/*.py"), *ROOT.glob("app/web/*.py"), ROOT / "app/health.py"])
# The one place that turns a view's result into JSON (by the declared response schema).
DUMPER = ROOT / "app/api/endpoint.py"
# Answers that are not JSON, each declared with `produces=` (files, pages, WeChat's "success").
NOT_JSON = {"app/api/files.py", "app/api/deadlines.py", "app/api/wechat_push.py", "app/web/pages.py"}
# The door landing's bytes are spliced from the declared schema's own dumps (stickers.landing_body,
# cached per village revision); its body is validated against the document below.
SPLICED = {"app/api/stickers.py"}
HAND_BUILT = {"jsonify", "make_response", "Response", "response_class"}


def _calls(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            names.add(fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else "")
        if isinstance(node, ast.ImportFrom) and node.module == "flask":
            names |= {alias.name for alias in node.names if alias.name in ("jsonify", "make_response")}
    return names


def test_no_view_module_builds_its_own_json():
    assert len(VIEW_MODULES) > 15
    for path in VIEW_MODULES:
        if path == DUMPER:
            continue
        rel = str(path.relative_to(ROOT))
        found = _calls(ast.parse(path.read_text())) & HAND_BUILT
        if rel in NOT_JSON:
            found -= {"Response", "make_response"}
        if rel in SPLICED:
            found -= {"response_class"}
        assert not found, (
            f"{rel} answers with a hand-built response ({', '.join(sorted(found))}); return the "
            "result and let the declared response schema dump it"
        )


def test_every_json_operation_declares_its_answer(app):
    with app.test_request_context():
        from app.api.openapi import build_spec

        document = build_spec(app)
    operations = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operations += 1
            doc = app.view_functions[operation["operationId"].replace("_", ".", 1)].api_doc
            ok = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
            assert len(ok) == 1, (method, path)
            ((status, answer),) = ok.items()
            if doc.produces != "application/json":
                assert list(answer["content"]) == [doc.produces], (method, path)
            elif status == "204":
                assert "content" not in answer and doc.response is None, (method, path)
            else:
                assert answer["content"]["application/json"]["schema"], (method, path)
    assert operations > 80


# ---- actual answers against the document ----
class Answers:
    def __init__(self, client) -> None:
        self.client = client
        self.document = client.get("/api/v1/openapi.json").get_json()
        self.templates = [(re.compile("^" + re.sub(r"\{\w+\}", r"[^/]+", p) + "$"), p) for p in self.document["paths"]]
        self.checked: set[tuple[str, str]] = set()

    def _inline(self, schema):
        if isinstance(schema, dict):
            if "$ref" in schema:
                return self._inline(self.document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
            return {k: self._inline(v) for k, v in schema.items()}
        if isinstance(schema, list):
            return [self._inline(v) for v in schema]
        return schema

    def check(self, method: str, url: str, response, status: int = 200):
        assert response.status_code == status, (method, url, response.get_json())
        path = url.split("?")[0]
        template = next(t for rx, t in self.templates if rx.match(path))
        declared = self.document["paths"][template][method.lower()]["responses"][str(status)]
        schema = self._inline(declared["content"]["application/json"]["schema"])
        assert response.mimetype == "application/json"
        OAS30Validator(schema).validate(response.get_json())
        self.checked.add((method, template))
        return response.get_json()

    def call(self, method: str, url: str, token: str | None = None, status: int = 200, **kw):
        headers = f.bearer(token) if token else {}
        return self.check(method, url, self.client.open(url, method=method, headers=headers, **kw), status)


@pytest.fixture
def world(app):
    village = f.village()
    homes = [f.household(village) for _ in range(2)]
    codes = hc.ensure_codes(homes)
    w = {
        "village": village,
        "codes": [codes[h.id] for h in homes],
        "villager": f.villager(homes[0]),
        "director": f.cadre(Role.VILLAGE_DIRECTOR, village),
        "dispatcher": f.township_staff(Role.TOWNSHIP_DISPATCHER, village.township),
    }
    db.session.commit()
    return w


def _file(answers: Answers, token: str, code: str, **overrides) -> dict:
    return answers.call(
        "POST",
        f"/api/v1/h/{code}/complaints",
        token,
        status=201,
        json={
            "client_request_id": secrets.token_hex(8),
            "category": "dispute",
            "anonymous": False,
            "contact_name": "张三",
            "contact_phone": "13800000000",
            "description": "邻居家的围墙占了公共通道，多次协商无果。",
            **overrides,
        },
    )


def test_happy_answers_validate_against_the_document(client, world):
    w, answers = world, Answers(client)
    answers.call("GET", "/api/v1/openapi.json")
    answers.call("GET", "/api/v1/complaint-options")
    landing = answers.call("GET", f"/api/v1/h/{w['codes'][0]}")  # spliced from the schema's parts
    assert landing["household"] and landing["village"]
    me = f.login_wx(client, w["villager"])
    director = f.login_wx(client, w["director"])
    dispatcher = f.login_console(client, w["dispatcher"])

    image = io.BytesIO()
    Image.new("RGB", (64, 48), (128, 128, 128)).save(image, format="JPEG")
    photo = answers.call(
        "POST",
        "/api/v1/complaint-photos",
        me,
        status=201,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(image.getvalue()), "photo.jpg")},
    )
    assert photo["status"] == "pending"
    case = _file(answers, me, w["codes"][0], photo_ids=[photo["id"]])
    assert [p["status"] for p in case["photos"]] == ["pending"]  # the villager's own, being checked
    answers.call("GET", "/api/v1/me/complaints", me)
    answers.call("GET", f"/api/v1/me/complaints/{case['id']}", me)
    inbox = answers.call("GET", "/api/v1/complaints", director)
    assert [c["id"] for c in inbox["items"]] == [case["id"]]
    assert inbox["items"][0]["contact_name"] == "张三"  # the handling office, a real-name case
    detail = answers.call("GET", f"/api/v1/complaints/{case['id']}", director)
    assert detail["handling"] is True and detail["photos"] == []  # offices: cleared photos only
    answers.call("POST", f"/api/v1/complaints/{case['id']}/sign", director)
    answers.call("POST", f"/api/v1/complaints/{case['id']}/ask", director, json={"text": "请问具体位置？"})
    answers.call("POST", f"/api/v1/me/complaints/{case['id']}/supply", me, json={"text": "村口第二户。"})
    answers.call("POST", f"/api/v1/complaints/{case['id']}/reply", director, json={"text": "已协调拆除。"})
    answers.call("PUT", f"/api/v1/complaints/{case['id']}/public-summary", director, json={"text": "围墙已拆除。"})

    again = _file(answers, me, w["codes"][0])
    other = answers.call("GET", f"/api/v1/complaints/{again['id']}", dispatcher)
    assert other["handling"] is False and "contact_name" not in other  # not the handling office
    answers.call(
        "POST",
        f"/api/v1/complaints/{again['id']}/recategorise",
        director,
        json={"category": "environment", "reason": "是环境问题"},
    )
    answers.call(
        "POST",
        f"/api/v1/complaints/{again['id']}/transfer",
        dispatcher,
        json={"target": "township_discipline", "reason": "涉及违规经营"},
    )
    bridge = _file(answers, me, w["codes"][0], category="safety", description="村口桥栏杆断了，晚上危险。")
    dup = _file(answers, me, w["codes"][0], category="safety", description="桥上的栏杆坏了，小孩上学要过。")
    answers.call(
        "POST",
        f"/api/v1/complaints/{dup['id']}/merge",
        dispatcher,
        json={"into_id": bridge["id"], "reason": "同一座桥"},
    )
    merged = answers.call("GET", f"/api/v1/me/complaints/{dup['id']}/merged-into", me)
    assert merged["reference"] == bridge["reference"] and "description" not in merged

    answered = {
        ("POST", "/api/v1/complaint-photos"),
        ("GET", "/api/v1/complaints"),
        ("GET", "/api/v1/complaints/{complaint_id}"),
        ("POST", "/api/v1/complaints/{complaint_id}/sign"),
        ("POST", "/api/v1/complaints/{complaint_id}/reply"),
        ("PUT", "/api/v1/complaints/{complaint_id}/public-summary"),
        ("POST", "/api/v1/complaints/{complaint_id}/transfer"),
        ("POST", "/api/v1/complaints/{complaint_id}/recategorise"),
        ("POST", "/api/v1/complaints/{complaint_id}/merge"),
        ("GET", "/api/v1/openapi.json"),
        ("GET", "/api/v1/h/{code}"),
    }
    assert answered <= answers.checked


def test_health_answers_validate_in_both_states(client):
    answers = Answers(client)
    response = client.get("/healthz")  # no worker runs beside the tests: 503, by the same schema
    report = answers.check("GET", "/healthz", response, status=response.status_code)
    assert response.status_code == (200 if report["ok"] else 503)


def test_disclosure_and_question_answers_validate_against_the_document(client, app):
    village = f.village()
    catalogue.ensure_default_catalogue(village.township)
    homes = [f.household(village) for _ in range(2)]
    codes = hc.ensure_codes(homes)
    keeper_row, supervisor_row = f.cadre(Role.VILLAGE_BOOKKEEPER, village), f.cadre(Role.SUPERVISION_MEMBER, village)
    villager, dispatcher_row = f.villager(homes[0]), f.township_staff(Role.TOWNSHIP_DISPATCHER, village.township)
    item = db.session.scalar(
        select(ItemType).where(ItemType.township_id == village.township_id, ItemType.key == "finance_income_expense")
    )
    db.session.commit()
    answers, code = Answers(client), codes[homes[0].id]
    keeper, supervisor = f.login_wx(client, keeper_row), f.login_wx(client, supervisor_row)
    me, dispatcher = f.login_wx(client, villager), f.login_console(client, dispatcher_row)

    version, second = (
        answers.call(
            "POST",
            "/api/v1/disclosures",
            keeper,
            status=201,
            json={
                "village_id": village.id,
                "item_type_id": item.id,
                "period": period,
                "title": "二月财务公开",
                "body": "本月收支如下。",
                "line_items": [{"label": "村道保洁费", "expense_fen": 120000}],
            },
        )
        for period in ("2026-02", "2026-01")
    )
    answers.call("POST", f"/api/v1/disclosure-versions/{version['id']}/submit", keeper)
    answers.call("POST", f"/api/v1/disclosure-versions/{version['id']}/approve", supervisor, json={})
    did = version["disclosure_id"]
    # the officers' views: by stage, one with all its versions, and what the committee returned
    answers.call("GET", f"/api/v1/villages/{village.id}/disclosures?stage=published", supervisor)
    answers.call("GET", f"/api/v1/disclosures/{did}", keeper)
    answers.call("POST", f"/api/v1/disclosure-versions/{second['id']}/submit", keeper)
    back = answers.call(
        "POST", f"/api/v1/disclosure-versions/{second['id']}/return", supervisor, json={"comment": "补"}
    )
    assert back["last_returned"]["comment"] == "补"
    answers.call("GET", f"/api/v1/disclosures/{second['disclosure_id']}", supervisor)
    detail = answers.call("GET", f"/api/v1/h/{code}/disclosures/{did}")  # the villagers' view: published only
    assert [v["number"] for v in detail["versions"]] == [version["number"]]
    answers.call("GET", f"/api/v1/h/{code}")  # the landing, now with a disclosure

    asked = answers.call(
        "POST", f"/api/v1/h/{code}/disclosures/{did}/questions", me, status=201, json={"body": "保洁费为什么比上月多？"}
    )
    assert asked["status"] == "open" and not {"household_id", "asked_by_user_id"} & set(asked)
    answers.call("GET", f"/api/v1/h/{code}/disclosures/{did}/questions")
    answers.call("GET", f"/api/v1/villages/{village.id}/disclosure-questions", keeper)
    answered = answers.call(
        "POST", f"/api/v1/disclosure-questions/{asked['id']}/answer", keeper, json={"answer": "本月新增两次集中清运。"}
    )
    assert answered["status"] == "answered"
    held = answers.call(
        "POST", f"/api/v1/h/{code}/disclosures/{did}/questions", me, status=201, json={"body": "【审核】这笔钱去哪了"}
    )
    assert held["status"] == "held" and held["held_for_review"] is True
    listed = answers.call("GET", f"/api/v1/townships/{village.township_id}/held-questions", dispatcher)
    assert [q["id"] for q in listed] == [held["id"]]
    released = answers.call("POST", f"/api/v1/disclosure-questions/{held['id']}/release", dispatcher)
    assert released["status"] == "open" and released["moderation"] == "visible"
