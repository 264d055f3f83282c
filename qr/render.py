"""Render one QR code as PNG bytes."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_Q
from qrcode.image.pil import PilImage

_LEVELS = {"Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}


def render_png(data: str, *, box_size: int = 8, border: int = 4, error_correction: str = "Q") -> bytes:
    """Printed codes get dirty and scratched: error correction Q (25%) or H (30%) only."""
    if error_correction not in _LEVELS:
        raise ValueError("error_correction must be 'Q' or 'H'")
    # Pillow's image, as qrcode picks when Pillow is installed (it is: qr/ draws with it); named, so save(format=) types
    code = qrcode.QRCode(
        error_correction=_LEVELS[error_correction], box_size=box_size, border=border, image_factory=PilImage
    )
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()
