"""QR codes and sticker sheets. A library: nothing here knows about Flask or the database."""

from qr.fonts import FontNotFound, find_cjk_font
from qr.layout import LAYOUTS, Layout, LayoutError, parse_layout
from qr.render import render_png
from qr.sheet import EMPTY_MESSAGE, EmptySheet, SheetHeader, SheetResult, Sticker, write_sheet

__all__ = [
    "EMPTY_MESSAGE",
    "LAYOUTS",
    "EmptySheet",
    "FontNotFound",
    "Layout",
    "LayoutError",
    "SheetHeader",
    "SheetResult",
    "Sticker",
    "find_cjk_font",
    "parse_layout",
    "render_png",
    "write_sheet",
]
