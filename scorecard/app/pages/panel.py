"""Panel: a buying team weighs the criteria blind, the facilitator reveals how they agree, and
approvers sign the decision. Every action is checked by the store against the person's role."""

import itertools
from fractions import Fraction

import altair as alt
import pandas as pd
import streamlit as st
from pydantic import ValidationError

from scorecard.app import components as ui
from scorecard.app import state
from scorecard.export import charts
from scorecard.panel import (
    ACCEPTABLE,
    MOST,
    SCALE,
    PanelError,
    Rating,
    matrix,
    pairwise,
    panel_claims,
    review,
    submission,
)
from scorecard.scoring import resolve_weights, shares_of
from scorecard.session import Override
from scorecard.store import ROLES, StoreError

METHODS = {
    "sliders": "Sliders",
    "pairwise": "Pairwise comparison (AHP)",
    "swing": "Swing weighting",
}

st.title("Panel")
kept, stored = state.store(), st.session_state.get("stored")
if kept is None or stored is None:
    st.info("A panel needs the session database, which this server cannot use now.")
    st.stop()
session_id = stored[0]
session = state.session()
tops = {c.id: c.name for c in session.template.criteria}
rated_leaves = [c for c in session.template.leaves() if c.panel_scored]
vendor_names = {v.id: v.name for v in state.vendors()}


def act(done: str, action) -> None:
    """Run a store action; say what was done, or why it was refused, in words."""
    try:
        action()
    except (StoreError, PanelError) as exc:
        st.session_state["panel_error"] = str(exc)
    else:
        st.session_state["panel_flash"] = done


def link(token: str) -> str:
    """A member's personal link: this page's address (as the browser reached it) with the
    session and their token."""
    here = (st.context.url or "").split("?")[0]
    return f"{here}?session={session_id}&token={token}"


panel = state.panel()
if panel is None:
    st.markdown(
        "Run this session as a panel: invite evaluators (who weigh the criteria, each on their "
        "own), viewers and approvers (who sign the decision). Each gets a personal link. "
        "From then on only you, the facilitator, change the shared session."
    )
    with st.form("panel_start"):
        name = st.text_input("Your name", max_chars=200, key="panel_start_name")
        if st.form_submit_button("Start a panel", type="primary"):
            try:
                _, token = kept.start_panel(session_id, name=name)
            except StoreError as exc:
                st.error(ui.md(str(exc)))
            else:
                state.sign_in(token)
                st.rerun()
    st.stop()

me = state.member()
if me is None:
    st.warning(
        "This session is run as a panel: open it with the personal link the facilitator "
        "sent you. A link that was revoked no longer opens it."
    )
    if state.single_sign_on():
        if st.user.is_logged_in:
            st.info(
                f"You are logged in as {ui.md(str(st.user.get('email')))}, an address this "
                "panel has not invited."
            )
            st.button("Log out", key="panel_logout", on_click=st.logout)
        else:
            st.button("Log in", key="panel_login", on_click=st.login)
    st.stop()
try:  # everything this page shows of the panel, read once
    people = kept.members(session_id) if me.role == "facilitator" else []
    subs = kept.submissions(session_id, me)
    signed = kept.signatures(session_id)
except StoreError as exc:
    st.error(f"The panel cannot be read now: {ui.md(str(exc))}")
    st.stop()
if error := st.session_state.pop("panel_error", None):
    st.error(ui.md(error))
if flash := st.session_state.pop("panel_flash", None):
    st.success(ui.md(flash))
status = "signed, so locked" if panel.locked else "open"
st.caption(
    f"You are {ui.md(me.name)}, {me.role}. Revision {panel.revision}, {status}. "
    "Keep your link to yourself: it is your signature here."
)

# -- people ------------------------------------------------------------------------------------
if me.role == "facilitator":
    st.subheader("People")
    with st.form("panel_invite", clear_on_submit=True):
        left, right = st.columns([3, 2])
        name = left.text_input("Name", max_chars=200, key="panel_invite_name")
        role = right.selectbox("Role", ROLES[1:], key="panel_invite_role")
        email = None
        if state.single_sign_on():
            email = st.text_input(
                "Email (optional)",
                max_chars=320,
                key="panel_invite_email",
                help="They can log in with this address instead of opening their link.",
            )
        if st.form_submit_button("Invite"):
            try:
                invited, token = kept.invite(
                    session_id, me, name=name, role=role, email=email or None
                )
            except StoreError as exc:
                st.session_state["panel_error"] = str(exc)
            else:
                st.session_state["panel_link"] = (invited.name, invited.role, link(token))
            st.rerun()
    if shown := st.session_state.pop("panel_link", None):
        st.success(
            f"Send {ui.md(shown[0])} ({shown[1]}) this link. It is shown once: only a "
            "fingerprint of it is kept."
        )
        st.code(shown[2], language=None)
    table = {"Name": [m.name for m in people], "Role": [m.role for m in people]}
    if any(m.email for m in people):
        table["Email"] = [m.email or "" for m in people]
    table["Since (UTC)"] = [ui.when(m.created) for m in people]
    table["Access"] = ["revoked" if m.revoked else "yes" for m in people]
    st.dataframe(pd.DataFrame(table), hide_index=True, key="panel_people")
    active = {m.id: f"{m.name} ({m.role})" for m in people if not m.revoked and m.id != me.id}
    if active:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        left.selectbox(
            "Revoke access of", list(active), format_func=active.get, key="panel_revoke_who"
        )
        right.button(
            "Revoke",
            key="panel_revoke",
            on_click=lambda: act(
                "Access revoked.",
                # The one chosen when the button is pressed, not when it was drawn.
                lambda: kept.revoke(session_id, me, st.session_state["panel_revoke_who"]),
            ),
        )

# -- weights -----------------------------------------------------------------------------------
st.subheader("Weights")
if me.role == "evaluator":
    st.markdown(
        "Weigh the criteria as you see them. Nobody sees your weights, nor you theirs, until "
        "the facilitator reveals them; you can submit again until the decision is signed."
    )
    method = st.radio(
        "How", list(METHODS), format_func=METHODS.get, horizontal=True, key="panel_method"
    )
    ids = list(tops)
    try:
        if method == "sliders":
            weights = resolve_weights(session.template, state.options())
            now = shares_of({c: weights[c] for c in ids})
            given = {
                c: st.slider(tops[c], 0, 100, round(now[c]), key=f"panel_slider_{c}") for c in ids
            }
            mine = submission(me.name, ids, "sliders", sliders=given)
        elif method == "pairwise":
            if len(ids) > MOST:
                raise PanelError(f"pairwise comparison takes at most {MOST} criteria")
            st.caption(
                "For each pair, which matters more, and how much more: 1 equal, 3 moderately, "
                "5 strongly, 7 very strongly, 9 extremely. Left favours the first of the pair, "
                "right the second."
            )
            # From "the first 9 times as important" to "the second 9 times as important".
            points = sorted(SCALE, reverse=True)
            judged = {}
            for a, b in itertools.combinations(ids, 2):
                judged[(a, b)] = st.select_slider(
                    f"{tops[a]} vs {tops[b]}",
                    options=points,
                    value=Fraction(1),
                    format_func=lambda x, a=a, b=b: (
                        "equal" if x == 1 else f"{tops[a] if x > 1 else tops[b]} ×{max(x, 1 / x)}"
                    ),
                    key=f"panel_pair_{a}_{b}",
                )
            mine = submission(me.name, ids, "pairwise", judgements=judged)
            ratio = mine.consistency or 0.0
            if ratio > ACCEPTABLE:
                at = {(ids.index(x), ids.index(y)): v for (x, y), v in judged.items()}
                fix = pairwise(matrix(len(ids), at)).fix
                hint = ""
                if fix is not None:
                    first, second = tops[ids[fix.i]], tops[ids[fix.j]]
                    hint = (
                        f" The judgement that would help most: {first} vs {second}, from "
                        f"{fix.now} to {fix.better} (the ratio would be {fix.ratio:.2f})."
                    )
                st.warning(
                    f"Consistency ratio {ratio:.2f}: above {ACCEPTABLE}, your judgements "
                    f"contradict each other.{hint}"
                )
            else:
                st.caption(f"Consistency ratio {ratio:.2f} (at most {ACCEPTABLE} is consistent).")
        else:
            best = st.selectbox(
                "Which swing, from worst to best, matters most?",
                ids,
                format_func=tops.get,
                key="panel_swing_best",
            )
            st.caption("Rate each other swing against it: 100 would matter as much, 0 not at all.")
            rated = {
                c: 100.0
                if c == best
                else float(st.slider(tops[c], 0, 100, 50, key=f"panel_swing_{c}"))
                for c in ids
            }
            mine = submission(me.name, ids, "swing", ratings=rated)
    except PanelError as exc:
        st.error(ui.md(str(exc)))
        mine = None
    if mine is not None:
        st.dataframe(
            pd.DataFrame(
                {"Criterion": [tops[c] for c in ids], "Weight": [mine.weights[c] for c in ids]}
            ),
            hide_index=True,
            column_config={"Weight": st.column_config.NumberColumn(format="%.1f%%")},
            key="panel_mine",
        )
    if rated_leaves:
        st.markdown(
            "**Your ratings.** The template leaves these criteria to the buyers: rate each "
            "vendor on the rubric, from what you saw yourself, and say why."
        )
    scores: dict[str, dict[str, Rating]] = {}
    for leaf in rated_leaves:
        rubric = leaf.measure.rubric
        with st.expander(leaf.name, expanded=True):
            for vendor_id, vendor_name in vendor_names.items():
                left, right = st.columns([2, 3])
                level = left.selectbox(
                    vendor_name,
                    [None, *sorted(rubric)],
                    format_func=lambda x, r=rubric: "not rated" if x is None else f"{x}: {r[x]}",
                    key=f"panel_rate_{leaf.id}_{vendor_id}",
                )
                comment = right.text_input(
                    "Why",
                    max_chars=1000,
                    key=f"panel_why_{leaf.id}_{vendor_id}",
                    disabled=level is None,
                )
                if level is None:
                    continue
                try:
                    rating = Rating(level=level, comment=comment.strip())
                except ValidationError as exc:  # a hidden control character, say
                    right.error(ui.md(exc.errors()[0]["msg"]))
                else:
                    scores.setdefault(vendor_id, {})[leaf.id] = rating
    if mine is not None:
        mine = mine.model_copy(update={"scores": scores})
        st.button(
            "Submit my weights and ratings" if rated_leaves else "Submit my weights",
            type="primary",
            key="panel_submit",
            disabled=panel.locked is not None,
            on_click=act,
            args=(
                "Your weights and ratings are in." if scores else "Your weights are in.",
                lambda: kept.submit(session_id, me, mine),
            ),
        )

if not subs:
    st.caption("No evaluator has submitted weights yet.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Evaluator": [s.member.name for s in subs],
                "Submitted (UTC)": [ui.when(s.at) for s in subs],
                "How": [METHODS[s.submission.method] if s.submission else "hidden" for s in subs],
            }
        ),
        hide_index=True,
        key="panel_submitted",
    )
if me.role == "facilitator" and panel.revealed is None:
    st.button(
        "Reveal everyone's weights",
        disabled=not subs,
        key="panel_reveal",
        on_click=act,
        args=("The weights are revealed to the panel.", lambda: kept.reveal(session_id, me)),
    )

# -- what the panel says -----------------------------------------------------------------------
shown = [s.submission for s in subs if s.submission is not None]
if panel.revealed is not None and shown:
    st.subheader("How the panel agrees")
    labels = {"geometric": "Geometric mean", "arithmetic": "Arithmetic mean"}
    if me.role == "facilitator":
        how = st.radio(
            "Group weights",
            list(labels),
            index=list(labels).index(panel.aggregation),
            format_func=labels.get,
            horizontal=True,
            key="panel_aggregation",
            help="The geometric mean of each criterion's weights, renormalised, is the standard "
            "way to combine individual judgements; the arithmetic mean is gentler with a zero.",
        )
        if how != panel.aggregation:
            act(
                f"Group weights: {labels[how].lower()}.",
                lambda: kept.aggregate(session_id, me, how),
            )
            st.rerun()
    try:
        found = review(session.template, state.matrix(), state.options(), shown, panel.aggregation)
    except PanelError as exc:
        st.error(ui.md(str(exc)))
        st.stop()
    names = dict(zip(found.criteria, (tops[c] for c in found.criteria), strict=True))
    points = pd.DataFrame(
        [
            {"Criterion": names[c], "Weight": found.weights[i, k] * 100, "Who": who}
            for i, who in enumerate(found.evaluators)
            for k, c in enumerate(found.criteria)
        ]
    )
    groups = pd.DataFrame(
        {"Criterion": [names[c] for c in found.criteria], "Weight": list(found.group.values())}
    )
    order = [names[c] for c in found.criteria]
    y = alt.Y("Criterion:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    st.altair_chart(
        (
            alt.Chart(points)
            .mark_circle(size=90, opacity=0.75)
            .encode(
                x=alt.X("Weight:Q", title="Weight (%)"),
                y=y,
                color=alt.Color(
                    "Who:N",
                    scale=alt.Scale(range=charts.PALETTE),
                    legend=alt.Legend(orient="bottom", title=None),
                ),
                tooltip=["Who", "Criterion", alt.Tooltip("Weight:Q", format=".1f")],
            )
            + alt.Chart(groups)
            .mark_tick(color="black", thickness=2, size=22)
            .encode(x="Weight:Q", y=y, tooltip=["Criterion", alt.Tooltip("Weight:Q", format=".1f")])
        ).properties(height=alt.Step(34)),
        width="stretch",
    )
    st.caption(
        "Each dot is one evaluator's weight; the black tick is the group's "
        f"({labels[found.aggregation].lower()})."
    )
    left, right = st.columns(2)
    left.metric(
        "Agreement on the ranking (Kendall's W)",
        "—" if found.kendall_w is None else f"{found.kendall_w:.2f}",
        help="1: every evaluator ranks the vendors alike; 0: no agreement. Needs two evaluators.",
    )
    right.metric(
        "AHP consensus (Goepel)",
        "—" if found.consensus is None else f"{found.consensus:.0%}",
        help="Over the pairwise submissions: 100% when all give the same weights. Needs two.",
    )
    widest, furthest = found.agreement.widest, found.agreement.furthest
    st.markdown(
        f"Most disputed: **{ui.md(names[found.criteria[widest]])}** (its weights differ by "
        f"{found.agreement.spread[widest] * 100:.1f} points, as a standard deviation). Furthest "
        "from the "
        f"group: **{ui.md(found.evaluators[furthest])}**, who would move "
        f"{found.agreement.distance[furthest]:.0%} of the weight to match it."
    )
    width = max(len(found.group_ranking), 1)
    table = {"Rank": list(range(1, width + 1))}
    table["Group"] = [vendor_names.get(v, v) for v in found.group_ranking]
    for who, ranking in found.rankings.items():
        table[who] = [vendor_names.get(v, v) for v in ranking]
    st.dataframe(
        pd.DataFrame(table),
        hide_index=True,
        height=35 * (width + 1) + 3,  # every vendor, without a scroll bar
        key="panel_rankings",
    )
    if rated_leaves:
        try:
            claims = panel_claims(session.template, shown, state.today())
        except PanelError as exc:
            st.error(ui.md(str(exc)))
            claims = {}
        leaf_names = {c.id: c.name for c in rated_leaves}
        st.markdown("**The panel's ratings** (each becomes verified evidence from the buyer)")
        st.dataframe(
            pd.DataFrame(
                {
                    "Vendor": [vendor_names.get(v, v) for v, _ in claims],
                    "Criterion": [leaf_names[c] for _, c in claims],
                    "Panel": [claim.value for claim in claims.values()],
                    "Ratings": [claim.note for claim in claims.values()],
                }
            ),
            hide_index=True,
            key="panel_ratings",
        )
        if me.role == "facilitator" and claims:
            # The panel's value replaces an earlier one (or the buyer's own) for the same cell.
            rated = tuple(Override(vendor=v, criterion=c, claim=x) for (v, c), x in claims.items())
            others = tuple(o for o in session.overrides if (o.vendor, o.criterion) not in claims)
            st.button(
                "Use the panel's ratings as evidence",
                key="panel_use_ratings",
                disabled=panel.locked is not None,
                help="Each rating stays as a source of the claim; they show as overrides.",
                on_click=lambda: state.update(overrides=others + rated),
            )
    if me.role == "facilitator":
        st.button(
            "Use the group's weights in this session",
            key="panel_use_group",
            disabled=panel.locked is not None,
            help="Compare, Robustness and every export then rank by the panel's weights.",
            on_click=lambda: state.update(weights={**session.weights, **found.group}),
        )

# -- decision and sign-off ---------------------------------------------------------------------
st.subheader("Decision")
# Offered first: the group's leader once the weights are revealed, else the session's.
leader = found.group_ranking[0] if panel.revealed and shown else state.result().rows[0].vendor
if panel.decision is not None:
    d = panel.decision
    st.markdown(
        f"**{ui.md(vendor_names.get(d.vendor, d.vendor))}**, recorded by {ui.md(d.by)} on "
        f"{ui.when(d.at)} UTC."
    )
    st.text(d.rationale)
elif me.role != "facilitator":
    st.caption("The facilitator has not recorded a decision yet.")
if me.role == "facilitator" and panel.locked is None:
    with st.form("panel_decide"):
        chosen = st.selectbox(
            "Vendor chosen",
            list(vendor_names),
            index=list(vendor_names).index(leader) if leader in vendor_names else 0,
            format_func=vendor_names.get,
            key="panel_vendor",
        )
        rationale = st.text_area("Why", max_chars=5000, key="panel_rationale")
        if st.form_submit_button("Record the decision"):
            act(
                "The decision is recorded: approvers can sign it.",
                lambda: kept.decide(session_id, me, vendor=chosen, rationale=rationale),
            )
            st.rerun()
if signed:
    st.dataframe(
        pd.DataFrame(
            {
                "Revision": [s.revision for s in signed],
                "Approver": [s.name for s in signed],
                "Vendor": [vendor_names.get(s.vendor, s.vendor) for s in signed],
                "Verdict": [s.verdict for s in signed],
                "Comment": [s.comment for s in signed],
                "When (UTC)": [ui.when(s.at) for s in signed],
            }
        ),
        hide_index=True,
        key="panel_signatures",
    )
if me.role == "approver" and panel.decision is not None:
    with st.form("panel_sign"):
        comment = st.text_area("Comment (a reason, if you decline)", max_chars=1000)
        left, right = st.columns(2)
        if left.form_submit_button("Sign", type="primary"):
            act("Signed.", lambda: kept.sign(session_id, me, approve=True, comment=comment))
            st.rerun()
        if right.form_submit_button("Decline"):
            act("Declined.", lambda: kept.sign(session_id, me, approve=False, comment=comment))
            st.rerun()
if me.role == "facilitator" and panel.locked is not None:
    st.button(
        f"Start revision {panel.revision + 1}",
        key="panel_revision",
        help="What was signed stays in the history; the decision is made and signed again.",
        on_click=act,
        args=(
            f"Revision {panel.revision + 1}: the session can change again.",
            lambda: kept.new_revision(session_id, me),
        ),
    )
