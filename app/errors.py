"""One error shape for every failure.

    {"error": {"code": "validation_error", "message": "请求内容有误，请检查后重试",
               "fields": {"code": ["必填"]}}}

`code` is stable for programs; `message` is for people (Chinese). Domain modules raise AppError with a
kind (not an HTTP status); only this module maps kinds to statuses. It knows nothing of Flask: the
handlers that turn these (and Werkzeug's, marshmallow's, the database's) into answers are in
app/error_handlers.py.
"""

from __future__ import annotations

from typing import Any

KIND_STATUS = {
    "invalid": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "gone": 410,
    "too_large": 413,
    "unprocessable": 422,
    "rate_limited": 429,
    "upstream": 502,
    "unavailable": 503,
}


class AppError(Exception):
    """A failure to report to the caller. Raised by domain code and views alike."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        kind: str = "invalid",
        fields: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.kind = kind
        self.fields = fields
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        return KIND_STATUS[self.kind]


class NotFound(AppError):
    def __init__(self, message: str = "未找到该内容，或您无权查看") -> None:
        super().__init__("not_found", message, kind="not_found")


class Forbidden(AppError):
    def __init__(self, message: str = "您没有权限进行此操作") -> None:
        super().__init__("forbidden", message, kind="forbidden")


class Unauthenticated(AppError):
    def __init__(self, code: str = "unauthenticated", message: str = "请先登录") -> None:
        super().__init__(code, message, kind="unauthenticated")
