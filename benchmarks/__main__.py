"""Run every benchmark, print each figure beside its target, and write them as JSON."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

from benchmarks import app, engine, files, load, store

OUT = Path(__file__).resolve().parent / "results" / "latest.json"


def main() -> int:
    figures: dict[str, dict[str, float]] = {
        "engine": {**engine.scoring(), **engine.smaa(), **engine.at_the_limits()},
        "files": files.run(),
        "app": app.run(),
        "load": load.run(),
        "store": store.run(),
    }
    targets = {
        "engine": engine.TARGETS,
        "files": files.TARGETS,
        "app": app.TARGETS,
        "load": load.TARGETS,
        "store": store.TARGETS,
    }
    before = {"load": load.BEFORE}
    missed = 0
    print(f"{'benchmark':<45} {'measured':>12} {'target':>10} {'before':>10}")
    for group, values in figures.items():
        for name, value in values.items():
            target = targets[group].get(name)
            # Targets on speed-ups and rates are floors; every other target is a ceiling.
            floor = "speedup" in name or name.endswith("_per_s")
            ok = target is None or (value >= target if floor else value <= target)
            missed += not ok
            shown = f"{target:g}" if target is not None else "-"
            then = before.get(group, {}).get(name)
            was = f"{then:g}" if then is not None else "-"
            print(
                f"{group + '.' + name:<45} {value:>12.4f} {shown:>10} {was:>10} "
                f"{'' if ok else 'MISSED'}"
            )
    machine = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor(),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(
        json.dumps(
            {"machine": machine, "figures": figures, "targets": targets, "before": before},
            indent=2,
        )
        + "\n"
    )
    print(f"written to {OUT}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
