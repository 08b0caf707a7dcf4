"""Run every benchmark, print each figure beside its target, and write them as JSON."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

from benchmarks import app

OUT = Path(__file__).resolve().parent / "results" / "latest.json"


def main() -> int:
    figures: dict[str, dict[str, float]] = {"app": app.run()}
    targets = {"app": app.TARGETS}
    missed = 0
    print(f"{'benchmark':<40} {'measured':>12} {'target':>10}")
    for group, values in figures.items():
        for name, value in values.items():
            target = targets[group].get(name)
            ok = target is None or value <= target
            missed += not ok
            shown = f"{target:g}" if target is not None else "-"
            print(f"{group + '.' + name:<40} {value:>12.4f} {shown:>10} {'' if ok else 'MISSED'}")
    machine = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor(),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(
        json.dumps({"machine": machine, "figures": figures, "targets": targets}, indent=2) + "\n"
    )
    print(f"written to {OUT}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
