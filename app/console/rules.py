"""规则: a township's routing rules (who receives which category) and deadline policies (办理时限) with
their history, the built-in defaults shown as rows marked 默认; editing them for the offices allowed;
the four-platform connection (基层治理四平台) and its deliveries. The API's domain and authorization
throughout: routing.rule_table / set_rule ("complaint.route"), policy.policies / history and the API's
change_policy ("deadline_policy.read", each lane by its own office), platform.configure and
deliveries ("complaint.route")."""

from __future__ import annotations

from typing import Any

from flask import abort, make_response, render_template, request, url_for
from sqlalchemy import select

from app.api.deadlines import change_policy
from app.api.endpoint import load_input
from app.api.platform import config_view
from app.api.schemas.complaints import CATEGORY_NAMES, RoutingRuleIn
from app.api.schemas.deadlines import DeadlinePolicyIn
from app.api.schemas.platform import PlatformConfigIn, PlatformDeliveryListIn
from app.console import bp
from app.console.actions import act, in_sight
from app.console.board import LANE_LABELS
from app.console.complaints import DELIVERY_STATES, EVENT_LABELS
from app.console.pages import PAGE_FIELDS, form_input, page, viewer
from app.domain import authz
from app.domain.complaints import platform, routing
from app.domain.complaints.categories import CATEGORIES, DISCIPLINE
from app.domain.deadlines import policy
from app.errors import AppError
from app.extensions import db
from app.models import VILLAGE_CADRE_ROLES, ConsoleAccount, Role, Township, Village

CLOCKS = {"sign": "签收时限", "handle": "办理（答复）时限", "follow_up": "村民确认期"}
UNITS = policy.UNIT_LABELS
TARGET_LABELS = {
    routing.VILLAGE_ROLE: "村干部",
    routing.TOWNSHIP_DISPATCH: routing.HANDLER_LABELS[routing.TOWNSHIP_DISPATCH],
    routing.TOWNSHIP_DISCIPLINE: routing.HANDLER_LABELS[routing.TOWNSHIP_DISCIPLINE],
}


def _names(ids: set[int | None]) -> dict[int, str]:
    """Console accounts by id, as they sign their changes (display name, else username)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(ConsoleAccount.id, ConsoleAccount.display_name, ConsoleAccount.username).where(
            ConsoleAccount.id.in_(wanted)
        )
    )
    return {row.id: row.display_name or row.username for row in rows}


def _policy_history(township_id: int) -> dict[str, list[dict[str, Any]]]:
    """Per lane, oldest first: the built-in default (in force until the first saved policy), then every
    saved policy with who set it and who replaced it."""
    rows = policy.history(township_id)
    out: dict[str, list[dict[str, Any]]] = {}
    for lane in policy.LANES:
        saved = [r for r in rows if r.lane == lane]
        default = policy.DEFAULTS[lane]
        out[lane] = [
            {
                "default": True,
                "clocks": {name: str(getattr(default, name)) for name in CLOCKS},
                "remind": default.remind_working_days,
                "escalate": default.escalate_working_days,
                "until": saved[0].created_at if saved else None,
                "live": not any(r.deactivated_at is None for r in saved),
            }
        ]
        out[lane].extend(
            {
                "default": False,
                "clocks": {
                    name: str(policy.Clock(getattr(r, f"{name}_amount"), getattr(r, f"{name}_unit"))) for name in CLOCKS
                },
                "remind": r.remind_working_days,
                "escalate": r.escalate_working_days,
                "since": r.created_at,
                "until": r.deactivated_at,
                "by": r.created_by_console_account_id,
                "replaced_by": r.deactivated_by_console_account_id,
                "live": r.deactivated_at is None,
            }
            for r in saved
        )
    return out


def _rules_page(
    township_id: int | None = None, *, status: int = 200, error: AppError | None = None, failed: str | None = None
):
    actor = viewer()
    townships = in_sight("deadline_policy.read", Township, Township.code)  # every township office reads them
    if township_id is None:
        if not townships:
            abort(404)
        township = townships[0]
    else:
        township = authz.get_or_404(actor, "deadline_policy.read", Township, township_id)
    may_route = authz.can(actor, "complaint.route", township)
    table = routing.rule_table(township.id, include_inactive=True) if may_route else []
    history = _policy_history(township.id)
    platform_view = config_view(township.id) if may_route else None
    wanted = request.args.get("state", "").strip()
    state = load_input(PlatformDeliveryListIn(), {"state": wanted})["state"] if may_route and wanted else None
    deliveries = platform.deliveries(township.id, state) if may_route else []
    villages = list(
        db.session.scalars(select(Village).where(Village.township_id == township.id).order_by(Village.code))
    )
    people = _names(
        {r.created_by_console_account_id for r in table}
        | {r.deactivated_by_console_account_id for r in table}
        | {row.get("by") for rows in history.values() for row in rows}
        | {row.get("replaced_by") for rows in history.values() for row in rows}
        | ({c.created_by_console_account_id for c in platform_view["history"]} if platform_view else set())
    )
    html = render_template(
        "console/rules.html",
        township=township,
        township_choices=[(t.id, t.name) for t in townships],
        may_route=may_route,
        table=table,
        villages={v.id: v.name for v in villages},
        live=policy.policies(township.id),
        history=history,
        may_set={lane: authz.can(actor, f"deadline_policy.{lane}", township) for lane in policy.LANES},
        platform=platform_view,
        deliveries=deliveries,
        delivery_state=state or "",
        people=people,
        categories=CATEGORIES,
        category_names=CATEGORY_NAMES,
        service_categories=[c for c in CATEGORIES.values() if c.lane != DISCIPLINE],
        lanes=LANE_LABELS,
        targets=TARGET_LABELS,
        cadre_roles=sorted((Role(r) for r in VILLAGE_CADRE_ROLES), key=list(Role).index),
        role_labels={role.value: role.label for role in Role},
        clocks=CLOCKS,
        units=UNITS,
        delivery_states=DELIVERY_STATES,
        event_labels=EVENT_LABELS,
        error=error,
        failed=failed,
        form=request.form if error else {},
    )
    return make_response(html, status)


@bp.get("/rules")
@page
def rules():
    township_id = request.args.get("township_id", "")
    return _rules_page(int(township_id) if township_id.isdigit() and len(township_id) < 10 else None)


def _back(township_id: int, anchor: str) -> str:
    return url_for("console.rules", township_id=township_id) + f"#{anchor}"


@bp.post("/rules/<int:township_id>/routes")
@page
def set_route(township_id: int):
    """设置分派规则 (the API's POST …/complaint-routes: routing.set_rule; the old rule kept)."""
    actor = viewer()

    def do() -> None:
        township = authz.get_or_404(actor, "complaint.route", Township, township_id)
        routing.set_rule(actor, township, **form_input(RoutingRuleIn()))

    return act(
        do,
        done="分派规则已保存，原规则已停用并留档",
        back=_back(township_id, "routes"),
        failed=lambda exc: _rules_page(township_id, status=exc.status, error=exc, failed="routes"),
    )


def _policy_body() -> dict[str, Any]:
    """The policy form as the API's JSON: {"sign": {"amount", "unit"}, …} (numbers as numbers, so the
    schema's strict integers judge what was typed)."""

    def number(name: str) -> object:
        text = request.form.get(name, "").strip()
        return int(text) if text.isdigit() and len(text) < 10 else text

    body: dict[str, Any] = {
        clock: {"amount": number(f"{clock}_amount"), "unit": request.form.get(f"{clock}_unit", "")} for clock in CLOCKS
    }
    for name in ("remind_working_days", "escalate_working_days"):
        body[name] = number(name)
    unknown = (
        set(request.form) - set(PAGE_FIELDS) - {f"{c}_{p}" for c in CLOCKS for p in ("amount", "unit")} - set(body)
    )
    for name in unknown:
        body[name] = request.form[name]  # refused by the schema, like an unknown JSON field
    return body


@bp.post("/rules/<int:township_id>/deadline-policies/<lane>")
@page
def set_deadline_policy(township_id: int, lane: str):
    """设置办理时限 (the API's PUT …/deadline-policies/<lane>: each lane by its own office)."""
    actor = viewer()
    said: dict[str, Any] = {}

    def do() -> str:
        authz.get_or_404(actor, "deadline_policy.read", Township, township_id)
        said.update(change_policy(actor, township_id, lane, load_input(DeadlinePolicyIn(), _policy_body())))
        if not said["changed"]:
            return "时限与现行规定相同，未作修改"
        return f"办理时限已更新，原规定已停用并留档；{said['recomputed']} 件在办案件的时限因此缩短"

    return act(
        do,
        back=_back(township_id, f"policy-{lane}"),
        failed=lambda exc: _rules_page(township_id, status=exc.status, error=exc, failed=f"policy-{lane}"),
    )


@bp.post("/rules/<int:township_id>/platform")
@page
def set_platform(township_id: int):
    """四平台对接 (the API's PUT …/platform: platform.configure; the secret never shown again)."""
    actor = viewer()

    def do() -> str:
        township = authz.get_or_404(actor, "complaint.route", Township, township_id)
        data: dict[str, object] = {k: v for k, v in request.form.items() if k not in PAGE_FIELDS and v.strip() != ""}
        data["enabled"] = data.get("enabled") == "on"
        body = load_input(PlatformConfigIn(), data)
        config = platform.configure(
            actor, township, endpoint_url=body.get("endpoint_url"), enabled=body["enabled"], secret=body.get("secret")
        )
        return "四平台对接已启用" if config.enabled else "四平台对接配置已保存（未启用）"

    return act(
        do,
        back=_back(township_id, "platform"),
        failed=lambda exc: _rules_page(township_id, status=exc.status, error=exc, failed="platform"),
    )
