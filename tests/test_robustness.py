"""Robustness: closed-form answers derived on paper, matched by the exact sensitivity and, within
sampling error, by the SMAA sampler; and agreement of the kernels with pymcdm (a test oracle)."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pytest
from conftest import claim, examples, leaf, linear, rating, template, vendor
from hypothesis import given
from hypothesis import strategies as st
from pymcdm import methods, normalizations

from scorecard.robustness import (
    MAX_SUBSETS,
    NUMBER_ANSWERS,
    Agreement,
    Flip,
    _possible,
    acceptability,
    agreement,
    agreement_sentence,
    analyse,
    certainty_sentence,
    draws,
    flip_clause,
    flip_sentence,
    sample_weights,
    sensitivity,
    sensitivity_sentence,
    smallest_flip,
)
from scorecard.scoring import (
    ZERO_WEIGHTS,
    Options,
    ScoringError,
    build_matrix,
    evaluate,
    set_share,
    topsis,
    weighted_product,
    weighted_sum,
)


def two_criteria(weights=(1, 1), **extra):
    return template(
        {"id": "c1", "name": "C1", "weight": weights[0], "criteria": [leaf("x", rating(0, 10))]},
        {"id": "c2", "name": "C2", "weight": weights[1], "criteria": [leaf("y", rating(0, 10))]},
        **extra,
    )


def one_leaf_each(weights):
    """Top-level criteria g0, g1, ... weighted `weights`, each with one 0-10 rating c0, c1, ..."""
    return template(
        *(
            {
                "id": f"g{j}",
                "name": f"G{j}",
                "weight": w,
                "criteria": [leaf(f"c{j}", rating(0, 10))],
            }
            for j, w in enumerate(weights)
        )
    )


# A: utilities (0.9, 0.1); B: (0.5, 0.6). With t the share of C1:
#   A(t) = 0.1 + 0.8 t,  B(t) = 0.6 - 0.1 t,  equal at t = 5/9.
A = vendor("a", x=claim(9), y=claim(1))
B = vendor("b", x=claim(5), y=claim(6))


def test_sensitivity_finds_the_exact_crossing():
    tpl = two_criteria()
    curves = {c.criterion: c for c in sensitivity(tpl, build_matrix(tpl, [A, B]))}
    (change,) = curves["c1"].changes
    assert change.share == pytest.approx(5 / 9, abs=1e-12)
    assert (change.criterion, change.before, change.after) == ("c1", "b", "a")
    assert curves["c1"].current == 0.5
    grid = np.array(curves["c1"].shares)  # 0%, 1%, ... 100% by default
    assert grid == pytest.approx(np.arange(101) / 100, abs=1e-15)
    assert curves["c1"].scores["a"] == pytest.approx(100 * (0.1 + 0.8 * grid))
    (back,) = curves["c2"].changes  # the mirror image: C2's share at 4/9
    assert back.share == pytest.approx(4 / 9, abs=1e-12)


def test_a_criterion_with_all_the_weight_shares_the_rest_equally_as_it_falls():
    # G0 has all the weight; lowering it shares the rest equally between G1 and G2, so with t
    # G0's share, A = 0.1 + 0.8t and B = 0.6 - 0.1t, as with two criteria: equal at t = 5/9.
    tpl = one_leaf_each((1, 0, 0))
    a = vendor("a", c0=claim(9), c1=claim(1), c2=claim(1))
    b = vendor("b", c0=claim(5), c1=claim(6), c2=claim(6))
    curves = sensitivity(tpl, build_matrix(tpl, [a, b]))
    assert [
        (c.criterion, c.current, [(x.share, x.before, x.after) for x in c.changes]) for c in curves
    ] == [
        ("g0", 1.0, [(pytest.approx(5 / 9, abs=1e-12), "b", "a")]),
        # G1 (or G2) takes t from G0 alone: A = 0.9 - 0.8t, B = 0.5 + 0.1t.
        ("g1", 0.0, [(pytest.approx(4 / 9, abs=1e-12), "a", "b")]),
        ("g2", 0.0, [(pytest.approx(4 / 9, abs=1e-12), "a", "b")]),
    ]


def test_under_exclude_a_vendor_with_nothing_known_scores_zero_and_never_leads():
    tpl = two_criteria()
    matrix = build_matrix(tpl, [vendor("u"), vendor("k", x=claim(3), y=claim(4))])
    options = Options(missing="exclude")
    for curve in sensitivity(tpl, matrix, options):
        assert set(curve.scores["u"]) == {0.0} and curve.changes == ()
    found = acceptability(tpl, matrix, options, samples=500, open_questions=False)
    assert found.ranks == {"u": (0.0, 1.0), "k": (1.0, 0.0)}


def test_the_smallest_flip_and_its_sentence():
    tpl = two_criteria()
    curves = sensitivity(tpl, build_matrix(tpl, [A, B]))
    flip = smallest_flip(curves)  # 5/9 - 1/2 and 1/2 - 4/9 tie: C1 comes first by name
    assert (flip.criterion, flip.share, flip.leader, flip.challenger) == (
        "c1",
        pytest.approx(5 / 9),
        "b",
        "a",
    )
    sentence = flip_sentence(flip, {"c1": "C1", "c2": "C2", "a": "A", "b": "B"})
    assert sentence in (
        "Raising C1 from 50% to 56% would put A ahead of B.",
        "Lowering C2 from 50% to 44% would put A ahead of B.",
    )


def test_sensitivity_under_exclude_solves_the_ratio_exactly():
    # A is known on C1 only (0.4), so under `exclude` its score is 40 whatever the weights;
    # B(t) = 0.9 t + 0.2 (1 - t): equal at t = 2/7.
    tpl = two_criteria()
    a = vendor("a", x=claim(4), y=claim(None, "unknown"))
    b = vendor("b", x=claim(9), y=claim(2))
    curves = {
        c.criterion: c
        for c in sensitivity(tpl, build_matrix(tpl, [a, b]), Options(missing="exclude"))
    }
    (change,) = curves["c1"].changes
    assert change.share == pytest.approx(2 / 7, abs=1e-12)
    assert (change.before, change.after) == ("a", "b")


def test_a_vendor_failing_a_gate_never_leads():
    tpl = two_criteria(gates=[{"id": "g", "name": "G", "criterion": "y", "require": 2}])
    curves = sensitivity(tpl, build_matrix(tpl, [A, B]))  # A fails the gate (y = 1)
    assert all(not c.changes for c in curves)
    assert flip_sentence(smallest_flip(curves), {}) == (
        "No change of a single criterion's weight changes the leader."
    )


def test_when_every_vendor_fails_a_gate_the_leader_still_changes_among_them():
    tpl = two_criteria(gates=[{"id": "g", "name": "G", "criterion": "y", "require": 7}])
    curves = {c.criterion: c for c in sensitivity(tpl, build_matrix(tpl, [A, B]))}
    (change,) = curves["c1"].changes  # both fail (y = 1 and 6): ranked as if no gate
    assert (change.share, change.before, change.after) == (pytest.approx(5 / 9), "b", "a")


def test_under_exclude_a_vendor_with_nothing_known_never_leads():
    tpl = two_criteria()
    blank = vendor("blank", x=claim(None, "unknown"), y=claim(None, "unknown"))
    curves = sensitivity(tpl, build_matrix(tpl, [blank, A, B]), Options(missing="exclude"))
    (change,) = next(c for c in curves if c.criterion == "c1").changes
    assert (change.share, change.before, change.after) == (pytest.approx(5 / 9), "b", "a")


def test_smaa_matches_the_closed_form_first_rank_probability():
    # Weights uniform on the simplex of two criteria: t ~ U(0, 1); A first iff t > 5/9.
    tpl = two_criteria()
    result = acceptability(
        tpl, build_matrix(tpl, [A, B]), samples=100_000, weights="uniform", seed=7
    )
    error = 4 * np.sqrt((4 / 9) * (5 / 9) / 100_000)
    assert result.ranks["a"][0] == pytest.approx(4 / 9, abs=error)
    assert result.ranks["b"][0] == pytest.approx(5 / 9, abs=error)
    # A wins exactly when t > 5/9: its central weight on C1 is the mean of U(5/9, 1) = 7/9.
    assert result.central_weights["a"]["c1"] == pytest.approx(7 / 9, abs=0.005)
    assert result.confidence["a"] == 1.0  # no value uncertainty: at its central weights it wins


def test_smaa_around_the_chosen_weights_and_value_ranges():
    # B's claim on C1 is a range [3, 7] (utility 0.3-0.7, uniform); weights fixed by a huge
    # concentration at 0.5 / 0.5. A = 0.5; B = 0.5 u + 0.3: B first iff u > 0.4 -> P = 3/4.
    tpl = two_criteria()
    a = vendor("a", x=claim(9), y=claim(1))
    b = vendor("b", x=claim([3, 7]), y=claim(6))
    result = acceptability(
        tpl, build_matrix(tpl, [a, b]), samples=100_000, weights="around", seed=3, concentration=1e7
    )
    assert result.ranks["b"][0] == pytest.approx(0.75, abs=4 * np.sqrt(0.1875 / 100_000))


def test_acceptabilities_sum_to_one_and_the_seed_reproduces():
    rng = np.random.default_rng(5)
    vendors = [
        vendor(
            f"v{i}",
            x=claim(int(rng.integers(0, 11)), "reported"),
            y=claim([int(lo), int(lo) + 2], "claimed"),
        )
        for i, lo in enumerate(rng.integers(0, 9, 6))
    ]
    tpl = two_criteria((3, 1))
    matrix = build_matrix(tpl, vendors)
    first = acceptability(tpl, matrix, samples=5_000, seed=11)
    probabilities = np.array([first.ranks[v.id] for v in vendors])
    assert probabilities.sum(axis=1) == pytest.approx(1.0)
    assert probabilities.sum(axis=0) == pytest.approx(1.0)
    again = acceptability(tpl, matrix, samples=5_000, seed=11)
    assert again == first
    assert acceptability(tpl, matrix, samples=5_000, seed=12) != first


def test_acceptability_by_default_draws_10000_samples_around_the_weights_from_seed_0():
    tpl = two_criteria((3, 1))
    matrix = build_matrix(tpl, [A, B])
    default = acceptability(tpl, matrix)
    assert (default.samples, default.weights, default.seed) == (10_000, "around", 0)
    assert default == acceptability(tpl, matrix, None, 10_000, "around", 0)


def test_draws_kept_for_one_weighting_of_sub_criteria_are_not_reused_for_another():
    # A page redraws only the weights when they change; the values' sums within each top-level
    # criterion depend on its sub-criteria's weights, so those are summed again.
    tpl = template(
        {
            "id": "c1",
            "name": "C1",
            "criteria": [leaf("x", rating(0, 10)), leaf("z", rating(0, 10))],
        },
        {"id": "c2", "name": "C2", "criteria": [leaf("y", rating(0, 10))]},
    )
    vendors = [
        vendor("a", x=claim([6, 10], "claimed"), z=claim(1), y=claim(5)),
        vendor("b", x=claim(2), z=claim([7, 10], "reported"), y=claim(5)),
    ]
    matrix = build_matrix(tpl, vendors)
    drawn, alone = draws(tpl, matrix, samples=2_000), draws(tpl, matrix, samples=2_000)
    firsts = set()
    for weights in ({"x": 9, "z": 1}, {"x": 1, "z": 9}, {"x": 9, "z": 1}):
        options = Options(weights=weights)
        kept = acceptability(tpl, matrix, options, drawn=drawn, alone=alone)
        assert kept == acceptability(tpl, matrix, options, samples=2_000)
        firsts.add(kept.ranks["a"][0])
    assert len(firsts) == 2  # the weights within C1 decide


@pytest.mark.parametrize(("missing", "first"), [("worst", 0.0), ("neutral", 1.0)])
def test_acceptability_scores_an_unanswered_question_as_the_policy_says(missing, first):
    # O has not answered C1, where K has 4 of 10; both have 5 on C2. Scored as the worst (0),
    # O never ranks first; as neutral (5 of 10), always.
    tpl = two_criteria(policies={"confidence": {"enabled": False}})
    matrix = build_matrix(tpl, [vendor("o", y=claim(5)), vendor("k", x=claim(4), y=claim(5))])
    options = Options(missing=missing)
    alone = acceptability(tpl, matrix, options, samples=1_000, open_questions=False)
    assert (alone.ranks["o"], alone.weights_only) == ((first, 1 - first), None)
    answered = acceptability(tpl, matrix, options, samples=1_000, first_only=True, central=False)
    assert answered.weights_only == {"o": first, "k": 1 - first}
    assert len(answered.ranks["o"]) == len(answered.ranks["k"]) == 1  # the first rank only
    assert answered.central_weights == answered.confidence == {"o": None, "k": None}
    assert (answered.vendors, answered.criteria) == (("o", "k"), ("c1", "c2"))


@pytest.mark.parametrize("missing", ["worst", "exclude"])
def test_a_seed_gives_the_figures_it_gave_when_they_were_reviewed(missing, snapshot):
    """Every figure of one SMAA run, over several batches (the last one short), with ranges,
    weaker evidence, an open question on a gate and the central weights, as reviewed in
    __snapshots__/: a change to how samples are drawn or counted shows here."""
    tpl = template(
        {
            "id": "c1",
            "name": "C1",
            "criteria": [leaf("x", rating(0, 10)), leaf("z", rating(0, 10))],
        },
        {"id": "c2", "name": "C2", "weight": 2, "criteria": [leaf("ok", {"type": "boolean"})]},
        gates=[{"id": "ok", "name": "OK", "criterion": "ok", "require": True}],
    )
    vendors = [
        vendor("a", x=claim([3, 10], "claimed"), z=claim(4), ok=claim(True, "reported")),
        vendor("b", x=claim(6), z=claim([2, 9], "reported"), ok=claim(None, "unknown")),
        vendor("c", x=claim(7, "reported"), ok=claim(True, "claimed")),
    ]
    found = acceptability(
        tpl,
        build_matrix(tpl, vendors),
        Options(missing=missing),
        samples=2_500,
        seed=5,
        batch=1_000,
    )
    assert found == snapshot


def test_vendors_that_tie_in_every_sample_each_rank_first_half_the_time():
    found = acceptability(
        two_criteria(),
        build_matrix(two_criteria(), [A, A.model_copy(update={"id": "a2"})]),
        samples=4_000,
    )
    assert found.ranks["a"][0] == pytest.approx(0.5, abs=0.03)


def test_uniform_weights_are_uniform_on_the_simplex():
    w = sample_weights(np.random.default_rng(0), 200_000, np.full(3, 1 / 3), "uniform", 1.0)
    assert w.sum(axis=1) == pytest.approx(1.0)
    # Dirichlet(1,1,1): each coordinate ~ Beta(1, 2), mean 1/3 and P(w1 > 1/2) = 1/4.
    assert (w[:, 0] > 0.5).mean() == pytest.approx(0.25, abs=0.005)


def test_method_agreement_and_kendall_tau():
    tpl = two_criteria()
    same = agreement(
        tpl,
        build_matrix(
            tpl,
            [
                vendor("hi", x=claim(9), y=claim(9)),
                vendor("mid", x=claim(5), y=claim(5)),
                vendor("lo", x=claim(1), y=claim(2)),
            ],
        ),
    )
    assert set(same.ranks) == {"wsm", "wpm", "topsis"}
    assert all(tau == 1.0 for tau in same.tau.values())
    assert same.ranks["topsis"] == {"hi": 1, "mid": 2, "lo": 3}


@pytest.fixture
def random_matrices():
    """Seeded decision matrices: alternatives x criteria, positive values, weights summing to 1."""
    rng = np.random.default_rng(2026)
    out = []
    for _ in range(25):
        n, m = rng.integers(3, 15), rng.integers(2, 10)
        x = rng.uniform(0.05, 1.0, (n, m))
        w = rng.dirichlet(np.ones(m))
        out.append((x, w))
    return out


def _identity(x, cost):
    return x


def test_kernels_agree_with_pymcdm(random_matrices):
    for x, w in random_matrices:
        types = np.ones(x.shape[1])
        assert weighted_sum(x, w) == pytest.approx(methods.WSM(_identity)(x, w, types), abs=1e-12)
        assert weighted_product(x, w) == pytest.approx(
            methods.WPM(_identity)(x, w, types), rel=1e-12
        )
        ours = topsis(x, w)
        theirs = methods.TOPSIS(normalizations.vector_normalization)(x, w, types)
        assert ours == pytest.approx(theirs, abs=1e-12)
        cost = np.where(np.arange(x.shape[1]) % 2 == 0, 1, -1)
        assert topsis(x, w, benefit=cost > 0) == pytest.approx(
            methods.TOPSIS(normalizations.vector_normalization)(x, w, cost), abs=1e-12
        )


def gated_pair():
    """A says yes to a must-have and is weaker elsewhere; B is stronger but has not answered."""
    tpl = template(
        {"id": "c1", "name": "C1", "weight": 3, "criteria": [leaf("ok", {"type": "boolean"})]},
        {"id": "c2", "name": "C2", "weight": 1, "criteria": [leaf("y", rating(0, 10))]},
        gates=[{"id": "ok", "name": "Allowed", "criterion": "ok", "require": True}],
        policies={"confidence": {"enabled": False}},
    )
    a = vendor("a", ok=claim(True), y=claim(0))
    b = vendor("b", ok=claim(None, "unknown"), y=claim(10))
    return tpl, build_matrix(tpl, [a, b])


def test_one_open_boolean_that_decides_the_winner_gives_even_odds():
    # If B answers yes it passes the gate and scores 100 against A's 75; if no, it fails the
    # gate. Each answer is equally likely, so A ranks first in half of the samples.
    tpl, matrix = gated_pair()
    found = acceptability(tpl, matrix, samples=20_000)
    assert found.open_questions
    assert found.ranks["a"][0] == pytest.approx(0.5, abs=0.02)
    [question] = found.decisive
    assert (question.vendor, question.criterion) == ("b", "ok")
    assert question.swing == pytest.approx(1.0)
    sentence = certainty_sentence(found, {"a": "A", "b": "B", "ok": "Allowed"})
    assert "ranks first in 50% of plausible weightings and plausible answers" in sentence
    assert "the answer that matters most is B's on Allowed" in sentence
    unnamed = certainty_sentence(found, {})  # ids stand in for names
    assert unnamed.startswith(f"{found.focus} ranks first in 50% of plausible weightings")
    assert "the answer that matters most is b's on ok: 100% if it is favourable" in unnamed


def test_the_weights_alone_hide_what_the_open_question_decides():
    # Over the weights alone (B's silence scored as the worst), A wins nearly every sample.
    tpl, matrix = gated_pair()
    alone = acceptability(tpl, matrix, samples=5_000, open_questions=False)
    assert alone.ranks["a"][0] > 0.99 and alone.decisive == ()
    answered = acceptability(tpl, matrix, samples=5_000)
    assert answered.ranks["a"][0] < 0.6 and answered.decisive[0].criterion == "ok"
    # The same weight samples, the open question scored as the policy says: as alone.
    assert answered.weights_only["a"] == pytest.approx(alone.ranks["a"][0], abs=0.01)


@pytest.mark.parametrize("enabled", [True, False])
def test_an_open_answer_fails_a_vendor_only_on_a_gate_that_is_enabled(enabled):
    # B leads on what it has answered (90 against 10), whatever it answers to the gate's
    # question; a "no" fails the gate, so B ranks first in half the samples, or in all of them
    # when the gate is off.
    tpl = template(
        {"id": "c1", "name": "C1", "weight": 1, "criteria": [leaf("ok", {"type": "boolean"})]},
        {"id": "c2", "name": "C2", "weight": 3, "criteria": [leaf("y", rating(0, 10))]},
        gates=[
            {"id": "ok", "name": "Allowed", "criterion": "ok", "require": True, "enabled": enabled}
        ],
        policies={"confidence": {"enabled": False}},
    )
    a = vendor("a", ok=claim(True), y=claim(0))
    b = vendor("b", ok=claim(None, "unknown"), y=claim(10))
    found = acceptability(tpl, build_matrix(tpl, [a, b]), samples=4_000, first_only=True)
    assert found.ranks["b"][0] == pytest.approx(0.5 if enabled else 1.0, abs=0.03)


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        (rating(0, 4), 0.5),  # the mean of 0, .25, .5, .75, 1
        ({"type": "boolean"}, 0.5),
        ({"type": "coverage", "options": ["us", "eu", "uk", "cn"], "required": ["eu", "uk"]}, 0.5),
        (
            {
                "type": "number",
                "unit": "USD",
                "direction": "higher",
                "value_function": {"type": "log", "worst": 1, "best": 100},
            },
            # E[ln V / ln 100] for V uniform on [1, 100]
            (100 * np.log(100) - 99) / (99 * np.log(100)),
        ),
    ],
)
def test_an_open_question_draws_every_answer_of_its_measure_alike(measure, expected):
    # One unknown claim against a vendor fixed at utility u: P(unknown one first) = P(U > u).
    # Averaged over u = 0.1 ... 0.9 that recovers the answers' mean utility.
    tpl = template(leaf("q", measure), policies={"confidence": {"enabled": False}})
    scores = []
    for u in np.linspace(0.05, 0.95, 19):
        matrix = build_matrix(tpl, [vendor("open", q=claim(None, "unknown")), vendor("k")])
        matrix.mid[1, 0] = matrix.low[1, 0] = matrix.high[1, 0] = u
        matrix.level[1, 0] = 1  # confirmed
        scores.append(acceptability(tpl, matrix, samples=4_000).ranks["open"][0])
    assert np.mean(scores) == pytest.approx(expected, abs=0.03)


def test_analyse_is_its_four_parts_with_the_options_given():
    tpl = two_criteria()
    matrix = build_matrix(tpl, [A, B, vendor("c", x=claim(7), y=claim(None, "unknown"))])
    options = Options(weights={"c1": 3, "c2": 1}, missing="neutral")
    found = analyse(tpl, matrix, options, samples=2_000, weights="uniform", seed=7)
    curves = tuple(sensitivity(tpl, matrix, options))
    assert found.curves == curves
    assert found.flip == smallest_flip(curves)
    assert found.acceptability == acceptability(tpl, matrix, options, 2_000, "uniform", 7)
    assert (found.acceptability.samples, found.acceptability.seed) == (2_000, 7)
    assert found.agreement == agreement(tpl, matrix, options)


NAMES = {"a": "Alpha", "b": "Beta", "d": "Delta", "c1": "Quality", "c2": "Price"}


def test_each_sensitivity_reads_as_the_limits_of_its_criterion():
    tpl = two_criteria()
    c1, c2 = sensitivity(tpl, build_matrix(tpl, [A, B]))
    assert sensitivity_sentence(c1, "b", NAMES) == (
        "Changing how much you care about Quality would not change the winner (Beta) unless it "
        "counts for more than 56% of the weight (now 50%)."
    )
    assert sensitivity_sentence(c2, "b", NAMES) == (
        "Changing how much you care about Price would not change the winner (Beta) unless it "
        "counts for less than 44% of the weight (now 50%)."
    )
    # A vendor best on both criteria leads under any weight; an unnamed id is shown as it is.
    best = vendor("d", x=claim(10), y=claim(10))
    steady, _ = sensitivity(tpl, build_matrix(tpl, [A, best]))
    assert sensitivity_sentence(steady, "d", {"d": "Delta"}) == (
        "However much c1 counts, from 0% to 100% of the weight, Delta stays first (it counts "
        "for 50% now)."
    )


def test_method_agreement_reads_as_who_each_method_puts_first():
    tpl = two_criteria()
    assert agreement_sentence(agreement(tpl, build_matrix(tpl, [A, B])), NAMES) == (
        "The weighted product and TOPSIS put Beta first too: the winner does not depend on how "
        "the scores are combined."
    )
    # Ties go to the first id; each method that differs is named.
    split = Agreement(
        {"wsm": {"b": 1, "a": 1}, "wpm": {"b": 1, "a": 2}, "topsis": {"a": 1, "b": 2}}, {}
    )
    assert agreement_sentence(split, NAMES) == (
        "The winner depends on how the scores are combined: the weighted sum puts Alpha first, "
        "but weighted product puts Beta first."
    )
    assert agreement_sentence(Agreement({"wsm": {}, "wpm": {}}, {}), NAMES) == "No vendor to rank."


def test_agreement_measures_each_method_and_the_order_it_gives():
    """A zero on one criterion sinks a vendor under the weighted product, and TOPSIS (by hand:
    closeness 0.357 against 0.643) also prefers the even vendor: both reverse the weighted sum's
    order of two vendors (tau -1) and agree with each other (tau 1)."""
    tpl = two_criteria()
    spiky, even = vendor("s", x=claim(10), y=claim(0)), vendor("e", x=claim(4), y=claim(4))
    found = agreement(tpl, build_matrix(tpl, [spiky, even]), Options(method="topsis"))
    assert found.ranks == {
        "wsm": {"s": 1, "e": 2},
        "wpm": {"e": 1, "s": 2},
        "topsis": {"e": 1, "s": 2},
    }
    assert found.tau == {("wsm", "wpm"): -1.0, ("wsm", "topsis"): -1.0, ("wpm", "topsis"): 1.0}
    assert agreement_sentence(found, {"s": "Spiky"}) == (  # an unnamed id is shown as it is
        "The winner depends on how the scores are combined: the weighted sum puts Spiky first, "
        "but weighted product puts e first and TOPSIS puts e first."
    )
    assert agreement_sentence(found, {}).startswith(
        "The winner depends on how the scores are combined: the weighted sum puts s first"
    )


@pytest.mark.parametrize("vendors", [[A], [A, A.model_copy(update={"id": "twin"})]])
def test_one_vendor_or_a_tie_is_full_agreement(vendors):
    tpl = two_criteria()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scipy warns on a sample of one: it is not asked
        found = agreement(tpl, build_matrix(tpl, vendors))
    assert set(found.tau.values()) == {1.0}
    assert agreement_sentence(found, {}) == (
        "The weighted product and TOPSIS put a first too: the winner does not depend on how the "
        "scores are combined."
    )


def test_a_sensitivity_with_a_limit_on_each_side_names_both():
    tpl = two_criteria()
    middle = vendor("m", x=claim(6), y=claim(6))  # 60 whatever the weights
    ends = [vendor("x", x=claim(10), y=claim(0)), vendor("y", x=claim(0), y=claim(10))]
    c1, _ = sensitivity(tpl, build_matrix(tpl, [middle, *ends]))
    assert [(c.share, c.before, c.after) for c in c1.changes] == [
        (pytest.approx(0.4), "y", "m"),
        (pytest.approx(0.6), "m", "x"),
    ]
    assert sensitivity_sentence(c1, "m", {}) == (
        "Changing how much you care about c1 would not change the winner (m) unless it counts "
        "for more than 60% or less than 40% of the weight (now 50%)."
    )


def test_a_tie_at_the_chosen_weights_is_a_limit_on_the_side_the_leader_loses():
    tpl = two_criteria()
    ends = [vendor("x", x=claim(10), y=claim(0)), vendor("y", x=claim(0), y=claim(10))]
    c1, c2 = sensitivity(tpl, build_matrix(tpl, ends))
    (change,) = c1.changes
    assert (change.share, change.before, change.after) == (pytest.approx(0.5), "y", "x")
    assert sensitivity_sentence(c1, "x", NAMES) == (
        "Changing how much you care about Quality would not change the winner (x) unless it "
        "counts for less than 50% of the weight (now 50%)."
    )
    assert sensitivity_sentence(c2, "x", NAMES) == (
        "Changing how much you care about Price would not change the winner (x) unless it "
        "counts for more than 50% of the weight (now 50%)."
    )


def test_every_analysis_refuses_weights_that_are_all_zero():
    tpl = two_criteria()
    matrix = build_matrix(tpl, [A, B])
    zero = Options(weights={"c1": 0, "c2": 0})
    for analysis in (sensitivity, acceptability):
        with pytest.raises(ScoringError) as raised:
            analysis(tpl, matrix, zero)
        assert str(raised.value) == ZERO_WEIGHTS


def test_analyse_samples_ten_thousand_weightings_around_the_chosen_ones_by_default():
    tpl = two_criteria()
    matrix = build_matrix(tpl, [A, B])
    found = analyse(tpl, matrix).acceptability
    assert (found.samples, found.weights, found.seed) == (10_000, "around", 0)
    assert acceptability(tpl, matrix).samples == draws(tpl, matrix).samples == 10_000


def test_a_flip_reads_as_raising_or_lowering_one_criterion():
    assert flip_clause(Flip("c1", 0.5, 0.56, "b", "a"), NAMES) == (
        "raising Quality from 50% to 56% would put Alpha ahead of Beta"
    )
    assert flip_clause(Flip("x", 0.5, 0.44, "p", "q"), {}) == (
        "lowering x from 50% to 44% would put q ahead of p"
    )
    assert flip_clause(Flip("x", 0.5, 0.5, "p", "q"), {}).startswith("lowering x")


def test_under_exclude_two_vendors_cross_twice_where_a_quadratic_is_zero():
    # v0 leaves its unknown c1 out. Along G2's share t (G0 and G1 keep their 2:1):
    #   v0 = (1 + 11t) / (5 (2 + t)),  v1 = (4 + 23t) / 30,
    # equal where 23t² - 16t + 2 = 0: t = (8 ∓ 3√2) / 23, about 0.163 and 0.532.
    tpl = one_leaf_each((2, 1, 3))
    v0 = vendor("v0", c0=claim(1), c1=claim(None, "unknown"), c2=claim(8))
    v1 = vendor("v1", c0=claim(2), c1=claim(0), c2=claim(9))
    curves = sensitivity(tpl, build_matrix(tpl, [v0, v1]), Options(missing="exclude"))
    curve = next(c for c in curves if c.criterion == "g2")
    # The curves follow the same scores: at t = 0, v0 = 1/10 and v1 = 4/30; at t = 1, 8/10 and 9/10.
    ends = {v: (scores[0], scores[-1]) for v, scores in curve.scores.items()}
    assert ends == {"v0": pytest.approx((10, 80)), "v1": pytest.approx((40 / 3, 90))}
    assert [(c.share, c.before, c.after) for c in curve.changes] == [
        (pytest.approx((8 - 3 * np.sqrt(2)) / 23, abs=1e-12), "v1", "v0"),
        (pytest.approx((8 + 3 * np.sqrt(2)) / 23, abs=1e-12), "v0", "v1"),
    ]


LEVELS = st.one_of(st.none(), st.integers(0, 10))


@examples(40)
@given(
    levels=st.lists(st.lists(LEVELS, min_size=3, max_size=3), min_size=2, max_size=4),
    weights=st.lists(st.integers(0, 5), min_size=3, max_size=3).filter(any),
    missing=st.sampled_from(["worst", "neutral", "exclude"]),
)
def test_the_exact_leader_changes_match_a_fine_walk_along_each_weight(levels, weights, missing):
    """Under every missing-data policy (under 'exclude' a score is a ratio of two lines in the
    share, and vendors cross where a quadratic is zero), the leader between two exact changes is
    the one the scores give at that share, found by rescoring. A weight of 0 on the others
    shares the rest equally among them, as the Weights page does."""
    tpl = one_leaf_each(weights)
    vendors = [
        vendor(
            f"v{i}",
            **{
                f"c{j}": claim(x) if x is not None else claim(None, "unknown")
                for j, x in enumerate(row)
            },
        )
        for i, row in enumerate(levels)
    ]
    options = Options(missing=missing)
    matrix = build_matrix(tpl, vendors)
    base = {f"g{j}": float(w) for j, w in enumerate(weights)}
    for curve in sensitivity(tpl, matrix, options):
        cuts = [c.share for c in curve.changes]
        leaders = [c.before for c in curve.changes[:1]] + [c.after for c in curve.changes]
        tops = []
        for t in np.linspace(0.0, 1.0, 81)[1:-1]:
            if any(abs(t - c) < 1e-6 for c in cuts):
                continue
            shares = set_share(base, curve.criterion, 100 * t)
            rows = evaluate(tpl, matrix, replace(options, weights=shares)).rows
            best = max(r.score for r in rows)
            top = {r.vendor for r in rows if abs(r.score - best) < 1e-7}
            if leaders:
                expected = leaders[sum(t > c for c in cuts)]
                assert expected in top, (curve.criterion, t, cuts, leaders, top)
            tops.append(top)
        if not leaders:  # no change found: one vendor leads all the way
            assert set.intersection(*tops), (curve.criterion, tops)


def _leaf(measure):
    return template(leaf("x", measure)).leaves()[0]


def test_an_open_coverage_question_draws_the_options_a_gate_asks_for():
    # The measure requires "us"; the gate asks for "eu" as well. O leads wherever it passes the
    # gate, which half of its possible answers (those that cover eu) do.
    regions = {"type": "coverage", "options": ["us", "eu", "uk"], "required": ["us"]}
    tpl = template(
        {"id": "c1", "name": "C1", "weight": 1, "criteria": [leaf("r", regions)]},
        {"id": "c2", "name": "C2", "weight": 9, "criteria": [leaf("y", rating(0, 10))]},
        gates=[{"id": "g", "name": "G", "criterion": "r", "require": ["eu"]}],
        policies={"confidence": {"enabled": False}},
    )
    k = vendor("k", r=claim(["us", "eu"]), y=claim(0))
    found = acceptability(tpl, build_matrix(tpl, [vendor("o", y=claim(10)), k]), samples=4_000)
    assert found.ranks["o"][0] == pytest.approx(0.5, abs=0.03)


def test_the_answers_an_open_question_could_get():
    assert _possible(_leaf(rating(1, 5)), []) == [1, 2, 3, 4, 5]
    assert _possible(_leaf({"type": "boolean"}), []) == [False, True]
    coverage = {"type": "coverage", "options": ["a", "b", "c"], "required": ["a", "b", "c"]}
    subsets = _possible(_leaf(coverage), ["a", "b", "c"])
    assert sorted(map(tuple, subsets)) == sorted(
        [(), ("a",), ("b",), ("c",), ("a", "b"), ("a", "c"), ("b", "c"), ("a", "b", "c")]
    )
    many = [f"o{i}" for i in range(MAX_SUBSETS.bit_length())]  # 2**k > MAX_SUBSETS: sampled
    wide = {"type": "coverage", "options": many, "required": many}
    sampled = _possible(_leaf(wide), many)
    assert len(sampled) == MAX_SUBSETS and sampled == _possible(_leaf(wide), many)
    assert 0.4 < np.mean([len(s) for s in sampled]) / len(many) < 0.6  # each option half the time
    exact = many[:-1]  # 2**k == MAX_SUBSETS: every subset once
    assert (
        len(
            {
                tuple(s)
                for s in _possible(_leaf({**wide, "options": exact, "required": exact}), exact)
            }
        )
        == MAX_SUBSETS
    )
    steps = {
        "type": "number",
        "unit": "s",
        "direction": "lower",
        "value_function": {"type": "piecewise", "points": [[10, 1], [40, 0.5], [60, 0]]},
    }
    answers = _possible(_leaf(steps), [])
    assert (len(answers), answers[0], answers[-1]) == (
        NUMBER_ANSWERS,
        pytest.approx(10 + 25 / NUMBER_ANSWERS),
        pytest.approx(60 - 25 / NUMBER_ANSWERS),
    )
    assert _possible(_leaf(linear(120, 10)), [])[0] == pytest.approx(10 + 55 / NUMBER_ANSWERS)
