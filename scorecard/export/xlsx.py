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
from urllib.parse import urlsplit

import numpy as np
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from scorecard.evidence import claim_checked, claim_date, describe_value
from scorecard.export.profile import source_head
from scorecard.model import Claim, Source
from scorecard.scoring import (
    METHOD_DESCRIPTIONS,
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
    with xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS) as book:
        _Book(book, comparison).write()
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
        pairs = zip(self.rows, ranks, strict=True)  # pragma: no mutate (strict)
        self.wsm_rank = {row.vendor: int(k) for row, k in pairs}
        # Presentation, not logic: the print tests and a look at the sheet check it, so mutation
        # testing leaves it alone.
        # pragma: no mutate start
        fmt = book.add_format
        self.bold = fmt({"bold": True})
        self.head = fmt(
            {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.input = fmt({"bg_color": "#FFF2CC", "border": 1, "num_format": "0.00"})
        self.pct = fmt({"num_format": "0.0%", "valign": "top"})
        self.score = fmt({"num_format": "0.0", "valign": "top"})
        self.top = fmt({"valign": "top"})
        self.util = fmt({"num_format": "0.000"})
        self.wrap = fmt({"text_wrap": True, "valign": "top"})
        self.link = fmt({"font_color": "blue", "underline": 1, "text_wrap": True, "valign": "top"})
        self.note = fmt({"italic": True, "font_color": "#555555"})
        self.title = fmt({"bold": True, "font_size": 14})
        self.lead = fmt({"bold": True, "font_size": 12, "text_wrap": True, "valign": "top"})
        # pragma: no mutate end

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
        # Print setup: presentation, checked by the print tests.
        for sheet in (summary, scores, weights, utilities, evidence):  # pragma: no mutate block
            sheet.set_landscape()
            sheet.set_paper(9)  # A4
            sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
            sheet.set_footer("&L&A&RPage &P of &N")
            if sheet is not summary:
                sheet.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
                sheet.repeat_rows(0)  # the header row on every page

    # -- helpers ---------------------------------------------------------------------------

    def _text(self, sheet: Any, row: int, col: int, value: str, fmt: Any = None) -> None:
        sheet.write_string(row, col, value, fmt)  # text, whatever it looks like

    def _header(self, sheet: Any, row: int, labels: list[str], widths: list[int]) -> None:
        columns = list(zip(labels, widths, strict=True))  # pragma: no mutate (strict)
        for col, (label, width) in enumerate(columns):
            sheet.write_string(row, col, label, self.head)
            sheet.set_column(col, col, width)
        sheet.set_row(row, max(row_height(label, width) for label, width in columns))
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
            "and rank recomputes. A vendor the evidence fails on a must-have ranks below every "
            "vendor it does not fail (a must-have with no evidence either way is open: it does "
            "not count against the vendor unless the policy says so)."
        )
        sheet.write_string(n + 2, 0, note, self.note)
        if self.result.method != "wsm":
            sheet.write_string(
                n + 3,
                0,
                f"The ranking at export used {METHOD_DESCRIPTIONS[self.result.method]}; "
                "these live formulas are the weighted sum.",
                self.note,
            )

    def _summary(self, sheet: Any) -> None:
        """Page 1 for the people who sign: the recommendation, the certainty, the ranking with
        its must-haves and evidence, the open questions that matter most, the choices made."""
        summary = self.c.summary
        widths = [7, 36, 10, 46, 11, 11, 10, 9]
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        last = len(widths) - 1
        total = sum(widths)
        sheet.write_string(0, 0, f"Vendor comparison: {self.template.name}", self.title)
        sheet.set_row(0, 24)
        r = 2
        for text, fmt in ((summary.recommendation, self.lead), (summary.certainty, self.wrap)):
            sheet.merge_range(r, 0, r, last, text, fmt)
            sheet.set_row(r, row_height(text, total, 12 if fmt is self.lead else 11))
            r += 1
        r += 1
        labels = [
            "rank at export",
            "vendor",
            "score at export",
            "must-haves",
            "confirmed evidence",
            "unknown",
            "live score",
            "live rank",
        ]
        top = r
        for col, label in enumerate(labels):
            sheet.write_string(r, col, label, self.head)
        sheet.set_row(r, 30)
        for i, row in enumerate(self.rows, start=r + 1):
            sheet.write_number(i, 0, row.rank, self.top)
            self._text(sheet, i, 1, row.name, self.wrap)
            sheet.write_number(i, 2, row.score, self.score)
            self._text(sheet, i, 3, row.gates_text, self.wrap)
            sheet.write_number(i, 4, row.confirmed_share, self.pct)
            sheet.write_number(i, 5, row.coverage["unknown"], self.pct)
            scores_row = i - top
            sheet.write_formula(
                i,
                6,
                f"=Scores!{xl_rowcol_to_cell(scores_row, 3)}",
                self.score,
                self.wsm[row.vendor],
            )
            sheet.write_formula(
                i,
                7,
                f"=Scores!{xl_rowcol_to_cell(scores_row, 4)}",
                self.top,
                self.wsm_rank[row.vendor],
            )
            sheet.set_row(
                i, max(row_height(row.name, widths[1]), row_height(row.gates_text, widths[3]))
            )
        r = top + len(self.rows) + 2
        if summary.questions:
            sheet.write_string(r, 0, "Open questions that matter most", self.bold)
            r += 1
            for question in summary.questions:
                sheet.merge_range(r, 0, r, last, f"• {question}", self.wrap)
                sheet.set_row(r, row_height(question, total))
                r += 1
            r += 1
        sheet.write_string(r, 0, "Choices made", self.bold)
        r += 1
        for label, value in summary.choices:
            sheet.merge_range(r, 0, r, 1, label, self.wrap)
            sheet.merge_range(r, 2, r, last, value, self.wrap)
            sheet.set_row(r, row_height(value, total - widths[0] - widths[1]))
            r += 1
        sheet.write_string(
            r + 1,
            0,
            "Live columns follow the Weights sheet (the weighted sum); the others are the "
            "ranking as exported. Buyer overrides: " + str(len(self.c.overrides)) + ".",
            self.note,
        )
        sheet.fit_to_pages(1, 1)  # the summary is page 1, whole  # pragma: no mutate

    def _evidence(self, sheet: Any) -> None:
        labels = [
            "vendor",
            "criterion",
            "value",
            "confidence",
            "dates",
            "note",
            "source",
            "quote",
            "link",
        ]
        widths = [18, 24, 18, 12, 14, 44, 38, 36, 34]
        self._header(sheet, 0, labels, widths)
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
                grade = claim.confidence if claim else "unknown"
                if (vendor.id, leaf_id) in overridden:
                    grade += " (buyer override)"
                note = claim.note.strip() if claim else ""
                if claim and claim.derivation.strip():
                    note += f"\nDerivation: {claim.derivation.strip()}"
                for source in sources or [None]:
                    cells = [
                        vendor.name,
                        leaf.name,
                        value,
                        grade,
                        _dates(claim) if claim else "",
                        note,
                        source_head(source) if source else "",
                        _quote(source) if source else "",
                    ]
                    for col, text in enumerate(cells):
                        self._text(sheet, r, col, text, self.wrap)
                    link = ""
                    if source and source.link:
                        link = source.link
                        sheet.write_url(r, 8, link, self.link, string=_link_text(link))
                    elif source and source.url_note:
                        link = f"no address: {source.url_note}"
                        self._text(sheet, r, 8, link, self.wrap)
                    # Rows get the height their wrapped text needs: a spreadsheet does not
                    # grow them on opening, and text would print over the next row.
                    sheet.set_row(
                        r,
                        max(row_height(t, w) for t, w in zip([*cells, link], widths, strict=True)),
                    )
                    r += 1
        sheet.autofilter(0, 0, r - 1, len(labels) - 1)


def row_height(text: str, width: float, size: float = 11) -> float:
    """Points a row needs to show `text` wrapped in a column `width` characters wide, in a font
    of `size` points (with a margin: a renderer's font may be a little wider)."""
    per_line = max(1, int(width * 1.05 * 11 / size))  # characters that fit on a line
    lines = sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))
    return round(size * 1.4 * lines + 3, 1)


def _link_text(url: str) -> str:
    """What a link cell shows (its target stays the whole address): the host, then the end of
    the path, short enough not to run past the column."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    tail = path if len(path) <= 28 else "…" + path[-27:]
    return f"{parts.netloc} {tail}".strip()[:60]


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
