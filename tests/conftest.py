"""Shared test helpers: paths, and small templates and vendors built from plain dicts."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pgserver
import pytest
import yaml
from hypothesis import settings

from scorecard.loading import validate
from scorecard.model import Template, Vendor

# Generated examples: the seed of a failure is printed so it can be replayed; CI (.ci/run sets
# HYPOTHESIS_PROFILE=ci) draws the same examples in every run.
settings.register_profile("default", print_blob=True)
settings.register_profile("ci", print_blob=True, derandomize=True)
# make mutate: the same examples for every mutant, few of them, and no example database.
settings.register_profile(
    "mutation", derandomize=True, max_examples=10, database=None, deadline=None
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
# The app and the command line keep sessions in $SCORECARD_DB: in tests, a database of their own,
# never the one beside the project's data (nor one a developer set).
os.environ["SCORECARD_DB"] = f"sqlite:///{tempfile.mkdtemp(prefix='scorecard-db-')}/sessions.db"
MUTATION = os.environ.get("HYPOTHESIS_PROFILE") == "mutation"
if MUTATION:  # imported where they are used, in every mutant's process; here, once for all
    import scipy.sparse
    import scipy.stats  # noqa: F401


def examples(n: int) -> Any:
    """`n` generated examples for a property test; 10 in a mutation run, where every mutant
    reruns it."""
    return settings(max_examples=10 if MUTATION else n, deadline=None)


#: In make mutate, the tests that killed each function's mutants (a file per function, in
#: mutants/, the folder mutmut runs the tests in).
KILLERS = Path("mutmut-killers")


def _seconds() -> dict[str, float]:
    """Each test's time in mutmut's first pass, from mutants/mutmut-stats.json."""
    return json.loads(Path("mutmut-stats.json").read_text())["duration_by_test"]


#: Read once where mutmut imports this file before forking a process per mutant (after its
#: first pass): 1 MB of JSON, 6 ms a mutant otherwise.
SECONDS = _seconds() if MUTATION and Path("mutmut-stats.json").exists() else None


def _mutated() -> str | None:
    """In make mutate, the function whose mutant this process tests (None in mutmut's first
    pass, and outside make mutate)."""
    name = os.environ.get("MUTANT_UNDER_TEST", "")
    return name.rsplit("__mutmut_", 1)[0] if "__mutmut_" in name else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In make mutate, a mutant's tests run in the order likeliest to end the run soon: first
    those that killed other mutants of its function, then the fastest. The first that fails
    kills it and ends the run (-x). mutmut passes them in no order, and times each in its first
    pass; it runs a function's mutants one after another."""
    function = _mutated()
    if function:
        seconds = SECONDS if SECONDS is not None else _seconds()
        killers = KILLERS / function
        known = set(killers.read_text().splitlines()) if killers.exists() else set()
        items.sort(key=lambda item: (item.nodeid not in known, seconds.get(item.nodeid, 0.0)))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """In make mutate, the test that killed a mutant is noted for its function's next ones."""
    function = _mutated()
    if function and report.failed:
        KILLERS.mkdir(exist_ok=True)
        with (KILLERS / function).open("a") as out:
            out.write(report.nodeid + "\n")


NAMED = pytest.StashKey[set[str]]()


def pytest_configure(config: pytest.Config) -> None:
    """In make mutate, the functions named in mutmut's `tests/test_x.py::test_y[case]`
    arguments."""
    if _mutated():
        config.stash[NAMED] = {arg.split("::")[-1].split("[")[0] for arg in config.args}


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str) -> list[pytest.Item] | None:
    """In make mutate, only the tests mutmut names are built. pytest builds every test of a
    module it collects, and then keeps those named: a fifth of each mutant's time."""
    if name not in collector.config.stash.get(NAMED, {name}):
        return []
    return None


ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SOURCE = {"title": "Test source", "publisher": "Tests", "kind": "vendor", "date": "2026-01-01"}


def leaf(id: str, measure: dict[str, Any], weight: float = 1.0) -> dict[str, Any]:
    return {"id": id, "name": id.title(), "weight": weight, "measure": measure}


def rating(low: int = 0, high: int = 4) -> dict[str, Any]:
    return {
        "type": "rating",
        "scale": [low, high],
        "rubric": {k: f"level {k}" for k in range(low, high + 1)},
    }


def linear(worst: float, best: float, unit: str = "s") -> dict[str, Any]:
    direction = "higher" if best > worst else "lower"
    return {
        "type": "number",
        "unit": unit,
        "direction": direction,
        "value_function": {"type": "linear", "worst": worst, "best": best},
    }


def template(*criteria: dict[str, Any], **extra: Any) -> Template:
    return Template.model_validate(
        {"id": "t", "name": "Test", "version": "1", "criteria": list(criteria), **extra}
    )


def claim(value: Any, confidence: str = "confirmed", **extra: Any) -> dict[str, Any]:
    if confidence == "unknown":
        return {"confidence": "unknown", "note": "not known", **extra}
    return {"value": value, "confidence": confidence, "sources": [SOURCE], **extra}


def vendor(id: str, status: str = "available", **claims: dict[str, Any]) -> Vendor:
    return Vendor.model_validate(
        {"id": id, "name": id.title(), "company": f"{id} Inc.", "status": status, "claims": claims}
    )


@pytest.fixture(autouse=True)
def _same_working_folder_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever folder a test moves to, the next test starts where this one did: the command
    line reads criteria/ and vendors/ from the working folder."""
    monkeypatch.chdir(Path.cwd())


@pytest.fixture
def shipped_template_path() -> Path:
    return ROOT / "criteria" / "ai-video-enterprise.yaml"


#: Markdown, HTML and image syntax, as an uploaded name might carry them.
HOSTILE = (
    'Q ![x](http://evil.invalid/p.png) <img src="http://evil.invalid/i.png"> '
    "[l](http://evil.invalid/l) **b** :red[c] $x$"
)


def hostile_data(root: Path) -> Path:
    """A data folder whose template, criteria, gates, profiles and one vendor carry HOSTILE."""
    (root / "criteria").mkdir(parents=True)
    shutil.copytree(ROOT / "vendors", root / "vendors")
    data = yaml.safe_load((ROOT / "criteria" / "ai-video-enterprise.yaml").read_text())
    data["name"] = HOSTILE
    data.pop("$schema", None)

    def rename(nodes):
        for node in nodes:
            node["name"] = f"{HOSTILE} {node['id']}"
            node["description"] = HOSTILE
            rename(node.get("criteria", []))

    rename(data["criteria"])
    for gate in data["gates"]:
        gate["name"] = f"{HOSTILE} {gate['id']}"
    for profile in data["profiles"].values():
        profile["name"] = HOSTILE
    for node in data["criteria"]:
        for leaf in node.get("criteria", []):
            if leaf.get("measure", {}).get("unit") == "s":
                leaf["measure"]["unit"] = f"s {HOSTILE}"
    (root / "criteria" / "ai-video-enterprise.yaml").write_text(yaml.safe_dump(data))
    runway = root / "vendors" / "runway.yaml"
    runway.write_text(runway.read_text().replace("\nname: Runway\n", f"\nname: 'R {HOSTILE}'\n"))
    for path in (root / "vendors").glob("*.yaml"):  # units follow the renamed measures
        path.write_text(path.read_text().replace("unit: s\n", f"unit: 's {HOSTILE}'\n"))
    report = validate([root / "criteria", root / "vendors"])
    assert report.ok, str(report)
    return root


def edit_template_weights(at: Any, weights: dict[str, float]) -> None:
    """On the Templates page (AppTest), type new weights into the Edit tab's table."""
    at.switch_page("scorecard/app/pages/templates.py").run()
    frame = at.data_editor(key="templates_weights").value
    rows = {int(frame.index[frame["id"] == key][0]): value for key, value in weights.items()}
    at.session_state["templates_weights"] = {
        "edited_rows": {row: {"weight": value} for row, value in rows.items()},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()


SOFFICE = shutil.which("soffice")


def needs_libreoffice(test: Any) -> Any:
    """Mark a test that runs LibreOffice: skipped (and listed at the end of the run) where it is
    not installed, unless SCORECARD_REQUIRE_LIBREOFFICE is set, as CI sets it."""
    skip = pytest.mark.skipif(
        SOFFICE is None and not os.environ.get("SCORECARD_REQUIRE_LIBREOFFICE"),
        reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)",
    )
    return skip(pytest.mark.libreoffice(test))


def soffice_convert(path: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    """LibreOffice, headless, with its own profile folder: `path` converted to `fmt` in
    `outdir`; returns the new file."""
    assert SOFFICE, "LibreOffice (soffice) is required here"
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return outdir / f"{path.stem}.{fmt}"


# LibreOffice does not recalculate xlsx formulas on load unless its profile says so.
RECALC = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
    "</oor:items>\n"
)


def recalculate(path: Path, out: Path, profile: Path) -> Any:
    """The workbook at `path` as LibreOffice computes it: every formula recalculated on load,
    saved again, and read back with the values LibreOffice wrote (an openpyxl Workbook)."""
    import openpyxl

    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC)
    return openpyxl.load_workbook(soffice_convert(path, "xlsx", out, profile), data_only=True)


LABELLED = ["slider", "toggle", "expander", "button", "selectbox", "multiselect", "radio"]
LABELLED += ["number_input", "text_input", "select_slider", "checkbox", "tabs"]
TEXTS = ["title", "header", "subheader", "markdown", "caption", "error", "info", "success"]


def page_texts(at: Any) -> list[str]:
    """The Markdown of every label, help text and text element on an AppTest page."""
    found = []
    for kind in LABELLED:
        found += [getattr(e, "label", "") or "" for e in at.get(kind)]
        found += [getattr(e, "help", "") or "" for e in at.get(kind)]
    for kind in TEXTS:
        found += [str(e.value) for e in at.get(kind)]
    return found


def answer_questionnaire(
    book: Any, answers: dict[str, Any], respondent: tuple[str, str, str], day: str, evidence: str
) -> Any:
    """A questionnaire workbook filled in as a vendor would, in the cells it unlocks: who
    answered and when, then, by question id, each answer with `evidence` beside it."""
    from scorecard.export.questionnaire import COLUMN, HEADER_ROW, QUESTIONS

    sheet = book[QUESTIONS]
    for row, value in zip((4, 5, 6, 7), (*respondent, day), strict=True):
        sheet.cell(row, 4).value = value
    for r in range(HEADER_ROW + 2, sheet.max_row + 1):
        qid = sheet.cell(r, COLUMN["id"] + 1).value
        if qid in answers:
            sheet.cell(r, COLUMN["answer"] + 1).value = answers[qid]
            sheet.cell(r, COLUMN["evidence"] + 1).value = evidence
    return book


@pytest.fixture(scope="session")
def postgres_server() -> Any:
    """A real PostgreSQL server for this test run (see pgserver). Where Debian's postgresql
    package is not installed the tests that need it are skipped (and listed at the end of the
    run), unless SCORECARD_REQUIRE_POSTGRES is set, as CI sets it."""
    if pgserver.program("initdb") is None:
        message = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("SCORECARD_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    with pgserver.postgres() as url:
        yield url


@pytest.fixture
def postgres_database(postgres_server: str, request: pytest.FixtureRequest) -> Any:
    """A new, empty database on the test run's PostgreSQL server, dropped after the test."""
    import sqlalchemy as sa

    name = "t_" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
    admin = sa.create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield f"{postgres_server}/{name}"
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()
