"""The HTML report, the Markdown page, the decision record and `reproduce`."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, SOURCE, claim, leaf, rating, template, vendor

from scorecard.cli import main
from scorecard.export import export_file, format_for
from scorecard.export.html import to_html
from scorecard.export.markdown import markdown_report
from scorecard.export.record import (
    _differences,
    decision_record,
    digest,
    reproduce,
    to_json,
)
from scorecard.loading import (
    MAX_FILE_BYTES,
    LoadError,
    dump_yaml,
    load_record,
    load_template,
    load_workspace,
)
from scorecard.model import Claim
from scorecard.scoring import Options
from scorecard.session import (
    SESSION_FORMAT,
    DecisionRecord,
    Override,
    RecordedFile,
    Session,
    change_text,
    changes,
    compare,
)

TODAY = dt.date(2026, 11, 25)
NASTY = '<script>alert(1)</script><img src="https://evil.example/x.png"> & "quotes"'


def _workspace(root=ROOT):
    return load_workspace(root / "criteria" / "ai-video-enterprise.yaml", [root / "vendors"])


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.html
def test_html_is_self_contained_and_escapes_vendor_text():
    ws = _workspace()
    pika = next(v for v in ws.vendors if v.id == "pika")
    evil = pika.model_copy(update={"name": NASTY, "description": NASTY})
    vendors = [evil if v.id == "pika" else v for v in ws.vendors]
    html = to_html(compare(ws.template, vendors), TODAY, "test")
    parser = _Collect()
    parser.feed(html)
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert "svg" in tags  # the chart, inline
    sources = [s for v in vendors for c in v.claims.values() for s in c.sources]
    sources += [s for v in vendors for f in v.funding_context for s in f.sources]
    evidence = {u for s in sources for u in (s.url, s.via) if u}
    evidence |= {v.website for v in vendors if v.website}
    for tag, attrs in parser.tags:
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name) or ""
            if re.match(r"https?://", value):
                assert tag == "a" and value in evidence, (tag, value)
    assert "url(http" not in html and "@import" not in html
    assert NASTY in "".join(parser.text)  # shown as text, exactly
    assert "&lt;script&gt;" in html


def test_markdown_page_has_every_vendor_and_escapes_text():
    ws = _workspace()
    hostile = "<b>x</b> [l](http://e.invalid) *y* | z"
    vendors = [
        v.model_copy(update={"company": hostile}) if v.id == "pika" else v for v in ws.vendors
    ]
    page = markdown_report(compare(ws.template, vendors, Options(profile="legal")), TODAY)
    assert "\\<b\\>x\\</b\\> \\[l\\](http:\u2060//e.invalid) \\*y\\* \\| z" in page
    assert hostile not in page and "<b>" not in page
    assert page.startswith("# Vendor comparison: AI video generation")
    # summary, ranking, weights, gates, one per vendor
    assert page.count("\n## ") == 4 + len(ws.vendors)
    assert (
        "](https://docs.qingque.cn/d/home/eZQCQxBrX8eeImjK6Ddz5iOi5?identityId=1oEFzU43FYK)" in page
    )
    assert "profile legal" in page


def _record(tmp_path, options=None, overrides=()):
    for folder in ("criteria", "vendors"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    ws = load_workspace(tmp_path / "criteria" / "ai-video-enterprise.yaml", [tmp_path / "vendors"])
    comparison = compare(ws.template, ws.vendors, options, overrides)
    record = decision_record(
        comparison,
        files={str(p).replace(f"{tmp_path}/", ""): h for p, h in ws.files.items()},
        vendor_files={v: p.replace(f"{tmp_path}/", "") for v, p in ws.vendor_files.items()},
        template_path="criteria/ai-video-enterprise.yaml",
        created=dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC),
        version="test",
    )
    return record, comparison


def test_a_fresh_record_reproduces(tmp_path):
    override = Override.model_validate(
        {
            "vendor": "runway",
            "criterion": "generation_time",
            "claim": {
                "value": 90,
                "unit": "s",
                "confidence": "verified",
                "sources": [
                    {"title": "Pilot", "publisher": "Buyer", "kind": "buyer", "date": "2026-11-20"}
                ],
            },
        }
    )
    record, comparison = _record(
        tmp_path, Options(profile="security", missing="exclude"), [override]
    )
    assert len(record.files) == 13 and sum(f.vendor is not None for f in record.files) == 12
    path = tmp_path / "record.json"
    from scorecard.export.record import to_json

    path.write_text(to_json(record))
    loaded = load_record(path)
    assert loaded == record
    assert reproduce(loaded, tmp_path) == []
    data = json.loads(path.read_text())
    assert data["session"]["overrides"][0]["vendor"] == "runway"
    assert data["result"]["ranking"][0]["score"] == comparison.result.rows[0].score


def test_reproduce_names_the_changed_file_and_the_vendor(tmp_path):
    record, _ = _record(tmp_path)
    path = tmp_path / "vendors" / "runway.yaml"
    path.write_text(path.read_text().replace("value: 1247", "value: 1390"))
    found = reproduce(record, tmp_path)
    assert found[0].startswith("changed: vendors/runway.yaml (sha256 was ")
    assert any(line.startswith("runway: score ") for line in found)
    (tmp_path / "vendors" / "pika.yaml").unlink()
    found = reproduce(record, tmp_path)
    assert "missing: vendors/pika.yaml" in found
    assert "pika: not scored now (its file is missing or invalid)" in found


@pytest.mark.html
def test_export_file_dispatches_every_format(tmp_path):
    ws = _workspace()
    comparison = compare(ws.template, ws.vendors)
    found: dict[str, bytes] = {}
    for fmt in ("xlsx", "html", "md", "csv", "record"):
        data = export_file(
            fmt,
            comparison,
            version="t",
            created=dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
            files=ws.files,
            vendor_files=ws.vendor_files,
            template_path=None,
        )
        found[fmt] = data
    # Each format is itself, not another one under its name.
    assert found["xlsx"][:2] == b"PK"
    book = openpyxl.load_workbook(io.BytesIO(found["xlsx"]))
    assert book.sheetnames[0] == "Summary"
    assert found["html"].startswith(b"<!DOCTYPE html>")
    assert found["md"].startswith(b"# Vendor comparison: ")
    assert found["csv"].startswith(b'"rank","vendor","name","score"')
    assert json.loads(found["record"])["format"] == "scorecard-decision-record/2"
    assert [format_for(n) for n in ("a.XLSX", "b.htm", "c.md", "d.csv", "e.json", "f.pdf")] == [
        "xlsx",
        "html",
        "md",
        "csv",
        "record",
        None,
    ]
    with pytest.raises(ValueError, match="unknown export format"):
        export_file(
            "pdf",
            comparison,
            version="t",
            created=dt.datetime.now(dt.UTC),
            files={},
            vendor_files={},
            template_path=None,
        )


def test_the_record_keeps_the_policies_as_applied_and_the_summary(tmp_path):
    # Defaults included: a reader of the record sees that silence on a must-have was a question
    # to ask, not a no, and on which day staleness was judged.
    options = Options(as_of=dt.date(2026, 11, 26))
    record, comparison = _record(tmp_path, options)
    assert (record.session.open_gates, record.session.stale) == ("include", "full")
    assert record.session.as_of == dt.date(2026, 11, 26)
    assert record.result["policies"] == {
        "missing": "worst",
        "confidence": True,
        "open_gates": "include",
        "stale": "full",
    }
    assert record.summary["recommendation"] == comparison.summary.recommendation
    assert record.summary["choices"]["Open must-haves"].startswith("include: ")
    strict, _ = _record(tmp_path / "strict", Options(open_gates="exclude"))
    assert strict.session.open_gates == "exclude"
    assert "exclude: silence on a must-have counts as no" in strict.summary["choices"].values()
    assert reproduce(record, tmp_path) == []


def _invalid_now(tmp_path):
    record, _ = _record(tmp_path)
    runway = tmp_path / "vendors" / "runway.yaml"
    runway.write_text(runway.read_text().replace("confidence: confirmed", "confidence: sure", 1))
    found = reproduce(record, tmp_path)
    assert found[0].startswith("changed: vendors/runway.yaml (sha256 was ")
    assert "invalid now: vendors/runway.yaml (1 problem(s))" in found
    assert "runway: not scored now (its file is missing or invalid)" in found
    template = tmp_path / "criteria" / "ai-video-enterprise.yaml"
    template.write_text(template.read_text().replace("missing: worst", "missing: wrost", 1))
    return record, reproduce(record, tmp_path)


def test_reproduce_says_which_file_is_invalid_now(tmp_path):
    _, found = _invalid_now(tmp_path)
    assert found[-1] == "invalid now: criteria/ai-video-enterprise.yaml (1 problem(s))"


@pytest.mark.cli
def test_the_command_line_says_what_is_invalid_now_and_fails(tmp_path, capsys, monkeypatch):
    record, found = _invalid_now(tmp_path)
    (tmp_path / "record.json").write_text(to_json(record))
    monkeypatch.chdir(tmp_path)
    assert main(["reproduce", "record.json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"not reproduced: {len(found)} difference(s)")
    assert "  invalid now: criteria/ai-video-enterprise.yaml (1 problem(s))" in err


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (vendor("w", a=claim(1), b=claim(True)), "V leads with 66.7, 16.7 points ahead of W"),
        (vendor("w", a=claim(2), b=claim(True)), "V leads with 66.7, level with W"),
        # W scores higher, but the evidence fails it on the must-have: V is not 'level' with it.
        (
            vendor("w", a=claim(4), b=claim(False)),
            "V leads with 66.7, the only vendor the evidence does not fail on a must-have",
        ),
    ],
)
def test_the_recommendation_measures_the_lead_against_the_next_vendor_that_passes(second, expected):
    tpl = template(
        leaf("a", rating(), weight=2),
        leaf("b", {"type": "boolean"}),
        gates=[{"id": "g", "name": "Allowed", "criterion": "b", "require": True}],
    )
    comparison = compare(tpl, [vendor("v", a=claim(2), b=claim(True)), second])
    assert comparison.summary.recommendation.split(";")[0] == expected


def test_the_summary_with_no_vendor_or_none_that_passes():
    tpl = template(
        leaf("a", rating(), weight=2),
        leaf("b", {"type": "boolean"}),
        gates=[{"id": "g", "name": "Allowed", "criterion": "b", "require": True}],
    )
    empty = compare(tpl, []).summary
    assert (empty.recommendation, empty.certainty, empty.questions) == (
        "No vendor is chosen.",
        "",
        (),
    )
    failing = [vendor("v", a=claim(2), b=claim(False)), vendor("w", a=claim(1), b=claim(False))]
    assert compare(tpl, failing).summary.recommendation == (
        "No vendor meets every must-have on the evidence: V scores highest (33.3) but fails: "
        "Allowed."
    )


def _small_record():
    """A record of a small comparison with a gate, an override and a situation."""
    tpl = template(
        leaf("a", rating(), weight=2),
        leaf("b", rating()),
        gates=[{"id": "need_b", "name": "Needs B", "criterion": "b", "require": 2}],
        conditions={"api": {"name": "Through the API", "holds": True}},
    )
    vendors = [
        vendor("v", a=claim(3), b=claim(2, "reported", condition=["api"])),
        vendor("w", a=claim(4, "claimed"), b=claim(None, "unknown")).model_copy(
            update={"name": "Wé — 快手"}  # written as it is, not escaped
        ),
    ]
    override = Override.model_validate(
        {"vendor": "w", "criterion": "b", "claim": {**claim(1, "verified"), "note": "pilot"}}
    )
    options = Options(
        method="topsis",
        weights={"a": 3},
        missing="neutral",
        confidence=False,
        gates={"available": False},
        conditions={"api": True},
        as_of=dt.date(2026, 11, 26),
    )
    return decision_record(
        compare(tpl, vendors, options, [override]),
        files={"criteria/t.yaml": "0" * 64, "vendors/v.yaml": "1" * 64, "vendors/w.yaml": "2" * 64},
        vendor_files={"v": "vendors/v.yaml", "w": "vendors/w.yaml"},
        template_path="criteria/t.yaml",
        created=dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC),
        version="test",
    )


def test_the_decision_record_is_what_was_reviewed(snapshot):
    """Every field of a record (the session as chosen, policies as applied, the ranking in
    detail, the summary and the digest) against the reviewed copy in __snapshots__/."""
    assert to_json(_small_record()) == snapshot


def test_a_record_over_a_megabyte_loads(tmp_path):
    """A record carries its template: it may be larger than the 1 MB a YAML file may be."""
    path = tmp_path / "r.json"
    text = to_json(_small_record())
    path.write_text(text[:-2] + " " * 1_100_000 + text[-2:])
    assert load_record(path) == _small_record()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "r.json: [empty] the file is empty"),
        ("[1, 2]", "r.json:1:1: [type] a decision record is a JSON object"),
        (
            '{"format": "x"}',
            "r.json:1:12: [choice] format: 'x' is not one of scorecard-decision-record/2",
        ),
        (
            to_json(_small_record()).replace(
                '{\n  "format"', '{"tool": "scorecard",\n  "format"', 1
            ),
            "r.json:3:3: [yaml-duplicate-key] tool: key 'tool' appears twice (first on line 1) "
            "(hint: remove one; YAML would silently keep only the last)",
        ),
    ],
    ids=["empty", "a-list", "a-wrong-format", "a-key-twice"],
)
def test_a_record_that_cannot_be_read_says_where(tmp_path, text, expected):
    path = tmp_path / "r.json"
    path.write_text(text)
    with pytest.raises(LoadError) as caught:
        load_record(path)
    assert caught.value.report.files == [str(path)]
    assert str(caught.value.report.problems[0]).replace(f"{tmp_path}/", "") == expected


def test_a_difference_shows_both_values_as_written():
    then = {"name": "Wé", "score": 50.0, "gates": ["a"], "rank": 1, "old": 0}
    now = {"name": "Vé", "score": 50.0001, "gates": ["b"], "new": True, "rank": 1.00000001}
    assert _differences(then, now, "") == [
        'name "Wé" -> "Vé"',
        "score 50.000000 -> 50.000100",  # beyond a millionth of the score
        'gates[0] "a" -> "b"',
        "old: only in the record",
        "new: only now",
    ]


# The record's own checks, on a small project written to disk.

SMALL = template(leaf("a", rating(), weight=2), leaf("b", rating()))


def _small_project(root: Path) -> DecisionRecord:
    (root / "criteria").mkdir(parents=True)
    (root / "vendors").mkdir()
    (root / "criteria" / "t.yaml").write_text(dump_yaml(SMALL))
    linked = {"sources": [{**SOURCE, "url": "https://example.com/docs"}]}
    for v in (
        vendor("v", a=claim(3, **linked), b=claim(1, **linked)),
        vendor("w", a=claim(1, **linked), b=claim(4, **linked)),
    ):
        (root / "vendors" / f"{v.id}.yaml").write_text(dump_yaml(v))
    ws = load_workspace(root / "criteria" / "t.yaml", [root / "vendors"])

    def rel(path: str) -> str:
        return str(Path(path).relative_to(root))

    return decision_record(
        compare(ws.template, ws.vendors),
        files={rel(p): h for p, h in ws.files.items()},
        vendor_files={v: rel(p) for v, p in ws.vendor_files.items()},
        template_path="criteria/t.yaml",
        created=dt.datetime(2026, 11, 26, tzinfo=dt.UTC),
        version="test",
    )


def _signed(record: DecisionRecord, **update) -> DecisionRecord:
    changed = record.model_copy(update=update)
    return changed.model_copy(update={"digest": digest(changed)})


def test_a_small_record_reproduces_and_an_edit_shows(tmp_path):
    record = _small_project(tmp_path)
    assert reproduce(record, tmp_path) == []
    result = copy.deepcopy(record.result)
    result["ranking"][0]["score"] += 1
    assert reproduce(record.model_copy(update={"result": result}), tmp_path) == [
        "edited: the record's content does not match its digest",
        f"v: score {result['ranking'][0]['score']:.6f} -> "
        f"{record.result['ranking'][0]['score']:.6f}",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "",
        "/etc/passwd",
        "../outside.yaml",
        "vendors/../../outside.yaml",
        "vendors/../vendors/v.yaml",  # inside, but not a plain path
        "vendors\\v.yaml",
    ],
)
def test_reproduce_refuses_a_path_that_is_not_inside_the_project(tmp_path, name):
    record = _small_project(tmp_path / "project")
    files = (*record.files, RecordedFile(path=name, sha256="0" * 64))
    found = reproduce(_signed(record, files=files), tmp_path / "project")
    assert found == [f"refused: {name!r} is not a path inside the project folder"]


def test_reproduce_refuses_a_link_that_leads_out_of_the_project(tmp_path):
    record = _small_project(tmp_path / "project")
    (tmp_path / "secret.yaml").write_text("x")
    (tmp_path / "project" / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    files = (*record.files, RecordedFile(path="link.yaml", sha256="0" * 64))
    found = reproduce(_signed(record, files=files), tmp_path / "project")
    assert found == ["refused: 'link.yaml' is not a path inside the project folder"]


@pytest.mark.parametrize(("extra", "refused"), [(0, False), (1, True)])
def test_reproduce_reads_a_file_up_to_the_limit(tmp_path, extra, refused):
    record = _small_project(tmp_path)
    path = tmp_path / "vendors" / "v.yaml"
    text = path.read_text()
    path.write_text(text + "#" * (MAX_FILE_BYTES - len(text.encode()) - 1 + extra) + "\n")
    found = reproduce(record, tmp_path)
    if refused:
        assert found[0] == f"refused: vendors/v.yaml is over {MAX_FILE_BYTES:,} bytes"
    else:
        was = next(f.sha256 for f in record.files if f.path == "vendors/v.yaml")
        now = hashlib.sha256(path.read_bytes()).hexdigest()
        assert found == [f"changed: vendors/v.yaml (sha256 was {was[:12]}…, now {now[:12]}…)"]


@pytest.mark.parametrize(
    ("then", "now", "expected"),
    [
        ({"a": 1}, [1], ['x {"a": 1} -> [1]']),
        ([1], 2, ["x [1] -> 2"]),
        ([1, 2], [1, 3], ["x[1] 2 -> 3"]),
        ([1], [1, 2], ["x [1] -> [1, 2]"]),
        (True, False, ["x true -> false"]),
        (1, "1", ['x 1 -> "1"']),
        (0, 1e-9, []),  # within the tolerance, exactly
        (0, 2e-9, ["x 0 -> 0.000000"]),
        (1e6, 1e6 + 1, []),  # a millionth of the value
        (1e6, 1e6 + 1.5, ["x 1000000.000000 -> 1000001.500000"]),
    ],
)
def test_two_values_differ_as_a_reader_would_say(then, now, expected):
    assert _differences(then, now, "x") == expected


def test_a_session_gives_every_option_it_holds():
    session = Session(
        format="scorecard-session/1",
        template=SMALL,
        vendors=("v",),
        profile=None,
        weights={"a": 3},
        gates={"available": False},
        missing="exclude",
        confidence=False,
        method="topsis",
        conditions={},
        open_gates="exclude",
        stale="discount",
    )
    day = dt.date(2026, 11, 26)
    assert session.options(day) == Options(
        method="topsis",
        weights={"a": 3},
        gates={"available": False},
        missing="exclude",
        confidence=False,
        open_gates="exclude",
        stale="discount",
        as_of=day,
    )
    assert session.model_copy(update={"as_of": dt.date(2026, 1, 2)}).options(day).as_of == (
        dt.date(2026, 1, 2)
    )


def test_reproduce_scores_a_template_edited_in_the_app_from_the_record(tmp_path):
    record = _small_project(tmp_path)
    files = tuple(f for f in record.files if f.vendor is not None)
    heavier = SMALL.model_copy(
        update={"criteria": (SMALL.criteria[0].model_copy(update={"weight": 9}), SMALL.criteria[1])}
    )
    edited = _signed(
        record,
        template_path=None,
        files=files,
        session=record.session.model_copy(update={"template": heavier}),
    )
    found = reproduce(edited, tmp_path)
    assert found and all(line.startswith(("v: ", "w: ")) for line in found)  # rescored, a≫b
    assert reproduce(_signed(edited, session=record.session), tmp_path) == []


def test_reproduce_names_a_template_that_is_not_among_the_files(tmp_path):
    record = _small_project(tmp_path)
    files = tuple(f for f in record.files if f.vendor is not None)
    assert reproduce(_signed(record, files=files), tmp_path) == [
        "refused: the template 'criteria/t.yaml' is not among the files"
    ]
    (tmp_path / "criteria" / "t.yaml").unlink()
    assert reproduce(record, tmp_path) == ["missing: criteria/t.yaml"]


def test_reproduce_names_vendor_files_that_no_longer_fit(tmp_path):
    record = _small_project(tmp_path)
    session = record.session.model_copy(update={"vendors": ("v", "w", "x")})
    w_file = tmp_path / "vendors" / "w.yaml"
    w_file.write_text(w_file.read_text().replace("id: w", "id: x", 1))
    found = reproduce(_signed(record, session=session), tmp_path)
    assert found[:3] == [
        f"changed: vendors/w.yaml (sha256 was {record.files[2].sha256[:12]}…, now "
        f"{hashlib.sha256(w_file.read_bytes()).hexdigest()[:12]}…)",
        "x: no file in the record",
        "changed: vendors/w.yaml no longer holds vendor w",
    ]
    assert "w: not scored now (its file is missing or invalid)" in found
    only_v = record.session.model_copy(update={"vendors": ("v",)})
    found = reproduce(_signed(record, session=only_v), tmp_path)
    assert found[1] == "w: a file in the record, but not among its vendors"


@pytest.mark.parametrize(
    ("case", "why"),
    [
        ("not among its vendors", ["v: a file in the record, but not among its vendors"]),
        ("invalid", ["invalid now: vendors/v.yaml (1 problem(s))"]),
        ("another vendor's", ["changed: vendors/v.yaml no longer holds vendor v"]),
    ],
)
def test_reproduce_goes_on_past_a_vendor_it_cannot_score(tmp_path, case, why):
    record = _small_project(tmp_path)
    path = tmp_path / "vendors" / "v.yaml"
    was = path.read_bytes()
    if case == "not among its vendors":
        record = _signed(record, session=record.session.model_copy(update={"vendors": ("w",)}))
    elif case == "invalid":
        path.write_text("id: [\n")
    else:
        path.write_text(path.read_text().replace("id: v", "id: u", 1))
    changed = (
        [
            f"changed: vendors/v.yaml (sha256 was {hashlib.sha256(was).hexdigest()[:12]}…, now "
            f"{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}…)"
        ]
        if path.read_bytes() != was
        else []
    )
    assert reproduce(record, tmp_path) == [
        *changed,
        *why,
        "v: not scored now (its file is missing or invalid)",
        "w: rank 2 -> 1",  # w, after v, is still read, scored and compared
    ]


def test_reproduce_compares_the_header_and_refuses_a_result_without_a_ranking(tmp_path):
    record = _small_project(tmp_path)
    header = {**record.result, "method": "topsis", "extra": 1}
    assert reproduce(_signed(record, result=header), tmp_path) == [
        'method "topsis" -> "wsm"',
        "extra: only in the record",
    ]
    for broken in ({**record.result, "ranking": "none"}, {**record.result, "ranking": [1]}):
        assert reproduce(_signed(record, result=broken), tmp_path) == [
            "edited: the record's result holds no ranking to compare"
        ]


STORE_TEMPLATE = load_template(ROOT / "criteria" / "ai-video-enterprise.yaml")


def _stored_session(**changes_) -> Session:
    base = Session(format=SESSION_FORMAT, template=STORE_TEMPLATE, vendors=("kling-ai", "runway"))
    return base.model_copy(update=changes_)


def test_the_history_records_what_changed_field_by_field():
    claim = Claim(confidence="unknown", note="to measure in our pilot")
    before = _stored_session(weights={"latency": 1.0}, missing="worst")
    after = before.model_copy(
        update={
            "weights": {"latency": 2.0, "cost": 0.5},
            "missing": "neutral",
            "overrides": (Override(vendor="kling-ai", criterion="generation_time", claim=claim),),
            "as_of": dt.date(2026, 11, 27),
        }
    )
    assert changes(before, after) == (
        "weight",
        {
            "weights": {"cost": [None, 0.5], "latency": [1.0, 2.0]},
            "missing": ["worst", "neutral"],
            "as_of": [None, "2026-11-27"],
            "overrides": {"added": ["kling-ai/generation_time"], "removed": []},
        },
    )
    assert changes(after, before)[1]["overrides"] == {
        "added": [],
        "removed": ["kling-ai/generation_time"],
    }
    other = STORE_TEMPLATE.model_copy(update={"version": "9"})
    assert changes(before, before.model_copy(update={"template": other})) == (
        "template",
        {"template": [f"{STORE_TEMPLATE.id} {STORE_TEMPLATE.version}", f"{STORE_TEMPLATE.id} 9"]},
    )
    assert changes(before, before.model_copy(update={"vendors": ("runway",)})) == (
        "vendors",
        {"vendors": [["kling-ai", "runway"], ["runway"]]},
    )
    assert changes(before, before) == ("none", {})
    assert change_text(changes(before, after)[1]) == (
        "weights cost: not set → 0.5; weights latency: 1 → 2; missing: worst → neutral; "
        "as_of: not set → 2026-11-27; override added: kling-ai/generation_time"
    )
    assert change_text({"gates": {"eu": [None, True]}, "vendors": [["a", "b"], []]}) == (
        "gates eu: not set → yes; vendors: a, b → none"
    )
    assert change_text({"name": "Video RFP"}) == "name: Video RFP"
    assert change_text({"weights": {"a": [1.0, 2.0]}, "gates": {"eu": [True, False]}}) == (
        "weights a: 1 → 2; gates eu: yes → no"
    )
    unchanged = before.model_copy(update={"weights": {"latency": 1.0, "cost": 0.5}})
    moved = before.model_copy(update={"weights": {"latency": 2.0, "cost": 0.5}})
    assert changes(unchanged, moved) == ("weight", {"weights": {"latency": [1.0, 2.0]}})
