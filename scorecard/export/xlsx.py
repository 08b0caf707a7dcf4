"""The comparison sheet as an Excel workbook whose scores are live formulas.

Sheets: Summary (the ranking at export, with live score and rank), Scores (live weighted-sum
formulas), Weights (the relative weights an approver may change, and the shares they give),
Utilities (each vendor's utility per criterion after the evidence policies), Evidence (every
claim with its sources as links). Change a weight on the Weights sheet and Excel or LibreOffice
recomputes every score and rank exactly as Scorecard would.

Text from the data is always written as text (never a formula); only the formulas written here
are formulas.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from scorecard.evidence import claim_checked, claim_date, describe_value
from scorecard.model import CONFIDENCE_LEVELS, Claim, Source
from scorecard.scoring import (
    METHOD_NAMES,
    condition_text,
    global_weights,
    rank,
    resolve_weights,
    situation,
)
from scorecard.session import Comparison

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
TOP = "(top)"  # the parent of a top-level criterion on the Weights sheet


def to_xlsx(comparison: Comparison) -> bytes:
    """The workbook's bytes."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(
        buffer, engine="xlsxwriter", engine_kwargs={"options": WORKBOOK_OPTIONS}
    ) as writer:
        _Book(writer.book, comparison).write()
    return buffer.getvalue()


class _Book:
    def __init__(self, book: Any, comparison: Comparison) -> None:
        self.book, self.c = book, comparison
        self.template, self.result = comparison.template, comparison.result
        self.leaves = [leaf.id for leaf in self.template.leaves()]
        self.nodes = list(self.template.nodes())
        self.rows = self.result.rows
        # Every formula is written with the value Scorecard computed, so a reader that does not
        # recalculate on opening (LibreOffice's default for xlsx) still shows the right numbers.
        self.shares = global_weights(
            self.template, resolve_weights(self.template, comparison.options)
        )
        self.wsm = {row.vendor: sum(row.contributions.values()) for row in self.rows}
        ranks = rank(
            np.array(list(self.wsm.values())), np.array([r.passed_gates for r in self.rows])
        )
        self.wsm_rank = {row.vendor: int(k) for row, k in zip(self.rows, ranks, strict=True)}
        fmt = book.add_format
        self.bold = fmt({"bold": True})
        self.head = fmt(
            {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.input = fmt({"bg_color": "#FFF2CC", "border": 1, "num_format": "0.00"})
        self.pct = fmt({"num_format": "0.0%"})
        self.score = fmt({"num_format": "0.0"})
        self.util = fmt({"num_format": "0.000"})
        self.wrap = fmt({"text_wrap": True, "valign": "top"})
        self.link = fmt({"font_color": "blue", "underline": 1, "text_wrap": True, "valign": "top"})
        self.note = fmt({"italic": True, "font_color": "#555555", "text_wrap": True})

    def write(self) -> None:
        summary = self.book.add_worksheet("Summary")
        scores = self.book.add_worksheet("Scores")
        weights = self.book.add_worksheet("Weights")
        utilities = self.book.add_worksheet("Utilities")
        evidence = self.book.add_worksheet("Evidence")
        self._weights(weights)
        self._utilities(utilities)
        self._scores(scores)
        self._summary(summary)
        self._evidence(evidence)

    # -- helpers ---------------------------------------------------------------------------

    def _text(self, sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
        sheet.write_string(row, col, "" if value is None else str(value), fmt)

    def _header(self, sheet: Any, row: int, labels: list[str], widths: list[int]) -> None:
        for col, (label, width) in enumerate(zip(labels, widths, strict=True)):
            sheet.write_string(row, col, label, self.head)
            sheet.set_column(col, col, width)
        sheet.freeze_panes(row + 1, 0)

    # -- sheets ----------------------------------------------------------------------------

    def _weights(self, sheet: Any) -> None:
        relative = resolve_weights(self.template, self.c.options)
        parents = {child.id: node.id for node in self.nodes for child in node.criteria}
        self._header(
            sheet,
            0,
            ["id", "criterion", "parent", "relative weight (edit me)", "share of the total"],
            [22, 44, 22, 18, 16],
        )
        last = len(self.nodes)
        self.weight_row: dict[str, int] = {}
        for r, node in enumerate(self.nodes, start=1):
            self.weight_row[node.id] = r
            depth = 0
            up = node.id
            while up in parents:
                depth, up = depth + 1, parents[up]
            self._text(sheet, r, 0, node.id)
            self._text(sheet, r, 1, "    " * depth + node.name)
            self._text(sheet, r, 2, parents.get(node.id, TOP))
            sheet.write_number(r, 3, relative[node.id], self.input)
            siblings = f"SUMIF($C$2:$C${last + 1},C{r + 1},$D$2:$D${last + 1})"
            share = f"IF({siblings}=0,0,D{r + 1}/{siblings})"
            if node.id in parents:
                parent = self.weight_row[parents[node.id]]
                share = f"{share}*E{parent + 1}"
            sheet.write_formula(r, 4, f"={share}", self.pct, self.shares[node.id])
        sheet.write_string(
            last + 2,
            0,
            "Weights are relative among siblings (same parent). The "
            "shares multiply down the tree; Scores recompute from them.",
            self.note,
        )

    def _utilities(self, sheet: Any) -> None:
        names = {c.id: c.name for c in self.nodes}
        self._header(
            sheet,
            0,
            ["vendor", *(names[leaf] for leaf in self.leaves)],
            [28, *([14] * len(self.leaves))],
        )
        sheet.write_string(1, 0, "criterion id", self.bold)
        sheet.write_string(2, 0, "share of the total (from Weights)", self.bold)
        for j, leaf in enumerate(self.leaves, start=1):
            self._text(sheet, 1, j, leaf)
            sheet.write_formula(
                2, j, f"=Weights!E{self.weight_row[leaf] + 1}", self.pct, self.shares[leaf]
            )
        for i, row in enumerate(self.rows, start=3):
            self._text(sheet, i, 0, row.name)
            for j, leaf in enumerate(self.leaves, start=1):
                value = row.utilities[leaf]
                if value is not None:  # blank: no evidence, excluded by the policy
                    sheet.write_number(i, j, value, self.util)
        sheet.freeze_panes(3, 1)
        end = len(self.rows) + 3
        sheet.conditional_format(
            3,
            1,
            end,
            len(self.leaves),
            {"type": "2_color_scale", "min_color": "#F8F8F8", "max_color": "#5B9BD5"},
        )
        self.util_cols = (xl_col_to_name(1), xl_col_to_name(len(self.leaves)))

    def _span(self, row: int, first: int = 1, last: int | None = None) -> str:
        last = len(self.leaves) if last is None else last
        return f"Utilities!${xl_col_to_name(first)}${row}:${xl_col_to_name(last)}${row}"

    def _weighted(self, util_row: int, first: int = 1, last: int | None = None) -> str:
        """100 × Σ w·u over columns first..last, normalised as the engine does."""
        w, u = self._span(3, first, last), self._span(util_row, first, last)
        if self.result.missing == "exclude":
            den = f"SUMPRODUCT({self._span(3)},--ISNUMBER({self._span(util_row)}))"
        else:
            den = f"SUM({self._span(3)})"
        return f"IF({den}=0,0,100*SUMPRODUCT({w},{u})/{den})"

    def _scores(self, sheet: Any) -> None:
        tops = self.template.criteria
        labels = [
            "vendor id",
            "vendor",
            "passes gates (1/0)",
            "score (weighted sum)",
            "rank",
            *(f"points: {t.name}" for t in tops),
        ]
        self._header(sheet, 0, labels, [20, 30, 12, 14, 8, *([14] * len(tops))])
        n = len(self.rows)
        keys = f"$C$2:$C${n + 1}*1000000+ROUND($D$2:$D${n + 1},9)"
        for i, row in enumerate(self.rows, start=1):
            util_row = i + 3  # Utilities rows start at spreadsheet row 4
            self._text(sheet, i, 0, row.vendor)
            self._text(sheet, i, 1, row.name)
            sheet.write_number(i, 2, 1 if row.passed_gates else 0)
            sheet.write_formula(
                i, 3, f"={self._weighted(util_row)}", self.score, self.wsm[row.vendor]
            )
            sheet.write_formula(
                i,
                4,
                f"=1+SUMPRODUCT(--({keys}>C{i + 1}*1000000+ROUND(D{i + 1},9)))",
                None,
                self.wsm_rank[row.vendor],
            )
            col = 1
            for k, top in enumerate(tops):
                width = sum(1 for n_ in top.walk() if n_.measure is not None)
                sheet.write_formula(
                    i,
                    5 + k,
                    f"={self._weighted(util_row, col, col + width - 1)}",
                    self.score,
                    row.contributions[top.id],
                )
                col += width
        sheet.conditional_format(1, 3, n, 3, {"type": "3_color_scale"})
        note = (
            "Scores are live: change a relative weight on the Weights sheet and every score "
            "and rank recomputes. A vendor that fails a gate ranks below every vendor that "
            "passes."
        )
        sheet.write_string(n + 2, 0, note, self.note)
        if self.result.method != "wsm":
            sheet.write_string(
                n + 3,
                0,
                f"The ranking at export used {METHOD_NAMES[self.result.method]}; "
                "these live formulas are the weighted sum.",
                self.note,
            )

    def _summary(self, sheet: Any) -> None:
        r = self.result
        sheet.set_column(0, 0, 30)
        sheet.write_string(0, 0, "Scorecard comparison", self.bold)
        facts = [
            ("Template", f"{self.template.name} ({r.template_id} v{r.template_version})"),
            ("Method at export", METHOD_NAMES[r.method]),
            ("Stakeholder profile", r.profile or "template weights"),
            ("Missing data", r.missing),
            (
                "Confidence discount",
                "on: " + ", ".join(f"{k} {v:g}" for k, v in r.confidence_factors.items())
                if r.confidence
                else "off",
            ),
            ("Buyer overrides", str(len(self.c.overrides))),
        ]
        for i, (label, value) in enumerate(facts, start=2):
            sheet.write_string(i, 0, label, self.bold)
            self._text(sheet, i, 1, value)
        top = len(facts) + 3
        labels = [
            "rank at export",
            "vendor",
            "score at export",
            "live score",
            "live rank",
            "gates",
            *(f"evidence: {lv}" for lv in CONFIDENCE_LEVELS),
        ]
        self._header(sheet, top, labels, [30, 34, 12, 12, 10, 60, *([11] * 5)])
        for i, row in enumerate(self.rows, start=top + 1):
            failed = [g for g in row.gates if g.enabled and g.outcome != "pass"]
            gates = (
                "pass"
                if not failed
                else "; ".join(f"{g.name}: {g.detail or g.outcome}" for g in failed)
            )
            sheet.write_number(i, 0, row.rank)
            self._text(sheet, i, 1, row.name)
            sheet.write_number(i, 2, row.score, self.score)
            scores_row = i - top + 1
            sheet.write_formula(
                i,
                3,
                f"=Scores!{xl_rowcol_to_cell(scores_row, 3)}",
                self.score,
                self.wsm[row.vendor],
            )
            sheet.write_formula(
                i, 4, f"=Scores!{xl_rowcol_to_cell(scores_row, 4)}", None, self.wsm_rank[row.vendor]
            )
            self._text(sheet, i, 5, gates, self.wrap)
            for k, lv in enumerate(CONFIDENCE_LEVELS):
                sheet.write_number(i, 6 + k, row.coverage[lv], self.pct)
        end = top + len(self.rows)
        sheet.conditional_format(top + 1, 2, end, 3, {"type": "3_color_scale"})
        sheet.write_string(
            end + 2,
            0,
            "Live columns follow the Weights sheet; the others are the ranking as exported.",
            self.note,
        )

    def _evidence(self, sheet: Any) -> None:
        labels = [
            "vendor",
            "criterion",
            "value",
            "confidence",
            "as of",
            "override",
            "note",
            "derivation",
            "source",
            "publisher",
            "kind",
            "source date",
            "quote",
            "link",
        ]
        self._header(sheet, 0, labels, [24, 30, 18, 11, 11, 9, 60, 40, 40, 22, 11, 12, 40, 40])
        overridden = {(o.vendor, o.criterion) for o in self.c.overrides}
        names = {leaf.id: leaf for leaf in self.template.leaves()}
        holds = situation(self.template, self.c.options.conditions)
        r = 1
        for vendor in sorted(self.c.vendors, key=lambda v: self.result.row(v.id).rank):
            for leaf_id in self.leaves:
                claim = vendor.claims.get(leaf_id)
                leaf = names[leaf_id]
                sources = list(claim.sources) if claim else []
                value = describe_value(claim, leaf.measure)
                if claim and claim.condition:
                    value += f" ({condition_text(self.template, claim, holds)})"
                for source in sources or [None]:
                    cells = [
                        vendor.name,
                        leaf.name,
                        value,
                        claim.confidence if claim else "unknown",
                        _dates(claim) if claim else "",
                        "yes" if (vendor.id, leaf_id) in overridden else "",
                        claim.note.strip() if claim else "",
                        claim.derivation.strip() if claim else "",
                        source.title if source else "",
                        source.publisher if source else "",
                        source.kind if source else "",
                        (source.date or f"read {source.accessed}") if source else "",
                        _quote(source) if source else "",
                    ]
                    for col, value in enumerate(cells):
                        self._text(sheet, r, col, value, self.wrap)
                    if source and source.link:
                        sheet.write_url(r, 13, source.link, self.link, string=source.link[:250])
                    elif source and source.url_note:
                        self._text(sheet, r, 13, f"no address: {source.url_note}", self.wrap)
                    r += 1
        sheet.autofilter(0, 0, r - 1, len(labels) - 1)


def _quote(source: Source) -> str:
    """The words a value rests on, with where they are, and whether a copy was read."""
    text = f"“{source.quote}”" if source.quote else ""
    if source.locator:
        text = f"{source.locator}: {text}" if text else source.locator
    if source.via:
        text += " (read on a copy; the document itself was not read)"
    return text.strip()


def _dates(claim: Claim) -> str:
    """When the claim was true, and when it was last checked if later."""
    date, checked = claim_date(claim) or "", claim_checked(claim)
    return f"{date}, checked {checked}".lstrip(", ") if checked and checked != date else date
