"""Draft → review by the supervision committee → published; corrections are new versions.

Who may do what (see app/domain/authz.py): village cadres draft, edit and submit; members of the
village supervision committee (村监会 / 民主理财小组) approve or return — never their own draft.
Approval publishes. A published version is never edited: a correction is a new version with a
public reason, reviewed the same way; the earlier versions stay readable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Required, TypedDict

from sqlalchemy import func, select

from app.clock import utcnow
from app.domain import authz, landing
from app.domain.disclosures import chain, periods
from app.domain.disclosures.masking import mask
from app.errors import AppError, NotFound
from app.extensions import db
from app.models import Category, Disclosure, DisclosureVersion, ItemType, Role, RoleAssignment, VersionStatus, Village

S = VersionStatus


class LineItemEntry(TypedDict, total=False):
    """A finance line as entered (amounts left out are 0)."""

    label: Required[str]
    income_fen: int
    expense_fen: int


class LineItem(TypedDict):
    label: str
    income_fen: int
    expense_fen: int


def _line_items(
    category: Category, items: Sequence[LineItemEntry] | None, declared: Mapping[str, int] | None
) -> list[LineItem] | None:
    """Finance tables: money in integer fen, declared totals must equal the sums."""
    if not items:
        if category is Category.FINANCE:
            raise AppError(
                "line_items_required", "财务公开须填写收支明细", kind="unprocessable", fields={"line_items": ["必填"]}
            )
        return None
    rows: list[LineItem] = [
        {"label": mask(i["label"]), "income_fen": i.get("income_fen", 0), "expense_fen": i.get("expense_fen", 0)}
        for i in items
    ]
    if declared:
        sums = {"income_fen": sum(r["income_fen"] for r in rows), "expense_fen": sum(r["expense_fen"] for r in rows)}
        wrong = {
            k: [f"合计应为 {sums[k] / 100:.2f} 元"]
            for k in ("income_fen", "expense_fen")
            if k in declared and declared[k] != sums[k]
        }
        if wrong:
            raise AppError(
                "totals_mismatch", "合计金额与明细之和不符，请核对", kind="unprocessable", fields={"totals": wrong}
            )
    return rows


def create(
    actor: authz.Actor,
    *,
    village_id: int,
    item_type_id: int,
    period: str,
    title: str,
    body: str,
    line_items: Sequence[LineItemEntry] | None = None,
    totals: Mapping[str, int] | None = None,
) -> DisclosureVersion:
    village = authz.get_or_404(actor, "disclosure.draft", Village, village_id)
    item_type = db.session.get(ItemType, item_type_id)
    if item_type is None or item_type.township_id != village.township_id or not item_type.active:
        raise AppError(
            "item_type_invalid",
            "公开事项不在本镇（街道）的公开目录中",
            kind="unprocessable",
            fields={"item_type_id": ["不在公开目录中"]},
        )
    try:
        parsed = periods.parse(item_type.frequency, period)
    except ValueError as exc:
        raise AppError("period_invalid", str(exc), kind="unprocessable", fields={"period": [str(exc)]}) from exc
    exists = db.session.scalar(
        select(Disclosure.id).where(
            Disclosure.village_id == village.id,
            Disclosure.item_type_id == item_type.id,
            Disclosure.period == parsed.label,
        )
    )
    if exists:
        raise AppError("disclosure_exists", "本期该事项已有公开记录，请在原记录上修改或更正", kind="conflict")
    category = Category(item_type.category)
    rows = _line_items(category, line_items, totals)
    disclosure = Disclosure(
        village_id=village.id,
        item_type_id=item_type.id,
        category=category.value,
        period=parsed.label,
        created_by_user_id=actor.user_id,
    )
    db.session.add(disclosure)
    db.session.flush()
    version = DisclosureVersion(
        disclosure_id=disclosure.id,
        number=1,
        title=mask(title),
        body=mask(body),
        line_items=rows,
        drafted_by_user_id=actor.user_id,
    )
    db.session.add(version)
    db.session.flush()
    return version


def _version_for(actor: authz.Actor, action: str, version_id: int) -> DisclosureVersion:
    version = db.session.get(DisclosureVersion, version_id)
    if version is None or not authz.can(actor, action, version.disclosure):
        raise NotFound()
    return version


def edit(
    actor: authz.Actor,
    version_id: int,
    *,
    title: str | None = None,
    body: str | None = None,
    line_items: Sequence[LineItemEntry] | None = None,
    totals: Mapping[str, int] | None = None,
) -> DisclosureVersion:
    version = _version_for(actor, "disclosure.draft", version_id)
    if version.status not in (S.DRAFT, S.RETURNED):
        raise AppError(
            "version_not_editable", "已提交审核或已公开的内容不能修改；已公开的内容请发起更正", kind="conflict"
        )
    if title is not None:
        version.title = mask(title)
    if body is not None:
        version.body = mask(body)
    if line_items is not None:
        version.line_items = _line_items(Category(version.disclosure.category), line_items, totals)
    version.status = S.DRAFT.value
    return version


def submit(actor: authz.Actor, version_id: int) -> DisclosureVersion:
    version = _version_for(actor, "disclosure.draft", version_id)
    if version.status not in (S.DRAFT, S.RETURNED):
        raise AppError("version_not_submittable", "只有草稿或被退回的内容可以提交审核", kind="conflict")
    version.status, version.submitted_at = S.IN_REVIEW.value, utcnow()
    return version


def _reviewable(actor: authz.Actor, version_id: int) -> DisclosureVersion:
    version = _version_for(actor, "disclosure.review", version_id)
    if version.status != S.IN_REVIEW:
        raise AppError("version_not_in_review", "该内容不在待审核状态", kind="conflict")
    if actor.user_id is not None and actor.user_id == version.drafted_by_user_id:
        raise AppError("own_draft", "不能审核自己起草的内容", kind="forbidden")
    version.reviewer_name = _member_name(actor, version.disclosure.village_id)
    return version


def _member_name(actor: authz.Actor, village_id: int) -> str | None:
    """The name on the actor's running supervision-committee term in the village (None if unnamed)."""
    terms = [g.assignment_id for g in actor.grants if g.role == Role.SUPERVISION_MEMBER and g.village_id == village_id]
    if not terms:
        return None
    return db.session.scalar(
        select(RoleAssignment.holder_name)
        .where(RoleAssignment.id.in_(terms), RoleAssignment.holder_name.is_not(None))
        .order_by(RoleAssignment.id)
        .limit(1)
    )


def returned_snapshot(version: DisclosureVersion, comment: str) -> dict[str, object]:
    """What the committee saw when it returned the version. Edits are made in place, so the next
    review compares the resubmitted content with this (attachments are only ever added: their ids
    tell the new ones)."""
    return {
        "title": version.title,
        "body": version.body,
        "line_items": version.line_items,
        "attachment_ids": [a.id for a in version.attachments],
        "comment": comment,
    }


def return_for_changes(actor: authz.Actor, version_id: int, comment: str) -> DisclosureVersion:
    version = _reviewable(actor, version_id)
    version.returned_content = returned_snapshot(version, comment)
    version.status, version.review_comment = S.RETURNED.value, comment
    version.reviewed_by_user_id, version.reviewed_at = actor.user_id, utcnow()
    return version


def approve(actor: authz.Actor, version_id: int, comment: str | None = None) -> DisclosureVersion:
    """Approval publishes: the version becomes what villagers read and joins the hash chain."""
    version = _reviewable(actor, version_id)
    now = utcnow()
    version.status, version.review_comment = S.PUBLISHED.value, comment
    version.reviewed_by_user_id, version.reviewed_at, version.published_at = actor.user_id, now, now
    db.session.flush()
    chain.append(version)
    disclosure = version.disclosure
    landing.touch_village(disclosure.village_id)  # the door-code landing shows the latest five
    disclosure.published_version_id = version.id
    if disclosure.first_published_at is None:
        disclosure.first_published_at = now
    return version


def correct(
    actor: authz.Actor,
    disclosure_id: int,
    *,
    reason: str,
    title: str | None = None,
    body: str | None = None,
    line_items: Sequence[LineItemEntry] | None = None,
    totals: Mapping[str, int] | None = None,
) -> DisclosureVersion:
    """Start a correction of a published disclosure: a new draft version with a public reason."""
    disclosure = authz.get_or_404(actor, "disclosure.draft", Disclosure, disclosure_id)
    base = disclosure.published_version
    if base is None:
        raise AppError("not_published", "尚未公开的内容直接修改草稿即可，无需更正", kind="conflict")
    pending = db.session.scalar(
        select(DisclosureVersion.id).where(
            DisclosureVersion.disclosure_id == disclosure.id,
            DisclosureVersion.status.in_([S.DRAFT.value, S.IN_REVIEW.value, S.RETURNED.value]),
        )
    )
    if pending:
        raise AppError("correction_pending", "已有一份更正在办理中", kind="conflict")
    number = (
        db.session.scalar(
            select(func.max(DisclosureVersion.number)).where(DisclosureVersion.disclosure_id == disclosure.id)
        )
        or 0
    ) + 1
    version = DisclosureVersion(
        disclosure_id=disclosure.id,
        number=number,
        correction_reason=mask(reason),
        title=mask(title) if title is not None else base.title,
        body=mask(body) if body is not None else base.body,
        line_items=(
            _line_items(Category(disclosure.category), line_items, totals)
            if line_items is not None
            else base.line_items
        ),
        drafted_by_user_id=actor.user_id,
    )
    db.session.add(version)
    db.session.flush()
    return version
