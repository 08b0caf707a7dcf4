"""Export: the ranking as files for the people who sign."""

import streamlit as st

from scorecard import export
from scorecard.app import state

st.title("Export")
session = state.session()
if not session.vendors:
    st.info("Choose vendors on the Compare page first.")
    st.stop()
result = state.result()
st.markdown(
    "The ranking as it stands in this session: the template, weights, gates, policies "
    "and overrides you chose."
)
stem = f"scorecard-{result.template_id}"
st.download_button(
    "Ranking (CSV)",
    export.to_csv(result),
    file_name=f"{stem}.csv",
    mime="text/csv",
    key="export_csv",
)
st.download_button(
    "Ranking (JSON)",
    export.to_json(result),
    file_name=f"{stem}.json",
    mime="application/json",
    key="export_json",
)
st.download_button(
    "Ranking (Markdown)",
    export.to_markdown(result),
    file_name=f"{stem}.md",
    mime="text/markdown",
    key="export_md",
)
