"""Benchmark of sticker sheets: `python -m qr.bench [--n N] [--layout 3x8] [--workers W]`.

Builds a sheet for N households with random codes made in memory (no database), then encodes the
same URLs with bare qrcode on one core, and prints as its last line:
{"n", "stickers_per_s", "encode_only_per_s", "ratio", "peak_rss_mb", ...}

ratio = stickers_per_s / encode_only_per_s: above 1 means laying out and writing the sheet costs less
than the extra cores bring. peak_rss_mb is the largest peak RSS of any one process (the parent or a
worker, from getrusage); peak_rss_total_mb is the largest sum over the parent and its workers seen
by sampling every 200 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import random
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import psutil
import qrcode
from qrcode.constants import ERROR_CORRECT_Q

from qr import SheetHeader, Sticker, parse_layout, write_sheet

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as the app's household codes
BASE_URL = "https://mingjing.example.cn"
ADDRESSES = ("青山镇下林村{g}组{n}号", "青山镇下林村第{g}村民小组长岭自然村大塘湾路{n}号之二", "下林村{g}组{n}号")


def codes(n: int, seed: int) -> Iterator[str]:
    rnd = random.Random(seed)
    for _ in range(n):
        yield "".join(rnd.choice(ALPHABET) for _ in range(13))


def stickers(n: int, seed: int) -> Iterator[Sticker]:
    """Lazily: the parent never holds the whole village."""
    for i, code in enumerate(codes(n, seed)):
        yield Sticker(
            url=f"{BASE_URL}/h/{code}",
            code_text=f"{code[:4]}-{code[4:8]}-{code[8:]}",
            household_number=f"{i + 1:04d}",
            address=ADDRESSES[i % len(ADDRESSES)].format(g=i % 12 + 1, n=i % 300 + 1),
        )


class RssSampler(threading.Thread):
    """Largest RSS sum over this process and its children, sampled."""

    def __init__(self, interval: float = 0.2):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_total = 0
        self._halt = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        children: dict[int, psutil.Process] = {}
        rounds = 0
        while not self._halt.is_set():
            if rounds % 10 == 0:  # finding children scans /proc: not at every sample
                with contextlib.suppress(psutil.Error):
                    children = {c.pid: children.get(c.pid, c) for c in me.children(recursive=True)}
            rounds += 1
            total = 0
            for process in (me, *children.values()):
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
            self.peak_total = max(self.peak_total, total)
            self._halt.wait(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak_total


def encode_only(n: int, seed: int) -> float:
    """Bare qrcode encodings per second on this one core, the sheet's settings (level Q, fit)."""
    urls = [f"{BASE_URL}/h/{code}" for code in codes(n, seed)]
    start = time.perf_counter()
    for url in urls:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q)
        code.add_data(url)
        code.make(fit=True)
    return n / (time.perf_counter() - start)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench/stickers", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="households (default 10000)")
    parser.add_argument("--layout", default="3x8")
    parser.add_argument("--workers", type=int, default=None, help="default: every core")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    layout = parse_layout(args.layout)
    header = SheetHeader(
        "青山镇", "下林村", "0571-88886666", datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    )  # the print date, as the app stamps it

    sampler = RssSampler()
    sampler.start()
    with tempfile.TemporaryFile(prefix="stickers-", suffix=".pdf") as out:
        start = time.perf_counter()
        result = write_sheet(stickers(args.n, args.seed), header, layout, out, total=args.n, workers=args.workers)
        seconds = time.perf_counter() - start
        pdf_bytes = out.tell()
    peak_total = sampler.stop()
    encode_per_s = encode_only(args.n, args.seed)

    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # largest reaped worker
    stickers_per_s = result.stickers / seconds
    report = {
        "n": args.n,
        "layout": layout.name,
        "workers": args.workers or os.cpu_count(),
        "pages": result.pages,
        "seconds": round(seconds, 2),
        "stickers_per_s": round(stickers_per_s, 1),
        "encode_only_per_s": round(encode_per_s, 1),
        "ratio": round(stickers_per_s / encode_per_s, 3),
        "peak_rss_mb": round(max(self_kb, children_kb) / 1024, 1),
        "peak_rss_parent_mb": round(self_kb / 1024, 1),
        "peak_rss_worker_mb": round(children_kb / 1024, 1),
        "peak_rss_total_mb": round(peak_total / 2**20, 1),
        "pdf_mb": round(pdf_bytes / 2**20, 1),
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
    }
    print(
        f"{result.stickers} stickers, {result.pages} pages in {seconds:.1f} s on {report['workers']} workers: "
        f"{stickers_per_s:.0f}/s; bare encoding on one core {encode_per_s:.0f}/s",
        file=sys.stderr,
    )
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
