"""Sticker sheets are built on the worker: large villages take a while. The sweep re-enqueues the build
of a sheet still queued or running whose job RQ no longer holds (lost with Redis, or a dead worker)."""

from __future__ import annotations

import os
from datetime import datetime

from flask import current_app

from app.domain import stickers
from app.errors import AppError
from app.extensions import db
from app.jobs import enqueue_unless_pending, in_app_context, job_options
from app.models import StickerSheet


@job_options(timeout=3600)
@in_app_context
def build_sticker_sheet(sheet_id: int) -> str | None:
    """Render sheet `sheet_id`; a finished sheet is left as it is (safe to run twice)."""
    pdf_path, preview_path = (str(p) for p in stickers.sheet_paths(current_app.instance_path, sheet_id))
    claimed = stickers.claim_build(sheet_id)
    db.session.commit()
    sheet = db.session.get(StickerSheet, sheet_id)
    if not claimed or sheet is None:
        return sheet.status if sheet else None
    wanted = stickers.sheet_stickers(sheet, public_base_url=current_app.config["PUBLIC_BASE_URL"])
    db.session.commit()

    def progress(done: int, total: int) -> None:
        stickers.note_progress(sheet_id, done)
        db.session.commit()

    try:
        with open(pdf_path + ".part", "wb") as out, open(preview_path, "wb") as preview:
            result = stickers.write(
                sheet.village, wanted, stickers.parse_layout(sheet.layout), out, preview=preview, progress=progress
            )
    except AppError as exc:
        stickers.build_failed(sheet, exc.message)
        db.session.commit()
        return sheet.status
    os.replace(pdf_path + ".part", pdf_path)  # readers never see half a file
    stickers.built(sheet, result)
    db.session.commit()
    return sheet.status


def sweep_sheets(now: datetime) -> int:
    """Sweeper: unfinished sheets get their build job again when RQ's copy is gone."""
    unfinished = stickers.unfinished(now)
    db.session.commit()
    return sum(
        enqueue_unless_pending(build_sticker_sheet, sheet_id, job_id=stickers.job_id(sheet_id))
        for sheet_id in unfinished
    )
