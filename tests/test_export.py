"""Exports of the ranking: formula injection is neutralised; files are written atomically."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import json
import os
from pathlib import Path

import pytest
import time_machine
from conftest import ROOT, claim, leaf, rating, template, vendor

from scorecard import export
from scorecard.export.ranking import md, md_file, summary_markdown
from scorecard.loading import load_workspace
from scorecard.scoring import Options, score
from scorecard.session import compare

WORKSPACE = load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [ROOT / "vendors"])

NASTY = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.mark.parametrize("name", NASTY)
def test_csv_neutralises_formula_text_but_keeps_numbers(name):
    tpl = template(leaf("a", rating()))
    result = score(tpl, [vendor("v", a=claim(2)).model_copy(update={"name": name})])
    (row,) = csv.DictReader(io.StringIO(export.to_csv(result)))
    assert row["name"] == "'" + name
    assert float(row["score"]) == 50.0


def test_safe_cell_leaves_numbers_alone():
    assert export.safe_cell(-3) == -3
    assert export.safe_cell(-0.5) == -0.5
    assert export.safe_cell("plain") == "plain"
    assert export.safe_cell("-x") == "'-x"


def test_markdown_escapes_table_syntax():
    tpl = template(leaf("a", rating()))
    result = score(tpl, [vendor("v", a=claim(2)).model_copy(update={"name": "A | B\nC"})])
    assert "| A \\| B C |" in export.to_markdown(result)


def test_json_rounds_but_keeps_every_field():
    # a is 1/3 of the weight, b 2/3. a: 1 of 0-4 confirmed = 0.25; b: 3 of 0-4 reported x 0.8 =
    # 0.6. Score 100 x (0.25/3 + 0.6 x 2/3) = 48.3333...; thirds show to six decimals.
    tpl = template(
        leaf("a", rating()),
        leaf("b", rating(), weight=2),
        gates=[{"id": "g", "name": "G", "criterion": "b", "require": 1}],
    )
    result = score(tpl, [vendor("v", a=claim(1), b=claim(3, "reported"))])
    assert json.loads(export.to_json(result)) == {
        "template": {"id": "t", "version": "1"},
        "method": "wsm",
        "profile": None,
        "policies": {
            "missing": "worst",
            "confidence": True,
            "open_gates": "include",
            "stale": "full",
        },
        "as_of": None,
        "ranking": [
            {
                "vendor": "v",
                "name": "V",
                "rank": 1,
                "score": 48.333333,
                "passed_gates": True,
                "failed_gates": [],
                "open_gates": [],
                "stale": [],
                "contributions": {"a": 8.333333, "b": 40.0},
                "coverage": {
                    "verified": 0.0,
                    "confirmed": 0.333333,
                    "reported": 0.666667,
                    "claimed": 0.0,
                    "unknown": 0.0,
                },
            }
        ],
    }


def test_write_atomic_replaces_whole_files(tmp_path):
    target = tmp_path / "out.txt"
    export.write_atomic(target, "first")
    export.write_atomic(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary left behind


def test_write_atomic_writes_text_as_utf8_and_bytes_as_they_are(tmp_path):
    export.write_atomic(tmp_path / "t.md", "Kling — 快手")
    export.write_atomic(tmp_path / "b.bin", b"\x00\xff")
    assert (tmp_path / "t.md").read_bytes() == "Kling — 快手".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_and_names_the_file(
    tmp_path, monkeypatch
):
    target = tmp_path / "sheet.csv"
    target.write_text("old")
    seen = []

    def refuse(src, dst):
        seen.append(Path(src))
        raise OSError(errno.ENOSPC, "No space left on device", str(src))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError) as caught:
        export.write_atomic(target, "new")
    assert (caught.value.errno, caught.value.strerror, caught.value.filename) == (
        errno.ENOSPC,
        "No space left on device",
        str(target),
    )
    (tmp,) = seen  # written beside the file, hidden, named after it
    assert tmp.parent == tmp_path and tmp.name.startswith(".sheet.csv.")
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.csv"]
    assert target.read_text() == "old"


def test_a_write_into_a_missing_folder_names_the_file_asked_for(tmp_path):
    target = tmp_path / "no-such-folder" / "sheet.csv"
    with pytest.raises(OSError) as caught:
        export.write_atomic(target, "new")
    assert (caught.value.errno, caught.value.filename) == (errno.ENOENT, str(target))
    assert caught.value.strerror == "No such file or directory"


def test_an_interrupted_write_leaves_no_temporary(tmp_path, monkeypatch):
    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        export.write_atomic(tmp_path / "sheet.csv", "new")
    assert list(tmp_path.iterdir()) == []


def test_the_plain_table_aligns_its_columns_and_names_its_choices():
    tpl = template(
        leaf("a", rating()),
        leaf("b", rating(), weight=2),
        gates=[{"id": "g", "name": "Needs b", "criterion": "b", "require": 1}],
    )
    result = score(tpl, [vendor("v", a=claim(1), b=claim(3, "reported")), vendor("w", a=claim(4))])
    assert export.to_table(result).splitlines() == [
        "weighted sum · t v1 · profile default · missing: worst · confidence: on · "
        "open must-haves: include · stale: full",
        "method: weighted sum: each criterion's utility times its share of the weight, added up",
        "rank  vendor  score  must-haves           evidence",
        "   1  V        48.3  pass                 33% confirmed, 0% unknown",
        "   2  W        33.3  open: Needs b — ask  33% confirmed, 67% unknown",
    ]


def test_the_csv_holds_every_column_to_six_decimals():
    tpl = template(
        {"id": "g1", "name": "G1", "weight": 1, "criteria": [leaf("a", rating())]},
        {"id": "g2", "name": "G2", "weight": 2, "criteria": [leaf("b", rating())]},
        gates=[
            {"id": "ga", "name": "GA", "criterion": "a", "require": 3},
            {"id": "gb", "name": "GB", "criterion": "b", "require": 3},
        ],
    )
    vendors = [vendor("v", a=claim(1), b=claim(3, "reported")), vendor("w", a=claim(2), b=claim(1))]
    assert export.to_csv(score(tpl, vendors)).splitlines() == [
        '"rank","vendor","name","score","passed_gates","failed_gates","points_g1","points_g2",'
        '"evidence_verified","evidence_confirmed","evidence_reported","evidence_claimed",'
        '"evidence_unknown"',
        '1,"v","V",48.333333,False,"ga",8.333333,40.0,0.0,0.333333,0.666667,0.0,0.0',
        '2,"w","W",33.333333,False,"ga gb",16.666667,16.666667,0.0,1.0,0.0,0.0,0.0',
    ]
    # With no vendor there are no criteria's points to name: the other columns remain.
    assert export.to_csv(score(tpl, [])).splitlines() == [
        '"rank","vendor","name","score","passed_gates","failed_gates","evidence_verified",'
        '"evidence_confirmed","evidence_reported","evidence_claimed","evidence_unknown"'
    ]


DAY = dt.date(2026, 11, 26)
THREE = [v for v in WORKSPACE.vendors if v.id in ("kling-ai", "runway", "alibaba-wan")]


@time_machine.travel(DAY, tick=False)
@pytest.mark.parametrize("fmt", export.FORMATS)
@pytest.mark.parametrize(
    "options",
    [
        Options(profile="legal", as_of=DAY, gates={"eu_uk": True}),
        Options(method="topsis", missing="neutral", confidence=False, stale="unknown", as_of=DAY),
    ],
    ids=["legal-eu-gate", "topsis-neutral-undiscounted-stale-unknown"],
)
def test_each_format_is_what_was_reviewed(options, fmt, snapshot):
    """The ranking of three shipped vendors in each format, and the summary above it, against
    the reviewed copy in __snapshots__/ (`pytest --snapshot-update` records a meant change)."""
    comparison = compare(WORKSPACE.template, THREE, options)
    shown = export.render(comparison.result, fmt)
    assert "\n".join([*summary_markdown(comparison.summary), "", shown]) == snapshot


def test_md_escapes_every_markdown_html_latex_and_icon_character():
    specials = "\\`*_{}[]()<>#+-.!|~$:&"
    assert md(f"a{specials}b") == "a" + "".join(f"\\{c}" for c in specials) + "b"
    assert md("two\nlines\t and  spaces") == "two lines and spaces"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://x.io", "https\\:\u2060//x\\.io"),
        ("WWW.example.com", "WWW\u2060\\.example\\.com"),
        ("a@b.co", "a\u2060@b\\.co"),
        ("mail: x", "mail\\: x"),  # a colon alone is only escaped
    ],
)
def test_md_leaves_nothing_a_renderer_could_turn_into_a_link(text, shown):
    assert md(text) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("12. item", "12\\. item"),
        ("3) item", "3\\) item"),
        ("-x, 1.5 s, a # b", "-x, 1.5 s, a # b"),  # not at the start of a block: plain
    ],
)
def test_md_file_keeps_text_from_starting_a_heading_or_a_list(text, shown):
    assert md_file(text) == shown


def test_json_keeps_names_as_written():
    tpl = template(leaf("a", rating()))
    result = score(tpl, [vendor("v", a=claim(2)).model_copy(update={"name": "Kling — 快手"})])
    assert '"name": "Kling — 快手"' in export.to_json(result)
