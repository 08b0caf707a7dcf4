"""The app under Streamlit's AppTest: every page renders, and interactions give the numbers the
library gives. (The real browser test is in test_browser.py.)"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import json
import os
import re
import shutil
from fractions import Fraction

import openpyxl
import pyarrow as pa
import pytest
import yaml
from conftest import (
    ROOT,
    answer_questionnaire,
    edit_template_weights,
    needs_libreoffice,
    recalculate,
)
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from scorecard.export.record import reproduce
from scorecard.loading import load_record, load_workspace
from scorecard.scoring import Options, difference, score, set_share, shares_of
from scorecard.store import Store

pytestmark = pytest.mark.app

APP = str(ROOT / "streamlit_app.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGES = ["compare", "vendor", "robustness", "templates", "session", "panel", "export"]
WORKSPACE = load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [ROOT / "vendors"])


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    return at


def ranking_tables(at: AppTest) -> list:
    """The ranking on Compare: the vendors above the line, then those below it (if any)."""
    tables = [t.value for t in at.table if "Must-haves" in t.value.columns]
    # A table's cells are Markdown: the page escapes vendor names; read them as written.
    return [
        t.assign(Vendor=t["Vendor"].str.replace("\\", ""), Score=t["Score"].astype(float))
        for t in tables
    ]


def ranking(at: AppTest) -> list[tuple[str, float]]:
    return [
        (name, score)
        for table in ranking_tables(at)
        for name, score in zip(table["Vendor"], table["Score"], strict=True)
    ]


def shares(**moved: float) -> dict[str, float]:
    """The weights Compare's sliders set: each move a share of 100%, the siblings rescaled."""
    template = WORKSPACE.template
    weights = {c.id: c.weight for c in template.criteria}
    for criterion, share in moved.items():
        weights = set_share(weights, criterion, share)
    return weights


def expected(**options) -> list[tuple[str, float]]:
    result = score(WORKSPACE.template, WORKSPACE.vendors, Options(**options))
    return [(r.name, round(r.score, 1)) for r in result.rows]


#: Each page's title and the sections it opens with, on the shipped data.
PAGE_CONTENT = {
    "compare": (
        "Compare vendors",
        ["Why one vendor ranks above another", "Weights, as shares of 100%", "Must-haves (gates)"],
    ),
    "vendor": ("Adobe Firefly Video", ["Claims", "Questions to ask this vendor"]),
    "robustness": (
        "Robustness",
        [
            "Would another weighting change the winner?",
            "How sure is the winner?",
            "Do other ways of combining the scores agree?",
        ],
    ),
    "templates": ("Criteria template", []),
    "session": ("Session", ["Your own evidence", "Save or resume the session", "Activity"]),
    "panel": ("Panel", []),
    "export": ("Export", []),
}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_its_sections(page):
    at = start()
    at.switch_page(f"scorecard/app/pages/{page}.py").run()
    assert not at.exception
    title, sections = PAGE_CONTENT[page]
    assert [t.value for t in at.title] == [title]
    assert [s.value for s in at.subheader][: len(sections)] == sections
    assert not at.error and not at.warning


def test_the_ranking_is_the_librarys():
    assert ranking(start()) == expected()


def test_weights_are_shares_and_moving_one_rescales_the_rest():
    at = start()
    at.slider(key="compare_w_latency").set_value(80.0).run()
    assert not at.exception
    assert ranking(at) == expected(weights=shares(latency=80.0))
    sliders = {
        s.key: s.value
        for s in at.slider
        if s.key in {f"compare_w_{c.id}" for c in WORKSPACE.template.criteria}
    }
    assert sum(sliders.values()) == pytest.approx(100, abs=0.1 * len(sliders))
    at.slider(key="compare_w_cost").set_value(10.0).run()
    assert ranking(at) == expected(weights=shares(latency=80.0, cost=10.0))


def test_choosing_a_profile_sets_its_weights():
    at = start()
    at.selectbox(key="compare_profile").select("legal").run()
    assert ranking(at) == expected(profile="legal")
    legal = {c.id: c.weight for c in WORKSPACE.template.criteria}
    legal |= WORKSPACE.template.profiles["legal"].weights
    want = shares_of({c.id: legal[c.id] for c in WORKSPACE.template.criteria})
    assert at.slider(key="compare_w_output_rights").value == round(want["output_rights"], 1)
    at.slider(key="compare_w_latency").set_value(50.0).run()
    at.button(key="compare_reset").click().run()
    assert ranking(at) == expected(profile="legal")


def test_turning_a_gate_on_moves_a_failing_vendor_down():
    at = start()
    before = [name for name, _ in ranking(at)]
    assert before.index("Tencent HunyuanVideo") < before.index("Luma AI (Dream Machine / Ray)")
    at.toggle(key="compare_gate_eu_uk").set_value(True).run()
    after = [name for name, _ in ranking(at)]
    assert after == [n for n, _ in expected(gates={"eu_uk": True})]
    assert after.index("Tencent HunyuanVideo") > after.index("Alibaba Wan")
    above, below = ranking_tables(at)  # the evidence says no: below the line
    hunyuan = below[below["Vendor"] == "Tencent HunyuanVideo"].iloc[0]
    assert hunyuan["Must-haves"] == "fails 1"
    assert "Tencent HunyuanVideo" not in set(above["Vendor"])
    line = next(c.value for c in at.caption if "Tencent HunyuanVideo" in c.value)
    assert "fails: Offered (or licensed) in the EU and UK" in line.replace("\\", "")


def test_policies_and_method_reach_the_engine():
    at = start()
    at.radio(key="compare_missing").set_value("exclude").run()
    at.toggle(key="compare_confidence").set_value(False).run()
    at.selectbox(key="compare_method").select("topsis").run()
    assert ranking(at) == expected(missing="exclude", confidence=False, method="topsis")


def test_why_a_beats_b_explains_the_margin():
    at = start()
    result = score(WORKSPACE.template, WORKSPACE.vendors)
    first, second = result.rows[0], result.rows[1]  # the two selected by default
    margin = first.score - second.score  # both pass the gates: the weighted-sum difference
    sentence = next(m.value for m in at.markdown if "weighted-sum points" in m.value)
    assert sentence == f"{first.name} leads {second.name} by {margin:.1f} weighted-sum points."
    table = at.dataframe[-1].value
    assert table["Margin"].sum() == pytest.approx(margin, abs=0.01 * len(table))
    largest = difference(result, first.vendor, second.vendor)[0].criterion
    assert table["Criterion"].iloc[0] == WORKSPACE.template.node(largest).name  # largest first
    at.selectbox(key="compare_b").select("openai-sora").run()
    sentence = next(m.value for m in at.markdown if "weighted-sum points" in m.value)
    assert sentence.endswith(
        "OpenAI Sora fails a must-have on the evidence, which ranks it below every vendor that "
        "does not."
    )


def test_an_override_changes_the_score_and_shows_everywhere():
    at = start()
    at.switch_page("scorecard/app/pages/session.py").run()
    at.selectbox(key="session_vendor").select("kling-ai").run()
    at.selectbox(key="session_criterion").select("generation_time").run()
    at.number_input(key="session_value_number").set_value(45.0)
    at.selectbox(key="session_confidence").select("verified")
    at.text_input(key="session_source").input("Our pilot, week 3")
    at.button(key="session_save").click().run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    override = {
        "kling-ai": {
            "generation_time": {
                "value": 45.0,
                "unit": "s",
                "confidence": "verified",
                "sources": [
                    {"title": "p", "publisher": "Buyer", "kind": "buyer", "date": "2026-11-25"}
                ],
            }
        }
    }
    from scorecard.session import Override, apply_overrides

    vendors = apply_overrides(
        WORKSPACE.vendors,
        [
            Override.model_validate({"vendor": v, "criterion": c, "claim": claim})
            for v, claims in override.items()
            for c, claim in claims.items()
        ],
    )
    want = score(WORKSPACE.template, vendors)
    at.switch_page("scorecard/app/pages/compare.py").run()
    table = ranking_tables(at)[0]
    kling = table[table["Vendor"] == "Kling AI"].iloc[0]
    assert kling["Score"] == round(want.row("kling-ai").score, 1)
    assert kling["Score"] > dict(expected())["Kling AI"]
    assert kling["Overrides"] == 1
    at.switch_page("scorecard/app/pages/vendor.py").run()
    at.selectbox(key="vendor_choice").select("kling-ai").run()
    assert any("badge[buyer override]" in m.value for m in at.markdown)


def _override_form(criterion: str = "generation_time") -> AppTest:
    at = start()
    at.switch_page("scorecard/app/pages/session.py").run()
    at.selectbox(key="session_vendor").select("kling-ai").run()
    at.selectbox(key="session_criterion").select(criterion).run()
    return at


def test_a_value_outside_the_measures_domain_is_not_saved():
    at = _override_form()
    at.number_input(key="session_value_number").set_value(-5.0)
    at.selectbox(key="session_confidence").select("verified")
    at.button(key="session_save").click().run()
    assert not at.exception
    assert "below the least possible value, 0 s" in at.error[0].value
    assert at.session_state["session"].overrides == ()
    assert at.number_input(key="session_value_number").value == -5.0  # the input is kept


def test_the_grade_is_a_deliberate_choice_and_a_saved_form_starts_empty():
    at = _override_form("commercial_use")
    assert at.selectbox(key="session_confidence").value is None
    at.radio(key="session_value_bool").set_value("yes")
    at.text_area(key="session_note").input("Clause 7 of our signed order form")
    at.button(key="session_save").click().run()
    assert "choose a confidence" in at.error[0].value
    assert at.session_state["session"].overrides == ()
    at.selectbox(key="session_confidence").select("verified")
    at.button(key="session_save").click().run()
    assert any("Saved" in s.value for s in at.success)
    [saved] = at.session_state["session"].overrides
    assert (saved.claim.value, saved.claim.note) == (True, "Clause 7 of our signed order form")
    # The next override starts from nothing: no note, no grade, no value carried over.
    at.selectbox(key="session_vendor").select("runway").run()
    assert at.text_area(key="session_note").value == ""
    assert at.selectbox(key="session_confidence").value is None
    assert at.radio(key="session_value_bool").value is None


def test_a_session_file_round_trips_through_upload():
    from scorecard.loading import dump_yaml

    at = start()
    at.selectbox(key="compare_profile").select("security").run()
    at.toggle(key="compare_gate_eu_uk").set_value(True).run()
    saved = dump_yaml(at.session_state["session"])
    fresh = start()
    fresh.switch_page("scorecard/app/pages/session.py").run()
    fresh.file_uploader(key="session_upload").upload(
        "s.yaml", saved.encode(), "application/x-yaml"
    ).run()
    assert not fresh.exception
    assert any("Resumed" in s.value for s in fresh.success)
    fresh.switch_page("scorecard/app/pages/compare.py").run()
    assert ranking(fresh) == expected(profile="security", gates={"eu_uk": True})


def test_a_bad_session_upload_lists_located_errors():
    at = start()
    at.switch_page("scorecard/app/pages/session.py").run()
    at.file_uploader(key="session_upload").upload(
        "bad.yaml",
        b"format: scorecard-session/1\nvendors: [klingai]\nmethod: best\n",
        "application/x-yaml",
    ).run()
    assert not at.exception
    assert at.error and "not loaded" in at.error[0].value
    problems = at.code[0].value
    assert "bad.yaml:1:1: [missing-field] template" in problems
    assert "bad.yaml:3:9: [choice] method" in problems


def test_a_bad_template_upload_lists_located_errors():
    at = start()
    at.switch_page("scorecard/app/pages/templates.py").run()
    bad = (ROOT / "tests" / "data" / "invalid" / "bad-weights.yaml").read_bytes()
    at.file_uploader(key="templates_upload").upload(
        "bad-weights.yaml", bad, "application/x-yaml"
    ).run()
    assert not at.exception
    assert "bad-weights.yaml:7:13: [type] criteria[0].weight" in at.code[0].value


def test_editing_a_template_weight_shows_in_the_diff():
    at = start()
    edit_template_weights(at, {"viability": 0.0})
    assert not at.exception
    changes = at.dataframe[-1].value  # the Changes tab comes after the editors
    assert changes.to_dict("records")[0] == {
        "change": "reweighted",
        "what": "criterion",
        "id": "viability",
        "detail": "5 -> 0",
    }
    at.switch_page("scorecard/app/pages/compare.py").run()
    assert ranking(at) == expected(weights={"viability": 0.0})


def test_vendor_text_is_never_markup(tmp_path, monkeypatch):
    for folder in ("criteria", "vendors"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    path = tmp_path / "vendors" / "pika.yaml"
    text = path.read_text().replace(
        "note: No SLA was found, from Pika or from fal.ai for Pika models. Ask both.",
        'note: "<script>alert(1)</script> [click](javascript:alert(2)) **bold**"',
    )
    path.write_text(text)
    monkeypatch.setenv("SCORECARD_DATA", str(tmp_path))
    at = start()
    at.switch_page("scorecard/app/pages/vendor.py").run()
    at.selectbox(key="vendor_choice").select("pika").run()
    shown = [m.value for m in at.markdown if "alert" in m.value]
    escaped = r"\<script\>alert\(1\)\</script\> \[click\]\(javascript\:alert\(2\)\) \*\*bold\*\*"
    assert len(shown) == 2  # the claim, and the question to ask
    assert shown[0] == escaped and shown[1].endswith(escaped)
    assert not any("<script>" in m.value for m in at.markdown)


@pytest.fixture
def downloads(monkeypatch) -> dict[str, tuple[str, bytes]]:
    """Every file the app hands a download button, by the URL the browser fetches it from: the
    name it is saved under, and its bytes."""
    files: dict[str, tuple[str, bytes]] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = keep(self, path_or_data, mimetype, kind, filename)
        file = self.get_file(file_id)
        files[self.get_url(file_id)] = (file.filename, file.content)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return files


def download(at: AppTest, files: dict[str, tuple[str, bytes]], fmt: str) -> tuple[str, bytes]:
    """The file name and bytes the Export page's button gives for `fmt`."""
    at.switch_page("scorecard/app/pages/export.py").run()
    at.radio(key="export_format").set_value(fmt).run()
    assert not at.exception
    [button] = at.get("download_button")
    return files[button.proto.url]


@needs_libreoffice
def test_the_sheet_downloaded_opens_and_recalculates_to_the_ranking(downloads, tmp_path):
    at = start()
    at.slider(key="compare_w_latency").set_value(40.0).run()
    result = score(WORKSPACE.template, WORKSPACE.vendors, Options(weights=shares(latency=40.0)))
    name, data = download(at, downloads, "xlsx")
    assert name.endswith(".xlsx")
    scores = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Scores"]
    rows = [r[:5] for r in scores.iter_rows(min_row=2, max_row=13, values_only=True)]
    assert [(r[0], r[4]) for r in rows] == [(r.vendor, r.rank) for r in result.rows]
    path = tmp_path / name
    path.write_bytes(data)
    book = recalculate(path, tmp_path / "out", tmp_path / "profile")
    again = {r[0]: r[3] for r in book["Scores"].iter_rows(min_row=2, max_row=13, values_only=True)}
    assert again == pytest.approx({r.vendor: r.score for r in result.rows}, abs=1e-9)


def test_the_report_downloaded_is_one_file_that_fetches_nothing(downloads):
    name, data = download(start(), downloads, "html")
    page = data.decode()
    assert name.endswith(".html") and page.startswith("<!DOCTYPE html>")
    # Nothing is loaded from elsewhere: no scripts, style sheets, frames or images by address.
    assert not re.search(r"<(script|link|iframe|img|object|embed)\b", page, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page, re.I)
    assert all(html.escape(v.name) in page for v in WORKSPACE.vendors)


@pytest.mark.parametrize("fmt", ["md", "csv"])
def test_the_wiki_page_and_csv_downloaded_hold_the_ranking(downloads, fmt):
    name, data = download(start(), downloads, fmt)
    assert name.endswith(f".{fmt}")
    text = data.decode()
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        got = [(r["name"], round(float(r["score"]), 1)) for r in rows]
    else:
        table = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
        got = [(cells[1], float(cells[2])) for cells in (line.split(" | ") for line in table)]
    assert got == expected()


def test_the_record_downloaded_reproduces_and_catches_a_changed_profile(downloads, tmp_path):
    name, data = download(start(), downloads, "record")
    path = tmp_path / name
    path.write_bytes(data)
    record = load_record(path)
    assert reproduce(record, ROOT) == []
    project = tmp_path / "project"
    for folder in ("criteria", "vendors"):
        shutil.copytree(ROOT / folder, project / folder)
    pika = project / "vendors" / "pika.yaml"
    was = hashlib.sha256(pika.read_bytes()).hexdigest()[:12]
    pika.write_text(pika.read_text().replace("Pika Labs, Inc.", "Pika Labs, Ltd", 1))
    now = hashlib.sha256(pika.read_bytes()).hexdigest()[:12]
    changed = f"changed: vendors/pika.yaml (sha256 was {was}…, now {now}…)"
    assert reproduce(record, project) == [changed]


def test_the_record_names_the_shipped_files_until_the_template_is_edited():
    at = start()
    at.switch_page("scorecard/app/pages/export.py").run()
    assert not at.caption or "carries it in full" not in at.caption[-1].value
    at.switch_page("scorecard/app/pages/templates.py").run()
    at.toggle(key="templates_gate_on_eu_uk").set_value(True).run()
    at.switch_page("scorecard/app/pages/export.py").run()
    assert "carries it in full" in at.caption[-1].value


def test_compare_opens_with_the_recommendation_and_its_certainty():
    import datetime as dt

    from scorecard.scoring import build_matrix, evaluate
    from scorecard.summary import summarise

    at = start()
    options = Options(as_of=dt.date.today())
    matrix = build_matrix(WORKSPACE.template, WORKSPACE.vendors, {}, options.as_of)
    names = {v.id: v.name for v in WORKSPACE.vendors} | {
        c.id: c.name for c in WORKSPACE.template.nodes()
    }
    want = summarise(
        WORKSPACE.template, matrix, evaluate(WORKSPACE.template, matrix, options), options, names
    )
    assert at.info[0].value.replace("\\", "") == want.recommendation
    assert "ranks first in" in want.recommendation and "points ahead of" in want.recommendation
    assert any(c.value.replace("\\", "") == want.certainty for c in at.caption)
    at.switch_page("scorecard/app/pages/robustness.py").run()
    at.radio(key="robustness_weights").set_value("uniform").run()
    assert not at.exception
    assert any("ranks first in" in m.value for m in at.markdown)


def test_the_charts_hold_exactly_the_rankings_rows():
    """Every bar and cell comes from the result: no placeholder row (Altair's empty dataset
    once drew an 'undefined' vendor), and the vendors in rank order."""
    at = start()
    bars, heat = at.get("vega_lite_chart")
    for chart, rows in ((bars, 12 * 9), (heat, 12 * 26)):
        spec = json.loads(chart.proto.spec)
        assert "datasets" not in spec and "data" not in spec
        data = chart.proto.data.data
        table = pa.ipc.open_stream(data).read_all().to_pandas()
        assert len(table) == rows
        order = table.drop_duplicates("Vendor").sort_values("Rank")["Vendor"].tolist()
        assert order == [name for name, _ in expected()]


def test_using_an_upload_names_it_and_changes_compares_it_with_the_template_before():
    at = start()
    at.switch_page("scorecard/app/pages/templates.py").run()
    text = (ROOT / "criteria" / "ai-video-enterprise.yaml").read_text()
    text = text.replace("name: AI video generation — enterprise procurement", "name: Our RFP", 1)
    text = text.replace("enabled: false  # switch on for buyers in Europe", "enabled: true")
    assert "name: Our RFP" in text and "enabled: true" in text
    at.file_uploader(key="templates_upload").upload("ours.yaml", text.encode(), "text/yaml").run()
    at.button(key="templates_use").click().run()
    assert not at.exception
    assert "Our RFP" in at.caption[0].value  # the header names the template now in use
    assert any("Now comparing on Our RFP" in s.value for s in at.success)
    changes = at.dataframe[-1].value.to_dict("records")
    assert [(c["what"], c["id"]) for c in changes] == [("gate", "eu_uk")]


def test_why_a_beats_b_starts_again_from_the_top_two_when_the_vendors_change():
    at = start()
    at.selectbox(key="compare_b").select("openai-sora").run()
    assert at.selectbox(key="compare_b").value == "openai-sora"
    chosen = [v for v in at.multiselect(key="compare_vendors").value if v != "pika"]
    at.multiselect(key="compare_vendors").set_value(chosen).run()
    ranked = [
        r.vendor
        for r in score(WORKSPACE.template, [v for v in WORKSPACE.vendors if v.id != "pika"]).rows
    ]
    assert (at.selectbox(key="compare_a").value, at.selectbox(key="compare_b").value) == tuple(
        ranked[:2]
    )


def test_gate_requirements_read_as_words_not_python():
    at = start()
    at.switch_page("scorecard/app/pages/templates.py").run()
    text = " ".join(m.value for m in at.markdown)
    assert "must be yes" in text and "must be covers eu, uk" in text
    assert "True" not in text and "['eu', 'uk']" not in text


def test_a_weight_edited_on_templates_counts_after_compare_moved_a_slider():
    # Two places edit the same weights: the last edit counts, whichever page it was made on.
    at = start()
    at.slider(key="compare_w_latency").set_value(30.0).run()
    edit_template_weights(at, {"viability": 0.0})
    at.switch_page("scorecard/app/pages/compare.py").run()
    assert ranking(at) == expected(weights={**shares(latency=30.0), "viability": 0.0})
    assert at.slider(key="compare_w_viability").value == 0.0


def test_compare_says_when_the_certainty_is_not_the_chosen_method():
    at = start()
    assert not any("whatever method ranks" in c.value for c in at.caption)
    at.selectbox(key="compare_method").select("topsis").run()
    assert any("computed on the weighted sum, whatever method ranks" in c.value for c in at.caption)
    assert "vector-normalised" in at.selectbox(key="compare_method").help


# ---------------------------------------------------------------------------------------------
# What each page says when there is too little to show, and the edits a person can undo
# ---------------------------------------------------------------------------------------------


def _infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def test_with_no_vendor_chosen_each_page_says_where_to_choose():
    at = start()
    at.multiselect(key="compare_vendors").set_value([]).run()
    assert not at.exception
    assert _infos(at) == ["Choose at least one vendor in the sidebar."]
    assert not ranking_tables(at)
    for page in ("vendor", "session", "export"):
        at.switch_page(f"scorecard/app/pages/{page}.py").run()
        assert not at.exception
        assert _infos(at) == ["Choose vendors on the Compare page first."], page


def test_with_one_vendor_nothing_is_compared_against_nothing():
    at = start()
    at.multiselect(key="compare_vendors").set_value(["runway"]).run()
    assert not at.exception
    assert [name for name, _ in ranking(at)] == ["Runway"]
    assert "Choose two vendors or more to compare them." in _infos(at)
    at.switch_page("scorecard/app/pages/robustness.py").run()
    assert not at.exception
    assert _infos(at) == ["Choose two vendors or more on the Compare page."]
    at.switch_page("scorecard/app/pages/compare.py").run()
    at.button(key="compare_pin").click().run()
    at.multiselect(key="compare_vendors").set_value(["runway", "pika"]).run()
    table = ranking_tables(at)[0]
    changes = dict(zip(table["Vendor"], table["Change"], strict=True))
    assert changes["Pika"] == "new"  # not in the baseline it is measured against


def test_pinning_the_baseline_measures_changes_from_now():
    at = start()
    at.slider(key="compare_w_latency").set_value(60.0).run()
    moved = ranking_tables(at)[0]["Change"].tolist()
    assert any(c.startswith(("▲", "▼")) for c in moved)
    at.button(key="compare_pin").click().run()
    assert not at.exception
    assert set(ranking_tables(at)[0]["Change"]) == {"="}
    assert at.session_state["compare_baseline"][0] == {
        r.vendor: (r.rank, r.score)
        for r in score(
            WORKSPACE.template, WORKSPACE.vendors, Options(weights=shares(latency=60.0))
        ).rows
    }


def test_a_removed_override_no_longer_counts():
    at = _override_form("commercial_use")
    at.radio(key="session_value_bool").set_value("no")
    at.selectbox(key="session_confidence").select("verified")
    at.button(key="session_save").click().run()
    [saved] = at.session_state["session"].overrides
    assert saved.claim.value is False
    at.switch_page("scorecard/app/pages/compare.py").run()
    assert ranking(at) != expected()
    at.switch_page("scorecard/app/pages/session.py").run()
    at.button(key="session_remove_0").click().run()
    assert not at.exception
    assert at.session_state["session"].overrides == ()
    at.switch_page("scorecard/app/pages/compare.py").run()
    assert ranking(at) == expected()


def test_an_upload_over_the_cap_is_refused_before_it_is_read(monkeypatch):
    import scorecard.app.components as ui

    monkeypatch.setattr(ui, "MAX_FILE_BYTES", 1000)
    at = start()
    at.switch_page("scorecard/app/pages/session.py").run()
    at.file_uploader(key="session_upload").upload(
        "big.yaml", b"#" * 1001, "application/x-yaml"
    ).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["big\\.yaml is 1,001 bytes; the limit is 1,000."]
    assert at.session_state["session"].overrides == ()


def test_a_discontinued_vendor_says_so_on_its_page():
    at = start()
    at.switch_page("scorecard/app/pages/vendor.py").run()
    at.selectbox(key="vendor_choice").select("openai-sora").run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "This service is discontinued: it fails the availability gate."
    ]


def _plain(markdown: str) -> str:
    """Markdown the page escaped, read as the text it shows."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_the_vendor_page_sends_a_questionnaire_and_imports_the_answers(
    tmp_path, monkeypatch, downloads
):
    for folder in ("criteria", "vendors"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.setenv("SCORECARD_DATA", str(tmp_path))
    at = start()
    at.switch_page("scorecard/app/pages/vendor.py").run()
    at.selectbox(key="vendor_choice").select("kling-ai").run()
    buttons = {b.proto.label: b for b in at.get("download_button")}
    name, data = downloads[buttons["Questionnaire (Excel)"].proto.url]
    assert name.startswith("questionnaire-kling-ai-") and name.endswith(".xlsx")
    assert not (tmp_path / "vendors" / "responses").exists()
    buttons["Questionnaire (Excel)"].click().run()  # downloading records it as sent
    [sent] = (tmp_path / "vendors" / "responses" / "kling-ai").glob("sent-*.yaml")
    asked = len(yaml.safe_load(sent.read_text())["questions"])
    today = dt.date.today().isoformat()  # answered the day it was sent
    answers = {"generation_time": 90, "c2pa": "yes", "sdks": "=1+1"}
    book = openpyxl.load_workbook(io.BytesIO(data))
    answer_questionnaire(book, answers, ("Jane Doe", "Sales", ""), today, "https://example.com")
    out = io.BytesIO()
    book.save(out)
    filled = out.getvalue()
    at.file_uploader(key="vendor_rfi_upload_0").upload("kling.xlsx", filled, XLSX).run()
    assert not at.exception
    assert [_plain(e.value) for e in at.error] == ["kling.xlsx: 1 problem(s)."]
    [problem] = [c.value for c in at.code]
    assert re.fullmatch(
        r"kling\.xlsx:Questions!G\d+: \[formula\] sdks: a formula is not read "
        r"\(hint: type the value\)",
        problem,
    )
    said = [_plain(m.value) for m in at.markdown if "vendor answered" in m.value]
    assert any(s.startswith("- generation_time: vendor answered: 90 s (claimed") for s in said)
    assert "vendor_rfi_import" not in [b.key for b in at.button]  # not until the box is ticked
    at.checkbox(key="vendor_rfi_partial").check().run()
    at.button(key="vendor_rfi_import").click().run()
    assert not at.exception
    kept = tmp_path / "vendors" / "responses" / "kling-ai" / f"{today}.yaml"
    assert kept.read_text().startswith("# From kling.xlsx.\n# Not imported, to fix and import")
    assert [_plain(s.value) for s in at.success] == [
        f"Imported 2 answer(s) into vendors/responses/kling-ai/{kept.name}."
    ]
    shown = [_plain(i.value) for i in at.info if "vendor answered" in i.value]
    assert (
        f"vendor answered: 90 s (claimed, {today}) — desk research: unknown; the answer counts"
        in shown
    )
    at.switch_page("scorecard/app/pages/compare.py").run()
    [table] = [t.value for t in at.table if "Questionnaire" in t.value.columns]
    kling = table[table["Vendor"].str.replace("\\", "") == "Kling AI"]
    assert kling["Questionnaire"].tolist() == [f"answered, {asked - 2} open"]


def _stored() -> Store:
    return Store(os.environ["SCORECARD_DB"])


def _open(session_id: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["session"] = session_id
    return at.run()


def test_every_change_is_stored_and_the_link_reopens_the_session():
    at = start()
    kept = _stored()
    id_ = at.session_state["stored"][0]
    assert kept.get(id_).session == at.session_state["session"]
    at.slider(key="compare_w_latency").set_value(80.0).run()
    at.radio(key="compare_missing").set_value("neutral").run()
    assert [(e.seq, e.kind) for e in kept.events(id_)] == [
        (1, "created"),
        (2, "weight"),
        (3, "policy"),
    ]
    assert kept.events(id_)[2].detail == {"missing": [None, "neutral"]}
    # A new browser session with the link (a refresh, another tab, after a restart) shows it.
    again = _open(id_)
    assert not again.exception and not again.warning
    assert again.session_state["session"] == at.session_state["session"]
    assert again.session_state["stored"] == (id_, 3)
    assert (
        ranking(again) == ranking(at) == expected(weights=shares(latency=80.0), missing="neutral")
    )
    assert kept.verify(id_) == []


def test_a_change_made_elsewhere_shows_and_a_stale_change_is_not_kept():
    first = start()
    id_ = first.session_state["stored"][0]
    second = _open(id_)
    first.slider(key="compare_w_latency").set_value(80.0).run()
    # The second page has not rerun since: its change is made on the old version.
    second.radio(key="compare_missing").set_value("neutral").run()
    assert [w.value for w in second.warning] == [
        "Someone changed this session at the same time: their change is shown, and yours was "
        "not kept. Make it again if it still applies."
    ]
    assert second.session_state["session"] == first.session_state["session"]
    assert second.session_state["session"].missing is None
    assert ranking(second) == expected(weights=shares(latency=80.0))
    # Made again, on the version now shown, it is kept; the first page sees it when it reruns.
    second.radio(key="compare_missing").set_value("neutral").run()
    assert not second.warning
    first.run()
    assert first.session_state["session"].missing == "neutral"
    assert [e.kind for e in _stored().events(id_)] == ["created", "weight", "policy"]


def test_a_link_to_an_unknown_session_starts_a_new_one_and_says_so():
    at = _open("no-such-session")
    assert not at.exception
    assert [w.value for w in at.warning] == [
        f"no session 'no-such-session' in {_stored().where}: a new session was started."
    ]
    assert at.session_state["stored"][0] != "no-such-session"


def test_without_a_database_the_app_works_and_says_changes_are_not_saved(monkeypatch, tmp_path):
    monkeypatch.setenv("SCORECARD_DB", f"sqlite:///{tmp_path}/missing/folder/sessions.db")
    at = start()
    (notice,) = [w.value for w in at.warning]
    assert notice.startswith("Changes are not being saved: cannot open the session database")
    at.slider(key="compare_w_latency").set_value(80.0).run()
    assert ranking(at) == expected(weights=shares(latency=80.0))


def _button(at: AppTest, label: str):
    [found] = [b for b in at.button if b.label == label]
    return found


def _member_page(session_id: str, token: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["session"] = session_id
    at.query_params["token"] = token
    at.run()
    at.switch_page("scorecard/app/pages/panel.py").run()
    assert not at.exception
    return at


def _invite(at: AppTest, name: str, role: str) -> str:
    at.text_input(key="panel_invite_name").input(name)
    at.selectbox(key="panel_invite_role").set_value(role)
    _button(at, "Invite").click().run()
    [link] = [c.value for c in at.code if "token=" in c.value]
    return link.rsplit("token=", 1)[1]


def _start_panel(at: AppTest) -> None:
    """On the Panel page, Ana makes the session a panel (she facilitates)."""
    at.switch_page("scorecard/app/pages/panel.py").run()
    at.text_input(key="panel_start_name").input("Ana")
    _button(at, "Start a panel").click().run()


def _decide(at: AppTest, vendor: str, why: str) -> None:
    at.selectbox(key="panel_vendor").set_value(vendor)
    at.text_area(key="panel_rationale").input(why)
    _button(at, "Record the decision").click().run()


def test_a_panel_weighs_blind_reveals_and_signs_in_the_app(downloads):
    ana = start()
    id_ = ana.session_state["stored"][0]
    _start_panel(ana)
    assert not ana.exception
    assert ana.query_params["token"] == ana.session_state["token"]
    ben_token = _invite(ana, "Ben", "evaluator")
    pat_token = _invite(ana, "Pat", "approver")
    # Ben weighs with sliders: all on the first criterion.
    ben = _member_page(id_, ben_token)
    assert "You are Ben, evaluator." in ben.caption[0].value
    tops = [c.id for c in WORKSPACE.template.criteria]
    for c in tops:
        ben.slider(key=f"panel_slider_{c}").set_value(100 if c == tops[0] else 0)
    ben.run()
    _button(ben, "Submit my weights").click().run()
    assert [s.value.replace("\\", "") for s in ben.success] == ["Your weights are in."]
    # Blind: the facilitator sees that Ben submitted, not how.
    ana.run()
    [status] = [t.value for t in ana.dataframe if "Evaluator" in t.value.columns]
    assert status[["Evaluator", "How"]].values.tolist() == [["Ben", "hidden"]]
    # An approver cannot reach the weights form; a viewer's or approver's change is refused.
    pat = _member_page(id_, pat_token)
    assert not [b for b in pat.button if b.label == "Submit my weights"]
    _button(ana, "Reveal everyone's weights").click().run()
    [ranks] = [t.value for t in ana.dataframe if "Group" in t.value.columns]
    assert list(ranks.columns) == ["Rank", "Group", "Ben"]
    assert ranks["Group"].tolist() == ranks["Ben"].tolist()  # one evaluator: the group is Ben
    _button(ana, "Use the group's weights in this session").click().run()
    group = {c: 100.0 if c == tops[0] else 0.0 for c in tops}
    assert {c: ana.session_state["session"].weights[c] for c in tops} == group
    # The decision, signed, locks the session.
    _decide(ana, "runway", "Best on the criterion that matters")
    pat.run()
    _button(pat, "Sign").click().run()
    assert [s.value.replace("\\", "") for s in pat.success] == ["Signed."]
    ana.switch_page("scorecard/app/pages/compare.py").run()
    ana.slider(key="compare_w_latency").set_value(80.0).run()
    assert any("revision 1 is signed" in w.value for w in ana.warning)
    assert _stored().panel(id_).locked is not None
    assert _stored().verify(id_) == []
    # The decision record carries the panel, and no token.
    _, data = download(ana, downloads, "record")
    record = json.loads(data)
    assert record["panel"]["decision"]["vendor"] == "runway"
    assert [(s["name"], s["verdict"]) for s in record["panel"]["signatures"]] == [("Pat", "signed")]
    assert record["panel"]["submissions"][0]["weights"] == group
    assert record["panel"]["kendall_w"] is None  # one evaluator
    assert all(t not in data.decode() for t in (ana.session_state["token"], ben_token, pat_token))


def test_a_panel_rates_a_panel_scored_criterion_and_its_value_becomes_evidence():
    from scorecard.loading import dump_yaml
    from scorecard.session import SESSION_FORMAT, Session

    data = WORKSPACE.template.model_dump()
    for top in data["criteria"]:
        for leaf in top["criteria"]:
            leaf["panel_scored"] = leaf["id"] == "content_policy"
    rated = Session(
        format=SESSION_FORMAT,
        template=data,
        vendors=tuple(v.id for v in WORKSPACE.vendors),
    )
    ana = start()
    id_ = ana.session_state["stored"][0]
    ana.switch_page("scorecard/app/pages/session.py").run()
    ana.file_uploader(key="session_upload").upload(
        "rated.yaml", dump_yaml(rated).encode(), "application/x-yaml"
    ).run()
    _start_panel(ana)
    ben = _member_page(id_, _invite(ana, "Ben", "evaluator"))
    ben.selectbox(key="panel_rate_content_policy_runway").set_value(3)
    ben.run()
    ben.text_input(key="panel_why_content_policy_runway").input("appeals answered in a day")
    ben.run()
    _button(ben, "Submit my weights and ratings").click().run()
    assert not ben.exception
    ana.run()
    _button(ana, "Reveal everyone's weights").click().run()
    [table] = [t.value for t in ana.dataframe if "Ratings" in t.value.columns]
    assert table.values.tolist() == [
        ["Runway", "Content policy", 3.0, "The panel's median of 1 rating(s): Ben 3."]
    ]
    _button(ana, "Use the panel's ratings as evidence").click().run()
    [override] = ana.session_state["session"].overrides
    assert (override.vendor, override.criterion) == ("runway", "content_policy")
    assert override.claim.confidence == "verified" and override.claim.value == 3.0
    assert override.claim.sources[0].title == "Rating by Ben: appeals answered in a day"
    stored = _stored().get(id_).session
    assert stored.overrides == ana.session_state["session"].overrides
    rated_event = next(e for e in _stored().events(id_) if e.kind == "weight")
    assert rated_event.detail == {"submitted": "sliders", "ratings": 1}  # no weights, no levels


AUTH = {  # an [auth] section as .streamlit/secrets.toml holds it (never contacted here)
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-secret",
    "client_id": "scorecard",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://id.example.com/.well-known/openid-configuration",
}


def _logged_in(session_id: str, user: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["session"] = session_id
    at.secrets["auth"] = AUTH
    at.user = user
    at.run()
    at.switch_page("scorecard/app/pages/panel.py").run()
    assert not at.exception
    return at


def test_with_single_sign_on_a_member_is_who_they_log_in_as():
    ana = start()
    id_ = ana.session_state["stored"][0]
    kept = _stored()
    facilitator, _ = kept.start_panel(id_, name="Ana")
    kept.invite(id_, facilitator, name="Pat", role="approver", email="pat@example.com")
    pat = _logged_in(id_, {"is_logged_in": True, "email": "pat@example.com", "name": "Pat"})
    assert "You are Pat, approver." in pat.caption[0].value
    eve = _logged_in(id_, {"is_logged_in": True, "email": "eve@example.com"})
    assert [i.value.replace("\\", "").replace("\u2060", "") for i in eve.info] == [
        "You are logged in as eve@example.com, an address this panel has not invited."
    ]
    nobody = _logged_in(id_, {"is_logged_in": False})
    assert [b.label for b in nobody.button] == ["Log in"]


def test_a_panel_by_pairwise_and_swing_with_a_refusal_a_decline_and_a_new_revision():
    ana = start()
    id_ = ana.session_state["stored"][0]
    _start_panel(ana)
    tops = [c.id for c in WORKSPACE.template.criteria]
    cai = _member_page(id_, _invite(ana, "Cai", "evaluator"))
    dee = _member_page(id_, _invite(ana, "Dee", "evaluator"))
    pat = _member_page(id_, _invite(ana, "Pat", "approver"))
    # Cai: the first criterion 9 times the second, the second 9 times the third, but the
    # third as important as the first: inconsistent, and the page names the judgement to fix.
    cai.radio(key="panel_method").set_value("pairwise").run()
    cai.select_slider(key=f"panel_pair_{tops[0]}_{tops[1]}").set_value(Fraction(9))
    cai.select_slider(key=f"panel_pair_{tops[1]}_{tops[2]}").set_value(Fraction(9)).run()
    [warning] = [w.value for w in cai.warning]
    assert warning.startswith("Consistency ratio ") and "The judgement that would help most: " in (
        warning
    )
    _button(cai, "Submit my weights").click().run()
    assert _stored().submissions(id_, _stored().members(id_)[1])[0].submission.consistency > 0.1
    # Dee: swing weighting, the third criterion's swing first.
    dee.radio(key="panel_method").set_value("swing").run()
    dee.selectbox(key="panel_swing_best").set_value(tops[2]).run()
    dee.slider(key=f"panel_swing_{tops[0]}").set_value(0).run()
    _button(dee, "Submit my weights").click().run()
    ana.run()
    _button(ana, "Reveal everyone's weights").click().run()
    ana.radio(key="panel_aggregation").set_value("arithmetic").run()
    assert _stored().panel(id_).aggregation == "arithmetic"
    assert [m.value for m in ana.metric][:2] != ["—", "—"]  # W from two evaluators
    # Declining needs a reason: the refusal is said, and nothing is signed.
    _decide(ana, "runway", "Fits the brief")
    pat.run()
    _button(pat, "Decline").click().run()
    assert [e.value.replace("\\", "") for e in pat.error] == ["declining needs a comment: say why"]
    pat.text_area[0].input("Too dear")
    _button(pat, "Decline").click().run()
    pat.text_area[0].input("")
    _button(pat, "Sign").click().run()
    ana.run()
    _button(ana, "Start revision 2").click().run()
    assert _stored().panel(id_).revision == 2 and _stored().panel(id_).locked is None
    assert [(s.verdict, s.comment) for s in _stored().signatures(id_)] == [("signed", "")]
    # Revoked, Dee's link opens nothing.
    ana.selectbox(key="panel_revoke_who").set_value(_stored().members(id_)[2].id)
    _button(ana, "Revoke").click().run()
    dee.run()
    assert any("personal link" in w.value for w in dee.warning)
