"""Template diffs, the starter template and the JSON Schemas editors use."""

from __future__ import annotations

import json

import yaml
from conftest import DATA, ROOT

from scorecard.cli import SCHEMAS, STARTER
from scorecard.diff import diff_templates
from scorecard.loading import load_template, validate


def test_diff_of_a_team_variant():
    changes = diff_templates(
        load_template(DATA / "valid" / "mini.yaml"), load_template(DATA / "valid" / "team.yaml")
    )
    assert [str(c) for c in changes] == [
        "reweighted criterion latency: 1 -> 3",
        "reweighted criterion fit: 40 -> 60",
        "added      gate need_eu: Must serve the EU",
        "added      profile engineering: Engineering",
        "changed    policies missing: worst -> neutral",
    ]


def test_diff_sees_added_removed_and_rubric_changes():
    base = load_template(DATA / "valid" / "mini.yaml")
    rating = base.leaves()[0]
    reworded = rating.measure.model_copy(
        update={"rubric": {**rating.measure.rubric, 2: "middling"}}
    )
    quality = base.criteria[0].model_copy(
        update={"criteria": (rating.model_copy(update={"measure": reworded}),)}
    )
    changed = base.model_copy(update={"criteria": (quality,)})
    kinds = {(c.kind, c.id) for c in diff_templates(base, changed)}
    assert ("rubric", "rating_a") in kinds
    assert {("removed", "latency"), ("removed", "fit"), ("removed", "c2pa")} <= kinds
    assert ("added", "fit") in {(c.kind, c.id) for c in diff_templates(changed, base)}
    assert diff_templates(base, base) == []


def test_the_starter_template_is_valid():
    assert validate([STARTER]).ok


class _EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it (YAML 1.2: no timestamps)."""


_EditorLoader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def test_schemas_are_current_and_accept_the_shipped_files():
    import jsonschema

    for kind, folder in (("template", "criteria"), ("vendor", "vendors")):
        on_disk = json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text())
        assert on_disk == SCHEMAS[kind].json_schema(), f"run make schemas ({kind})"
        validator = jsonschema.Draft202012Validator(on_disk)
        for path in sorted((ROOT / folder).glob("*.yaml")):
            text = path.read_text()
            assert text.startswith(f"# yaml-language-server: $schema=../schemas/{kind}.schema.json")
            errors = list(validator.iter_errors(yaml.load(text, Loader=_EditorLoader)))
            assert not errors, (path.name, errors[0].message)
