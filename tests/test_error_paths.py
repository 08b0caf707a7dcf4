"""The paths a user meets when something is wrong, each asserted as the exact located line they
read: a mistake in a template, a vendor profile or a saved session, and options the scoring
engine refuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
import yaml
from conftest import DATA, claim, leaf, linear, rating, template, vendor

from scorecard.loading import (
    LoadError,
    load_session,
    load_template,
    load_vendors,
    load_workspace,
    validate,
)
from scorecard.model import MAX_VENDORS, Claim, Template
from scorecard.scoring import (
    FAIL,
    OPEN,
    PASS,
    Options,
    ScoringError,
    build_matrix,
    check_gate,
    condition_text,
    evaluate,
    requirement_text,
)

MINI = (DATA / "valid" / "mini.yaml").read_text()
ACME = (DATA / "valid" / "acme.yaml").read_text()
LINEAR = "value_function: {type: linear, worst: 100, best: 0}"
GATE = "criterion: c2pa\n    require: true"
UNKNOWN_REGIONS = "regions:\n    confidence: unknown\n    note: Ask where the service is offered."
SOURCE = "    sources:\n      - {title: T, publisher: P, date: 2026-01-01, kind: vendor, url: 'https://a.example'}"


def problems(tmp_path: Path, base: str, old: str, new: str, *others: Path) -> list[str]:
    """Every problem `validate` reports for `base` with `old` replaced by `new`, as printed."""
    assert old in base, old  # the case edits what it means to
    path = tmp_path / "case.yaml"
    path.write_text(base.replace(old, new, 1))
    report = validate([*others, path])
    return [str(p).replace(f"{tmp_path}/", "") for p in report.problems]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            LINEAR,
            "value_function: {type: piecewise, points: [[0, 1], [50, 0.2], [100, 0.5]]}",
            "case.yaml:21:11: [invalid] criteria[0].criteria[1].measure: value_function: "
            "utilities of the points must fall as the value grows (direction lower)",
            id="piecewise-not-monotone",
        ),
        pytest.param(
            LINEAR,
            "value_function: {type: piecewise, points: [[0, 1], [0, 0.5], [100, 0]]}",
            "case.yaml:24:53: [invalid] criteria[0].criteria[1].measure.value_function.points: "
            "point values must strictly increase, e.g. [[0, 0], [10, 1]]",
            id="piecewise-repeated-x",
        ),
        pytest.param(
            "scale: [0, 4]",
            "scale: [4, 0]",
            "case.yaml:14:11: [invalid] criteria[0].criteria[0].measure: "
            "scale must be [low, high] with low < high, got [4, 0]",
            id="scale-low-above-high",
        ),
        pytest.param(
            "scale: [0, 4]",
            "scale: [2, 2]",
            "case.yaml:14:11: [invalid] criteria[0].criteria[0].measure: "
            "scale must be [low, high] with low < high, got [2, 2]",
            id="scale-low-equals-high",
        ),
        pytest.param(
            "worst: 100, best: 0",
            "worst: 100, best: 100",
            "case.yaml:21:11: [invalid] criteria[0].criteria[1].measure: "
            "value_function: best and worst must differ",
            id="best-equals-worst",
        ),
        pytest.param(
            "worst: 100, best: 0",
            "worst: .inf, best: 0",
            "case.yaml:24:49: [number-format] criteria[0].criteria[1].measure.value_function."
            "worst: '.inf' is not a plain decimal number (infinity and NaN cannot be scored) "
            "(hint: write the number in decimal, e.g. 90 (YAML reads 1:30 as 90, 012 as 10 and "
            "0x1A as 26), or quote it if it is text)",
            id="non-finite",
        ),
        pytest.param(
            "options: [us, eu, uk, apac]",
            "options: [us, eu, uk, eu]",
            "case.yaml:34:18: [invalid] criteria[1].criteria[1].measure: options must not repeat",
            id="repeated-options",
        ),
        pytest.param(
            "required: [us, eu]",
            "required: []",
            "case.yaml:34:18: [invalid] criteria[1].criteria[1].measure: required must name at "
            "least one option (or be left out: all)",
            id="required-empty",
        ),
        pytest.param(
            "required: [us, eu]",
            "required: [us, mars]",
            "case.yaml:34:18: [invalid] criteria[1].criteria[1].measure: required option(s) "
            "['mars'] are not among options ['us', 'eu', 'uk', 'apac']",
            id="required-not-an-option",
        ),
        pytest.param(
            "weight: 60",
            "weight: -60",
            "case.yaml:8:13: [invalid] criteria[0].weight: Input should be greater than or equal "
            "to 0 (hint: weights are relative and must be 0 or more)",
            id="negative-weight",
        ),
        pytest.param(
            "gates:\n",
            "gates:\n  - {id: need_c2pa, name: Again, criterion: c2pa, require: true}\n",
            "case.yaml:37:9: [duplicate-id] gates[1].id: gate id 'need_c2pa' is used twice",
            id="gate-id-twice",
        ),
        pytest.param(
            GATE,
            "criterion: regions\n    require: [eu, mars]",
            "case.yaml:39:14: [gate-mismatch] gates[0].require: option(s) ['mars'] are not "
            "among ['us', 'eu', 'uk', 'apac']",
            id="gate-option-unknown",
        ),
        pytest.param(
            GATE,
            "criterion: regions\n    require: []",
            "case.yaml:39:14: [gate-mismatch] gates[0].require: a coverage criterion's gate "
            "requires a list of options, e.g. [eu]",
            id="gate-options-empty",
        ),
        pytest.param(
            GATE,
            "criterion: rating_a\n    require: 7",
            "case.yaml:39:14: [gate-mismatch] gates[0].require: 7 is outside the rating scale 0..4",
            id="gate-outside-scale",
        ),
        pytest.param(
            GATE,
            "criterion: latency\n    require: true",
            "case.yaml:39:14: [gate-mismatch] gates[0].require: this criterion's gate requires "
            "a number (the least acceptable level)",
            id="gate-yes-no-on-a-number",
        ),
        pytest.param(
            "profiles:\n",
            "x: {<<: {a: 1}}\nprofiles:\n",
            "case.yaml:41:5: [yaml-key] x: keys must be plain text (no merge keys, lists or maps "
            "as keys)",
            id="merge-key",
        ),
        pytest.param(
            "profiles:\n",
            "? [a, b]\n: 1\nprofiles:\n",
            "case.yaml:41:3: [yaml-key] keys must be plain text (no merge keys, lists or maps as "
            "keys)",
            id="list-as-key",
        ),
        pytest.param(
            "name: Mini template",
            "name: !!binary aGk=",
            "case.yaml:3:7: [yaml-tag] name: tag 'tag:yaml.org,2002:binary' is not allowed "
            "(hint: use plain values: text, numbers, true/false, dates, lists and maps)",
            id="tag",
        ),
        pytest.param(
            "name: Mini template",
            'name: "Mini\\x07"',
            "case.yaml:3:7: [invalid] name: contains the control character U+0007, which is not "
            "text; remove it",
            id="control-character",
        ),
        pytest.param(
            "weights: {fit: 80, quality: 20}",
            "weights: {fit: 80, qualty: 20}",
            "case.yaml:44:32: [unknown-criterion] profiles.legal.weights.qualty: no criterion "
            "'qualty' in the template (hint: did you mean 'quality'?)",
            id="profile-weight-unknown",
        ),
    ],
)
def test_a_template_mistake_reads_exactly(tmp_path, old, new, expected):
    assert problems(tmp_path, MINI, old, new) == [expected]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "name: Mini template\n",
            "",
            "case.yaml:2:1: [missing-field] name: required field 'name' is missing",
            id="missing-field",
        ),
        pytest.param(
            "          type: rating\n",
            "",
            "case.yaml:14:11: [missing-field] criteria[0].criteria[0].measure.type: required "
            "field 'type' is missing",
            id="measure-without-type",
        ),
        pytest.param(
            "type: rating",
            "type: stars",
            "case.yaml:14:17: [choice] criteria[0].criteria[0].measure.type: 'stars' is not one "
            "of rating, number, boolean, coverage",
            id="measure-of-no-kind",
        ),
        pytest.param(
            'version: "1"',
            'version: "1"\nZZ-Top: 3',
            "case.yaml:5:1: [unknown-field] ZZ-Top: unknown field 'ZZ-Top' (hint: remove "
            "it; fields are snake_case)",
            id="not-snake-case",
        ),
        pytest.param(
            'version: "1"',
            'version: "1"\nflavour: 3',
            "case.yaml:5:1: [unknown-field] flavour: unknown field 'flavour' (hint: remove it; no "
            "file of this kind has such a field)",
            id="no-such-field",
        ),
        pytest.param(
            'version: "1"',
            'version: "1"\nstale-after: 3',
            "case.yaml:5:1: [unknown-field] stale-after: unknown field 'stale-after' (hint: did "
            "you mean 'stale_after_days'?)",
            id="near-a-field",
        ),
        pytest.param(
            'version: "1"',
            'version: "1"\nunit: s',
            "case.yaml:5:1: [unknown-field] unit: unknown field 'unit' (hint: 'unit' belongs at "
            "another level of this file: check the indentation)",
            id="field-at-the-wrong-level",
        ),
        pytest.param(
            "weight: 60",
            "weight: sixty",
            "case.yaml:8:13: [type] criteria[0].weight: Input should be a valid number, got text "
            "'sixty'",
            id="weight-in-words",
        ),
        pytest.param(
            "weight: 60",
            "weight: yes",
            "case.yaml:8:13: [type] criteria[0].weight: Input should be a valid number, got 'yes' "
            "(read as a boolean)",
            id="weight-yes",
        ),
        pytest.param(
            "weight: 60",
            "weight: 1e400",
            "case.yaml:8:13: [type] criteria[0].weight: Input should be a valid number, got text "
            "'1e400' (hint: it is beyond the largest number that can be scored)",
            id="weight-beyond-floats",
        ),
        pytest.param(
            "weight: 60",
            "weight: 2000000",
            "case.yaml:8:13: [invalid] criteria[0].weight: Input should be less than or equal to "
            "1000000 (hint: weights are relative: scale them all down)",
            id="weight-over-the-cap",
        ),
        pytest.param(
            "id: mini",
            "id: Mini Template",
            "case.yaml:2:5: [pattern] id: 'Mini Template' is not a valid id (hint: use lowercase "
            "letters, digits, '-' and '_', starting with a letter or digit)",
            id="id-pattern",
        ),
        pytest.param(
            "direction: lower",
            "direction: 3",
            "case.yaml:23:22: [choice] criteria[0].criteria[1].measure.direction: '3' is not one "
            "of higher, lower",
            id="direction-a-number",
        ),
        pytest.param(
            "gates:\n",
            "policies: {stale_after_days: 0}\ngates:\n",
            "case.yaml:35:30: [invalid] policies.stale_after_days: Input should be greater than 0",
            id="stale-after-zero-days",
        ),
        pytest.param(
            "gates:\n",
            "policies: {missing: wrost}\ngates:\n",
            "case.yaml:35:21: [choice] policies.missing: 'wrost' is not one of worst, neutral, "
            "exclude (hint: did you mean 'worst'?)",
            id="policy-choice",
        ),
    ],
)
def test_a_field_mistake_reads_exactly(tmp_path, old, new, expected):
    assert problems(tmp_path, MINI, old, new) == [expected]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "value: [20, 40]",
            "value: [20, 40, 60]",
            "case.yaml:12:12: [invalid] claims.latency.value: a range is [low, high], got 3 "
            "numbers",
            id="range-of-three",
        ),
        pytest.param(
            "value: [20, 40]",
            "value: [40, 20]",
            "case.yaml:12:12: [invalid] claims.latency.value: range low 40 is above high 20",
            id="range-reversed",
        ),
        pytest.param(
            "value: [20, 40]",
            "value: [20, x]",
            "case.yaml:12:12: [invalid] claims.latency.value: a value is a number, a range "
            "[low, high], a boolean or a list of options; got [20, 'x']",
            id="range-mixed",
        ),
        pytest.param(
            UNKNOWN_REGIONS,
            f"regions:\n    value: [us, us]\n    confidence: claimed\n{SOURCE}",
            "case.yaml:24:12: [invalid] claims.regions.value: list of options repeats an option",
            id="options-repeat",
        ),
        pytest.param(
            UNKNOWN_REGIONS,
            f"regions:\n    value: 3\n    confidence: claimed\n{SOURCE}",
            "case.yaml:24:12: [measure-mismatch] claims.regions.value: expected a list of "
            "options from ['us', 'eu', 'uk', 'apac'] (hint: e.g. [us, eu])",
            id="coverage-not-a-list",
        ),
        pytest.param(
            "value: true",
            "value: 4",
            "case.yaml:19:12: [measure-mismatch] claims.c2pa.value: expected true or false, got 4",
            id="boolean-given-a-number",
        ),
        pytest.param(
            "value: 3\n",
            "value: [good]\n",
            "case.yaml:7:12: [measure-mismatch] claims.rating_a.value: expected a number or a "
            "range [low, high], got ['good'] (hint: true/false only fit boolean criteria)",
            id="rating-given-text",
        ),
        pytest.param(
            "unit: s",
            "unit: ms",
            "case.yaml:13:11: [measure-mismatch] claims.latency.unit: unit 'ms' differs from "
            "the criterion's 's' (hint: convert the value to s; units are not converted)",
            id="unit",
        ),
        pytest.param(
            "value: [20, 40]",
            "value: [-5, 40]",
            "case.yaml:12:12: [measure-mismatch] claims.latency.value: -5 s is below the least "
            "possible value, 0 s (hint: check the sign and the unit)",
            id="below-minimum",
        ),
        pytest.param(
            'url: "https://acme.example/terms"',
            'url: "ftp://acme.example/terms"',
            "case.yaml:10:51: [pattern] claims.rating_a.sources[0].url: 'ftp://acme.example/"
            "terms' is not a web address (hint: start it with https://)",
            id="not-a-web-address",
        ),
        pytest.param(
            "date: 2026-01-15",
            "date: 'Jan 2026'",
            "case.yaml:10:87: [pattern] claims.rating_a.sources[0].date: 'Jan 2026' is not a date "
            "(hint: write YYYY, YYYY-MM or YYYY-MM-DD)",
            id="date-in-words",
        ),
        pytest.param(
            "date: 2026-01-15",
            "date: 2026-01-15 10:00:00",
            "case.yaml:10:87: [type] claims.rating_a.sources[0].date: 2026-01-15 10:00:00 is a "
            "date and time (hint: write the date alone: YYYY-MM-DD)",
            id="date-and-time",
        ),
        pytest.param(
            "name: Acme Video",
            "name: yes",
            "case.yaml:2:7: [type] name: Input should be a valid string (hint: 'yes' was read as "
            'True; put it in quotes: "yes")',
            id="name-yes",
        ),
        pytest.param(
            "value: 3\n    confidence: confirmed",
            "value: 3\n    confidence: yes",
            "case.yaml:8:17: [choice] claims.rating_a.confidence: 'yes' is not one of verified, "
            "confirmed, reported, claimed, unknown",
            id="grade-yes",
        ),
        pytest.param(
            "value: 3\n",
            "value: 'three'\n",
            "case.yaml:7:12: [invalid] claims.rating_a.value: a value is a number, a range [low, "
            "high], a boolean or a list of options, not the text 'three'; put words in `note`",
            id="value-in-words",
        ),
        pytest.param(
            "date: 2026-01-15",
            "date: 2026-13",
            "case.yaml:10:87: [invalid] claims.rating_a.sources[0].date: '2026-13' is not a real "
            "date (month must be in 1..12)",
            id="no-such-month",
        ),
        pytest.param(
            "date: 2026-01-15",
            "date: 2026-02-30",
            "case.yaml:10:87: [yaml-value] claims.rating_a.sources[0].date: '2026-02-30' cannot "
            "be read: day is out of range for month (hint: quote it if it is text)",
            id="no-such-day",
        ),
    ],
)
def test_a_vendor_mistake_reads_exactly(tmp_path, old, new, expected):
    assert problems(tmp_path, ACME, old, new, DATA / "valid" / "mini.yaml") == [expected]


def test_a_logarithmic_measure_refuses_a_value_of_zero(tmp_path):
    mini = tmp_path / "mini.yaml"
    mini.write_text(MINI.replace(LINEAR, "value_function: {type: log, worst: 100, best: 1}"))
    assert problems(tmp_path, ACME, "value: [20, 40]", "value: [0, 40]", mini) == [
        "case.yaml:12:12: [measure-mismatch] claims.latency.value: a logarithmic measure needs "
        "values above 0"
    ]


OVERLAY = "id: o\nname: O\nversion: '1'\nextends: {}\n"
MISSING = "1:1: [missing-field] {0}: required field '{0}' is missing"


@pytest.mark.parametrize(
    ("text", "parents", "expected"),
    [
        pytest.param(
            "- a\n- b\n",
            {},
            ["1:1: [type] a template is a mapping of fields at the top"],
            id="list",
        ),
        pytest.param(
            OVERLAY.format("c.yaml"),
            {"b.yaml": None, "a.yaml": None},
            [
                "4:10: [extends-missing] extends: no template 'c.yaml' to extend here (hint: one "
                "of: a.yaml, b.yaml)"
            ],
            id="not-on-offer",
        ),
        pytest.param(
            OVERLAY.format("c.yaml"),
            None,  # an upload reads no file, though `c.yaml` may be one beside it
            [
                "4:10: [extends-missing] extends: no template 'c.yaml' to extend here (hint: one "
                "of: none)"
            ],
            id="none-on-offer",
        ),
        pytest.param(
            "extends: c.yaml\ndescription: !!binary aGk=\n",
            {},
            [
                "2:14: [yaml-tag] description: tag 'tag:yaml.org,2002:binary' is not allowed "
                "(hint: use plain values: text, numbers, true/false, dates, lists and maps)",
                *(MISSING.format(name) for name in ("id", "name", "version")),
            ],
            id="an-invalid-overlay-goes-no-further",
        ),
    ],
)
def test_an_uploaded_template_says_what_it_lacks(text, parents, expected):
    with pytest.raises(LoadError) as caught:
        load_template("up.yaml", text, parents=parents)
    assert at(Path("up.yaml"), caught.value.report.problems) == expected
    assert caught.value.report.files == ["up.yaml"]


def test_extending_an_invalid_template_names_both_files(tmp_path):
    (tmp_path / "base.yaml").write_text(MINI.replace("weight: 60", "weight: -1"))
    (tmp_path / "child.yaml").write_text(
        "id: child\nname: Child\nversion: '1'\nextends: base.yaml\n"
    )
    report = validate([tmp_path / "child.yaml"])
    assert [str(p).replace(f"{tmp_path}/", "") for p in report.problems] == [
        "base.yaml:8:13: [invalid] criteria[0].weight: Input should be greater than or equal to "
        "0 (hint: weights are relative and must be 0 or more)",
        "child.yaml:4:10: [extends-invalid] extends: the template it extends (base.yaml) has "
        "problems (hint: they are listed for that file)",
    ]


# ---------------------------------------------------------------------------------------------
# A saved session loaded against the vendors on hand
# ---------------------------------------------------------------------------------------------

BUYER = [{"title": "Pilot", "publisher": "Buyer", "kind": "buyer", "date": "2026-01-01"}]


def at(path: Path, problems: list) -> list[str]:
    """The problems of one file as a reader sees them, without the file's name."""
    return [str(p).replace(f"{path}:", "") for p in problems]


def session_problems(**changes: object) -> list[str]:
    data = {
        "format": "scorecard-session/1",
        "template": Template.model_validate(yaml.safe_load(MINI)).model_dump(mode="json"),
        "vendors": ["acme"],
        **changes,
    }
    with pytest.raises(LoadError) as caught:
        load_session("s.yaml", yaml.safe_dump(data, sort_keys=False), ["acme", "zenith"])
    return [str(p) for p in caught.value.report.problems]


def override(vendor: str = "acme", criterion: str = "c2pa", **claim: object) -> dict:
    return {
        "vendor": vendor,
        "criterion": criterion,
        "claim": {"value": True, "confidence": "verified", "sources": BUYER, **claim},
    }


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"overrides": [override(vendor="acne")]},
            "s.yaml:101:11: [unknown-vendor] overrides[0].vendor: no vendor 'acne' "
            "(hint: did you mean 'acme'?)",
            id="override-unknown-vendor",
        ),
        pytest.param(
            {"overrides": [override(value=5)]},
            "s.yaml:104:12: [measure-mismatch] overrides[0].claim.value: expected true or false, "
            "got 5",
            id="override-misfit-claim",
        ),
        pytest.param(
            {"overrides": [override(criterion="c2p")]},
            "s.yaml:102:14: [unknown-criterion] overrides[0].criterion: no criterion 'c2p' in "
            "the template (hint: did you mean 'c2pa'?)",
            id="override-unknown-criterion",
        ),
        pytest.param(
            {"overrides": [override(sources=[{**BUYER[0], "date": "2026-12-01"}])]},
            "s.yaml:110:13: [future-date] overrides[0].claim.sources[0].date: 2026-12-01 is "
            "after today (2026-11-27) (hint: a date says when something was published or read; "
            "check the year)",
            id="override-dated-tomorrow-and-after",
        ),
        pytest.param(
            {"profile": "legl"},
            "s.yaml:100:10: [unknown-profile] profile: no profile 'legl' in the template "
            "(hint: did you mean 'legal'?)",
            id="unknown-profile",
        ),
        pytest.param(
            {"gates": {"need_c2p": True}},
            "s.yaml:101:13: [unknown-gate] gates.need_c2p: no gate 'need_c2p' in the template "
            "(hint: did you mean 'need_c2pa'?)",
            id="unknown-gate",
        ),
        pytest.param(
            {"conditions": {"api": True}},
            "s.yaml:101:8: [unknown-condition] conditions.api: no condition 'api' in the "
            "template (hint: known: none)",
            id="unknown-condition",
        ),
        pytest.param(
            {"weights": {"quality": 0, "fit": 0}},
            "s.yaml:101:3: [zero-weights] weights: every weight is 0, so there is nothing to "
            "score (hint: give at least one criterion a weight above 0)",
            id="zero-weights",
        ),
        pytest.param(
            {"vendors": ["acme", "acne"]},
            "s.yaml:100:3: [unknown-vendor] vendors[1]: no vendor 'acne' (hint: did you mean "
            "'acme'?)",
            id="unknown-vendor",
        ),
        pytest.param(
            {"weights": {"qualty": 3}},
            "s.yaml:101:11: [unknown-criterion] weights.qualty: no criterion 'qualty' in the "
            "template (hint: did you mean 'quality'?)",
            id="unknown-weight",
        ),
        pytest.param(
            {"as_of": "yesterday"},
            "s.yaml:100:8: [type] as_of: Input should be a valid date or datetime, input is too "
            "short (hint: write a date as YYYY-MM-DD, without quotes or time)",
            id="as-of-in-words",
        ),
        pytest.param(
            {"as_of": dt.datetime(2026, 1, 2, 10, 30)},
            "s.yaml:100:8: [invalid] as_of: Datetimes provided to dates should have zero time - "
            "e.g. be exact dates (hint: write a date as YYYY-MM-DD, without quotes or time)",
            id="as-of-a-date-and-time",
        ),
        pytest.param(
            {"as_of": [2026]},
            "s.yaml:101:1: [type] as_of: Input should be a valid date",
            id="as-of-a-list",
        ),
        pytest.param(
            {"weights": {"quality": [1]}},
            "s.yaml:102:3: [type] weights.quality: Input should be a valid number",
            id="weight-a-list",
        ),
        pytest.param(
            {"weights": {"quality": 2e6}},
            "s.yaml:101:12: [invalid] weights.quality: Input should be less than or equal to "
            "1000000 (hint: weights are relative: scale them all down)",
            id="weight-too-large",
        ),
        pytest.param(
            {"weights": {"quality": -1}},
            "s.yaml:101:12: [invalid] weights.quality: Input should be greater than or equal to 0 "
            "(hint: weights are relative and must be 0 or more)",
            id="weight-below-zero",
        ),
        pytest.param(
            {"method": "borda"},
            "s.yaml:100:9: [choice] method: 'borda' is not one of wsm, wpm, topsis",
            id="unknown-method",
        ),
    ],
)
def test_a_session_mistake_reads_exactly(changes, expected):
    with time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False):
        assert session_problems(**changes) == [expected]


def test_a_sessions_own_template_is_checked_as_a_file_would_be():
    data = yaml.safe_load(MINI)
    data["criteria"][1]["criteria"][0]["id"] = "rating_a"  # c2pa renamed to an id in use
    assert session_problems(template=data) == [
        "s.yaml:40:11: [duplicate-id] template.criteria[1].criteria[0].id: criterion id "
        "'rating_a' is used twice (hint: every criterion id must be unique in the template)",
        "s.yaml:59:16: [unknown-criterion] template.gates[0].criterion: no leaf criterion "
        "'c2pa' in the template (hint: known: latency, rating_a, regions)",
    ]


def test_a_session_may_name_the_availability_gate_and_weigh_below_one():
    data = {
        "format": "scorecard-session/1",
        "template": Template.model_validate(yaml.safe_load(MINI)).model_dump(mode="json"),
        "vendors": ["acme"],
        "gates": {"available": False},
        "weights": {"quality": 0.5, "fit": 0},
    }
    session = load_session("s.yaml", yaml.safe_dump(data), ["acme"])
    assert (session.gates, session.weights) == ({"available": False}, {"quality": 0.5, "fit": 0})


# ---------------------------------------------------------------------------------------------
# The scoring engine, called with options no file could carry
# ---------------------------------------------------------------------------------------------

GATED = template(
    leaf("a", {"type": "boolean"}),
    leaf("b", rating()),
    leaf("c", linear(100, 0)),
    leaf("d", {"type": "coverage", "options": ["us", "eu"]}),
    gates=[
        {"id": "ga", "name": "GA", "criterion": "a", "require": True},
        {"id": "gb", "name": "GB", "criterion": "b", "require": 3},
        {"id": "gc", "name": "GC", "criterion": "c", "require": 30},
        {"id": "gd", "name": "GD", "criterion": "d", "require": ["eu"]},
    ],
)
FAILING = vendor("x", a=claim(False), b=claim(1), c=claim(50), d=claim(["us"]))


def test_each_kind_of_gate_says_what_it_asks_and_why_a_vendor_fails():
    leaves = {c.id: c for c in GATED.leaves()}
    asked = [requirement_text(g.require, leaves[g.criterion]) for g in GATED.gates]
    assert asked == ["yes", "at least 3 of 0–4", "≤ 30 s", "covers eu"]
    assert requirement_text(False, leaves["a"]) == "no"
    assert requirement_text(["eu", "uk"], leaves["d"]) == "covers eu, uk"
    frames = Template.model_validate(
        {"id": "f", "name": "F", "version": "1", "criteria": [leaf("n", linear(0, 60, "fps"))]}
    ).leaves()[0]
    assert requirement_text(24, frames) == "≥ 24 fps"
    result = evaluate(GATED, build_matrix(GATED, [FAILING]), Options())
    assert [(g.label, g.detail) for g in result.rows[0].gates] == [
        ("passes: Service can be bought (not discontinued)", ""),
        ("fails: GA", "A: no, must be yes"),
        ("fails: GB", "B: 1, must be ≥ 3"),
        ("fails: GC", "C: 50, must be ≤ 30"),
        ("fails: GD", "D: lacks eu"),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (Options(method="borda"), "unknown method 'borda' (one of wsm, wpm, topsis)"),  # type: ignore[arg-type]
        (Options(weights={"a": -1}), "weight of 'a' must be a number of 0 or more, got -1"),
        (
            Options(weights={"a": float("nan")}),
            "weight of 'a' must be a number of 0 or more, got nan",
        ),
    ],
)
def test_options_the_engine_cannot_score_are_refused_by_name(options, message):
    with pytest.raises(ScoringError) as caught:
        evaluate(GATED, build_matrix(GATED, [FAILING]), options)
    assert str(caught.value) == message


NAMED = template(
    leaf("a", rating()),
    profiles={
        "legal": {"name": "Legal", "weights": {"a": 1}},
        "speed": {"name": "S", "weights": {"a": 2}},
    },
    conditions={"api": {"name": "API"}},
)


@pytest.mark.parametrize(
    ("tpl", "options", "message"),
    [
        (GATED, Options(profile="legl"), "no profile 'legl' in the template (known: none)"),
        (NAMED, Options(profile="legl"), "no profile 'legl' in the template (known: legal, speed)"),
        (
            GATED,
            Options(weights={"aa": 1}),
            "no criterion 'aa' in the template (did you mean 'a'?)",
        ),
        (GATED, Options(weights={"zzz": 1}), "no criterion 'zzz' in the template"),
        (GATED, Options(gates={"gx": False}), "no gate 'gx' (known: available, ga, gb, gc, gd)"),
        (
            NAMED,
            Options(conditions={"apii": True}),
            "no condition 'apii' in the template (did you mean 'api'?)",
        ),
        (NAMED, Options(conditions={"zzz": True}), "no condition 'zzz' in the template"),
    ],
)
def test_options_naming_what_the_template_lacks_are_refused_with_what_it_has(tpl, options, message):
    with pytest.raises(ScoringError) as caught:
        evaluate(tpl, build_matrix(tpl, []), options)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "tab.yaml",
            "id: x\nname: X\n\tversion: '1'\n",
            "tab.yaml:3:1: [yaml-syntax] while scanning a plain scalar found a tab character "
            "that violates indentation (hint: indent with spaces, not tabs)",
        ),
        (
            "colon.yaml",
            "id: x\nname: a: b\n",
            "colon.yaml:2:8: [yaml-syntax] mapping values are not allowed in this context (hint: "
            "a value containing ': ' needs quotes)",
        ),
        (
            "undefined.yaml",
            "id: *x\n",
            "undefined.yaml:1:5: [yaml-syntax] found undefined alias (hint: anchors and aliases "
            "are not allowed; write the value out)",
        ),
        (
            "star.yaml",
            "id: [*]\n",
            "star.yaml:1:7: [yaml-syntax] while scanning an alias did not find expected "
            "alphabetic or numeric character (hint: anchors and aliases are not allowed; write "
            "the value out)",
        ),
        (
            "backtick.yaml",
            "id: a\nname: `x`\n",  # no hint to give
            "backtick.yaml:2:7: [yaml-syntax] while scanning for the next token found character "
            "that cannot start any token",
        ),
        (
            "list.yaml",
            "- 1\n- 2\n",
            "list.yaml:1:1: [type] a vendor profile is a mapping of fields",
        ),
        (
            "self.yaml",
            "id: s\nname: S\nversion: '1'\nextends: self.yaml\n",
            "self.yaml:4:10: [extends-cycle] extends: templates extend each other: self.yaml -> "
            "self.yaml (hint: a template cannot extend itself)",
        ),
        (
            "deep.yaml",
            "id: t\nname: T\nversion: '1'\ndescription: " + "[" * 1100 + "]" * 1100 + "\n",
            "deep.yaml:4:1013: [yaml-syntax] while increasing flow level exceeded maximum nesting "
            "depth (hint: no Scorecard file nests more than 50 levels; look for unclosed brackets)",
        ),
        (
            "policy.yaml",
            "id: s\nname: S\nversion: '1'\nextends: base.yaml\npolicies:\n  confidence: 0.5\n",
            "policy.yaml:6:15: [type] policies.confidence: expected a mapping of fields (name: "
            "value, one per line)",
        ),
        (
            "empty.yaml",
            "id: t\nname: T\nversion: '1'\ncriteria: []\n",
            "empty.yaml:4:11: [invalid] criteria: needs at least 1 item(s), got 0",
        ),
        (
            "low.yaml",
            "id: s\nname: S\nversion: '1'\nextends: base.yaml\npolicies: {stale_factor: -1}\n",
            "low.yaml:5:26: [invalid] policies.stale_factor: Input should be greater than or equal "
            "to 0",
        ),
        (
            "high.yaml",
            "id: s\nname: S\nversion: '1'\nextends: base.yaml\npolicies: {stale_factor: 2}\n",
            "high.yaml:5:26: [invalid] policies.stale_factor: Input should be less than or equal "
            "to 1",
        ),
        (
            "path.yaml",
            "id: s\nname: S\nversion: '1'\nextends: ../base.yaml\n",
            "path.yaml:4:10: [pattern] extends: '../base.yaml' is not the file name of a template "
            "(hint: name a template in the same folder, e.g. base.yaml: paths are not allowed)",
        ),
        (
            "orphan.yaml",
            "id: s\nname: S\nversion: '1'\nextends: no-such-base.yaml\n",
            "orphan.yaml:4:10: [extends-missing] extends: no file 'no-such-base.yaml' beside this "
            "one (hint: a template extends another in the same folder)",
        ),
    ],
)
def test_a_file_that_cannot_be_read_as_one_says_why(tmp_path, name, text, expected):
    (tmp_path / "base.yaml").write_text(MINI)  # for the overlays
    (tmp_path / name).write_text(text)
    found = [str(p).replace(f"{tmp_path}/", "") for p in validate([tmp_path / name]).problems]
    assert found == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", ["s.yaml:1:1: [type] a session file is a mapping of fields"]),
        (
            "format: scorecard-session/1\nvendors: [runwya]\ntemplate: 3\n",
            [
                "s.yaml:3:11: [type] template: expected a mapping of fields (name: value, one per "
                "line)",
                "s.yaml:2:11: [unknown-vendor] vendors[0]: no vendor 'runwya' (hint: did you mean "
                "'runway'?)",
            ],
        ),
    ],
)
def test_a_session_that_is_not_one_says_why(text, expected):
    with pytest.raises(LoadError) as caught:
        load_session("s.yaml", text, ["runway", "acme"])
    assert [str(p) for p in caught.value.report.problems] == expected


def test_an_invalid_template_still_names_its_unknown_references(tmp_path):
    # The weight and the line among the gates make the template invalid; the other gate's and
    # the profile's names are still checked on the file as written: one reading reports all.
    text = MINI.replace("weight: 60", "weight: -60").replace("criterion: c2pa", "criterion: c2p")
    text = text.replace("weights: {fit: 80, quality: 20}", "weights: {fit: 80, qualty: 20}")
    text = text.replace("gates:\n", "gates:\n  - just a line\n")
    assert problems(tmp_path, text, "id: mini", "id: mini") == [
        "case.yaml:8:13: [invalid] criteria[0].weight: Input should be greater than or equal to "
        "0 (hint: weights are relative and must be 0 or more)",
        "case.yaml:36:5: [type] gates[0]: expected a mapping of fields (name: value, one per line)",
        "case.yaml:39:16: [unknown-criterion] gates[1].criterion: no leaf criterion 'c2p' in the "
        "template (hint: did you mean 'c2pa'?)",
        "case.yaml:45:32: [unknown-criterion] profiles.legal.weights.qualty: no criterion "
        "'qualty' in the template (hint: did you mean 'quality'?)",
    ]


def test_validate_names_a_missing_file_and_goes_on_with_the_rest(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI)
    (tmp_path / "acme.yaml").write_text(ACME.replace("name: Acme Video", "name: [a, b]", 1))
    named = [tmp_path / "gone.yaml", tmp_path / "mini.yaml", tmp_path / "acme.yaml"]
    report = validate(named)
    assert report.files == [str(p) for p in named]
    found = [str(p).replace(f"{tmp_path}/", "") for p in report.problems]
    assert found[0] == "gone.yaml: [not-found] no such file or folder"
    assert len(found) == 2 and found[1].startswith("acme.yaml:")  # the rest was still read


def test_validate_of_a_folder_without_yaml_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("not YAML")
    report = validate([tmp_path, tmp_path / "empty"])
    assert report.files == [str(tmp_path / "empty")]
    (tmp_path / "empty").mkdir()
    report = validate([tmp_path / "empty", tmp_path])
    assert report.files == []
    assert [str(p) for p in report.problems] == [
        f"{tmp_path / 'empty'}, {tmp_path}: [not-found] no YAML files found"
    ]


@pytest.mark.parametrize(
    ("added", "expected"),
    [
        (
            "x-y: 1",
            "5:1: [unknown-field] x-y: unknown field 'x-y' (hint: remove it; fields are "
            "snake_case)",
        ),
        (
            "description: 2026-01-01T10:00:00",
            "5:14: [type] description: 2026-01-01T10:00:00 is a "
            "date and time (hint: write the date alone: YYYY-MM-DD)",
        ),
        (
            'policies: {stale_after_days: "30"}',
            "5:30: [type] policies.stale_after_days: Input "
            "should be a valid integer, got text '30' (hint: write it without quotes: 30)",
        ),
        (
            "policies: {stale_after_days: yes}",
            "5:30: [type] policies.stale_after_days: Input "
            "should be a valid integer, got 'yes' (read as a boolean)",
        ),
        (
            'conditions: {api: {name: API, holds: "yes"}}',
            "5:38: [type] conditions.api.holds: Input should be a valid boolean, got text 'yes'",
        ),
    ],
)
def test_a_template_field_of_the_wrong_kind_says_what_to_write(tmp_path, added, expected):
    path = tmp_path / "t.yaml"
    path.write_text(MINI.replace('version: "1"\n', f'version: "1"\n{added}\n', 1))
    assert at(path, validate([path]).problems) == [expected]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            GATE,
            "criterion: c2pa\n    require: {a: 1}",
            [
                "39:14: [type] gates[0].require: Input should be a valid boolean; or Input "
                "should be a valid number; or Input should be a valid list"
            ],
            id="each-member-of-a-union-once",
        ),
        pytest.param(
            GATE,
            "criterion: c2pa\n    require: [1, {a: 1}]",
            [
                "39:14: [type] gates[0].require: Input should be a valid boolean; or Input should "
                "be a valid number",
                "39:15: [type] gates[0].require[0]: Input should be a valid string (hint: '1' was "
                'read as 1; put it in quotes: "1")',
                "39:18: [type] gates[0].require[1]: Input should be a valid string",
            ],
            id="two-members-of-a-union",
        ),
        pytest.param(
            GATE,
            "criterion: c2pa\n    require: '5'",
            [
                "39:14: [type] gates[0].require: Input should be a valid boolean, got text '5'; or "
                "Input should be a valid number, got text '5'; or Input should be a valid list "
                "(hint: write it without quotes: 5)"
            ],
            id="the-first-hint-of-a-union",
        ),
        pytest.param(
            'name: Mini template\nversion: "1"',
            "name: !!binary aGk=\nversion: [1]",
            [
                "3:7: [yaml-tag] name: tag 'tag:yaml.org,2002:binary' is not allowed (hint: use "
                "plain values: text, numbers, true/false, dates, lists and maps)",
                "4:10: [type] version: Input should be a valid string",
            ],
            id="a-refused-value-then-another-mistake",
        ),
    ],
)
def test_every_mistake_in_a_file_reads_once(tmp_path, old, new, expected):
    path = tmp_path / "t.yaml"
    path.write_text(MINI.replace(old, new, 1))
    assert at(path, validate([path]).problems) == expected


def test_a_list_too_short_only_because_its_items_failed_is_not_said_and_what_follows_is():
    with pytest.raises(LoadError) as caught:
        load_template(
            "t.yaml",
            "id: t\nname: T\nversion: '1'\ncriteria:\n  - {id: Bad, name: B, measure: {type: "
            "boolean}}\ngates:\n  - {id: g, name: G, criterion: x, require: {a: 1}}\n",
        )
    assert at(Path("t.yaml"), caught.value.report.problems) == [
        "5:10: [pattern] criteria[0].id: 'Bad' is not a valid id (hint: use lowercase letters, "
        "digits, '-' and '_', starting with a letter or digit)",
        "7:45: [type] gates[0].require: Input should be a valid boolean; or Input should be a "
        "valid number; or Input should be a valid list",
        "7:33: [unknown-criterion] gates[0].criterion: no leaf criterion 'x' in the template "
        "(hint: known: Bad)",
    ]


def test_an_invalid_template_still_checks_the_ids_its_gates_and_profiles_name(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "id: t\nname: T\nversion: '1'\ncriteria:\n  - just text\n"
        "  - {id: a, name: A, weight: 1, measure: {type: boolean}}\n"
        "gates:\n  - {id: g, name: G, criterion: b, require: true}\n"
        "profiles:\n  legal: plain text\n  eng: {name: Eng, weights: [a, zz]}\n"
        "  ops: {name: Ops, weights: {zz: 1}}\n"
    )
    mapping = "expected a mapping of fields (name: value, one per line)"
    assert at(path, validate([path]).problems) == [
        f"5:5: [type] criteria[0]: {mapping}",
        f"10:10: [type] profiles.legal: {mapping}",
        f"11:29: [type] profiles.eng.weights: {mapping}",
        "8:33: [unknown-criterion] gates[0].criterion: no leaf criterion 'b' in the template "
        "(hint: known: a)",
        "12:34: [unknown-criterion] profiles.ops.weights.zz: no criterion 'zz' in the template "
        "(hint: known: a)",
    ]


def test_an_invalid_vendor_still_has_each_valid_claim_checked_against_the_template(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI)
    path = tmp_path / "v.yaml"
    path.write_text(
        "id: v\nname: V\ncompany: V Inc.\nstatus: sometimes\nclaims:\n"
        "  rating_a: {value: 2}\n"
        "  nothing: {value: 1, confidence: reported, sources: [{title: t, publisher: p, "
        "kind: media, date: '2026'}]}\n"
    )
    assert at(path, validate([tmp_path]).problems) == [
        "4:9: [choice] status: 'sometimes' is not one of available, preview, discontinued",
        "6:13: [missing-field] claims.rating_a.confidence: required field 'confidence' is missing",
        "7:12: [unknown-criterion] claims.nothing: no criterion 'nothing' in the template (hint: "
        "did you mean 'rating_a'?)",
    ]


def test_a_claim_under_a_number_is_one_problem_at_its_line(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI)
    path = tmp_path / "acme.yaml"
    path.write_text(
        ACME + "  7: {confidence: unknown, note: Ask.}\n  zz: {confidence: unknown, note: Ask.}\n"
    )
    line = len(ACME.splitlines()) + 1
    assert at(path, validate([tmp_path]).problems) == [
        f"{line}:6: [type] claims[7]: Input should be a valid string",
        f"{line + 1}:7: [unknown-criterion] claims.zz: no criterion 'zz' in the template (hint: "
        "known: c2pa, latency, rating_a, regions)",  # the claims after it are still checked
    ]


def test_a_session_reports_its_yaml_mistakes_and_its_checks_together():
    data = {
        "format": "scorecard-session/1",
        "template": Template.model_validate(yaml.safe_load(MINI)).model_dump(mode="json"),
        "vendors": ["acne"],
    }
    text = yaml.safe_dump(data, sort_keys=False) + "profile: legal\nprofile: legal\n"
    with pytest.raises(LoadError) as caught:
        load_session("s.yaml", text, ["acme"])
    assert caught.value.report.files == ["s.yaml"]
    assert [str(p) for p in caught.value.report.problems] == [
        "s.yaml:101:1: [yaml-duplicate-key] profile: key 'profile' appears twice (first on line "
        "100) (hint: remove one; YAML would silently keep only the last)",
        "s.yaml:99:3: [unknown-vendor] vendors[0]: no vendor 'acne' (hint: did you mean 'acme'?)",
    ]


def test_a_load_error_reads_as_its_problems_and_a_count():
    with pytest.raises(LoadError) as caught:
        load_session("s.yaml", "format: 2\nvendors: 3\n", ["acme"])
    problems = caught.value.report.problems
    assert len(problems) > 1
    assert str(caught.value) == "\n".join(
        [*map(str, problems), f"{len(problems)} problem(s) in 1 file(s)"]
    )


def test_load_vendors_checks_each_claim_against_the_template_and_names_the_files(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(ACME.replace("  rating_a:", "  rating_z:", 1))
    with pytest.raises(LoadError) as caught:
        load_vendors([tmp_path], Template.model_validate(yaml.safe_load(MINI)))
    assert caught.value.report.files == [str(path)]
    assert at(path, caught.value.report.problems) == [
        "7:5: [unknown-criterion] claims.rating_z: no criterion 'rating_z' in the template "
        "(hint: did you mean 'rating_a'?)"
    ]


def _workspace_problems(root: Path) -> list[str]:
    with pytest.raises(LoadError) as caught:
        load_workspace(root / "mini.yaml", [root / "vendors"])
    assert caught.value.report.files[0] == str(root / "mini.yaml")
    return [str(p).replace(f"{root}/", "") for p in caught.value.report.problems]


def test_a_workspace_without_vendors_says_so(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI)
    (tmp_path / "vendors").mkdir()
    assert _workspace_problems(tmp_path) == [
        "vendors: [no-vendors] no vendor profiles (*.yaml) found"
    ]
    (tmp_path / "more").mkdir()
    with pytest.raises(LoadError) as caught:
        load_workspace(tmp_path / "mini.yaml", [tmp_path / "vendors", tmp_path / "more"])
    [problem] = caught.value.report.problems
    assert problem.file == f"{tmp_path / 'vendors'}, {tmp_path / 'more'}"


def test_vendors_that_a_buyer_could_not_tell_apart_are_refused(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI)
    (tmp_path / "vendors").mkdir()
    (tmp_path / "vendors" / "a.yaml").write_text(ACME)
    (tmp_path / "vendors" / "b.yaml").write_text(
        ACME.replace("name: Acme Video", "name: ACME  video", 1)
    )
    (tmp_path / "vendors" / "c.yaml").write_text(ACME.replace("name: Acme Video", "name: [x]", 1))
    assert _workspace_problems(tmp_path) == [
        "vendors/b.yaml:2:7: [duplicate-name] name: vendor name 'ACME  video' reads the same as "
        "the one in vendors/a.yaml (hint: a buyer must be able to tell vendors apart by name)",
        "vendors/b.yaml:1:5: [duplicate-id] id: vendor id 'acme' is also used by vendors/a.yaml "
        "(hint: every vendor needs its own id)",
        "vendors/c.yaml:2:7: [type] name: Input should be a valid string",
        "vendors/c.yaml:1:5: [duplicate-id] id: vendor id 'acme' is also used by vendors/a.yaml "
        "(hint: every vendor needs its own id)",
    ]


def test_a_vendor_with_a_yaml_mistake_still_has_its_dates_checked(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI)
    (tmp_path / "vendors").mkdir()
    text = ACME.replace("company:", "company: Twice\ncompany:", 1).replace("2026-01-15", "2999-01")
    (tmp_path / "vendors" / "a.yaml").write_text(text)
    with time_machine.travel(dt.date(2026, 11, 26)):
        found = _workspace_problems(tmp_path)
    assert found == [
        "vendors/a.yaml:4:1: [yaml-duplicate-key] company: key 'company' appears twice (first on "
        "line 3) (hint: remove one; YAML would silently keep only the last)",
        "vendors/a.yaml:11:87: [future-date] claims.rating_a.sources[0].date: 2999-01 is after "
        "today (2026-11-26) (hint: a date says when something was published or read; check the "
        "year)",
    ]


@pytest.mark.parametrize(("count", "capped"), [(MAX_VENDORS, False), (MAX_VENDORS + 1, True)])
def test_a_workspace_holds_at_most_the_vendor_limit(tmp_path, count, capped):
    (tmp_path / "mini.yaml").write_text(MINI)
    (tmp_path / "vendors").mkdir()
    for i in range(count):
        (tmp_path / "vendors" / f"v{i:03}.yaml").write_text("- not a profile\n")
    cap = (
        f"vendors: [too-many-vendors] {count:,} vendor profiles; the limit is {MAX_VENDORS:,} "
        "(hint: compare a shortlist: put the others in another folder)"
    )
    assert (cap in _workspace_problems(tmp_path)) is capped


def test_the_vendor_limit_counts_the_profiles_of_every_folder_and_names_them(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI)
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder, count in zip(folders, (MAX_VENDORS // 2, MAX_VENDORS // 2 + 1), strict=True):
        folder.mkdir()
        for i in range(count):
            (folder / f"v{i:03}.yaml").write_text("- not a profile\n")
    with pytest.raises(LoadError) as caught:
        load_workspace(tmp_path / "mini.yaml", folders)
    [cap] = [p for p in caught.value.report.problems if p.code == "too-many-vendors"]
    assert cap.file == f"{folders[0]}, {folders[1]}"
    assert cap.message.startswith(f"{2 * (MAX_VENDORS // 2) + 1:,} vendor profiles")


COVER = {"type": "coverage", "options": ["eu", "uk", "us"], "required": ["eu", "uk"]}


@pytest.mark.parametrize(
    ("measure", "require", "value", "expected"),
    [
        ({"type": "boolean"}, True, True, (PASS, "")),
        ({"type": "boolean"}, True, False, (FAIL, "X: no, must be yes")),
        ({"type": "boolean"}, False, True, (FAIL, "X: yes, must be no")),
        (COVER, ["eu", "uk"], ["uk", "eu", "us"], (PASS, "")),
        (COVER, ["eu", "uk"], ["us"], (FAIL, "X: lacks eu, uk")),
        (rating(), 3, [2, 3], (OPEN, "X: 2–3 may or may not be ≥ 3")),
        (rating(), 3, [1, 2], (FAIL, "X: 1–2, must be ≥ 3")),
        (rating(), 2, [2, 3], (PASS, "")),
    ],
)
def test_a_gate_passes_or_says_what_the_claim_lacks(measure, require, value, expected):
    criterion = Template.model_validate(
        {"id": "t", "name": "T", "version": "1", "criteria": [leaf("x", measure)]}
    ).leaves()[0]
    assert check_gate(require, criterion, Claim.model_validate(claim(value))) == expected


def test_an_unconditional_claim_has_no_condition_text():
    tpl = Template.model_validate(yaml.safe_load(MINI))
    assert condition_text(tpl, Claim.model_validate(claim(2))) == ""
