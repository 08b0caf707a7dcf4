"""Loading: safe YAML, located errors, every problem at once, nothing half-loaded."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT, examples
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from scorecard import loading
from scorecard.loading import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    LoadError,
    dump_yaml,
    load_template,
    load_vendors,
    load_workspace,
    read_document,
    validate,
)
from scorecard.model import CONFIDENCE_LEVELS, Problem, Vendor

INVALID = DATA / "invalid"
EXPECT = re.compile(r"^# expect: (.+)$", re.M)


def _expected(path: Path) -> list[str]:
    return sorted(EXPECT.findall(path.read_text()))


def test_every_invalid_file_produces_exactly_its_expected_problems():
    report = validate([DATA / "valid" / "mini.yaml", INVALID])
    found: dict[str, list[str]] = {}
    for p in report.problems:
        found.setdefault(Path(p.file).name, []).append(f"{p.line}:{p.column} [{p.code}] {p.field}")
    files = sorted(INVALID.glob("*.yaml"))
    assert len(files) >= 15
    for path in files:
        assert sorted(found.get(path.name, [])) == _expected(path), path.name
    assert set(found) <= {p.name for p in files}


def test_valid_fixtures_have_no_problems():
    report = validate([DATA / "valid"])
    assert report.ok, str(report)
    assert len(report.files) == 4


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "duplicate-key.yaml",
            "duplicate-key.yaml:5:1: [yaml-duplicate-key] name: key 'name' appears twice "
            "(first on line 2) (hint: remove one; YAML would silently keep only the last)",
        ),
        (
            "yes-no.yaml",
            "yes-no.yaml:2:7: [type] name: Input should be a valid string (hint: 'yes' "
            'was read as True; put it in quotes: "yes")',
        ),
        (
            "unknown-criterion.yaml",
            "unknown-criterion.yaml:7:5: [unknown-criterion] claims.latncy: "
            "no criterion 'latncy' in the template (hint: did you mean 'latency'?)",
        ),
        (
            "bad-weights.yaml",
            "bad-weights.yaml:7:13: [type] criteria[0].weight: Input should be a "
            "valid number, got text '5' (hint: write it without quotes: 5)",
        ),
        (
            "alias.yaml",
            "alias.yaml:5:1: [yaml-alias] description: anchors and aliases (&name / "
            "*name) are not allowed (hint: write the value out in full where it is needed)",
        ),
    ],
)
def test_important_messages_read_exactly(name, text):
    report = validate([DATA / "valid" / "mini.yaml", INVALID / name])
    assert text in [str(p).replace(str(INVALID) + "/", "") for p in report.problems]


def test_alias_bomb_is_refused_at_once(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\nid: bomb\n")
    report = validate([bomb])
    aliases = [p for p in report.problems if p.code == "yaml-alias"]
    assert len(aliases) == 8 * 9  # each use refused, none expanded
    assert (aliases[0].line, aliases[0].field) == (2, "b[0]")


def _nested(depth: int, key: str = "x") -> str:
    return f"{key}: " + "[" * depth + "]" * depth  # the innermost list is `depth` levels down


def test_nesting_is_refused_one_level_past_the_limit_once_per_file():
    assert read_document("ok.yaml", _nested(MAX_DEPTH) + "\n").problems == []
    assert (
        read_document("ok.yaml", "x: " + "{a: " * (MAX_DEPTH - 1) + "{}" + "}" * 49).problems == []
    )
    doc = read_document("deep.yaml", _nested(MAX_DEPTH + 1) + "\n" + _nested(60, "y") + "\n")
    assert doc.problems == [
        Problem(
            "too-deep",
            f"maps and lists are nested more than {MAX_DEPTH} levels deep",
            ("x",) + (0,) * (MAX_DEPTH - 1),
            "no Scorecard file needs this; look for unclosed brackets",
            "deep.yaml",
            1,
            4 + MAX_DEPTH,  # the 51st bracket
        )
    ]
    inner = doc.data["x"]
    for _ in range(MAX_DEPTH - 1):
        (inner,) = inner
    assert inner == [None]  # kept up to the limit; what is past it is left out


def test_reading_reports_every_tagged_collection_key_and_repeat():
    text = "a: !!set {b: null}\nc: !!omap [d: 1]\n? [e]\n: 1\nf: 1\nf: 2\ng: 3\ng: 4\nh: 5\n"
    doc = read_document("tags.yaml", text)
    assert [str(p) for p in doc.problems] == [
        "tags.yaml:1:4: [yaml-tag] a: tag 'tag:yaml.org,2002:set' is not allowed (hint: use plain "
        "values: text, numbers, true/false, dates, lists and maps)",
        "tags.yaml:2:4: [yaml-tag] c: tag 'tag:yaml.org,2002:omap' is not allowed (hint: use "
        "plain values: text, numbers, true/false, dates, lists and maps)",
        "tags.yaml:3:3: [yaml-key] keys must be plain text (no merge keys, lists or maps as keys)",
        "tags.yaml:6:1: [yaml-duplicate-key] f: key 'f' appears twice (first on line 5) (hint: "
        "remove one; YAML would silently keep only the last)",
        "tags.yaml:8:1: [yaml-duplicate-key] g: key 'g' appears twice (first on line 7) (hint: "
        "remove one; YAML would silently keep only the last)",
    ]
    assert doc.problems[2].hint == ""
    assert doc.data == {"a": None, "c": None, "f": 1, "g": 3, "h": 5}


def test_a_file_that_cannot_be_read_says_why_exactly(tmp_path):
    def problems(path, text=None, **limit):
        return [str(p) for p in read_document(path, text, **limit).problems]

    assert problems("f.yaml", "a: 1\n" * 3, limit=10) == [
        "f.yaml: [too-large] file is 15 bytes; the limit is 10 (hint: split it, or check that "
        "this is the file you meant)"
    ]
    assert problems("f.yaml", b"a: 1\n\xff") == [
        "f.yaml: [encoding] not UTF-8 text (invalid start byte at byte 5) (hint: save the file "
        "as UTF-8)"
    ]
    assert problems(tmp_path) == [f"{tmp_path}: [unreadable] Is a directory"]
    assert problems(tmp_path / "gone.yaml") == [
        f"{tmp_path / 'gone.yaml'}: [unreadable] No such file or directory"
    ]
    assert problems("f.yaml", "a: \x00b\n") == [  # the reader's error has no line
        "f.yaml: [yaml-syntax] unacceptable character #x0000: control characters are not "
        'allowed\n  in "<unicode string>", position 3'
    ]


def test_huge_file_is_not_parsed(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    read: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or real(self))
    report = validate([big])
    assert read == []  # the file is judged by its size: never read, let alone parsed
    (problem,) = report.problems
    assert problem.code == "too-large"
    assert f"{MAX_FILE_BYTES:,}" in problem.message


def test_text_over_the_cap_is_refused_too():
    doc = read_document("upload.yaml", b"a: 1\n" * (MAX_FILE_BYTES // 5 + 1))
    assert [p.code for p in doc.problems] == ["too-large"]


def test_not_utf8_and_not_a_mapping(tmp_path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\xe9\n".encode("latin-1"))
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n")
    codes = {Path(p.file).name: p.code for p in validate([latin, listed, empty]).problems}
    assert codes == {"latin.yaml": "encoding", "list.yaml": "type", "empty.yaml": "empty"}


def test_a_bad_file_does_not_affect_the_others(tmp_path):
    for name in ("acme.yaml", "zenith.yaml"):
        (tmp_path / name).write_text((DATA / "valid" / name).read_text())
    (tmp_path / "broken.yaml").write_text((INVALID / "typo-field.yaml").read_text())
    report = validate([DATA / "valid" / "mini.yaml", tmp_path])
    assert {Path(p.file).name for p in report.problems} == {"broken.yaml"}
    template = load_template(DATA / "valid" / "mini.yaml")
    with pytest.raises(LoadError) as caught:
        load_vendors([tmp_path], template)  # all or nothing
    assert {Path(p.file).name for p in caught.value.report.problems} == {"broken.yaml"}


def test_load_workspace_reports_template_and_vendor_problems_together():
    with pytest.raises(LoadError) as caught:
        load_workspace(INVALID / "bad-template.yaml", [INVALID / "typo-field.yaml"])
    files = {Path(p.file).name for p in caught.value.report.problems}
    assert files == {"bad-template.yaml", "typo-field.yaml"}


def test_extends_overrides_weights_gates_profiles_and_policies():
    base = load_template(DATA / "valid" / "mini.yaml")
    team = load_template(DATA / "valid" / "team.yaml")
    assert team.id == "mini-team"
    assert {c.id: c.weight for c in team.nodes()} == {
        "quality": 60,
        "rating_a": 1,
        "latency": 3,
        "fit": 60,
        "c2pa": 1,
        "regions": 1,
    }
    assert [g.id for g in team.gates] == ["need_c2pa", "need_eu"]
    assert set(team.profiles) == {"legal", "engineering"}
    assert team.policies.missing == "neutral"
    assert team.policies.confidence == base.policies.confidence  # untouched parts are inherited
    assert team.leaves() == [
        leaf.model_copy(update={"weight": 3.0}) if leaf.id == "latency" else leaf
        for leaf in base.leaves()
    ]


BASE = """\
id: base
name: Base
version: "1"
description: The base.
criteria:
  - {id: a, name: A, weight: 1, measure: {type: boolean}}
conditions:
  api: {name: Through the API, holds: true}
policies:
  missing: worst
  confidence: {reported: 0.7, claimed: 0.5}
"""


@pytest.mark.parametrize(
    ("description", "shown"), [("", "The base."), ("description: Ours.\n", "Ours.")]
)
def test_an_overlay_names_itself_merges_conditions_and_policies_key_by_key(
    tmp_path, description, shown
):
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "team.yaml").write_text(
        "id: team\nname: Team\nversion: '2'\nextends: base.yaml\n"
        + description
        + "conditions:\n  paid: {name: On a paid plan}\n"
        + "policies:\n  confidence: {claimed: 0.4}\n"
    )
    files: dict[str, str] = {}
    team = load_template(tmp_path / "team.yaml", files=files)
    assert (team.id, team.name, team.version, team.description) == ("team", "Team", "2", shown)
    assert {k: (c.name, c.holds) for k, c in team.conditions.items()} == {
        "api": ("Through the API", True),
        "paid": ("On a paid plan", False),
    }
    confidence = team.policies.confidence
    assert (confidence.reported, confidence.claimed, confidence.verified) == (0.7, 0.4, 1.0)
    assert team.policies.missing == "worst"
    assert sorted(Path(f).name for f in files) == ["base.yaml", "team.yaml"]  # both recorded


def test_overlay_naming_unknown_criteria_is_located_in_the_overlay(tmp_path):
    overlay = tmp_path / "overlay.yaml"
    shutil.copy(DATA / "valid" / "mini.yaml", tmp_path)
    overlay.write_text(
        "id: o\nname: O\nversion: '1'\nextends: mini.yaml\n"
        "weights:\n  latncy: 2\npolicies:\n  missing: sometimes\n"
    )
    report = validate([overlay])
    assert [(p.file, p.line, p.code, p.field) for p in report.problems] == [
        (str(overlay), 6, "unknown-criterion", "weights.latncy"),
        (str(overlay), 8, "choice", "policies.missing"),
    ]


def test_shipped_data_loads(shipped_template_path):
    workspace = load_workspace(shipped_template_path, [ROOT / "vendors"])
    assert len(workspace.vendors) >= 3
    assert {"kling-ai", "runway", "google-veo"} <= {v.id for v in workspace.vendors}


# ---------------------------------------------------------------------------------------------
# Round trips: load -> dump -> load is the same
# ---------------------------------------------------------------------------------------------


def _reload(model, kind, tmp_path):
    path = tmp_path / f"{kind}.yaml"
    path.write_text(dump_yaml(model))
    doc = read_document(path)
    assert not doc.problems
    return type(model).model_validate(doc.data)


def test_shipped_files_round_trip(tmp_path, shipped_template_path):
    template = load_template(shipped_template_path)
    assert _reload(template, "template", tmp_path) == template
    for vendor in load_vendors([ROOT / "vendors"], template):
        assert _reload(vendor, "vendor", tmp_path) == vendor


texts = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf")), min_size=1, max_size=40
).filter(lambda s: s.strip() == s and s)


def _is_plain_name(text: str) -> bool:
    try:
        Vendor.model_validate({"id": "x", "name": text, "company": "c", "status": "preview"})
    except ValidationError:
        return False
    return True


names = texts.filter(_is_plain_name)
dates = st.dates().map(lambda d: d.isoformat()) | st.integers(1990, 2100).map(str)
sources = st.fixed_dictionaries(
    {"title": texts, "publisher": texts, "date": dates, "kind": st.just("vendor")},
    optional={"url": st.just("https://example.com/a?b=c")},
)
values = (
    st.integers(-(10**6), 10**6)
    | st.floats(-1e6, 1e6, allow_nan=False)
    | st.booleans()
    | st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=2).map(sorted)
    | st.lists(st.sampled_from(["us", "eu", "uk", "apac"]), unique=True)
)
known_claims = st.fixed_dictionaries(
    {
        "value": values,
        "confidence": st.sampled_from(CONFIDENCE_LEVELS[:-1]),
        "sources": st.lists(sources, min_size=1, max_size=3),
    },
    optional={"note": texts, "as_of": dates, "unit": texts},
)
unknown_claims = st.fixed_dictionaries({"confidence": st.just("unknown"), "note": texts})
vendors = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True),
        "name": names,
        "company": names,
        "status": st.sampled_from(["available", "preview", "discontinued"]),
        "claims": st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
            known_claims | unknown_claims,
            max_size=5,
        ),
    },
    optional={"offerings": st.lists(texts, max_size=3), "website": st.just("https://x.example")},
)


@examples(60)
@given(vendors)
def test_vendor_load_dump_load_is_identical(data):
    vendor = Vendor.model_validate(data)
    text = dump_yaml(vendor)
    doc = read_document("roundtrip.yaml", text)
    assert not doc.problems, doc.problems
    assert Vendor.model_validate(doc.data) == vendor
    assert yaml.safe_load(dump_yaml(Vendor.model_validate(doc.data))) == yaml.safe_load(text)


def test_an_extended_template_round_trips_with_its_overlay_applied(tmp_path):
    template = load_template(DATA / "valid" / "team.yaml")
    again = _reload(template, "team", tmp_path)
    assert again == template
    # What is written is the merged template: the overlay's weights, gate, profile and policy.
    weights = {c.id: c.weight for c in again.nodes()}
    assert (weights["quality"], weights["fit"], weights["latency"]) == (60, 60, 3)
    assert [g.id for g in again.gates] == ["need_c2pa", "need_eu"]
    assert set(again.profiles) == {"legal", "engineering"}
    assert (again.id, again.version, again.policies.missing) == ("mini-team", "1-team", "neutral")


def test_a_source_readers_could_open_needs_its_address_or_says_why_not(tmp_path):
    """Evidence a buyer can click: vendor, filing, media and third-party sources need a `url`
    (or `via`), or a `url_note`; a buyer's own source does not."""
    path = tmp_path / "v.yaml"
    path.write_text(
        "id: v\nname: V\ncompany: V Inc.\nstatus: available\nclaims:\n"
        "  latency:\n    value: 30\n    confidence: verified\n    sources:\n"
        "      - {title: Pilot, publisher: Us, kind: buyer, date: 2026-10}\n"
        "      - {title: Docs, publisher: V, kind: vendor, date: 2026-10}\n"
        "      - {title: Print, publisher: P, kind: media, date: 2026-10, url_note: paper}\n"
    )
    problems = validate([DATA / "valid" / "mini.yaml", path]).problems
    assert [(p.code, p.field, p.line) for p in problems] == [
        ("missing-url", "claims.latency.sources[1]", 11)
    ]


def test_every_shipped_source_has_an_address_or_says_why_not():
    report = validate([ROOT / "criteria", ROOT / "vendors"])
    assert report.ok, str(report)
    vendors = load_vendors(
        [ROOT / "vendors"], load_template(ROOT / "criteria" / "ai-video-enterprise.yaml")
    )
    sources = [s for v in vendors for c in v.claims.values() for s in c.sources]
    sources += [s for v in vendors for f in v.funding_context for s in f.sources]
    linked = sum(1 for s in sources if s.link)
    assert linked / len(sources) >= 0.9  # the rest say why in `url_note`


@pytest.mark.parametrize(
    ("field", "hint"),
    [
        ("tool", "remove it; no file of this kind has such a field"),  # a record's, not a session's
        ("Vendors", "did you mean 'vendors'?"),
        ("vendor-s", "did you mean 'vendors'?"),
        ("Xyzzy", "remove it; fields are snake_case"),
    ],
)
def test_a_hint_for_an_unknown_field_never_repeats_its_name(field, hint):
    text = f"format: scorecard-session/1\n{field}: x\n"
    with pytest.raises(LoadError) as caught:
        loading.load_session("s.yaml", text, ["runway"])
    [problem] = [p for p in caught.value.report.problems if p.code == "unknown-field"]
    assert problem.hint == hint and repr(field) not in problem.hint


def test_a_template_with_four_mistakes_reports_all_four_at_once():
    # A wrong type, a rubric short of its scale, an unknown field, and a gate naming a
    # criterion that does not exist: the last used to appear only once the others were fixed.
    report = validate([DATA / "invalid" / "four-mistakes.yaml"])
    assert sorted((p.code, p.field) for p in report.problems) == [
        ("invalid", "criteria[1].measure"),
        ("type", "criteria[0].weight"),
        ("unknown-criterion", "gates[0].criterion"),
        ("unknown-field", "criteria[1].colour"),
    ]
    [gate] = [p for p in report.problems if p.code == "unknown-criterion"]
    assert (gate.line, gate.hint) == (16, "did you mean 'quality'?")


def test_a_misspelt_policy_does_not_hide_an_unknown_vendor():
    text = (
        "format: scorecard-session/1\n"
        "template: {id: t, name: T, version: '1', criteria: [{id: a, name: A, measure: "
        "{type: boolean}}]}\n"
        "vendors: [runway, klingai]\n"
        "missing: wrost\n"
    )
    with pytest.raises(LoadError) as caught:
        loading.load_session("s.yaml", text, ["runway", "kling-ai"])
    assert sorted((p.code, p.field) for p in caught.value.report.problems) == [
        ("choice", "missing"),
        ("unknown-vendor", "vendors[1]"),
    ]


def test_a_profile_is_written_as_short_readable_yaml(snapshot):
    """Fields in the model's order, defaults left out, text as written, lines folded at 100."""
    vendor = Vendor.model_validate(
        {
            "id": "kling-ai",
            "name": "Kling AI — 可灵",
            "company": "Kuaishou",
            "status": "available",
            "claims": {
                "regions": {
                    "confidence": "unknown",
                    "note": "Ask where the service is offered, and whether the EU and the UK are "
                    "served from the same region as the rest of the world.",
                }
            },
        }
    )
    assert dump_yaml(vendor) == snapshot
