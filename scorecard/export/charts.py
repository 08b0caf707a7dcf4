"""Charts of a result as Vega-Lite (Altair): shown live in the app, and embedded as inline SVG
in the HTML report."""

from __future__ import annotations

import altair as alt
import pandas as pd

from scorecard.model import Template
from scorecard.scoring import Result


#: Beyond these a chart is unreadable, and slow to draw or to convert: the data stays in the
#: tables, the chart is left out with a note.
MAX_CHART_VENDORS = 100
MAX_HEATMAP_CELLS = 5_000


def chart_note(result: Result, cells: int = 0) -> str:
    """Why a chart is left out ('' when it is drawn): too many vendors, or (for the heat map)
    too many vendor x criterion cells."""
    if len(result.rows) > MAX_CHART_VENDORS:
        return (
            f"Chart left out: {len(result.rows):,} vendors are more than a chart can show "
            f"({MAX_CHART_VENDORS}); the tables hold every figure."
        )
    if cells > MAX_HEATMAP_CELLS:
        return (
            f"Chart left out: {cells:,} vendor × criterion cells are more than a chart can show "
            f"({MAX_HEATMAP_CELLS:,}); the tables hold every figure."
        )
    return ""


def names(template: Template) -> dict[str, str]:
    return {c.id: c.name for c in template.nodes()}


def contributions_chart(result: Result, template: Template) -> alt.Chart:
    """Each vendor's weighted-sum points, stacked by top-level criterion, in rank order."""
    label = names(template)
    data = pd.DataFrame(
        [
            {"Vendor": row.name, "Criterion": label[c], "Points": points}
            for row in result.rows
            for c, points in row.contributions.items()
        ]
    )
    order = [row.name for row in result.rows]
    return (
        alt.Chart(data, title="Points by criterion (weighted sum)")
        .mark_bar()
        .encode(
            x=alt.X("sum(Points):Q", title="Points"),
            y=alt.Y("Vendor:N", sort=order, title=None),
            color=alt.Color("Criterion:N", sort=[label[c.id] for c in template.criteria]),
            tooltip=["Vendor", "Criterion", alt.Tooltip("Points:Q", format=".1f")],
        )
    )


def utilities_heatmap(result: Result, template: Template) -> alt.Chart:
    """Utilities (after the confidence and missing-data policies) of every vendor and leaf."""
    label = names(template)
    leaves = [leaf.id for leaf in template.leaves()]
    data = pd.DataFrame(
        [
            {"Vendor": row.name, "Criterion": label[leaf], "Utility": row.utilities.get(leaf)}
            for row in result.rows
            for leaf in leaves
        ]
    )
    return (
        alt.Chart(data, title="Utility by criterion (0 = worst, 1 = best; grey = excluded)")
        .mark_rect()
        .encode(
            x=alt.X("Criterion:N", sort=[label[leaf] for leaf in leaves], title=None),
            y=alt.Y("Vendor:N", sort=[row.name for row in result.rows], title=None),
            color=alt.Color("Utility:Q", scale=alt.Scale(domain=[0, 1], scheme="blues")),
            tooltip=["Vendor", "Criterion", alt.Tooltip("Utility:Q", format=".2f")],
        )
    )
