"""Conditions: a claim that holds only in some situations ("paid plans, through the API") counts
only where the buyer's situation matches, and says so everywhere it is shown."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from conftest import ROOT, claim, leaf, rating, template, vendor
from streamlit.testing.v1 import AppTest

from scorecard.diff import diff_templates
from scorecard.evidence import gaps, review
from scorecard.export.profile import vendor_text
from scorecard.loading import LoadError, load_session, load_workspace, validate
from scorecard.scoring import Options, ScoringError, score
from scorecard.session import Session, compare

CONDITIONS = {
    "api": {"name": "Bought through the API", "holds": True},
    "enterprise": {"name": "Under an enterprise contract"},
}
TPL = template(
    leaf("ownership", rating(0, 3), weight=1),
    leaf("commercial", {"type": "boolean"}, weight=1),
    gates=[{"id": "use", "name": "Commercial use", "criterion": "commercial", "require": True}],
    conditions=CONDITIONS,
)
# A: ownership 3 only under an enterprise contract; commercial use through the API.
A = vendor(
    "a",
    ownership=claim(3, condition=["enterprise"]),
    commercial=claim(True, condition=["api"]),
)
B = vendor("b", ownership=claim(2), commercial=claim(True))


def test_a_claim_counts_only_where_its_condition_holds():
    result = score(TPL, [A, B])
    a, b = result.row("a"), result.row("b")
    assert a.utilities["ownership"] == 0.0 and a.coverage["unknown"] == pytest.approx(0.5)
    assert (a.score, b.score) == (pytest.approx(50.0), pytest.approx(100 * (2 / 3 + 1) / 2))
    assert result.situation == {"api": True, "enterprise": False}
    enterprise = score(TPL, [A, B], Options(conditions={"enterprise": True}))
    assert enterprise.row("a").score == pytest.approx(100.0)
    assert enterprise.row("a").rank == 1


def test_a_sessions_situation_reaches_its_comparison():
    session = Session(
        format="scorecard-session/1",
        template=TPL,
        vendors=("a", "b"),
        conditions={"enterprise": True},
    )
    options = session.options(dt.date(2026, 11, 26))
    assert options.conditions == {"enterprise": True}
    compared = compare(TPL, [A, B], options)
    assert compared.result.situation == {"api": True, "enterprise": True}
    assert compared.result.row("a").score == pytest.approx(100.0)


def test_a_gate_whose_evidence_holds_elsewhere_is_open_and_says_why():
    no_api = score(TPL, [A, B], Options(conditions={"api": False})).row("a")
    [gate] = [g for g in no_api.gates if g.id == "use"]
    assert gate.outcome == "open"
    assert gate.detail == (
        "Commercial: holds only if: Bought through the API (not your situation, so not counted)"
    )
    assert no_api.open_gates == ["use"]


def test_an_unknown_condition_is_an_error_with_a_hint():
    with pytest.raises(
        ScoringError, match=r"no condition 'enterprize' .*did you mean 'enterprise'"
    ):
        score(TPL, [A], Options(conditions={"enterprize": True}))


def test_gaps_ask_whether_a_condition_holds():
    [ownership] = [g for g in gaps(TPL, [A])["a"] if g.criterion == "ownership"]
    assert ownership.note.startswith(
        "Ask whether it holds for you: holds only if: Under an enterprise contract."
    )
    assert not [g for g in gaps(TPL, [A], Options(conditions={"enterprise": True}))["a"]]


def test_every_view_of_a_claim_shows_its_condition():
    views = {v.criterion.id: v for v in review(TPL, A, dt.date(2026, 11, 26))}
    assert views["ownership"].condition == (
        "holds only if: Under an enterprise contract (not your situation, so not counted)"
    )
    assert views["commercial"].condition == "holds only if: Bought through the API"
    text = vendor_text(TPL, A, dt.date(2026, 11, 26), {"enterprise": True})
    assert "      holds only if: Under an enterprise contract\n" in text


def test_claims_and_sessions_may_name_only_the_templates_conditions(tmp_path):
    shipped = ROOT / "criteria" / "ai-video-enterprise.yaml"
    runway = (ROOT / "vendors" / "runway.yaml").read_text()
    assert "\n  sla:\n    confidence: unknown\n" in runway
    path = tmp_path / "runway.yaml"
    path.write_text(
        runway.replace(
            "\n  sla:\n    confidence: unknown\n",
            "\n  sla:\n    condition: [enterprise_contrat]\n    confidence: unknown\n",
        )
    )
    [problem] = validate([shipped, path]).problems
    assert (problem.code, problem.field, problem.hint) == (
        "unknown-condition",
        "claims.sla.condition[0]",
        "did you mean 'enterprise_contract'?",
    )
    assert problem.line == runway.splitlines().index("  sla:") + 2
    workspace = load_workspace(shipped, [ROOT / "vendors"])
    text = yaml.safe_dump(
        {
            "format": "scorecard-session/1",
            "template": workspace.template.model_dump(mode="json"),
            "vendors": ["runway"],
            "conditions": {"enterprise_contract": True, "on_premises": True},
        }
    )
    with pytest.raises(LoadError) as caught:
        load_session("s.yaml", text, ["runway"])
    assert [(p.code, p.field) for p in caught.value.report.problems] == [
        ("unknown-condition", "conditions.on_premises")
    ]


def test_a_changed_condition_is_a_template_difference():
    changed = TPL.model_copy(
        update={
            "conditions": {
                **TPL.conditions,
                "api": TPL.conditions["api"].model_copy(update={"holds": False}),
            }
        }
    )
    [change] = diff_templates(TPL, changed)
    assert (change.kind, change.what, change.id, change.detail) == (
        "changed",
        "condition",
        "api",
        "holds: True -> False",
    )


@pytest.mark.app
def test_the_buyer_sets_the_situation_in_the_app(tmp_path, monkeypatch):
    """Runway's output ownership is 3 under its enterprise terms: with an enterprise contract
    switched on, that claim counts, and Runway's score rises."""
    (tmp_path / "criteria").mkdir()
    (tmp_path / "criteria" / "ai-video-enterprise.yaml").write_text(
        (ROOT / "criteria" / "ai-video-enterprise.yaml").read_text()
    )
    (tmp_path / "vendors").mkdir()
    for path in (ROOT / "vendors").glob("*.yaml"):
        text = path.read_text()
        if path.name == "runway.yaml":
            text = text.replace(
                "\n  output_ownership:\n    confidence: unknown\n",
                "\n  output_ownership:\n    value: 3\n    condition: [enterprise_contract]\n"
                "    confidence: confirmed\n    sources:\n      - title: Enterprise terms\n"
                "        publisher: Runway\n        kind: vendor\n        url: https://runway.com/enterprise-terms\n"
                "        date: 2026-06-01\n",
            )
            assert "condition: [enterprise_contract]" in text
        (tmp_path / "vendors" / path.name).write_text(text)
    monkeypatch.setenv("SCORECARD_DATA", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()

    def runway_score() -> float:
        table = next(t.value for t in at.table if "Must-haves" in t.value.columns)
        return float(table.loc[table["Vendor"] == "Runway", "Score"].iloc[0])

    before = runway_score()
    at.toggle(key="compare_cond_enterprise_contract").set_value(True).run()
    assert not at.exception
    assert runway_score() > before
    assert at.session_state["session"].conditions == {"enterprise_contract": True}
