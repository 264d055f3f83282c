"""Every operation of the OpenAPI document, probed with what the schema layer must refuse: integers
beyond the database's range, 1e400, NUL, other control characters and lone surrogates, huge texts,
dates in year 1 and 9999, wrong types, deep nesting — in every path parameter, every query parameter
and every body field (nested objects and list items included), with a session of a kind the
operation accepts. No answer may be a 500; every refusal has the one error shape; and what is out of
a field's declared type or range is refused by the schema as a 422 naming that field.

The walker reads only the document: a new operation or field is walked without touching this file.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import secrets
import time
from urllib.parse import quote

from PIL import Image

from tests import factories as f
from tests.helpers.errors import assert_error_shape
from tests.helpers.openapi_walk import fill_path, token_for

RAW = "\u2063raw:"  # marks a JSON token written as it is (json cannot produce 1e400 itself)
INF = RAW + "1e400"
INT_OUT = [2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**30]
INT_EDGE = [2**31 - 1, -(2**31)]  # the database's own bounds: accepted or refused, never a 500
TEXT_OUT = ["\u0000", "名\u0000字", "\ud800", "x\udfffy", "\u0007", "\u001b[2J", "\u007f", "字" * 30_000]
DATE_OUT = ["0001-01-01", "9999-12-31"]


def _nested(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = {"a": [value]}
    return value


WRONG = [True, 1.5, [], {}, "不是数字", _nested(40)]
WRONG_FOR = {
    "integer": WRONG,
    "number": [True, [], {}, "不是数字"],
    "boolean": [1.5, [], {}, "也许", 2],
    "string": [12, True, [], {}, 1.5, INF],
    "array": ["x", {}, 3],
    "object": ["x", [], 3],
}


def _dumps(body) -> bytes:
    text = json.dumps(body)  # ensure_ascii: a lone surrogate goes out as the escape "\ud800"
    return re.sub(r'"\\u2063raw:([^"]*)"', r"\1", text).encode()


# ---- the document ----
class Document:
    def __init__(self, document: dict) -> None:
        self.document = document

    def resolve(self, schema: dict) -> dict:
        while True:
            if "$ref" in schema:
                schema = self.document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            elif "allOf" in schema and len(schema["allOf"]) == 1:
                schema = {**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}}
            else:
                return schema

    def operations(self):
        for path, item in sorted(self.document["paths"].items()):
            for method, operation in sorted(item.items()):
                yield method.upper(), path, operation

    def leaves(self, schema: dict, path: tuple = ()):
        """(path in the body, field schema) for every field, nested objects and list items included."""
        schema = self.resolve(schema)
        for name, field in schema.get("properties", {}).items():
            field = self.resolve(field)
            yield (*path, name), field
            if field.get("type") == "object" or "properties" in field:
                yield from self.leaves(field, (*path, name))
            if field.get("type") == "array":
                items = self.resolve(field["items"])
                yield (*path, name, 0), items
                if "properties" in items:
                    yield from self.leaves(items, (*path, name, 0))


def _kind(schema: dict) -> str:
    if schema.get("type") == "string" and schema.get("format") in ("date", "date-time"):
        return schema["format"]
    return schema.get("type") or ("object" if "properties" in schema else "unknown")


def _baseline(doc: Document, schema: dict, ids: dict) -> object:
    """A body of the schema's shape with its required fields set: the background for one bad field."""
    schema = doc.resolve(schema)
    kind = _kind(schema)
    if kind == "object":
        return {
            name: _baseline(doc, field, ids)
            for name, field in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 0
    if kind == "boolean":
        return False
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "date":
        return "2026-03-01"
    if "pattern" in schema:
        return secrets.token_hex(8)
    return "正常的文字内容"[: schema.get("maxLength", 7)].ljust(schema.get("minLength", 1), "字")


def _with(body: dict, path: tuple, value) -> dict:
    """A copy of `body` with `value` at `path` (a 0 in the path is the first item of a list)."""
    body = json.loads(json.dumps(body))
    node = body
    for key, following in itertools.pairwise(path):
        if isinstance(node, list):
            while len(node) <= key:
                node.append({} if not isinstance(following, int) else [])
            node = node[key]
        else:
            node = node.setdefault(key, [] if isinstance(following, int) else {})
    if isinstance(node, list):
        node.append(value)
    else:
        node[path[-1]] = value
    return body


def _flagged(error: dict, path: tuple) -> bool:
    node = error.get("fields") or {}
    for key in path:
        if not isinstance(node, dict) or str(key) not in node:
            return False
        node = node[str(key)]
    return bool(node)


def _bad_values(schema: dict) -> tuple[list, list]:
    """(values the schema must refuse by name, values that must merely not be a 500) for a field."""
    kind = _kind(schema)
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        out = [v for v in INT_OUT + INT_EDGE if (low is not None and v < low) or (high is not None and v > high)]
        return out + [INF], [v for v in INT_EDGE if v not in out] + WRONG_FOR["integer"]
    if kind == "number":
        return [INF], [2**63, -(2**63)] + WRONG_FOR["number"]
    if kind in ("date", "date-time"):
        return DATE_OUT + ["10000-01-01", "2026-02-30"], WRONG_FOR["string"]
    if kind == "string":
        return TEXT_OUT, WRONG_FOR["string"]
    return [], WRONG_FOR.get(kind, WRONG)


# ---- the world the operations run in: tests/fixtures/openapi_walk.py ----
class Probe:
    def __init__(self, client) -> None:
        self.client, self.failures, self.sent = client, [], 0
        self.pages = False  # the operation answers web pages: its refusals are pages too

    def send(
        self, what: str, method: str, path: str, *, must_flag: tuple | None = None, expect: int | None = None, **kwargs
    ):
        self.sent += 1
        try:
            response = self.client.open(path, method=method, **kwargs)
        except Exception as exc:  # noqa: BLE001 - even the error handler failed: worse than a 500
            self.failures.append(f"{method} {path[:80]} {what}: raised {type(exc).__name__}: {str(exc)[:100]}")
            return
        problem = None
        if response.status_code >= 500:
            problem = f"{response.status_code} {response.get_data(as_text=True)[:200]}"
        elif response.status_code >= 400 and self.pages and response.mimetype == "text/html":
            pass
        elif response.status_code >= 400:
            try:
                error = assert_error_shape(response)
            except AssertionError as exc:
                problem = f"not the error shape: {exc}"
            else:
                if must_flag is not None and (response.status_code != 422 or not _flagged(error, must_flag)):
                    problem = f"not refused by name: {response.status_code} {error}"
        elif must_flag is not None or expect is not None:
            problem = f"accepted: {response.status_code}"
        if problem is None and expect is not None and response.status_code != expect:
            problem = f"{response.status_code}, expected {expect}"
        if problem:
            self.failures.append(f"{method} {path[:80]} {what}: {problem}")


def test_every_operation_refuses_out_of_range_input_without_a_500(app, client, walk_world):
    started = time.monotonic()
    doc = Document(client.get("/api/v1/openapi.json").get_json())
    ids, tokens = walk_world["ids"], walk_world["tokens"]
    probe = Probe(client)
    walked = {"operations": 0, "path": set(), "query": set(), "body": set()}
    for method, template, operation in doc.operations():
        walked["operations"] += 1
        path = fill_path(template, ids)
        token = token_for(app, operation, tokens)
        headers = f.bearer(token) if token else {}
        probe.pages = any("text/html" in r.get("content", {}) for r in operation["responses"].values())

        for parameter in operation.get("parameters", []):
            name, kind = parameter["name"], _kind(parameter.get("schema", {}))
            if parameter["in"] == "path":
                walked["path"].add((template, name))
                if kind == "integer":
                    for raw in ("2147483648", "99999999999999999999", "-1", "1e400", "%00", "1%00"):
                        probe.send(
                            f"path {name}={raw}",
                            method,
                            fill_path(template, ids, **{name: raw}),
                            headers=headers,
                            expect=404,
                        )
                else:
                    for raw in ("%00", "a%00b", "%07", "%0A", "%ED%A0%80", "x" * 5000):
                        probe.send(
                            f"path {name}={raw[:12]}", method, fill_path(template, ids, **{name: raw}), headers=headers
                        )
                continue
            walked["query"].add((template, name))
            must, may = _bad_values(parameter["schema"])
            for value in must + may:
                if isinstance(value, (list, dict)):
                    continue  # a query string holds text
                text = value.removeprefix(RAW) if isinstance(value, str) else str(value).lower()
                if "\ud800" in text or "\udfff" in text:
                    query, flag = "%ED%A0%80", None  # a URL carries bytes: invalid UTF-8 becomes U+FFFD
                else:
                    query, flag = quote(text, safe=""), ((name,) if value in must else None)
                probe.send(
                    f"query {name}={text[:12]!r}", method, f"{path}?{name}={query}", headers=headers, must_flag=flag
                )

        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            schema = content["application/json"]["schema"]
            base = _baseline(doc, schema, ids)
            for field_path, field in doc.leaves(schema):
                walked["body"].add((template, field_path))
                must, may = _bad_values(field)
                for value in must + may:
                    probe.send(
                        f"body {'/'.join(map(str, field_path))}={str(value)[:12]!r}",
                        method,
                        path,
                        headers=headers,
                        data=_dumps(_with(base, field_path, value)),
                        content_type="application/json",
                        must_flag=field_path if value in must else None,
                    )
            for raw in (
                b'{"\\u0000": 1}',
                b'{"\\ud800": "\\ud800"}',
                b"1e400",
                b'{"a": NaN}',
                b"[" * 100_000,
                b'{"a": ' * 5000,
                _dumps(_nested(200)),
                b"\xff\xfe",
                b'"\\u0000"',
                b'{"a": ' + b"9" * 5000 + b"}",
            ):
                probe.send(
                    f"body {raw[:16]!r}", method, path, headers=headers, data=raw, content_type="application/json"
                )
        if "multipart/form-data" in content:
            png = io.BytesIO()
            Image.new("RGB", (8, 8), (90, 120, 90)).save(png, format="PNG")
            for name, extra in (
                ("\u0000.png", {}),
                ("x" * 5000 + ".png", {}),
                ("../../etc/passwd", {}),
                ("a.png", {"note": "\u0000"}),
                ("a.png", {f"f{i}": "x" for i in range(2000)}),
            ):
                probe.send(
                    f"upload {name[:12]!r} +{len(extra)}",
                    method,
                    path,
                    headers=headers,
                    data={"file": (io.BytesIO(png.getvalue()), name), **extra},
                    content_type="multipart/form-data",
                )

        if token is not None:
            for bad in ("\u0000" * 8, "é" * 40, "x" * 5000, "a b c", ""):
                probe.send(f"token {bad[:6]!r}", method, path, headers={"Authorization": f"Bearer {bad}"}, expect=401)

    assert not probe.failures, f"{len(probe.failures)} of {probe.sent}:\n" + "\n".join(probe.failures[:80])
    # the walk reached what the findings named, and a good deal more
    assert ("/api/v1/villages/{village_id}/calendar", "since") in walked["query"]
    assert ("/api/v1/complaints", "village_id") in walked["query"]
    assert ("/api/v1/disclosures", ("line_items", 0, "label")) in walked["body"]
    assert ("/api/v1/h/{code}/complaints", ("photo_ids", 0)) in walked["body"]
    assert walked["operations"] > 80 and len(walked["body"]) > 60 and len(walked["query"]) > 20, walked
    assert time.monotonic() - started < 60


def test_every_declared_field_of_the_document_is_bounded(client):
    """What the walker relies on, stated for the whole document: every integer field and parameter
    declares its range and every text field its length (the In base class adds them)."""
    doc = Document(client.get("/api/v1/openapi.json").get_json())
    unbounded = []
    for method, template, operation in doc.operations():
        fields = [(p["name"], p["schema"]) for p in operation.get("parameters", []) if p["in"] == "query"]
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            fields += [("/".join(map(str, p)), s) for p, s in doc.leaves(content["application/json"]["schema"])]
        for name, schema in fields:
            kind = _kind(schema)
            if kind == "integer" and not (
                schema.get("minimum", -(2**63)) > -(2**63) and schema.get("maximum", 2**63) < 2**63
            ):
                unbounded.append((method, template, name, schema))
            if kind == "string" and "maxLength" not in schema and "enum" not in schema and "pattern" not in schema:
                unbounded.append((method, template, name, schema))
    assert not unbounded, unbounded
