"""Attachments of disclosure versions: cleaned by app.domain.uploads, stored by content hash."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from app.domain import authz, uploads
from app.errors import AppError, NotFound
from app.extensions import db
from app.models import Attachment, DisclosureVersion, VersionStatus

MAX_PER_VERSION = 20


def storage_path(folder: str | Path, attachment: Attachment) -> Path:
    ext = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}[attachment.media_type]
    return Path(folder) / f"{attachment.sha256}.{ext}"


def _safe_name(filename: str | None, extension: str) -> str:
    stem = re.sub(r"[^\w\u4e00-\u9fff（）()\-. ]", "", Path(filename or "").stem)[:80].strip() or "附件"
    return f"{stem}.{extension}"


def add(actor: authz.Actor, version_id: int, *, filename: str | None, data: bytes, folder: str | Path) -> Attachment:
    version = db.session.get(DisclosureVersion, version_id)
    if version is None or not authz.can(actor, "disclosure.draft", version.disclosure):
        raise NotFound()
    if version.status not in (VersionStatus.DRAFT, VersionStatus.RETURNED):
        raise AppError("version_not_editable", "已提交审核或已公开的内容不能再添加附件", kind="conflict")
    count = (
        db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.version_id == version.id)) or 0
    )
    if count >= MAX_PER_VERSION:
        raise AppError("too_many_attachments", f"每条公开最多 {MAX_PER_VERSION} 个附件", kind="unprocessable")
    cleaned = uploads.clean(data)
    attachment = Attachment(
        version_id=version.id,
        filename=_safe_name(filename, cleaned.extension),
        media_type=cleaned.media_type,
        size=len(cleaned.data),
        sha256=cleaned.sha256,
    )
    path = storage_path(folder, attachment)
    if not path.exists():
        uploads.write_atomically(path, cleaned.data)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def published_attachment(village_id: int, attachment_id: int) -> Attachment:
    """An attachment of a published version of this village's disclosures, for anyone at the door."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound()
    version = db.session.get(DisclosureVersion, attachment.version_id)
    if version is None or version.status != VersionStatus.PUBLISHED or version.disclosure.village_id != village_id:
        raise NotFound()
    return attachment


def officer_attachment(actor: authz.Actor, attachment_id: int) -> Attachment:
    """An attachment of any version (drafts and versions under review too) of a disclosure within the
    officer's reach: what the supervision committee opens while reviewing."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound()
    version = db.session.get(DisclosureVersion, attachment.version_id)
    if version is None or not authz.can(actor, "disclosure.monitor", version.disclosure):
        raise NotFound()
    return attachment
