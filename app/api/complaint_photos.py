"""Complaint photos: villagers upload before filing; offices and the filer fetch images within the
complaint's scope; township moderators decide on held photos; WeChat downloads what it checks."""

from __future__ import annotations

from flask import current_app, request

from app.api import bp, files
from app.api.endpoint import current_actor, endpoint
from app.api.schemas.photos import CasePhotoOut, HeldPhotoOut, PhotoOut
from app.domain import uploads
from app.domain.complaints import filer_view, officer_view, photos
from app.errors import AppError
from app.extensions import db, get_redis
from app.models import WxUser

_UPLOAD_ERRORS = [
    "file_missing",
    "file_empty",
    "unsupported_file_type",
    "file_too_large",
    "image_too_large",
    "file_damaged",
    "rate_limited",
]


def _folder() -> str:
    return current_app.config["COMPLAINT_PHOTO_DIR"]


def _send(photo):
    path = photos.storage_path(_folder(), photo)
    # evidence of a complaint: no shared caches
    return files.download(path, media_type=photo.media_type, filename=f"photo-{photo.id}{path.suffix}", private=True)


@bp.post("/complaint-photos")
@endpoint(
    tags=["villager"],
    summary="上传反映问题的照片（提交反映前；每条最多 9 张，经微信图片安全检测后才对办理人可见）",
    auth="wx",
    response=PhotoOut(),
    status=201,
    upload=True,
    errors=_UPLOAD_ERRORS,
)
def upload_complaint_photo():
    upload = request.files.get("file")
    if upload is None:
        raise AppError("file_missing", "请选择要上传的照片", kind="unprocessable", fields={"file": ["必填"]})
    data = upload.read(uploads.MAX_IMAGE_BYTES + 1)
    photo = photos.upload(db.session.get_one(WxUser, current_actor().id), data, folder=_folder(), redis=get_redis())
    return filer_view.project_photo(photo)


@bp.get("/complaint-photos/<int:photo_id>/image")
@endpoint(
    tags=["villager", "cadre", "township", "county"],
    summary="查看反映问题的照片（与案件相同的查看范围）",
    produces="image/jpeg",
)
def complaint_photo_image(photo_id: int):
    return _send(photos.viewable(current_actor(), photo_id))


@bp.get(photos.FETCH_PATH.removeprefix(bp.url_prefix or "") + "<token>")
@endpoint(
    tags=["system"],
    summary="供微信图片安全检测下载待检照片（随机令牌，检测结果返回后失效）",
    auth=None,
    produces="image/jpeg",
)
def complaint_photo_for_wechat(token: str):
    return _send(photos.for_wechat(token))


# ---- moderation of held photos (township dispatcher; county staff for cases about township staff) ----
@bp.get("/complaint-photos/held")
@endpoint(tags=["township", "county"], summary="待人工审核的照片", auth="console", response=HeldPhotoOut(many=True))
def held_complaint_photos():
    return [officer_view.project_photo(p) for p in photos.held(current_actor())]


@bp.post("/complaint-photos/<int:photo_id>/clear")
@endpoint(
    tags=["township", "county"],
    summary="照片审核通过（办理人可见）",
    auth="console",
    response=CasePhotoOut(),
    errors=["photo_not_held"],
)
def clear_complaint_photo(photo_id: int):
    return officer_view.project_photo(photos.moderate(current_actor(), photo_id, clear=True, folder=_folder()))


@bp.post("/complaint-photos/<int:photo_id>/refuse")
@endpoint(
    tags=["township", "county"],
    summary="照片审核不通过（删除，任何人不可见）",
    auth="console",
    response=CasePhotoOut(),
    errors=["photo_not_held"],
)
def refuse_complaint_photo(photo_id: int):
    return officer_view.project_photo(photos.moderate(current_actor(), photo_id, clear=False, folder=_folder()))
