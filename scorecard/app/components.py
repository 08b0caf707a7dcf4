"""Small pieces the pages share: tables and charts built from a `Result`, and safe text.

Vendor and template text is never rendered as HTML: it goes through `md()` before Markdown,
and links come only from validated http(s) URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from scorecard.app import state
from scorecard.export.charts import names
from scorecard.export.ranking import md, md_url
from scorecard.loading import MAX_FILE_BYTES, LoadError
from scorecard.model import Template
from scorecard.scoring import Result, difference

BADGE_COLORS = {
    "verified": "green",
    "confirmed": "blue",
    "reported": "orange",
    "claimed": "violet",
    "unknown": "gray",
}


def source_link_url(url: str) -> str:
    """A bare http(s) URL (validated by the model) as a Markdown link."""
    return f"[{md(url)}]({md_url(url)})"


def confidence_badge(level: str) -> None:
    st.badge(level, color=BADGE_COLORS[level])  # type: ignore[arg-type]


def table_height(rows: int) -> int:
    """Pixels for a st.dataframe that shows every row without scrolling."""
    return 38 + 35 * rows


def ranking_frame(result: Result, overridden: set[tuple[str, str]]) -> pd.DataFrame:
    """The ranking table: rank, vendor, score, gates (and why), evidence coverage, overrides."""
    rows = []
    for row in result.rows:
        failed = [g for g in row.gates if g.enabled and g.outcome != "pass"]
        gates = (
            "pass"
            if not failed
            else "; ".join(f"{g.name}: {g.detail or g.outcome}" for g in failed)
        )
        rows.append(
            {
                "Rank": row.rank,
                "Vendor": row.name,
                "Score": round(row.score, 1),
                "Gates": gates,
                "Confirmed evidence": row.confirmed_share,
                "Reported or claimed": row.coverage["reported"] + row.coverage["claimed"],
                "Unknown": row.coverage["unknown"],
                "Overrides": sum(1 for v, _ in overridden if v == row.vendor),
            }
        )
    return pd.DataFrame(rows)


RANKING_COLUMNS = {
    "Score": st.column_config.NumberColumn(format="%.1f", help="0–100 under the chosen method"),
    "Confirmed evidence": st.column_config.ProgressColumn(
        format="percent",
        min_value=0,
        max_value=1,
        help="Share of the weight backed by verified or confirmed claims",
    ),
    "Reported or claimed": st.column_config.ProgressColumn(
        format="percent", min_value=0, max_value=1
    ),
    "Unknown": st.column_config.ProgressColumn(
        format="percent", min_value=0, max_value=1, help="Share of the weight with no evidence"
    ),
    "Overrides": st.column_config.NumberColumn(help="Claims replaced or added by the buyer"),
}


def difference_frame(result: Result, template: Template, first: str, second: str) -> pd.DataFrame:
    label = names(template)
    a, b = result.row(first).name, result.row(second).name
    return pd.DataFrame(
        [
            {
                "Criterion": label[d.criterion],
                a: round(d.first, 2),
                b: round(d.second, 2),
                "Margin": round(d.margin, 2),
            }
            for d in difference(result, first, second)
            if abs(d.margin) >= 0.005
        ]
    )


def why_summary(result: Result, first: str, second: str) -> str:
    """One sentence: by how many weighted-sum points one vendor leads the other, and gates."""
    a, b = result.row(first), result.row(second)
    margin = sum(d.margin for d in difference(result, first, second))
    verb = "leads" if margin >= 0 else "trails"
    text = f"{md(a.name)} {verb} {md(b.name)} by {abs(margin):.1f} weighted-sum points"
    if a.passed_gates != b.passed_gates:
        failing = b.name if a.passed_gates else a.name
        text += f"; {md(failing)} fails a gate, which ranks it below every vendor that passes"
    return text + "."


T = TypeVar("T")


def stop_unless_scorable() -> None:
    """On a page that needs a ranking: say why there is none (every weight is 0), and stop."""
    problem = state.scoring_problem()
    if problem:
        st.error(f"Nothing can be scored: {md(problem)}. Set the weights on the Compare page.")
        st.stop()


def read_upload(upload: Any, load: Callable[[str, bytes], T]) -> T | None:
    """Check an uploaded file on the server (size, then content through `load`); show every
    located problem, never a traceback. Returns what `load` made, or None."""
    data = upload.getvalue()
    if len(data) > MAX_FILE_BYTES:
        st.error(f"{md(upload.name)} is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}.")
        return None
    try:
        return load(upload.name, data)
    except LoadError as exc:
        st.error(f"{md(upload.name)} was not loaded: {len(exc.report.problems)} problem(s).")
        st.code("\n".join(str(p) for p in exc.report.problems), language=None)
        return None
