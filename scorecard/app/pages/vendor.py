"""Vendor: one profile, every claim with its evidence, the funding context, and the gaps."""

import streamlit as st

from scorecard import export
from scorecard.app import components as ui
from scorecard.app import state
from scorecard.evidence import gaps, review
from scorecard.export.markdown import source_md
from scorecard.export.profile import LAYER_TITLES
from scorecard.export.questionnaire import questionnaire_form
from scorecard.loading import answers_folder
from scorecard.responses import read_form, save
from scorecard.rfi import Questionnaire, layer_text, preview, questionnaire, sent_record, status

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
answered = {x.criterion: x for x in state.shipped().layers.get(vendor.id, ())}
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
        if view.criterion.id in answered:
            st.info(ui.md(layer_text(answered[view.criterion.id], view.criterion.measure)))
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


st.subheader("Questionnaire")
shipped = state.shipped()
desk = next(v for v in state.vendors_without_overrides() if v.id == vendor.id)
st.caption(
    ui.md(
        status(
            vendor.id, shipped.sent.get(vendor.id, ()), shipped.responses.get(vendor.id, ())
        ).text
    )
)
everything = st.toggle("Ask about every criterion", key="vendor_rfi_everything")
asked = questionnaire(template, desk, state.today(), session.options(), everything)
where = answers_folder(state.data_root() / shipped.vendor_files[vendor.id], vendor.id)


def _record_sent(q: Questionnaire) -> None:
    """A questionnaire downloaded is recorded as sent, beside the vendor's profile."""
    try:
        save(where, sent_record(q), f"sent-{q.created}")
    except OSError as exc:
        st.toast(f"Not recorded as sent: {exc.strerror or exc}")


if not asked.questions:
    st.success("Nothing to ask: every claim is confirmed and fresh.")
else:
    gated = sum(1 for q in asked.questions if q.gates)
    st.markdown(
        f"{len(asked.questions)} question(s) for {ui.md(vendor.name)}"
        + (f", {gated} of them on must-haves (asked first)" if gated else "")
        + ": every criterion whose evidence is unknown, stale, conditional or only reported or "
        "claimed. Downloading records the questionnaire as sent."
    )
    forms = {
        ".xlsx": ("Questionnaire (Excel)", export.MIME_TYPES["xlsx"]),
        ".yaml": ("Text form (YAML)", "application/yaml"),
    }
    for column, (suffix, (label, mime)) in zip(st.columns(2), forms.items(), strict=True):
        column.download_button(
            label,
            questionnaire_form(asked, suffix),
            file_name=f"questionnaire-{vendor.id}-{asked.created}{suffix}",
            mime=mime,
            on_click=_record_sent,
            args=(asked,),
            key=f"vendor_rfi_{suffix[1:]}",
        )

if "vendor_rfi_imported" in st.session_state:
    st.success(st.session_state.pop("vendor_rfi_imported"))
rounds = st.session_state.setdefault("vendor_rfi_round", 0)  # a new uploader after an import
upload = st.file_uploader(
    "Import the vendor's answers (the filled questionnaire, .xlsx or .yaml)",
    type=["xlsx", "yaml", "yml"],
    key=f"vendor_rfi_upload_{rounds}",
)
if upload is not None:
    on_hand = {v.id: v for v in state.vendors_without_overrides()}
    found = read_form(upload.name, upload.getvalue(), template, on_hand, state.today())
    if found.vendor is not None and found.vendor != vendor.id:
        st.error(
            f"{ui.md(upload.name)} holds {ui.md(on_hand[found.vendor].name)}'s answers: import "
            "it on that vendor's page."
        )
        st.stop()
    if found.problems:
        st.error(f"{ui.md(upload.name)}: {len(found.problems)} problem(s).")
        st.code("\n".join(str(p) for p in found.problems), language=None)
    if found.unanswered:
        blank = found.unanswered
        st.caption(f"{len(blank)} question(s) left blank: {ui.md(', '.join(blank))}")
    response = found.response
    if response is not None:
        st.markdown(f"**If imported**, {len(response.answers)} answer(s):")
        for line in preview(template, list(on_hand.values()), response, session.options()):
            st.markdown(f"- {ui.md(line)}")
        partial = bool(found.problems)
        if partial:
            partial = not st.checkbox(
                "Import the valid answers, and keep the list of the rest in the response file",
                key="vendor_rfi_partial",
            )
        if not partial and st.button(
            f"Import {len(response.answers)} answer(s)", type="primary", key="vendor_rfi_import"
        ):
            header = [f"From {upload.name}."]
            if found.problems:
                header += ["Not imported, to fix and import again:", *map(str, found.problems)]
            try:
                kept = save(where, response, response.received, header)
            except OSError as exc:
                st.error(f"Not imported: {ui.md(exc.strerror or str(exc))}")
            else:
                shown = kept.relative_to(state.data_root())
                st.session_state["vendor_rfi_imported"] = (
                    f"Imported {len(response.answers)} answer(s) into {ui.md(str(shown))}."
                )
                st.session_state["vendor_rfi_round"] = rounds + 1
                st.rerun()
