"""Sheet layouts: A4 at 300 dpi cut into a grid of stickers, and where things go inside one sticker.

Everything here is geometry in pixels at 300 dpi; nothing is drawn. A layout is checked once, when it
is parsed: a label too small for a QR code that still scans, or for text one can read, is refused
with a Chinese message before any household is touched.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

DPI = 300
PAGE_W, PAGE_H = 2480, 3508  # A4 (210 × 297 mm) at 300 dpi


def mm(value: float) -> int:
    return round(value * DPI / 25.4)


def to_mm(px: float) -> float:
    return px * 25.4 / DPI


# Sheet margins. Printers do not print the outer ~4 mm; the bottom margin holds the footer.
MARGIN_SIDE = mm(7)
MARGIN_TOP = mm(7)
MARGIN_BOTTOM = mm(14)

# What still scans from a door with a phone: modules of at least ~0.5 mm (6 px at 300 dpi, so every
# module is a whole number of pixels) and a code of at least 41 modules with its quiet zone (version 4,
# enough for a door URL of up to 46 bytes at level Q): ≥ 20.8 mm on paper.
MIN_MODULE_PX = 6
QUIET_ZONE = 4
TYPICAL_MODULES = 33 + 2 * QUIET_ZONE
MIN_QR_PX = TYPICAL_MODULES * MIN_MODULE_PX

MIN_FONT_PX = 24  # ≈ 2 mm tall characters (≈ 6 pt): the smallest anyone should have to read
CODE_CHARS = 15  # "K7QX-M2PA-9RT4C"
MONO_ADVANCE = 0.62  # advance of one monospace character, in em
INSTRUCTION_EM = 13.6  # "扫码查看三务公开 · 反映问题"
LINE_SPACING = 1.3
MAX_GRID = 30


class LayoutError(ValueError):
    """A layout that cannot work. `.message` is Chinese and fit to show to township staff."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class TextSlot:
    box: Box
    size: int  # planned font size in pixels; text is shrunk from here to fit
    min_size: int
    lines: int = 1
    align: str = "left"  # "left" or "center"
    bold: bool = False


@dataclass(frozen=True)
class CellPlan:
    """Where each part of one sticker goes, relative to the sticker's top-left corner."""

    orientation: str  # "landscape": QR left, text right; "portrait": stacked
    width: int
    height: int
    content: Box
    qr: Box
    instruction: TextSlot
    village: TextSlot
    number: TextSlot
    address: TextSlot
    code: TextSlot
    phone: TextSlot | None


@dataclass(frozen=True)
class Layout:
    name: str
    columns: int
    rows: int
    cell_w: int  # pixels at 300 dpi
    cell_h: int
    origin_x: int  # top-left corner of the grid on the page
    origin_y: int
    page_w: int = PAGE_W
    page_h: int = PAGE_H

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def label_mm(self) -> tuple[float, float]:
        return round(to_mm(self.cell_w), 1), round(to_mm(self.cell_h), 1)

    @property
    def description(self) -> str:
        w, h = self.label_mm
        return f"{self.columns}×{self.rows}，每页 {self.per_page} 张，标签约 {w:g}×{h:g} 毫米"

    def cell_origin(self, slot: int) -> tuple[int, int]:
        row, col = divmod(slot, self.columns)
        return self.origin_x + col * self.cell_w, self.origin_y + row * self.cell_h

    def pages_for(self, count: int) -> int:
        return -(-count // self.per_page)

    def plan(self, *, with_phone: bool = True) -> CellPlan:
        return plan_cell(self.cell_w, self.cell_h, with_phone, self.name)


def _grid(name: str, columns: int, rows: int) -> Layout:
    avail_w = PAGE_W - 2 * MARGIN_SIDE
    avail_h = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
    cell_w, cell_h = avail_w // columns, avail_h // rows
    return Layout(
        name=name,
        columns=columns,
        rows=rows,
        cell_w=cell_w,
        cell_h=cell_h,
        origin_x=(PAGE_W - columns * cell_w) // 2,
        origin_y=MARGIN_TOP,
    )


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _too_small(name: str, width: int, height: int, why: str = "二维码无法可靠识别") -> LayoutError:
    w, h = to_mm(width), to_mm(height)
    return LayoutError(f"版式 {name} 的标签太小（约 {w:.0f}×{h:.0f} 毫米），{why}")


def _stack(
    rows: list[tuple[str, float, int]], x: int, y: int, w: int, h: int, u: float, align: str, bold: set[str]
) -> tuple[dict[str, TextSlot], int]:
    """Lay text rows top to bottom from y; `u` is the font unit. Returns slots and the height used."""
    slots, top = {}, y
    for key, weight, lines in rows:
        size = round(weight * u)
        row_h = round(size * LINE_SPACING)
        slots[key] = TextSlot(Box(x, top, w, row_h * lines), size, min(size, MIN_FONT_PX), lines, align, key in bold)
        top += row_h * lines
    return slots, top - y


def _spread(slots: dict[str, TextSlot], order: list[str], extra: int) -> dict[str, TextSlot]:
    """Share `extra` vertical pixels evenly between the rows in `order`."""
    if len(order) < 2 or extra <= 0:
        return slots
    step = extra / (len(order) - 1)
    out = dict(slots)
    for i, key in enumerate(order):
        s = slots[key]
        out[key] = TextSlot(
            Box(s.box.x, s.box.y + round(i * step), s.box.w, s.box.h), s.size, s.min_size, s.lines, s.align, s.bold
        )
    return out


def _landscape(name: str, width: int, height: int, with_phone: bool) -> CellPlan:
    """QR on the left, text on the right, the instruction across the top."""
    pad = round(_clamp(0.055 * height, mm(1.8), mm(5)))
    iw, ih = width - 2 * pad, height - 2 * pad
    band = round(ih * 0.16)
    gap = max(8, round(ih * 0.035))
    q = ih - band - gap
    if q < MIN_QR_PX:
        raise _too_small(name, width, height)
    instruction_size = round(min(band * 0.8, iw / INSTRUCTION_EM))
    instruction = TextSlot(
        Box(pad, pad, iw, band), instruction_size, min(instruction_size, MIN_FONT_PX), align="center", bold=True
    )
    top = pad + band + gap
    tx = pad + q + max(12, round(q * 0.06))
    tw = width - pad - tx
    # The QR's quiet zone is blank: start and end the text where the black modules do.
    inset = round(q * QUIET_ZONE / TYPICAL_MODULES * 0.6)
    th = q - 2 * inset
    rows = [("village", 1.0, 1), ("number", 1.35, 1), ("address", 1.0, 2), ("code", 1.25, 1)]
    if with_phone:
        rows.append(("phone", 0.95, 1))
    total = sum(w * n for _, w, n in rows) * LINE_SPACING
    u = min(th / total, tw / (CODE_CHARS * MONO_ADVANCE * 1.25), mm(6))
    slots, used = _stack(rows, tx, top + inset, tw, th, u, "left", {"number"})
    slots = _spread(slots, [k for k, _, _ in rows], th - used)
    plan = CellPlan(
        "landscape",
        width,
        height,
        Box(pad, pad, iw, ih),
        Box(pad, top, q, q),
        instruction,
        slots["village"],
        slots["number"],
        slots["address"],
        slots["code"],
        slots.get("phone"),
    )
    _check_text(name, plan)
    return plan


def _portrait(name: str, width: int, height: int, with_phone: bool) -> CellPlan:
    """Village and instruction on top, the QR in the middle, the rest below."""
    pad = round(_clamp(0.05 * min(width, height), mm(1.8), mm(10)))
    iw, ih = width - 2 * pad, height - 2 * pad
    top_rows = [("village", 1.0, 1), ("instruction", 1.3, 1)]
    bottom_rows = [("code", 1.15, 1), ("number", 1.0, 1), ("address", 0.9, 2)]
    if with_phone:
        bottom_rows.append(("phone", 0.85, 1))
    total = sum(w * n for _, w, n in top_rows + bottom_rows) * LINE_SPACING
    u_width = iw / (INSTRUCTION_EM * 1.3)
    u = min(u_width, ih * 0.38 / total)
    u = min(max(u, MIN_FONT_PX / 0.85), u_width)
    text_h = round(total * u)
    gap = max(8, round(ih * 0.02))
    q = min(iw, round(iw * 0.8), ih - text_h - 2 * gap)
    if q < MIN_QR_PX:
        raise _too_small(name, width, height)
    spare = ih - text_h - q - 2 * gap
    spacers = len(top_rows) + len(bottom_rows) - 2 + 2  # between rows, and either side of the QR
    extra = spare / spacers
    top_slots, top_used = _stack(top_rows, pad, pad, iw, 0, u, "center", {"instruction"})
    top_slots = _spread(top_slots, [k for k, _, _ in top_rows], round(extra * (len(top_rows) - 1)))
    qr_y = pad + top_used + round(extra * (len(top_rows) - 1)) + gap + round(extra)
    qr = Box(pad + (iw - q) // 2, qr_y, q, q)
    bottom_y = qr_y + q + gap + round(extra)
    bottom_slots, _ = _stack(bottom_rows, pad, bottom_y, iw, 0, u, "center", {"number"})
    bottom_slots = _spread(bottom_slots, [k for k, _, _ in bottom_rows], round(extra * (len(bottom_rows) - 1)))
    slots = {**top_slots, **bottom_slots}
    plan = CellPlan(
        "portrait",
        width,
        height,
        Box(pad, pad, iw, ih),
        qr,
        slots["instruction"],
        slots["village"],
        slots["number"],
        slots["address"],
        slots["code"],
        slots.get("phone"),
    )
    _check_text(name, plan)
    return plan


def _check_text(name: str, plan: CellPlan) -> None:
    for slot in (plan.instruction, plan.village, plan.number, plan.address, plan.code, plan.phone):
        if slot is not None and slot.size < MIN_FONT_PX:
            raise _too_small(name, plan.width, plan.height, "文字无法清楚印出")
    if plan.code.box.w < CODE_CHARS * MONO_ADVANCE * MIN_FONT_PX:
        raise _too_small(name, plan.width, plan.height, "放不下手动输入用的编码")
    bottom = max(
        s.box.y + s.box.h
        for s in (plan.instruction, plan.village, plan.number, plan.address, plan.code, plan.phone)
        if s is not None
    )
    if bottom > plan.height or plan.qr.y + plan.qr.h > plan.height:
        raise _too_small(name, plan.width, plan.height, "文字放不下")


@functools.lru_cache(maxsize=64)
def plan_cell(width: int, height: int, with_phone: bool, name: str = "") -> CellPlan:
    """The sticker design for a cell: landscape when the cell is clearly wider than tall."""
    designs = (_landscape, _portrait) if width >= 1.3 * height else (_portrait, _landscape)
    first_error: LayoutError | None = None
    for design in designs:
        try:
            return design(name, width, height, with_phone)
        except LayoutError as exc:
            first_error = first_error or exc
    assert first_error is not None  # every design was tried, and each raised
    raise first_error


LAYOUTS: dict[str, Layout] = {
    "3x8": _grid("3x8", 3, 8),  # 24 per page, ≈ 65×35 mm: the everyday door sticker
    "2x5": _grid("2x5", 2, 5),  # 10 per page, ≈ 98×55 mm: larger, for gates seen from a distance
    "1x1": _grid("1x1", 1, 1),  # one per page, a large QR
}

_SPEC = re.compile(r"^\s*(\d{1,3})\s*[x×X*]\s*(\d{1,3})\s*$")


def parse_layout(spec: str) -> Layout:
    """A preset by name ("3x8", "2x5", "1x1") or any "CxR" (columns × rows) filling A4.

    Raises LayoutError (Chinese `.message`) for nonsense and for labels too small to scan or read.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise LayoutError("请指定版式，例如 3x8、2x5 或 1x1")
    spec = spec.strip()
    if spec in LAYOUTS:
        return LAYOUTS[spec]
    match = _SPEC.match(spec)
    if not match:
        shown = spec if len(spec) <= 20 else spec[:20] + "…"
        raise LayoutError(f"无法识别的版式“{shown}”：请用 3x8、2x5、1x1 或 列数x行数（如 4x5）")
    columns, rows = int(match.group(1)), int(match.group(2))
    name = f"{columns}x{rows}"
    if name in LAYOUTS:
        return LAYOUTS[name]
    if columns < 1 or rows < 1:
        raise LayoutError(f"版式 {spec} 无效：列数和行数都必须至少为 1")
    if columns > MAX_GRID or rows > MAX_GRID:
        raise _too_small(name, (PAGE_W - 2 * MARGIN_SIDE) // columns, (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) // rows)
    layout = _grid(name, columns, rows)
    layout.plan(with_phone=True)
    layout.plan(with_phone=False)
    return layout
