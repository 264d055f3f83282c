"""规则 in the console: the routing table and the deadline policies with their built-in defaults as
rows marked 默认 and their history; editing through the API's domain by the offices allowed (each
lane's clock by its own office); the four-platform connection and its deliveries."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import DeadlinePolicy, PlatformConfig, RoutingRule
from tests.helpers.console_pages import POLICY_FORM


def _section(html: str, name: str) -> str:
    return html.split(f'id="{name}"')[1].split("</section>")[0]


def _route_rows(html: str, category: str) -> list[tuple[str, str]]:
    """(default, in force) of a category's rows in the routing table."""
    return re.findall(rf'data-category="{category}" data-default="(\w+)" data-in-force="(\w+)"', html)


def test_the_routing_table_shows_the_defaults_and_a_new_rule_replaces_them(console_world, console_client):
    leader = console_client("qingshan.leader")
    township = console_world.qingshan
    html = leader.get("/console/rules").get_data(as_text=True)
    assert "规则 · 青山镇" in html
    assert _route_rows(html, "environment") == [("true", "true")]
    assert _route_rows(html, "subsidies") == [("true", "true")]  # discipline: fixed
    table = _section(html, "routes")
    assert table.count('data-default="true"') == 14 and "默认" in table and "固定" in table

    saved = leader.post(
        f"/console/rules/{township.id}/routes",
        {"category": "environment", "target": "village_role", "role": "village_director", "copy_liaison": "on"},
    )
    assert saved.status_code == 303 and saved.headers["Location"].endswith("#routes")
    html = leader.get(f"/console/rules?township_id={township.id}").get_data(as_text=True)
    assert "分派规则已保存" in html
    assert _route_rows(html, "environment") == [("true", "false"), ("false", "true")]
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.township_id == township.id))
    assert (rule.target_role, rule.copy_liaison, rule.created_by_console_account_id) == (
        "village_director",
        True,
        console_world.accounts["qingshan.leader"].id,
    )

    refused = leader.post(
        f"/console/rules/{township.id}/routes", {"category": "subsidies", "target": "township_dispatch"}
    )
    assert refused.status_code == 422
    assert 'id="routes-error" data-code="discipline_route_fixed"' in refused.get_data(as_text=True)
    missing_role = leader.post(f"/console/rules/{township.id}/routes", {"category": "other", "target": "village_role"})
    assert missing_role.status_code == 422 and 'data-code="unknown_role"' in missing_role.get_data(as_text=True)
    assert db.session.query(RoutingRule).count() == 1


def test_offices_that_do_not_route_see_no_routing_table(console_world, console_client):
    jiwei = console_client("qingshan.jiwei")
    html = jiwei.get("/console/rules").get_data(as_text=True)
    assert 'id="route-table"' not in html and "本岗位无权查看" in html and 'id="platform"' not in html
    township = console_world.qingshan
    response = jiwei.post(f"/console/rules/{township.id}/routes", {"category": "other", "target": "township_dispatch"})
    assert response.status_code == 404  # as the API: not this office's
    assert db.session.query(RoutingRule).count() == 0


def test_each_lane_is_set_by_its_own_office_and_keeps_its_history(console_world, console_client):
    township = console_world.qingshan
    dispatcher = console_client("qingshan.dispatch")
    html = dispatcher.get("/console/rules").get_data(as_text=True)
    deadlines = _section(html, "deadlines")
    assert deadlines.count('data-default="true" data-live="true"') == 2  # both lanes on the built-in defaults
    assert "修改服务类办理时限" in deadlines and "修改纪检监察类办理时限" not in deadlines

    changed = dispatcher.post(f"/console/rules/{township.id}/deadline-policies/service", POLICY_FORM)
    assert changed.status_code == 303
    html = dispatcher.get(changed.headers["Location"]).get_data(as_text=True)
    assert "办理时限已更新" in html
    service = html.split('id="policy-service"')[1].split('id="policy-discipline"')[0]
    assert re.findall(r'data-default="(\w+)" data-live="(\w+)"', service) == [("true", "false"), ("false", "true")]
    assert "2个工作日" in service and "青山镇工作人员" in service  # who set it

    same = dispatcher.post(f"/console/rules/{township.id}/deadline-policies/service", POLICY_FORM)
    assert "时限与现行规定相同，未作修改" in dispatcher.get(same.headers["Location"]).get_data(as_text=True)
    assert db.session.query(DeadlinePolicy).count() == 1

    not_theirs = dispatcher.post(f"/console/rules/{township.id}/deadline-policies/discipline", POLICY_FORM)
    assert not_theirs.status_code == 403
    assert 'id="policy-discipline-error" data-code="lane_not_yours"' in not_theirs.get_data(as_text=True)
    bad = dispatcher.post(
        f"/console/rules/{township.id}/deadline-policies/service", {**POLICY_FORM, "sign_amount": "10"}
    )
    assert bad.status_code == 422 and 'data-code="sign_after_handle"' in bad.get_data(as_text=True)
    typo = dispatcher.post(
        f"/console/rules/{township.id}/deadline-policies/service", {**POLICY_FORM, "handle_amount": "五"}
    )
    assert typo.status_code == 422 and 'data-code="validation_error"' in typo.get_data(as_text=True)

    jiwei = console_client("qingshan.jiwei")
    assert jiwei.post(f"/console/rules/{township.id}/deadline-policies/discipline", POLICY_FORM).status_code == 303
    assert db.session.query(DeadlinePolicy).count() == 2


def test_the_four_platform_connection_and_its_deliveries(console_world, console_client, four_platform):
    township = console_world.qingshan
    leader = console_client("qingshan.leader")
    no_secret = leader.post(
        f"/console/rules/{township.id}/platform", {"endpoint_url": four_platform.cases_url, "enabled": "on"}
    )
    assert no_secret.status_code == 422 and 'data-code="platform_secret_required"' in no_secret.get_data(as_text=True)
    bad_url = leader.post(f"/console/rules/{township.id}/platform", {"endpoint_url": "ftp://x", "enabled": "on"})
    assert bad_url.status_code == 422 and 'data-code="platform_url_invalid"' in bad_url.get_data(as_text=True)
    assert db.session.query(PlatformConfig).count() == 0

    saved = leader.post(
        f"/console/rules/{township.id}/platform",
        {"endpoint_url": four_platform.cases_url, "secret": four_platform.SECRET, "enabled": "on"},
    )
    assert saved.status_code == 303
    html = leader.get(saved.headers["Location"]).get_data(as_text=True)
    section = _section(html, "platform")
    assert "四平台对接已启用" in html and "已启用" in section and four_platform.cases_url in section
    assert four_platform.SECRET not in html  # never shown again
    assert f"/api/v1/townships/{township.id}/platform/updates" in section
    config = db.session.scalar(select(PlatformConfig).where(PlatformConfig.replaced_at.is_(None)))
    assert config.enabled and config.secret == four_platform.SECRET

    switched_off = leader.post(f"/console/rules/{township.id}/platform", {"endpoint_url": four_platform.cases_url})
    assert switched_off.status_code == 303
    db.session.expire_all()
    live = db.session.scalar(select(PlatformConfig).where(PlatformConfig.replaced_at.is_(None)))
    assert not live.enabled and live.secret == four_platform.SECRET  # left blank: the secret kept
    assert "配置历史（2 次）" in leader.get("/console/rules").get_data(as_text=True)


def test_the_deliveries_of_the_township_are_listed_with_their_state(
    console_world, console_client, four_platform, new_complaint
):
    township = console_world.qingshan
    leader = console_client("qingshan.leader")
    leader.post(
        f"/console/rules/{township.id}/platform",
        {"endpoint_url": four_platform.cases_url, "secret": four_platform.SECRET, "enabled": "on"},
    )
    new_complaint(console_world.villages["shanglin"], "environment", "河边有人焚烧垃圾。")
    html = leader.get("/console/rules").get_data(as_text=True)
    rows = re.findall(r'data-state="(\w+)"', _section(html, "platform"))
    assert len(rows) == 1 and rows[0] in ("pending", "sent", "acknowledged")
    failed = leader.get(f"/console/rules?township_id={township.id}&state=failed").get_data(as_text=True)
    assert re.findall(r'data-state="(\w+)"', _section(failed, "platform")) == []
    assert leader.get(f"/console/rules?township_id={township.id}&state=lost").status_code == 422
