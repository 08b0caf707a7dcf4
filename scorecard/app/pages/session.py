"""Session: the buyer's own claims (overrides), and the whole session saved or resumed as a file."""

import datetime as dt

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from scorecard.app import components as ui
from scorecard.app import state
from scorecard.evidence import describe_value
from scorecard.loading import dump_yaml, load_session
from scorecard.model import (
    BooleanMeasure,
    Claim,
    CoverageMeasure,
    NumberMeasure,
    RatingMeasure,
    check_claims,
)
from scorecard.session import Override, change_text

session = state.session()
template = session.template
vendors = {v.id: v for v in state.shipped().vendors if v.id in session.vendors}
leaves = {leaf.id: leaf for leaf in template.leaves()}
FORM_KEYS = ("session_value_", "session_confidence", "session_source", "session_note")
st.title("Session")

st.subheader("Your own evidence")
st.markdown(
    "Add or replace a claim for a vendor — a latency measured in your pilot, a clause "
    "from your contract. Overrides are kept apart from the shipped profiles and marked "
    "wherever they count."
)
if not vendors:
    st.info("Choose vendors on the Compare page first.")
else:
    left, right = st.columns(2)
    vendor_id = left.selectbox(
        "Vendor", list(vendors), format_func=lambda v: vendors[v].name, key="session_vendor"
    )
    leaf_id = right.selectbox(
        "Criterion", list(leaves), format_func=lambda c: leaves[c].name, key="session_criterion"
    )
    measure = leaves[leaf_id].measure
    current = vendors[vendor_id].claims.get(leaf_id)
    known = current is not None and current.value is not None
    st.caption(
        f"Profile says: {ui.md(describe_value(current, measure))} ({current.confidence})"
        if known
        else "Profile says: no evidence either way."
    )
    flash = st.session_state.pop("session_flash", None)
    if flash:
        st.success(flash)
    # Nothing is preset that a buyer could save without meaning it: the value and the grade are
    # chosen each time, and the form is cleared once an override is saved.
    with st.form("session_override", clear_on_submit=False):
        if isinstance(measure, BooleanMeasure):
            answer = st.radio(
                "Answer", ["yes", "no"], index=None, horizontal=True, key="session_value_bool"
            )
            value = None if answer is None else answer == "yes"
        elif isinstance(measure, CoverageMeasure):
            value = st.multiselect("Covers", measure.options, key="session_value_options")
        elif isinstance(measure, RatingMeasure):
            low, high = measure.scale
            value = st.selectbox(
                "Level",
                list(range(low, high + 1)),
                index=None,
                placeholder="Choose the level the evidence supports",
                key="session_value_level",
                format_func=lambda k: f"{k}: {measure.rubric[k]}",
            )
        else:
            assert isinstance(measure, NumberMeasure)
            value = st.number_input(
                f"Value ({ui.md(measure.unit)})",
                key="session_value_number",
                value=None,
                placeholder=measure.unit,
            )
        confidence = st.selectbox(
            "Confidence",
            ["verified", "confirmed", "reported", "claimed"],
            index=None,
            placeholder="How far can this be trusted?",
            help="verified: you checked it yourself (a pilot, a signed contract); confirmed: "
            "the vendor's own document; reported: media or a third party; claimed: vendor "
            "marketing",
            key="session_confidence",
        )
        title = st.text_input(
            "Source", placeholder="e.g. Our pilot report, week 3", key="session_source"
        )
        a, b, c = st.columns(3)
        publisher = a.text_input("Publisher", value="Buyer", key="session_publisher")
        kind = b.selectbox(
            "Kind", ["buyer", "vendor", "filing", "media", "third-party"], key="session_kind"
        )
        date = c.date_input(
            "Date", value=state.today(), max_value=state.today(), key="session_date"
        )
        note = st.text_area("Note", key="session_note", max_chars=2000)
        submitted = st.form_submit_button("Save override", key="session_save")
    missing = [
        name
        for name, given in (("a value", value not in (None, [])), ("a confidence", confidence))
        if not given
    ]
    if submitted and missing:
        st.error(f"The override was not saved: choose {' and '.join(missing)}.")
    elif submitted:
        try:
            claim = Claim.model_validate(
                {
                    "value": value,
                    "confidence": confidence,
                    "note": note,
                    "unit": measure.unit if isinstance(measure, NumberMeasure) else None,
                    "sources": [
                        {
                            "title": title or "(untitled)",
                            "publisher": publisher or "Buyer",
                            "kind": kind,
                            "date": date if isinstance(date, dt.date) else None,
                        }
                    ],
                }
            )
        except ValidationError as exc:
            st.error("The override was not saved:")
            for error in exc.errors(include_url=False):
                st.markdown(f"- {ui.md(error['msg'].removeprefix('Value error, '))}")
        else:
            problems = check_claims({leaf_id: claim}, [template])
            if problems:
                st.error("; ".join(p.message for p in problems))
            else:
                kept = [
                    o for o in session.overrides if (o.vendor, o.criterion) != (vendor_id, leaf_id)
                ]
                state.update(
                    overrides=(*kept, Override(vendor=vendor_id, criterion=leaf_id, claim=claim))
                )
                for key in [k for k in st.session_state if str(k).startswith(FORM_KEYS)]:
                    del st.session_state[key]
                st.session_state["session_flash"] = (
                    f"Saved: {ui.md(vendors[vendor_id].name)}, {ui.md(leaves[leaf_id].name)}."
                )
                st.rerun()

overrides = state.session().overrides
if overrides:
    st.markdown("**Overrides in this session**")
for i, override in enumerate(overrides):
    text, remove = st.columns([5, 1])
    leaf = leaves.get(override.criterion)
    name = vendors[override.vendor].name if override.vendor in vendors else override.vendor
    text.markdown(
        f"{ui.md(name)} · {ui.md(leaf.name if leaf else override.criterion)}: "
        f"{ui.md(describe_value(override.claim, leaf.measure if leaf else None))} "
        f"({override.claim.confidence})"
    )
    if remove.button("Remove", key=f"session_remove_{i}"):
        state.update(overrides=tuple(o for j, o in enumerate(overrides) if j != i))
        st.rerun()

st.subheader("Save or resume the session")
st.markdown(
    "One file holds the template, the vendors chosen, weights, gates, policies and your "
    "overrides. Upload it later to carry on where you stopped."
)
st.download_button(
    "Download session (YAML)",
    dump_yaml(state.session()),
    file_name="scorecard-session.yaml",
    mime="application/x-yaml",
    key="session_download",
)
upload = st.file_uploader("Resume a session", type=["yaml", "yml", "json"], key="session_upload")
known = [v.id for v in state.shipped().vendors]
loaded = (
    ui.read_upload(upload, lambda name, data: load_session(name, data, known)) if upload else None
)
if loaded is not None:
    if st.session_state.get("session_resumed_from") != upload.file_id:
        state.replace(loaded)  # once per uploaded file: later edits are not undone
        st.session_state["session_resumed_from"] = upload.file_id
    st.success(
        f"Resumed: {ui.md(loaded.template.name)}, "
        f"{len(loaded.vendors)} vendor(s), {len(loaded.overrides)} override(s)."
    )

st.subheader("Activity")
kept, stored = state.store(), st.session_state.get("stored")
if kept is None or stored is None:
    st.info("This session is not being saved, so it has no history.")
else:
    st.markdown(
        "Every change to this session, who made it and when. Each entry holds a fingerprint of "
        "the one before it, so an entry edited or deleted in the database is detected "
        "(`scorecard audit verify`). This page's link reopens the session."
    )
    history = state.history(stored[0])
    st.dataframe(
        pd.DataFrame(
            {
                "#": [e.seq for e in history],
                "When (UTC)": [ui.when(e.at) for e in history],
                "Who": [e.actor for e in history],
                "What": [e.kind for e in history],
                "Change": [change_text(e.detail) for e in history],
            }
        ).iloc[::-1],
        hide_index=True,
        width="stretch",
        key="session_history",
    )
