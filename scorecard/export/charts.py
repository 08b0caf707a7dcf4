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


@functools.cache
def _contributions_spec(criteria: tuple[str, ...]) -> dict[str, Any]:
    return _without_data(
        alt.Chart(title="Points by criterion (weighted sum)")
        .mark_bar()
        .encode(
            x=alt.X("sum(Points):Q", title="Points"),
            y=alt.Y("Vendor:N", sort=alt.EncodingSortField("Rank", op="min"), title=None),
            color=alt.Color("Criterion:N", sort=list(criteria)),
            tooltip=["Vendor:N", "Criterion:N", alt.Tooltip("Points:Q", format=".1f")],
        )
    )


def _without_data(chart: alt.Chart) -> dict[str, Any]:
    """The spec alone: Altair puts a placeholder dataset in a chart that has none."""
    return {k: v for k, v in chart.to_dict().items() if k not in ("data", "datasets")}


def contributions_chart(template: Template) -> dict[str, Any]:
    """Each vendor's weighted-sum points, stacked by top-level criterion, in rank order."""
    return _contributions_spec(tuple(c.name for c in template.criteria))


def contributions_data(result: Result, template: Template) -> pd.DataFrame:
    label = names(template)
    return pd.DataFrame(
        [
            {"Vendor": row.name, "Rank": i, "Criterion": label[c], "Points": points}
            for i, row in enumerate(result.rows)
            for c, points in row.contributions.items()
        ]
    )


@functools.cache
def _utilities_spec(leaves: tuple[str, ...]) -> dict[str, Any]:
    return _without_data(
        alt.Chart(title="Utility by criterion (0 = worst, 1 = best; grey = excluded)")
        .mark_rect()
        .encode(
            x=alt.X("Criterion:N", sort=list(leaves), title=None),
            y=alt.Y("Vendor:N", sort=alt.EncodingSortField("Rank", op="min"), title=None),
            color=alt.Color("Utility:Q", scale=alt.Scale(domain=[0, 1], scheme="blues")),
            tooltip=["Vendor:N", "Criterion:N", alt.Tooltip("Utility:Q", format=".2f")],
        )
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
            }
            for i, row in enumerate(result.rows)
            for leaf in leaves
        ]
    )


def with_data(spec: dict[str, Any], data: pd.DataFrame) -> dict[str, Any]:
    """A spec with its table inline, for a renderer outside the app (vl-convert). vl-convert
    lays out text with its own font metrics and the reader's browser draws it in another font,
    often wider: labels are cut at 150 px and the chart keeps a margin, so nothing is clipped."""
    config = spec.get("config", {})
    return {
        **spec,
        "data": {"values": data.to_dict(orient="records")},
        "padding": {"left": 40, "right": 40, "top": 5, "bottom": 5},
        "config": {
            **config,
            "axis": {**config.get("axis", {}), "labelLimit": 150},
            "legend": {**config.get("legend", {}), "labelLimit": 150},
        },
    }
