"""Sticker sheets (一户一码): one QR sticker per household door, laid out on A4 and streamed to a PDF.

Pages are rendered in a pool of worker processes (one per core) and written by the parent in page
order as they come back, with a bounded number of pages in flight: memory stays flat however many
households a village has. Everything that is the same on every sticker of the sheet (instruction,
village name, supervision phone, cut marks, footer) is drawn once per worker into a page template;
per sticker only the QR and three short lines of text are drawn.
"""

from __future__ import annotations

import collections
import datetime
import itertools
import multiprocessing
import os
import re
import signal
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import qrcode
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_Q

from qr.fonts import FontFace, FontSet, find_fonts
from qr.layout import DPI, MARGIN_BOTTOM, MIN_MODULE_PX, QUIET_ZONE, CellPlan, Layout, LayoutError, TextSlot, mm
from qr.pdf import StreamingPdfWriter
from qr.text import GLYPHS

EMPTY_MESSAGE = "没有可打印的住户"
ERROR_LEVELS = {"Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
COMPRESS_LEVEL = 3  # 6 makes pages 13% smaller at 2.5× the time
ELLIPSIS = "…"


@dataclass(frozen=True)
class Sticker:
    """One household door."""

    url: str  # what the QR encodes
    code_text: str  # the code grouped for manual entry, e.g. "K7QX-M2PA-9RT4C"
    household_number: str  # 户号
    address: str
    head_name: str | None = None  # printed only when given: stickers face the street


@dataclass(frozen=True)
class SheetHeader:
    """The same for every sticker of one sheet (one village)."""

    township_name: str
    village_name: str
    supervision_phone: str | None
    print_date: datetime.date
    instruction: str = "扫码查看三务公开 · 反映问题"

    @property
    def place(self) -> str:
        return f"{self.township_name} {self.village_name}".strip()


@dataclass(frozen=True)
class SheetResult:
    pages: int
    stickers: int


class EmptySheet(ValueError):
    """Nothing to print."""

    def __init__(self, message: str = EMPTY_MESSAGE):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------- text

_TOKEN = re.compile(r"[0-9A-Za-z\-_.#/]+|.", re.S)
_NATURAL_BREAK = set("省市县区镇乡街村组社队路巷弄号栋幢楼单元室")


def _width(face: FontFace, size: int, text: str) -> float:
    return GLYPHS.width(face, size, text)


def _largest_fitting(face: FontFace, text: str, width: int, size: int, floor: int) -> int | None:
    """The largest size from `size` down to `floor` at which `text` fits in `width` pixels."""
    full = _width(face, size, text)
    if full <= width:
        return size
    guess = min(size - 1, int(size * width / full) + 1)
    for s in range(guess, floor - 1, -1):
        if _width(face, s, text) <= width:
            return s
    return None


def _ellipsize_end(face: FontFace, size: int, text: str, width: int) -> str:
    for cut in range(len(text) - 1, 0, -1):
        candidate = text[:cut].rstrip() + ELLIPSIS
        if _width(face, size, candidate) <= width:
            return candidate
    return ELLIPSIS


def _fit_one_line(face: FontFace, slot: TextSlot, text: str, width: int | None = None) -> tuple[list[str], int]:
    width = width or slot.box.w
    size = _largest_fitting(face, text, width, slot.size, slot.min_size)
    if size is not None:
        return [text], size
    return [_ellipsize_end(face, slot.min_size, text, width)], slot.min_size


def _split_two(face: FontFace, size: int, tokens: list[str], width: int) -> list[str] | None:
    """Best place to break `tokens` into two lines that both fit: the most even split, preferring a
    break right after 村/组/号… when that costs little."""
    n = len(tokens)
    prefix = [0.0]
    for token in tokens:
        prefix.append(prefix[-1] + _width(face, size, token))
    best, best_natural = None, None
    for i in range(1, n):
        j, k = i, i  # lines are stripped of the spaces at the break
        while j > 0 and tokens[j - 1].isspace():
            j -= 1
        while k < n and tokens[k].isspace():
            k += 1
        if j == 0 or k == n:
            continue
        w1, w2 = prefix[j], prefix[n] - prefix[k]
        if w1 > width or w2 > width:
            continue
        score = max(w1, w2)
        if best is None or score < best[0]:
            best = (score, j, k)
        if tokens[j - 1] in _NATURAL_BREAK and (best_natural is None or score < best_natural[0]):
            best_natural = (score, j, k)
    if best is None:
        return None
    chosen = best_natural if best_natural and best_natural[0] <= best[0] * 1.2 else best
    return ["".join(tokens[: chosen[1]]), "".join(tokens[chosen[2] :])]


def _fit_address(face: FontFace, slot: TextSlot, text: str, drop_prefix: str) -> tuple[list[str], int]:
    """Addresses never overflow: shrink a little, then wrap to two lines, then drop the township and
    village (printed on the sticker anyway), then shorten in the middle, keeping the door number."""
    width = slot.box.w
    candidates = [text]
    if drop_prefix and text.startswith(drop_prefix) and len(text) > len(drop_prefix):
        candidates.append(text[len(drop_prefix) :])
    for candidate in candidates:
        mild = max(slot.min_size, round(slot.size * 0.85))
        size = _largest_fitting(face, candidate, width, slot.size, mild)
        if size is not None:
            return [candidate], size
        if slot.lines >= 2:
            tokens = _TOKEN.findall(candidate)
            for s in range(slot.size, slot.min_size - 1, -1):
                lines = _split_two(face, s, tokens, width)
                if lines:
                    return lines, s
    # Still too long: keep the beginning and the end (the door number), cut the middle.
    tokens = _TOKEN.findall(candidates[-1])
    size = slot.min_size
    for keep in range(len(tokens) - 1, 1, -1):
        head = keep // 2
        tail = keep - head
        shortened = tokens[:head] + [ELLIPSIS] + tokens[len(tokens) - tail :]
        if slot.lines >= 2:
            lines = _split_two(face, size, shortened, width)
            if lines:
                return lines, size
        elif _width(face, size, "".join(shortened)) <= width:
            return ["".join(shortened)], size
    return [_ellipsize_end(face, size, candidates[-1], width)], size


def _draw_lines(
    page: Image.Image, face: FontFace, slot: TextSlot, lines: list[str], size: int, ox: int = 0, oy: int = 0
) -> None:
    box = slot.box
    row_h = box.h / slot.lines
    top = box.y + (box.h - row_h * len(lines)) / 2
    x = ox + box.x + (box.w / 2 if slot.align == "center" else 0)
    for i, line in enumerate(lines):
        GLYPHS.draw(page, x, oy + top + (i + 0.5) * row_h, line, face, size, align=slot.align, bold=slot.bold)


# ------------------------------------------------------------------------------------------- the QR


def qr_matrix(data: str, error_correction: str = "Q") -> qrcode.QRCode:
    """The qrcode library's encoding, smallest version that fits, at level Q (or H)."""
    code = qrcode.QRCode(error_correction=ERROR_LEVELS[error_correction])
    code.add_data(data)
    code.make(fit=True)
    return code


def module_size(modules: int, side: int, *, layout_name: str = "", data: str = "") -> int:
    """Whole pixels per module so that the code and its 4-module quiet zone fit in `side` pixels."""
    k = side // (modules + 2 * QUIET_ZONE)
    if k < MIN_MODULE_PX:
        raise LayoutError(f"版式 {layout_name} 的标签放不下这个二维码（网址 {len(data)} 个字符太长），请换用更大的版式")
    return k


def packed_qr_rows(code: qrcode.QRCode, k: int) -> list[bytes]:
    """One packed 1-bit pixel row per module row (k pixels per module, set bit = white, as Pillow's
    mode "1" and the PDF image use), padded on the right with white to whole bytes."""
    dark, light = "0" * k, "1" * k
    width = code.modules_count * k
    pad = "1" * (-width % 8)
    nbytes = (width + 7) // 8
    return [int("".join(dark if m else light for m in row) + pad, 2).to_bytes(nbytes, "big") for row in code.modules]


def qr_image(data: str, side: int, error_correction: str = "Q", *, layout_name: str = "") -> Image.Image:
    """The QR (black modules only, no quiet zone) as a crisp 1-bit image: a whole number of pixels
    per module, as large as fits in `side` together with a 4-module quiet zone."""
    code = qr_matrix(data, error_correction)
    k = module_size(code.modules_count, side, layout_name=layout_name, data=data)
    width = code.modules_count * k
    rows = packed_qr_rows(code, k)
    raw = b"".join(row for row in rows for _ in range(k))
    return Image.frombytes("1", ((width + 7) // 8 * 8, width), raw).crop((0, 0, width, width))


# ------------------------------------------------------------------------------------- page renderer


def _floor8(x: int) -> int:
    return x // 8 * 8


class PageRenderer:
    """Draws the pages of one sheet. Built once per worker process.

    Everything constant (instruction, village, phone, cut marks, footer) is drawn once into a page
    template, kept packed as the PDF wants it (1 bit per pixel, rows of `stride` bytes). A page is a
    copy of those bytes with, for each sticker, the QR's rows and a small strip of text spliced in
    at byte-aligned positions: no full-page drawing or bit-packing per page.
    """

    def __init__(
        self, header: SheetHeader, layout: Layout, fonts: FontSet, total_pages: int, error_correction: str = "Q"
    ):
        self.header = header
        self.layout = layout
        self.fonts = fonts
        self.total_pages = total_pages
        self.error_correction = error_correction
        self.plan: CellPlan = layout.plan(with_phone=bool(header.supervision_phone))
        self.stride = (layout.page_w + 7) // 8
        self._drop_prefix = f"{header.township_name}{header.village_name}"
        self.template = self._page_template()
        self._packed = self.template.tobytes()
        self._partial: dict[int, bytes] = {}  # template with the labels from n on left blank
        plan = self.plan
        # the band of variable text in a cell: number, address and code rows (nothing constant there)
        slots = (plan.number, plan.address, plan.code)
        self._band_y = min(s.box.y for s in slots)
        self._band_h = max(s.box.y + s.box.h for s in slots) - self._band_y
        self._band_x = min(s.box.x for s in slots)
        self._band_w = max(s.box.x + s.box.w for s in slots) - self._band_x

    # constant content, once
    def _cell_template(self) -> Image.Image:
        plan, face = self.plan, self.fonts.cjk
        cell = Image.new("1", (plan.width, plan.height), 1)
        for slot, text in (
            (plan.instruction, self.header.instruction),
            (plan.village, self.header.place),
            (plan.phone, f"监督电话 {self.header.supervision_phone}"),
        ):
            if slot is None or not text.strip():
                continue
            lines, size = _fit_one_line(face, slot, text)
            _draw_lines(cell, face, slot, lines, size)
        return cell

    def _page_template(self) -> Image.Image:
        layout = self.layout
        page = Image.new("1", (layout.page_w, layout.page_h), 1)
        cell = self._cell_template()
        for slot in range(layout.per_page):
            page.paste(cell, layout.cell_origin(slot))
        self._cut_marks(ImageDraw.Draw(page))
        face, size, y = self.fonts.cjk, self._footer_size, self._footer_y
        GLYPHS.draw(page, layout.origin_x, y, f"{self.header.place}　一户一码", face, size)
        GLYPHS.draw(
            page,
            layout.origin_x + layout.columns * layout.cell_w,
            y,
            f"打印日期 {self.header.print_date.isoformat()}",
            face,
            size,
            align="right",
        )
        return page

    def _template_for(self, stickers: int) -> bytes:
        if stickers >= self.layout.per_page:
            return self._packed
        if stickers not in self._partial:  # the last page: blank out the unused labels, once
            page = self.template.copy()
            draw = ImageDraw.Draw(page)
            c = self.plan.content
            for slot in range(stickers, self.layout.per_page):
                ox, oy = self.layout.cell_origin(slot)
                draw.rectangle((ox + c.x, oy + c.y, ox + c.x + c.w - 1, oy + c.y + c.h - 1), fill=1)
            self._partial[stickers] = page.tobytes()
        return self._partial[stickers]

    @property
    def _footer_size(self) -> int:
        return mm(2.9)

    @property
    def _footer_y(self) -> int:
        return self.layout.page_h - MARGIN_BOTTOM + mm(7.5)

    def _cut_marks(self, draw: ImageDraw.ImageDraw) -> None:
        """Short lines in the margins continuing every cut line, and small crosses where four labels
        meet. Two pixels (0.17 mm): visible, not ugly if the cut is a little off."""
        lay = self.layout
        xs = [lay.origin_x + c * lay.cell_w for c in range(lay.columns + 1)]
        ys = [lay.origin_y + r * lay.cell_h for r in range(lay.rows + 1)]
        left, right, top, bottom = xs[0], xs[-1], ys[0], ys[-1]
        near, far, arm = mm(1.5), mm(4.5), mm(1.2)
        for x in xs:
            draw.rectangle((x - 1, top - far, x, top - near), fill=0)
            draw.rectangle((x - 1, bottom + near, x, bottom + far), fill=0)
        for y in ys:
            draw.rectangle((left - far, y - 1, left - near, y), fill=0)
            draw.rectangle((right + near, y - 1, right + far, y), fill=0)
        for x in xs[1:-1]:
            for y in ys[1:-1]:
                draw.rectangle((x - 1, y - arm, x, y + arm), fill=0)
                draw.rectangle((x - arm, y - 1, x + arm, y), fill=0)

    # per sticker
    def texts_for(self, sticker: Sticker) -> dict[str, str]:
        """The per-sticker text, before fitting. The head of household appears only when given."""
        number = f"户号 {sticker.household_number}"
        if sticker.head_name:
            number += f"　户主 {sticker.head_name}"
        return {"number": number, "address": sticker.address, "code": sticker.code_text}

    def _splice(self, buf: bytearray, x: int, y: int, rows: Iterable[bytes | memoryview]) -> None:
        """Overwrite the page from pixel (x, y), x a multiple of 8, with packed rows."""
        stride, at = self.stride, y * self.stride + x // 8
        for row in rows:
            buf[at : at + len(row)] = row
            at += stride

    def _splice_image(self, buf: bytearray, x: int, y: int, image: Image.Image) -> None:
        data = memoryview(image.tobytes())
        width = (image.width + 7) // 8
        self._splice(buf, x, y, (data[i : i + width] for i in range(0, len(data), width)))

    def _splice_qr(self, buf: bytearray, ox: int, oy: int, sticker: Sticker) -> None:
        box = self.plan.qr
        code = qr_matrix(sticker.url, self.error_correction)
        k = module_size(code.modules_count, box.w, layout_name=self.layout.name, data=sticker.url)
        width = code.modules_count * k
        # centred in its box, moved at most 4 px to start on a whole byte: inside the quiet zone
        x = ox + box.x + (box.w - width) // 2
        x = min(max(round(x / 8) * 8, _floor8(ox + box.x + 7)), _floor8(ox + box.x + box.w - width))
        y = oy + box.y + (box.h - width) // 2
        self._splice(buf, x, y, (row for row in packed_qr_rows(code, k) for _ in range(k)))

    def _splice_text(self, buf: bytearray, ox: int, oy: int, sticker: Sticker) -> None:
        plan, cjk, mono = self.plan, self.fonts.cjk, self.fonts.mono
        x0 = _floor8(ox + self._band_x)
        shift = ox + self._band_x - x0
        strip = Image.new("1", ((shift + self._band_w + 7) // 8 * 8, self._band_h), 1)
        dx, dy = shift - self._band_x, -self._band_y  # cell coordinates → strip coordinates
        texts = self.texts_for(sticker)
        lines, size = _fit_one_line(cjk, plan.number, texts["number"])
        _draw_lines(strip, cjk, plan.number, lines, size, dx, dy)
        lines, size = _fit_address(cjk, plan.address, texts["address"], self._drop_prefix)
        _draw_lines(strip, cjk, plan.address, lines, size, dx, dy)
        code_size = _largest_fitting(mono, texts["code"], plan.code.box.w, plan.code.size, min(plan.code.min_size, 20))
        if code_size is None:
            raise LayoutError(f"版式 {self.layout.name} 的标签放不下编码 {texts['code']}")
        _draw_lines(strip, mono, plan.code, [texts["code"]], code_size, dx, dy)
        self._splice_image(buf, x0, oy + self._band_y, strip)

    def _splice_footer(self, buf: bytearray, page_index: int) -> None:
        text = f"第 {page_index + 1} / {self.total_pages} 页"
        face, size = self.fonts.cjk, self._footer_size
        width = (int(GLYPHS.width(face, size, text)) + 16 + 7) // 8 * 8
        height = round(size * 1.6)
        strip = Image.new("1", (width, height), 1)
        GLYPHS.draw(strip, width / 2, height / 2, text, face, size, align="center")
        self._splice_image(buf, _floor8(self.layout.page_w // 2 - width // 2), self._footer_y - height // 2, strip)

    def render_packed(self, page_index: int, stickers: Sequence[Sticker]) -> bytearray:
        """The page as packed 1-bit rows (what the PDF image holds before compression)."""
        buf = bytearray(self._template_for(len(stickers)))
        for slot, sticker in enumerate(stickers):
            ox, oy = self.layout.cell_origin(slot)
            self._splice_qr(buf, ox, oy, sticker)
            self._splice_text(buf, ox, oy, sticker)
        self._splice_footer(buf, page_index)
        return buf

    def render(self, page_index: int, stickers: Sequence[Sticker]) -> Image.Image:
        return Image.frombytes(
            "1", (self.layout.page_w, self.layout.page_h), bytes(self.render_packed(page_index, stickers))
        )

    def render_compressed(self, page_index: int, stickers: Sequence[Sticker]) -> bytes:
        return zlib.compress(self.render_packed(page_index, stickers), COMPRESS_LEVEL)


# ------------------------------------------------------------------------------- worker processes

_worker: PageRenderer | None = None


def _init_worker(header: SheetHeader, layout: Layout, fonts: FontSet, total_pages: int, error_correction: str) -> None:
    global _worker
    # A forked worker inherits its parent's signal handlers: under an RQ worker (or anything that
    # catches SIGTERM to shut down gently) the pool's terminate() would then never stop it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker = PageRenderer(header, layout, fonts, total_pages, error_correction)


def _render_in_worker(page_index: int, stickers: tuple[Sticker, ...]) -> tuple[int, bytes]:
    assert _worker is not None, "the pool's initializer sets it up"
    return len(stickers), _worker.render_compressed(page_index, stickers)


# ---------------------------------------------------------------------------------------- the sheet


def _pages(stickers: Iterable[Sticker], per_page: int, total: int) -> Iterator[tuple[int, tuple[Sticker, ...]]]:
    """(page index, its stickers), checking that there are exactly `total` stickers."""
    it = iter(stickers)
    seen = 0
    for index in itertools.count():
        chunk = tuple(itertools.islice(it, min(per_page, total - seen)))
        if not chunk:
            break
        for s in chunk:
            if not isinstance(s, Sticker):
                raise TypeError(f"expected Sticker, got {type(s).__name__}")
        seen += len(chunk)
        yield index, chunk
        if seen >= total:
            break
    if seen < total:
        raise ValueError(f"住户数与 total 不符：预计 {total} 户，实际只有 {seen} 户")
    if next(it, None) is not None:
        raise ValueError(f"住户数与 total 不符：预计 {total} 户，实际更多")


def _can_fork() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon
    )  # daemons may not have children


def write_sheet(
    stickers: Sequence[Sticker] | Iterable[Sticker],
    header: SheetHeader,
    layout: Layout,
    out: BinaryIO,
    *,
    total: int | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    preview: BinaryIO | None = None,
    error_correction: str = "Q",
) -> SheetResult:
    """Write the sheet as a PDF to `out` (A4, 300 dpi, one 1-bit image per page), streaming.

    `total` is the number of stickers when `stickers` is a lazy iterable (a Sequence gives its own);
    it fixes the page count printed as "第 n / N 页". `progress(done, total)` is called after each page.
    `preview` receives the first page as PNG. Raises EmptySheet (a ValueError, "没有可打印的住户")
    when there is nothing to print, FontNotFound without a Chinese font, LayoutError when a code
    does not fit its label.
    """
    if error_correction not in ERROR_LEVELS:
        raise ValueError("error_correction must be 'Q' or 'H'")
    if total is None:
        if not isinstance(stickers, Sequence):
            stickers = list(stickers)
        total = len(stickers)
    elif isinstance(stickers, Sequence) and len(stickers) != total:
        raise ValueError(f"住户数与 total 不符：预计 {total} 户，实际 {len(stickers)} 户")
    if total <= 0:
        raise EmptySheet()
    fonts = find_fonts()  # before anything is written: no font, no sheet
    pages = layout.pages_for(total)
    workers = (os.cpu_count() or 1) if workers is None else max(1, workers)
    workers = min(workers, pages)

    pdf = StreamingPdfWriter(
        out, page_px=(layout.page_w, layout.page_h), dpi=DPI, title=f"{header.place} 一户一码 {layout.name}"
    )
    done = 0

    def emit(count: int, data: bytes) -> None:
        nonlocal done
        if preview is not None and pdf.pages == 0:
            raw = zlib.decompress(data)
            Image.frombytes("1", (layout.page_w, layout.page_h), raw).save(preview, format="PNG", optimize=False)
        pdf.add_image_page(data, bits=1)
        done += count
        if progress is not None:
            progress(done, total)

    jobs = _pages(stickers, layout.per_page, total)
    if workers <= 1 or not _can_fork():
        renderer = PageRenderer(header, layout, fonts, pages, error_correction)
        for index, chunk in jobs:
            emit(len(chunk), renderer.render_compressed(index, chunk))
    else:
        context = multiprocessing.get_context("fork")
        # Ordered results, as Pool.imap gives, but with a bounded window of pages in flight: imap's
        # feeder thread would drain a lazy sticker iterable into the task queue all at once.
        window = 2 * workers + 1
        with context.Pool(
            workers, initializer=_init_worker, initargs=(header, layout, fonts, pages, error_correction)
        ) as pool:
            pending: collections.deque = collections.deque()
            for index, chunk in jobs:
                pending.append(pool.apply_async(_render_in_worker, (index, chunk)))
                if len(pending) >= window:
                    emit(*pending.popleft().get())
            while pending:
                emit(*pending.popleft().get())
    pdf.close()
    if pdf.pages != pages:  # pragma: no cover - _pages guarantees it
        raise RuntimeError(f"wrote {pdf.pages} pages, expected {pages}")
    return SheetResult(pages=pages, stickers=done)
