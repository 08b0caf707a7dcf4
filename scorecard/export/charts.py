"""Charts of a result as Vega-Lite (Altair): shown live in the app, and embedded as inline SVG
in the HTML report."""

from __future__ import annotations

import functools
from typing import Any

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


# A chart is a Vega-Lite spec that depends only on the template (built once, through Altair,
# and kept), and a table of the result's numbers that changes with every weight. Building and
# validating an Altair chart costs more than scoring, so a rerun only makes the table.


#: Distinct colours for up to 20 series (Tableau 20 reordered: the ten strong hues first, then
#: their light partners), so no two neighbours in a legend look alike.
PALETTE = [
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2",
    "#b279a2", "#eeca3b", "#9d755d", "#ff9da6", "#bab0ac",
    "#9ecae9", "#ffbf79", "#88d27a", "#ff9d98", "#83bcb6",
    "#d6a5c9", "#f2cf5b", "#d8b5a5", "#fcbfd2", "#79706e",
]  # fmt: skip
#: Names are never cut: an axis or legend label gets the room it needs.
LABELS = {"axis": {"labelLimit": 0}, "legend": {"labelLimit": 0}}


@functools.cache
def _contributions_spec(criteria: tuple[str, ...]) -> dict[str, Any]:
    return _without_data(
        alt.Chart(title="Points by criterion (weighted sum)")
        .mark_bar()
        .encode(
            x=alt.X("sum(Points):Q", title="Points"),
            y=alt.Y("Vendor:N", sort=alt.EncodingSortField("Rank", op="min"), title=None),
            color=alt.Color(
                "Criterion:N",
                sort=list(criteria),
                scale=alt.Scale(domain=list(criteria), range=PALETTE[: len(criteria)]),
            ),
            order=alt.Order("Order:Q"),
            tooltip=["Vendor:N", "Criterion:N", alt.Tooltip("Points:Q", format=".1f")],
        )
        .configure(**LABELS)
    )


def _without_data(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The spec alone: Altair puts a placeholder dataset in a chart (and in each layer) that has
    none."""
    spec = {k: v for k, v in chart.to_dict().items() if k not in ("data", "datasets")}
    if "layer" in spec:
        spec["layer"] = [{k: v for k, v in layer.items() if k != "data"} for layer in spec["layer"]]
    return spec


def contributions_chart(template: Template) -> dict[str, Any]:
    """Each vendor's weighted-sum points, stacked by top-level criterion, in rank order."""
    return _contributions_spec(tuple(c.name for c in template.criteria))


def contributions_data(result: Result, template: Template) -> pd.DataFrame:
    label = names(template)
    return pd.DataFrame(
        [
            {"Vendor": row.name, "Rank": i, "Criterion": label[c], "Order": k, "Points": points}
            for i, row in enumerate(result.rows)
            for k, (c, points) in enumerate(row.contributions.items())
        ]
    )


@functools.cache
def _utilities_spec(leaves: tuple[str, ...]) -> dict[str, Any]:
    # Criteria down the side, where their names read across in full; vendors along the top, in
    # rank order.
    base = alt.Chart().encode(
        y=alt.Y("Criterion:N", sort=list(leaves), title=None),
        x=alt.X(
            "Vendor:N",
            sort=alt.EncodingSortField("Rank", op="min"),
            title=None,
            axis=alt.Axis(orient="top", labelAngle=-40, labelOverlap=False),
        ),
        tooltip=[
            "Vendor:N",
            "Criterion:N",
            "Evidence:N",
            alt.Tooltip("Utility:Q", format=".2f"),
        ],
    )
    known = (
        base.mark_rect()
        .encode(
            color=alt.Color(
                "Utility:Q", scale=alt.Scale(domain=[0, 1], scheme="blues"), title="Utility"
            )
        )
        .transform_filter("datum.Evidence == 'known'")
    )
    unknown = (
        base.mark_rect(color="#e8e8e8")
        .encode(
            opacity=alt.Opacity(
                "Evidence:N",
                scale=alt.Scale(domain=["no evidence"], range=[1]),
                legend=alt.Legend(title=None, symbolType="square", symbolFillColor="#e8e8e8"),
            )
        )
        .transform_filter("datum.Evidence == 'no evidence'")
    )
    marks = base.mark_text(text="?", color="#555555", fontSize=11).transform_filter(
        "datum.Evidence == 'no evidence'"
    )
    return _without_data(
        alt.layer(
            known,
            unknown,
            marks,
            title="Utility by criterion (0 = worst, 1 = best; ? = no evidence, scored by the "
            "missing-data policy)",
        ).configure(**LABELS)
    )


def utilities_heatmap(template: Template) -> dict[str, Any]:
    """Utilities (after the confidence and missing-data policies) of every vendor and leaf."""
    return _utilities_spec(tuple(leaf.name for leaf in template.leaves()))


def utilities_data(result: Result, template: Template) -> pd.DataFrame:
    label = names(template)
    leaves = [leaf.id for leaf in template.leaves()]
    return pd.DataFrame(
        [
            {
                "Vendor": row.name,
                "Rank": i,
                "Criterion": label[leaf],
                "Utility": row.utilities.get(leaf),
                "Evidence": "no evidence" if leaf in row.unknown else "known",
            }
            for i, row in enumerate(result.rows)
            for leaf in leaves
        ]
    )


def with_data(spec: dict[str, Any], data: pd.DataFrame) -> dict[str, Any]:
    """A spec with its table inline, for a renderer outside the app (vl-convert). vl-convert
    lays out text with its own font metrics and the reader's browser draws it in another font,
    often wider: the chart keeps a margin, so no label is clipped."""
    return {
        **spec,
        "data": {"values": data.to_dict(orient="records")},
        "padding": {"left": 60, "right": 60, "top": 5, "bottom": 5},
    }


#: Vendors drawn in colour on a line chart; the others are grey, in one legend entry.
COLOURED = 6
OTHERS = "Other vendors"
PASSES, FAILS = "passes or open", "fails on the evidence"


@functools.cache
def _sensitivity_spec(coloured: tuple[str, ...], criterion: str) -> dict[str, Any]:
    colours = [*coloured, OTHERS]
    lines = (
        alt.Chart()
        .mark_line()
        .encode(
            x=alt.X("Share:Q", axis=alt.Axis(format="%"), title=f"Share of {criterion}"),
            y=alt.Y("Score:Q", title="Weighted-sum score"),
            color=alt.Color(
                "Shown:N",
                scale=alt.Scale(domain=colours, range=[*PALETTE[: len(coloured)], "#c0c0c0"]),
                title="Vendor",
            ),
            strokeDash=alt.StrokeDash(
                "Must-haves:N",
                scale=alt.Scale(domain=[PASSES, FAILS], range=[[1, 0], [5, 4]]),
                title="Must-haves",
            ),
            detail="Vendor:N",
            tooltip=["Vendor:N", "Must-haves:N", alt.Tooltip("Score:Q", format=".1f")],
        )
    )
    now = alt.Chart().mark_rule(strokeDash=[2, 2], color="#333333").encode(x="Now:Q")
    return _without_data(alt.layer(lines, now).configure(**LABELS))


def sensitivity_chart(result: Result, criterion: str) -> dict[str, Any]:
    """Every vendor's weighted-sum score as one criterion's share runs from 0 to 100%: the
    leading vendors in distinct colours, the rest grey; a vendor the evidence fails on a
    must-have dashed (it cannot win whatever its score); a rule at the share chosen now."""
    return _sensitivity_spec(tuple(r.name for r in result.rows[:COLOURED]), criterion)


def sensitivity_data(result: Result, curve: Any) -> pd.DataFrame:
    coloured = {r.vendor for r in result.rows[:COLOURED]}
    rows = []
    for row in result.rows:
        for share, value in zip(curve.shares, curve.scores[row.vendor], strict=True):
            rows.append(
                {
                    "Vendor": row.name,
                    "Shown": row.name if row.vendor in coloured else OTHERS,
                    "Must-haves": PASSES if row.passed_gates else FAILS,
                    "Share": share,
                    "Score": value,
                    "Now": curve.current,
                }
            )
    return pd.DataFrame(rows)
