"""The engine: hand-computed scores, published worked examples, policies, gates and properties."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from conftest import DATA, claim, examples, leaf, linear, rating, template, vendor
from hypothesis import given
from hypothesis import strategies as st

from scorecard.loading import load_template, load_vendors
from scorecard.scoring import (
    Difference,
    Options,
    ScoringError,
    build_matrix,
    difference,
    evaluate,
    rank,
    score,
    set_share,
    shares_of,
    topsis,
    utility,
    weighted_product,
    weighted_sum,
)

# ---------------------------------------------------------------------------------------------
# Published worked examples (raw decision matrices through the kernels)
# ---------------------------------------------------------------------------------------------


def test_weighted_sum_reproduces_the_textbook_example():
    # Triantaphyllou's weighted sum model example (as on Wikipedia's "Weighted sum model" page):
    # three alternatives, four benefit criteria, weights 0.20, 0.15, 0.40, 0.25.
    x = np.array([[25, 20, 15, 30], [10, 30, 20, 30], [30, 10, 30, 10]], dtype=float)
    w = np.array([0.20, 0.15, 0.40, 0.25])
    assert weighted_sum(x, w) == pytest.approx([21.50, 22.00, 22.00], abs=5e-5)
    assert rank(weighted_sum(x, w)).tolist() == [3, 1, 1]  # A2 and A3 tie


def test_weighted_sum_reproduces_kracka_2010_after_sum_scaling():
    # Kracka, Brauers & Zavadskas (2010), "Ranking heating losses in a building by applying the
    # MULTIMOORA", Inzinerine Ekonomika 21(4); cost criteria inverted, then columns sum-scaled,
    # equal weights (as in scikit-criteria's test suite).
    x = np.array(
        [
            [33.95, 23.78, 11.45, 39.97, 29.44, 167.10, 3.852],
            [38.9, 4.17, 6.32, 0.01, 4.29, 132.52, 25.184],
            [37.59, 9.36, 8.23, 4.35, 10.22, 136.71, 10.845],
            [30.44, 37.59, 13.91, 74.08, 45.10, 198.34, 2.186],
            [36.21, 14.79, 9.17, 17.77, 17.06, 148.3, 6.610],
            [37.8, 8.55, 7.97, 2.35, 9.25, 134.83, 11.935],
        ]
    )
    cost = np.array([True, True, True, True, False, True, False])
    x = np.where(cost, 1 / x, x)
    x = x / x.sum(axis=0)
    scores = weighted_sum(x, np.full(7, 20.0))
    expected = [0.12040426, 0.3458235, 0.13838192, 0.12841246, 0.12346084, 0.14351701]
    assert scores == pytest.approx(expected, abs=5e-5)
    assert rank(scores).tolist() == [6, 1, 3, 4, 5, 2]


def test_topsis_reproduces_tzeng_and_huang_2011():
    # Tzeng & Huang (2011), Multiple Attribute Decision Making: Methods and Applications, CRC
    # Press: four alternatives, three benefit criteria, weights 0.3, 0.4, 0.3.
    x = np.array([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], dtype=float)
    closeness = topsis(x, np.array([0.3, 0.4, 0.3]))
    assert closeness == pytest.approx([0.5037, 0.6581, 0.7482, 0.3340], abs=5e-5)
    assert rank(closeness).tolist() == [3, 2, 1, 4]


def test_topsis_handles_cost_criteria():
    # By hand: price is a cost, quality a benefit. A is cheaper and better, so it is the ideal
    # (closeness 1) and B the anti-ideal (0). With price read as a benefit, B is better on it.
    x = np.array([[1.0, 4.0], [3.0, 2.0]])
    assert topsis(x, np.array([0.5, 0.5]), benefit=[False, True]) == pytest.approx([1, 0])
    # Equal quality: price alone separates them, so its direction decides which is the ideal.
    x2 = np.array([[1.0, 4.0], [3.0, 4.0]])
    assert topsis(x2, np.array([0.5, 0.5]), benefit=[True, True]) == pytest.approx([0, 1])
    assert topsis(x2, np.array([0.5, 0.5]), benefit=[False, True]) == pytest.approx([1, 0])
    # A vendor halfway between the others on every criterion is as far from the ideal as from
    # the anti-ideal (vector normalisation keeps midpoints): closeness 0.5 exactly.
    x3 = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0]])
    assert topsis(x3, np.array([0.7, 0.3])) == pytest.approx([0, 0.5, 1])
    assert topsis(x3, np.array([0.7, 0.3]), benefit=[False, False]) == pytest.approx([1, 0.5, 0])


def test_weighted_product_reproduces_the_textbook_example():
    # The weighted product model example on Wikipedia (Triantaphyllou): the same matrix, weights
    # 20, 15, 40, 25, columns sum-scaled; log10 scores as published in scikit-criteria's tests.
    x = np.array([[25, 20, 15, 30], [10, 30, 20, 30], [30, 10, 30, 10]], dtype=float)
    x = x / x.sum(axis=0)
    scores = np.log10(weighted_product(x, np.array([20, 15, 40, 25.0])))
    assert scores == pytest.approx([-0.50128589, -0.50448471, -0.52947246], abs=5e-5)


def test_ranks_are_competition_ranks_with_gates_first():
    assert rank(np.array([50, 70, 70, 10])).tolist() == [3, 1, 1, 4]
    passed = np.array([True, False, True, True])
    assert rank(np.array([50, 90, 70, 10]), passed).tolist() == [2, 4, 1, 3]
    assert rank(np.array([1 / 3, 1 - 2 / 3])).tolist() == [1, 1]  # equal up to rounding


# ---------------------------------------------------------------------------------------------
# Hand-computed scores on small templates
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def mini():
    tpl = load_template(DATA / "valid" / "mini.yaml")
    return tpl, load_vendors([DATA / "valid" / "acme.yaml", DATA / "valid" / "zenith.yaml"], tpl)


def test_mini_template_scores_by_hand(mini):
    tpl, vendors = mini
    result = score(tpl, vendors)
    # Leaf shares: quality 0.6 -> rating_a 0.3, latency 0.3; fit 0.4 -> c2pa 0.2, regions 0.2.
    # Acme: rating 3/4 confirmed = 0.75; latency 20-40 s -> midpoint 30 -> (30-100)/(0-100) = 0.7
    # verified; c2pa yes, reported x 0.8; regions unknown -> worst 0.
    acme = 100 * (0.3 * 0.75 + 0.3 * 0.7 + 0.2 * 0.8)
    # Zenith: rating 4 claimed x 0.6; regions us, eu, uk covers both required -> 1, confirmed.
    zenith = 100 * (0.3 * 0.6 + 0.2 * 1.0)
    assert result.row("acme").score == pytest.approx(acme)  # 59.5
    assert result.row("zenith").score == pytest.approx(zenith)  # 38.0
    assert [r.vendor for r in result.rows] == ["acme", "zenith"]
    assert result.row("acme").contributions == pytest.approx(
        {"quality": 100 * (0.3 * 0.75 + 0.3 * 0.7), "fit": 100 * 0.2 * 0.8}
    )
    assert result.row("acme").coverage == pytest.approx(
        {"verified": 0.3, "confirmed": 0.3, "reported": 0.2, "claimed": 0.0, "unknown": 0.2}
    )
    assert result.weights == pytest.approx(
        {"quality": 0.6, "rating_a": 0.3, "latency": 0.3, "fit": 0.4, "c2pa": 0.2, "regions": 0.2}
    )


def test_policies_by_hand(mini):
    tpl, vendors = mini
    neutral = score(tpl, vendors, Options(missing="neutral"))
    assert neutral.row("zenith").score == pytest.approx(100 * (0.18 + 0.2 + 0.3 * 0.5 + 0.2 * 0.5))
    exclude = score(tpl, vendors, Options(missing="exclude"))
    # Zenith is known on rating_a and regions only (weight 0.5): (0.3*0.6 + 0.2*1) / 0.5
    assert exclude.row("zenith").score == pytest.approx(100 * 0.38 / 0.5)
    assert exclude.row("zenith").known_weight == pytest.approx(0.5)
    assert exclude.row("zenith").utilities["latency"] is None
    assert sum(exclude.row("zenith").contributions.values()) == pytest.approx(76.0)
    flat = score(tpl, vendors, Options(confidence=False))
    assert flat.row("acme").score == pytest.approx(100 * (0.3 * 0.75 + 0.3 * 0.7 + 0.2))
    assert flat.confidence is False


def test_profile_and_explicit_weights(mini):
    tpl, vendors = mini
    legal = score(tpl, vendors, Options(profile="legal"))  # fit 80, quality 20
    assert legal.weights["fit"] == pytest.approx(0.8)
    assert legal.row("zenith").score == pytest.approx(100 * (0.1 * 0.6 + 0.4 * 1.0))
    mine = score(tpl, vendors, Options(profile="legal", weights={"fit": 20}))
    assert mine.weights["fit"] == pytest.approx(0.5)  # explicit weights win over the profile
    with pytest.raises(ScoringError, match="did you mean 'latency'"):
        score(tpl, vendors, Options(weights={"latncy": 1}))
    with pytest.raises(ScoringError, match="no profile 'lawyers'"):
        score(tpl, vendors, Options(profile="lawyers"))
    with pytest.raises(ScoringError, match="every weight is 0"):
        score(tpl, vendors, Options(weights={"quality": 0, "fit": 0}))


def test_an_open_gate_is_a_question_not_a_failure(mini):
    tpl, vendors = mini
    off = score(tpl, vendors)  # need_c2pa is in the template but switched off
    assert all(r.passed_gates for r in off.rows)
    on = score(tpl, vendors, Options(gates={"need_c2pa": True}))
    # zenith says nothing about C2PA: it stays ranked by its score, the gate marked open.
    assert [(r.vendor, r.rank, r.passed_gates) for r in on.rows] == [
        ("acme", 1, True),
        ("zenith", 2, True),
    ]
    zenith = on.row("zenith")
    assert (zenith.failed_gates, zenith.open_gates) == ([], ["need_c2pa"])
    gate = next(g for g in zenith.gates if g.id == "need_c2pa")
    assert (gate.outcome, gate.detail, gate.failed) == ("open", "C2PA: no evidence found", False)
    assert zenith.gates_text == "open: Needs C2PA — ask"
    assert on.open_gates == "include"
    with pytest.raises(ScoringError, match="no gate 'nope'"):
        score(tpl, vendors, Options(gates={"nope": True}))


def test_a_buyer_may_count_silence_as_no(mini):
    tpl, vendors = mini
    strict = score(tpl, vendors, Options(gates={"need_c2pa": True}, open_gates="exclude"))
    assert [(r.vendor, r.passed_gates) for r in strict.rows] == [("acme", True), ("zenith", False)]
    assert strict.row("zenith").failed_gates == ["need_c2pa"]
    assert strict.row("zenith").gates_text == "open: Needs C2PA — ask (counted as no)"
    assert strict.open_gates == "exclude"
    in_template = tpl.model_copy(
        update={"policies": tpl.policies.model_copy(update={"open_gates": "exclude"})}
    )
    assert (
        not score(in_template, vendors, Options(gates={"need_c2pa": True}))
        .row("zenith")
        .passed_gates
    )


def test_only_evidence_that_says_no_ranks_a_better_vendor_below():
    tpl = template(
        leaf("a", rating(), weight=3),
        leaf("ok", {"type": "boolean"}),
        gates=[{"id": "ok", "name": "Allowed", "criterion": "ok", "require": True}],
    )
    result = score(
        tpl,
        [
            vendor("silent", a=claim(4)),
            vendor("no", a=claim(3), ok=claim(False)),
            vendor("yes", a=claim(1), ok=claim(True)),
        ],
    )
    assert [(r.vendor, r.rank, r.gates[1].outcome) for r in result.rows] == [
        ("silent", 1, "open"),
        ("yes", 2, "pass"),
        ("no", 3, "fail"),
    ]
    assert result.row("no").gates_text == "fails: Allowed"


def test_a_failing_leader_keeps_its_score_but_ranks_last():
    # The vendor that fails the gate scores higher: only the gate can put it below the other.
    tpl = template(
        leaf("a", rating(), weight=3),
        leaf("ok", {"type": "boolean"}),
        gates=[{"id": "ok", "name": "Allowed", "criterion": "ok", "require": True}],
    )
    vendors = [vendor("hi", a=claim(4), ok=claim(False)), vendor("lo", a=claim(2), ok=claim(True))]
    result = score(tpl, vendors)
    assert [(r.vendor, r.rank, r.score, r.passed_gates) for r in result.rows] == [
        ("lo", 1, 62.5, True),
        ("hi", 2, 75.0, False),
    ]
    assert result.row("hi").failed_gates == ["ok"]
    assert result.row("hi").gates[1].detail == "Ok: no, must be yes"
    assert result.row("lo").failed_gates == []
    # With the gate off, the scores alone decide.
    off = score(tpl, vendors, Options(gates={"ok": False}))
    assert [(r.vendor, r.rank, r.passed_gates) for r in off.rows] == [
        ("hi", 1, True),
        ("lo", 2, True),
    ]


def test_each_method_scores_the_same_utilities_its_own_way():
    # Utilities (0.9, 0.1) and (0.5, 0.6) at equal weights: the weighted sum gives 50 and 55,
    # the weighted product sqrt(0.09) = 30 and sqrt(0.3). Under TOPSIS each vendor is the ideal
    # on one criterion and the anti-ideal on the other: A's closeness is its lead on x over the
    # two gaps, each column normalised by its length.
    tpl = template(leaf("x", rating(0, 10)), leaf("y", rating(0, 10)))
    vendors = [vendor("a", x=claim(9), y=claim(1)), vendor("b", x=claim(5), y=claim(6))]

    def scores(method):
        rows = score(tpl, vendors, Options(method=method)).rows
        return {r.vendor: r.score for r in rows}

    assert scores("wsm") == {"a": pytest.approx(50.0), "b": pytest.approx(55.0)}
    assert scores("wpm") == {"a": pytest.approx(30.0), "b": pytest.approx(100 * math.sqrt(0.3))}
    x, y = 0.4 / math.sqrt(0.9**2 + 0.5**2), 0.5 / math.sqrt(0.1**2 + 0.6**2)
    assert scores("topsis") == {
        "a": pytest.approx(100 * x / (x + y)),
        "b": pytest.approx(100 * y / (x + y)),
    }


def test_a_result_names_the_criteria_a_vendor_left_unanswered():
    tpl = template(leaf("x", rating(0, 10)), leaf("y", rating(0, 10)), leaf("z", rating(0, 10)))
    result = score(
        tpl,
        [
            vendor("a", x=claim(9), y=claim(None, "unknown")),
            vendor("b", x=claim(1), y=claim(2), z=claim(3)),
        ],
    )
    assert (result.row("a").unknown, result.row("b").unknown) == (("y", "z"), ())


def test_a_discontinued_vendor_fails_availability():
    tpl = template(leaf("a", rating()))
    result = score(tpl, [vendor("gone", "discontinued", a=claim(4)), vendor("here", a=claim(1))])
    assert [r.vendor for r in result.rows] == ["here", "gone"]
    assert result.row("gone").failed_gates == ["available"]
    assert result.row("gone").gates[0].detail == "the vendor has discontinued this service"
    assert result.row("here").gates[0].detail == ""
    assert result.row("gone").score == 100.0
    assert (
        score(tpl, [vendor("gone", "discontinued")], Options(gates={"available": False}))
        .rows[0]
        .passed_gates
    )  # a buyer can look past it deliberately


def test_gates_on_ranges_numbers_and_coverage():
    tpl = template(
        leaf("lat", linear(600, 30)),
        leaf("reg", {"type": "coverage", "options": ["us", "eu", "uk"]}),
        gates=[
            {"id": "fast", "name": "Fast", "criterion": "lat", "require": 120},
            {"id": "eu", "name": "EU", "criterion": "reg", "require": ["eu"]},
        ],
    )
    result = score(
        tpl,
        [
            vendor("sure", lat=claim([60, 100]), reg=claim(["eu", "us"])),
            vendor("maybe", lat=claim([60, 200]), reg=claim(["us"])),
            vendor("slow", lat=claim(300), reg=claim(["eu"], "unknown")),
        ],
    )
    outcomes = {r.vendor: [(g.id, g.outcome) for g in r.gates[1:]] for r in result.rows}
    assert outcomes == {
        "sure": [("fast", "pass"), ("eu", "pass")],
        "maybe": [("fast", "open"), ("eu", "fail")],
        "slow": [("fast", "fail"), ("eu", "open")],
    }


def test_ties_rank_equal():
    tpl = template(leaf("a", rating()), leaf("b", rating()))
    result = score(tpl, [vendor("x", a=claim(4)), vendor("y", b=claim(4)), vendor("z")])
    assert [(r.vendor, r.rank) for r in result.rows] == [("x", 1), ("y", 1), ("z", 3)]


def test_value_functions():
    log = {
        "type": "number",
        "unit": "USD",
        "direction": "higher",
        "value_function": {"type": "log", "worst": 1, "best": 100},
    }
    pw = {
        "type": "number",
        "unit": "s",
        "direction": "lower",
        "value_function": {"type": "piecewise", "points": [[10, 1], [60, 0.5], [600, 0]]},
    }
    tpl = template(leaf("money", log), leaf("time", pw), leaf("r", rating(1, 5)))
    m, t, r = (leaf_.measure for leaf_ in tpl.leaves())
    assert utility(m, np.array([1, 10, 100, 1000, 0.5])) == pytest.approx([0, 0.5, 1, 1, 0])
    assert utility(t, np.array([5, 35, 60, 330, 900])) == pytest.approx([1, 0.75, 0.5, 0.25, 0])
    assert utility(r, np.array([1, 3, 5])) == pytest.approx([0, 0.5, 1])
    assert math.isnan(utility(m, np.array([np.nan]))[0])


def test_ranges_give_low_mid_and_high_utilities():
    tpl = template(leaf("lat", linear(100, 0)))
    matrix = build_matrix(tpl, [vendor("v", lat=claim([20, 60]))])
    assert (matrix.low[0, 0], matrix.mid[0, 0], matrix.high[0, 0]) == pytest.approx((0.4, 0.6, 0.8))


def test_other_methods_rank_and_stay_in_range(mini):
    tpl, vendors = mini
    for method in ("wpm", "topsis"):
        result = score(tpl, vendors, Options(method=method))
        assert result.method == method
        assert all(0 <= r.score <= 100 for r in result.rows)
    # TOPSIS with two vendors: the better on every weighted criterion is the ideal itself
    tpl2 = template(leaf("a", rating()), leaf("b", rating()))
    result = score(
        tpl2,
        [vendor("x", a=claim(4), b=claim(4)), vendor("y", a=claim(1), b=claim(2))],
        Options(method="topsis"),
    )
    assert [(r.vendor, r.score) for r in result.rows] == [("x", 100.0), ("y", 0.0)]


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

LEAVES = ["a", "b", "c", "d"]
PROPERTY_TEMPLATE = template(
    {
        "id": "g1",
        "name": "G1",
        "weight": 2,
        "criteria": [leaf("a", rating()), leaf("b", linear(600, 30))],
    },
    {
        "id": "g2",
        "name": "G2",
        "weight": 1,
        "criteria": [
            leaf("c", {"type": "boolean"}),
            leaf("d", {"type": "coverage", "options": ["us", "eu", "uk"]}),
        ],
    },
)
CLAIMS = {
    "a": st.integers(0, 4),
    "b": st.floats(0, 1000, allow_nan=False),
    "c": st.booleans(),
    "d": st.lists(st.sampled_from(["us", "eu", "uk"]), unique=True),
}
LEVELS = st.sampled_from(["verified", "confirmed", "reported", "claimed", "unknown"])


@st.composite
def vendor_sets(draw):
    count = draw(st.integers(1, 6))
    out = []
    for i in range(count):
        claims = {}
        for key in LEAVES:
            if draw(st.booleans()):
                claims[key] = claim(draw(CLAIMS[key]), draw(LEVELS))
        out.append(
            vendor(
                f"v{i}", draw(st.sampled_from(["available", "preview", "discontinued"])), **claims
            )
        )
    return out


options = st.builds(
    Options,
    method=st.sampled_from(["wsm", "wpm", "topsis"]),
    missing=st.sampled_from(["worst", "neutral", "exclude"]),
    confidence=st.booleans(),
)


def _by_vendor(result):
    return {r.vendor: (r.rank, round(r.score, 9), r.passed_gates) for r in result.rows}


@examples(80)
@given(vendor_sets(), options, st.randoms(use_true_random=False))
def test_vendor_order_does_not_change_results(vendors, opts, rnd):
    shuffled = vendors[:]
    rnd.shuffle(shuffled)
    first, second = (
        score(PROPERTY_TEMPLATE, vendors, opts),
        score(PROPERTY_TEMPLATE, shuffled, opts),
    )
    # Identical but for the last bit of a float: TOPSIS sums columns in vendor order.
    assert [(r.vendor, r.rank, r.passed_gates, r.gates) for r in first.rows] == [
        (r.vendor, r.rank, r.passed_gates, r.gates) for r in second.rows
    ]
    assert [r.score for r in first.rows] == pytest.approx([r.score for r in second.rows], abs=1e-9)
    if opts.method != "topsis":
        assert first.rows == second.rows


@examples(80)
@given(vendor_sets(), options, st.floats(0.01, 1000))
def test_scaling_all_weights_does_not_change_the_ranking(vendors, opts, factor):
    weights = {"g1": 2.0, "g2": 1.0, "a": 3.0, "b": 1.0, "c": 1.0, "d": 2.0}
    scaled = {k: v * factor for k, v in weights.items()}
    base = score(
        PROPERTY_TEMPLATE,
        vendors,
        Options(opts.method, None, weights, opts.missing, opts.confidence),
    )
    other = score(
        PROPERTY_TEMPLATE,
        vendors,
        Options(opts.method, None, scaled, opts.missing, opts.confidence),
    )
    assert [r.rank for r in base.rows] == [other.row(r.vendor).rank for r in base.rows]
    assert [r.score for r in base.rows] == pytest.approx(
        [other.row(r.vendor).score for r in base.rows]
    )


IMPROVE = {
    "a": (st.integers(0, 4), lambda v, d: min(4, v + d)),
    "b": (st.floats(0, 1000, allow_nan=False), lambda v, d: max(0.0, v - 100 * d)),
    "c": (st.booleans(), lambda v, d: True),
    "d": (st.lists(st.sampled_from(["us", "eu"]), unique=True), lambda v, d: [*v, "uk"]),
}


@examples(120)
@given(
    vendor_sets(),
    st.sampled_from(LEAVES),
    st.integers(1, 4),
    LEVELS.filter(lambda x: x != "unknown"),
    st.sampled_from(["worst", "neutral", "exclude"]),
    st.booleans(),
    st.data(),
)
def test_improving_one_claim_never_lowers_that_vendors_score(
    vendors, key, step, level, missing, conf, data
):
    # Under the weighted sum (a vendor's score depends on its own claims only).
    strategy, better = IMPROVE[key]
    value = data.draw(strategy)
    target = vendors[0]
    before = vendor(
        target.id,
        target.status,
        **{k: c.model_dump(exclude_defaults=True) for k, c in target.claims.items() if k != key},
        **{key: claim(value, level)},
    )
    after = vendor(
        target.id,
        target.status,
        **{k: c.model_dump(exclude_defaults=True) for k, c in target.claims.items() if k != key},
        **{key: claim(better(value, step), level)},
    )
    opts = Options(missing=missing, confidence=conf)
    low = score(PROPERTY_TEMPLATE, [before, *vendors[1:]], opts).row(target.id).score
    high = score(PROPERTY_TEMPLATE, [after, *vendors[1:]], opts).row(target.id).score
    assert high >= low - 1e-9


@examples(60)
@given(vendor_sets(), vendor_sets())
def test_adding_vendors_never_changes_another_vendors_weighted_sum_score(vendors, extra):
    extra = [
        vendor(
            f"x{v.id}",
            v.status,
            **{k: c.model_dump(exclude_defaults=True) for k, c in v.claims.items()},
        )
        for v in extra
    ]
    alone = score(PROPERTY_TEMPLATE, vendors)
    together = score(PROPERTY_TEMPLATE, vendors + extra)
    for row in alone.rows:
        assert together.row(row.vendor).score == row.score


@examples(60)
@given(vendor_sets(), options)
def test_results_are_well_formed(vendors, opts):
    result = evaluate(PROPERTY_TEMPLATE, build_matrix(PROPERTY_TEMPLATE, vendors), opts)
    ranks = sorted(r.rank for r in result.rows)
    assert ranks[0] == 1
    for row in result.rows:
        assert 0 <= row.score <= 100 + 1e-9
        assert sum(row.coverage.values()) == pytest.approx(1.0)
        if opts.method == "wsm":
            assert sum(row.contributions.values()) == pytest.approx(row.score, abs=1e-9)
        assert row.passed_gates == (row.failed_gates == [])
    # Scores within 1e-9 are ties (ranked equal, listed by vendor id), as the engine defines them.
    passing = [round(r.score, 9) for r in result.rows if r.passed_gates]
    failing = [r for r in result.rows if not r.passed_gates]
    assert all(
        f.rank > max((r.rank for r in result.rows if r.passed_gates), default=0) for f in failing
    )
    assert passing == sorted(passing, reverse=True)


def test_the_stale_policy_decides_what_old_evidence_is_worth():
    tpl = template(
        leaf("ok", {"type": "boolean"}),  # the first column: a gate reads it like any other
        leaf("a", rating()),
        gates=[{"id": "ok", "name": "Allowed", "criterion": "ok", "require": True}],
        policies={"stale_after_days": 100},
    )
    old = vendor("old", a=claim(4, as_of="2025-01-01"), ok=claim(True, as_of="2025-01-01"))
    new = vendor("new", a=claim(2, as_of="2026-11-01"), ok=claim(True, as_of="2026-11-01"))
    today = dt.date(2026, 11, 26)

    def run(**options):
        return score(tpl, [old, new], Options(as_of=today, **options))

    full = run()
    assert (full.row("old").score, full.row("old").stale) == (100.0, ("ok", "a"))
    assert full.row("new").stale == () and full.stale == "full" and full.as_of == today
    assert run(stale="discount").row("old").score == 50.0  # the template's stale_factor, 0.5
    gone = run(stale="unknown").row("old")
    assert (gone.score, gone.coverage["unknown"], gone.open_gates) == (0.0, 1.0, ["ok"])
    assert gone.gates[1].detail == "Allowed: the evidence is stale, so it no longer counts"
    # Without a day to judge on, nothing is stale.
    assert score(tpl, [old], Options(stale="unknown")).rows[0].score == 100.0


@pytest.mark.parametrize(
    ("value", "outcome"),
    [
        (119.5, "pass"),  # better than the threshold
        (120, "pass"),  # exactly at it: "≤ 120" is met
        (120.5, "fail"),  # just past it
        ([100, 120], "pass"),  # a range wholly within
        ([100, 121], "open"),  # a range that straddles it: may or may not be
        ([121, 130], "fail"),  # a range wholly past it
    ],
)
def test_a_lower_is_better_gate_at_its_threshold(value, outcome):
    tpl = template(
        leaf("lat", linear(600, 30)),
        gates=[{"id": "fast", "name": "Fast", "criterion": "lat", "require": 120}],
    )
    [row] = score(tpl, [vendor("v", lat=claim(value))]).rows
    assert row.gates[1].outcome == outcome


@pytest.mark.parametrize(
    ("value", "outcome"),
    [(2, "fail"), (3, "pass"), (4, "pass"), ([2, 3], "open"), ([3, 4], "pass")],
)
def test_a_higher_is_better_gate_at_its_threshold(value, outcome):
    tpl = template(
        leaf("a", rating()),
        gates=[{"id": "min3", "name": "At least 3", "criterion": "a", "require": 3}],
    )
    [row] = score(tpl, [vendor("v", a=claim(value))]).rows
    assert row.gates[1].outcome == outcome


@pytest.mark.parametrize(("days", "stale"), [(99, False), (100, False), (101, True)])
def test_staleness_counts_from_the_templates_own_limit(days, stale):
    # A limit of 100 days, not the default 365: a claim 100 days old is not stale, 101 is.
    tpl = template(leaf("a", rating()), policies={"stale_after_days": 100})
    today = dt.date(2026, 11, 26)
    as_of = (today - dt.timedelta(days=days)).isoformat()
    [row] = score(tpl, [vendor("v", a=claim(4, as_of=as_of))], Options(as_of=today)).rows
    assert row.stale == (("a",) if stale else ())


def test_setting_one_share_rescales_its_siblings_in_proportion():
    assert set_share({"a": 1, "b": 1, "c": 2}, "a", 40) == pytest.approx(
        {"a": 40.0, "b": 20.0, "c": 40.0}
    )
    # Out of range is held to 0..100; siblings that were all 0 share the rest equally.
    assert set_share({"a": 1, "b": 0, "c": 0}, "a", 120) == {"a": 100.0, "b": 0.0, "c": 0.0}
    assert set_share({"a": 5, "b": 0, "c": 0}, "a", -3) == {"a": 0.0, "b": 50.0, "c": 50.0}
    assert shares_of({"a": 1, "b": 3}) == {"a": 25.0, "b": 75.0}
    assert shares_of({"a": 0, "b": 0}) == {"a": 0.0, "b": 0.0}


def test_the_difference_between_two_vendors_is_their_points_largest_margin_first():
    # Shares a 1/2, b 1/4, c 1/4. v: 2, 4, 1 of 4; w: 3, 0, 1 of 4.
    tpl = template(leaf("a", rating(), 2), leaf("b", rating()), leaf("c", rating()))
    v = vendor("v", a=claim(2), b=claim(4), c=claim(1))
    w = vendor("w", a=claim(3), b=claim(0), c=claim(1))
    result = score(tpl, [v, w])
    found = difference(result, "v", "w")
    assert found == [
        Difference("b", 25.0, 0.0),
        Difference("a", 25.0, 37.5),
        Difference("c", 6.25, 6.25),  # no margin: last, then by id
    ]
    assert [d.margin for d in found] == [25.0, -12.5, 0.0]
    assert sum(d.margin for d in found) == result.row("v").score - result.row("w").score
    assert difference(result, "w", "v")[0] == Difference("b", 0.0, 25.0)


def test_weights_below_one_in_total_are_still_shares_of_their_sum():
    assert shares_of({"a": 0.2, "b": 0.3}) == pytest.approx({"a": 40.0, "b": 60.0})
    assert set_share({"a": 0.2, "b": 0.3, "c": 0.1}, "a", 50) == pytest.approx(
        {"a": 50.0, "b": 37.5, "c": 12.5}
    )


def test_topsis_takes_whole_numbers_and_ignores_a_column_nobody_scores_on():
    x = np.array([[4, 1], [2, 3], [3, 3]])
    w = np.array([0.6, 0.4])
    expected = topsis(x.astype(float), w)
    assert topsis(x, w) == pytest.approx(expected)  # integers are not truncated
    assert weighted_product(x, w) == pytest.approx(weighted_product(x.astype(float), w))
    # A column of zeros, or with no value known for anyone, moves nobody.
    for extra in (np.zeros((3, 1)), np.full((3, 1), np.nan)):
        wide = np.hstack([x, extra])
        assert topsis(wide, np.array([0.6, 0.4, 0.0])) == pytest.approx(expected)
        assert topsis(wide, np.array([0.3, 0.2, 0.5])) == pytest.approx(expected)


def test_topsis_of_identical_vendors_is_half_and_of_none_is_empty():
    assert topsis(np.array([[2.0, 5.0], [2.0, 5.0]]), np.array([0.5, 0.5])).tolist() == [0.5, 0.5]
    assert topsis(np.zeros((0, 2)), np.array([0.5, 0.5])).shape == (0,)


def test_utility_stays_between_0_and_1_beyond_the_ends_of_a_scale():
    tpl = template(leaf("r", rating()), leaf("t", linear(120, 10)))
    r, t = tpl.leaves()
    assert utility(r.measure, np.array([-1, 2, 5])).tolist() == [0.0, 0.5, 1.0]
    assert utility(t.measure, np.array([5, 65, 200, np.nan])).tolist()[:3] == [1.0, 0.5, 0.0]
    assert math.isnan(utility(t.measure, np.array([np.nan]))[0])
