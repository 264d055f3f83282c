"""Sticker sheets are built on the worker: large villages take a while."""
from __future__ import annotations

from flask import current_app

from app.jobs import in_app_context


@in_app_context
def build_sticker_sheet(sheet_id: int) -> str | None:
    """Render sheet `sheet_id`; a finished sheet is left as it is (safe to run twice)."""
    from app.domain import stickers

    pdf, preview = stickers.sheet_paths(current_app.instance_path, sheet_id)
    sheet = stickers.build(sheet_id, pdf_path=str(pdf), preview_path=str(preview),
                           public_base_url=current_app.config["PUBLIC_BASE_URL"])
    return sheet.status if sheet else None
