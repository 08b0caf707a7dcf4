"""Many people in one app server: `streamlit run` on the shipped data, and N sessions that each
move a weight slider again and again, speaking Streamlit's own websocket protocol (the messages
the browser sends: a rerun of the slider's fragment with the slider's new value).

Reports:
- the server's CPU time per rerun (from /proc), one session changing the slider again and again;
- capacity: reruns per second with 50 sessions that change the slider as soon as their last
  rerun ends (no pause at all: the server is saturated);
- 20 and 50 sessions as people in a live session use it: each person changes a weight, reads
  the result for 2–4 s (uniform, seeded) and changes it again: reruns per second, and the p50 and
  p95 time from a slider change to the end of its rerun;
- what a person feels, in Debian's chromium: the time from releasing a weight slider to the
  ranking table showing the new scores (median and p95 of 20 moves).
Bounded: each session makes a fixed number of reruns, each waits at most 60 s, and the server
is stopped at the end; it listens on 127.0.0.1 only.

Run alone against any checkout: `python -m benchmarks.load [ROOT]`; the browser figure alone:
`python -m benchmarks.load --browser`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
SLIDER = "compare_w_latency"
TARGETS = {
    "browser_slider_to_ranking_p50_ms": 250.0,
    "browser_slider_to_ranking_p95_ms": 400.0,
    "rerun_cpu_ms": 60.0,
    "browser_rerun_cpu_ms": 60.0,
    "capacity_reruns_per_s": 15.0,
    "sessions_50_p95_s": 1.5,
}
#: The same benchmark on the code before the hardening work (commit 1758857, this 2-core
#: machine, `python benchmarks/load.py CHECKOUT` with that checkout first on PYTHONPATH).
BEFORE = {
    "rerun_cpu_ms": 167.5,
    "browser_rerun_cpu_ms": 159.0,
    "capacity_reruns_per_s": 5.118,
    "sessions_20_reruns_per_s": 4.163,
    "sessions_20_p50_s": 0.927,
    "sessions_20_p95_s": 3.437,
    "sessions_50_reruns_per_s": 3.707,
    "sessions_50_p50_s": 8.365,
    "sessions_50_p95_s": 15.169,
}
RERUNS_PER_SESSION = 8
CHROMIUM = Path("/usr/bin/chromium")
THINK_S = (2.0, 4.0)


@contextlib.contextmanager
def serve(root: Path) -> Iterator[tuple[str, int]]:
    """The app of the checkout at `root` on a free local port: (websocket URL, server pid)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.2)
        yield f"ws://127.0.0.1:{port}/_stcore/stream", process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Session:
    """One browser tab, as the server sees it."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.slider_id = ""
        self.fragment_id = ""
        self.page = ""

    async def _until_finished(self) -> None:
        while True:
            raw = await asyncio.wait_for(self.socket.recv(), timeout=60)
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "navigation":
                self.page = msg.navigation.page_script_hash
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == "slider" and element.slider.id.endswith(SLIDER):
                    self.slider_id, self.fragment_id = element.slider.id, msg.delta.fragment_id
            elif kind == "script_finished" and (
                msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
            ):
                return

    async def open(self) -> None:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        await self.socket.send(msg.SerializeToString())
        await self._until_finished()
        if not self.slider_id:
            raise RuntimeError(f"no slider {SLIDER!r} on the first page")

    async def move(self, value: float) -> float:
        """Set the slider and wait for its rerun; returns the seconds it took."""
        msg = BackMsg()
        state = msg.rerun_script
        state.page_script_hash = self.page
        state.fragment_id = self.fragment_id
        widget = state.widget_states.widgets.add()
        widget.id = self.slider_id
        widget.double_array_value.data.append(value)
        start = time.perf_counter()
        await self.socket.send(msg.SerializeToString())
        await self._until_finished()
        return time.perf_counter() - start


async def _load(
    url: str, sessions: int, reruns: int, think: tuple[float, float] = (0.0, 0.0)
) -> tuple[list[float], float]:
    """`sessions` tabs, each making `reruns` slider changes with a pause drawn from `think`
    before each: every change's time to the end of its rerun, and the wall time."""
    rng = random.Random(sessions)
    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(
                connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=60)
            )
            for _ in range(sessions)
        ]
        tabs = [Session(s) for s in sockets]
        await asyncio.gather(*(tab.open() for tab in tabs))

        pauses = [[rng.uniform(*think) for _ in range(reruns)] for _ in tabs]

        async def work(tab: Session, k: int) -> list[float]:
            times = []
            for i in range(reruns):
                await asyncio.sleep(pauses[k][i])
                times.append(await tab.move(float(5 + (k + i) % 40)))
            return times

        start = time.perf_counter()
        times = await asyncio.gather(*(work(tab, k) for k, tab in enumerate(tabs)))
        return [t for each in times for t in each], time.perf_counter() - start


def run(root: Path = ROOT) -> dict[str, float]:
    figures: dict[str, float] = {}
    with serve(root) as (url, pid):
        asyncio.run(_load(url, 1, 3))  # warm up: imports and caches
        before = cpu_seconds(pid)
        times, _ = asyncio.run(_load(url, 1, 20))
        # Includes opening the session once (a full render): a fair upper bound per rerun.
        figures["rerun_cpu_ms"] = 1000 * (cpu_seconds(pid) - before) / len(times)
        figures["sessions_1_p50_s"] = statistics.median(times)
        times, wall = asyncio.run(_load(url, 50, RERUNS_PER_SESSION))
        figures["capacity_reruns_per_s"] = len(times) / wall
        for n in (20, 50):
            times, wall = asyncio.run(_load(url, n, RERUNS_PER_SESSION, THINK_S))
            figures[f"sessions_{n}_reruns_per_s"] = len(times) / wall
            figures[f"sessions_{n}_p50_s"] = statistics.median(times)
            figures[f"sessions_{n}_p95_s"] = statistics.quantiles(times, n=20)[-1]
        if CHROMIUM.exists():
            figures["browser_rerun_cpu_ms"] = browser_rerun_cpu_ms(url, pid)
            figures.update(browser_slider_to_ranking(url))
    return figures


#: The Score column (the fourth) of the ranking table as the page shows it, as one string.
SCORES_JS = """[...(document.querySelector('[data-testid="stTable"]')
    ?.querySelectorAll('tbody tr td:nth-child(4)') ?? [])].map(c => c.textContent).join('|')"""


@contextlib.contextmanager
def latency_slider(url: str, viewport: dict[str, int]) -> Iterator[Any]:
    """Debian's chromium (driven by Playwright) on the app's Compare page, with the keyboard on
    the Latency weight slider: yields the page and the slider's handle."""
    from playwright.sync_api import sync_playwright

    page_url = url.replace("ws://", "http://").removesuffix("/_stcore/stream")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport=viewport)
        page.goto(page_url)
        page.locator("h1").filter(has_text="Compare vendors").wait_for(timeout=60_000)
        page.wait_for_timeout(2000)
        slider = page.locator('[data-testid="stSlider"]').filter(has_text="Latency")
        handle = slider.get_by_role("slider").first
        handle.focus()
        try:
            yield page, handle
        finally:
            browser.close()


def _rerun_done(page: Any) -> None:
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=60_000)


def browser_slider_to_ranking(url: str, moves: int = 20) -> dict[str, float]:
    """What a person feels: in Debian's chromium, the time from releasing a weight slider (a key
    press on it, which sends the new value at once) to the ranking table showing the new
    scores, the certainty figure included in that rerun. Median and p95 of `moves` moves, each
    10 points of the latency share up or down in turn, on a 1440 x 900 screen."""
    times = []
    with latency_slider(url, {"width": 1440, "height": 900}) as (page, handle):
        for i in range(moves + 2):  # the first two moves warm the caches
            before = page.evaluate(f"() => {SCORES_JS}")
            start = time.perf_counter()
            handle.press("PageUp" if i % 2 == 0 else "PageDown")
            page.wait_for_function(
                f"(before) => {{ const now = {SCORES_JS}; return now && now !== before; }}",
                arg=before,
                polling="raf",
                timeout=30_000,
            )
            if i >= 2:
                times.append(time.perf_counter() - start)
            _rerun_done(page)
            page.wait_for_timeout(300)
    return {
        "browser_slider_to_ranking_p50_ms": 1000 * statistics.median(times),
        "browser_slider_to_ranking_p95_ms": 1000 * statistics.quantiles(times, n=20)[-1],
    }


def browser_rerun_cpu_ms(url: str, pid: int, presses: int = 20) -> float:
    """The server's CPU per rerun with a real browser: the latency slider moved one step at a
    time by its keyboard handling, each rerun let finish before the next step."""
    with latency_slider(url, {"width": 1600, "height": 1400}) as (page, handle):
        before = cpu_seconds(pid)
        for _ in range(presses):
            handle.press("ArrowRight")
            page.wait_for_timeout(100)
            _rerun_done(page)
        spent = cpu_seconds(pid) - before
    return 1000 * spent / presses


if __name__ == "__main__":
    if "--browser" in sys.argv:  # only what a person feels: `python -m benchmarks.load --browser`
        with serve(ROOT) as (url, _):
            figures = browser_slider_to_ranking(url)
    else:
        figures = run(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT)
    for name, value in figures.items():
        print(f"{name:<36} {value:10.3f}")
