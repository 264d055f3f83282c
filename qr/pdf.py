"""A minimal streaming PDF writer: one raster image per page, written as soon as it is ready.

Pillow's multi-page PDF save keeps every page in memory; a village of 3,000 households would not.
Here each page is one 1-bit (or 8-bit grey) image XObject, already Flate-compressed by whoever
rendered it; page objects go out as they come, and the page tree, the cross-reference table and the
trailer are written at the end. Memory stays flat however many pages there are.

Objects: 1 catalog, 2 page tree, 3 the content stream every page shares ("draw /Im0 over the whole
page"), 4 document info, then a page and its image for each page.
"""

from __future__ import annotations

import datetime as _dt
from typing import BinaryIO

A4_PX_300DPI = (2480, 3508)


def _text_string(value: str) -> bytes:
    """A PDF text string (UTF-16BE with BOM, hex) so Chinese titles survive."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode("ascii") + b">"


class StreamingPdfWriter:
    def __init__(
        self,
        out: BinaryIO,
        *,
        page_px: tuple[int, int] = A4_PX_300DPI,
        dpi: int = 300,
        title: str | None = None,
        creation: _dt.datetime | None = None,
    ):
        """Every page is one `page_px` image shown at `dpi`: the page is exactly as large as the image
        (A4 at 300 dpi is 595.2 × 841.92 pt), so a viewer rendering at `dpi` maps pixels one to one."""
        self._out = out
        self._pos = 0
        self._offsets: dict[int, int] = {}
        self._pages: list[int] = []
        self._next = 5
        self._closed = False
        self._page_px = page_px
        # A hair under the exact size: renderers round the pixel size up (pdfium keeps the box as
        # float32, 595.2 becomes 595.20001 and 2481 pixels), which would resample every page.
        self._w, self._h = page_px[0] * 72 / dpi - 0.0005, page_px[1] * 72 / dpi - 0.0005
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        content = f"q {self._w:.4f} 0 0 {self._h:.4f} 0 0 cm /Im0 Do Q".encode("ascii")
        self._stream(3, b"", content)
        info = b"/Producer (Mingjing qr)"
        if title:
            info += b" /Title " + _text_string(title)
        if creation:
            info += f" /CreationDate (D:{creation:%Y%m%d%H%M%S})".encode("ascii")
        self._object(4, b"<< " + info + b" >>")

    @property
    def pages(self) -> int:
        return len(self._pages)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._pos += len(data)

    def _object(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._pos
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def _stream(self, number: int, dictionary: bytes, data: bytes) -> None:
        self._offsets[number] = self._pos
        self._write(b"%d 0 obj\n<< %s /Length %d >>\nstream\n" % (number, dictionary, len(data)))
        self._write(data)
        self._write(b"\nendstream\nendobj\n")

    def add_image_page(self, flate_data: bytes, *, bits: int = 1) -> None:
        """Append a page showing one grey image of `page_px` (`bits` 1 or 8, rows top to bottom,
        zlib-compressed; for 1 bit a set bit is white, as Pillow packs mode "1")."""
        if self._closed:
            raise ValueError("PDF already closed")
        width_px, height_px = self._page_px
        if bits not in (1, 8):
            raise ValueError("bits must be 1 or 8")
        page, image = self._next, self._next + 1
        self._next += 2
        self._stream(
            image,
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent %d /Filter /FlateDecode" % (width_px, height_px, bits),
            flate_data,
        )
        self._object(
            page,
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {self._w:.4f} {self._h:.4f}] "
                f"/Contents 3 0 R /Resources << /XObject << /Im0 {image} 0 R >> >> >>"
            ).encode("ascii"),
        )
        self._pages.append(page)

    def close(self) -> None:
        """Write the page tree, the cross-reference table and the trailer. Does not close `out`."""
        if self._closed:
            return
        if not self._pages:
            raise ValueError("a PDF needs at least one page")
        self._closed = True
        kids = b" ".join(b"%d 0 R" % p for p in self._pages)
        self._object(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(self._pages), kids))
        xref_at = self._pos
        size = self._next
        rows = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        for number in range(1, size):
            rows.append(b"%010d 00000 n \n" % self._offsets[number])
        self._write(b"".join(rows))
        self._write(b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at))
        self._out.flush()
