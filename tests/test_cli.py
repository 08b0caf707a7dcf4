"""The command line: exit codes, formats, and errors that never show a traceback."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import sqlite3
import subprocess
import sys

import openpyxl
import pytest
import time_machine
import yaml
from conftest import DATA, ROOT, answer_questionnaire

from scorecard.cli import main
from scorecard.loading import dump_yaml, load_session, load_template, load_workspace
from scorecard.scoring import score
from scorecard.session import SESSION_FORMAT, Session
from scorecard.store import Store

INVALID = DATA / "invalid"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it, from the project folder."""
    return subprocess.run(
        [sys.executable, "-m", "scorecard.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_validate_passes_on_the_shipped_data():
    done = run("validate")
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout


def test_validate_prints_every_located_problem_and_exits_1():
    done = run("validate", str(DATA / "valid" / "mini.yaml"), str(INVALID))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].endswith("file(s)") and lines[-1].startswith(f"{len(lines) - 1} problem(s)")
    assert "bad-weights.yaml:11:13: [invalid] criteria[1].weight:" in done.stderr
    assert len(lines) - 1 >= 40


# Files whose problems show only beside another file (a duplicate id, a cycle) are left out.
ALONE = sorted(
    p.name for p in INVALID.glob("*.yaml") if not p.name.startswith(("duplicate-vendor", "cycle"))
)


@pytest.mark.parametrize("name", ALONE)
def test_each_bad_file_alone_fails_cleanly(name, capsys):
    expected = INVALID.joinpath(name).read_text().count("# expect:")
    assert main(["validate", str(DATA / "valid" / "mini.yaml"), str(INVALID / name)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count(f"{name}:") == expected
    assert err.strip().splitlines()[-1].startswith(f"{expected} problem(s)")


def test_a_cycle_is_reported_whichever_file_is_checked(capsys):
    assert main(["validate", str(INVALID / "cycle-a.yaml")]) == 1
    err = capsys.readouterr().err
    assert (
        "[extends-cycle] extends: templates extend each other: cycle-a.yaml -> cycle-b.yaml" in err
    )


def test_score_table_defaults_to_the_shipped_data():
    done = run("score")
    assert done.returncode == 0, done.stderr
    assert "Kling AI" in done.stdout and "Google Veo" in done.stdout


def test_score_json_has_the_documented_shape():
    data = json.loads(run("score", "--format", "json").stdout)
    assert set(data) >= {"template", "method", "ranking"}
    assert data["template"]["id"] == "ai-video-enterprise"
    row = data["ranking"][0]
    assert set(row) == {
        "vendor",
        "name",
        "rank",
        "score",
        "passed_gates",
        "failed_gates",
        "open_gates",
        "stale",
        "contributions",
        "coverage",
    }
    assert sum(row["contributions"].values()) == pytest.approx(row["score"], abs=1e-4)
    assert sum(row["coverage"].values()) == pytest.approx(1.0, abs=1e-4)


def test_score_options_reach_the_engine(capsys):
    args = [
        "score",
        "--criteria",
        str(DATA / "valid" / "mini.yaml"),
        "--vendors",
        str(DATA / "valid" / "acme.yaml"),
        "--vendors",
        str(DATA / "valid" / "zenith.yaml"),
        "--format",
        "json",
    ]
    assert main(args) == 0
    base = {r["vendor"]: r for r in json.loads(capsys.readouterr().out)["ranking"]}
    assert base["acme"]["score"] == pytest.approx(59.5)
    assert main([*args, "--weight", "quality=0", "--missing", "neutral", "--no-confidence"]) == 0
    changed = {r["vendor"]: r for r in json.loads(capsys.readouterr().out)["ranking"]}
    assert changed["acme"]["score"] == pytest.approx(100 * (0.5 * 1 + 0.5 * 0.5))
    assert main([*args, "--gate", "need_c2pa=on"]) == 0
    gated = {r["vendor"]: r for r in json.loads(capsys.readouterr().out)["ranking"]}
    assert (gated["zenith"]["failed_gates"], gated["zenith"]["open_gates"]) == ([], ["need_c2pa"])
    assert main([*args, "--gate", "need_c2pa=on", "--open-gates", "exclude"]) == 0
    strict = json.loads(capsys.readouterr().out)
    assert strict["policies"]["open_gates"] == "exclude"
    assert {r["vendor"]: r["failed_gates"] for r in strict["ranking"]}["zenith"] == ["need_c2pa"]
    assert main([*args, "--profile", "legal", "--method", "topsis"]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "topsis"


def test_score_csv_and_markdown_and_output_file(tmp_path):
    out = tmp_path / "ranking.csv"
    done = run("score", "--format", "csv", "-o", str(out))
    assert done.returncode == 0 and done.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["rank"] for r in rows] == sorted((r["rank"] for r in rows), key=int)
    md = run("score", "--format", "md", "--profile", "legal").stdout
    assert "| Rank | Vendor |" in md and "profile legal" in md


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["score", "--weight", "moderaton=3"], 2, "did you mean 'moderation'"),
        (["score", "--weight", "moderation=-1"], 2, "expected ID=WEIGHT"),
        (["score", "--weight", "moderation"], 2, "expected ID=WEIGHT"),
        (["score", "--profile", "finance"], 2, "no profile 'finance'"),
        (["score", "--gate", "commercial_use=maybe"], 2, "expected ID=on or ID=off"),
        (["score", "--criteria", "nope.yaml"], 1, "nope.yaml: [unreadable]"),
        (["score", "--vendors", str(INVALID / "typo-field.yaml")], 1, "[unknown-field] staus"),
        (["score", "-o", "/no/such/dir/out.txt"], 1, "No such file or directory"),
        (["validate", "no/such/path.yaml"], 1, "[not-found]"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_bad_usage_gets_a_clear_error_and_no_traceback(args, code, text):
    done = run(*args)
    assert done.returncode == code
    assert text in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["template", "vendor"])
def test_schema_is_json_schema(kind):
    schema = json.loads(run("schema", kind).stdout)
    assert "$defs" in schema
    text = json.dumps(schema)
    assert ("Criterion" in text) if kind == "template" else ("Claim" in text)


def test_vendor_show_prints_every_claim_with_confidence_sources_and_age(monkeypatch, capsys):
    # In this process, on a frozen day: the ages are exact, and a machine whose clock is behind
    # the shipped sources' dates (where they would read as future dates) runs it the same.
    monkeypatch.chdir(ROOT)
    with time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False):
        assert main(["vendor", "show", "kling-ai"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Kling AI — Kuaishou Technology (available)")
    assert "What several outlets agree on:" in out and "Media characterisations:" in out
    assert "Latest funding round: 2000–3000 USD m [reported, as of 2026-07-03 (147 days)]" in out
    assert "Content policy: 2 of 0–3 [reported, as of 2026-11 (26 days)]" in out
    assert (
        "§11.3(3): “automatically filtered by artificial intelligence algorithms” (read on a" in out
    )
    assert "holds only if: Bought through the API, not the consumer app; On a paid plan" in out
    assert out.count("[unknown]") == 11


def test_vendor_show_unknown_id_suggests_the_nearest():
    done = run("vendor", "show", "kling")
    assert done.returncode == 2
    assert "no vendor 'kling' (did you mean 'kling-ai'?)" in done.stderr


def test_gaps_lists_questions_gate_first():
    done = run("gaps", "--vendor", "bytedance-seedance")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "ByteDance Seedance: 14 unknown"
    assert "Commercial use of outputs permitted" in lines[1] and "gate commercial_use" in lines[1]
    everyone = run("gaps").stdout
    assert everyone.count(" unknown\n") == 12


def test_export_every_format_and_reproduce(tmp_path):
    for name in ("sheet.xlsx", "report.html", "page.md", "ranking.csv", "record.json"):
        done = run("export", "--profile", "legal", "-o", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"wrote {tmp_path / name}")
    assert (tmp_path / "sheet.xlsx").read_bytes()[:2] == b"PK"
    again = run("reproduce", str(tmp_path / "record.json"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("reproduced: 12 vendor(s)")


def test_export_needs_a_format_it_knows(tmp_path):
    done = run("export", "-o", str(tmp_path / "x.pdf"))
    assert done.returncode == 2 and "say --format" in done.stderr


def test_reproduce_a_broken_record_is_a_located_error(tmp_path):
    bad = tmp_path / "record.json"
    bad.write_text('{"format": "scorecard-decision-record/1", "tool": "scorecard"}\n')
    done = run("reproduce", str(bad))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{bad}:1:1: [missing-field] version" in done.stderr


def test_template_new_and_diff(tmp_path):
    target = tmp_path / "mine.yaml"
    assert run("template", "new", "-o", str(target)).returncode == 0
    assert run("validate", str(target)).returncode == 0
    assert run("template", "new", "-o", str(target)).returncode == 2  # never overwrites
    diff = run(
        "template", "diff", str(DATA / "valid" / "mini.yaml"), str(DATA / "valid" / "team.yaml")
    )
    assert diff.returncode == 0 and "reweighted criterion latency: 1 -> 3" in diff.stdout


def test_robustness_json_has_the_documented_keys():
    done = run("robustness", "--format", "json", "--samples", "2000", "--seed", "3")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"acceptability", "central_weights", "sensitivity", "smallest_flip"} <= set(data)
    assert len(data["acceptability"]) == 12
    for probabilities in data["acceptability"].values():
        assert sum(probabilities) == pytest.approx(1.0)
    assert data["smallest_flip"]["sentence"].startswith(("Raise", "Lower"))
    assert (
        run("robustness", "--format", "json", "--samples", "2000", "--seed", "3").stdout
        == done.stdout
    )


def test_robustness_table_and_bad_samples():
    done = run("robustness", "--samples", "1000", "--weights", "uniform")
    assert (
        done.returncode == 0 and "Rank acceptability (1,000 samples, weights uniform" in done.stdout
    )
    bad = run("robustness", "--samples", "lots")
    assert bad.returncode == 2 and "expected a whole number" in bad.stderr


def test_report_has_a_row_per_vendor_and_every_claim_counted_once():
    done = run("report")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:6] == [
        "vendor",
        "verified",
        "confirmed",
        "reported",
        "claimed",
        "unknown",
    ]
    assert len(lines) == 1 + 12 + 1 and lines[-1].startswith("total")
    assert sum(int(n) for n in lines[-1].split()[1:6]) == 12 * 26


def test_markdown_from_the_cli_escapes_only_what_would_be_markup():
    done = run("score", "--format", "md", "--gate", "eu_uk=on")
    assert done.returncode == 0
    assert "fails: Offered (or licensed) in the EU and UK" in done.stdout
    assert "open: Commercial use of outputs permitted — ask" in done.stdout
    for needless in ("\\:", "\\_", "\\.", "\\-", "\\("):
        assert needless not in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--condition", "api"], "argument --condition: 'api': expected ID=yes or ID=no"),
        (["--condition", "=yes"], "argument --condition: '=yes': expected ID=yes or ID=no"),
        (["--gate", "eu_uk=yes"], "argument --gate: 'eu_uk=yes': expected ID=on or ID=off"),
    ],
)
def test_a_malformed_option_is_a_usage_error(args, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["score", *args])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"scorecard score: error: {message}"


def test_validate_in_an_empty_folder_says_what_to_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 2
    assert capsys.readouterr().err == (
        "scorecard: error: nothing to validate: no criteria/ or vendors/ here; name the files\n"
    )


def test_template_new_prints_the_starter_when_no_file_is_named(capsys):
    assert main(["template", "new"]) == 0
    assert capsys.readouterr().out == (ROOT / "scorecard" / "starter-template.yaml").read_text()


@pytest.mark.parametrize(
    ("raised", "code", "err"),
    [
        (
            RuntimeError("boom"),
            70,
            "scorecard: internal error: RuntimeError('boom') (please report it)\n",
        ),
        (KeyboardInterrupt(), 130, ""),
        (BrokenPipeError(), 0, ""),
    ],
)
def test_no_failure_of_ours_ends_in_a_traceback(raised, code, err, monkeypatch, capsys):
    import scorecard.cli as cli

    monkeypatch.chdir(ROOT)

    def fail(*_: object, **__: object) -> None:
        raise raised

    monkeypatch.setattr(cli, "score", fail)
    monkeypatch.setattr(sys, "stdout", sys.stdout)  # main() swaps it out on a broken pipe
    assert main(["score"]) == code
    assert capsys.readouterr().err == err


def _project(tmp_path, monkeypatch):
    for name in ("criteria", "vendors"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False)
def test_rfi_round_trip_sends_previews_imports_and_counts_what_is_open(
    tmp_path, monkeypatch, capsys
):
    _project(tmp_path, monkeypatch)
    assert main(["rfi", "kling-ai"]) == 0
    sent = tmp_path / "vendors/responses/kling-ai/sent-2026-11-27.yaml"
    form = tmp_path / "questionnaire-kling-ai-2026-11-27.xlsx"
    asked = len(yaml.safe_load(sent.read_text())["questions"])
    assert capsys.readouterr().out == (
        f"wrote {form.name} ({asked} questions); recorded as sent in "
        "vendors/responses/kling-ai/sent-2026-11-27.yaml\n"
    )
    answers = {"generation_time": "90 s", "c2pa": "yes", "price_per_second": "=1/0"}
    book = openpyxl.load_workbook(form)
    who = ("Jane Doe", "Partnerships", "")
    answer_questionnaire(book, answers, who, "2026-11-27", "Kling API Service Agreement")
    book.save(tmp_path / "filled.xlsx")
    assert main(["rfi", "import", "filled.xlsx"]) == 1
    out, err = capsys.readouterr()
    bad = next(line for line in err.splitlines() if "[formula]" in line)
    assert bad.startswith("filled.xlsx:Questions!G") and bad.endswith(
        "price_per_second: a formula is not read (hint: type the value)"
    )
    assert err.splitlines()[-1] == (
        "nothing imported: 1 problem(s); fix them and import again, or import the valid answers "
        "with --valid-only"
    )
    assert (
        "  generation_time: vendor answered: 90 s (claimed, 2026-11-27) — desk research: "
        "unknown; the answer counts\n" in out
    )
    assert "  Kling AI: 29.0 -> " in out
    assert not (tmp_path / "vendors/responses/kling-ai/2026-11-27.yaml").exists()
    assert main(["rfi", "import", "filled.xlsx", "--valid-only", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("dry run: nothing written\n")
    said = next(line for line in out.splitlines() if line.startswith("  Kling AI: "))
    assert main(["rfi", "import", "filled.xlsx", "--valid-only"]) == 0
    kept = tmp_path / "vendors/responses/kling-ai/2026-11-27.yaml"
    assert capsys.readouterr().out.endswith(f"wrote {kept.relative_to(tmp_path)}\n")
    text = kept.read_text()
    assert text.startswith("# From filled.xlsx.\n# Not imported, to fix and import again:\n# ")
    assert main(["validate"]) == 0
    capsys.readouterr()
    # The score and rank after the import are those the preview said.
    now = load_workspace(tmp_path / "criteria/ai-video-enterprise.yaml", [tmp_path / "vendors"])
    row = score(now.template, now.vendors).row("kling-ai")
    after = re.fullmatch(r"  Kling AI: [\d.]+ -> ([\d.]+) points, rank \d+ -> (\d+)", said)
    assert after.groups() == (f"{row.score:.1f}", str(row.rank))
    assert main(["vendor", "show", "kling-ai"]) == 0
    assert "Generation time, reference clip: 90 s [claimed, as of 2026-11-27 (0 days)]" in (
        capsys.readouterr().out
    )
    assert main(["rfi", "status"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].split() == ["vendor", "questionnaire"]
    kling = next(r for r in rows if r.startswith("Kling AI "))
    assert (
        kling.split("  ")[-1].strip()
        == f"sent 2026-11-27; answered 2026-11-27 (2); {asked - 2} open"
    )
    assert next(r for r in rows if r.startswith("Runway ")).endswith("  not sent")


def test_rfi_needs_a_vendor_or_all_and_a_known_form(tmp_path, monkeypatch, capsys):
    _project(tmp_path, monkeypatch)
    assert main(["rfi"]) == 2
    assert capsys.readouterr().err == (
        "scorecard: error: name a vendor (scorecard rfi kling-ai), or say --all\n"
    )
    assert main(["rfi", "kling", "-o", "q.yaml"]) == 2
    assert "no vendor 'kling' (did you mean 'kling-ai'?)" in capsys.readouterr().err
    assert main(["rfi", "kling-ai", "-o", "q.pdf"]) == 2
    assert capsys.readouterr().err == (
        "scorecard: error: q.pdf: a questionnaire is .xlsx, or .yaml for a text form\n"
    )
    assert main(["rfi", "import"]) == 2
    assert main(["rfi", "--all", "--all-criteria", "-o", "out", "--vendors", "vendors"]) == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(written) == 12 and all(n.startswith("questionnaire-") for n in written)
    assert main(["rfi", "kling-ai", "-o", "kling.yaml"]) == 0
    assert yaml.safe_load((tmp_path / "kling.yaml").read_text())["vendor"] == "kling-ai"


TINY = """id: tiny
name: Tiny
version: "1"
criteria:
  - {id: ok, name: OK, measure: {type: boolean}}
"""
FRESH = """id: v
name: V
company: V Inc.
status: available
claims:
  ok:
    value: true
    confidence: confirmed
    sources:
      - title: Terms
        publisher: V Inc.
        kind: vendor
        url: https://v.example/terms
        date: 2026-11-01
"""


@time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False)
def test_rfi_says_when_there_is_nothing_to_ask_or_nothing_to_import(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.yaml").write_text(TINY)
    (tmp_path / "vendors").mkdir()
    (tmp_path / "vendors" / "v.yaml").write_text(FRESH)
    assert main(["rfi", "v", "--criteria", "tiny.yaml"]) == 0
    assert capsys.readouterr().out == "nothing to ask V: every claim is confirmed and fresh\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["tiny.yaml", "v.yaml", "vendors"]
    (tmp_path / "empty.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    assert main(["rfi", "import", "empty.xlsx", "--criteria", "tiny.yaml"]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        "empty.xlsx: [not-xlsx] not an XLSX workbook (hint: save it as .xlsx)\n"
        "nothing imported: 1 problem(s)\n",
    )


def _session_file(path):
    template = load_template(ROOT / "criteria" / "ai-video-enterprise.yaml")
    session = Session(
        format=SESSION_FORMAT,
        template=template,
        vendors=("kling-ai", "runway"),
        weights={"latency": 3.0},
    )
    path.write_text(dump_yaml(session))
    return session


def test_a_session_file_goes_into_the_database_and_comes_back_out_with_its_history(
    tmp_path, monkeypatch, capsys
):
    _project(tmp_path, monkeypatch)
    monkeypatch.delenv("SCORECARD_DB", raising=False)
    monkeypatch.setattr("getpass.getuser", lambda: "ana")
    session = _session_file(tmp_path / "rfp.yaml")
    assert main(["session", "import", "rfp.yaml", "--name", "Video RFP"]) == 0
    out = capsys.readouterr().out
    id_ = re.search(r"as session (\S+) ", out).group(1)
    assert out.endswith(f"open it in the app with ?session={id_} after the app's address\n")
    assert (tmp_path / "sessions.db").exists()
    assert main(["session", "list"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[1].split()[:2] == [id_, "1"] and rows[1].endswith("  Video RFP")
    assert rows[-1] == f"1 session(s) in sqlite:///{tmp_path / 'sessions.db'}"
    assert main(["session", "show", id_]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"Video RFP  (session {id_}, version 1)\n")
    assert "vendors: kling-ai, runway\nweight: latency = 3\n" in shown
    assert f"history: 1 event(s); scorecard audit {id_}\n" in shown
    assert main(["session", "export", id_, "-o", "back.yaml"]) == 0
    assert capsys.readouterr().out == "wrote back.yaml\n"
    assert load_session(tmp_path / "back.yaml", None, ["kling-ai", "runway"]) == session
    assert main(["audit", id_]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.split()[0] == "1"
    assert line.endswith("  ana (command line)  created  name: Video RFP")
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("every history is intact: 1 session(s) in sqlite:")


def test_session_show_tells_a_panels_people_decision_and_signatures(tmp_path, monkeypatch, capsys):
    _project(tmp_path, monkeypatch)
    monkeypatch.delenv("SCORECARD_DB", raising=False)
    store = Store(f"sqlite:///{tmp_path / 'sessions.db'}")
    made = store.create(_session_file(tmp_path / "rfp.yaml"), name="RFP", actor="ana")
    ana, _ = store.start_panel(made.id, name="Ana")
    pat, _ = store.invite(made.id, ana, name="Pat", role="approver")
    vic, _ = store.invite(made.id, ana, name="Vic", role="viewer")
    store.revoke(made.id, ana, vic.id)
    store.decide(made.id, ana, vendor="runway", rationale="rights")
    store.sign(made.id, pat, approve=True)
    store.close()
    assert main(["session", "show", made.id]) == 0
    shown = capsys.readouterr().out
    assert (
        "panel: revision 1, signed, so locked; group weights: geometric mean\n"
        "member: Ana (facilitator)\nmember: Pat (approver)\nmember: Vic (viewer), revoked\n"
        "decision: runway, by Ana\nrevision 1: signed by Pat (runway)\n"
    ) in shown


def test_session_commands_say_what_is_wrong(tmp_path, monkeypatch, capsys):
    _project(tmp_path, monkeypatch)
    monkeypatch.delenv("SCORECARD_DB", raising=False)
    assert main(["session", "show"]) == 2
    assert "say which session: scorecard session show ID" in capsys.readouterr().err
    assert main(["session", "import"]) == 2
    assert "scorecard session import FILE" in capsys.readouterr().err
    assert main(["session", "show", "nope"]) == 1
    assert "scorecard: error: no session 'nope' in sqlite:///" in capsys.readouterr().err
    assert main(["audit", "nope"]) == 1
    assert "no session 'nope'" in capsys.readouterr().err
    (tmp_path / "bad.yaml").write_text("format: scorecard-session/1\nvendors: [nobody]\n")
    assert main(["session", "import", "bad.yaml"]) == 1
    assert "bad.yaml:" in capsys.readouterr().err
    assert main(["session", "list", "--db", "nosuchdb://x"]) == 1
    assert capsys.readouterr().err == (
        "scorecard: error: cannot open the session database nosuchdb://x: Can't load plugin: "
        "sqlalchemy.dialects:nosuchdb (hint: a database is sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST/NAME)\n"
    )
    assert main(["session", "list", "--db", "not a url"]) == 1
    assert "cannot open the session database 'not a url': " in capsys.readouterr().err
    assert main(["session", "list", "--db", f"sqlite:///{tmp_path}/no/such/folder/x.db"]) == 1
    assert "cannot open the session database sqlite:///" in capsys.readouterr().err
    # An edited history fails the check, and says where.
    _session_file(tmp_path / "good.yaml")
    assert main(["session", "import", "good.yaml"]) == 0
    id_ = re.search(r"as session (\S+) ", capsys.readouterr().out).group(1)
    with sqlite3.connect(tmp_path / "sessions.db") as db:
        db.execute("UPDATE events SET actor = 'someone else'")
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"session {id_}, event 1: its content does not match its hash (edited)"
    assert err[1].startswith("1 problem(s) in the history of sqlite:///")
