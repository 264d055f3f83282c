"""PDF inspection with a real PDF parser (pikepdf / qpdf), run in a child process under memory and
CPU limits: qpdf inflates object streams while parsing, and a 1 MB file can claim gigabytes.

A PDF is refused when anything in it can act by itself or reach outside the document — JavaScript,
actions other than "go to a page" and web links, automatic actions (OpenAction, AA), embedded files,
multimedia, XFA — wherever it sits: every object of the file is looked at (catalog, pages,
annotations, name trees, outlines, form fields, objects inside compressed object streams, the
objects an incremental update adds). Names are compared after the parser decoded them, so
`/J#61vaScript` is `/JavaScript`. Encrypted and unparseable files are refused too.

What is stored is the file as the parser understood it, written out again (streams copied, not
decoded): earlier revisions, garbage after %%EOF and objects the document does not use are gone,
so no viewer can read the file differently from what was checked.

This module is run as a script by `check` and imports nothing from the app.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported lazily at run time: the parent process never loads qpdf
    import pikepdf

log = logging.getLogger(__name__)

MEMORY_LIMIT = 768 * 1024 * 1024  # address space of the child; a decompression bomb dies here
CPU_SECONDS = 20
WALL_SECONDS = 40
MAX_OBJECTS = 100_000  # a 1,000-page export has tens of thousands; each takes ~50 µs to look at

# What was found, in words a cadre can act on (the key is stable, for tests and logs).
LABELS = {
    "javascript": "JavaScript 脚本",
    "open_action": "打开文件时自动执行的操作（OpenAction）",
    "additional_actions": "自动触发的操作（AA：打开页面、点击或填写表单时执行）",
    "launch": "启动程序或打开本机文件的操作（Launch）",
    "submit_form": "向外部提交表单数据的操作（SubmitForm）",
    "import_data": "导入外部数据的操作（ImportData）",
    "remote_goto": "跳转到其他文件的链接（GoToR、GoToE）",
    "unsafe_link": "不是网页地址的链接（如 javascript:、file:）",
    "embedded_file": "嵌入的文件（附件、文件附件注释或 PDF 文件包）",
    "rich_media": "多媒体或 3D 内容（RichMedia、Screen、Movie、Sound、3D、Rendition）",
    "xfa": "XFA 动态表单",
    "postscript": "PostScript 代码",
    "other_action": "其他交互操作",
}

# Actions that only move within the document or open a web page; everything else is refused.
_HARMLESS_NAMED = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
_WEB_SCHEMES = ("http://", "https://", "mailto:")
_ACTION_FINDING = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/SubmitForm": "submit_form",
    "/ImportData": "import_data",
    "/GoToR": "remote_goto",
    "/GoToE": "remote_goto",
    "/RichMediaExecute": "rich_media",
    "/Rendition": "rich_media",
    "/Movie": "rich_media",
    "/Sound": "rich_media",
    "/GoTo3DView": "rich_media",
    "/ResetForm": "other_action",
    "/Hide": "other_action",
    "/SetOCGState": "other_action",
    "/Trans": "other_action",
    "/Thread": "other_action",
    "/GoToDp": "other_action",
    "/Named": "other_action",  # unless it only turns pages
    "/URI": "unsafe_link",  # unless it is a web address
    "/GoTo": None,
}
_MEDIA_SUBTYPES = {"/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}


@dataclass
class Outcome:
    status: str  # clean | active | encrypted | damaged | too_complex
    findings: list[str] = field(default_factory=list)  # keys of LABELS, in the order found
    details: list[str] = field(default_factory=list)  # action names behind "other_action"
    data: bytes = b""  # the file to store (clean only)

    def describe(self) -> str:
        words = []
        for key in self.findings:
            label = LABELS[key]
            if key == "other_action" and self.details:
                label += "（" + "、".join(self.details) + "）"
            words.append(label)
        return "；".join(words)


def _findings_in(pdf: pikepdf.Pdf) -> tuple[list[str], list[str]]:
    import pikepdf

    found: dict[str, None] = {}
    details: dict[str, None] = {}

    def action(d: pikepdf.Dictionary) -> None:
        kind = str(d.get("/S"))
        finding = _ACTION_FINDING.get(kind)
        if kind == "/Named" and str(d.get("/N")) in _HARMLESS_NAMED:
            finding = None
        if kind == "/URI":
            uri = d.get("/URI")
            text = bytes(uri).decode("latin-1") if isinstance(uri, pikepdf.String) else ""
            if text.lower().startswith(_WEB_SCHEMES):
                finding = None
        if finding == "other_action":
            details[kind.lstrip("/")] = None
        if finding:
            found[finding] = None

    def look(d: pikepdf.Dictionary) -> None:
        keys = set(d.keys())
        if "/JS" in keys or "/JavaScript" in keys:
            found["javascript"] = None
        if "/AA" in keys:
            found["additional_actions"] = None
        if "/OpenAction" in keys:
            opener = d.get("/OpenAction")
            # A destination ("open at page 1, fit width") is harmless; an action is not.
            if isinstance(opener, pikepdf.Dictionary) and str(opener.get("/S")) != "/GoTo":
                found["open_action"] = None
        if keys & {"/EmbeddedFiles", "/EF", "/Collection"} or str(d.get("/Type")) == "/EmbeddedFile":
            found["embedded_file"] = None
        if "/XFA" in keys:
            found["xfa"] = None
        if keys & {"/RichMediaContent", "/RichMediaSettings", "/AlternatePresentations", "/Renditions"}:
            found["rich_media"] = None
        subtype = str(d.get("/Subtype")) if "/Subtype" in keys else None
        if subtype == "/FileAttachment":
            found["embedded_file"] = None
        elif subtype in _MEDIA_SUBTYPES:
            found["rich_media"] = None
        elif subtype == "/PS" or "/PS" in keys:
            found["postscript"] = None
        if "/S" in keys and str(d.get("/S")) in _ACTION_FINDING:
            action(d)
        elif str(d.get("/Type")) == "/Action":  # an action of a kind no standard names: not harmless either
            found["other_action"] = None
            details[str(d.get("/S")).lstrip("/")] = None

    # Every object the file defines, wherever it is stored; direct objects nested inside them are
    # walked here, indirect ones come up on their own in pdf.objects.
    def walk(root: pikepdf.Object) -> None:
        stack = [root]
        while stack:
            item = stack.pop()
            if isinstance(item, pikepdf.Stream):
                item = item.stream_dict
            if isinstance(item, pikepdf.Dictionary):
                look(item)
                children = item.values()
            elif isinstance(item, pikepdf.Array):
                children = item
            else:
                continue
            stack.extend(
                child
                for child in children
                if isinstance(child, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) and not child.is_indirect
            )

    walk(pdf.trailer)
    for obj in pdf.objects:
        walk(obj)
    return list(found), list(details)


def inspect(data: bytes) -> Outcome:
    """Parse, look at everything, and write the file out again. In-process: use `check` for uploads."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return Outcome("encrypted")
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return Outcome("damaged")
    with pdf:
        try:
            if pdf.is_encrypted:
                return Outcome("encrypted")
            if len(pdf.objects) > MAX_OBJECTS:
                return Outcome("too_complex")
            findings, details = _findings_in(pdf)
            if findings:
                return Outcome("active", findings, details)
            if len(pdf.pages) == 0:
                return Outcome("damaged")
            out = io.BytesIO()
            pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, deterministic_id=True)
        except (pikepdf.PdfError, ValueError, RuntimeError, TypeError, KeyError):
            return Outcome("damaged")
    rewritten = out.getvalue()
    # What is stored is what was checked: look at the rewritten file once more.
    try:
        with pikepdf.open(io.BytesIO(rewritten)) as again:
            findings, details = _findings_in(again)
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return Outcome("damaged")
    if findings:
        return Outcome("active", findings, details)
    return Outcome("clean", data=rewritten)


def check(data: bytes) -> Outcome:
    """`inspect` in a child process with limited memory and time; a child that dies is a file too
    complex to check (a decompression bomb, a parser stuck on a crafted file)."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", os.path.abspath(__file__)],
            input=data,
            capture_output=True,
            timeout=WALL_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("PDF check gave up after %s s", WALL_SECONDS)
        return Outcome("too_complex")
    head, sep, body = done.stdout.partition(b"\n")
    if done.returncode != 0 or not sep:
        # killed by its limits (a bomb), or broken (then the operator needs the reason: log it)
        log.warning(
            "PDF check ended with status %s: %s", done.returncode, done.stderr[-2000:].decode("utf-8", "replace")
        )
        return Outcome("too_complex")
    report = json.loads(head)
    return Outcome(report["status"], report["findings"], report["details"], body)


def _child() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    try:
        outcome = inspect(sys.stdin.buffer.read())
    except MemoryError:
        outcome = Outcome("too_complex")
    report = {"status": outcome.status, "findings": outcome.findings, "details": outcome.details}
    sys.stdout.buffer.write(json.dumps(report).encode() + b"\n" + outcome.data)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _child()
