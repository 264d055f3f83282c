"""Sticker sheets: choose households, make sure each has a code, and lay them out with the qr library."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

import qr
from app import transaction
from app.clock import to_shanghai, utcnow
from app.domain import authz, household_codes
from app.errors import AppError
from app.extensions import db
from app.models import Grid, Household, StickerSheet, Village


def sheet_paths(instance_path: str, sheet_id: int) -> tuple[Path, Path]:
    """Where a built sheet's PDF and first-page preview live (the instance folder, shared by the
    web server and the worker on one machine)."""
    folder = Path(instance_path) / "sheets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{sheet_id}.pdf", folder / f"{sheet_id}.png"


def parse_layout(spec: str) -> qr.Layout:
    try:
        return qr.parse_layout(spec)
    except qr.LayoutError as exc:
        raise AppError("invalid_layout", exc.message, kind="unprocessable", fields={"layout": [exc.message]}) from exc


def select_households(
    village: Village,
    *,
    grid_number: int | None = None,
    numbers: Sequence[str] | None = None,
    household_ids: Sequence[int] | None = None,
) -> list[Household]:
    """Households of one village in print order: all of them, one grid's, or a chosen list."""
    query = select(Household).where(Household.village_id == village.id).order_by(Household.number)
    if grid_number is not None:
        grid = db.session.scalar(select(Grid).where(Grid.village_id == village.id, Grid.number == grid_number))
        if grid is None:
            raise AppError(
                "grid_not_found",
                f"{village.name}没有第 {grid_number} 网格",
                kind="not_found",
                fields={"grid": ["该村没有这个网格"]},
            )
        query = query.where(Household.grid_id == grid.id)
    if numbers is not None:
        query = query.where(Household.number.in_(list(numbers)))
    if household_ids is not None:
        query = query.where(Household.id.in_(list(household_ids)))
    households = list(db.session.scalars(query))
    wanted = numbers if numbers is not None else household_ids
    if wanted is not None:
        found = {h.number for h in households} if numbers is not None else {h.id for h in households}
        missing = [w for w in wanted if w not in found]
        if missing:
            shown = "、".join(str(m) for m in missing[:10])
            raise AppError(
                "households_not_in_village",
                f"以下住户不属于{village.name}：{shown}",
                kind="unprocessable",
                fields={"households": [f"不属于该村：{shown}"]},
            )
    if not households:
        raise AppError("empty_selection", "没有可打印的住户", kind="unprocessable")
    return households


def stickers_for(
    households: Sequence[Household], *, public_base_url: str, include_head_name: bool = False
) -> list[qr.Sticker]:
    codes = household_codes.ensure_codes(households)
    return [
        qr.Sticker(
            url=household_codes.url_for_code(public_base_url, codes[h.id]),
            code_text=household_codes.grouped(codes[h.id]),
            household_number=h.number,
            address=h.address,
            head_name=h.head_name if include_head_name else None,
        )
        for h in households
    ]


def header_for(village: Village, printed_on: date | None = None) -> qr.SheetHeader:
    return qr.SheetHeader(
        township_name=village.township.name,
        village_name=village.name,
        supervision_phone=village.township.supervision_phone,
        print_date=printed_on or to_shanghai(utcnow()).date(),
    )


def write(
    village: Village,
    stickers: list[qr.Sticker],
    layout: qr.Layout,
    out: BinaryIO,
    *,
    preview: BinaryIO | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> qr.SheetResult:
    try:
        return qr.write_sheet(
            stickers, header_for(village), layout, out, total=len(stickers), progress=progress, preview=preview
        )
    except qr.FontNotFound as exc:
        raise AppError("font_missing", str(exc), kind="unavailable") from exc


def request_sheet(
    actor: authz.Actor,
    *,
    village_id: int,
    layout: str,
    grid_number: int | None = None,
    household_ids: Sequence[int] | None = None,
    include_head_name: bool = False,
    public_base_url: str,
) -> StickerSheet:
    """Township staff ask for a village's sheet. Codes are issued now, so the job only reads."""
    village = authz.get_or_404(actor, "stickers.print", Village, village_id)
    parse_layout(layout)
    households = select_households(village, grid_number=grid_number, household_ids=household_ids)
    household_codes.ensure_codes(households)
    grid_id = households[0].grid_id if grid_number is not None else None
    sheet = StickerSheet(
        requested_by_account_id=actor.console_account_id,
        township_id=village.township_id,
        village_id=village.id,
        grid_id=grid_id,
        household_ids=[h.id for h in households],
        layout=layout,
        include_head_name=include_head_name,
        progress_total=len(households),
    )
    db.session.add(sheet)
    db.session.flush()
    transaction.intend(db.session(), BUILD_JOB, sheet.id, job_id=job_id(sheet.id))  # built once committed
    return sheet


BUILD_JOB = "stickers.build_sheet"
GIVE_UP_AFTER = timedelta(hours=2)  # a sheet still unfinished this long after it was asked for has failed


def job_id(sheet_id: int) -> str:
    """The build's RQ job id: the sweep can tell whether it is still on its way."""
    return f"sticker-sheet-{sheet_id}"


def claim_build(sheet_id: int) -> bool:
    """Start (or start again) building a sheet; a finished sheet is left alone. The builder (app.jobs.
    stickers) commits the claim, then the progress, then the outcome."""
    # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed as returning Result.
    result = cast(
        CursorResult[()],
        db.session.execute(
            update(StickerSheet)
            .where(StickerSheet.id == sheet_id, StickerSheet.status != "done")
            .values(status="running", progress_done=0, error_message=None)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount == 1


def sheet_stickers(sheet: StickerSheet, *, public_base_url: str) -> list[qr.Sticker]:
    households = list(
        db.session.scalars(select(Household).where(Household.id.in_(sheet.household_ids)).order_by(Household.number))
    )
    return stickers_for(households, public_base_url=public_base_url, include_head_name=sheet.include_head_name)


def note_progress(sheet_id: int, done: int) -> None:
    db.session.execute(
        update(StickerSheet)
        .where(StickerSheet.id == sheet_id)
        .values(progress_done=done)
        .execution_options(synchronize_session=False)
    )


def built(sheet: StickerSheet, result: qr.SheetResult) -> None:
    sheet.status, sheet.pages, sheet.progress_done = "done", result.pages, result.stickers
    sheet.finished_at = utcnow()


def build_failed(sheet: StickerSheet, message: str) -> None:
    sheet.status, sheet.error_message = "failed", message[:300]


def unfinished(now: datetime, limit: int = 200) -> list[int]:
    """The database truth behind the build jobs: sheets still queued or running, whose job the sweep
    enqueues again if RQ no longer holds it (lost with Redis, or its worker died). A sheet asked for
    more than GIVE_UP_AFTER ago is marked failed instead (its build keeps failing): asked for again,
    it is a new sheet."""
    db.session.execute(
        update(StickerSheet)
        .where(StickerSheet.status.in_(("queued", "running")), StickerSheet.created_at < now - GIVE_UP_AFTER)
        .values(status="failed", error_message="生成超时，请重新生成")
        .execution_options(synchronize_session=False)
    )
    return list(
        db.session.scalars(
            select(StickerSheet.id)
            .where(StickerSheet.status.in_(("queued", "running")))
            .order_by(StickerSheet.id)
            .limit(limit)
        )
    )


def get_sheet(actor: authz.Actor, sheet_id: int) -> StickerSheet:
    return authz.get_or_404(actor, "stickers.print", StickerSheet, sheet_id)
