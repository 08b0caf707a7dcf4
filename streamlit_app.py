"""Scorecard's Streamlit entry point: loads the shipped data and shows the ranking.

The full app (pages for Compare, Vendor, Templates, Export and Session) builds on this; here it
only reads the files and calls the library, so every number matches `scorecard score`.
"""

from pathlib import Path

import pandas as pd
import streamlit as st

from scorecard.loading import DEFAULT_TEMPLATE, DEFAULT_VENDORS, LoadError, load_workspace
from scorecard.scoring import Options, score

st.set_page_config(page_title="Scorecard — AI video vendors", layout="wide")
st.title("Scorecard: AI video generation vendors")

try:
    root = Path(__file__).parent
    workspace = load_workspace(root / DEFAULT_TEMPLATE, [root / DEFAULT_VENDORS])
except LoadError as exc:
    st.error("The shipped criteria or vendor files have problems:")
    st.code(str(exc.report), language=None)
    st.stop()

template = workspace.template
profiles = ["default", *template.profiles]
profile = st.sidebar.selectbox("Stakeholder profile", profiles, key="compare_profile")
result = score(
    template, workspace.vendors, Options(profile=None if profile == "default" else profile)
)

st.caption(
    f"Template {template.name} v{template.version} · missing data: {result.missing} · "
    f"confidence discount: {'on' if result.confidence else 'off'}"
)
table = pd.DataFrame(
    {
        "Rank": row.rank,
        "Vendor": row.name,
        "Score": round(row.score, 1),
        "Gates": "pass" if row.passed_gates else "fail: " + ", ".join(row.failed_gates),
        "Evidence confirmed": row.coverage["verified"] + row.coverage["confirmed"],
        "Evidence unknown": row.coverage["unknown"],
    }
    for row in result.rows
)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "Evidence confirmed": st.column_config.ProgressColumn(
            format="percent", min_value=0, max_value=1
        ),
        "Evidence unknown": st.column_config.ProgressColumn(
            format="percent", min_value=0, max_value=1
        ),
    },
    key="compare_ranking",
)
