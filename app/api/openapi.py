"""OpenAPI 3 document built from the endpoint declarations (see app/api/endpoint.py)."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app

from app.api import bp
from app.api.endpoint import AUDIENCES, endpoint
from app.api.schemas.common import ErrorOut
from app.api.schemas.openapi import OpenApiDocumentOut

TAG_DESCRIPTIONS = {
    "villager": "村民：扫门牌码查看三务公开、反映问题",
    "cadre": "村干部与村务监督委员会",
    "township": "镇（街道）工作人员",
    "county": "县（区）纪委监委",
    "system": "运维与机器接口",
}

_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
_STATUS_TEXT = {
    400: "请求有误",
    401: "未登录或登录失效",
    403: "无权操作",
    404: "未找到",
    409: "冲突",
    410: "已失效",
    413: "内容过大",
    422: "内容校验未通过",
    429: "过于频繁",
    502: "上游服务异常",
    503: "服务不可用",
}


def build_spec(app: Flask) -> dict:
    spec = APISpec(
        title="明镜 Mingjing API",
        version="1.0.0",
        openapi_version="3.0.3",
        info={"description": "村级小微权力监督平台：一户一码、三务公开、监督一点通"},
        plugins=[MarshmallowPlugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorOut)
    for tag in AUDIENCES:
        spec.tag({"name": tag, "description": TAG_DESCRIPTIONS[tag]})

    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        doc = getattr(app.view_functions[rule.endpoint], "api_doc", None)
        if doc is None:
            continue
        path = _ARG.sub(r"{\2}", rule.rule)
        parameters = [
            {"in": "path", "name": name, "required": True, "schema": {"type": "integer" if conv == "int" else "string"}}
            for conv, name in _ARG.findall(rule.rule)
        ]
        if doc.query is not None:
            parameters.append({"in": "query", "schema": doc.query})
        responses: dict = {}
        ok_content = {"application/json": {"schema": doc.response}} if doc.response is not None else None
        if doc.produces != "application/json":
            ok_content = {doc.produces: {"schema": {"type": "string", "format": "binary"}}}
        has_body = doc.response is not None or doc.produces != "application/json"
        responses[str(doc.status if has_body else 204)] = {
            "description": "成功",
            **({"content": ok_content} if ok_content else {}),
        }
        for status in doc.other_statuses:
            responses[str(status)] = {"description": _STATUS_TEXT[status], "content": ok_content}
        error_statuses = {400, 422} if (doc.body or doc.query) else set()
        if doc.upload:  # a file refused (type, size, content) or too big for the request limit
            error_statuses |= {413, 422}
        if doc.auth is not None:
            error_statuses |= {401, 403}
        if "<" in rule.rule:
            error_statuses.add(404)
        for status in sorted(error_statuses):
            responses[str(status)] = {
                "description": _STATUS_TEXT[status],
                "content": {"application/json": {"schema": "Error"}},
            }
        operation = {
            "tags": doc.tags,
            "summary": doc.summary,
            "operationId": rule.endpoint.replace(".", "_"),
            "parameters": parameters,
            "responses": responses,
        }
        if doc.description or doc.errors:
            operation["description"] = (doc.description or "") + (
                ("\n\n错误码：" + ", ".join(doc.errors)) if doc.errors else ""
            )
        if doc.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": doc.body}}}
        if doc.upload:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        }
                    }
                },
            }
        if doc.auth is not None:
            operation["security"] = [{"bearer": []}]
        methods = sorted(m for m in rule.methods or () if m not in ("HEAD", "OPTIONS"))
        spec.path(path=path, operations={m.lower(): dict(operation) for m in methods})
    return spec.to_dict()


@bp.get("/openapi.json")
@endpoint(tags=["system"], summary="本接口文档（OpenAPI 3）", auth=None, response=OpenApiDocumentOut())
def openapi_document():
    document = current_app.extensions.get("openapi")
    if document is None:
        document = current_app.extensions["openapi"] = build_spec(current_app)
    return document
