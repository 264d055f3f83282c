"""The one outbound HTTP client towards a township's four-platform system: a signed JSON POST, and
what its answer means for the delivery (delivered, try again later, or never)."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from app.fourplatform import signing

# Worth another try: the platform or the network is having a bad moment.
RETRYABLE_STATUSES = {408, 429}


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retryable: bool = False
    error: str | None = None  # for the delivery's last_error: short, for township staff
    status: int | None = None


def post(url: str, secret: str, body: bytes, *, key: str, now: float, timeout: float) -> Outcome:
    """POST `body` to `url`, signed at `now`. Redirects are not followed: a platform that moved is
    misconfigured, and the signature would travel to wherever the redirect points."""
    headers = signing.signed_headers(secret, body, now=now, key=key)
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.Timeout:
        return Outcome(False, retryable=True, error=f"超时（{timeout:g} 秒内无应答）")
    except requests.ConnectionError as exc:
        return Outcome(False, retryable=True, error=f"无法连接：{type(exc).__name__}")
    except requests.RequestException as exc:  # an address requests cannot use at all
        return Outcome(False, retryable=False, error=f"请求无法发出：{type(exc).__name__}")
    status = response.status_code
    response.close()
    if 200 <= status < 300:
        return Outcome(True, status=status)
    retryable = status >= 500 or status in RETRYABLE_STATUSES
    return Outcome(False, retryable=retryable, error=f"对方应答 HTTP {status}", status=status)
