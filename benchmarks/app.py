"""The app with the shipped data, under AppTest: the first render of Compare (caches cleared,
modules already imported) and a rerun after a weight change. Server time, median of N."""

from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TARGETS = {"first_render_s": 2.0, "rerun_after_weight_change_s": 0.100}
for name in ("streamlit", "streamlit.runtime", "streamlit.runtime.scriptrunner_utils"):
    logging.getLogger(name).setLevel(logging.ERROR)  # AppTest's "no runtime" notices


def run(repeat: int = 20) -> dict[str, float]:
    AppTest.from_file(APP, default_timeout=120).run()  # import pandas, altair... once
    first, rerun = [], []
    for i in range(repeat):
        st.cache_resource.clear()
        st.cache_data.clear()
        start = time.perf_counter()
        at = AppTest.from_file(APP, default_timeout=120).run()
        first.append(time.perf_counter() - start)
        assert not at.exception, at.exception
        slider = at.slider(key="compare_w_latency")
        start = time.perf_counter()
        slider.set_value(10.0 + 1 + i).run()
        rerun.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return {
        "first_render_s": statistics.median(first),
        "rerun_after_weight_change_s": statistics.median(rerun),
    }
