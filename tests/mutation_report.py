"""The mutation score of each module mutmut has run on (`make mutate`), and every mutant that no
test kills: its name, the function, and its diff, for a person to read and to either kill with a
test or explain as equivalent.

    python tests/mutation_report.py [mutants/]      # writes the report to standard output

A mutant counts as killed when a test failed or it ran out of time (a mutant that loops); the
score is killed / (killed + survived + no tests). Mutants not yet run are counted apart, so a run
stopped by its time budget reports what it has done so far."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.mutation.diff_apply import get_diff_for_mutant

KILLED = {1, 3, 24, -24, 36, 152, 255}  # a failing test, or out of time (SIGXCPU)
SURVIVED = {0}
NO_TESTS = {5, 33}  # no test runs this function in-process: nothing can kill it


def statuses(mutants: Path) -> dict[str, dict[str, int | None]]:
    """Module (as a path) -> mutant name -> mutmut's exit code (None: not run yet)."""
    return {
        str(meta.relative_to(mutants)).removesuffix(".meta"): json.loads(meta.read_text())[
            "exit_code_by_key"
        ]
        for meta in sorted(mutants.rglob("*.py.meta"))
    }


def main(mutants: Path = Path("mutants")) -> int:
    modules = statuses(mutants)
    if not modules:
        print(f"no mutmut results under {mutants}/: run make mutate first", file=sys.stderr)
        return 1
    print("module                              killed  survived  no tests  not run   score")
    total: Counter[str] = Counter()
    survivors: list[tuple[str, str]] = []
    for module, codes in modules.items():
        count = Counter(
            "killed"
            if code in KILLED
            else "survived"
            if code in SURVIVED
            else "no tests"
            if code in NO_TESTS
            else "not run"
            if code is None
            else "other"
            for code in codes.values()
        )
        total += count
        survivors += [(module, name) for name, code in codes.items() if code in SURVIVED]
        print(_line(module, count))
    print(_line("all", total))
    print(f"\n{len(survivors)} surviving mutant(s), as `mutmut show NAME` prints each:\n")
    for module, name in survivors:
        print(f"# {name}\n{get_diff_for_mutant(name, path=Path(module))}\n")
    return 0


def _line(name: str, count: Counter[str]) -> str:
    judged = count["killed"] + count["survived"] + count["no tests"]
    score = f"{count['killed'] / judged:6.1%}" if judged else "     -"
    return (
        f"{name:<34} {count['killed']:>7} {count['survived']:>9} {count['no tests']:>9} "
        f"{count['not run']:>8}  {score}"
    )


if __name__ == "__main__":
    sys.exit(main(*(Path(a) for a in sys.argv[1:])))
