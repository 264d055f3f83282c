"""Attachments: sniffed, size-limited, re-encoded without metadata; bad files refused clearly."""

from __future__ import annotations

import io

from PIL import Image

from tests import factories as f
from tests import pdfs
from tests.helpers.disclosures import draft_disclosure, upload_attachment


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0)}  # GPS IFD
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_images_are_reencoded_without_metadata_and_readable_once_published(client, village_world):
    w = village_world
    keeper = f.login_wx(client, w["bookkeeper"])
    version = draft_disclosure(client, keeper, w).get_json()
    original = _jpeg_with_gps()
    assert b"PhoneMaker" in original
    uploaded = upload_attachment(client, keeper, version["id"], original, "../../etc/收据.jpg")
    assert uploaded.status_code == 201, uploaded.get_json()
    body = uploaded.get_json()
    assert body["media_type"] == "image/jpeg" and body["filename"] == "收据.jpg"

    supervisor = f.login_wx(client, w["supervisor"])
    client.post(f"/api/v1/disclosure-versions/{version['id']}/submit", headers=f.bearer(keeper))
    client.post(f"/api/v1/disclosure-versions/{version['id']}/approve", headers=f.bearer(supervisor), json={})
    fetched = client.get(f"/api/v1/h/{w['codes'][0]}/attachments/{body['id']}")
    assert fetched.status_code == 200 and fetched.mimetype == "image/jpeg"
    assert b"PhoneMaker" not in fetched.data and Image.open(io.BytesIO(fetched.data)).getexif().get(0x8825) is None
    assert Image.open(io.BytesIO(fetched.data)).size == (64, 48)
    # no attachment can be added to a published version
    late = upload_attachment(client, keeper, version["id"], original, "x.jpg")
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "version_not_editable"
    detail = client.get(f"/api/v1/h/{w['codes'][0]}/disclosures/{version['disclosure_id']}").get_json()
    assert detail["current"]["attachments"][0]["sha256"] == body["sha256"]


def test_bad_files_are_refused_with_clear_errors(client, village_world):
    w = village_world
    keeper = f.login_wx(client, w["bookkeeper"])
    version_id = draft_disclosure(client, keeper, w).get_json()["id"]

    executable = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 2000
    renamed = upload_attachment(client, keeper, version_id, executable, "发票.jpg")
    assert renamed.status_code == 422 and renamed.get_json()["error"]["code"] == "unsupported_file_type"
    windows = upload_attachment(client, keeper, version_id, b"MZ\x90\x00" + b"\x00" * 500, "report.pdf")
    assert windows.get_json()["error"]["code"] == "unsupported_file_type"

    bomb = io.BytesIO()
    Image.new("1", (30000, 30000)).save(bomb, format="PNG")  # ~100 KB on disk, 900 megapixels decoded
    assert len(bomb.getvalue()) < 2 * 1024 * 1024
    refused = upload_attachment(client, keeper, version_id, bomb.getvalue(), "bomb.png")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "image_too_large"

    huge = b"\xff\xd8\xff\xe0" + b"\x00" * (11 * 1024 * 1024)
    too_big = upload_attachment(client, keeper, version_id, huge, "big.jpg")
    assert too_big.status_code == 422 and too_big.get_json()["error"]["code"] == "file_too_large"
    beyond_limit = upload_attachment(
        client, keeper, version_id, b"\xff\xd8\xff" + b"\x00" * (13 * 1024 * 1024), "x.jpg"
    )
    assert beyond_limit.status_code == 413 and beyond_limit.get_json()["error"]["code"] == "payload_too_large"

    truncated = upload_attachment(client, keeper, version_id, _jpeg_with_gps()[:200], "cut.jpg")
    assert truncated.get_json()["error"]["code"] == "file_damaged"
    scripted = pdfs.with_active("open_action")
    assert (
        upload_attachment(client, keeper, version_id, scripted, "a.pdf").get_json()["error"]["code"]
        == "file_active_content"
    )
    plain_pdf = pdfs.clean()
    assert upload_attachment(client, keeper, version_id, plain_pdf, "a.pdf").status_code == 201
    missing = client.post(
        f"/api/v1/disclosure-versions/{version_id}/attachments",
        headers=f.bearer(keeper),
        data={},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422 and missing.get_json()["error"]["code"] == "file_missing"
    # a villager cannot upload, and cannot read a draft's attachment through the door code
    villager = f.login_wx(client, w["villager"])
    assert upload_attachment(client, villager, version_id, plain_pdf, "a.pdf").status_code == 404
    assert client.get(f"/api/v1/h/{w['codes'][0]}/attachments/1").status_code == 404
