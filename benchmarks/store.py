"""The session store under a panel's load, on SQLite and on a real PostgreSQL server (started
here, as the tests start it, when Debian's postgresql package is installed):

- 30 evaluators submitting their weights at once, 10 times each (threads against one `Store`):
  writes per second, the p50 and p95 time of one write, and any write that failed (a "database
  is locked" reaching a person would count here);
- 30 people changing the shared session at once, each retrying on a `Conflict` until their
  change is in: how many changes were lost (must be 0: the version says so);
- the time to open a stored session with 300 events in its history: `get` on an open store,
  and a new server's first open (connect, check the schema, read).

Run alone: `python -m benchmarks.store`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from scorecard.loading import load_template
from scorecard.panel import submission
from scorecard.session import SESSION_FORMAT, Session
from scorecard.store import Conflict, Store, StoreError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import pgserver  # noqa: E402  (the tests' throwaway PostgreSQL server)

EVALUATORS = 30
ROUNDS = 10
#: A person's click is answered within a second even when all 30 submit at the same moment
#: (each write waits for those ahead of it: one writer at a time on SQLite, one row on both).
TARGETS = {
    "sqlite_write_p95_ms": 1000.0,
    "sqlite_lost_updates": 0.0,
    "sqlite_failed_writes": 0.0,
    "sqlite_open_ms": 50.0,
    "postgresql_write_p95_ms": 1000.0,
    "postgresql_lost_updates": 0.0,
    "postgresql_failed_writes": 0.0,
    "postgresql_open_ms": 50.0,
}


def _at_once(count: int, work: Callable[[int], None]) -> float:
    """Run `work(i)` in `count` threads released together; the seconds until all are done."""
    start = threading.Barrier(count + 1)

    def run(i: int) -> None:
        start.wait()
        work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    return time.perf_counter() - began


def measure(url: str) -> dict[str, float]:
    template = load_template(ROOT / "criteria" / "ai-video-enterprise.yaml")
    tops = [c.id for c in template.criteria]
    base = Session(format=SESSION_FORMAT, template=template, vendors=("kling-ai", "runway"))
    store = Store(url)
    try:
        made = store.create(base, name="bench", actor="bench")
        facilitator, _ = store.start_panel(made.id, name="Facilitator")
        people = [
            store.invite(made.id, facilitator, name=f"Evaluator {i}", role="evaluator")[0]
            for i in range(EVALUATORS)
        ]
        took: list[float] = []
        failed: list[str] = []

        def submit(i: int) -> None:
            for r in range(ROUNDS):
                weights = {c: float((i + r + k) % 7 + 1) for k, c in enumerate(tops)}
                mine = submission(people[i].name, tops, "sliders", sliders=weights)
                began = time.perf_counter()
                try:
                    store.submit(made.id, people[i], mine)
                except StoreError as exc:  # counted: this is what would reach a person
                    failed.append(str(exc))
                took.append(time.perf_counter() - began)

        wall = _at_once(EVALUATORS, submit)
        stored = store.submissions(made.id, facilitator)

        solo = store.create(base, name="shared", actor="bench")  # not a panel: anyone saves
        changes = 0
        count = threading.Lock()

        def change(i: int) -> None:
            nonlocal changes
            while True:
                current = store.get(solo.id)
                mine = current.session.model_copy(
                    update={"weights": {**current.session.weights, tops[i % len(tops)]: i + 1.0}}
                )
                try:
                    store.save(
                        solo.id, mine, expected=current.version, actor=f"p{i}", kind="weight",
                        detail={},
                    )  # fmt: skip
                except Conflict:
                    continue
                with count:
                    changes += 1
                return

        _at_once(EVALUATORS, change)
        # Each change saved took the next version: two saved on one version would show here.
        lost = changes - (store.version(solo.id) - 1)

        long = store.create(base, name="long", actor="bench")
        for k in range(299):
            weights = {tops[0]: float(k % 50 + 1)}
            store.save(
                long.id, base.model_copy(update={"weights": weights}), expected=k + 1,
                actor="bench", kind="weight", detail={},
            )  # fmt: skip
        opened = []
        for _ in range(20):
            began = time.perf_counter()
            store.get(long.id)
            opened.append(time.perf_counter() - began)
    finally:
        store.close()
    began = time.perf_counter()
    fresh = Store(url)
    fresh.get(long.id)
    first_open = time.perf_counter() - began
    fresh.close()
    took.sort()
    assert len(stored) == EVALUATORS
    return {
        "writes_per_s": len(took) / wall,
        "write_p50_ms": 1000 * statistics.median(took),
        "write_p95_ms": 1000 * took[int(0.95 * (len(took) - 1))],
        "failed_writes": float(len(failed)),
        "lost_updates": float(lost),
        "open_ms": 1000 * statistics.median(opened),
        "first_open_ms": 1000 * first_open,
    }


@contextmanager
def _postgres_database() -> Iterator[str | None]:
    if pgserver.program("initdb") is None:
        yield None
        return
    with pgserver.postgres() as server:
        admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql("CREATE DATABASE bench")
        admin.dispose()
        yield f"{server}/bench"


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        found = measure(f"sqlite:///{Path(tmp) / 'sessions.db'}")
        figures |= {f"sqlite_{k}": v for k, v in found.items()}
    with _postgres_database() as url:
        if url is not None:
            found = measure(url)
            figures |= {f"postgresql_{k}": v for k, v in found.items()}
    return figures


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:<32} {value:10.2f}")
