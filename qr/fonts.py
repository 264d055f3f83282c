"""Fonts for sticker sheets: a CJK font that really has Chinese glyphs, and a monospace one for codes.

A sheet printed with the .notdef box instead of 村 is worse than no sheet, so a font is only accepted
after it has drawn a few Chinese characters as distinct, non-empty glyphs.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ENV_VAR = "MINGJING_CJK_FONT"
INSTALL_HINT = (
    "请安装中文字体：apt-get install fonts-wqy-zenhei（或 fonts-noto-cjk），"
    f"或用环境变量 {ENV_VAR} 指向含中文字形的 .ttf/.ttc/.otf 文件"
)

# Debian/Ubuntu paths, best first. fonts-wqy-zenhei is the small one; fonts-noto-cjk the pretty one.
KNOWN_CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallback.ttf",
)

KNOWN_MONO_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationMono-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
)

_PROBE = "村镇号"  # three different characters must give three different, inked glyphs


class FontNotFound(RuntimeError):
    """No usable CJK font. The message says what to install."""


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int = 0  # face inside a .ttc collection


@dataclass(frozen=True)
class FontSet:
    cjk: FontFace
    mono: FontFace  # for the household code (Latin letters and digits only)


def _open(face: FontFace, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(face.path, size, index=face.index, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=256)
def font(face: FontFace, size: int) -> ImageFont.FreeTypeFont:
    """A loaded font at `size` pixels, cached per process (workers each build their own)."""
    return _open(face, max(1, int(size)))


def _faces(path: str) -> list[FontFace]:
    faces = []
    for index in range(16):
        try:
            _open(FontFace(path, index), 16)
        except OSError:
            break
        faces.append(FontFace(path, index))
    return faces


def _face_rank(face: FontFace) -> int:
    """Prefer simplified-Chinese, proportional, outline faces inside a collection."""
    family = " ".join(filter(None, _open(face, 16).getname())).lower()  # a face may lack a name part
    rank = 0
    if " sc" in f" {family}" or "zen hei" in family or "micro hei" in family:
        rank -= 2
    if "mono" in family or "sharp" in family:
        rank += 3
    return rank


def has_cjk_glyphs(face: FontFace) -> bool:
    try:
        probe = _open(face, 48)
    except OSError:
        return False
    glyphs = []
    for ch in _PROBE:
        image = Image.new("L", (96, 96), 0)
        ImageDraw.Draw(image).text((24, 24), ch, font=probe, fill=255)
        if image.getbbox() is None:
            return False  # an empty glyph
        glyphs.append(image.tobytes())
    return len(set(glyphs)) == len(glyphs)  # all alike = each one is the .notdef box


def _cjk_face(path: str) -> FontFace | None:
    faces = [f for f in _faces(path) if has_cjk_glyphs(f)]
    if not faces:
        return None
    return min(faces, key=_face_rank)


def _fontconfig_candidates() -> list[str]:
    found: list[str] = []
    if shutil.which("fc-match"):
        for pattern in (":lang=zh-cn", ":lang=zh"):
            try:
                out = subprocess.run(
                    ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10
                ).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                continue
            if out:
                found.append(out)
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        found += sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
    return found


@functools.lru_cache(maxsize=8)
def _find_cjk_face(env_value: str | None) -> FontFace:
    if env_value:
        path = Path(env_value)
        if not path.is_file():
            raise FontNotFound(f"{ENV_VAR}={env_value} 不是一个字体文件。{INSTALL_HINT}")
        face = _cjk_face(str(path))
        if face is None:
            raise FontNotFound(f"{ENV_VAR} 指定的字体 {path.name} 不含中文字形，打印出来会是方框。{INSTALL_HINT}")
        return face
    seen = set()
    for candidate in (*KNOWN_CJK_FONTS, *_fontconfig_candidates()):
        if candidate in seen or not os.path.isfile(candidate):
            continue
        seen.add(candidate)
        face = _cjk_face(candidate)
        if face is not None:
            return face
    raise FontNotFound(f"找不到含中文字形的字体，无法打印二维码标签。{INSTALL_HINT}")


def find_cjk_face() -> FontFace:
    """Like find_cjk_font, with the face index inside a .ttc collection."""
    return _find_cjk_face(os.environ.get(ENV_VAR) or None)


def find_cjk_font() -> Path:
    """Path of a font with Chinese glyphs: $MINGJING_CJK_FONT, then known Debian paths, then fontconfig.

    Raises FontNotFound (naming fonts-wqy-zenhei / fonts-noto-cjk) when none really draws Chinese.
    """
    return Path(find_cjk_face().path)


@functools.lru_cache(maxsize=8)
def _find_mono_face(cjk: FontFace) -> FontFace:
    for candidate in KNOWN_MONO_FONTS:
        if os.path.isfile(candidate):
            try:
                _open(FontFace(candidate), 16)
            except OSError:
                continue
            return FontFace(candidate)
    for face in _faces(cjk.path):  # e.g. "WenQuanYi Zen Hei Mono"
        if "mono" in " ".join(filter(None, _open(face, 16).getname())).lower():
            return face
    return cjk


def find_fonts() -> FontSet:
    cjk = find_cjk_face()
    return FontSet(cjk=cjk, mono=_find_mono_face(cjk))
