"""Read sticker sheets back the way a phone would: rasterise every page, decode every QR with zbar.

`decode_pdf` uses pdfium (the PDF engine of Chrome) to render each page and zbar, a real QR decoder,
to find the codes: a sheet passes only if a reader that knows nothing of how it was made can scan it.
Needs the Debian package libzbar0 and the pip packages pypdfium2 and pyzbar.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw
from pyzbar.pyzbar import ZBarSymbol
from pyzbar.pyzbar import decode as _zbar

PathOrBytes = str | os.PathLike | bytes | bytearray


def _payloads(image: Image.Image, passes: int = 10) -> list[str]:
    """Every QR in the image, each printed code once.

    zbar looking at a whole sheet of 24 codes in a grid now and then leaves one out (it decodes fine
    alone, or with its neighbours cropped in): so after each pass the codes found are painted over
    and zbar looks again, until a pass finds nothing new.
    """
    image = image.convert("L")
    found: list[str] = []
    draw = None
    for _ in range(passes):
        symbols = _zbar(image, symbols=[ZBarSymbol.QRCODE])
        if not symbols:
            break
        if draw is None:
            image = image.copy()
            draw = ImageDraw.Draw(image)
        for symbol in symbols:
            found.append(symbol.data.decode("utf-8"))
            xs = [p.x for p in symbol.polygon] or [symbol.rect.left, symbol.rect.left + symbol.rect.width]
            ys = [p.y for p in symbol.polygon] or [symbol.rect.top, symbol.rect.top + symbol.rect.height]
            draw.rectangle((min(xs) - 2, min(ys) - 2, max(xs) + 2, max(ys) + 2), fill=255)
    return found


def pdf_pages(pdf: PathOrBytes, dpi: int = 300) -> Iterator[Image.Image]:
    """Every page of `pdf` as a greyscale image at `dpi`."""
    source = bytes(pdf) if isinstance(pdf, (bytes, bytearray)) else str(Path(pdf))
    document = pdfium.PdfDocument(source)
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                # exactly round(size × dpi / 72) pixels: a renderer rounding up to one pixel more would
                # resample the page, which is not what a printer does
                width, height = page.get_size()
                scale = min((round(width * dpi / 72) - 0.01) / width, (round(height * dpi / 72) - 0.01) / height)
                bitmap = page.render(scale=scale, grayscale=True)
                yield bitmap.to_pil().convert("L")
            finally:
                page.close()
    finally:
        document.close()


def page_count(pdf: PathOrBytes) -> int:
    source = bytes(pdf) if isinstance(pdf, (bytes, bytearray)) else str(Path(pdf))
    document = pdfium.PdfDocument(source)
    try:
        return len(document)
    finally:
        document.close()


def decode_pdf_pages(pdf: PathOrBytes, dpi: int = 300) -> list[list[str]]:
    """The QR payloads found on each page, page by page."""
    return [_payloads(image) for image in pdf_pages(pdf, dpi)]


def decode_pdf(pdf: PathOrBytes, dpi: int = 300) -> list[str]:
    """Every QR payload on every page of `pdf` (a path or the PDF's bytes), in page order."""
    return [payload for page in decode_pdf_pages(pdf, dpi) for payload in page]


def decode_png(png: PathOrBytes | Image.Image) -> list[str]:
    """Every QR payload in an image (a path, PNG bytes or a PIL image)."""
    if isinstance(png, Image.Image):
        return _payloads(png)
    if isinstance(png, (bytes, bytearray)):
        with Image.open(io.BytesIO(png)) as image:
            return _payloads(image)
    with Image.open(Path(png)) as image:
        return _payloads(image)
