"""The XLSX comparison sheet: live formulas that LibreOffice recomputes to the engine's scores,
before and after a weight is changed on the Weights sheet; and no formula from data."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import time_machine
from conftest import (
    ROOT,
    SOFFICE,
    claim,
    leaf,
    needs_libreoffice,
    rating,
    recalculate,
    template,
    vendor,
)
from openpyxl.utils import get_column_letter
from openpyxl.utils.escape import unescape

from scorecard.export.xlsx import _link_text, to_xlsx
from scorecard.loading import load_workspace
from scorecard.scoring import METHOD_DESCRIPTIONS, Options
from scorecard.session import Override, compare

WORKSPACE = load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [ROOT / "vendors"])


def _book(data: bytes, values: bool = False) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), data_only=values)


def dump_workbook(data: bytes, leave_out: tuple[str, ...] = ()) -> str:
    """Everything a reader of the workbook sees, as text a person can review: per sheet, its
    layout (frozen panes, column widths, row heights, merged cells, filter, conditional formats)
    and every cell with its formula or value, its cached value, its style and its link."""
    formulas, cached = _book(data), _book(data, values=True)
    lines: list[str] = []
    for sheet in (s for s in formulas.worksheets if s.title not in leave_out):
        values = cached[sheet.title]
        lines += [
            f"== {sheet.title}",
            f"frozen {sheet.freeze_panes}; filter {sheet.auto_filter.ref}",
            "widths "
            + " ".join(
                f"{k}:{get_column_letter(d.max)}={d.width:g}"
                for k, d in sorted(sheet.column_dimensions.items())
                if d.width
            ),
            "heights "
            + " ".join(
                f"{k}={d.height:g}" for k, d in sorted(sheet.row_dimensions.items()) if d.height
            ),
            "merged " + " ".join(sorted(str(m) for m in sheet.merged_cells.ranges)),
        ]
        for fmt in sheet.conditional_formatting:
            lines.append(f"conditional {fmt.sqref}: " + ", ".join(r.type for r in fmt.rules))
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                text = f"{cell.coordinate} {cell.value!r}"
                if cell.data_type == "f":
                    value = values[cell.coordinate].value
                    text += f" -> {round(value, 9) if isinstance(value, float) else value!r}"
                lines.append(text + _style(cell))
    return "\n".join(lines) + "\n"


def _style(cell: Any) -> str:
    font, fill, align = cell.font, cell.fill, cell.alignment
    marks = [
        "bold" if font.b else "",
        "italic" if font.i else "",
        f"size {font.sz:g}" if font.sz and font.sz != 11 else "",
        f"colour {font.color.rgb}" if font.color is not None and font.color.type == "rgb" else "",
        f"fill {fill.fgColor.rgb}" if fill.fill_type else "",
        f"format {cell.number_format}" if cell.number_format != "General" else "",
        "wrap" if align.wrap_text else "",
        f"valign {align.vertical}" if align.vertical else "",
        "border" if cell.border.left.style else "",
        f"link {cell.hyperlink.target}" if cell.hyperlink else "",
    ]
    marks = [m for m in marks if m]
    return f"  [{', '.join(marks)}]" if marks else ""


@needs_libreoffice
def test_every_cached_value_is_what_its_formula_computes(tmp_path):
    """A reader that does not recalculate (a previewer, a mail client) shows the cached values:
    each formula cell's cached value must be what LibreOffice computes from the formula."""
    comparison = compare(WORKSPACE.template, WORKSPACE.vendors, Options(profile="marketing"))
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(to_xlsx(comparison))
    formulas = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    computed = recalculate(path, tmp_path / "out", tmp_path / "profile")
    checked = 0
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in (c for c in row if c.data_type == "f"):
                want = computed[sheet.title][cell.coordinate].value
                got = cached[sheet.title][cell.coordinate].value
                where = f"{sheet.title}!{cell.coordinate} {cell.value}"
                if isinstance(want, float | int) and not isinstance(want, bool):
                    assert got == pytest.approx(want, abs=1e-9), where
                else:
                    assert got == want, where
                checked += 1
    assert checked > 12 * 10  # every vendor's score, rank and points at least


def test_the_workbook_has_its_sheets_and_live_formulas():
    book = _book(to_xlsx(compare(WORKSPACE.template, WORKSPACE.vendors)))
    assert book.sheetnames == ["Summary", "Scores", "Weights", "Utilities", "Evidence"]
    scores = book["Scores"]
    assert str(scores["D2"].value).startswith("=IF(SUM(Utilities!")
    assert str(scores["E2"].value).startswith("=1+SUMPRODUCT(")
    assert str(book["Weights"]["E2"].value).startswith("=IF(SUMIF(")
    assert book["Scores"].freeze_panes == "A2"
    links = [c.hyperlink.target for row in book["Evidence"].iter_rows() for c in row if c.hyperlink]
    assert (
        "https://docs.qingque.cn/d/home/eZQCQxBrX8eeImjK6Ddz5iOi5?identityId=1oEFzU43FYK" in links
    )


NASTY = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTab", "\rCR"]


@pytest.mark.parametrize("text", NASTY)
def test_no_formula_cell_comes_from_data(text):
    tpl = template(leaf("a", rating()))
    v = vendor("v", a=claim(2, note=text)).model_copy(update={"name": text, "company": text})
    book = _book(to_xlsx(compare(tpl, [v])))
    ours = {"Scores", "Weights", "Utilities", "Summary"}  # where the formulas we write live
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert sheet.title in ours and not str(cell.value).startswith(
                        ("=1+1", "+", "-2", "@")
                    )
    name = book["Scores"]["B2"]
    assert unescape(name.value) == text and name.data_type == "s"  # text, exactly as written
    notes = [unescape(str(c.value)) for c in book["Evidence"]["F"] if c.value]
    assert text.strip() in [n.strip() for n in notes]
    assert book["Scores"]["D2"].data_type == "f"  # the score stays a formula, over numbers


@needs_libreoffice
@pytest.mark.parametrize("missing", ["worst", "exclude"])
def test_libreoffice_recomputes_the_engines_scores_and_follows_a_weight_change(tmp_path, missing):
    assert SOFFICE, "SCORECARD_REQUIRE_LIBREOFFICE is set but soffice is missing"
    options = Options(profile="legal", missing=missing)
    comparison = compare(WORKSPACE.template, WORKSPACE.vendors, options)
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(to_xlsx(comparison))

    def check(book: openpyxl.Workbook, expected) -> None:
        rows = {r[0]: r for r in book["Scores"].iter_rows(min_row=2, max_row=13, values_only=True)}
        for row in expected.rows:
            got = rows[row.vendor]
            assert got[3] == pytest.approx(row.score, abs=1e-9), row.vendor
            if expected.method == "wsm":
                assert got[4] == row.rank, row.vendor
            tops = list(row.contributions.values())
            assert list(got[5 : 5 + len(tops)]) == pytest.approx(tops, abs=1e-9)

    check(recalculate(path, tmp_path / "out1", tmp_path / "p1"), comparison.result)

    # An approver raises the weight of moderation on the Weights sheet, formulas untouched.
    book = openpyxl.load_workbook(path)
    sheet = book["Weights"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "moderation")
    sheet.cell(row, 4).value = 60
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    changed = compare(
        WORKSPACE.template,
        WORKSPACE.vendors,
        Options(profile="legal", missing=missing, weights={"moderation": 60}),
    )
    check(recalculate(edited, tmp_path / "out2", tmp_path / "p2"), changed.result)


def test_every_sheet_names_its_columns_and_choices():
    tpl = template(
        {"id": "g1", "name": "G1", "weight": 1, "criteria": [leaf("a", rating())]},
        {"id": "g2", "name": "G2", "weight": 2, "criteria": [leaf("b", rating())]},
    )
    book = _book(to_xlsx(compare(tpl, [vendor("v", a=claim(1), b=claim(3)), vendor("w")])))
    assert book.sheetnames == ["Summary", "Scores", "Weights", "Utilities", "Evidence"]
    heads = {sheet.title: [c.value for c in sheet[1]] for sheet in book.worksheets[1:]}
    assert heads == {
        "Scores": [
            "vendor id",
            "vendor",
            "passes gates (1/0)",
            "score (weighted sum)",
            "rank",
            "points: G1",
            "points: G2",
        ],
        "Weights": ["id", "criterion", "parent", "relative weight (edit me)", "share of the total"],
        "Utilities": ["vendor", "A", "B"],
        "Evidence": [
            "vendor",
            "criterion",
            "value",
            "confidence",
            "dates",
            "note",
            "source",
            "quote",
            "link",
        ],
    }
    summary = book["Summary"]
    assert [c.value for c in summary[6]] == [
        "rank at export",
        "vendor",
        "score at export",
        "must-haves",
        "confirmed evidence",
        "unknown",
        "live score",
        "live rank",
    ]
    labels = [row[0] for row in summary.iter_rows(values_only=True)]
    start = labels.index("Choices made")
    assert labels[start : start + 12] == [
        "Choices made",
        "Template",
        "Weights",
        "Method",
        "Missing data",
        "Evidence discount",
        "Must-haves (gates) on",
        "Must-haves off",
        "Open must-haves",
        "Stale evidence",
        "Your situation",
        "Certainty",
    ]


def test_a_sheet_exported_under_another_method_says_its_live_formulas_are_the_weighted_sum():
    comparison = compare(WORKSPACE.template, WORKSPACE.vendors, Options(method="topsis"))
    notes = [c.value for c in _book(to_xlsx(comparison))["Scores"]["A"] if c.value]
    assert notes[-1] == (
        f"The ranking at export used {METHOD_DESCRIPTIONS['topsis']}; these live formulas are "
        "the weighted sum."
    )


DAY = dt.date(2026, 11, 26)


def shipped(*ids: str) -> list:
    return [v for v in WORKSPACE.vendors if v.id in ids]


THREE = shipped("kling-ai", "runway", "alibaba-wan")
# With the EU gate on, Tencent HunyuanVideo fails it with a higher weighted sum than Adobe's.
GATED = shipped("alibaba-wan", "tencent-hunyuanvideo", "adobe-firefly")


@time_machine.travel(DAY, tick=False)
@pytest.mark.parametrize(
    ("vendors", "options", "leave_out"),
    [
        (THREE, Options(profile="marketing", as_of=DAY), ()),
        # The evidence sheet does not depend on the options: reviewed once, above.
        (
            THREE,
            Options(method="topsis", missing="exclude", stale="discount", as_of=DAY),
            ("Evidence",),
        ),
        (GATED, Options(stale="unknown", gates={"eu_uk": True}, as_of=DAY), ("Evidence",)),
    ],
    ids=["marketing", "topsis-exclude-discounted", "eu-gate-stale-unknown"],
)
def test_the_workbook_is_what_was_reviewed(vendors, options, leave_out, snapshot):
    """Every cell, formula, style and layout of the comparison sheet for three shipped vendors,
    against the reviewed copy in __snapshots__/. A change shows as a diff; when it is meant,
    `pytest --snapshot-update` records it, for review with the change."""
    data = to_xlsx(compare(WORKSPACE.template, vendors, options))
    assert dump_workbook(data, leave_out) == snapshot


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://example.com/", "example.com"),
        ("https://example.com/X/a/X/", "example.com X/a/X"),
        ("https://ex.com/" + "p" * 28, "ex.com " + "p" * 28),
        ("https://ex.com/" + "q" + "p" * 28, "ex.com …" + "p" * 27),
        ("https://" + "h" * 70 + ".com/a", "h" * 60),
    ],
)
def test_a_link_cell_shows_the_host_and_the_end_of_the_path(url, shown):
    assert _link_text(url) == shown


def test_each_evidence_row_says_what_the_buyer_must_know_about_the_claim():
    tpl = template(
        leaf("a", rating()),
        leaf("b", {"type": "boolean"}),
        leaf("c", rating()),
        leaf("d", rating()),
        conditions={"api": {"name": "Through the API", "holds": True}},
    )
    v = vendor(
        "v",
        a=claim(3, condition=["api"]),
        b={"confidence": "unknown", "note": " Ask for the SLA. ", "checked": "2026-11-01"},
    )
    pilot = {
        "title": "Pilot notes",
        "publisher": "Buyer",
        "kind": "buyer",
        "date": "2026-11-20",
        "locator": "p. 4",
        "url_note": "internal wiki",
    }
    override = Override.model_validate(
        {"vendor": "v", "criterion": "c", "claim": claim(4, "verified", sources=[pilot])}
    )
    comparison = compare(tpl, [v], Options(conditions={"api": False}), [override])
    rows = list(_book(to_xlsx(comparison))["Evidence"].iter_rows(min_row=2, values_only=True))
    assert rows == [
        (
            "V",
            "A",
            "3 of 0–4 (holds only if: Through the API (not your situation, so not counted))",
            "confirmed",
            "2026-01-01",
            "",
            "Test source — Tests (vendor, 2026-01-01)",
            "",
            None,
        ),
        ("V", "B", "unknown", "unknown", "checked 2026-11-01", "Ask for the SLA.", "", "", None),
        (
            "V",
            "C",
            "4 of 0–4",
            "verified (buyer override)",
            "2026-11-20",
            "",
            "Pilot notes — Buyer (buyer, 2026-11-20)",
            "p. 4",
            "no address: internal wiki",
        ),
        ("V", "D", "unknown", "unknown", "", "", "", "", None),
    ]
