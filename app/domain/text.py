"""What text may be kept: no control characters (multi-line text may keep tab and line breaks) and
no lone UTF-16 surrogates (JSON can spell one, "\\ud800"; it cannot be encoded as UTF-8, and
PostgreSQL refuses NUL). The API's input schemas apply these rules to every text field
(app/api/inputs.py); inputs no schema reads (path segments, pushed messages) use them directly."""

from __future__ import annotations

import math
import re
from typing import Any

# C0 controls, DEL and lone surrogates. Multi-line text may keep tab, line feed and carriage return.
_CONTROL_OR_SURROGATE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_OR_SURROGATE_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

MESSAGE_SURROGATE = "含有无效的字符编码"
MESSAGE_CONTROL = "不能包含控制字符"
MESSAGE_CONTROL_SINGLE_LINE = "不能包含换行、制表符等控制字符"


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` may not be stored as text (a Chinese message), or None if it may."""
    pattern = _CONTROL_OR_SURROGATE_MULTILINE if multiline else _CONTROL_OR_SURROGATE
    if pattern.search(value) is None:
        return None
    if _SURROGATE.search(value):
        return MESSAGE_SURROGATE
    return MESSAGE_CONTROL if multiline else MESSAGE_CONTROL_SINGLE_LINE


def printable(value: str) -> str:
    """`value` with what `text_problem` refuses spelled out ("\\u0000", "\\ud800"), to echo it back."""
    return _CONTROL_OR_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def clean_json(value: Any, path: str = "") -> str | None:
    """For JSON no schema reads (pushed messages): where it holds a text `text_problem` refuses, a
    non-finite number or an integer beyond 64 bits, as "path: problem"; None if nowhere."""
    if isinstance(value, str):
        problem = text_problem(value, multiline=True)
        return f"{path or '.'}: {problem}" if problem else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if -(2**63) <= value < 2**63 else f"{path or '.'}: 数值超出范围"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path or '.'}: 数值超出范围"
    if isinstance(value, dict):
        for key, item in value.items():
            if text_problem(key):
                return f"{path}/{printable(key)}: {text_problem(key)}"
            problem = clean_json(item, f"{path}/{key}")
            if problem:
                return problem
        return None
    if isinstance(value, list):
        for i, item in enumerate(value):
            problem = clean_json(item, f"{path}/{i}")
            if problem:
                return problem
    return None
