"""What one uploaded file costs the web worker, and what cleaning it costs in its child process:

    python bench/upload_bench.py [--repeat 5]

For each sample (a phone photo, a 50- and a 200-megapixel photo, a 16-megapixel PNG screenshot,
the 170 KB PNG that decodes to 40 megapixels, a 20-page PDF) it times uploads.clean() — the
child process `grievance/intake/cleaner.py` — and prints the median wall time, the median CPU
of the child (user + system), the child's peak memory, what the worker itself used (its own CPU,
the growth of its resident memory) and the outcome, with the load average. The worker decodes
nothing: its columns stay near zero whatever the file.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _jpeg(size, quality=85) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(out, "JPEG", quality=quality)
    return out.getvalue()


def _png(size, mode="RGB") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, size, (10, 20, 30, 255)[: len(mode)]).save(out, "PNG")
    return out.getvalue()


def _pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": "bench"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


SAMPLES = [
    ("phone photo 12 MP (JPEG)", lambda: _jpeg((4000, 3000)), "image/jpeg"),
    ("phone photo 50 MP (JPEG)", lambda: _jpeg((8160, 6120)), "image/jpeg"),
    ("phone photo 200 MP (JPEG)", lambda: _jpeg((16320, 12240), quality=60), "image/jpeg"),
    ("screenshot 16 MP (PNG)", lambda: _png((4000, 4000)), "image/png"),
    ("40 MP PNG in 170 KB (the attack)", lambda: _png((6300, 6300), "RGBA"), "image/png"),
    ("PDF, 20 pages", lambda: _pdf(20), "application/pdf"),
]


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _sample(index: int) -> bytes:
    """Made in a process of its own: building a 200 MP picture here would inflate this process,
    and every child forked from it would report that memory as its own."""
    import subprocess

    done = subprocess.run(  # noqa: S603 - this script
        [sys.executable, __file__, "--make", str(index)], capture_output=True, check=True
    )
    return done.stdout


def _one_child(data: bytes, content_type: str, cleaner: Path) -> tuple[float, float]:
    """(CPU seconds, peak MB) of one cleaning process, run with the argv uploads.clean uses."""
    import subprocess
    import tempfile

    with tempfile.TemporaryFile() as source, tempfile.TemporaryFile() as sink:
        source.write(data)
        source.seek(0)
        child = subprocess.Popen(  # noqa: S603
            [sys.executable, "-I", str(cleaner), content_type], stdin=source, stdout=sink, stderr=subprocess.DEVNULL
        )
        _pid, _status, usage = os.wait4(child.pid, 0)
        child.returncode = 0  # reaped here
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--make", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make is not None:
        sys.stdout.buffer.write(SAMPLES[args.make][1]())
        return
    from grievance.intake import uploads

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    header = (
        f"{'file':36} {'size':>9} {'wall p50':>9} {'child CPU':>10} {'child peak':>11}"
        f" {'worker CPU':>11} {'worker RSS+':>12}  outcome"
    )
    print(header)
    print("-" * len(header))
    for index, (name, _build, content_type) in enumerate(SAMPLES):
        data = _sample(index)
        walls, child_cpu, own_cpu, peaks, outcome = [], [], [], [], ""
        rss_before = _rss_kb()
        for _ in range(args.repeat):
            cpu, peak = _one_child(data, content_type, uploads.CLEANER)
            child_cpu.append(cpu)
            peaks.append(peak)
            me = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            try:
                cleaned = uploads.clean(data, content_type)
                outcome = f"accepted, {len(cleaned) // 1024} KB stored"
            except uploads.UploadRefused as refused:
                outcome = f"refused ({refused.reason})"
            walls.append(time.perf_counter() - started)
            mine = resource.getrusage(resource.RUSAGE_SELF)
            own_cpu.append(mine.ru_utime + mine.ru_stime - me.ru_utime - me.ru_stime)
        peak_mb = max(peaks)
        wall, cpu, own = statistics.median(walls), statistics.median(child_cpu), statistics.median(own_cpu)
        grown = (_rss_kb() - rss_before) / 1024
        print(
            f"{name:36} {len(data) // 1024:>7} KB {wall:>8.2f}s {cpu:>9.2f}s"
            f" {peak_mb:>9.0f} MB {own:>10.3f}s {grown:>10.1f} MB  {outcome}"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("wall = uploads.clean() as the form calls it; child CPU and peak = of the cleaning process (wait4)")


if __name__ == "__main__":
    main()
