"""Reading the evidence: dates, staleness, values in words, and the gaps to ask about."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from conftest import DATA, claim, leaf, linear, rating, template, vendor

from scorecard.evidence import Gap, claim_date, data_report, describe_value, gaps, review
from scorecard.export.profile import report_text
from scorecard.loading import load_template, load_vendors
from scorecard.model import Claim
from scorecard.scoring import Options, score

TODAY = dt.date(2026, 11, 25)


SOURCE = {"title": "t", "publisher": "p", "kind": "media", "date": "2026"}


def _claim(**fields):
    return Claim.model_validate(
        {"confidence": "reported", "value": 1, "sources": [SOURCE], **fields}
    )


def test_claim_date_prefers_as_of_then_the_newest_source():
    src = {"title": "t", "publisher": "p", "kind": "media"}
    assert _claim(as_of="2025-03", sources=[{**src, "date": "2026"}]).as_of == "2025-03"
    assert claim_date(_claim(as_of="2025-03", sources=[{**src, "date": "2026"}])) == "2025-03"
    newest = _claim(
        sources=[
            {**src, "date": "2024-12-01"},
            {**src, "accessed": "2025"},
            {**src, "date": "2025-06"},
        ]
    )
    assert claim_date(newest) == "2025-06"


def test_review_flags_stale_claims_with_their_age():
    tpl = load_template(DATA / "valid" / "mini.yaml")  # stale after 365 days (the default)
    acme = load_vendors([DATA / "valid" / "acme.yaml"], tpl)[0]
    views = {v.criterion.id: v for v in review(tpl, acme, TODAY)}
    assert [(v.group.id, v.criterion.id) for v in review(tpl, acme, TODAY)] == [
        ("quality", "rating_a"),
        ("quality", "latency"),
        ("fit", "c2pa"),
        ("fit", "regions"),
    ]
    assert (views["rating_a"].date, views["rating_a"].age_days) == ("2026-01-15", 314)
    assert not views["rating_a"].stale
    assert (views["c2pa"].date, views["c2pa"].age_days, views["c2pa"].stale) == ("2025", 693, True)
    assert (views["regions"].value, views["regions"].stale) == ("unknown", False)
    assert views["latency"].value == "20–40 s"
    bare = review(tpl, vendor("bare"), TODAY)  # no claim at all: nothing to date or qualify
    assert {(v.claim, v.date, v.age_days, v.stale, v.condition) for v in bare} == {
        (None, None, None, False, "")
    }


def test_values_read_as_a_buyer_reads_them():
    tpl = template(
        leaf("r", rating(0, 5)),
        leaf("n", linear(10, 0, "USD/s")),
        leaf("b", {"type": "boolean"}),
        leaf("c", {"type": "coverage", "options": ["us", "eu"]}),
    )
    r, n, b, c = (x.measure for x in tpl.leaves())
    assert describe_value(_claim(value=3), r) == "3 of 0–5"
    assert describe_value(_claim(value=[0.15, 0.4]), n) == "0.15–0.4 USD/s"
    assert describe_value(_claim(value=False), b) == "no"
    assert describe_value(_claim(value=[]), c) == "none"
    assert describe_value(None, r) == "unknown"


def test_gaps_by_hand_under_each_missing_policy():
    tpl = template(
        leaf("a", rating(), weight=3),
        leaf("b", rating(), weight=1),
        gates=[{"id": "need_b", "name": "Needs B", "criterion": "b", "require": 1}],
    )
    v = vendor("v", a=claim(2), b=claim(None, "unknown"))
    (gap,) = gaps(tpl, [v])["v"]
    # worst: 0 -> 1 on a 25% weight
    assert gap == Gap("v", "b", "B", 0.25, 25.0, 0.0, ("need_b",), "not known")
    (gap,) = gaps(tpl, [vendor("w", a=claim(2))])["w"]
    assert gap == Gap("w", "b", "B", 0.25, 25.0, 0.0, ("need_b",), "")  # no claim, no note
    (gap,) = gaps(tpl, [v], Options(missing="neutral"))["v"]
    assert (gap.gain, gap.loss) == pytest.approx((12.5, -12.5))
    (gap,) = gaps(tpl, [v], Options(missing="exclude"))["v"]
    # Known: a = 0.5 on 75% of the weight -> score 50. Answered: (0.375 + 0.25 u) / 1.
    assert (gap.gain, gap.loss) == pytest.approx((62.5 - 50, 37.5 - 50))
    # The gain is real: answering with the best value moves the score by exactly that much.
    answered = vendor("v", a=claim(2), b=claim(4))
    for missing in ("worst", "neutral", "exclude"):
        before = score(tpl, [v], Options(missing=missing)).rows[0].score
        after = score(tpl, [answered], Options(missing=missing)).rows[0].score
        (gap,) = gaps(tpl, [v], Options(missing=missing))["v"]
        assert after - before == pytest.approx(gap.gain)


@pytest.mark.parametrize("missing", ["worst", "neutral", "exclude"])
@pytest.mark.parametrize("confidence", [True, False])
@pytest.mark.parametrize("method", ["wsm", "topsis"])
def test_a_gap_is_exactly_what_the_answer_moves_the_weighted_sum(missing, confidence, method):
    """Under every policy, with a discount for confirmed answers that is not 1 and whatever the
    ranking method: the gain is what a confirmed best answer adds to the weighted-sum score, the
    loss what a worst answer takes away."""
    tpl = template(
        leaf("a", rating(), weight=3),
        leaf("b", rating(), weight=2),
        leaf("c", rating(), weight=1),
        policies={"confidence": {"confirmed": 0.9, "reported": 0.7}},
    )
    v = vendor("v", a=claim(3, "reported"), b=claim(None, "unknown"))
    options = Options(missing=missing, confidence=confidence, method=method)
    found = {g.criterion: g for g in gaps(tpl, [v], options)["v"]}
    assert sorted(found) == ["b", "c"]
    wsm = replace(options, method="wsm")
    before = score(tpl, [v], wsm).rows[0].score
    for criterion, gap in found.items():
        for answer, moved in ((4, gap.gain), (0, gap.loss)):
            answered = v.model_copy(
                update={"claims": {**v.claims, criterion: Claim.model_validate(claim(answer))}}
            )
            after = score(tpl, [answered], wsm).rows[0].score
            assert after - before == pytest.approx(moved, abs=1e-9), (criterion, answer)
        assert gap.gain > 0 >= gap.loss


def test_a_gap_on_a_criterion_without_weight_moves_nothing():
    tpl = template(leaf("a", rating(), weight=0), leaf("b", rating()))
    found = {g.criterion: g for g in gaps(tpl, [vendor("v")], Options(missing="exclude"))["v"]}
    assert (found["a"].gain, found["a"].loss) == (0.0, 0.0)  # and no division by zero
    assert (found["b"].gain, found["b"].loss) == (100.0, 0.0)


def test_gaps_put_gate_questions_first_then_the_biggest_swing():
    tpl = template(
        leaf("a", rating(), weight=5),
        leaf("b", rating(), weight=1),
        leaf("c", rating(), weight=2),
        gates=[{"id": "need_b", "name": "Needs B", "criterion": "b", "require": 1}],
    )
    found = gaps(tpl, [vendor("v")])["v"]
    assert [g.criterion for g in found] == ["b", "a", "c"]
    off = gaps(tpl, [vendor("v")], Options(gates={"need_b": False}))["v"]
    assert [g.criterion for g in off] == ["a", "c", "b"]


def test_staleness_counts_from_the_last_check_and_both_dates_are_shown():
    """A licence published long ago and read again recently is not stale."""
    tpl = template(leaf("r", rating(0, 5)), leaf("s", rating(0, 5)), leaf("t", rating(0, 5)))
    source = {"title": "Licence", "publisher": "V", "kind": "vendor", "date": "2024-01-10"}
    read = {**source, "accessed": "2026-11"}
    acme = vendor(
        "acme",
        r=claim(3, sources=[source], checked="2026-11-20"),  # checked on the claim
        s=claim(3, sources=[read]),  # read again: the source's `accessed`
        t=claim(3, sources=[source]),  # never checked since publication
    )
    views = {v.criterion.id: v for v in review(tpl, acme, dt.date(2026, 11, 26))}
    assert (views["r"].stale, views["r"].age_days) == (False, 6)
    assert views["r"].dates == "as of 2024-01-10, checked 2026-11-20 (6 days)"
    assert (views["s"].stale, views["s"].checked) == (False, "2026-11")
    assert views["s"].dates == "as of 2024-01-10, checked 2026-11 (25 days)"
    assert (views["t"].stale, views["t"].dates) == (True, "as of 2024-01-10 (1051 days)")


def test_the_data_report_counts_grades_addresses_staleness_conditions_and_open_gates():
    tpl = template(
        leaf("r", rating(0, 5)),
        leaf("b", {"type": "boolean"}),
        leaf("l", linear(100, 10)),
        gates=[{"id": "need_b", "name": "B", "criterion": "b", "require": True}],
        conditions={"paid": {"name": "Paid plan", "holds": True}},
    )
    linked = {"title": "T", "publisher": "P", "kind": "vendor", "date": "2026-11-01"}
    acme = vendor(
        "acme",
        r=claim(3, sources=[{**linked, "url": "https://a.example/t"}], condition=["paid"]),
        b=claim(None, "unknown"),
        l=claim(
            40,
            "reported",
            sources=[
                {**linked, "kind": "media", "url_note": "print edition"},
                {**linked, "kind": "third-party", "date": "2020"},
            ],
        ),
    )
    [report] = data_report(tpl, [acme], dt.date(2026, 11, 26))
    assert report.grades == {
        "verified": 0,
        "confirmed": 1,
        "reported": 1,
        "claimed": 0,
        "unknown": 1,
    }
    assert (report.linked, report.noted, report.bare) == (1, 1, 1)
    assert (report.stale, report.conditional, report.open_gates) == (0, 1, ("need_b",))
    text = report_text([report])
    assert text.splitlines()[-1].split() == [
        "total",
        "0",
        "1",
        "1",
        "0",
        "1",
        "1",
        "1",
        "1",
        "0",
        "1",
        "1",
    ]


def test_the_data_report_counts_every_claim_and_source_and_follows_the_options():
    # Two claims of one grade, a criterion with no claim at all, and sources of each kind in
    # different numbers: 2 with an address, 1 that says why not, 3 of a linked kind with neither.
    tpl = template(
        leaf("r", rating(0, 5)),
        leaf("s", rating(0, 5)),
        leaf("b", {"type": "boolean"}),
        leaf("m", {"type": "boolean"}),
        gates=[{"id": "need_b", "name": "B", "criterion": "b", "require": True}],
        conditions={"paid": {"name": "Paid plan", "holds": True}},
    )
    linked = {"title": "T", "publisher": "P", "kind": "vendor", "date": "2026-11-01"}
    addressed = [{**linked, "url": "https://a.example/1"}, {**linked, "url": "https://a.example/2"}]
    unaddressed = [
        {**linked, "kind": "media", "url_note": "print edition"},
        {**linked, "kind": "media"},
        {**linked, "kind": "filing"},
        {**linked, "kind": "third-party"},
    ]
    acme = vendor(
        "acme",
        r=claim(3, sources=addressed, condition=["paid"]),
        s=claim(2, sources=unaddressed),
        b=claim(None, "unknown"),
    )
    today = dt.date(2026, 11, 26)
    [report] = data_report(tpl, [acme], today)
    assert (report.vendor, report.name) == ("acme", "Acme")
    assert report.grades == {
        "verified": 0,
        "confirmed": 2,
        "reported": 0,
        "claimed": 0,
        "unknown": 2,
    }
    assert (report.linked, report.noted, report.bare) == (2, 1, 3)
    assert (report.conditional, report.open_gates) == (1, ("need_b",))
    # The gate switched off in the session's options is no longer an open question.
    [off] = data_report(tpl, [acme], today, Options(gates={"need_b": False}))
    assert off.open_gates == ()


def test_gaps_skip_a_panel_scored_criterion_and_ask_about_the_rest():
    demo = {**leaf("demo", rating(0, 4)), "panel_scored": True}
    t = template(demo, leaf("speed", linear(300, 30)), leaf("rights", rating()))
    found = gaps(t, [vendor("acme")])["acme"]
    assert sorted(g.criterion for g in found) == ["rights", "speed"]
