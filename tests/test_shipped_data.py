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


def test_the_shipped_data_ranks_every_vendor():
    result = score(TEMPLATE, VENDORS)
    assert len(result.rows) == len(VENDORS)
    assert sorted(r.rank for r in result.rows)[0] == 1
