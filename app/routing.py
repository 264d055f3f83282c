"""URL converters: what a path segment may be before a view sees it. A segment that is not matches
no route, so the answer is 404 whatever the method (a failed conversion after a match could be a
405 when the same path has a route for another method)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

ID_MAX = 2**31 - 1  # ids are int4 in the database


def digits_not_above(limit: int) -> str:
    """A regular expression for the decimal numbers from 0 to `limit` (leading zeros allowed)."""
    digits = str(limit)
    options = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - i - 1
            options.append(digits[:i] + f"[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class IdConverter(IntegerConverter):
    """Ids are database integers: a larger number is nobody's row (404), never an overflow inside
    the database driver (SQLite cannot even bind it)."""

    regex = digits_not_above(ID_MAX)

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)


_NO_CONTROL = "[^/\\x00-\\x1f\\x7f]"


class TextConverter(UnicodeConverter):
    """Text in URLs (door codes, tokens) never carries control characters (PostgreSQL refuses NUL).
    Percent-decoding already turns invalid UTF-8 into U+FFFD, so no lone surrogate arrives here."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", _NO_CONTROL)


class TextPathConverter(PathConverter):
    regex = _NO_CONTROL + "[^\\x00-\\x1f\\x7f]*?"


def register_converters(app: Flask) -> None:
    app.url_map.converters.update(int=IdConverter, default=TextConverter, string=TextConverter, path=TextPathConverter)
