"""Text on 1-bit pages, fast: every glyph is rendered by FreeType once per process and size, then
pasted. Pillow's own text drawing renders the whole string through FreeType on each call, which on
a sheet of thousands of stickers costs more than laying them out.

Widths are the sum of the glyphs' advances (no kerning: CJK and monospace fonts have none worth
keeping), so what is measured is exactly what is drawn.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from qr.fonts import FontFace, font

_MAX_GLYPHS = 50_000


def stroke_for(size: int) -> int:
    """Faux-bold stroke width for `size` pixels (CJK fonts come in one weight)."""
    return max(1, round(size / 40))


class Glyphs:
    def __init__(self) -> None:
        self._advance: dict[tuple, float] = {}
        self._glyph: dict[tuple, tuple[Image.Image, int, int] | None] = {}
        self._metrics: dict[tuple, tuple[int, int]] = {}

    def advance(self, face: FontFace, size: int, ch: str) -> float:
        key = (face, size, ch)
        value = self._advance.get(key)
        if value is None:
            value = self._advance[key] = font(face, size).getlength(ch)
        return value

    def width(self, face: FontFace, size: int, text: str) -> float:
        advance = self.advance
        return sum(advance(face, size, ch) for ch in text)

    def _render(self, face: FontFace, size: int, ch: str, stroke: int) -> tuple[Image.Image, int, int] | None:
        f = font(face, size)
        # FreeType measures whole pixels; Pillow types the box as floats for every kind of font
        left, top, right, bottom = map(int, f.getbbox(ch, anchor="ls", stroke_width=stroke))
        if right <= left or bottom <= top:
            return None  # a space
        image = Image.new("1", (right - left, bottom - top), 0)
        ImageDraw.Draw(image).text((-left, -top), ch, font=f, fill=1, anchor="ls", stroke_width=stroke, stroke_fill=1)
        return image, left, top

    def glyph(self, face: FontFace, size: int, ch: str, stroke: int) -> tuple[Image.Image, int, int] | None:
        key = (face, size, ch, stroke)
        try:
            return self._glyph[key]
        except KeyError:
            if len(self._glyph) > _MAX_GLYPHS:
                self._glyph.clear()
            value = self._glyph[key] = self._render(face, size, ch, stroke)
            return value

    def baseline_for_middle(self, face: FontFace, size: int, y_middle: float) -> int:
        """The baseline that centres a line between the font's ascender and descender at y_middle
        (what Pillow's anchor "m" does)."""
        key = (face, size)
        metrics = self._metrics.get(key)
        if metrics is None:
            metrics = self._metrics[key] = font(face, size).getmetrics()
        ascent, descent = metrics
        return round(y_middle + (ascent - descent) / 2)

    def draw(
        self,
        page: Image.Image,
        x: float,
        y_middle: float,
        text: str,
        face: FontFace,
        size: int,
        *,
        align: str = "left",
        bold: bool = False,
    ) -> None:
        """Draw `text` in black on a mode "1" image: left edge (or centre, or right edge) at x,
        vertically centred on y_middle."""
        stroke = stroke_for(size) if bold else 0
        if align == "center":
            x -= self.width(face, size, text) / 2
        elif align == "right":
            x -= self.width(face, size, text)
        elif stroke:
            x += stroke
        baseline = self.baseline_for_middle(face, size, y_middle)
        pen = x
        for ch in text:
            g = self.glyph(face, size, ch, stroke)
            if g is not None:
                image, dx, dy = g
                page.paste(0, (round(pen) + dx, baseline + dy), image)
            pen += self.advance(face, size, ch)


GLYPHS = Glyphs()
