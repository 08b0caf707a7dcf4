"""Reading files: validating 1,000 generated vendor profiles, refusing hostile input, and the
peak memory of `scorecard score` on the shipped data."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scorecard.loading import validate

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"validate_1000_vendor_files_s": 3.0, "alias_bomb_s": 1.0, "file_50mb_s": 1.0}


def run() -> dict[str, float]:
    template = ROOT / "criteria" / "ai-video-enterprise.yaml"
    profiles = sorted((ROOT / "vendors").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "vendors"
        folder.mkdir()
        for i in range(1000):
            source = profiles[i % len(profiles)].read_text()
            vendor_id = source.split("\nid: ", 1)[1].split("\n", 1)[0]
            name = source.split("\nname: ", 1)[1].split("\n", 1)[0]
            source = source.replace(f"\nid: {vendor_id}\n", f"\nid: v{i:04d}\n", 1)
            source = source.replace(f"\nname: {name}\n", f"\nname: 'V{i:04d} {name}'\n", 1)
            (folder / f"v{i:04d}.yaml").write_text(source)
        start = time.perf_counter()
        report = validate([template, folder])
        validating = time.perf_counter() - start
        assert report.ok, str(report)[:500]

        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        lines += [
            f"{n}: &{n} [{','.join(['*' + p] * 9)}]"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        ]
        bomb = Path(tmp) / "bomb.yaml"
        bomb.write_text("\n".join(lines) + "\n")
        start = time.perf_counter()
        validate([bomb])
        alias = time.perf_counter() - start
        big = Path(tmp) / "big.yaml"
        with big.open("wb") as handle:
            handle.truncate(50 * 1024 * 1024)
        start = time.perf_counter()
        validate([big])
        huge = time.perf_counter() - start

    # The peak resident memory of a fresh process running the command, read from its own
    # /proc/self/status: VmHWM belongs to that process's memory map, whereas getrusage's
    # ru_maxrss of a child forked from this large benchmark process would count our pages too.
    script = (
        "import contextlib, io\n"
        "from scorecard.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['score'])\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True
    )
    peak = int(done.stdout.strip())  # kB
    return {
        "validate_1000_vendor_files_s": validating,
        "alias_bomb_s": alias,
        "file_50mb_s": huge,
        "scorecard_score_peak_rss_mb": peak / 1024,
    }
