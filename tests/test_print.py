"""The exports on paper: the workbook printed by LibreOffice and the HTML report printed by
Chromium, each to PDF. Page 1 holds the whole executive summary; pages are landscape; the page
count stays where a reader can still hold it.

Without LibreOffice or Chromium the matching test is skipped — unless .ci/run's
SCORECARD_REQUIRE_LIBREOFFICE / SCORECARD_REQUIRE_BROWSER say they must be there.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pypdf
import pytest
from conftest import ROOT, SOFFICE, needs_libreoffice, soffice_convert

from scorecard.export.html import to_html
from scorecard.export.xlsx import to_xlsx
from scorecard.loading import load_workspace
from scorecard.scoring import Options
from scorecard.session import compare

WORKSPACE = load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [ROOT / "vendors"])
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def comparison():
    return compare(WORKSPACE.template, WORKSPACE.vendors, Options(as_of=dt.date(2026, 11, 26)))


def _pages(pdf: Path) -> list[tuple[str, float, float]]:
    """Each page's text (whitespace collapsed), width and height."""
    reader = pypdf.PdfReader(pdf)
    return [
        (
            " ".join(page.extract_text().split()),
            float(page.mediabox.width),
            float(page.mediabox.height),
        )
        for page in reader.pages
    ]


def _words(text: str, count: int = 6) -> str:
    return " ".join(text.split()[:count])


def _assert_summary_on_page_one(pages, comparison, last_label: str) -> None:
    first = pages[0][0]
    summary = comparison.summary
    assert _words(summary.recommendation) in first
    assert "Open questions that matter most" in first
    assert all(row.name.split()[0] in first for row in comparison.result.rows)
    assert last_label in first  # the last of the choices: the summary ends on page 1
    assert all(width > height for _, width, height in pages)  # landscape


@needs_libreoffice
def test_the_workbook_prints_its_summary_on_page_one_landscape(tmp_path, comparison):
    assert SOFFICE, "SCORECARD_REQUIRE_LIBREOFFICE is set but soffice is missing"
    book = tmp_path / "sheet.xlsx"
    book.write_bytes(to_xlsx(comparison))
    pages = _pages(soffice_convert(book, "pdf", tmp_path, tmp_path / "profile"))
    _assert_summary_on_page_one(pages, comparison, "Certainty")
    assert "Choices made" in pages[0][0] and "Choices made" not in pages[1][0]
    # One page wide: every sheet's pages carry its name in the footer, and the evidence of 12
    # vendors x 26 criteria takes far fewer pages than the 73 it took before the print setup.
    assert len(pages) <= 35
    footers = [re.search(r"Page (\d+) of (\d+)", text) for text, _, _ in pages]
    assert all(f and int(f.group(2)) == len(pages) for f in footers)


@pytest.mark.browser
@pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("SCORECARD_REQUIRE_BROWSER"),
    reason="Debian's chromium is not installed (apt-get install chromium)",
)
def test_the_html_report_prints_its_summary_on_page_one_landscape(tmp_path, comparison):
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "report.html"
    page_file.write_text(to_html(comparison, dt.date(2026, 11, 26), "test"))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.goto(page_file.as_uri())
        page.pdf(path=tmp_path / "report.pdf", prefer_css_page_size=True)
        browser.close()
    pages = _pages(tmp_path / "report.pdf")
    _assert_summary_on_page_one(pages, comparison, "Certainty")
    assert "Ranking and evidence coverage" not in pages[0][0]  # the details start on page 2
    assert len(pages) <= 60
