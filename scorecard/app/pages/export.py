"""Export: the comparison sheet and the decision record, for the people who sign."""

import datetime as dt

import streamlit as st

from scorecard import __version__, export
from scorecard.app import components as ui
from scorecard.app import state
from scorecard.session import compare

LABELS = {
    "xlsx": "Comparison sheet (Excel, live formulas)",
    "html": "Report (HTML, one file, readable offline)",
    "md": "Wiki page (Markdown)",
    "csv": "Ranking (CSV)",
    "record": "Decision record (JSON)",
}

st.title("Export")
session = state.session()
if not session.vendors:
    st.info("Choose vendors on the Compare page first.")
    st.stop()
ui.stop_unless_scorable()
st.markdown(
    "Everything below is the ranking as it stands in this session: the template, "
    "weights, gates, policies and overrides you chose. The decision record lists the "
    "files (with their SHA-256) and settings behind it; `scorecard reproduce` checks it "
    "later."
)
comparison = compare(
    session.template, state.vendors_without_overrides(), session.options(), session.overrides
)
created = dt.datetime.now(dt.UTC)
stem = f"scorecard-{comparison.result.template_id}-{created:%Y%m%d}"
inputs = state.record_inputs()
choice = st.radio("Format", list(LABELS), format_func=LABELS.get, key="export_format")
# A panel's review scores every evaluator's weights: only the record needs it.
panel = state.panel_record() if choice == "record" else None
data = export.export_file(
    choice, comparison, version=__version__, created=created, panel=panel, **inputs
)
st.download_button(
    f"Download {LABELS[choice].split(' (')[0].lower()}",
    data,
    file_name=f"{stem}{export.EXPORT_FORMATS[choice]}",
    mime=export.MIME_TYPES[choice],
    key="export_download",
)
if inputs["template_path"] is None:
    st.caption(
        "The template was edited or uploaded in this session: the decision record carries "
        "it in full, since no file on disk holds it."
    )
