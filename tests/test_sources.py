"""A source's words and addresses: the quote a value rests on, its section, the copy that was
read when the document itself was not, or why there is no address; checked by the model and
shown next to the link in every place a source is shown."""

from __future__ import annotations

import datetime as dt
import io
from html.parser import HTMLParser

import openpyxl
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from scorecard.export.html import to_html
from scorecard.export.markdown import markdown_report, source_md
from scorecard.export.profile import vendor_text
from scorecard.export.xlsx import to_xlsx
from scorecard.loading import load_workspace
from scorecard.model import Source
from scorecard.session import compare

TODAY = dt.date(2026, 11, 26)
WORKSPACE = load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [ROOT / "vendors"])
QUOTE = "You use of the AI-generated content for commercial purposes is not restricted."
PRIMARY = "https://kling.ai/document-api/guides/protocols/paid-service"
COPY = "https://github.com/example/kling/blob/0000000/_docs/legal/terms.md"
READ_ON_A_COPY = {
    "title": "Terms of API Paid Service",
    "publisher": "Kling AI",
    "kind": "vendor",
    "url": PRIMARY,
    "via": COPY,
    "quote": QUOTE,
    "locator": "§6.4",
    "date": "2024-09-29",
}


def source(**changes) -> Source:
    return Source.model_validate({**READ_ON_A_COPY, **changes})


def kling_with(src: Source):
    """Kling AI, its SLA claim resting on `src`."""
    kling = next(v for v in WORKSPACE.vendors if v.id == "kling-ai")
    sla = kling.claims["sla"].model_copy(update={"sources": (src,)})
    kling = kling.model_copy(update={"claims": {**kling.claims, "sla": sla}})
    return [kling if v.id == "kling-ai" else v for v in WORKSPACE.vendors]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"quote": " ".join(["word"] * 26)},
            "a quote is at most 25 words; this one has 26",
        ),
        ({"url_note": "print edition"}, "`url_note` says why a source has no address"),
        ({"via": PRIMARY}, "`via` is a copy read instead of the document at `url`"),
    ],
)
def test_the_model_checks_quotes_and_addresses(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        source(**changes)


def test_a_source_with_neither_address_says_why():
    printed = source(url=None, via=None, url_note="print edition")
    assert printed.link is None
    assert source().link == PRIMARY and source(url=None).link == COPY


def test_vendor_show_gives_the_quote_its_section_and_the_copy_read():
    kling = next(v for v in kling_with(source()) if v.id == "kling-ai")
    text = vendor_text(WORKSPACE.template, kling, TODAY)
    assert (
        f"Terms of API Paid Service — Kling AI (vendor, 2024-09-29), §6.4: “{QUOTE}” {PRIMARY} "
        f"(read on a copy, {COPY}; the document itself was not read)"
    ) in text
    printed = kling_with(source(url=None, via=None, url_note="print edition"))
    text = vendor_text(WORKSPACE.template, next(v for v in printed if v.id == "kling-ai"), TODAY)
    assert "§6.4: “You use of" in text and "(no address: print edition)" in text


def test_markdown_links_the_document_and_the_copy_and_escapes_the_quote():
    line = source_md(source(quote="*Not* [a link](http://x.invalid)"))
    assert line.startswith(f"[Terms of API Paid Service]({PRIMARY}) — Kling AI")
    # Only what GitHub would read as markup is escaped: no backslash before '.', ':' or '('.
    assert "§6.4: “\\*Not\\* \\[a link\\](http:\u2060//x.invalid)”" in line
    assert line.endswith(f"read on a [copy]({COPY}); the document itself was not read")
    page = markdown_report(compare(WORKSPACE.template, kling_with(source())), TODAY)
    assert f"read on a [copy]({COPY})" in page


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.quotes = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])
        self.quotes += tag == "q"


@pytest.mark.html
def test_the_html_report_shows_the_quote_next_to_both_links():
    html = to_html(compare(WORKSPACE.template, kling_with(source())), TODAY, "t")
    parser = _Anchors()
    parser.feed(html)
    assert PRIMARY in parser.links and COPY in parser.links
    assert parser.quotes >= 1
    assert f'§6.4: <q>{QUOTE}</q> — read on a <a href="{COPY}">copy</a>' in html


def test_the_workbook_has_the_quote_and_links_the_copy_when_that_is_all_there_is():
    data = to_xlsx(compare(WORKSPACE.template, kling_with(source(url=None))))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Evidence"]
    header = [c.value for c in sheet[1]]
    row = next(
        r
        for r in sheet.iter_rows(min_row=2)
        if r[0].value == "Kling AI" and r[1].value == "Published SLA"
    )
    cells = dict(zip(header, row, strict=True))
    assert (
        cells["quote"].value
        == f"§6.4: “{QUOTE}” (read on a copy; the document itself was not read)"
    )
    assert cells["link"].hyperlink.target == COPY


@pytest.mark.app
def test_the_vendor_page_shows_the_quote(tmp_path, monkeypatch):
    vendors = tmp_path / "vendors"
    (tmp_path / "criteria").mkdir()
    (tmp_path / "criteria" / "ai-video-enterprise.yaml").write_text(
        (ROOT / "criteria" / "ai-video-enterprise.yaml").read_text()
    )
    vendors.mkdir()
    for path in (ROOT / "vendors").glob("*.yaml"):
        text = path.read_text()
        if path.name == "runway.yaml":
            text = text.replace(
                "      - title: runwayml/skills — API integration guide (credits per second of "
                "output)\n",
                "      - title: runwayml/skills — API integration guide (credits per second of "
                f"output)\n        quote: '{QUOTE}'\n        locator: §2\n",
                1,
            )
            assert QUOTE in text
        (vendors / path.name).write_text(text)
    monkeypatch.setenv("SCORECARD_DATA", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page("scorecard/app/pages/vendor.py").run()
    at.selectbox(key="vendor_choice").select("runway").run()
    assert not at.exception
    shown = [m.value for m in at.markdown if "§2" in m.value]
    assert len(shown) == 1 and "“You use of the AI\\-generated content" in shown[0]
