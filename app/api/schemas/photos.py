"""Complaint photos: the villager's uploads, a case's photos, the photos held for moderation."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.api.schemas.common import ShanghaiDateTime


class PhotoOut(Schema):
    """A photo as its audience sees it: the villager's (app/domain/complaints/filer_view) or an office's
    (officer_view: cleared photos of a case, the outcome of a moderation)."""

    id = fields.Integer()
    status = fields.String(metadata={"description": "pending (being checked) | cleared | refused (never shown)"})
    width = fields.Integer()
    height = fields.Integer()
    bytes = fields.Integer(attribute="size")


class CasePhotoOut(PhotoOut):
    url = fields.Function(
        lambda p: f"/api/v1/complaint-photos/{p.id}/image",
        metadata={"description": "the image, with the same bearer token"},
    )


class HeldPhotoOut(CasePhotoOut):
    """A photo held for moderation, with its case."""

    status = fields.String(metadata={"description": "review"})
    complaint_id = fields.Integer()
    reference = fields.Function(lambda p: p.complaint.reference)
    review_reason = fields.String(metadata={"description": "wechat (WeChat asked for review) | no_answer"})
    uploaded_at = ShanghaiDateTime()
