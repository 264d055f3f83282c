"""The Flask side of the one error shape (see app/errors.py): every failure answered as
{"error": {"code", "message", "fields"?}}, marshmallow's messages in Chinese."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, has_request_context, jsonify, request
from marshmallow import ValidationError
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.domain.text import printable
from app.errors import AppError

log = logging.getLogger(__name__)


# Werkzeug's own HTTP errors (routing, size limit, method) in the same shape.
HTTP_CODES = {
    400: ("bad_request", "请求格式有误"),
    401: ("unauthenticated", "请先登录"),
    403: ("forbidden", "您没有权限进行此操作"),
    404: ("not_found", "未找到该内容"),
    405: ("method_not_allowed", "不支持该请求方式"),
    406: ("not_acceptable", "无法提供所请求的格式"),
    409: ("conflict", "操作冲突，请刷新后重试"),
    413: ("payload_too_large", "提交的内容过大"),
    414: ("uri_too_long", "请求地址过长"),
    415: ("unsupported_media_type", "请以 JSON 格式提交"),
    429: ("rate_limited", "操作过于频繁，请稍后再试"),
    431: ("headers_too_large", "请求头过大"),
}


# Paths whose errors people read in a browser (the console): answered by that area's one error page
# instead of JSON — the same codes, statuses and messages, in the area's own shape.
PageRenderer = Callable[[int, str, str, dict[str, Any] | None], Response]


def answer_errors_as_pages(app: Flask, prefix: str, render: PageRenderer) -> None:
    app.extensions.setdefault("error_pages", []).append((prefix, render))


def _page_renderer() -> PageRenderer | None:
    if not has_request_context():
        return None
    for prefix, render in current_app.extensions.get("error_pages", ()):
        if request.path == prefix or request.path.startswith(prefix + "/"):
            return render
    return None


def error_response(
    status: int,
    code: str,
    message: str,
    fields: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
):
    render = _page_renderer()
    if render is not None:
        response = render(status, code, message, fields)
    else:
        body: dict[str, Any] = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# marshmallow speaks English; people using this speak Chinese. Codes stay machine-readable.
_MESSAGES = [
    (re.compile(r"^Missing data for required field\.$"), "必填"),
    (re.compile(r"^Unknown field\.$"), "不支持的字段"),
    (re.compile(r"^Field may not be null\.$"), "不能为空"),
    (re.compile(r"^Not a valid string\.$"), "应为文本"),
    (re.compile(r"^Not a valid integer\.$"), "应为整数"),
    (re.compile(r"^Not a valid number\.$"), "应为数字"),
    (re.compile(r"^Not a valid boolean\.$"), "应为是或否"),
    (re.compile(r"^Not a valid list\.$"), "应为列表"),
    (re.compile(r"^Not a valid mapping type\.$"), "应为对象"),
    (re.compile(r"^Invalid input type\.$"), "格式不正确"),
    (re.compile(r"^Not a valid datetime\.$"), "时间格式不正确"),
    (re.compile(r"^Not a valid date\.$"), "日期格式不正确"),
    (re.compile(r"^Must be one of: .*\.$"), "不是可选的值"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), r"至少 \1 个字"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"最多 \1 个字"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), r"长度应在 \1 到 \2 之间"),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"), r"应在 \1 到 \2 之间"),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), r"不能小于 \1"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), r"不能大于 \1"),
    (re.compile(r"^String does not match expected pattern\.$"), "格式不正确"),
    (re.compile(r"^Number too large\.$"), "数值超出范围"),
    (re.compile(r"^Special numeric values \(nan or infinity\) are not permitted\.$"), "数值超出范围"),
]


def translate(messages: Any) -> Any:
    if isinstance(messages, dict):
        # Keys are the caller's field names, unknown ones too: echo them printable (no NUL, no lone
        # surrogate, which could not even be encoded in the answer).
        return {printable(k) if isinstance(k, str) else k: translate(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [translate(m) for m in messages]
    if isinstance(messages, str):
        for pattern, replacement in _MESSAGES:
            if pattern.match(messages):
                return pattern.sub(replacement, messages)
    return messages


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(exc: AppError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return error_response(exc.status, exc.code, exc.message, exc.fields, headers)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        fields = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return error_response(422, "validation_error", "提交的内容有误，请检查后重试", translate(fields))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        code, message = HTTP_CODES.get(status, ("http_error", "请求无法完成"))
        headers = {}
        if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return error_response(status, code, message, headers=headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(RedisError)
    def _unavailable(exc: Exception):
        # The database or Redis cannot be reached: not the caller's fault, not a bug; try again.
        log.warning("service unavailable on %s %s: %s", request.method, request.path, exc)
        return error_response(503, "service_unavailable", "服务暂时不可用，请稍后再试", headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # A real bug: log it with the request, answer in the same shape.
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(500, "internal_error", "系统繁忙，请稍后再试")
