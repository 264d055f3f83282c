"""PDFs for upload tests, built with pikepdf: a clean document with harmless navigation, and the same
document carrying each kind of active content, hidden the ways a filter that reads bytes misses it."""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Callable

import pikepdf
from pikepdf import Array, Dictionary, Name, String

_TEXT = b"BT /F1 18 Tf 72 720 Td (Village accounts 2026 Q3) Tj ET"


def document() -> pikepdf.Pdf:
    """Two pages of text with what real exports carry: a web link, an outline, an open-at-page-1 destination."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for _ in range(2):
        page = pikepdf.Page(pdf.add_blank_page(page_size=(612, 792)))
        page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(_TEXT)
    first = pdf.pages[0].obj
    first.Annots = pdf.make_indirect(
        Array(
            [
                pdf.make_indirect(
                    Dictionary(
                        Type=Name.Annot,
                        Subtype=Name.Link,
                        Rect=[72, 700, 300, 730],
                        Border=[0, 0, 0],
                        A=Dictionary(S=Name.URI, URI=String("https://www.gov.cn/zhengce/")),
                    )
                )
            ]
        )
    )
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("第一页", 0))
    pdf.Root.OpenAction = Array([first, Name.Fit])
    return pdf


def save(pdf: pikepdf.Pdf, *, object_streams: bool = False) -> bytes:
    out = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    pdf.save(out, object_stream_mode=mode, compress_streams=True)
    return out.getvalue()


def clean() -> bytes:
    return save(document())


def _annotate(pdf: pikepdf.Pdf, page: int, annotation: Dictionary) -> None:
    target = pdf.pages[page].obj
    if "/Annots" not in target:
        target.Annots = pdf.make_indirect(Array())
    target.Annots.append(pdf.make_indirect(annotation))


def _link(pdf: pikepdf.Pdf, action: Dictionary, page: int = 1) -> None:
    _annotate(pdf, page, Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, 600, 300, 630], A=action))


def _js(code: str = "app.alert('x')") -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=String(code))


def _names_javascript(pdf):
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), pdf.make_indirect(_js())])))


def _open_action(pdf):
    pdf.Root.OpenAction = pdf.make_indirect(_js())


def _page_aa(pdf):
    pdf.pages[1].obj.AA = Dictionary(O=Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit])))


def _launch(pdf):
    _link(pdf, Dictionary(S=Name.Launch, F=String("cmd.exe"), Win=Dictionary(F=String("cmd.exe"))))


def _submit_form(pdf):
    field = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Btn,
            Ff=65536,
            T=String("submit"),
            Rect=[72, 500, 200, 530],
            A=Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("https://collect.example/x"))),
        )
    )
    pdf.pages[0].obj.Annots.append(field)
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]))


def _import_data(pdf):
    _link(pdf, Dictionary(S=Name.ImportData, F=String("data.fdf")))


def _remote_goto(pdf):
    with pdf.open_outline() as outline:
        item = pikepdf.OutlineItem("其他文件")
        item.action = Dictionary(S=Name.GoToR, F=String("other.pdf"), D=Array([0, Name.Fit]))
        outline.root.append(item)


def _javascript_link(pdf):
    _link(pdf, Dictionary(S=Name.URI, URI=String("javascript:alert(document.cookie)")))


def _embedded_files(pdf):
    pdf.attachments["明细.xlsx"] = pikepdf.AttachedFileSpec(pdf, b"PK\x03\x04 not really", mime_type="application/zip")


def _file_attachment_annotation(pdf):
    spec = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 program", filename="readme.exe")
    _annotate(pdf, 0, Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[10, 10, 30, 30], FS=spec.obj))


def _rich_media(pdf):
    _annotate(
        pdf,
        1,
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.RichMedia,
            Rect=[72, 72, 300, 300],
            RichMediaContent=Dictionary(Assets=Dictionary(Names=Array())),
        ),
    )


def _xfa(pdf):
    pdf.Root.AcroForm = Dictionary(Fields=Array(), XFA=pdf.make_stream(b"<xdp:xdp/>"))


def _renditions(pdf):
    pdf.Root.Names = Dictionary(
        Renditions=Dictionary(
            Names=Array(
                [
                    String("clip"),
                    pdf.make_indirect(
                        Dictionary(
                            Type=Name.Rendition,
                            S=Name.MR,
                            C=Dictionary(Type=Name.MediaClip, S=Name.MCD, D=String("clip.swf")),
                        )
                    ),
                ]
            )
        )
    )


def _unknown_action(pdf):
    _link(pdf, Dictionary(Type=Name.Action, S=Name.RunSomething, Target=String("x")))


def _named_print(pdf):
    _link(pdf, Dictionary(S=Name.Named, N=Name.Print))


# kind → (how to add it, words the refusal must contain)
ACTIVE: dict[str, tuple[Callable[[pikepdf.Pdf], None], str]] = {
    "javascript": (_names_javascript, "JavaScript 脚本"),
    "open_action": (_open_action, "打开文件时自动执行的操作"),
    "additional_actions": (_page_aa, "自动触发的操作"),
    "launch": (_launch, "启动程序或打开本机文件的操作"),
    "submit_form": (_submit_form, "向外部提交表单数据的操作"),
    "import_data": (_import_data, "导入外部数据的操作"),
    "remote_goto": (_remote_goto, "跳转到其他文件的链接"),
    "unsafe_link": (_javascript_link, "不是网页地址的链接"),
    "embedded_file": (_embedded_files, "嵌入的文件"),
    "file_attachment_annotation": (_file_attachment_annotation, "嵌入的文件"),
    "rich_media": (_rich_media, "多媒体或 3D 内容"),
    "xfa": (_xfa, "XFA 动态表单"),
    "named_action": (_named_print, "其他交互操作（Named）"),
    "renditions_tree": (_renditions, "多媒体或 3D 内容"),
    "unknown_action": (_unknown_action, "其他交互操作（RunSomething）"),
}


def with_active(kind: str, *, object_streams: bool = False) -> bytes:
    pdf = document()
    ACTIVE[kind][0](pdf)
    return save(pdf, object_streams=object_streams)


def _write_objects(out: bytearray, objects: dict[int, bytes]) -> dict[int, int]:
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    return offsets


def raw(objects: dict[int, bytes], *, root: int = 1, header: bytes = b"%PDF-1.7\n") -> bytes:
    """A PDF written byte by byte (with a correct xref table), for what pikepdf would write differently."""
    out = bytearray(header)
    offsets = _write_objects(out, objects)
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[number]) if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def escaped_names() -> bytes:
    """The finding's file: /Open#41ction, /J#61vaScript, /L#61unch — the same names, spelled with escapes."""
    stream = zlib.compress(_TEXT)
    return raw(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R /Open#41ction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [5 0 R] >>",
            4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
            5: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /L#61unch /F (cmd.exe) >> >>",
        }
    )


def incremental_update(base: bytes, *, catalog_extra: bytes, new_objects: dict[int, bytes] | None = None) -> bytes:
    """Append a revision to `base` (as an editor's "save" does): a new catalog with `catalog_extra`
    added, plus new objects; the original bytes stay as they were."""
    pdf = pikepdf.open(io.BytesIO(base))
    root_number = pdf.Root.objgen[0]
    catalog = pdf.Root.unparse(resolved=True).strip()
    size = int(pdf.trailer.Size)
    pdf.close()
    assert catalog.endswith(b">>")
    for key in re.findall(rb"/[A-Za-z]+(?= )", catalog_extra):  # the new revision replaces these keys
        catalog = re.sub(re.escape(key) + rb" (\[[^\]]*\]|\d+ 0 R)", b"", catalog)
    previous = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    objects = {root_number: catalog[:-2] + b" " + catalog_extra + b" >>", **(new_objects or {})}
    out = bytearray(base if base.endswith(b"\n") else base + b"\n")
    offsets = _write_objects(out, objects)
    xref = len(out)
    out += b"xref\n"
    for number in sorted(objects):
        out += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
    new_size = max(size, max(objects) + 1)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        new_size,
        root_number,
        previous,
        xref,
    )
    return bytes(out)


def object_stream_bomb(inflated: int = 1_000_000_000) -> bytes:
    """About 1 MB on disk; the object stream inflates to a gigabyte when a parser reads it."""
    inner = zlib.compress(b"5 0 (x)" + b" " * inflated, 9)

    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Extra 5 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> >>",
        4: b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(inner)
        + inner
        + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.5\n")
    offsets = _write_objects(out, objects)
    offsets[6] = len(out)
    rows = [b"\x00" + struct.pack(">I", 0) + b"\xff\xff"]
    rows += [b"\x01" + struct.pack(">I", offsets[n]) + b"\x00\x00" for n in range(1, 5)]
    rows += [b"\x02" + struct.pack(">I", 4) + b"\x00\x00", b"\x01" + struct.pack(">I", offsets[6]) + b"\x00\x00"]
    table = b"".join(rows)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[6]
    )
    return bytes(out)


def encrypted(user_password: str = "") -> bytes:
    out = io.BytesIO()
    document().save(out, encryption=pikepdf.Encryption(owner="owner-secret", user=user_password))
    return out.getvalue()
