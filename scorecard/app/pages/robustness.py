"""Robustness: how much it would take to change the ranking, said in plain words first."""

import altair as alt
import pandas as pd
import streamlit as st

from scorecard.app import components as ui
from scorecard.app import state
from scorecard.export import charts
from scorecard.export.robust import ON_WEIGHTED_SUM
from scorecard.robustness import (
    acceptability,
    agreement,
    agreement_sentence,
    certainty_sentence,
    flip_sentence,
    sensitivity,
    sensitivity_sentence,
    smallest_flip,
)
from scorecard.scoring import METHOD_NAMES

session = state.session()
template = session.template
st.title("Robustness")
if len(session.vendors) < 2:
    st.info("Choose two vendors or more on the Compare page.")
    st.stop()
ui.stop_unless_scorable()
matrix, options = state.matrix(), state.options()
result = state.result(matrix)
names = state.names()
curves = sensitivity(template, matrix, options)
leader = result.rows[0].vendor
st.info(ui.md(flip_sentence(smallest_flip(curves), names)))
st.caption(ON_WEIGHTED_SUM)

# ---- 1. weights -------------------------------------------------------------------------------
st.subheader("Would another weighting change the winner?")
chosen = st.selectbox(
    "Criterion", [c.criterion for c in curves], format_func=names.get, key="robustness_criterion"
)
curve = next(c for c in curves if c.criterion == chosen)
st.markdown(ui.md(sensitivity_sentence(curve, leader, names)))
st.vega_lite_chart(
    charts.sensitivity_data(result, curve),
    charts.sensitivity_chart(result, names[chosen]),
    width="stretch",
)
st.caption(
    "Each line is a vendor's score as this criterion's share of the weight runs from 0 to 100%, "
    "the other criteria keeping their proportions; the dotted rule is the share chosen now. A "
    "dashed line is a vendor the evidence fails on a must-have: it cannot rank first, whatever "
    "its score."
)
with st.expander("Every share at which the leader changes"):
    if curve.changes:
        st.markdown(
            "\n".join(
                f"- At {change.share:.1%}: {ui.md(names[change.after])} takes the lead from "
                f"{ui.md(names[change.before])}."
                for change in curve.changes
            )
        )
    else:
        st.markdown("The leader does not change anywhere on this criterion's range.")

# ---- 2. certainty -----------------------------------------------------------------------------
st.subheader("How sure is the winner?")
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
answered = acceptability(
    template, matrix, options, samples=samples, weights=mode, seed=int(seed), focus=leader
)
st.markdown(ui.md(certainty_sentence(answered, names)))
firsts = pd.DataFrame(
    [
        {"Vendor": names[v], "Rank": i, "Counting": counting, "First": first}
        for i, v in enumerate(r.vendor for r in result.rows)
        for counting, first in (
            ("weights and answers to the open questions", answered.ranks[v][0]),
            ("weights alone", (answered.weights_only or {}).get(v, 0.0)),
        )
    ]
)
st.altair_chart(
    alt.Chart(firsts)
    .mark_bar()
    .encode(
        x=alt.X("First:Q", axis=alt.Axis(format="%"), title="Chance of ranking first"),
        y=alt.Y("Vendor:N", sort=alt.EncodingSortField("Rank", op="min"), title=None),
        yOffset="Counting:N",
        color=alt.Color(
            "Counting:N",
            scale=alt.Scale(range=charts.PALETTE[:2]),
            legend=alt.Legend(orient="bottom", title=None),
        ),
        tooltip=["Vendor", "Counting", alt.Tooltip("First:Q", format=".1%")],
    )
    .properties(height=alt.Step(11))
    .configure(**charts.LABELS),
    width="stretch",
)
if answered.decisive:
    st.markdown("**The answers that matter most**")
    st.markdown(
        "\n".join(
            f"- {ui.md(names[q.vendor])} on {ui.md(names[q.criterion])}: "
            f"{ui.md(names[leader])} first in {q.if_good:.0%} of samples if the answer is "
            f"favourable, {q.if_bad:.0%} if not"
            for q in answered.decisive[:5]
        )
    )
with st.expander("Every rank, and the weights under which each vendor wins"):
    st.caption(
        "Rank acceptability (SMAA-2): how often each vendor takes each place over the sampled "
        "weights, ranges, weaker evidence and answers to the open questions."
    )
    rows = [
        {"Vendor": names[v], "Rank": r + 1, "Probability": p}
        for v, probabilities in answered.ranks.items()
        for r, p in enumerate(probabilities)
        if p > 0
    ]
    st.altair_chart(
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            x=alt.X("sum(Probability):Q", axis=alt.Axis(format="%"), title="Share of samples"),
            y=alt.Y("Vendor:N", sort=[names[r.vendor] for r in result.rows], title=None),
            color=alt.Color("Rank:O", scale=alt.Scale(scheme="viridis")),
            tooltip=["Vendor", "Rank", alt.Tooltip("Probability:Q", format=".1%")],
        )
        .configure(**charts.LABELS),
        width="stretch",
    )
    central = pd.DataFrame(
        {
            names[v]: {names[c]: w for c, w in weights.items()}
            for v, weights in answered.central_weights.items()
            if weights
        }
    ).T
    if not central.empty:
        st.markdown("**Central weights**: the average weights under which each vendor ranks first.")
        st.dataframe(central.style.format("{:.0%}"), key="robustness_central", on_select="ignore")

# ---- 3. methods -------------------------------------------------------------------------------
st.subheader("Do other ways of combining the scores agree?")
methods = agreement(template, matrix, options)
st.markdown(ui.md(agreement_sentence(methods, names)))
with st.expander("The ranking under each method, and how far they agree"):
    table = pd.DataFrame(
        {
            METHOD_NAMES[m]: {names[v]: r for v, r in ranks.items()}
            for m, ranks in methods.ranks.items()
        }
    )
    st.dataframe(
        table.sort_values(METHOD_NAMES["wsm"]), key="robustness_methods", on_select="ignore"
    )
    st.markdown(
        " · ".join(
            f"Kendall's tau, {METHOD_NAMES[a]} vs {METHOD_NAMES[b]}: {t:+.2f}"
            for (a, b), t in methods.tau.items()
        )
    )
    st.caption("Kendall's tau: 1 means the same order, 0 unrelated, −1 reversed.")
