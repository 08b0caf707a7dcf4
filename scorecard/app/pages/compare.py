"""Compare: choose template, vendors, profile and weights; see the ranking and why."""

import streamlit as st

from scorecard.app import components as ui
from scorecard.app import state
from scorecard.export import charts
from scorecard.robustness import flip_sentence, sensitivity, smallest_flip
from scorecard.scoring import METHOD_NAMES, METHODS, resolve_weights

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


def _weights_from(profile: str | None) -> None:
    """Reset every weight slider to the template's (or a profile's) weights: the sliders are
    forgotten, and drawn again from the session's weights."""
    state.update(profile=profile, weights={})
    for node in template.nodes():
        st.session_state.pop(f"compare_w_{node.id}", None)


def _set_weight(criterion_id: str) -> None:
    state.update(
        weights={
            **state.session().weights,
            criterion_id: st.session_state[f"compare_w_{criterion_id}"],
        }
    )


def _slider(node, weights, maximum: float) -> None:
    # The value comes from the session; once drawn, the slider keeps its own state (its key).
    st.slider(
        ui.md(node.name),
        0.0,
        max(maximum, weights[node.id]),
        value=float(weights[node.id]),
        step=1.0 if maximum > 10 else 0.5,
        key=f"compare_w_{node.id}",
        on_change=_set_weight,
        args=(node.id,),
        help=ui.md(node.description) or None,
    )


@st.fragment
def panel() -> None:
    """Everything a weight, gate or policy change affects: reruns alone."""
    session = state.session()
    weights = resolve_weights(template, session.options())
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
        st.subheader("Weights")
        for top in template.criteria:
            _slider(top, weights, 100.0)
            if len(top.criteria) > 1:
                with st.expander(f"{ui.md(top.name)}: sub-criteria"):
                    for child in top.walk():
                        if child is not top:
                            _slider(child, weights, 10.0)
        st.subheader("Gates")
        gate_list = [("available", "Service can be bought (not discontinued)", True)] + [
            (g.id, g.name, g.enabled) for g in template.gates
        ]
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
        missing = ["worst", "neutral", "exclude"]
        if "compare_missing" not in st.session_state:
            st.session_state["compare_missing"] = session.missing or template.policies.missing
        st.radio(
            "Missing data",
            missing,
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
        if "compare_method" not in st.session_state:
            st.session_state["compare_method"] = session.method
        st.selectbox(
            "Method",
            METHODS,
            format_func=METHOD_NAMES.get,
            key="compare_method",
            on_change=lambda: state.update(method=st.session_state["compare_method"]),
        )

    if not state.session().vendors:
        st.info("Choose at least one vendor in the sidebar.")
        return
    problem = state.scoring_problem()
    if problem:
        st.error(f"Nothing can be scored: {ui.md(problem)}.")
        return
    built = state.matrix()
    result = state.result(built)
    st.title("Compare vendors")
    discount = "on" if result.confidence else "off"
    st.caption(
        f"{ui.md(template.name)} v{ui.md(template.version)} · "
        f"{METHOD_NAMES[result.method]} · missing data: {result.missing} · "
        f"confidence discount: {discount}"
    )
    table = ui.ranking_frame(result, state.overridden())
    st.dataframe(
        table,
        height=ui.table_height(len(table)),
        hide_index=True,
        column_config=ui.RANKING_COLUMNS,
        key="compare_ranking",
        on_select="ignore",
    )
    names = {v: result.row(v).name for v in state.session().vendors} | charts.names(template)
    flip = smallest_flip(sensitivity(template, built, state.session().options(), points=0))
    st.caption(ui.md(flip_sentence(flip, names)))
    cells = len(result.rows) * len(built.leaf_ids)
    for column, note, data, spec in zip(
        st.columns(2),
        (charts.chart_note(result), charts.chart_note(result, cells)),
        (charts.contributions_data, charts.utilities_data),
        (charts.contributions_chart, charts.utilities_heatmap),
        strict=True,
    ):
        if note:
            column.caption(note)
        else:
            column.vega_lite_chart(data(result, template), spec(template), width="stretch")

    st.subheader("Why one vendor ranks above another")
    ids = [row.vendor for row in result.rows]
    label = {row.vendor: row.name for row in result.rows}
    if len(ids) < 2:
        st.info("Choose two vendors or more to compare them.")
        return
    a_col, b_col = st.columns(2)
    first = a_col.selectbox("Vendor", ids, index=0, format_func=label.get, key="compare_a")
    second = b_col.selectbox("against", ids, index=1, format_func=label.get, key="compare_b")
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
