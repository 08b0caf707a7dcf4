"""Hostile input, one test per finding of the hardening review (issue 9): no file outside the
data is read, no input crashes a command or a page, and the limits hold. The browser half (no
request leaves the page) is in test_browser.py."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import (
    HOSTILE,
    ROOT,
    claim,
    edit_template_weights,
    hostile_data,
    page_texts,
    template,
    vendor,
)
from streamlit.testing.v1 import AppTest

from scorecard.cli import main
from scorecard.export import to_csv, write_atomic
from scorecard.export.charts import MAX_CHART_VENDORS
from scorecard.export.html import to_html
from scorecard.export.record import reproduce
from scorecard.loading import (
    MAX_DEPTH,
    LoadError,
    load_record,
    load_session,
    load_template,
    load_workspace,
    read_document,
    validate,
)
from scorecard.model import MAX_CRITERIA, MAX_VENDORS, Vendor
from scorecard.scoring import Options, ScoringError, score
from scorecard.session import compare

APP = str(ROOT / "streamlit_app.py")
SHIPPED = ROOT / "criteria" / "ai-video-enterprise.yaml"
WORKSPACE = load_workspace(SHIPPED, [ROOT / "vendors"])


def codes(exc: pytest.ExceptionInfo[LoadError]) -> list[tuple[str, str]]:
    return [(p.code, p.field) for p in exc.value.report.problems]


def shipped_text() -> str:
    return SHIPPED.read_text()


def session_text(**changes) -> str:
    data = {
        "format": "scorecard-session/1",
        "template": WORKSPACE.template.model_dump(mode="json"),
        "vendors": ["runway", "pika"],
        **changes,
    }
    return yaml.safe_dump(data, sort_keys=False)


# ---------------------------------------------------------------------------------------------
# 1. No server file through `extends`
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["/etc/shadow", "../vendors/runway.yaml", "criteria/x.yaml", "..", ".hidden.yaml"]
)
def test_extends_refuses_every_path(target, tmp_path):
    text = f"id: o\nname: O\nversion: '1'\nextends: {target}\n"
    with pytest.raises(LoadError) as upload:
        load_template("up.yaml", text, parents={"ai-video-enterprise.yaml": WORKSPACE.template})
    problems = upload.value.report.problems
    assert [(p.code, p.field, p.line) for p in problems] == [("pattern", "extends", 4)]
    assert problems[0].message == f"{target!r} is not the file name of a template"
    # The same on disk (the CLI): located, and nothing beside the file is read.
    (tmp_path / "o.yaml").write_text(text)
    assert [(p.code, p.field) for p in validate([tmp_path / "o.yaml"]).problems] == [
        ("pattern", "extends")
    ]


def test_an_upload_extends_only_the_templates_on_offer_and_never_reads_a_file(tmp_path):
    parents = {"ai-video-enterprise.yaml": WORKSPACE.template}
    overlay = "id: o\nname: O\nversion: '1'\nextends: {}\nweights:\n  cost: 50\n"
    loaded = load_template("up.yaml", overlay.format("ai-video-enterprise.yaml"), parents=parents)
    assert loaded.node("cost").weight == 50
    # A file that exists beside the working folder is no more reachable than one that does not:
    # the message is the same, and says only which templates are on offer.
    (tmp_path / "real.yaml").write_text(SHIPPED.read_text())
    os.chdir(tmp_path)
    messages = set()
    for name in ("real.yaml", "imaginary.yaml"):
        with pytest.raises(LoadError) as caught:
            load_template("up.yaml", overlay.format(name), parents=parents)
        [problem] = caught.value.report.problems
        assert problem.code == "extends-missing"
        messages.add((problem.message.replace(name, "NAME"), problem.hint))
    assert messages == {("no template 'NAME' to extend here", "one of: ai-video-enterprise.yaml")}


# ---------------------------------------------------------------------------------------------
# 2. Uploaded text is shown as text in every label
# ---------------------------------------------------------------------------------------------


UNESCAPED = re.compile(r"(?<!\\)[\[\]()<>*$]")


def shown_as_markdown(text: str) -> bool:
    """Would this label render part of HOSTILE as Markdown or HTML (a link, an image, a tag)?"""
    return "evil" in text and any(
        UNESCAPED.search(part) for part in re.findall(r"Q .*?\$x\\?\$", text)
    )


@pytest.mark.app
@pytest.mark.parametrize("page", ["compare", "vendor", "templates", "session", "robustness"])
def test_hostile_names_are_text_in_every_label(page, tmp_path, monkeypatch):
    monkeypatch.setenv("SCORECARD_DATA", str(hostile_data(tmp_path)))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(f"scorecard/app/pages/{page}.py").run()
    if page == "vendor":
        at.selectbox(key="vendor_choice").select("runway").run()
    if page == "session":
        at.selectbox(key="session_criterion").select("generation_time").run()
    if page == "compare":  # the parts' sliders are drawn once their expander is open
        for top in WORKSPACE.template.criteria:
            at.session_state[f"compare_open_{top.id}"] = True
        at.run()
        assert at.slider(key="compare_w_sla")
    assert not at.exception
    found = page_texts(at)
    assert any("evil" in text for text in found), "the hostile text reached no label"
    assert [text for text in found if shown_as_markdown(text)] == []


@pytest.mark.app
def test_an_uploaded_template_is_text_on_its_use_button():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("scorecard/app/pages/templates.py").run()
    text = shipped_text().replace(
        "name: AI video generation — enterprise procurement", f"name: '{HOSTILE}'", 1
    )
    assert HOSTILE in text
    at.file_uploader(key="templates_upload").upload("t.yaml", text.encode(), "text/yaml").run()
    assert not at.exception
    [use] = [b for b in at.button if b.key == "templates_use"]
    assert "evil" in use.label and not shown_as_markdown(use.label)


# ---------------------------------------------------------------------------------------------
# 3. `reproduce` reads only what the record names, inside the project, and sees every edit
# ---------------------------------------------------------------------------------------------


def project(tmp_path: Path) -> tuple[Path, dict]:
    for folder in ("criteria", "vendors"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    os.chdir(tmp_path)
    assert main(["export", "-o", "record.json"]) == 0
    return tmp_path / "record.json", json.loads((tmp_path / "record.json").read_text())


def rewrite(path: Path, data: dict, *, digest: bool) -> None:
    """Write an edited record; with `digest`, as a careful forger would, with a new digest."""
    path.write_text(json.dumps(data))
    if digest:
        from scorecard.export.record import digest as recompute
        from scorecard.session import DecisionRecord

        record = DecisionRecord.model_validate({**data, "digest": "0" * 64})
        path.write_text(json.dumps({**data, "digest": recompute(record)}))


@pytest.mark.cli
def test_a_record_from_the_cli_reproduces(tmp_path, capsys):
    record, data = project(tmp_path)
    assert [f["path"] for f in data["files"]][:2] == [
        "criteria/ai-video-enterprise.yaml",
        "vendors/adobe-firefly.yaml",
    ]
    capsys.readouterr()
    assert main(["reproduce", str(record)]) == 0
    assert capsys.readouterr().out.startswith("reproduced: 12 vendor(s)")


@pytest.mark.parametrize(
    "path", ["../../etc/passwd", "/etc/passwd", "vendors/../../outside.yaml", "link.yaml"]
)
@pytest.mark.cli
def test_reproduce_refuses_paths_outside_the_project(path, tmp_path, capsys):
    inner = tmp_path / "project"
    inner.mkdir()
    record, data = project(inner)
    (tmp_path / "outside.yaml").write_text("secret: 1\n")
    (inner / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    data["files"][3]["path"] = path
    rewrite(record, data, digest=True)
    assert main(["reproduce", str(record)]) == 1
    err = capsys.readouterr().err
    assert f"refused: {path!r} is not a path inside the project folder" in err
    assert "sha256 was" not in err  # no hash of the file is shown


@pytest.mark.cli
def test_reproduce_does_not_read_a_huge_file(tmp_path, capsys):
    record, _ = project(tmp_path)
    huge = tmp_path / "vendors" / "runway.yaml"
    with huge.open("r+b") as handle:
        handle.truncate(3 * 1024**3)  # 3 GB, sparse: reading it would take seconds and memory
    assert main(["reproduce", str(record)]) == 1
    assert "refused: vendors/runway.yaml is over 1,000,000 bytes" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda r: r["ranking"][0]["contributions"].update(cost=99.0), "contributions.cost"),
        (lambda r: r["ranking"][0]["coverage"].update(unknown=0.0), "coverage.unknown"),
        (lambda r: r["ranking"][0]["points"].update(latency=9.0), "points.latency"),
        (lambda r: r["ranking"][0].update(name="Someone Else"), 'name "Someone Else"'),
        (lambda r: r["ranking"][0]["gates"][0].update(outcome="fail"), "gates[0].outcome"),
        (lambda r: r["ranking"][0].update(rank=5), "rank 5 -> 1"),
    ],
)
@pytest.mark.cli
def test_reproduce_sees_every_edit_to_the_result(edit, expected, tmp_path, capsys):
    record, data = project(tmp_path)
    edit(data["result"])
    rewrite(record, data, digest=False)
    assert main(["reproduce", str(record)]) == 1
    err = capsys.readouterr().err
    assert "edited: the record's content does not match its digest" in err
    rewrite(record, data, digest=True)  # a forger who recomputes the digest is still caught
    assert main(["reproduce", str(record)]) == 1
    err = capsys.readouterr().err
    assert "edited:" not in err and expected in err


@pytest.mark.cli
def test_reproduce_sees_a_vendor_dropped_from_files_and_ranking(tmp_path, capsys):
    record, data = project(tmp_path)
    data["files"] = [f for f in data["files"] if f.get("vendor") != "luma"]
    data["result"]["ranking"] = [r for r in data["result"]["ranking"] if r["vendor"] != "luma"]
    rewrite(record, data, digest=True)
    assert main(["reproduce", str(record)]) == 1
    assert "luma: no file in the record" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# 4. No input crashes a command or a page
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "id: x\nname: " + "[" * 600 + "]" * 600 + "\n",
        "id: x\nname: " + "{a: " * 600 + "1" + "}" * 600 + "\n",
        "- " * 900 + "x\n",
        "id: x\nname: " + "[" * 1500 + "\n",
    ],
)
@pytest.mark.cli
def test_deep_nesting_is_a_located_problem(text, tmp_path, capsys):
    doc = read_document("deep.yaml", text)
    [problem] = doc.problems
    assert problem.code in ("too-deep", "yaml-syntax") and problem.line is not None
    assert str(MAX_DEPTH) in problem.message + problem.hint
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 1
    assert "Traceback" not in capsys.readouterr().err
    with pytest.raises(LoadError):
        load_session("deep.yaml", text, ["runway"])
    with pytest.raises(LoadError):
        load_template("deep.yaml", text)


@pytest.mark.cli
def test_a_huge_integer_claim_is_refused_where_it_is_read(tmp_path, capsys):
    path = tmp_path / "v.yaml"
    runway = (ROOT / "vendors" / "runway.yaml").read_text()
    path.write_text(runway.replace("value: 1247", "value: " + "9" * 401, 1))
    assert main(["validate", str(SHIPPED), str(path)]) == 1
    err = capsys.readouterr().err
    assert "[number-range]" in err and "beyond the largest number" in err
    with pytest.raises(ValueError, match="finite number"):
        claim_model = vendor("v", x=claim(10**401))  # the model refuses it too
        del claim_model


def test_a_huge_override_in_a_session_is_a_located_problem():
    override = {
        "vendor": "runway",
        "criterion": "generation_time",
        "claim": {
            "value": 10**400,
            "confidence": "verified",
            "sources": [{"title": "P", "publisher": "B", "kind": "buyer", "date": "2026-01-01"}],
        },
    }
    text = session_text(overrides=[override])
    with pytest.raises(LoadError) as caught:
        load_session("s.yaml", text, ["runway", "pika"])
    assert ("number-range", "overrides[0].claim.value") in codes(caught)


@pytest.mark.parametrize("weight", [0, "1.0e+308"])
@pytest.mark.cli
def test_weights_that_cannot_score_are_a_clear_message(weight, capsys):
    tops = [c.id for c in WORKSPACE.template.criteria]
    args = [a for t in tops for a in ("--weight", f"{t}={weight}")]
    if weight == 0:
        assert main(["score", *args]) == 2
        assert capsys.readouterr().err == (
            "scorecard: error: every weight is 0: give at least one criterion a weight above 0\n"
        )
    else:
        with pytest.raises(SystemExit) as usage:
            main(["score", *args])
        assert usage.value.code == 2
        assert "a number from 0 to 1,000,000" in capsys.readouterr().err
    text = session_text(weights={t: float(weight) for t in tops})
    with pytest.raises(LoadError) as caught:
        load_session("s.yaml", text, ["runway", "pika"])
    expected = ("zero-weights", "weights") if weight == 0 else ("invalid", f"weights.{tops[0]}")
    assert expected in codes(caught)


@pytest.mark.app
@pytest.mark.parametrize("page", ["compare", "vendor", "robustness", "export"])
def test_every_weight_at_zero_is_a_message_on_every_page(page):
    # Compare's sliders are shares and always add up to 100%; the Templates editor can still set
    # every weight to 0.
    at = AppTest.from_file(APP, default_timeout=60).run()
    edit_template_weights(at, {c.id: 0.0 for c in WORKSPACE.template.criteria})
    at.switch_page(f"scorecard/app/pages/{page}.py").run()
    assert not at.exception
    assert any("every weight is 0" in e.value for e in at.error)


@pytest.mark.parametrize("ends", [(-1e308, 1e308), (1e308, -1e308)])
def test_a_value_function_too_wide_to_compute_is_refused(ends):
    with pytest.raises(ValueError, match="too far apart"):
        template(
            {
                "id": "x",
                "name": "X",
                "measure": {
                    "type": "number",
                    "unit": "s",
                    "direction": "higher" if ends[1] > ends[0] else "lower",
                    "value_function": {"type": "linear", "worst": ends[0], "best": ends[1]},
                },
            }
        )


@pytest.mark.html
def test_an_html_report_of_many_vendors_keeps_the_data_and_leaves_out_the_chart():
    base = WORKSPACE.vendors[0]
    many = [
        base.model_copy(update={"id": f"v{i:03d}", "name": f"Vendor {i:03d}"})
        for i in range(MAX_CHART_VENDORS + 1)
    ]
    html = to_html(compare(WORKSPACE.template, many), dt.date(2026, 11, 25), "t")
    assert "<svg" not in html
    assert f"Chart left out: {MAX_CHART_VENDORS + 1} vendors" in html
    assert html.count("Vendor 100") >= 2  # in the ranking and in the profiles


def test_criteria_and_vendors_are_capped_with_a_located_problem(tmp_path):
    leaves = [
        {"id": f"c{i}", "name": f"C{i}", "measure": {"type": "boolean"}}
        for i in range(MAX_CRITERIA + 1)
    ]
    text = yaml.safe_dump({"id": "big", "name": "Big", "version": "1", "criteria": leaves})
    with pytest.raises(LoadError) as caught:
        load_template("big.yaml", text)
    assert codes(caught) == [("too-many-criteria", "criteria")]
    text = session_text(vendors=[f"v{i}" for i in range(MAX_VENDORS + 1)])
    with pytest.raises(LoadError) as caught:
        load_session("s.yaml", text, [])
    problem = caught.value.report.problems[0]
    assert (problem.code, problem.field) == ("invalid", "vendors")
    assert problem.message == f"{MAX_VENDORS + 1:,} items; the limit is {MAX_VENDORS:,}"
    folder = tmp_path / "vendors"
    folder.mkdir()
    for i in range(MAX_VENDORS + 1):
        (folder / f"v{i}.yaml").write_text("id: x\n")
    with pytest.raises(LoadError) as caught:
        load_workspace(SHIPPED, [folder])
    assert "too-many-vendors" in [p.code for p in caught.value.report.problems]


# ---------------------------------------------------------------------------------------------
# 6. The smaller findings
# ---------------------------------------------------------------------------------------------


def test_exports_follow_the_umask_and_keep_an_existing_files_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.csv", "a")
        assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644
        os.umask(0o077)
        write_atomic(tmp_path / "private.csv", "a")
        assert stat.S_IMODE((tmp_path / "private.csv").stat().st_mode) == 0o600
        (tmp_path / "shared.csv").write_text("old")
        (tmp_path / "shared.csv").chmod(0o664)
        write_atomic(tmp_path / "shared.csv", "new")
        assert stat.S_IMODE((tmp_path / "shared.csv").stat().st_mode) == 0o664
    finally:
        os.umask(old)


def test_a_date_after_today_is_refused(tmp_path):
    path = tmp_path / "v.yaml"
    runway = (ROOT / "vendors" / "runway.yaml").read_text()
    line = runway.splitlines().index("        date: 2026-02-10") + 1
    path.write_text(runway.replace("date: 2026-02-10", "date: 2999-02", 1))
    problems = validate([SHIPPED, path]).problems
    assert [(p.code, p.line, p.message) for p in problems] == [
        ("future-date", line, f"2999-02 is after today ({dt.date.today().isoformat()})")
    ]


DECIMAL = (
    "write the number in decimal, e.g. 90 (YAML reads 1:30 as 90, 012 as 10 and 0x1A as 26), or "
    "quote it if it is text"
)
SCORED = "(infinity and NaN cannot be scored)"
RANGE = "is beyond the largest number that can be scored (about 1.8e308)"


@pytest.mark.parametrize(
    ("written", "code", "message", "hint"),
    [
        (
            "1e308",
            "type",
            "Input should be a valid number, got text '1e308'",
            "YAML reads 1e308 as text: write it as 1.0e+308",
        ),
        (
            "'25'",
            "type",
            "Input should be a valid number, got text '25'",
            "write it without quotes: 25",
        ),
        ("-0", "number-format", "'-0' is a negative zero", "write 0"),
        ("-0.0", "number-format", "'-0.0' is a negative zero", "write 0"),
        ("0x1A", "number-format", "'0x1A' is not a plain decimal number", DECIMAL),
        ("1:30", "number-format", "'1:30' is not a plain decimal number", DECIMAL),
        ("012", "number-format", "'012' is not a plain decimal number", DECIMAL),
        ("1_000", "number-format", "'1_000' is not a plain decimal number", DECIMAL),
        (".inf", "number-format", f"'.inf' is not a plain decimal number {SCORED}", DECIMAL),
        ("-.Inf", "number-format", f"'-.Inf' is not a plain decimal number {SCORED}", DECIMAL),
        ("+.INF", "number-format", f"'+.INF' is not a plain decimal number {SCORED}", DECIMAL),
        (".NaN", "number-format", f"'.NaN' is not a plain decimal number {SCORED}", DECIMAL),
        (
            "1.0e+400",
            "number-range",
            f"1.0e+400 {RANGE}",
            "check the number; use a smaller unit if it is real",
        ),
        (
            "1" + "0" * 400,
            "number-range",
            f"1{'0' * 400} {RANGE}",
            "check the number; use a smaller unit if it is real",
        ),
        (
            "2.0e+6",
            "invalid",
            "Input should be less than or equal to 1000000",
            "weights are relative: scale them all down",
        ),
    ],
)
def test_weights_are_plain_decimal_numbers(written, code, message, hint, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(shipped_text().replace("weight: 10\n", f"weight: {written}\n", 1))
    [problem] = validate([path]).problems
    assert (problem.code, problem.message, problem.hint) == (code, message, hint)


def test_a_field_in_the_wrong_place_is_not_offered_as_its_own_correction(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text(
        "id: v\nname: V\nstatus: available\nclaims:\n  sla:\n    confidence: unknown\n"
        "    note: ask\n    company: V Inc.\n"
    )
    problems = validate([SHIPPED, path]).problems
    assert [(p.code, p.field, p.line, p.hint) for p in problems] == [
        ("missing-field", "company", 1, ""),
        (
            "unknown-field",
            "claims.sla.company",
            8,
            "'company' belongs at another level of this file: check the indentation",
        ),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Run\u202eyawn", "direction control U+202E"),
        ("Runw\u0430y", "mixes Cyrillic and Latin letters"),
        ("Run\u200bway", "invisible character U+200B"),
    ],
)
def test_names_that_pass_for_another_are_refused(name, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Vendor.model_validate({"id": "x", "name": name, "company": "X", "status": "available"})


def test_two_vendors_that_read_alike_are_refused(tmp_path):
    for vendor_id, name in (("a", "Runway"), ("b", " runway ")):
        (tmp_path / f"{vendor_id}.yaml").write_text(
            f"id: {vendor_id}\nname: '{name}'\ncompany: C\nstatus: available\n"
        )
    problems = validate([tmp_path]).problems
    assert [(p.code, Path(p.file).name) for p in problems] == [("duplicate-name", "b.yaml")]


@pytest.mark.cli
def test_an_error_writing_names_the_file_asked_for(tmp_path, monkeypatch, capsys):
    target = tmp_path / "out.csv"

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    os.chdir(ROOT)
    assert main(["score", "--format", "csv", "-o", str(target)]) == 1
    assert capsys.readouterr().err == f"scorecard: error: {target}: No space left on device\n"
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind
    monkeypatch.undo()
    assert main(["score", "--format", "csv", "-o", str(tmp_path / "no" / "such" / "x.csv")]) == 1
    assert f"{tmp_path / 'no' / 'such' / 'x.csv'}: No such file" in capsys.readouterr().err


def test_csv_text_cells_are_quoted_so_a_separator_cannot_start_a_formula():
    evil = WORKSPACE.vendors[0].model_copy(update={"name": "x;=1+1"})
    text = to_csv(score(WORKSPACE.template, [evil, *WORKSPACE.vendors[1:]]))
    assert '"x;=1+1"' in text
    rows = list(csv.reader(io.StringIO(text)))
    assert "x;=1+1" in [row[2] for row in rows]


def test_the_app_listens_only_here_and_shows_no_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["client"]["showErrorDetails"] == "none"
    assert "--server.address $(ADDRESS)" in (ROOT / "Makefile").read_text()


def test_a_record_over_the_size_cap_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "record.json"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024**2)
    with pytest.raises(LoadError) as caught:
        load_record(big)
    assert codes(caught) == [("too-large", "")]


def test_the_engine_refuses_zero_weights_with_the_message_the_pages_show():
    zero = Options(weights={c.id: 0 for c in WORKSPACE.template.criteria})
    with pytest.raises(ScoringError, match="every weight is 0"):
        score(WORKSPACE.template, WORKSPACE.vendors, zero)


def test_a_sessions_template_is_checked_like_a_template_file():
    """Found by the fuzzer: a session whose template repeats a criterion id loaded, and the
    XLSX export then failed on it."""
    data = WORKSPACE.template.model_dump(mode="json")
    moderation = next(c for c in data["criteria"] if c["id"] == "moderation")
    latency = next(c for c in data["criteria"] if c["id"] == "latency")
    moderation["criteria"].append(copy.deepcopy(latency["criteria"][0]))
    with pytest.raises(LoadError) as caught:
        load_session("s.yaml", session_text(template=data), ["runway", "pika"])
    [problem] = caught.value.report.problems
    assert (problem.code, problem.field) == ("duplicate-id", "template.criteria[3].criteria[0].id")
    assert problem.line is not None


@pytest.mark.cli
def test_a_record_whose_result_is_not_a_ranking_is_a_difference(tmp_path, capsys):
    record, data = project(tmp_path)
    data["result"]["ranking"] = "nothing"
    rewrite(record, data, digest=True)
    assert main(["reproduce", str(record)]) == 1
    assert "edited: the record's result holds no ranking to compare" in capsys.readouterr().err


@pytest.mark.cli
def test_only_the_record_needs_its_inputs_inside_the_current_folder(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "criteria", elsewhere / "criteria")
    shutil.copytree(ROOT / "vendors", elsewhere / "vendors")
    (tmp_path / "here").mkdir()
    os.chdir(tmp_path / "here")
    inputs = ["--criteria", str(elsewhere / "criteria" / "ai-video-enterprise.yaml")]
    inputs += ["--vendors", str(elsewhere / "vendors")]
    assert main(["export", *inputs, "-o", "sheet.csv"]) == 0
    assert main(["export", *inputs, "-o", "record.json"]) == 2
    err = capsys.readouterr().err
    assert "is outside the current folder; run scorecard from the folder that holds" in err
    assert not (tmp_path / "here" / "record.json").exists()


def _template_gone(root: Path, data: dict) -> None:
    (root / "criteria" / "ai-video-enterprise.yaml").unlink()


def _template_unlisted(root: Path, data: dict) -> None:
    data["files"] = data["files"][1:]


def _stranger(root: Path, data: dict) -> None:
    data["session"]["vendors"].remove("luma")
    data["result"]["ranking"] = [r for r in data["result"]["ranking"] if r["vendor"] != "luma"]


def _renamed(root: Path, data: dict) -> None:
    luma = root / "vendors" / "luma.yaml"
    luma.write_text(luma.read_text().replace("id: luma", "id: luma-labs", 1))
    entry = next(f for f in data["files"] if f.get("vendor") == "luma")
    entry["sha256"] = hashlib.sha256(luma.read_bytes()).hexdigest()


def _weightless(root: Path, data: dict) -> None:
    data["session"]["weights"] = {c["id"]: 0 for c in data["session"]["template"]["criteria"]}


def _loop(root: Path, data: dict) -> None:
    (root / "a.yaml").symlink_to(root / "b.yaml")
    (root / "b.yaml").symlink_to(root / "a.yaml")
    data["files"][3]["path"] = "a.yaml"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_template_gone, ["missing: criteria/ai-video-enterprise.yaml"]),
        (
            _template_unlisted,
            ["refused: the template 'criteria/ai-video-enterprise.yaml' is not among the files"],
        ),
        (_stranger, ["luma: a file in the record, but not among its vendors"]),
        (_renamed, ["changed: vendors/luma.yaml no longer holds vendor luma"]),
        (
            _weightless,
            ["cannot score now: every weight is 0: give at least one criterion a weight above 0"],
        ),
        (_loop, ["refused: 'a.yaml' is not a path inside the project folder"]),
    ],
)
@pytest.mark.cli
def test_reproduce_names_what_no_longer_fits(edit, expected, tmp_path):
    record, data = project(tmp_path)
    edit(tmp_path, data)
    rewrite(record, data, digest=True)
    found = reproduce(load_record(record), tmp_path)
    assert found[: len(expected)] == expected, found
