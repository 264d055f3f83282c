"""The one way a view is declared: parse with a schema, authenticate, call the domain, dump with a
schema. The same declaration feeds the OpenAPI document, so every endpoint is described.

    @bp.post("/auth/wx-login")
    @endpoint(tags=["villager"], summary="微信登录", auth=None, body=WxLoginIn(), response=SessionOut())
    def wx_login(body): ...

The request is one unit of work: the wrapper commits after the view returns and the session is
rolled back on any error, so a failed request writes nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import current_app, g, jsonify, request
from marshmallow import Schema, ValidationError

from app.domain.auth import actor_for_token
from app.domain.authz import Actor
from app.error_handlers import translate
from app.errors import AppError, Unauthenticated
from app.extensions import db

AUDIENCES = ("villager", "cadre", "township", "county", "system")


@dataclass
class EndpointDoc:
    tags: list[str]
    summary: str
    auth: str | None
    body: Schema | None = None
    query: Schema | None = None
    response: Schema | None = None
    status: int = 200
    description: str | None = None
    errors: list[str] = field(default_factory=list)
    produces: str = "application/json"
    upload: bool = False  # multipart/form-data with one "file" field
    other_statuses: tuple[int, ...] = ()  # also answered with the response schema (a view's WithStatus)


@dataclass(frozen=True)
class WithStatus:
    """A view's result answered with one of its endpoint's `other_statuses` instead of its `status`,
    dumped by the same declared response schema."""

    result: Any
    status: int


_TOKEN = re.compile(r"[\x21-\x7e]{1,512}")  # what a token we issue can look like (visible ASCII)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN.fullmatch(token):
        return None
    return token


def current_actor() -> Actor:
    actor = g.get("actor")
    if actor is None:
        raise Unauthenticated()
    return actor


def _load(schema: Schema, data: Any) -> Any:
    try:
        return schema.load(data)
    except ValidationError as exc:
        fields = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise AppError(
            "validation_error", "提交的内容有误，请检查后重试", kind="unprocessable", fields=translate(fields)
        ) from exc


def load_input(schema: Schema, data: Any) -> Any:
    """Parse input that did not come as JSON (the console's forms and query strings) with the same
    schema and the same error as the API."""
    return _load(schema, data)


def limit_request_body() -> None:
    """Before every request: the most body bytes it may read — MAX_JSON_BYTES, or MAX_CONTENT_LENGTH
    on the upload routes. Werkzeug enforces it on the stream itself, with a Content-Length (413 at
    once) or without one (chunked: never more is read), so no route buffers more than its limit."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    doc = getattr(view, "api_doc", None)
    if doc is None or not doc.upload:
        limit = current_app.config["MAX_JSON_BYTES"]
        # Chunked, one byte more may be read: read_body tells "at the limit" from "past it" by it.
        request.max_content_length = limit if request.content_length is not None else limit + 1


def read_body() -> bytes:
    """The request body, within MAX_JSON_BYTES whether it came with a Content-Length or chunked."""
    data = request.get_data(cache=True)  # a chunked body is cut at the stream's limit, not refused
    if len(data) > current_app.config["MAX_JSON_BYTES"]:
        raise AppError("payload_too_large", "提交的内容过大", kind="too_large")
    return data


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python's json takes them, JSON does not


def load_json_body(schema: Schema) -> Any:
    try:
        data = json.loads(read_body(), parse_constant=_no_constants)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or absurdly deep
        data = None
    if data is None:
        raise AppError("invalid_json", "请求内容不是有效的 JSON")
    if not isinstance(data, dict):
        raise AppError("invalid_json", "请求内容应为 JSON 对象")
    return _load(schema, data)


def endpoint(
    *,
    tags: list[str],
    summary: str,
    auth: str | None = "any",
    body: Schema | None = None,
    query: Schema | None = None,
    response: Schema | None = None,
    status: int = 200,
    description: str | None = None,
    errors: list[str] | None = None,
    produces: str = "application/json",
    upload: bool = False,
    other_statuses: tuple[int, ...] = (),
):
    """auth: None (public), "any" (any session), "wx" (a WeChat user), "console" (staff account)."""
    for tag in tags:
        assert tag in AUDIENCES, tag

    def decorate(view):
        @wraps(view)
        def wrapper(**kwargs):
            try:
                return run(**kwargs)
            except BaseException:
                db.session.rollback()  # a failed request writes nothing, whatever it flushed
                raise

        def run(**kwargs):
            if auth is not None:
                actor = actor_for_token(bearer_token())
                if auth != "any" and actor.kind != auth:
                    raise AppError(
                        "wrong_account_kind",
                        "请使用微信小程序登录" if auth == "wx" else "请使用工作台账号登录",
                        kind="forbidden",
                    )
                g.actor = actor
            if body is not None:
                kwargs["body"] = load_json_body(body)
            if query is not None:
                kwargs["query"] = _load(query, request.args.to_dict(flat=True))
            result = view(**kwargs)
            answer_status = status
            if isinstance(result, WithStatus):
                assert result.status in other_statuses, f"{view.__name__}: status {result.status} is not declared"
                result, answer_status = result.result, result.status
            ready = not isinstance(result, tuple) and hasattr(result, "status_code")  # files, pages
            # Dump inside the transaction: after a commit every loaded object is expired and the
            # schema would reload each one with its own query.
            payload = None if ready or response is None else response.dump(result)
            if db.session.registry.has() and db.session().in_transaction():  # the fast paths: nothing to commit
                db.session.commit()
            if ready:
                return result
            if response is None:
                return "", 204
            return jsonify(payload), answer_status

        # read back with getattr(view, "api_doc") by the checks and the OpenAPI document
        wrapper.api_doc = EndpointDoc(  # type: ignore[attr-defined]
            tags,
            summary,
            auth,
            body,
            query,
            response,
            status,
            description,
            errors or [],
            produces,
            upload,
            other_statuses,
        )
        return wrapper

    return decorate
