"""Templates: view the criteria tree, edit weights, gates and profiles, upload or download a
template, and see what changed against the template the session started from."""

import pandas as pd
import streamlit as st

from scorecard.app import components as ui
from scorecard.app import state
from scorecard.diff import diff_templates
from scorecard.loading import dump_yaml, load_template
from scorecard.model import MAX_WEIGHT, BooleanMeasure, CoverageMeasure, RatingMeasure
from scorecard.scoring import global_weights, requirement_text, resolve_weights

session = state.session()
template = session.template
weights = resolve_weights(template, state.options())
# The template as it would be downloaded: with the session's weights (Compare's sliders and the
# Edit tab change the same weights).
as_edited = template.with_weights(dict(session.weights))
st.title("Criteria template")
st.caption(f"{ui.md(template.name)} · id {template.id} · version {ui.md(template.version)}")
flash = st.session_state.pop("templates_flash", None)
if flash:
    st.success(flash)

tree, edit, files, changes = st.tabs(["Tree", "Edit", "Upload and download", "Changes"])

with tree:
    shares = global_weights(template, weights)
    for top in template.criteria:
        st.markdown(f"### {ui.md(top.name)} — {shares[top.id]:.0%}")
        if top.description:
            st.caption(ui.md(top.description))
        for node in top.walk():
            if node is top:
                continue
            st.markdown(
                f"- **{ui.md(node.name)}** (`{node.id}`, {shares[node.id]:.1%} of the total): "
                f"{ui.md(node.description)}"
            )
            if isinstance(node.measure, RatingMeasure):
                with st.expander(f"Rubric: {ui.md(node.name)}"):
                    for level, text in node.measure.rubric.items():
                        st.markdown(f"{level}. {ui.md(text)}")
    if template.gates:
        st.markdown("### Gates")
        leaves = {leaf.id: leaf for leaf in template.leaves()}
        for gate in template.gates:
            state_text = "on" if gate.enabled else "off by default"
            leaf = leaves[gate.criterion]
            st.markdown(
                f"- **{ui.md(gate.name)}** ({state_text}): {ui.md(leaf.name)} must be "
                f"{ui.md(requirement_text(gate.require, leaf))}"
            )


with edit:
    st.markdown(
        "Weights are relative among siblings: these are the session's weights, the same ones "
        "Compare's sliders set. Changes apply to this session; download the template to keep "
        "them."
    )
    parents = {child.id: node.id for node in template.nodes() for child in node.criteria}
    frame = pd.DataFrame(
        [
            {
                "id": n.id,
                "criterion": n.name,
                "under": parents.get(n.id, ""),
                "weight": round(weights[n.id], 2),
            }
            for n in template.nodes()
        ]
    )
    edited = st.data_editor(
        frame,
        key="templates_weights",
        hide_index=True,
        disabled=["id", "criterion", "under"],
        column_config={
            "weight": st.column_config.NumberColumn(min_value=0.0, max_value=MAX_WEIGHT, step=0.5)
        },
    )
    new_weights = {
        k: float(w)
        for k, w in zip(edited["id"], edited["weight"], strict=True)
        if float(w) != round(weights[k], 2)
    }

    gates = []
    leaves = {leaf.id: leaf for leaf in template.leaves()}
    if template.gates:
        st.markdown("**Gates**")
    for gate in template.gates:
        measure = leaves[gate.criterion].measure
        on, need = st.columns([1, 2])
        enabled = on.toggle(
            ui.md(gate.name), value=gate.enabled, key=f"templates_gate_on_{gate.id}"
        )
        key = f"templates_gate_req_{gate.id}"
        if isinstance(measure, BooleanMeasure):
            require = need.toggle("required value: yes", value=bool(gate.require), key=key)
        elif isinstance(measure, CoverageMeasure):
            require = need.multiselect("must cover", measure.options, default=gate.require, key=key)
        else:
            low, high = measure.scale if isinstance(measure, RatingMeasure) else (None, None)
            require = need.number_input(
                "least acceptable",
                value=float(gate.require),
                min_value=low,
                max_value=high,
                key=key,
            )
        gates.append(gate.model_copy(update={"enabled": enabled, "require": require}))

    profiles = {}
    if template.profiles:
        st.markdown("**Stakeholder profiles** (relative weights of the top-level criteria)")
        tops = [c.id for c in template.criteria]
        grid = pd.DataFrame(
            {name: {t: p.weights.get(t) for t in tops} for name, p in template.profiles.items()}
        ).T
        edited_grid = st.data_editor(
            grid,
            key="templates_profiles",
            column_config={
                t: st.column_config.NumberColumn(min_value=0.0, max_value=MAX_WEIGHT) for t in tops
            },
        )
        for name, profile in template.profiles.items():
            values = {t: float(v) for t, v in edited_grid.loc[name].items() if pd.notna(v)}
            kept = {k: v for k, v in profile.weights.items() if k not in tops}
            profiles[name] = profile.model_copy(update={"weights": {**kept, **values}})

    candidate = template.model_copy(
        update={"gates": tuple(gates), "profiles": profiles or template.profiles}
    )
    if new_weights:
        state.update(weights={**session.weights, **new_weights})
        for node in template.nodes():  # Compare's sliders are drawn again from these weights
            st.session_state.pop(f"compare_w_{node.id}", None)
    if candidate != template:
        state.update(template=candidate)
    if new_weights or candidate != template:
        st.rerun()

with files:
    st.download_button(
        "Download this template (YAML), with the session's weights",
        dump_yaml(as_edited),
        file_name=f"{template.id}.yaml",
        mime="application/x-yaml",
        key="templates_download",
    )
    upload = st.file_uploader(
        "Upload a template (YAML, up to 1 MB)", type=["yaml", "yml"], key="templates_upload"
    )
    loaded = (
        ui.read_upload(
            upload, lambda name, data: load_template(name, data, parents=state.shipped().templates)
        )
        if upload
        else None
    )
    if loaded is not None and st.button(
        f"Use {ui.md(loaded.name)} in this session", key="templates_use"
    ):
        # Changes then shows what the upload changes against the template in use until now.
        state.replace(state.new_session(loaded, state.shipped().vendors), origin=as_edited)
        st.session_state["templates_flash"] = f"Now comparing on {ui.md(loaded.name)}."
        st.rerun()

with changes:
    origin = st.session_state.get("template_origin", template)
    found = diff_templates(origin, as_edited)
    st.caption(f"Against {ui.md(origin.name)} v{ui.md(origin.version)}.")
    if not found:
        st.info("No changes.")
    else:
        st.dataframe(
            pd.DataFrame(
                [{"change": c.kind, "what": c.what, "id": c.id, "detail": c.detail} for c in found]
            ),
            hide_index=True,
            key="templates_changes",
            on_select="ignore",
        )
