"""The console's third-party files (app/static/vendor/<name>-<version>/) are what their VERSION says:
each with its licence, its pinned npm version, and the sha256 of the file the pages load."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor"
STAMP = re.compile(r"sha256 of (\S+):\s*\n([0-9a-f]{64})")


def test_every_vendored_library_is_pinned_licensed_and_unchanged():
    folders = sorted(p for p in VENDOR.iterdir() if p.is_dir())
    assert {p.name for p in folders} >= {"htmx-2.0.11", "echarts-6.1.0"}
    for folder in folders:
        version = (folder / "VERSION").read_text(encoding="utf-8")
        number = folder.name.rsplit("-", 1)[1]
        assert f"@{number}" in version, folder.name  # the npm version the folder is named for
        assert (folder / "LICENSE").is_file(), folder.name
        stamps = STAMP.findall(version)
        assert stamps, folder.name
        for filename, digest in stamps:
            assert hashlib.sha256((folder / filename).read_bytes()).hexdigest() == digest, (folder.name, filename)
