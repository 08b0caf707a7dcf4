"""Small pieces the pages share: tables and charts built from a `Result`, and safe text.

Vendor and template text is never rendered as HTML: it goes through `md()` before Markdown,
and links come only from validated http(s) URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from scorecard.app import state
from scorecard.export.charts import names
from scorecard.export.ranking import md, md_url
from scorecard.loading import MAX_FILE_BYTES, LoadError
from scorecard.model import Template
from scorecard.scoring import Result, VendorResult, difference

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


#: A baseline: each vendor's rank and score when the session began, or when it was pinned.
Baseline = dict[str, tuple[int, float]]


def baseline_of(result: Result) -> Baseline:
    return {row.vendor: (row.rank, row.score) for row in result.rows}


def change_text(row: VendorResult, baseline: Baseline | None) -> str:
    """'▲2 +3.1': places gained (▲) or lost (▼) and the score's change since the baseline."""
    if not baseline or row.vendor not in baseline:
        return "new" if baseline else ""
    rank, score = baseline[row.vendor]
    places = rank - row.rank
    delta = row.score - score
    arrow = f"▲{places}" if places > 0 else f"▼{-places}" if places < 0 else "="
    return f"{arrow} {delta:+.1f}" if abs(delta) >= 0.05 or places else "="


def gates_short(row: VendorResult) -> str:
    """The must-haves in a word or two: 'pass', '2 open: ask', 'fails 1'."""
    failed = [g for g in row.gates if g.failed]
    if failed:
        return f"fails {len(failed)}"
    opened = row.open_gates
    return f"{len(opened)} open: ask" if opened else "pass"


def ranking_frame(
    result: Result,
    overridden: set[tuple[str, str]],
    baseline: Baseline | None = None,
    rows: Sequence[VendorResult] | None = None,
    questionnaires: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The ranking table (of `rows`, by default all): rank and its change since the baseline,
    vendor, score, must-haves, evidence coverage (percent), stale claims, overrides, and where
    each vendor's questionnaire stands (`questionnaires`, by vendor id)."""
    out = []
    for row in result.rows if rows is None else rows:
        out.append(
            {
                "Rank": row.rank,
                "Change": change_text(row, baseline),
                "Vendor": row.name,
                "Score": round(row.score, 1),
                "Must-haves": gates_short(row),
                "Confirmed": round(100 * row.confirmed_share),
                "Unknown": round(100 * row.coverage["unknown"]),
                "Stale": len(row.stale),
                "Overrides": sum(1 for v, _ in overridden if v == row.vendor),
                "Questionnaire": (questionnaires or {}).get(row.vendor, "not sent"),
            }
        )
    return pd.DataFrame(out)


#: Said under the ranking table: what its columns mean.
RANKING_NOTE = (
    "Change: places gained (▲) or lost (▼) and the score's change since the baseline. "
    "Must-haves: pass; open — no evidence either way, a question to ask (below); fails — the "
    "evidence says no. Confirmed: the share of the weight backed by verified or confirmed "
    "claims; Unknown: the share with no evidence. Stale: claims older than the template's limit. "
    "Questionnaire: sent to the vendor, answered, and the questions still open."
)


def bar(percent: float) -> str:
    """'▰▰▰▰▱▱▱▱▱▱ 45%': a share drawn in ten steps, then its figure."""
    filled = round(percent / 10)
    return "▰" * filled + "▱" * (10 - filled) + f" {percent:.0f}%"


def ranking_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The ranking as a static table (light to redraw on every weight change): text cells
    escaped, since a table's cells are Markdown; coverage as bars of text."""
    shown = frame.assign(
        Vendor=frame["Vendor"].map(md),
        Score=frame["Score"].map("{:.1f}".format),
        Confirmed=frame["Confirmed"].map(bar),
        Unknown=frame["Unknown"].map(bar),
    )
    unused = [] if shown["Overrides"].any() else ["Overrides"]
    if (shown["Questionnaire"] == "not sent").all():
        unused.append("Questionnaire")
    return shown.drop(columns=unused)


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
        text += (
            f"; {md(failing)} fails a must-have on the evidence, which ranks it below every "
            "vendor that does not"
        )
    return text + "."


T = TypeVar("T")


def when(at: str) -> str:
    """A stored time (ISO 8601, UTC) to the minute, as a table shows it: 2026-11-27 15:22."""
    return at[:16].replace("T", " ")


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
