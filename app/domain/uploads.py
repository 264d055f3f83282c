"""Uploaded files (disclosure attachments now, complaint photos later): the type is sniffed from the
content, never trusted from the name or header; sizes are limited; images are decoded under a pixel
budget and re-encoded, which drops EXIF (GPS!), comments and anything appended after the image data;
PDFs are parsed (app.domain.pdf_check), refused when they carry active content, and written out again."""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from app.domain import pdf_check
from app.errors import AppError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000; a decompression bomb claims far more
MAX_SIDE = 4096  # images are stored at most this wide or tall

_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
]
_PDF_EXPORT_HINT = "请在 WPS 或 Office 中用“导出为 PDF”（或“打印为 PDF”）重新生成一份后再上传"


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    media_type: str
    sha256: str
    width: int | None = None  # images only, as stored
    height: int | None = None

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}[self.media_type]


def sniff(data: bytes) -> str | None:
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    return None


def _reject(code: str, message: str, kind: str = "unprocessable") -> AppError:
    return AppError(code, message, kind=kind, fields={"file": [message]})


def clean(data: bytes, *, images_only: bool = False) -> CleanFile:
    """Return the file as it will be stored, or raise a clear error."""
    if not data:
        raise _reject("file_empty", "文件是空的")
    media_type = sniff(data)
    if media_type is None or (images_only and media_type == "application/pdf"):
        raise _reject(
            "unsupported_file_type", "只支持 JPG、PNG 图片" if images_only else "只支持 JPG、PNG 图片和 PDF 文件"
        )
    if media_type == "application/pdf":
        return _clean_pdf(data)
    return _clean_image(data, media_type)


def _clean_pdf(data: bytes) -> CleanFile:
    if len(data) > MAX_PDF_BYTES:
        raise _reject("file_too_large", f"PDF 文件不能超过 {MAX_PDF_BYTES // 1024 // 1024} MB", "unprocessable")
    if b"%%EOF" not in data[-1024:]:
        raise _reject("file_damaged", "PDF 文件不完整或已损坏")
    outcome = pdf_check.check(data)
    if outcome.status == "active":
        raise _reject(
            "file_active_content", f"PDF 中含有{outcome.describe()}，出于安全考虑不能上传。{_PDF_EXPORT_HINT}"
        )
    if outcome.status == "encrypted":
        raise _reject("file_encrypted", f"PDF 文件已加密或设置了密码，无法检查其内容。{_PDF_EXPORT_HINT}")
    if outcome.status == "too_complex":
        raise _reject("file_too_complex", f"PDF 文件解压后过大或结构过于复杂，无法检查。{_PDF_EXPORT_HINT}")
    if outcome.status != "clean":
        raise _reject("file_damaged", "PDF 文件不完整或已损坏")
    return CleanFile(outcome.data, "application/pdf", hashlib.sha256(outcome.data).hexdigest())


def _clean_image(data: bytes, media_type: str) -> CleanFile:
    if len(data) > MAX_IMAGE_BYTES:
        raise _reject("file_too_large", f"图片不能超过 {MAX_IMAGE_BYTES // 1024 // 1024} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            width, height = image.size  # read from the header, before anything is decoded
            if width * height > MAX_PIXELS:
                raise _reject("image_too_large", "图片像素过大，请压缩后再上传")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _reject("image_too_large", "图片像素过大，请压缩后再上传") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _reject("file_damaged", "图片已损坏或无法识别") from exc
    image = ImageOps.exif_transpose(image)  # keep the picture upright once EXIF is gone
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if media_type == "image/png":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=False)
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85)
    cleaned = out.getvalue()
    return CleanFile(cleaned, media_type, hashlib.sha256(cleaned).hexdigest(), image.width, image.height)


def write_atomically(path: Path, data: bytes) -> None:
    """Store a cleaned file; readers never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + f".{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)
