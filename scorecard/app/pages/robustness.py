"""Robustness: how much it would take to change the ranking."""

import altair as alt
import pandas as pd
import streamlit as st

from scorecard.app import components as ui
from scorecard.app import state
from scorecard.robustness import acceptability, agreement, flip_sentence, sensitivity, smallest_flip
from scorecard.scoring import METHOD_NAMES

session = state.session()
template = session.template
st.title("Robustness")
if len(session.vendors) < 2:
    st.info("Choose two vendors or more on the Compare page.")
    st.stop()
ui.stop_unless_scorable()
matrix, options = state.matrix(), session.options()
names = {v.id: v.name for v in state.vendors()} | {c.id: c.name for c in template.nodes()}
curves = sensitivity(template, matrix, options)
st.info(ui.md(flip_sentence(smallest_flip(curves), names)))

st.subheader("Weight sensitivity")
st.caption(
    "Each vendor's weighted-sum score as one criterion's share of the weight runs from 0 to "
    "100%, the others rescaled in proportion. The rule marks the share chosen now."
)
chosen = st.selectbox(
    "Criterion", [c.criterion for c in curves], format_func=names.get, key="robustness_criterion"
)
curve = next(c for c in curves if c.criterion == chosen)
frame = pd.DataFrame(
    [
        {"Share": share, "Vendor": names[v], "Score": score}
        for v, scores in curve.scores.items()
        for share, score in zip(curve.shares, scores, strict=True)
    ]
)
lines = (
    alt.Chart(frame)
    .mark_line()
    .encode(
        x=alt.X("Share:Q", axis=alt.Axis(format="%"), title=f"Share of {names[chosen]}"),
        y=alt.Y("Score:Q"),
        color="Vendor:N",
        tooltip=["Vendor", alt.Tooltip("Score:Q", format=".1f")],
    )
)
now = (
    alt.Chart(pd.DataFrame({"Share": [curve.current]}))
    .mark_rule(strokeDash=[4, 4])
    .encode(x="Share:Q")
)
st.altair_chart(lines + now, width="stretch")
if curve.changes:
    for change in curve.changes:
        st.markdown(
            f"- At {change.share:.1%}: {ui.md(names[change.after])} takes the lead from "
            f"{ui.md(names[change.before])}."
        )
else:
    st.markdown("The leader does not change anywhere on this criterion's range.")

st.subheader("Rank acceptability (SMAA)")
left, middle, right = st.columns(3)
mode = left.radio(
    "Weights",
    ["around", "uniform"],
    horizontal=True,
    key="robustness_weights",
    help="around: near the chosen weights; uniform: any weighting at all",
)
samples = middle.select_slider(
    "Samples", [2_000, 10_000, 50_000, 100_000], value=10_000, key="robustness_samples"
)
seed = right.number_input("Seed", min_value=0, value=0, step=1, key="robustness_seed")
result = acceptability(template, matrix, options, samples=samples, weights=mode, seed=int(seed))
top = max(result.ranks, key=lambda v: result.ranks[v][0])
st.markdown(
    f"{ui.md(names[top])} ranks first in {result.ranks[top][0]:.1%} of plausible weightings."
)
rows = [
    {"Vendor": names[v], "Rank": r + 1, "Probability": p}
    for v, probabilities in result.ranks.items()
    for r, p in enumerate(probabilities)
    if p > 0
]
chart = (
    alt.Chart(pd.DataFrame(rows))
    .mark_bar()
    .encode(
        x=alt.X("sum(Probability):Q", axis=alt.Axis(format="%"), title="Share of samples"),
        y=alt.Y("Vendor:N", sort=[names[r.vendor] for r in state.result(matrix).rows], title=None),
        color=alt.Color("Rank:O", scale=alt.Scale(scheme="viridis")),
        tooltip=["Vendor", "Rank", alt.Tooltip("Probability:Q", format=".1%")],
    )
)
st.altair_chart(chart, width="stretch")
central = pd.DataFrame(
    {
        names[v]: {names[c]: w for c, w in weights.items()}
        for v, weights in result.central_weights.items()
        if weights
    }
).T
if not central.empty:
    st.markdown("**Central weights**: the average weights under which each vendor ranks first.")
    st.dataframe(central.style.format("{:.0%}"), key="robustness_central", on_select="ignore")

st.subheader("Method agreement")
methods = agreement(template, matrix, options)
table = pd.DataFrame(
    {METHOD_NAMES[m]: {names[v]: r for v, r in ranks.items()} for m, ranks in methods.ranks.items()}
)
st.dataframe(table.sort_values(METHOD_NAMES["wsm"]), key="robustness_methods", on_select="ignore")
st.markdown(
    " · ".join(
        f"Kendall's tau, {METHOD_NAMES[a]} vs {METHOD_NAMES[b]}: {t:+.2f}"
        for (a, b), t in methods.tau.items()
    )
)
