"""Fuzzing: generated templates, vendor profiles and session files, each a shipped file mutated
(values swapped for hostile ones, keys dropped or added, YAML syntax spliced into the text), go
through loading, scoring and every export. The only failure allowed is the library's own
located error (`LoadError`, or `ScoringError` for options that cannot be scored); anything else
would reach a user as a traceback.

`make test` runs a short, fixed budget (FUZZ_EXAMPLES, default 40 files per kind); `make fuzz`
runs 3,400 per kind (10,200 files) with fresh random seeds.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml
from conftest import HOSTILE, ROOT
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scorecard.export import EXPORT_FORMATS, export_file
from scorecard.loading import LoadError, load_session, load_template, load_vendors
from scorecard.model import Template, Vendor, check_claims
from scorecard.scoring import Options, ScoringError
from scorecard.session import SESSION_FORMAT, Override, Session, compare

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,  # the short budget is the same in every run
    database=None,
    suppress_health_check=list(HealthCheck),
)
SHIPPED = ROOT / "criteria" / "ai-video-enterprise.yaml"
TEMPLATE = load_template(SHIPPED)
VENDORS = load_vendors([ROOT / "vendors"], TEMPLATE)
VENDOR_TEXT = (ROOT / "vendors" / "runway.yaml").read_text()
SESSION = Session(
    format=SESSION_FORMAT,
    template=TEMPLATE,
    vendors=("runway", "pika", "kling-ai"),
    profile="legal",
    weights={"latency": 20.0},
    gates={"commercial_use": False},
    missing="exclude",
    overrides=(
        Override.model_validate(
            {
                "vendor": "runway",
                "criterion": "generation_time",
                "claim": {
                    "value": [60, 90],
                    "unit": "s",
                    "confidence": "verified",
                    "sources": [
                        {"title": "Pilot", "publisher": "Us", "kind": "buyer", "date": "2026-10"}
                    ],
                },
            }
        ),
    ),
)
BASES = {
    "template": yaml.safe_load(SHIPPED.read_text()),
    "vendor": yaml.safe_load(VENDOR_TEXT),
    "session": SESSION.model_dump(mode="json", exclude_defaults=True),
}


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


hostile = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(10**300, 10**400),
    st.floats(),
    st.text(max_size=40),
    st.dates(),
    st.sampled_from(
        [
            HOSTILE,
            "Run\u202eway",
            "Runw\u0430y",
            "=1+1",
            "x;=1+1",
            "1e308",
            "1.0e+308",
            "-1.0e+308",
            "0x1A",
            "1:30",
            "-0",
            "2999-01-01",
            "/etc/shadow",
            "../../etc/passwd",
            "ai-video-enterprise.yaml",
            "",
            " ",
            "unknown",
            "verified",
            "https://example.com/a",
        ]
    ),
    st.lists(st.integers(-5, 5) | st.floats(-1e6, 1e6), max_size=3),
    st.lists(st.sampled_from(["us", "eu", "uk", "apac", "cn", "mars"]), max_size=4),
    st.integers(40, 90).map(_nested),
    st.recursive(
        st.none() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
        max_leaves=6,
    ),
)
SPLICES = [
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "!custom ",
    "{",
    "[",
    "]",
    "- ",
    ": ",
    "\t",
    "'",
    '"',
    "? ",
    "<<: *a\n",
    "\n  ",
    "\n---\n",
    "%YAML 1.1\n",
    "\x00",
    "\ufeff",
    "#",
    "|\n",
    "[" * 200,
]


def _places(data: Any, out: list) -> list:
    """Every (container, key) in a document, depth first."""
    if isinstance(data, dict):
        for key in list(data):
            out.append((data, key))
            _places(data[key], out)
    elif isinstance(data, list):
        for i in range(len(data)):
            out.append((data, i))
            _places(data[i], out)
    return out


def _alike(value: Any) -> st.SearchStrategy:
    """Another value of the same kind: extreme numbers, hostile text, shuffled lists."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(-3, 12) | st.integers(0, 10**6) | st.sampled_from([0, 1, 10**6])
    if isinstance(value, float):
        return st.floats(0, 1e6) | st.floats(-1e3, 1e3) | st.sampled_from([0.0, 1e-300, 1e6])
    if isinstance(value, str):
        return st.sampled_from([value, HOSTILE, value + " " + HOSTILE, "=SUM(A1)", "x" * 2000])
    if isinstance(value, list):
        return st.permutations(value) if value else st.just([])
    return st.just(value)


@st.composite
def documents(draw: st.DrawFn, kind: str) -> str:
    data = copy.deepcopy(BASES[kind])
    for _ in range(draw(st.integers(1, 3))):
        places = _places(data, [])
        container, key = places[draw(st.integers(0, len(places) - 1))]
        action = draw(
            st.sampled_from(["nudge", "nudge", "nudge", "replace", "drop", "add", "copy"])
        )
        if action == "nudge":  # the same kind of value, often still valid: stresses the engine
            container[key] = draw(_alike(container[key]))
        elif action == "replace":
            container[key] = draw(hostile)
        elif action == "drop" and isinstance(container, dict):
            del container[key]
        elif action == "add" and isinstance(container, dict):
            container[draw(st.sampled_from(["extra", "company", "weight", "$x"]))] = draw(hostile)
        elif action == "copy":
            other, other_key = places[draw(st.integers(0, len(places) - 1))]
            container[key] = copy.deepcopy(other[other_key])
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(SPLICES)) + text[at:]
    return text


def _fitting(template: Template) -> list[Vendor]:
    """The shipped vendors, with only the claims that fit `template`."""
    out = []
    for vendor in VENDORS:
        claims = {k: c for k, c in vendor.claims.items() if not check_claims({k: c}, [template])}
        out.append(vendor.model_copy(update={"claims": claims}))
    return out


def _score_and_export(
    template: Template, vendors: list[Vendor], options: Options, overrides=()
) -> None:
    try:
        comparison = compare(template, vendors, options, overrides)
    except ScoringError:
        event("loaded; scoring refused with a message")
        return  # a message for the user (every weight 0, say): the CLI exits 2 with it
    event("loaded, scored and exported")
    for fmt in EXPORT_FORMATS:
        data = export_file(
            fmt,
            comparison,
            version="fuzz",
            created=dt.datetime(2026, 11, 26, tzinfo=dt.UTC),
            files={},
            vendor_files={},
            template_path=None,
        )
        assert data


@SETTINGS
@given(text=documents("template"))
def test_fuzzed_templates_load_score_and_export_or_are_refused(text):
    try:
        template = load_template("fuzz.yaml", text, parents={"ai-video-enterprise.yaml": TEMPLATE})
    except LoadError as exc:
        assert exc.report.problems
        event("refused with located problems")
        return
    _score_and_export(template, _fitting(template), Options())


@SETTINGS
@given(text=documents("vendor"))
def test_fuzzed_vendor_profiles_load_score_and_export_or_are_refused(text, tmp_path_factory):
    path: Path = tmp_path_factory.mktemp("fuzz") / "vendor.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        [vendor] = load_vendors([path], TEMPLATE)
    except LoadError as exc:
        assert exc.report.problems
        event("refused with located problems")
        return
    others = [v for v in VENDORS if v.id != vendor.id and v.name != vendor.name]
    _score_and_export(TEMPLATE, [vendor, *others], Options())


@SETTINGS
@given(text=documents("session"))
def test_fuzzed_sessions_load_score_and_export_or_are_refused(text):
    try:
        session = load_session("fuzz.yaml", text, [v.id for v in VENDORS])
    except LoadError as exc:
        assert exc.report.problems
        event("refused with located problems")
        return
    chosen = [v for v in _fitting(session.template) if v.id in session.vendors]
    _score_and_export(session.template, chosen, session.options(), session.overrides)


def test_the_unmutated_bases_are_valid(tmp_path):
    """The fuzzer starts from valid files, so what it finds is what its mutations did."""
    dump = {k: yaml.safe_dump(v, allow_unicode=True, sort_keys=False) for k, v in BASES.items()}
    assert load_template("t.yaml", dump["template"]) == TEMPLATE
    assert load_session("s.yaml", dump["session"], [v.id for v in VENDORS]) == SESSION
    (tmp_path / "runway.yaml").write_text(dump["vendor"])
    assert load_vendors([tmp_path / "runway.yaml"], TEMPLATE) == [
        v for v in VENDORS if v.id == "runway"
    ]
