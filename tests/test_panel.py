"""Panel math against published examples: Saaty's eigenvector weights, the geometric mean of a
group's judgements, Kendall's W; and the properties each must keep."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from fractions import Fraction

import numpy as np
import pytest
from conftest import ROOT, examples
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import friedmanchisquare

from scorecard.loading import load_template
from scorecard.model import Criterion, Template, check_claims
from scorecard.panel import (
    PanelError,
    Rating,
    Submission,
    agreement,
    consensus,
    group,
    judgement,
    kendall_w,
    matrix,
    pairwise,
    panel_claims,
    ranks,
    review,
    submission,
    swing,
)
from scorecard.scoring import Options, evaluate

F = Fraction
TEMPLATE = load_template(ROOT / "criteria" / "ai-video-enterprise.yaml")


def _upper(a):
    return {(i, j): F(a[i][j]) for i, j in itertools.combinations(range(len(a)), 2)}


def test_saatys_drinks_example_gives_his_published_weights():
    # "Which drink is consumed more in the US?", T. L. Saaty, Decision making with the analytic
    # hierarchy process, Int. J. Services Sciences 1(1), 2008, table 2: the judgements, and the
    # derived scale .177 .019 .042 .116 .190 .129 .327 (coffee, wine, tea, beer, sodas, milk,
    # water).
    judgements = {
        (0, 1): 9, (0, 2): 5, (0, 3): 2, (0, 4): 1, (0, 5): 1, (0, 6): F(1, 2),
        (1, 2): F(1, 3), (1, 3): F(1, 9), (1, 4): F(1, 9), (1, 5): F(1, 9), (1, 6): F(1, 9),
        (2, 3): F(1, 3), (2, 4): F(1, 4), (2, 5): F(1, 3), (2, 6): F(1, 9),
        (3, 4): F(1, 2), (3, 5): 1, (3, 6): F(1, 3),
        (4, 5): 2, (4, 6): F(1, 2),
        (5, 6): F(1, 3),
    }  # fmt: skip
    got = pairwise(matrix(7, judgements))
    assert np.round(got.weights, 3).tolist() == [0.177, 0.019, 0.042, 0.116, 0.19, 0.129, 0.327]
    # λmax 7.177: CI 0.029, CR 0.022 with Saaty's random index 1.32 for n = 7; consistent enough.
    assert (round(got.lambda_max, 3), round(got.index, 3), round(got.ratio, 3)) == (
        7.177,
        0.029,
        0.022,
    )
    assert got.fix is None


def test_a_consistent_matrix_gives_back_its_weights_and_ratio_zero():
    w = np.array([8, 4, 2, 1]) / 15
    a = [[w[i] / w[j] for j in range(4)] for i in range(4)]
    got = pairwise(matrix(4, _upper(a)))
    assert np.allclose(got.weights, w)
    assert got.lambda_max == pytest.approx(4)
    assert (got.index, got.ratio, got.fix) == (pytest.approx(0, abs=1e-12),) * 2 + (None,)


def test_the_fix_offered_is_the_one_reversed_judgement():
    # Each criterion twice the next (a 2 b 2 c 2 d) and the judgements between agree, but for a
    # against d, given as 1/8 where the others imply 8: that is the judgement to change, and
    # changing it back makes the matrix consistent again.
    judgements = {(0, 1): 2, (0, 2): 4, (0, 3): F(1, 8), (1, 2): 2, (1, 3): 4, (2, 3): 2}
    got = pairwise(matrix(4, judgements))
    assert got.ratio > 0.1
    assert (got.fix.i, got.fix.j, got.fix.now, got.fix.better) == (0, 3, F(1, 8), 8)
    assert got.fix.ratio == pytest.approx(0, abs=1e-9)
    # In a cycle of three, any one of the judgements can restore consistency: the first is named.
    cycle = pairwise(matrix(3, {(0, 1): 2, (0, 2): F(1, 4), (1, 2): 2}))
    assert (cycle.fix.i, cycle.fix.j, cycle.fix.better) == (0, 1, F(1, 8))


@examples(200)
@given(
    st.integers(3, 7).flatmap(
        lambda n: st.lists(
            st.sampled_from([F(x) for x in range(1, 10)] + [F(1, x) for x in range(2, 10)]),
            min_size=n * (n - 1) // 2,
            max_size=n * (n - 1) // 2,
        ).map(lambda xs: (n, xs))
    )
)
def test_the_fix_lowers_the_ratio_and_no_single_change_lowers_it_more(case):
    n, values = case
    judgements = dict(zip(itertools.combinations(range(n), 2), values, strict=True))
    got = pairwise(matrix(n, judgements))
    assert got.weights.sum() == pytest.approx(1) and (got.weights > 0).all()
    assert got.ratio >= 0
    if got.fix is None:
        return
    assert got.fix.ratio < got.ratio
    assert got.fix.better != got.fix.now
    changed = pairwise(matrix(n, {**judgements, (got.fix.i, got.fix.j): got.fix.better}))
    assert changed.ratio == pytest.approx(got.fix.ratio)


def test_two_criteria_are_always_consistent():
    got = pairwise(matrix(2, {(0, 1): 3}))
    assert got.weights.tolist() == pytest.approx([0.75, 0.25])
    assert (got.index, got.ratio, got.fix) == (0.0, 0.0, None)


@pytest.mark.parametrize(
    ("n", "judgements", "message"),
    [
        (3, {(0, 1): 2, (1, 2): 2}, "every pair i < j once: missing [(0, 2)], not pairs []"),
        (2, {(0, 1): 2, (1, 0): 2}, "every pair i < j once: missing [], not pairs [(1, 0)]"),
        (2, {(0, 1): 10}, "10 is not on the 1-9 scale"),
        (2, {(0, 1): 2.5}, "2.5 is not on the 1-9 scale"),
        (2, {(0, 1): 0}, "0 is not on the 1-9 scale"),
        (1, {}, "pairwise comparison takes 2 to 10 criteria, not 1"),
        (11, {}, "pairwise comparison takes 2 to 10 criteria, not 11"),
    ],
)
def test_judgements_that_cannot_be_used_say_why(n, judgements, message):
    with pytest.raises(PanelError, match=re.escape(message)):
        matrix(n, judgements)


def test_a_judgement_is_a_point_of_the_scale():
    assert judgement(1 / 3) == F(1, 3)
    assert judgement(9) == 9
    with pytest.raises(PanelError):
        judgement(0.3)


def test_swing_weights_are_the_ratings_over_their_sum():
    assert swing([100, 50, 50]).tolist() == [0.5, 0.25, 0.25]
    assert swing([20, 100, 0]).tolist() == pytest.approx([1 / 6, 5 / 6, 0])
    for bad in ([90, 50], [100, -1], [100], [100, 120], [100, float("nan")]):
        with pytest.raises(PanelError, match="the one that matters most at 100"):
            swing(bad)


def test_the_group_of_three_judgements_2_3_4_is_their_geometric_mean():
    # Three people judge an apple 2, 3 and 4 times as large as an orange; the group judgement is
    # the cube root of 24, and the group's judgement of the orange against the apple is its
    # reciprocal, which the arithmetic mean (3, against 13/36) does not keep (E. Forman, "Combining
    # group members' judgments", Decision Lens blog, June 2007; J. Aczél and T. L. Saaty,
    # "Procedures for synthesizing ratio judgements", J. Math. Psychology 27, 1983).
    weights = np.array([[2 / 3, 1 / 3], [3 / 4, 1 / 4], [4 / 5, 1 / 5]])
    together = group(weights)
    assert together[0] / together[1] == pytest.approx(24 ** (1 / 3))
    reversed_ = group(weights[:, ::-1])
    assert reversed_[0] / reversed_[1] == pytest.approx(1 / 24 ** (1 / 3))
    mean = group(weights, "arithmetic")
    assert mean.tolist() == pytest.approx(
        [(2 / 3 + 3 / 4 + 4 / 5) / 3, (1 / 3 + 1 / 4 + 1 / 5) / 3]
    )


def test_the_geometric_group_of_one_evaluator_is_theirs_and_rows_are_normalised():
    assert group(np.array([[2.0, 1.0, 1.0]])).tolist() == pytest.approx([0.5, 0.25, 0.25])
    assert group(np.array([[0.5, 0.5], [1, 1]])).tolist() == pytest.approx([0.5, 0.5])
    # One evaluator's zero is the group's zero under the geometric mean, not the arithmetic.
    assert group(np.array([[0.0, 1.0], [0.5, 0.5]])).tolist() == [0.0, 1.0]
    assert group(np.array([[0.0, 1.0], [0.5, 0.5]]), "arithmetic").tolist() == [0.25, 0.75]
    with pytest.raises(PanelError, match="use the arithmetic mean"):
        group(np.array([[0.0, 1.0], [1.0, 0.0]]))
    for bad in ([[0.0, 0.0]], [[-1.0, 2.0]], [1.0, 2.0], np.zeros((0, 2))):
        with pytest.raises(PanelError, match="non-negative and not all zero"):
            group(np.array(bad))


def test_kendalls_w_of_four_raters_ranking_eight_farms_is_0_744():
    # Strawberries from eight farms ranked by four raters (influentialpoints.com, "Kendall
    # coefficient of concordance", worked example I): S = 500, W = 0.744.
    raters = [
        [8, 4, 2, 3, 5, 1, 6, 7],
        [7, 3, 1, 4, 5, 2, 6, 8],
        [8, 2, 5, 6, 7, 1, 4, 3],
        [8, 3, 4, 2, 5, 1, 6, 7],
    ]
    assert kendall_w(np.array(raters)) == pytest.approx(500 / (504 * 16 / 12))
    assert round(kendall_w(np.array(raters)), 3) == 0.744


def test_kendalls_w_of_four_judges_and_three_competitors_is_one_sixteenth():
    # ProofWiki, "Kendall's Coefficient of Concordance/Examples/Arbitrary Example 1".
    judges = [[1, 3, 2], [1, 2, 3], [2, 3, 1], [3, 1, 2]]
    assert kendall_w(np.array(judges)) == pytest.approx(1 / 16)


def test_kendalls_w_with_ties_is_friedmans_chi_square_over_m_n_minus_1():
    r = np.array([[1, 2.5, 2.5, 4], [1, 2, 3, 4], [2, 1, 3.5, 3.5], [1.5, 1.5, 3, 4]])
    m, n = r.shape
    chi2 = friedmanchisquare(*r.T).statistic
    assert kendall_w(r) == pytest.approx(chi2 / (m * (n - 1)))
    assert kendall_w(np.array([[1, 2, 3], [1, 2, 3]])) == 1.0
    assert kendall_w(np.array([[1, 2, 3], [3, 2, 1]])) == 0.0
    assert kendall_w(np.array([[1.5, 1.5], [1.5, 1.5]])) == 1.0  # all tied: nothing to disagree on
    for bad in ([[1, 2]], [[1], [1]]):
        with pytest.raises(PanelError, match="two evaluators and two items"):
            kendall_w(np.array(bad))


def test_ranks_put_the_highest_first_and_share_ties():
    assert ranks([0.2, 0.9, 0.5]).tolist() == [3, 1, 2]
    assert ranks([0.5, 0.9, 0.5, 0.1]).tolist() == [2.5, 1, 2.5, 4]


def test_consensus_is_1_for_one_mind_and_0_for_opposite_extremes():
    w = np.array([0.5, 0.3, 0.2])
    assert consensus(np.array([w, w, w])) == pytest.approx(1)
    # Each of three evaluators puts one criterion 9 times above each other, each a different one:
    # as far apart as the 1-9 scale allows.
    extreme = np.array([[9, 1, 1], [1, 9, 1], [1, 1, 9]]) / 11
    assert consensus(extreme) == pytest.approx(0, abs=1e-12)
    some = consensus(np.array([[0.5, 0.3, 0.2], [0.3, 0.5, 0.2]]))
    more = consensus(np.array([[0.5, 0.3, 0.2], [0.45, 0.35, 0.2]]))
    assert 0 < some < more < 1


def test_agreement_names_the_widest_criterion_and_the_furthest_evaluator():
    w = np.array([[0.5, 0.3, 0.2], [0.5, 0.25, 0.25], [0.1, 0.45, 0.45]])
    together = group(w)
    got = agreement(w, together)
    assert got.widest == 0  # 0.5, 0.5, 0.1: the largest spread
    assert got.furthest == 2
    assert got.spread.tolist() == pytest.approx(w.std(axis=0).tolist())
    assert got.distance[2] == pytest.approx(np.abs(w[2] - together).sum() / 2)


def _panel_setup():
    from conftest import claim, linear, rating, template, vendor

    from scorecard.scoring import build_matrix

    t = template(
        {"id": "speed", "name": "Speed", "weight": 1, "measure": linear(300, 30)},
        {"id": "rights", "name": "Rights", "weight": 1, "measure": rating()},
        {"id": "support", "name": "Support", "weight": 1, "measure": rating()},
    )
    vendors = [
        vendor("fast", speed=claim(30), rights=claim(0), support=claim(2)),
        vendor("safe", speed=claim(300), rights=claim(4), support=claim(2)),
        vendor("kind", speed=claim(165), rights=claim(2), support=claim(4)),
    ]
    return t, build_matrix(t, vendors), Options()


def test_a_panel_review_ranks_by_each_evaluators_weights_and_by_the_groups():
    t, built, options = _panel_setup()
    ids = ["speed", "rights", "support"]
    speedy = submission("Ana", ids, "sliders", sliders={"speed": 100, "rights": 0, "support": 0})
    careful = submission("Ben", ids, "swing", ratings={"speed": 0, "rights": 100, "support": 0})
    both = submission(
        "Cai", ids, "pairwise",
        judgements={("speed", "rights"): 3, ("speed", "support"): 3, ("rights", "support"): 1},
    )  # fmt: skip
    assert both.weights == pytest.approx({"speed": 60, "rights": 20, "support": 20})
    assert both.consistency == 0 and both.judgements[0] == ("speed", "rights", 3.0)
    found = review(t, built, options, [speedy, careful, both], "arithmetic")
    # Utilities: fast (1, 0, .5), safe (0, 1, .5), kind (.5, .5, 1).
    assert found.rankings == {
        "Ana": ("fast", "kind", "safe"),
        "Ben": ("safe", "kind", "fast"),
        "Cai": ("fast", "kind", "safe"),  # .7, .6, .3
    }
    # The arithmetic mean of (100, 0, 0), (0, 100, 0) and (60, 20, 20).
    assert list(found.group.values()) == pytest.approx([160 / 3, 40, 20 / 3], abs=1e-4)
    assert found.group_ranking == tuple(
        r.vendor for r in evaluate(t, built, Options(weights=found.group)).rows
    )
    # Ranks (fast, safe, kind): (1, 3, 2) twice and (3, 1, 2): S = 1 + 1 + 0, W = 12 S / 216.
    assert found.kendall_w == pytest.approx(1 / 9)
    assert found.consensus is None  # one pairwise submission: nothing to agree with
    assert found.criteria[found.agreement.widest] == "rights"  # (0, 1, .2): spread .43
    assert found.evaluators[found.agreement.furthest] == "Ben"
    geometric = review(t, built, options, [both, both], "geometric")
    assert geometric.kendall_w == 1.0 and geometric.consensus == pytest.approx(1.0)
    assert geometric.group == pytest.approx(both.weights)


def test_a_submission_that_cannot_give_weights_says_why():
    ids = ["speed", "rights", "support"]
    with pytest.raises(PanelError, match="not all zero"):
        submission("Ana", ids, "sliders", sliders={})
    with pytest.raises(PanelError, match="the one that matters most at 100"):
        submission("Ana", ids, "swing", ratings={"speed": 50})
    with pytest.raises(PanelError, match="every pair i < j once"):
        submission("Ana", ids, "pairwise", judgements={("speed", "rights"): 3})


def _rated_template():
    """The shipped template with `content_policy` left to the buyers' panel."""
    data = TEMPLATE.model_dump()
    for top in data["criteria"]:
        for leaf in top["criteria"]:
            if leaf["id"] == "content_policy":
                leaf["panel_scored"] = True
    return Template.model_validate(data)


def test_the_panels_value_is_the_median_of_its_ratings_kept_as_verified_buyer_evidence():
    t = _rated_template()
    today = dt.date(2026, 11, 27)

    def rated(who, level, comment=""):
        return Submission(
            evaluator=who, method="sliders", weights={"reliability": 100.0},
            scores={"runway": {"content_policy": Rating(level=level, comment=comment)}},
        )  # fmt: skip

    blocked = "moderation blocked our test prompts"
    panel = [rated("Ana", 1), rated("Ben", 3, blocked), rated("Cai", 2)]
    claims = panel_claims(t, panel, today)
    claim = claims[("runway", "content_policy")]
    assert (claim.value, claim.confidence) == (2.0, "verified")
    assert [s.title for s in claim.sources] == [
        "Rating by Ana", f"Rating by Ben: {blocked}", "Rating by Cai",
    ]  # fmt: skip
    assert {s.kind for s in claim.sources} == {"buyer"} and claim.note == (
        "The panel's median of 3 rating(s): Ana 1, Ben 3, Cai 2."
    )
    # Two ratings: the median falls between levels, and a panel-scored criterion takes it.
    two = panel_claims(t, panel[:2], today)[("runway", "content_policy")]
    assert two.value == 2.0
    mean = t.model_copy(update={"policies": t.policies.model_copy(update={"panel_scores": "mean"})})
    assert panel_claims(mean, [*panel[:2], rated("Dee", 3)], today)[
        ("runway", "content_policy")
    ].value == pytest.approx(7 / 3, abs=1e-4)
    assert check_claims({"content_policy": two.model_copy(update={"value": 2.5})}, [t]) == []
    [problem] = check_claims({"content_policy": two.model_copy(update={"value": 2.5})}, [TEMPLATE])
    assert "rating 2.5 is not a whole level in 0..3" in problem.message
    with pytest.raises(PanelError, match="Ana rated runway 7 on Content policy: the scale is 0 to"):
        panel_claims(t, [rated("Ana", 7)], today)
    other = Submission(
        evaluator="Ana", method="sliders", weights={"reliability": 100.0},
        scores={"runway": {"c2pa": Rating(level=1)}},
    )  # fmt: skip
    with pytest.raises(PanelError, match="'c2pa' is not a panel-scored criterion here"):
        panel_claims(t, [other], today)


def test_only_a_rating_can_be_panel_scored_and_the_vendor_is_not_asked_about_it():
    from conftest import linear

    from scorecard.evidence import gaps
    from scorecard.loading import load_vendors

    with pytest.raises(ValueError, match="panel_scored needs a rating measure"):
        Criterion(id="speed", name="Speed", measure=linear(300, 30), panel_scored=True)
    t = _rated_template()
    vendors = load_vendors([ROOT / "vendors"], t)
    asked = {g.criterion for found in gaps(t, vendors).values() for g in found}
    assert "content_policy" not in asked
    asked = {g.criterion for found in gaps(TEMPLATE, vendors).values() for g in found}
    assert "content_policy" in asked
