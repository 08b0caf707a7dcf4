"""Hostile text in every text field of a template and a vendor profile: Markdown, HTML, formula
prefixes, control and direction characters, drawn by hypothesis. A file that holds one is either
refused with located problems, or loaded and then shown as the same text, never as markup, on
every app page and in every export."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from conftest import ROOT, page_texts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from scorecard import export
from scorecard.export.ranking import md_file
from scorecard.loading import load_workspace, validate
from scorecard.session import compare

APP = str(ROOT / "streamlit_app.py")
MARK = "evil"  # every hostile text carries it, so the places it reaches can be found

#: The pieces hostile text is made of.
MARKUP = [
    "**b**",
    "_i_",
    "`c`",
    "# h",
    "> q",
    "- l",
    "| t |",
    "[l](http://evil.invalid/l)",
    "![p](http://evil.invalid/p.png)",
    "<http://evil.invalid>",
    "www.evil.invalid",
    "x@evil.invalid",
    ":red[c]",
    "$x$",
    "\\*",
    "~~s~~",
]
HTML = ["<b>b</b>", '<img src="http://evil.invalid/i.png">', "<script>alert(1)</script>", "&lt;"]
FORMULA = ["=1+1", '=HYPERLINK("http://evil.invalid")', "+1", "-1", "@SUM(A1)"]
HIDDEN = ["\x07", "\x1b[31m", "\u202e", "\u2066", "\u200b"]  # refused: control, bidi, invisible
PLAIN = ["Runway", "ok", "1 000", "é", "日本"]


@st.composite
def hostile_texts(draw: Any, hidden: bool = True) -> str:
    pieces = st.sampled_from(MARKUP + HTML + PLAIN + (HIDDEN if hidden else []))
    start = draw(st.sampled_from([*FORMULA, *PLAIN, *MARKUP]))
    middle = draw(st.lists(pieces, min_size=1, max_size=4))
    return " ".join([start, MARK, *middle])


def hostile_data(root: Path, text: str) -> Path:
    """The shipped data with `text` in every text field of the template and of one vendor (Runway):
    names, descriptions, rubric levels, units (every vendor's claims follow), gate, profile and
    condition names; the vendor's name, company, description, claim notes, and its sources'
    titles, publishers and notes."""
    (root / "criteria").mkdir(parents=True)
    shutil.copytree(ROOT / "vendors", root / "vendors")
    data = yaml.safe_load((ROOT / "criteria" / "ai-video-enterprise.yaml").read_text())
    data.pop("$schema", None)
    data["name"], data["description"] = text, text

    def fill(nodes: list[dict]) -> None:
        for node in nodes:
            node["name"], node["description"] = f"{text} {node['id']}", text
            measure = node.get("measure", {})
            if measure.get("rubric"):
                measure["rubric"] = {level: f"{text} {level}" for level in measure["rubric"]}
            if measure.get("unit") == "s":
                measure["unit"] = f"s {text}"
            fill(node.get("criteria", []))

    fill(data["criteria"])
    for gate in data["gates"]:
        gate["name"] = f"{text} {gate['id']}"
    for profile in data["profiles"].values():
        profile["name"] = text
    for condition in data.get("conditions", {}).values():
        condition["name"] = text
    (root / "criteria" / "ai-video-enterprise.yaml").write_text(yaml.safe_dump(data))
    unit = f"unit: {json.dumps(f's {text}')}\n"  # a JSON string is a quoted YAML scalar
    for path in (root / "vendors").glob("*.yaml"):  # claims follow the renamed unit
        path.write_text(path.read_text().replace("unit: s\n", unit))
    path = root / "vendors" / "runway.yaml"
    vendor = yaml.safe_load(path.read_text())
    vendor.update(name=text, company=text, description=text)
    for claim in vendor["claims"].values():
        claim["note"] = text
        for source in claim.get("sources", []):
            source.update(title=text, publisher=text)
            if "url_note" in source:
                source["url_note"] = text
    path.write_text(yaml.safe_dump(vendor, allow_unicode=True))
    return root


def one_line(text: str) -> str:
    return " ".join(text.split())


MARKDOWN = MarkdownIt("gfm-like")  # tables, strikethrough and bare links, as GitHub reads them


def shown_text(markdown: str) -> str:
    """What a reader sees of a Markdown text: its text and code, with every construct applied.
    A link, an image, raw HTML or emphasis shows as a break (NUL), so text cut by markup no
    longer reads whole; the word joiner that keeps an address from becoming a link is dropped."""
    out = []
    for block in MARKDOWN.parse(markdown):
        for token in block.children or []:
            if token.type in ("text", "code_inline"):
                out.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                out.append(" ")
            else:
                out.append("\0")
        if block.type.endswith(("_open", "_close")) and block.type != "paragraph_open":
            out.append(" ")
    return one_line("".join(out).replace("\u2060", ""))


def _refused_with_locations(root: Path) -> bool:
    report = validate([root / "criteria", root / "vendors"])
    for problem in report.problems:
        assert problem.file and problem.line and problem.code, problem
    return not report.ok


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Tags(HTMLParser):
    """Every element name and attribute of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attrs += [(name, value or "") for name, value in attrs]


URL_ATTRS = {"href", "src", "action", "formaction", "srcset", "xlink:href", "style"}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=hostile_texts())
def test_hostile_text_is_refused_or_is_text_in_every_export(text):
    with tempfile.TemporaryDirectory() as folder:
        root = hostile_data(Path(folder), text)
        if _refused_with_locations(root):
            assert any(ch in text for ch in HIDDEN), "only hidden characters are refused"
            return
        assert not any(ch in text for ch in HIDDEN)
        ws = load_workspace(root / "criteria" / "ai-video-enterprise.yaml", [root / "vendors"])
    comparison = compare(ws.template, ws.vendors)
    files = {
        fmt: export.export_file(
            fmt,
            comparison,
            version="test",
            created=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
            files=ws.files,
            vendor_files=ws.vendor_files,
            template_path=None,
        )
        for fmt in ("xlsx", "html", "md", "csv", "record")
    }
    line = one_line(text)
    # HTML: the text is there, escaped; no tag or attribute comes from it.
    page = files["html"].decode()
    assert html.escape(line, quote=False) in page
    tags = Tags()
    tags.feed(page)
    assert "script" not in tags.names and "img" not in tags.names
    # Text in an attribute (a chart's aria-label) is quoted; none may be an address or a script.
    live = [(a, v) for a, v in tags.attrs if MARK in v and (a in URL_ATTRS or a.startswith("on"))]
    assert live == []
    # Markdown: every occurrence reads back as the same text.
    wiki = files["md"].decode()
    assert md_file(line) in wiki
    for row in (row for row in wiki.splitlines() if MARK in row):
        assert shown_text(row).count(line) >= row.count(md_file(line)), row
    # CSV: no text cell can be taken for a formula. The workbook: text is stored as text (a
    # string cell is never evaluated), and no formula holds any of it.
    cells = [c for row in csv.reader(io.StringIO(files["csv"].decode())) for c in row]
    assert any(MARK in c for c in cells)
    assert [c for c in cells if MARK in c and c.startswith(FORMULA_START)] == []
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    kinds = {
        cell.data_type
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if MARK in str(cell.value)
    }
    assert kinds == {"s"}
    # The decision record keeps the text exactly.
    record = json.loads(files["record"])
    assert record["session"]["template"]["name"] == text.strip()


PAGES = ["compare", "vendor", "robustness", "templates", "session", "panel", "export"]


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=hostile_texts(hidden=False))
def test_hostile_text_is_text_on_every_page(text, monkeypatch):
    line = one_line(text)
    with tempfile.TemporaryDirectory() as folder:
        monkeypatch.setenv("SCORECARD_DATA", str(hostile_data(Path(folder), text)))
        at = AppTest.from_file(APP, default_timeout=60).run()
        for page in PAGES:
            at.switch_page(f"scorecard/app/pages/{page}.py").run()
            if page == "vendor":
                at.selectbox(key="vendor_choice").select("runway").run()
            if page == "session":  # the unit of the criterion chosen labels the value's input
                at.selectbox(key="session_vendor").select("runway").run()
                at.selectbox(key="session_criterion").select("generation_time").run()
            if page == "panel":  # a person's name is text a person writes, too
                at.text_input(key="panel_start_name").input(line)
                [start] = [b for b in at.button if b.label == "Start a panel"]
                start.click().run()
            assert not at.exception, page
            texts = [text for text in page_texts(at) if MARK in text]
            assert texts or page == "export", f"the hostile text reached nothing on {page}"
            # Read as Markdown, each text that carries it shows it whole: no part became markup.
            for shown in texts:
                assert line in shown_text(shown), (page, shown)
                assert "\\$" in shown or "$" not in line  # Streamlit's LaTeX stays literal
                assert "\\:" in shown or ":" not in line  # and so do its colour codes
