"""PDF attachments (issue 12 item 11): a PDF with active content is refused wherever the content sits
and however it is spelled, with words that say what was found; a clean PDF is stored as it was
checked (written out again) and served as a download that no browser renders."""

from __future__ import annotations

import hashlib
import io
import os
from urllib.parse import quote

import pikepdf
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment
from tests import factories as f
from tests import pdfs
from tests.helpers.disclosures import draft_disclosure

# What the old filter looked for in the raw bytes.
OLD_MARKERS = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/OpenAction", b"/AA")
STREAMS = {"embedded_file", "file_attachment_annotation"}  # a stream's dictionary is never in an object stream


@pytest.fixture
def drafting(client, village_world):
    w = village_world
    keeper = f.login_wx(client, w["bookkeeper"])
    version = draft_disclosure(client, keeper, w).get_json()
    return {**w, "keeper": keeper, "version": version}


def _upload(client, d, data: bytes, name: str = "财务收支.pdf"):
    return client.post(
        f"/api/v1/disclosure-versions/{d['version']['id']}/attachments",
        headers=f.bearer(d["keeper"]),
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment))


def _refused(response, code: str = "file_active_content") -> str:
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code, error
    assert error["fields"]["file"] == [error["message"]]
    return error["message"]


def _publish(client, d) -> None:
    supervisor = f.login_wx(client, d["supervisor"])
    version_id = d["version"]["id"]
    assert (
        client.post(f"/api/v1/disclosure-versions/{version_id}/submit", headers=f.bearer(d["keeper"])).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/v1/disclosure-versions/{version_id}/approve", headers=f.bearer(supervisor), json={}
        ).status_code
        == 200
    )


def test_the_reported_file_with_escaped_names_is_refused_naming_what_it_found(client, drafting):
    data = pdfs.escaped_names()
    assert not any(marker in data for marker in OLD_MARKERS)  # what slipped through before
    message = _refused(_upload(client, drafting, data))
    assert "JavaScript 脚本" in message and "OpenAction" in message and "Launch" in message
    assert "重新生成" in message  # and what to do about it
    assert _stored_count() == 0


@pytest.mark.parametrize("object_streams", [False, True], ids=["plain", "compressed-object-streams"])
@pytest.mark.parametrize("kind", sorted(pdfs.ACTIVE))
def test_every_kind_of_active_content_is_refused_with_its_name(client, drafting, kind, object_streams):
    data = pdfs.with_active(kind, object_streams=object_streams)
    if object_streams and kind not in STREAMS:  # inside compressed object streams: no name is visible
        assert b"/S /" not in data and not any(marker in data for marker in OLD_MARKERS)
    message = _refused(_upload(client, drafting, data))
    assert pdfs.ACTIVE[kind][1] in message, message
    assert _stored_count() == 0


def test_active_content_added_by_an_incremental_update_is_refused(client, drafting):
    base = pdfs.clean()
    assert _upload(client, drafting, base).status_code == 201
    updated = pdfs.incremental_update(
        base, catalog_extra=b"/Open#41ction 99 0 R", new_objects={99: b"<< /S /J#61vaScript /J#53 (app.alert(2)) >>"}
    )
    message = _refused(_upload(client, drafting, updated))
    assert "OpenAction" in message and "JavaScript" in message
    assert _stored_count() == 1


def test_what_is_stored_is_the_file_as_checked_not_its_earlier_revisions(client, drafting):
    document = pdfs.document()
    document.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    scripted = pdfs.save(document)
    assert b"app.alert" in scripted
    # an editor's later revision drops the script; the earlier revision is still in the bytes
    cleaned_up = pdfs.incremental_update(scripted, catalog_extra=b"/OpenAction [ 1 0 R /Fit ]")
    uploaded = _upload(client, drafting, cleaned_up + b"<html><script>alert(1)</script></html>\n%%EOF\n")
    assert uploaded.status_code == 201, uploaded.get_json()
    _publish(client, drafting)
    served = client.get(f"/api/v1/h/{drafting['codes'][0]}/attachments/{uploaded.get_json()['id']}")
    assert served.status_code == 200
    assert b"app.alert" not in served.data and b"<script>" not in served.data
    assert hashlib.sha256(served.data).hexdigest() == uploaded.get_json()["sha256"]
    with pikepdf.open(io.BytesIO(served.data)) as pdf:
        assert len(pdf.pages) == 2


def test_encrypted_damaged_and_empty_pdfs_are_refused(client, drafting):
    for data in (pdfs.encrypted(), pdfs.encrypted(user_password="1234")):
        assert "加密" in _refused(_upload(client, drafting, data), "file_encrypted")
    garbage = b"%PDF-1.7\n" + os.urandom(2000) + b"\n%%EOF\n"
    _refused(_upload(client, drafting, garbage), "file_damaged")
    no_pages = pdfs.raw({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [] /Count 0 >>"})
    _refused(_upload(client, drafting, no_pages), "file_damaged")
    _refused(_upload(client, drafting, pdfs.clean()[:-400]), "file_damaged")  # cut off in transit
    assert _stored_count() == 0


def test_an_object_stream_bomb_is_parsed_under_limits_and_nothing_of_it_is_kept(client, drafting):
    bomb = pdfs.object_stream_bomb()
    assert len(bomb) < 2 * 1024 * 1024  # a gigabyte once inflated
    uploaded = _upload(client, drafting, bomb)
    # The parser runs in a child with limited memory: the bomb's object is unreadable there and is
    # left out of the file that is written out again.
    assert uploaded.status_code == 201, uploaded.get_json()
    assert uploaded.get_json()["size"] < 10_000


def test_a_clean_pdf_is_accepted_and_served_as_a_download(client, drafting):
    original = pdfs.save(pdfs.document(), object_streams=True)
    uploaded = _upload(client, drafting, original, "2026年三季度 财务公开.pdf")
    assert uploaded.status_code == 201, uploaded.get_json()
    body = uploaded.get_json()
    assert body["media_type"] == "application/pdf" and body["filename"] == "2026年三季度 财务公开.pdf"
    _publish(client, drafting)

    served = client.get(f"/api/v1/h/{drafting['codes'][0]}/attachments/{body['id']}")
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"] == (
        "attachment; filename=\"2026.pdf\"; filename*=UTF-8''" + quote("2026年三季度 财务公开.pdf", safe="")
    )
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    with pikepdf.open(io.BytesIO(served.data)) as pdf:  # the links and outline an export carries survive
        assert len(pdf.pages) == 2
        assert str(pdf.pages[0].obj.Annots[0].A.URI) == "https://www.gov.cn/zhengce/"
        with pdf.open_outline() as outline:
            assert [item.title for item in outline.root] == ["第一页"]


def test_a_file_the_checker_cannot_finish_is_refused_not_stored(client, drafting, monkeypatch):
    from app.domain import pdf_check

    monkeypatch.setattr(pdf_check, "WALL_SECONDS", 0.001)  # as if a crafted file kept the parser busy
    message = _refused(_upload(client, drafting, pdfs.clean()), "file_too_complex")
    assert "过于复杂" in message and "重新生成" in message
    assert _stored_count() == 0
