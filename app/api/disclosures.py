"""Three-affairs disclosures: drafting and review for cadres, reading for villagers (by door code),
reach and the statutory calendar for officers, and public verification of the hash chain."""

from __future__ import annotations

import os

from flask import current_app, request
from sqlalchemy import select

from app.api import bp, files
from app.api.endpoint import current_actor, endpoint
from app.api.schemas.complaints import ReasonIn
from app.api.schemas.disclosures import (
    AttachmentOut,
    CalendarIn,
    CalendarRowOut,
    CorrectionIn,
    DisclosureDetailOut,
    DisclosureDraftIn,
    DisclosureEditIn,
    DisclosureListIn,
    DisclosurePageOut,
    ItemTypeOut,
    OfficerDisclosureListIn,
    OfficerDisclosureOut,
    ReachOut,
    ReturnIn,
    ReviewIn,
    VerificationOut,
    VersionOut,
    VillageReachOut,
    VillageWarningOut,
)
from app.api.schemas.questions import (
    AnswerIn,
    AskedQuestionOut,
    ModeratedQuestionOut,
    OfficerQuestionOut,
    QuestionIn,
    QuestionOut,
)
from app.clock import utcnow
from app.domain import authz, household_codes, uploads
from app.domain.disclosures import (
    attachments,
    browse,
    calendar,
    chain,
    door,
    question_view,
    questions,
    reach,
    workflow,
    worklist,
)
from app.errors import AppError, NotFound
from app.extensions import db, get_redis
from app.models import Disclosure, ItemType, Township, Village, WxUser
from app.wechat.current import wechat


def _edits(body: dict) -> dict:
    return {k: body[k] for k in ("title", "body", "line_items", "totals") if k in body}


# ---- catalogue ----
@bp.get("/townships/<int:township_id>/catalogue")
@endpoint(tags=["cadre", "township"], summary="本镇（街道）三务公开目录", response=ItemTypeOut(many=True))
def catalogue(township_id: int):
    actor = current_actor()
    visible = db.session.scalar(
        select(Village.id)
        .where(Village.township_id == township_id, authz.scoped(actor, "disclosure.monitor", Village))
        .limit(1)
    )
    if visible is None:
        raise NotFound()
    return db.session.scalars(
        select(ItemType)
        .where(ItemType.township_id == township_id, ItemType.active.is_(True))
        .order_by(ItemType.category, ItemType.id)
    ).all()


# ---- workflow (cadres and the supervision committee) ----
@bp.post("/disclosures")
@endpoint(
    tags=["cadre"],
    summary="起草公开内容（草稿）",
    auth="wx",
    body=DisclosureDraftIn(),
    response=VersionOut(),
    status=201,
    errors=["item_type_invalid", "period_invalid", "disclosure_exists", "totals_mismatch", "line_items_required"],
)
def draft_disclosure(body):
    return workflow.create(
        current_actor(),
        village_id=body["village_id"],
        item_type_id=body["item_type_id"],
        period=body["period"],
        **_edits(body),
    )


@bp.patch("/disclosure-versions/<int:version_id>")
@endpoint(
    tags=["cadre"],
    summary="修改草稿或被退回的内容",
    auth="wx",
    body=DisclosureEditIn(),
    response=VersionOut(),
    errors=["version_not_editable", "totals_mismatch"],
)
def edit_version(version_id: int, body):
    return workflow.edit(current_actor(), version_id, **_edits(body))


@bp.post("/disclosure-versions/<int:version_id>/submit")
@endpoint(
    tags=["cadre"],
    summary="提交村务监督委员会审核",
    auth="wx",
    response=VersionOut(),
    errors=["version_not_submittable"],
)
def submit_version(version_id: int):
    return workflow.submit(current_actor(), version_id)


@bp.post("/disclosure-versions/<int:version_id>/approve")
@endpoint(
    tags=["cadre"],
    summary="村务监督委员会审核通过并公开",
    auth="wx",
    body=ReviewIn(),
    response=VersionOut(),
    errors=["version_not_in_review", "own_draft"],
)
def approve_version(version_id: int, body):
    return workflow.approve(current_actor(), version_id, body.get("comment"))


@bp.post("/disclosure-versions/<int:version_id>/return")
@endpoint(
    tags=["cadre"],
    summary="村务监督委员会退回修改（附意见）",
    auth="wx",
    body=ReturnIn(),
    response=VersionOut(),
    errors=["version_not_in_review", "own_draft"],
)
def return_version(version_id: int, body):
    return workflow.return_for_changes(current_actor(), version_id, body["comment"])


@bp.post("/disclosures/<int:disclosure_id>/corrections")
@endpoint(
    tags=["cadre"],
    summary="更正已公开内容（新版本，公开更正理由）",
    auth="wx",
    body=CorrectionIn(),
    response=VersionOut(),
    status=201,
    errors=["not_published", "correction_pending"],
)
def correct_disclosure(disclosure_id: int, body):
    return workflow.correct(current_actor(), disclosure_id, reason=body["reason"], **_edits(body))


@bp.get("/villages/<int:village_id>/disclosures")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="本村全部公开记录（含草稿与审核中）",
    query=OfficerDisclosureListIn(),
    response=OfficerDisclosureOut(many=True),
)
def officer_disclosures(village_id: int, query):
    authz.get_or_404(current_actor(), "disclosure.monitor", Village, village_id)
    return worklist.village_disclosures(
        village_id,
        category=query.get("category"),
        period=query.get("period"),
        stage=query.get("stage"),
        page=query["page"],
        per_page=query["per_page"],
    )


@bp.get("/disclosures/<int:disclosure_id>")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="一条公开记录的全部版本（含草稿、审核中与退回意见）",
    response=OfficerDisclosureOut(),
)
def officer_disclosure(disclosure_id: int):
    return authz.get_or_404(current_actor(), "disclosure.monitor", Disclosure, disclosure_id)


# ---- villagers, from the door code ----
@bp.get("/h/<code>/disclosures")
@endpoint(
    tags=["villager"],
    summary="本村已公开内容（按类别、期间筛选，新的在前；标出本户是否已阅）",
    auth=None,
    query=DisclosureListIn(),
    response=DisclosurePageOut(),
    errors=["household_code_void"],
)
def villager_disclosures(code: str, query):
    household, items, total = door.listing(
        code,
        category=query.get("category"),
        period=query.get("period"),
        page=query["page"],
        per_page=query["per_page"],
    )
    return {
        "items": browse.marked_for(household, items),
        "total": total,
        "page": query["page"],
        "per_page": query["per_page"],
    }


@bp.get("/h/<code>/disclosures/<int:disclosure_id>")
@endpoint(
    tags=["villager"],
    summary="公开内容详情（含历次更正）；记录本户已阅",
    auth=None,
    response=DisclosureDetailOut(),
    errors=["household_code_void"],
)
def villager_disclosure(code: str, disclosure_id: int):
    return door.opened(code, disclosure_id)[1]


# ---- reach, calendar, warnings ----
@bp.get("/disclosures/<int:disclosure_id>/reach")
@endpoint(tags=["cadre", "township", "county"], summary="一条公开的到达率（已阅户数 / 全村户数）", response=ReachOut())
def disclosure_reach(disclosure_id: int):
    actor = current_actor()
    disclosure = authz.get_or_404(actor, "disclosure.monitor", Disclosure, disclosure_id)
    reached = reach.reach_of(actor, [disclosure])[disclosure.id]
    total = reach.households_in(actor, disclosure.village_id)
    return {
        "disclosure_id": disclosure.id,
        "households_reached": reached,
        "households_total": total,
        "ratio": reached / total if total else 0.0,
    }


@bp.get("/villages/<int:village_id>/reach")
@endpoint(tags=["cadre", "township", "county"], summary="本村公开到达情况", response=VillageReachOut())
def village_reach(village_id: int):
    actor = current_actor()
    authz.get_or_404(actor, "disclosure.monitor", Village, village_id)
    disclosures = db.session.scalars(
        select(Disclosure)
        .where(Disclosure.village_id == village_id, Disclosure.published_version_id.is_not(None))
        .order_by(Disclosure.first_published_at.desc())
    ).all()
    counts = reach.reach_of(actor, list(disclosures))
    summary = reach.village_summary(actor, village_id)
    total = summary["households_total"]
    return {
        **summary,
        "disclosures": [
            {
                "disclosure_id": d.id,
                "households_reached": counts[d.id],
                "households_total": total,
                "ratio": counts[d.id] / total if total else 0.0,
            }
            for d in disclosures
        ],
    }


@bp.get("/villages/<int:village_id>/calendar")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="法定公开日历：应公开、逾期、缺失",
    query=CalendarIn(),
    response=CalendarRowOut(many=True),
)
def village_calendar(village_id: int, query):
    village = authz.get_or_404(current_actor(), "disclosure.monitor", Village, village_id)
    return calendar.recent(village, now=utcnow(), since=query.get("since"))


@bp.get("/townships/<int:township_id>/disclosure-warnings")
@endpoint(tags=["township", "county"], summary="各村公开逾期预警", response=VillageWarningOut(many=True))
def township_warnings(township_id: int):
    actor = current_actor()
    authz.get_or_404(actor, "township.read", Township, township_id)
    villages = db.session.scalars(select(Village).where(Village.township_id == township_id).order_by(Village.code))
    return calendar.warnings(actor, list(villages), now=utcnow())


# ---- verification: anyone may check a disclosure against the chain ----
@bp.get("/disclosures/<int:disclosure_id>/verify")
@endpoint(
    tags=["villager", "cadre", "township", "county"],
    summary="核验公开内容未被篡改（哈希链）",
    auth=None,
    response=VerificationOut(),
)
def verify_disclosure(disclosure_id: int):
    disclosure = db.session.scalar(
        select(Disclosure).where(Disclosure.id == disclosure_id, Disclosure.published_version_id.is_not(None))
    )
    if disclosure is None:
        raise NotFound()
    result = chain.verify(disclosure.id)
    return {"ok": result.ok, "entries": result.entries, "problems": result.problems}


# ---- attachments ----
def _attachment_folder() -> str:
    return os.path.join(current_app.instance_path, "attachments")


@bp.post("/disclosure-versions/<int:version_id>/attachments")
@endpoint(
    tags=["cadre"],
    summary="上传附件（JPG、PNG、PDF；图片会重新编码并去除元数据）",
    auth="wx",
    response=AttachmentOut(),
    status=201,
    upload=True,
    errors=[
        "unsupported_file_type",
        "file_too_large",
        "image_too_large",
        "file_damaged",
        "file_active_content",
        "file_encrypted",
        "file_too_complex",
        "version_not_editable",
        "file_missing",
    ],
)
def upload_attachment(version_id: int):
    upload = request.files.get("file")
    if upload is None:
        raise AppError("file_missing", "请选择要上传的文件", kind="unprocessable", fields={"file": ["必填"]})
    data = upload.read(uploads.MAX_IMAGE_BYTES + 1)
    return attachments.add(
        current_actor(), version_id, filename=upload.filename, data=data, folder=_attachment_folder()
    )


@bp.get("/h/<code>/attachments/<int:attachment_id>")
@endpoint(
    tags=["villager"],
    summary="查看已公开内容的附件",
    auth=None,
    produces="application/octet-stream",
    errors=["household_code_void"],
)
def villager_attachment(code: str, attachment_id: int):
    household = household_codes.resolve_or_void(code)
    attachment = attachments.published_attachment(household.village_id, attachment_id)
    return files.download(
        attachments.storage_path(_attachment_folder(), attachment),
        media_type=attachment.media_type,
        filename=attachment.filename,
    )


@bp.get("/disclosure-attachments/<int:attachment_id>")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="查看附件（含草稿与审核中的版本；本村干部、村务监督委员会及上级）",
    produces="application/octet-stream",
)
def officer_attachment(attachment_id: int):
    attachment = attachments.officer_attachment(current_actor(), attachment_id)
    return files.download(
        attachments.storage_path(_attachment_folder(), attachment),
        media_type=attachment.media_type,
        filename=attachment.filename,
        private=True,  # a draft's file: kept out of shared caches
    )


# ---- public questions (质询) ----
@bp.post("/h/<code>/disclosures/<int:disclosure_id>/questions")
@endpoint(
    tags=["villager"],
    summary="对公开内容提出质询（身份不公开；实名只给答复的干部看）",
    auth="wx",
    body=QuestionIn(),
    response=AskedQuestionOut(),
    status=201,
    errors=["household_code_void", "content_refused", "rate_limited", "content_check_unavailable"],
)
def ask_question(code: str, disclosure_id: int, body):
    household = household_codes.resolve_or_void(code)
    question = questions.ask(
        db.session.get_one(WxUser, current_actor().id),
        household,
        disclosure_id,
        body["body"],
        asker_name=body.get("real_name"),
        reply_days=current_app.config["QUESTION_REPLY_DAYS"],
        wechat=wechat(),
        redis=get_redis(),
    )
    return question_view.for_asker(question, utcnow())


@bp.get("/me/disclosure-questions")
@endpoint(
    tags=["villager"],
    summary="我的质询：状态、答复期限与答复",
    auth="wx",
    response=AskedQuestionOut(many=True),
)
def my_questions():
    return question_view.for_asker_all(questions.asked_by(current_actor()), utcnow())


@bp.get("/h/<code>/disclosures/<int:disclosure_id>/questions")
@endpoint(
    tags=["villager"],
    summary="本条公开的质询与答复",
    auth=None,
    response=QuestionOut(many=True),
    errors=["household_code_void"],
)
def list_questions(code: str, disclosure_id: int):
    return door.shown_questions(code, disclosure_id)


@bp.post("/disclosure-questions/<int:question_id>/answer")
@endpoint(
    tags=["cadre"],
    summary="答复质询（提问人会收到订阅消息）",
    auth="wx",
    body=AnswerIn(),
    response=OfficerQuestionOut(),
    errors=["already_answered"],
)
def answer_question(question_id: int, body):
    return question_view.for_officer(questions.answer(current_actor(), question_id, body["answer"]), utcnow())


@bp.get("/villages/<int:village_id>/disclosure-questions")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="本村质询（含逾期未答复）",
    response=OfficerQuestionOut(many=True),
)
def village_questions(village_id: int):
    authz.get_or_404(current_actor(), "disclosure.monitor", Village, village_id)
    return question_view.for_officers(questions.village_questions(village_id), utcnow())


# ---- township moderation of held questions ----
@bp.get("/townships/<int:township_id>/held-questions")
@endpoint(
    tags=["township", "county"],
    summary="待审核的质询（内容安全检测要求人工审核）",
    auth="console",
    response=ModeratedQuestionOut(many=True),
)
def held_questions(township_id: int):
    actor = current_actor()
    authz.get_or_404(actor, "township.read", Township, township_id)
    return question_view.project_all(questions.held_in_township(actor, township_id), utcnow())


@bp.post("/disclosure-questions/<int:question_id>/release")
@endpoint(
    tags=["township", "county"],
    summary="审核通过质询（公开，答复期自此起算）",
    auth="console",
    response=ModeratedQuestionOut(),
    errors=["question_not_held"],
)
def release_question(question_id: int):
    question = questions.release(current_actor(), question_id, reply_days=current_app.config["QUESTION_REPLY_DAYS"])
    return question_view.project(question, utcnow())


@bp.post("/disclosure-questions/<int:question_id>/reject")
@endpoint(
    tags=["township", "county"],
    summary="审核不通过质询（不公开，理由留档）",
    auth="console",
    body=ReasonIn(),
    response=ModeratedQuestionOut(),
    errors=["question_not_held"],
)
def reject_question(question_id: int, body):
    return question_view.project(questions.reject(current_actor(), question_id, body["reason"]), utcnow())
