"""Sticker sheets at the library level: no Flask, no database. Every sheet is read back by a real
decoder (pdfium renders the PDF, zbar reads the QR codes)."""

from __future__ import annotations

import datetime
import io
import json
import random
import re
import signal
import threading
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

import qr
from qr import fonts as qr_fonts
from qr import sheet as qr_sheet
from qr.layout import MIN_MODULE_PX, QUIET_ZONE
from qr.pdf import StreamingPdfWriter
from tests.qr.scan import decode_pdf, decode_pdf_pages, decode_png, page_count

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ADDRESSES = [
    "青山镇下林村3组17号",
    "下林村1组2号",
    "青山镇下林村第十二村民小组长岭自然村大塘湾路128号之二附3号",
    "青山镇下林村外山脚路8号",
    "5组",
    "青山镇下林村长岭自然村后门山脚下老樟树旁边第三间朝南的两层小楼东侧附房（原村小学旧址）208号",
]
HEADER = qr.SheetHeader(
    township_name="青山镇",
    village_name="下林村",
    supervision_phone="0571-88886666",
    print_date=datetime.date(2026, 11, 22),
)
CJK = re.compile(r"[\u4e00-\u9fff]")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def make_stickers(n: int, seed: int = 3, **extra) -> list[qr.Sticker]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        code = "".join(rnd.choice(ALPHABET) for _ in range(13))
        out.append(
            qr.Sticker(
                url=f"https://mingjing.example.cn/h/{code}",
                code_text=f"{code[:4]}-{code[4:8]}-{code[8:]}",
                household_number=f"{i + 1:04d}",
                address=ADDRESSES[i % len(ADDRESSES)],
                **extra,
            )
        )
    return out


def build(stickers, layout="3x8", **kwargs) -> tuple[bytes, bytes, qr.SheetResult]:
    out, preview = io.BytesIO(), io.BytesIO()
    result = qr.write_sheet(stickers, HEADER, qr.parse_layout(layout), out, preview=preview, **kwargs)
    return out.getvalue(), preview.getvalue(), result


# ----------------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("layout, workers", [("3x8", 2), ("3x8", 1), ("2x5", None), ("1x1", 2)])
def test_fifty_stickers_scan_back_exactly_once(layout, workers):
    stickers = make_stickers(50)
    urls = [s.url for s in stickers]
    pdf, preview, result = build(stickers, layout, workers=workers)
    per_page = qr.parse_layout(layout).per_page
    pages = -(-50 // per_page)

    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert result == qr.SheetResult(pages=pages, stickers=50)
    assert page_count(pdf) == pages
    by_page = decode_pdf_pages(pdf)
    assert Counter(payload for page in by_page for payload in page) == Counter(urls)  # each once
    for index, decoded in enumerate(by_page):  # and each on its own page
        assert sorted(decoded) == sorted(urls[index * per_page : (index + 1) * per_page])
    assert sorted(decode_png(preview)) == sorted(urls[:per_page])
    with Image.open(io.BytesIO(preview)) as image:
        assert image.size == (2480, 3508) and image.format == "PNG"


def test_lazy_iterable_with_total_streams_and_reports_progress():
    stickers = make_stickers(60)
    consumed = []
    calls = []

    def lazy():
        for s in stickers:
            consumed.append(s)
            yield s

    def progress(done, total):
        calls.append((done, total, len(consumed)))

    pdf, _, result = build(lazy(), "3x8", total=60, workers=2, progress=progress)
    assert result.pages == 3 and result.stickers == 60
    assert [(d, t) for d, t, _ in calls] == [(24, 60), (48, 60), (60, 60)]
    assert sorted(decode_pdf(pdf)) == sorted(s.url for s in stickers)


def test_pages_are_written_while_later_stickers_are_still_unread():
    """Streaming: when page 1 reaches the file, only a bounded window of pages has been read."""
    stickers = make_stickers(24 * 12, seed=5)
    consumed = []
    seen_at_first_page = []

    def lazy():
        for s in stickers:
            consumed.append(s)
            yield s

    def progress(done, total):
        if not seen_at_first_page:
            seen_at_first_page.append(len(consumed))

    out = io.BytesIO()
    qr.write_sheet(lazy(), HEADER, qr.parse_layout("3x8"), out, total=len(stickers), workers=2, progress=progress)
    assert seen_at_first_page[0] <= 24 * 6 < len(stickers)  # window of 2 × workers + 1 pages


def test_workers_end_even_when_the_caller_catches_sigterm():
    """An in-process RQ worker (tests, `SimpleWorker`) leaves a SIGTERM handler behind; forked pool
    workers inherited it, and after a failing page the pool's terminate-and-join waited forever for
    a worker still writing a finished page nobody would read."""
    stickers = make_stickers(24 * 12)
    stickers[0] = qr.Sticker(
        url="https://mingjing.example.cn/h/" + "X" * 300, code_text="X", household_number="1", address="1号"
    )
    raised: list = []

    def run() -> None:
        try:
            qr.write_sheet(stickers, HEADER, qr.parse_layout("3x8"), io.BytesIO(), workers=2)
        except qr.LayoutError as exc:
            raised.append(exc)

    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(60)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not thread.is_alive() and len(raised) == 1


def test_header_without_phone_and_custom_instruction():
    header = qr.SheetHeader("青山镇", "下林村", None, datetime.date(2026, 1, 5), instruction="扫一扫")
    out = io.BytesIO()
    stickers = make_stickers(5)
    qr.write_sheet(stickers, header, qr.parse_layout("2x5"), out, workers=1)
    assert sorted(decode_pdf(out.getvalue())) == sorted(s.url for s in stickers)


def test_error_correction_h_also_scans():
    stickers = make_stickers(6)
    pdf, _, _ = build(stickers, "3x8", workers=1, error_correction="H")
    assert sorted(decode_pdf(pdf)) == sorted(s.url for s in stickers)


# ------------------------------------------------------------------------------ what is printed


class _Recorder:
    def __init__(self, real):
        self.real = real
        self.texts: list[str] = []

    def __call__(self, page, x, y, text, *args, **kwargs):
        self.texts.append(text)
        return self.real(page, x, y, text, *args, **kwargs)


def _drawn_texts(monkeypatch, stickers, header=HEADER) -> list[str]:
    recorder = _Recorder(qr_sheet.GLYPHS.draw)
    monkeypatch.setattr(qr_sheet.GLYPHS, "draw", recorder)
    qr.write_sheet(stickers, header, qr.parse_layout("3x8"), io.BytesIO(), workers=1)
    return recorder.texts


def test_head_of_household_is_not_printed_unless_given(monkeypatch):
    # We cannot OCR the page, so we record every string the renderer draws.
    plain = _drawn_texts(monkeypatch, make_stickers(3))
    assert not any("户主" in t for t in plain)
    assert "户号 0001" in plain and "K" not in "".join(t for t in plain if t.startswith("户号"))
    assert any(t.startswith("监督电话 0571-88886666") for t in plain)
    assert "扫码查看三务公开 · 反映问题" in plain
    assert any(t == "第 1 / 1 页" for t in plain) and any("2026-11-22" in t for t in plain)

    named = _drawn_texts(monkeypatch, make_stickers(3, head_name="李秀英"))
    assert any("户主 李秀英" in t for t in named)
    renderer = qr_sheet.PageRenderer(HEADER, qr.parse_layout("3x8"), qr_fonts.find_fonts(), 1)
    assert "李秀英" not in "".join(renderer.texts_for(make_stickers(1)[0]).values())


def test_long_text_never_spills_into_a_neighbouring_label():
    layout = qr.parse_layout("3x8")
    renderer = qr_sheet.PageRenderer(HEADER, layout, qr_fonts.find_fonts(), 1)
    long = qr.Sticker(
        url="https://mingjing.example.cn/h/K7QXM2PA9RT4C",
        code_text="K7QX-M2PA-9RT4C",
        household_number="0017-附属房-东侧第二间" * 3,
        address=ADDRESSES[-1] * 3,
        head_name="欧阳司马诸葛上官长名字" * 2,
    )
    short = qr.Sticker(url=long.url, code_text=long.code_text, household_number="1", address="1号")
    # a page holding one sticker in the middle cell (slot 4) with neighbours left and right blank
    stickers_long = [short] * 4 + [long]
    stickers_short = [short] * 5
    a = renderer.render(0, stickers_long)
    b = renderer.render(0, stickers_short)
    ox, oy = layout.cell_origin(4)
    cell = (ox, oy, ox + layout.cell_w, oy + layout.cell_h)
    outside = Image.new("1", a.size, 1)
    for img, name in ((a, "long"), (b, "short")):
        masked = img.copy()
        masked.paste(outside.crop(cell), cell[:2])
        if name == "long":
            masked_a = masked
        else:
            masked_b = masked
    assert masked_a.tobytes() == masked_b.tobytes()  # nothing differs outside that cell
    # and inside it, the text stays off the label's right padding (the cut marks sit in the corners)
    c = renderer.plan.content
    padding = a.crop((ox + c.x + c.w, oy + c.y, ox + layout.cell_w, oy + c.y + c.h))
    assert padding.convert("L").getextrema() == (255, 255)


def test_fitting_helpers_shrink_wrap_and_shorten():
    face = qr_fonts.find_cjk_face()
    plan = qr.parse_layout("3x8").plan()
    slot = plan.address
    lines, size = qr_sheet._fit_address(face, slot, "青山镇下林村3组17号", "青山镇下林村")
    assert lines == ["青山镇下林村3组17号"] and size == slot.size
    lines, size = qr_sheet._fit_address(face, slot, ADDRESSES[2], "青山镇下林村")
    assert len(lines) == 2 and "".join(lines) == ADDRESSES[2]
    lines, size = qr_sheet._fit_address(face, slot, ADDRESSES[-1] * 2, "青山镇下林村")
    assert len(lines) == 2 and "…" in "".join(lines) and lines[-1].endswith("208号")  # door number kept
    for line in lines:
        assert qr_sheet.GLYPHS.width(face, size, line) <= slot.box.w
    assert size >= slot.min_size


def test_qr_modules_are_whole_pixels_with_room_for_the_quiet_zone():
    for name in ("3x8", "2x5", "1x1"):
        plan = qr.parse_layout(name).plan()
        code = qr_sheet.qr_matrix("https://mingjing.example.cn/h/K7QXM2PA9RT4C")
        k = qr_sheet.module_size(code.modules_count, plan.qr.w)
        assert k >= MIN_MODULE_PX and (code.modules_count + 2 * QUIET_ZONE) * k <= plan.qr.w
        assert code.error_correction == qr_sheet.ERROR_LEVELS["Q"]
    image = qr_sheet.qr_image("https://mingjing.example.cn/h/K7QXM2PA9RT4C", 300)
    padded = Image.new("L", (image.width + 80, image.height + 80), 255)
    padded.paste(image.convert("L"), (40, 40))
    assert decode_png(padded) == ["https://mingjing.example.cn/h/K7QXM2PA9RT4C"]


def test_a_url_too_long_for_the_label_is_a_layout_error_from_the_workers():
    stickers = make_stickers(30)
    stickers[27] = qr.Sticker(
        url="https://mingjing.example.cn/h/" + "X" * 300, code_text="X", household_number="1", address="1号"
    )
    with pytest.raises(qr.LayoutError) as raised:
        qr.write_sheet(stickers, HEADER, qr.parse_layout("3x8"), io.BytesIO(), workers=2)
    assert CJK.search(raised.value.message) and "3x8" in raised.value.message


# --------------------------------------------------------------------------------------- layouts


def test_presets_and_computed_layouts():
    assert {"3x8", "2x5", "1x1"} <= set(qr.LAYOUTS)
    assert qr.parse_layout("3x8").per_page == 24 and qr.parse_layout(" 2X5 ").per_page == 10
    assert qr.parse_layout("1x1").plan().qr.w > 1000  # one large code per page
    w, h = qr.parse_layout("3x8").label_mm
    assert 60 <= w <= 70 and 33 <= h <= 38
    w, h = qr.parse_layout("2x5").label_mm
    assert 95 <= w <= 100 and 54 <= h <= 58
    four = qr.parse_layout("4x5")
    assert four.per_page == 20 and four.columns * four.cell_w <= four.page_w
    for layout in (qr.parse_layout(s) for s in ("3x8", "2x5", "1x1", "4x5", "3x7")):
        assert layout.origin_x + layout.columns * layout.cell_w <= layout.page_w
        assert layout.origin_y + layout.rows * layout.cell_h <= layout.page_h


@pytest.mark.parametrize("spec", ["abc", "0x3", "9x40", "3x0", "", "x8", "100x100", "-1x3"])
def test_bad_layouts_are_refused_in_chinese(spec):
    with pytest.raises(qr.LayoutError) as raised:
        qr.parse_layout(spec)
    assert isinstance(raised.value, ValueError)
    assert CJK.search(raised.value.message) and raised.value.message == str(raised.value)


def test_too_small_layout_names_itself():
    with pytest.raises(qr.LayoutError) as raised:
        qr.parse_layout("9x40")
    assert "9x40" in raised.value.message and "太小" in raised.value.message


# ------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("stickers, total", [([], None), (iter([]), None), ((s for s in []), 0)])
def test_nothing_to_print(stickers, total):
    out = io.BytesIO()
    with pytest.raises(ValueError, match="没有可打印的住户"):
        qr.write_sheet(stickers, HEADER, qr.parse_layout("3x8"), out, total=total)
    assert out.getvalue() == b""


def test_total_must_match_the_stickers():
    stickers = make_stickers(5)
    with pytest.raises(ValueError, match="total"):
        qr.write_sheet(stickers, HEADER, qr.parse_layout("3x8"), io.BytesIO(), total=6)
    with pytest.raises(ValueError, match="total"):
        qr.write_sheet(iter(stickers), HEADER, qr.parse_layout("3x8"), io.BytesIO(), total=6, workers=1)
    with pytest.raises(ValueError, match="total"):
        qr.write_sheet(iter(stickers), HEADER, qr.parse_layout("3x8"), io.BytesIO(), total=4, workers=1)


def test_a_real_cjk_font_is_found():
    path = qr.find_cjk_font()
    assert path.is_file()
    assert qr_fonts.has_cjk_glyphs(qr_fonts.find_cjk_face())


@pytest.mark.skipif(not DEJAVU.is_file(), reason="needs a Latin-only font (fonts-dejavu-core)")
def test_a_latin_only_font_is_refused_with_the_package_to_install(monkeypatch):
    monkeypatch.setenv("MINGJING_CJK_FONT", str(DEJAVU))
    with pytest.raises(qr.FontNotFound) as raised:
        qr.find_cjk_font()
    assert "fonts-wqy-zenhei" in str(raised.value) and "DejaVuSans.ttf" in str(raised.value)
    out = io.BytesIO()
    with pytest.raises(qr.FontNotFound):
        qr.write_sheet(make_stickers(2), HEADER, qr.parse_layout("3x8"), out)
    assert out.getvalue() == b""  # nothing half-written


def test_a_missing_font_file_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("MINGJING_CJK_FONT", str(tmp_path / "nope.ttf"))
    with pytest.raises(qr.FontNotFound, match="fonts-noto-cjk"):
        qr.find_cjk_font()


# ------------------------------------------------------------------------------------------- PDF


def test_pdf_cross_reference_table_points_at_every_object():
    pdf, _, result = build(make_stickers(30), "3x8", workers=1)
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref\n0 ")
    size = int(re.search(rb"/Size (\d+)", pdf[startxref:]).group(1))
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf]) \n", pdf[startxref:])
    assert len(entries) == size
    for number, (offset, _, kind) in enumerate(entries):
        if kind == b"n":
            assert pdf[int(offset) :].startswith(b"%d 0 obj\n" % number), number
    assert re.search(rb"/Type /Pages /Count 2 ", pdf) and result.pages == 2
    assert pdf.count(b"/BitsPerComponent 1 /Filter /FlateDecode") == 2
    assert re.search(rb"/MediaBox \[0 0 595\.\d+ 841\.\d+\]", pdf)


def test_pdf_writer_writes_pages_as_they_come():
    out = io.BytesIO()
    writer = StreamingPdfWriter(out, page_px=(16, 8), title="青山镇 下林村")
    import zlib

    writer.add_image_page(zlib.compress(b"\xff\x00" * 8))
    first = out.tell()
    writer.add_image_page(zlib.compress(b"\x0f\xf0" * 8))
    assert out.tell() > first > 0  # the page is in the file before the document is finished
    writer.close()
    assert page_count(out.getvalue()) == 2


def test_render_png_still_works():
    png = qr.render_png("https://mingjing.example.cn/h/K7QXM2PA9RT4C")
    assert decode_png(png) == ["https://mingjing.example.cn/h/K7QXM2PA9RT4C"]


def test_benchmark_prints_json_last(capsys):
    from qr import bench

    assert bench.main(["--n", "30", "--layout", "2x5"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    report = json.loads(last)
    assert report["n"] == 30 and report["pages"] == 3
    for key in ("stickers_per_s", "encode_only_per_s", "ratio", "peak_rss_mb"):
        assert report[key] > 0
