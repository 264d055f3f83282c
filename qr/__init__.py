"""QR codes and sticker sheets. A library: nothing here knows about Flask or the database."""
from qr.render import render_png

__all__ = ["render_png"]
