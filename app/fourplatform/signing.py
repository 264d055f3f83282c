"""The one signing scheme between Mingjing and a township's four-platform system, both directions.

    signature = lowercase hex of HMAC-SHA256(key = the township's shared secret (UTF-8),
                                             message = timestamp + "." + raw request body)

The timestamp is Unix seconds in decimal. The sender puts it in `X-Mingjing-Timestamp` and the
signature in `X-Mingjing-Signature`; outbound deliveries also carry `Idempotency-Key` (the
delivery's key: the same on every retry, so the platform can drop duplicates). The receiver
recomputes the signature over the bytes it received (never over re-serialised JSON), compares in
constant time, and refuses a timestamp more than the window away from its own clock.
"""

from __future__ import annotations

import hashlib
import hmac
import re

TIMESTAMP_HEADER = "X-Mingjing-Timestamp"
SIGNATURE_HEADER = "X-Mingjing-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEFAULT_WINDOW_SECONDS = 300

_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")


class SignatureError(Exception):
    """Why a signed request is refused: `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float, key: str | None = None) -> dict[str, str]:
    """Headers for a signed JSON request sent at `now` (Unix seconds)."""
    timestamp = str(int(now))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
    if key is not None:
        headers[IDEMPOTENCY_HEADER] = key
    return headers


def verify(
    secret: str,
    timestamp: str | None,
    given: str | None,
    body: bytes,
    *,
    now: float,
    window: int = DEFAULT_WINDOW_SECONDS,
) -> None:
    """Raise SignatureError unless `given` signs `body` at `timestamp` with `secret`, within `window`
    seconds of `now` either way (a clock slightly ahead of ours is not an attack)."""
    if not timestamp or not given:
        raise SignatureError("signature_missing", "缺少签名或时间戳")
    if not _TIMESTAMP.match(timestamp) or not _SIGNATURE.match(given):
        raise SignatureError("signature_invalid", "签名无效")
    if not hmac.compare_digest(signature(secret, timestamp, body), given):
        raise SignatureError("signature_invalid", "签名无效")
    if abs(now - int(timestamp)) > window:
        raise SignatureError("timestamp_stale", "请求时间戳已过期，请校准时钟后重新签名发送")
