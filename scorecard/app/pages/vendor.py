"""Vendor: one profile, every claim with its evidence, the funding context, and the gaps."""

import streamlit as st

from scorecard.app import components as ui
from scorecard.app import state
from scorecard.evidence import gaps, review
from scorecard.export.markdown import source_md
from scorecard.export.profile import LAYER_TITLES

session = state.session()
template = session.template
vendors = {v.id: v for v in state.vendors()}
if not vendors:
    st.info("Choose vendors on the Compare page first.")
    st.stop()

vendor_id = st.selectbox(
    "Vendor", list(vendors), format_func=lambda v: vendors[v].name, key="vendor_choice"
)
vendor = vendors[vendor_id]
overridden = state.overridden()

st.title(ui.md(vendor.name))
st.markdown(f"{ui.md(vendor.company)} · status: **{vendor.status}**")
if vendor.status == "discontinued":
    st.error("This service is discontinued: it fails the availability gate.")
if vendor.website:
    st.markdown(ui.source_link_url(vendor.website))
for offering in vendor.offerings:
    st.markdown(f"- {ui.md(offering)}")
if vendor.description:
    st.markdown(ui.md(vendor.description))

if vendor.funding_context:
    with st.container(border=True, key="vendor_funding"):
        st.subheader("Funding context")
        st.caption("Funding is context about staying power, not proof of quality or readiness.")
        for layer, title in LAYER_TITLES.items():
            statements = [s for s in vendor.funding_context if s.layer == layer]
            if not statements:
                continue
            st.markdown(f"**{title}**")
            for statement in statements:
                who = f" — *{ui.md(statement.attributed_to)}*" if statement.attributed_to else ""
                st.markdown(f"- {ui.md(statement.statement)}{who}")
                for source in statement.sources:
                    st.markdown(f"  - {source_md(source)}")

limit = template.policies.stale_after_days
views = review(template, vendor, state.today(), session.conditions)
stale = sum(v.stale for v in views)
known = sum(v.claim is not None and v.claim.value is not None for v in views)
st.subheader("Claims")
st.caption(
    f"{known} of {len(views)} criteria have evidence; {stale} claim(s) older than "
    f"{limit} days are flagged stale."
)
group = None
for view in views:
    if view.group is not group:
        group = view.group
        st.markdown(f"#### {ui.md(group.name)}")
    claim = view.claim
    level = claim.confidence if claim else "unknown"
    with st.container(border=True, key=f"vendor_claim_{view.criterion.id}"):
        head, badge = st.columns([4, 1])
        head.markdown(f"**{ui.md(view.criterion.name)}**: {ui.md(view.value)}")
        with badge:
            ui.confidence_badge(level)
            if (vendor.id, view.criterion.id) in overridden:
                st.badge("buyer override", color="red")
        details = []
        if view.dates:
            details.append(view.dates)
        if view.stale:
            details.append(f"**stale**: older than {limit} days")
        if view.condition:
            details.append(ui.md(view.condition))
        if details:
            st.caption(" · ".join(details))
        if claim and claim.note:
            st.markdown(ui.md(claim.note))
        if claim and claim.derivation:
            st.markdown(f"*Derived:* {ui.md(claim.derivation)}")
        for source in claim.sources if claim else ():
            st.markdown(f"- {source_md(source, ui.md)}")

st.subheader("Questions to ask this vendor")
ui.stop_unless_scorable()
found = gaps(template, [vendor], session.options())[vendor.id]
if not found:
    st.success("Every criterion has evidence.")
for gap in found:
    needs = f" — gate {', '.join(gap.gates)} needs it" if gap.gates else ""
    st.markdown(f"- **{ui.md(gap.name)}** (up to +{gap.gain:.1f} points{needs}): {ui.md(gap.note)}")
