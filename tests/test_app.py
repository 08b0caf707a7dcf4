"""The app: AppTest on the page, and a real server answering its health check."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import ROOT
from streamlit.testing.v1 import AppTest

from scorecard.loading import load_workspace
from scorecard.scoring import Options, score

APP = str(ROOT / "streamlit_app.py")


def test_the_ranking_table_matches_the_library():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    table = at.dataframe[0].value
    ws = load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [ROOT / "vendors"])
    expected = score(ws.template, ws.vendors)
    assert table["Vendor"].tolist() == [r.name for r in expected.rows]
    assert table["Score"].tolist() == [round(r.score, 1) for r in expected.rows]


def test_choosing_a_profile_rescores():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox(key="compare_profile").select("legal").run()
    ws = load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [ROOT / "vendors"])
    legal = score(ws.template, ws.vendors, Options(profile="legal"))
    assert at.dataframe[0].value["Score"].tolist() == [round(r.score, 1) for r in legal.rows]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_streamlit_run_serves_the_app():
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            APP,
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        body = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as r:
                    body = r.read()
                break
            except OSError:
                time.sleep(0.25)
        assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
        assert body == b"ok"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
