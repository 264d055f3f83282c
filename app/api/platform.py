"""The four-platform connector (基层治理四平台): township administrators configure the township's
external platform and follow its deliveries; the platform posts signed status updates back."""

from __future__ import annotations

from flask import current_app, request, url_for

from app.api import bp
from app.api.endpoint import current_actor, endpoint, load_json_body, read_body
from app.api.schemas.platform import (
    PlatformConfigIn,
    PlatformConfigOut,
    PlatformDeliveryListIn,
    PlatformDeliveryOut,
    PlatformUpdateIn,
    PlatformUpdateOut,
)
from app.domain import authz
from app.domain.complaints import platform
from app.extensions import get_redis
from app.fourplatform import signing
from app.models import Township

_INBOUND_DOC = f"""由镇四平台系统调用，不需要登录：请求体为 JSON，用本镇街的共享密钥签名。

签名 = HMAC-SHA256(共享密钥, 时间戳 + "." + 原始请求体) 的小写十六进制；时间戳（Unix 秒）放在
`{signing.TIMESTAMP_HEADER}`，签名放在 `{signing.SIGNATURE_HEADER}`。时间戳与服务器时间相差超过允许的
时间窗（默认 5 分钟）、或同一请求重复提交，均被拒绝。

请求体：`case`（案件编号）、`status`（acknowledged 已接收 / signed 签收 / replied 答复 / returned 退单）、
`text`（答复内容，replied 必填，村民可见）、`reason`（退单理由，returned 必填）、`delivery`（acknowledged
时可指明推送的 Idempotency-Key，缺省为最近一次推送）。"""


def config_view(township_id: int) -> dict:
    """The configuration as shown to administrators: the live one, its history (never a secret), and
    the inbound address to give the platform (the API's answer and the console's rules page)."""
    history = platform.history(township_id)
    current = next((c for c in history if c.replaced_at is None), None)
    inbound = url_for("api.platform_update", township_id=township_id)
    return {
        "township_id": township_id,
        "inbound_url": current_app.config["PUBLIC_BASE_URL"] + inbound,
        "current": current,
        "history": history,
    }


@bp.get("/townships/<int:township_id>/platform")
@endpoint(
    tags=["township", "county"],
    summary="四平台对接配置（密钥不回显，含历史）",
    auth="console",
    response=PlatformConfigOut(),
)
def platform_config(township_id: int):
    authz.get_or_404(current_actor(), "complaint.route", Township, township_id)
    return config_view(township_id)


@bp.put("/townships/<int:township_id>/platform")
@endpoint(
    tags=["township", "county"],
    summary="设置四平台对接（接收地址、共享密钥、启用）",
    auth="console",
    body=PlatformConfigIn(),
    response=PlatformConfigOut(),
    errors=[
        "platform_url_invalid",
        "platform_url_required",
        "platform_secret_invalid",
        "platform_secret_required",
        "platform_config_changed",
    ],
)
def set_platform_config(township_id: int, body):
    township = authz.get_or_404(current_actor(), "complaint.route", Township, township_id)
    platform.configure(
        current_actor(),
        township,
        endpoint_url=body.get("endpoint_url"),
        enabled=body["enabled"],
        secret=body.get("secret"),
    )
    return config_view(township_id)


@bp.get("/townships/<int:township_id>/platform/deliveries")
@endpoint(
    tags=["township", "county"],
    summary="推送给四平台的记录（最近 100 条）",
    auth="console",
    query=PlatformDeliveryListIn(),
    response=PlatformDeliveryOut(many=True),
)
def platform_deliveries(township_id: int, query):
    authz.get_or_404(current_actor(), "complaint.route", Township, township_id)
    return platform.deliveries(township_id, query.get("state"))


@bp.post("/townships/<int:township_id>/platform/updates")
@endpoint(
    tags=["system"],
    summary="四平台回传案件状态（签名校验，无需登录）",
    auth=None,
    response=PlatformUpdateOut(),
    description=_INBOUND_DOC,
    errors=[
        "platform_not_configured",
        "platform_signature_missing",
        "platform_signature_invalid",
        "platform_timestamp_stale",
        "platform_disabled",
        "platform_update_replayed",
        "case_not_found",
        "case_of_other_township",
        "case_not_with_platform",
        "delivery_not_found",
        "delivery_closed",
        "text_required",
        "reason_required",
        "invalid_transition",
        "case_changed",
    ],
)
def platform_update(township_id: int):
    with platform.signed_update(
        township_id,
        request.headers.get(signing.TIMESTAMP_HEADER),
        request.headers.get(signing.SIGNATURE_HEADER),
        read_body(),
        redis=get_redis(),
    ) as config:
        complaint, delivery = platform.apply_update(config, platform.Update(**load_json_body(PlatformUpdateIn())))
    return {"case": complaint.reference, "status": complaint.status, "delivery": delivery}
