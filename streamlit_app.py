"""Scorecard's Streamlit entry point: page setup, shared state and navigation only.

The pages live in scorecard/app/pages and call the library; nothing here computes a score.
"""

import streamlit as st

from scorecard.app import state
from scorecard.loading import DEFAULT_TEMPLATE

st.set_page_config(page_title="Scorecard — AI video vendors", layout="wide")

data = state.shipped()
if DEFAULT_TEMPLATE.name not in data.templates or not data.vendors:
    st.error("The shipped criteria or vendor files have problems, so there is nothing to compare:")
    st.code(str(data.report), language=None)
    st.stop()
if not data.report.ok:
    with st.sidebar.expander("Some shipped files were skipped"):
        st.code(str(data.report), language=None)
state.session()
state.sync()
if notice := st.session_state.pop("store_notice", None):
    st.warning(notice)

PAGES = "scorecard/app/pages"
# No icons: Streamlit fetches Material icons from a font CDN, and the app asks no other host.
navigation = st.navigation(
    [
        st.Page(f"{PAGES}/compare.py", title="Compare", default=True),
        st.Page(f"{PAGES}/vendor.py", title="Vendor"),
        st.Page(f"{PAGES}/robustness.py", title="Robustness"),
        st.Page(f"{PAGES}/templates.py", title="Templates"),
        st.Page(f"{PAGES}/session.py", title="Session"),
        st.Page(f"{PAGES}/panel.py", title="Panel"),
        st.Page(f"{PAGES}/export.py", title="Export"),
    ]
)
navigation.run()
