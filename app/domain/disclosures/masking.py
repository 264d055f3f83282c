"""Personal data in published lists (低保 lists, subsidies…) is masked before it is stored."""

from __future__ import annotations

import re

_NOT_ALNUM_BEFORE, _NOT_ALNUM_AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
# Resident IDs (18 characters, the last may be X; old ones 15 digits) and bank cards (16–19 digits).
_ID_18 = re.compile(_NOT_ALNUM_BEFORE + r"(\d{6})\d{8}(\d{3}[\dXx])" + _NOT_ALNUM_AFTER)
_ID_15 = re.compile(_NOT_ALNUM_BEFORE + r"(\d{6})\d{9}" + _NOT_ALNUM_AFTER)
_BANK_CARD = re.compile(_NOT_ALNUM_BEFORE + r"(\d{4})(\d{8,11})(\d{4})" + _NOT_ALNUM_AFTER)
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask(text: str) -> str:
    """330102199001011234 → 330102********1234; 13812345678 → 138****5678; cards keep 4 + 4."""
    if not text:
        return text
    text = _ID_18.sub(lambda m: f"{m[1]}********{m[2]}", text)
    text = _ID_15.sub(lambda m: f"{m[1]}*********", text)
    text = _BANK_CARD.sub(lambda m: m[1] + "*" * len(m[2]) + m[3], text)
    return _MOBILE.sub(lambda m: f"{m[1]}****{m[2]}", text)
