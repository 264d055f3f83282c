"""Files the API serves (attachments, complaint photos, sticker sheets, exports) are downloads, never
pages: a browser must not render or sniff them in our origin, whatever a file turns out to contain.

Every API response gets `X-Content-Type-Options: nosniff` and a CSP that allows nothing and sandboxes
the document; every file (anything that is not JSON or plain text) is sent as
`Content-Disposition: attachment` — set here once, for every route, present and future.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from flask import Response, send_file

from app.api import bp

CSP = "default-src 'none'; sandbox"
_NOT_FILES = ("application/json", "text/plain")


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the real (UTF-8) name in RFC 5987 `filename*`."""
    path = Path(filename.replace("/", "_").replace("\\", "_"))
    ascii_stem = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._") or "download"
    ascii_suffix = re.sub(r"[^A-Za-z0-9.]", "", path.suffix)
    return f"attachment; filename=\"{ascii_stem}{ascii_suffix}\"; filename*=UTF-8''{quote(path.name, safe='')}"


def download(path: str | Path, *, media_type: str, filename: str, private: bool = False) -> Response:
    """Send a stored file as a download. private: evidence of a complaint, kept out of every cache."""
    response = send_file(path, mimetype=media_type, max_age=0 if private else None)
    response.headers["Content-Disposition"] = content_disposition(filename)
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.after_request
def _never_rendered(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Content-Security-Policy", CSP)
    if (
        response.status_code < 300
        and response.mimetype not in _NOT_FILES
        and not response.headers.get("Content-Disposition", "").startswith("attachment")
        and response.status_code != 204
    ):
        response.headers["Content-Disposition"] = "attachment"
    return response
