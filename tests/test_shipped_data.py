"""Shipped criteria and vendor profiles are tested like code: buyers judge the tool by them."""

from __future__ import annotations

import pytest
from conftest import ROOT

from scorecard.loading import load_template, load_vendors, validate
from scorecard.model import RatingMeasure
from scorecard.scoring import score

TEMPLATE = load_template(ROOT / "criteria" / "ai-video-enterprise.yaml")
VENDORS = load_vendors([ROOT / "vendors"], TEMPLATE)
CLAIMS = [(v.id, key, c) for v in VENDORS for key, c in v.claims.items()]


def test_every_shipped_file_validates():
    report = validate([ROOT / "criteria", ROOT / "vendors"])
    assert report.ok, str(report)
    assert len(report.files) == 1 + len(VENDORS)


def test_the_template_covers_the_mission_criteria():
    tops = {c.id for c in TEMPLATE.criteria}
    assert {
        "reliability",
        "output_rights",
        "moderation",
        "latency",
        "regional_deployment",
        "integration",
        "viability",
    } <= tops
    assert {"legal", "security", "engineering", "marketing"} <= set(TEMPLATE.profiles)
    shares = {c.id: c.weight for c in TEMPLATE.criteria}
    assert shares["viability"] < min(shares["reliability"], shares["output_rights"])


def test_every_rating_has_a_rubric_sentence_for_every_level():
    for leaf in TEMPLATE.leaves():
        if isinstance(leaf.measure, RatingMeasure):
            low, high = leaf.measure.scale
            assert sorted(leaf.measure.rubric) == list(range(low, high + 1)), leaf.id
            assert all(len(text.split()) >= 3 for text in leaf.measure.rubric.values()), leaf.id


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.id)
def test_every_vendor_says_something_about_every_criterion(vendor):
    # Silence is not allowed: where nothing is known the profile says `unknown`, with a note.
    assert set(vendor.claims) == {leaf.id for leaf in TEMPLATE.leaves()}


@pytest.mark.parametrize(("vendor", "key", "claim"), CLAIMS, ids=[f"{v}.{k}" for v, k, _ in CLAIMS])
def test_every_claim_is_graded_and_sourced_or_explained(vendor, key, claim):
    if claim.confidence == "unknown":
        assert claim.value is None and len(claim.note) > 20
    else:
        assert claim.sources, "a graded claim needs a source"
        assert all(s.date or s.accessed for s in claim.sources), "every source is dated"
        assert all(s.title and s.publisher for s in claim.sources)


def test_kling_funding_is_a_range_with_every_source_kept():
    kling = next(v for v in VENDORS if v.id == "kling-ai")
    round_ = kling.claims["latest_round"]
    assert round_.is_range and round_.value == [2000, 3000]
    assert len(round_.sources) >= 3
    assert {"Bloomberg", "Business Times", "South China Morning Post"} <= {
        name
        for s in round_.sources
        for name in ("Bloomberg", "Business Times", "South China Morning Post")
        if name in s.title
    }


def test_the_shipped_data_ranks_every_vendor_once_by_gates_then_score():
    result = score(TEMPLATE, VENDORS)
    assert sorted(r.vendor for r in result.rows) == sorted(v.id for v in VENDORS)
    # Only the discontinued service fails a must-have; the others rank by score, best first,
    # with competition ranks (1, 2, 2, 4 ...).
    assert [r.vendor for r in result.rows if not r.passed_gates] == ["openai-sora"]
    order = sorted(result.rows, key=lambda r: (not r.passed_gates, -r.score))
    assert [r.vendor for r in result.rows] == [r.vendor for r in order]
    for i, row in enumerate(result.rows):
        ahead = [
            r for r in result.rows[:i] if (r.passed_gates, r.score) != (row.passed_gates, row.score)
        ]
        assert row.rank == len(ahead) + 1, row.vendor
    # Each score is its points, and each vendor's evidence shares cover all of the weight.
    for row in result.rows:
        assert 0 <= row.score <= 100
        assert sum(row.contributions.values()) == pytest.approx(row.score), row.vendor
        assert sum(row.points.values()) == pytest.approx(row.score), row.vendor
        assert sum(row.coverage.values()) == pytest.approx(1.0), row.vendor


def test_no_claim_is_confirmed_without_a_primary_source():
    for vendor_id, key, claim in CLAIMS:
        if claim.confidence == "confirmed":
            kinds = {s.kind for s in claim.sources}
            assert kinds & {"vendor", "filing"}, f"{vendor_id}.{key}"


def test_derived_figures_say_how():
    derived = [(v, k) for v, k, c in CLAIMS if c.derivation]
    assert ("runway", "price_per_second") in derived and ("luma", "price_per_second") in derived
    for vendor_id, key, claim in CLAIMS:
        assert "derived" not in claim.note.lower() or claim.derivation, f"{vendor_id}.{key}"


def test_the_twelve_vendors_ship_and_sora_fails_availability():
    ids = {v.id for v in VENDORS}
    assert ids == {
        "kling-ai",
        "runway",
        "google-veo",
        "luma",
        "pika",
        "minimax-hailuo",
        "adobe-firefly",
        "bytedance-seedance",
        "alibaba-wan",
        "tencent-hunyuanvideo",
        "openai-sora",
        "stability-ai",
    }
    result = score(TEMPLATE, VENDORS)
    sora = result.row("openai-sora")
    assert "available" in sora.failed_gates
    assert sora.rank > max(r.rank for r in result.rows if r.passed_gates)


def test_kling_funding_context_keeps_its_three_layers_apart():
    kling = next(v for v in VENDORS if v.id == "kling-ai")
    layers = {s.layer for s in kling.funding_context}
    assert layers == {"consensus", "attributed", "characterisation"}
    record = next(s for s in kling.funding_context if s.layer == "characterisation")
    assert "record" in record.statement and record.attributed_to == "finance.biggo.com"


def test_hunyuan_licence_keeps_it_out_of_the_eu_and_uk():
    from scorecard.scoring import Options

    result = score(TEMPLATE, VENDORS, Options(gates={"eu_uk": True}))
    assert "eu_uk" in result.row("tencent-hunyuanvideo").failed_gates
    assert "eu_uk" not in result.row("alibaba-wan").failed_gates
