"""Compare: choose template, vendors, profile and weights; see who leads, how surely, and why."""

import datetime as dt
from dataclasses import replace

import streamlit as st

from scorecard.app import components as ui
from scorecard.app import state
from scorecard.export import charts
from scorecard.export.robust import ON_WEIGHTED_SUM
from scorecard.rfi import status
from scorecard.scoring import (
    METHOD_DESCRIPTIONS,
    METHOD_NAMES,
    METHODS,
    evaluate,
    resolve_weights,
    set_share,
    shares_of,
)

data = state.shipped()
session = state.session()
template = session.template

# ---- what changes rarely: template and vendors (a full rerun) ---------------------------------
with st.sidebar:
    st.header("Compare")
    choices = dict(data.templates)
    current = next((name for name, t in choices.items() if t == template), None)
    if current is None:
        choices = {f"{template.name} (edited or uploaded)": template, **choices}
        current = next(iter(choices))

    def _choose_template() -> None:
        chosen = choices[st.session_state["compare_template"]]
        state.replace(state.new_session(chosen, data.vendors), origin=chosen)

    st.selectbox(
        "Criteria template",
        list(choices),
        index=list(choices).index(current),
        format_func=lambda name: choices[name].name,
        key="compare_template",
        on_change=_choose_template,
    )

    vendor_names = {v.id: v.name for v in data.vendors}
    if "compare_vendors" not in st.session_state:
        st.session_state["compare_vendors"] = [v for v in session.vendors if v in vendor_names]
    st.multiselect(
        "Vendors",
        list(vendor_names),
        format_func=vendor_names.get,
        key="compare_vendors",
        on_change=lambda: state.update(vendors=tuple(st.session_state["compare_vendors"])),
    )

# Sibling groups: the top-level criteria, and the sub-criteria of each group.
SIBLINGS = {c.id: template.criteria for c in template.criteria} | {
    child.id: node.criteria for node in template.nodes() for child in node.criteria
}


def _forget_sliders() -> None:
    for node in template.nodes():
        st.session_state.pop(f"compare_w_{node.id}", None)


def _weights_from(profile: str | None) -> None:
    """Back to the template's (or a profile's) weights: the sliders are drawn again from them."""
    state.update(profile=profile, weights={})
    _forget_sliders()


def _set_share(criterion_id: str) -> None:
    """One weight moved to a share: its siblings keep their proportions and take the rest."""
    siblings = [c.id for c in SIBLINGS[criterion_id]]
    weights = resolve_weights(template, state.options())
    share = st.session_state[f"compare_w_{criterion_id}"]
    new = set_share({k: weights[k] for k in siblings}, criterion_id, share)
    state.update(weights={**state.session().weights, **new})
    for key, value in new.items():
        if key != criterion_id:
            st.session_state[f"compare_w_{key}"] = round(value, 1)


def _slider(node, shares: dict[str, float]) -> None:
    key = f"compare_w_{node.id}"
    if key not in st.session_state:
        st.session_state[key] = round(shares[node.id], 1)
    st.slider(
        ui.md(node.name),
        0.0,
        100.0,
        step=1.0,
        format="%.0f%%",
        key=key,
        on_change=_set_share,
        args=(node.id,),
        help=ui.md(node.description) or None,
    )


def _pin() -> None:
    now = dt.datetime.now().strftime("%H:%M:%S")
    st.session_state["compare_baseline"] = (
        ui.baseline_of(state.result()),
        f"the ranking pinned at {now}",
    )


def _policy_widgets(session) -> None:
    gate_list = [("available", "Service can be bought (not discontinued)", True)] + [
        (g.id, g.name, g.enabled) for g in template.gates
    ]
    st.subheader("Must-haves (gates)")
    for gate_id, name, default in gate_list:
        key = f"compare_gate_{gate_id}"
        if key not in st.session_state:
            st.session_state[key] = session.gates.get(gate_id, default)
        st.toggle(
            ui.md(name),
            key=key,
            on_change=lambda g=gate_id: state.update(
                gates={**state.session().gates, g: st.session_state[f"compare_gate_{g}"]}
            ),
        )
    open_choices = {"include": "ask: rank it by its score", "exclude": "count it as no"}
    if "compare_open_gates" not in st.session_state:
        st.session_state["compare_open_gates"] = session.open_gates or template.policies.open_gates
    st.radio(
        "No evidence on a must-have",
        list(open_choices),
        format_func=open_choices.get,
        key="compare_open_gates",
        help="Silence is not a no: by default a vendor that has not answered stays ranked by "
        "its score, with the question marked. Buyers who must treat silence as no can say so; "
        "the choice goes into every export.",
        on_change=lambda: state.update(open_gates=st.session_state["compare_open_gates"]),
    )
    if template.conditions:
        st.subheader("Your situation")
        st.caption("A vendor's answer that holds only in another situation does not count.")
    for condition_id, condition in template.conditions.items():
        key = f"compare_cond_{condition_id}"
        if key not in st.session_state:
            st.session_state[key] = session.conditions.get(condition_id, condition.holds)
        st.toggle(
            ui.md(condition.name),
            key=key,
            on_change=lambda c=condition_id: state.update(
                conditions={
                    **state.session().conditions,
                    c: st.session_state[f"compare_cond_{c}"],
                }
            ),
        )
    st.subheader("Policies")
    if "compare_missing" not in st.session_state:
        st.session_state["compare_missing"] = session.missing or template.policies.missing
    st.radio(
        "Missing data",
        ["worst", "neutral", "exclude"],
        key="compare_missing",
        horizontal=True,
        help="worst: no evidence, no credit; neutral: half credit; exclude: renormalise "
        "over what is known",
        on_change=lambda: state.update(missing=st.session_state["compare_missing"]),
    )
    if "compare_confidence" not in st.session_state:
        st.session_state["compare_confidence"] = (
            template.policies.confidence.enabled
            if session.confidence is None
            else session.confidence
        )
    st.toggle(
        "Discount weaker evidence",
        key="compare_confidence",
        on_change=lambda: state.update(confidence=st.session_state["compare_confidence"]),
    )
    if "compare_stale" not in st.session_state:
        st.session_state["compare_stale"] = session.stale or template.policies.stale
    st.radio(
        f"Evidence older than {template.policies.stale_after_days} days",
        ["full", "discount", "unknown"],
        key="compare_stale",
        horizontal=True,
        help=f"full: counts as it is; discount: credited at "
        f"{template.policies.stale_factor:.0%}; unknown: counts as an open question again",
        on_change=lambda: state.update(stale=st.session_state["compare_stale"]),
    )
    if "compare_method" not in st.session_state:
        st.session_state["compare_method"] = session.method
    st.selectbox(
        "Method",
        METHODS,
        format_func=METHOD_NAMES.get,
        key="compare_method",
        help="; ".join(METHOD_DESCRIPTIONS.values()),
        on_change=lambda: state.update(method=st.session_state["compare_method"]),
    )


def _open_questions(result, summary) -> None:
    """Every open must-have of a ranked vendor with what to ask, and the open questions that
    move the certainty most."""
    by_id = {v.id: v for v in state.vendors()}
    asks = []
    for row in result.rows:
        for gate in row.gates:
            if gate.enabled and gate.outcome == "open":
                criterion = next(g.criterion for g in template.gates if g.id == gate.id)
                claim = by_id[row.vendor].claims.get(criterion)
                note = claim.note if claim is not None and claim.value is None else gate.detail
                asks.append(f"- **{ui.md(row.name)}** — {ui.md(gate.name)}: {ui.md(note)}")
    if not asks and not summary.questions:
        return
    label = f"Questions to ask the vendors ({len(asks)} open must-have(s))"
    with st.expander(label, expanded=False):
        if asks:
            st.markdown("**Must-haves with no evidence either way**")
            st.markdown("\n".join(asks))
        if summary.questions:
            st.markdown("**The answers that would move the ranking most**")
            st.markdown("\n".join(f"- {ui.md(q)}" for q in summary.questions))


def _ranking(result, baseline) -> None:
    overridden = state.overridden()
    data = state.shipped()
    questionnaires = {
        v: status(v, data.sent.get(v, ()), data.responses.get(v, ())).short
        for v in (row.vendor for row in result.rows)
    }
    passing = [r for r in result.rows if r.passed_gates]
    failing = [r for r in result.rows if not r.passed_gates]
    for rows in (passing, failing):
        if not rows:
            continue
        if rows is failing:
            st.divider()
            st.markdown("**Below the line: the evidence says no to a must-have**")
            st.caption("; ".join(f"{ui.md(r.name)}: {ui.md(r.gates_text)}" for r in failing) + ".")
        frame = ui.ranking_frame(result, overridden, baseline, rows, questionnaires)
        st.table(ui.ranking_table(frame), hide_index=True)
    st.caption(ui.RANKING_NOTE)


def _sidebar(session) -> None:
    """The profile, weights, must-haves, situation and policies: drawn after the main area, so
    that the ranking reaches the browser first."""
    options = state.options()
    weights = resolve_weights(template, options)
    shares: dict[str, float] = {}
    for group in [template.criteria, *(n.criteria for n in template.nodes() if n.criteria)]:
        shares |= shares_of({c.id: weights[c.id] for c in group})
    with st.sidebar:
        profiles = ["(template weights)", *template.profiles]
        if "compare_profile" not in st.session_state:
            st.session_state["compare_profile"] = session.profile or profiles[0]
        st.selectbox(
            "Stakeholder profile",
            profiles,
            key="compare_profile",
            format_func=lambda p: p if p == profiles[0] else template.profiles[p].name,
            on_change=lambda: _weights_from(
                None
                if st.session_state["compare_profile"] == profiles[0]
                else st.session_state["compare_profile"]
            ),
        )
        st.button(
            "Reset weights",
            key="compare_reset",
            on_click=lambda: _weights_from(state.session().profile),
            help="Back to the profile's (or the template's) weights",
        )
        st.subheader("Weights, as shares of 100%")
        for top in template.criteria:
            _slider(top, shares)
            if len(top.criteria) > 1:
                # The parts' sliders are drawn only while their expander is open: a weight
                # change then redraws a dozen sliders, not forty.
                key = f"compare_open_{top.id}"
                with st.expander(
                    f"{ui.md(top.name)}: its parts, as shares of it", key=key, on_change="rerun"
                ):
                    if st.session_state.get(key):
                        for child in top.criteria:
                            _slider(child, shares)
        _policy_widgets(session)


@st.fragment
def panel() -> None:
    """Everything a weight, gate or policy change affects: reruns alone. The main area first,
    then the sidebar's widgets."""
    _main()
    _sidebar(state.session())


def _main() -> None:
    options = state.options()
    if not state.session().vendors:
        st.info("Choose at least one vendor in the sidebar.")
        return
    problem = state.scoring_problem()
    if problem:
        st.error(f"Nothing can be scored: {ui.md(problem)}.")
        return
    built = state.matrix()
    result = state.result(built)
    summary = state.summary(built, result)
    st.title("Compare vendors")
    st.caption(
        f"{ui.md(template.name)} v{ui.md(template.version)} · {METHOD_NAMES[result.method]} · "
        f"missing data: {result.missing} · evidence discount: "
        f"{'on' if result.confidence else 'off'} · no evidence on a must-have: "
        f"{'ask' if result.open_gates == 'include' else 'counts as no'} · stale evidence: "
        f"{result.stale}"
    )
    st.info(ui.md(summary.recommendation))
    note = "" if result.method == "wsm" else f" {ON_WEIGHTED_SUM}"
    st.caption(ui.md(summary.certainty) + ui.md(note))

    if "compare_baseline" not in st.session_state:
        start = evaluate(template, built, replace(options, weights={}))
        st.session_state["compare_baseline"] = (
            ui.baseline_of(start),
            "the profile's weights when the session began",
        )
    baseline, since = st.session_state["compare_baseline"]
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.caption(f"Change: against {since}.")
    right.button("Pin as baseline", key="compare_pin", on_click=_pin, width="stretch")
    _ranking(result, baseline)
    _open_questions(result, summary)

    cells = len(result.rows) * len(built.leaf_ids)
    for chart_note, frame, spec in zip(
        (charts.chart_note(result), charts.chart_note(result, cells)),
        (charts.contributions_data, charts.utilities_data),
        (charts.contributions_chart, charts.utilities_heatmap),
        strict=True,
    ):
        if chart_note:
            st.caption(chart_note)
        else:
            st.vega_lite_chart(frame(result, template), spec(template), width="stretch")

    st.subheader("Why one vendor ranks above another")
    ids = [row.vendor for row in result.rows]
    label = {row.vendor: row.name for row in result.rows}
    if len(ids) < 2:
        st.info("Choose two vendors or more to compare them.")
        return
    # A new set of vendors starts again from #1 against #2.
    if st.session_state.get("compare_pair_set") != sorted(ids):
        st.session_state["compare_pair_set"] = sorted(ids)
        st.session_state["compare_a"], st.session_state["compare_b"] = ids[0], ids[1]
    a_col, b_col = st.columns(2)
    first = a_col.selectbox("Vendor", ids, format_func=label.get, key="compare_a")
    second = b_col.selectbox("against", ids, format_func=label.get, key="compare_b")
    if first == second:
        st.info("Choose two different vendors.")
        return
    st.markdown(ui.why_summary(result, first, second))
    st.dataframe(
        ui.difference_frame(result, template, first, second),
        hide_index=True,
        key="compare_difference",
        on_select="ignore",
    )


panel()
