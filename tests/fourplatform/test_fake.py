"""The signing scheme shared by both directions, and the fake four-platform system over real HTTP: it
checks signatures, drops duplicates by idempotency key, and goes down when told."""

from __future__ import annotations

import time

import pytest
import requests

from app.fourplatform import client, signing

SECRET = "a-shared-secret-of-some-length"


def test_a_signature_covers_timestamp_and_exact_body():
    body = b'{"case":"TS-1","status":"signed"}'
    headers = signing.signed_headers(SECRET, body, now=1_700_000_000, key="k1")
    assert headers[signing.TIMESTAMP_HEADER] == "1700000000" and headers[signing.IDEMPOTENCY_HEADER] == "k1"
    given = headers[signing.SIGNATURE_HEADER]
    signing.verify(SECRET, "1700000000", given, body, now=1_700_000_299)
    refusals = [
        ("1700000000", given, body + b" ", 1_700_000_000, "signature_invalid"),  # one byte more
        ("1700000001", given, body, 1_700_000_000, "signature_invalid"),  # another timestamp
        ("1700000000", given.upper(), body, 1_700_000_000, "signature_invalid"),
        ("17e8", given, body, 1_700_000_000, "signature_invalid"),
        ("1700000000", given, body, 1_700_000_301, "timestamp_stale"),
        ("1700000000", given, body, 1_699_999_699, "timestamp_stale"),
        (None, given, body, 1_700_000_000, "signature_missing"),
        ("1700000000", "", body, 1_700_000_000, "signature_missing"),
    ]
    for timestamp, signature, data, now, code in refusals:
        with pytest.raises(signing.SignatureError) as refused:
            signing.verify(SECRET, timestamp, signature, data, now=now)
        assert refused.value.code == code, (timestamp, signature, data, now)
    with pytest.raises(signing.SignatureError):
        signing.verify("another-secret-entirely", "1700000000", given, body, now=1_700_000_000)


def _deliver(fake, body: bytes, key: str, secret: str | None = None) -> client.Outcome:
    return client.post(fake.cases_url, secret or fake.SECRET, body, key=key, now=time.time(), timeout=5)


def test_the_fake_checks_signatures_and_drops_duplicates(four_platform):
    body = b'{"case":{"reference":"TS-20260302-AAAAAAAAAA"}}'
    assert _deliver(four_platform, body, "k1") == client.Outcome(True, status=200)
    assert _deliver(four_platform, body, "k1").delivered  # a duplicate is answered, not recorded
    wrong = _deliver(four_platform, body, "k2", secret="not-the-shared-secret")
    assert wrong == client.Outcome(False, retryable=False, error="对方应答 HTTP 401", status=401)
    unkeyed = requests.post(
        four_platform.cases_url,
        data=body,
        headers=signing.signed_headers(four_platform.SECRET, body, now=time.time()),
        timeout=5,
    )
    assert unkeyed.status_code == 400
    assert [r["key"] for r in four_platform.receipts()] == ["k1"]
    assert four_platform.receipts()[0]["raw"] == body.decode()
    assert four_platform.stats() == {
        "received": 1,
        "duplicates": 1,
        "refused": 1,
        "rejected": 0,
        "down": 0,
        "mode": "up",
    }


def test_the_fake_can_be_down_refusing_or_gone(four_platform):
    body = b'{"case":{}}'
    four_platform.mode("down")
    assert _deliver(four_platform, body, "k1") == client.Outcome(
        False, retryable=True, error="对方应答 HTTP 503", status=503
    )
    four_platform.mode("reject")
    assert _deliver(four_platform, body, "k1") == client.Outcome(
        False, retryable=False, error="对方应答 HTTP 422", status=422
    )
    four_platform.stop()
    gone = _deliver(four_platform, body, "k1")
    assert not gone.delivered and gone.retryable and gone.error.startswith("无法连接")
    four_platform.start()  # the same port again
    four_platform.mode("up")
    assert _deliver(four_platform, body, "k1").delivered
    assert len(four_platform.receipts()) == 1


def test_the_fake_is_served_by_a_cli_command(runner):
    result = runner.invoke(args=["four-platform-fake", "--help"])
    assert result.exit_code == 0 and "--secret" in result.output and "--callback-url" in result.output
