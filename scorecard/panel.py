"""Panel math: each evaluator's weights (pairwise comparison or swing), the group's weights, and
how far the panel agrees. Pure: the app, the store and the record call it, and the group's
weights go to the same `evaluate()` as anyone's.

Weights here are the shares of one level of the criteria tree (siblings), in a fixed order; an
evaluator weighs the template's top-level criteria."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal

import numpy as np
from pydantic import Field

from scorecard.model import (
    Claim,
    FrozenModel,
    Id,
    LongText,
    RatingMeasure,
    Remark,
    Source,
    Template,
)
from scorecard.scoring import Matrix, Options, VendorResult, evaluate

#: Saaty's fundamental scale: "a is x times as important as b", and its reciprocals.
SCALE = tuple(sorted({Fraction(x) for x in range(1, 10)} | {Fraction(1, x) for x in range(2, 10)}))
#: Saaty's random index: the mean consistency index of random reciprocal matrices of order n
#: (T. L. Saaty, The Analytic Hierarchy Process, McGraw-Hill, 1980).
RANDOM_INDEX = {3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
#: A consistency ratio above this asks the evaluator to revise a judgement (Saaty).
ACCEPTABLE = 0.1
#: Saaty's advice, and the random indices published: at most this many criteria are compared.
MOST = max(RANDOM_INDEX)

Aggregation = Literal["geometric", "arithmetic"]
#: How an evaluator gave their weights.
WeightMethod = Literal["sliders", "pairwise", "swing"]


class PanelError(ValueError):
    """Judgements, ratings or weights that cannot be used: says which and why."""


@dataclass(frozen=True)
class Fix:
    """The one judgement whose change lowers the consistency ratio most: a[i, j] from `now` to
    `better`, which gives the ratio `ratio`."""

    i: int
    j: int
    now: Fraction
    better: Fraction
    ratio: float


@dataclass(frozen=True)
class Pairwise:
    """Weights from a pairwise comparison matrix `a`: its principal eigenvector, summing to 1,
    with the principal eigenvalue, the consistency index and ratio, and for an inconsistent
    matrix (ratio above 0.1) the one judgement that would help most."""

    a: np.ndarray
    weights: np.ndarray
    lambda_max: float
    index: float
    ratio: float

    @functools.cached_property
    def fix(self) -> Fix | None:
        """Searched for only when asked: it solves one eigenproblem per judgement and value."""
        return _fix(self.a, self.ratio) if self.ratio > ACCEPTABLE else None


def judgement(value: Fraction | float | int) -> Fraction:
    """`value` as a point of Saaty's scale (1/9 .. 9), or PanelError."""
    x = Fraction(value).limit_denominator(9)
    if x not in SCALE or not math.isclose(float(x), float(value), rel_tol=1e-9):
        raise PanelError(f"{value} is not on the 1-9 scale (1/9, 1/8, ..., 1, 2, ..., 9)")
    return x


def matrix(n: int, judgements: Mapping[tuple[int, int], Fraction | float | int]) -> np.ndarray:
    """The reciprocal n x n matrix of `judgements` {(i, j): a_ij} for every pair i < j: how many
    times criterion i is as important as criterion j."""
    if not 2 <= n <= MOST:
        raise PanelError(f"pairwise comparison takes 2 to {MOST} criteria, not {n}")
    pairs = {(i, j) for i in range(n) for j in range(i + 1, n)}
    if set(judgements) != pairs:
        missing = sorted(pairs - set(judgements))
        extra = sorted(set(judgements) - pairs)
        raise PanelError(f"every pair i < j once: missing {missing}, not pairs {extra}")
    a = np.ones((n, n))
    for (i, j), value in judgements.items():
        a[i, j] = float(judgement(value))
        a[j, i] = 1 / a[i, j]
    return a


def pairwise(a: np.ndarray) -> Pairwise:
    """Saaty's eigenvector method: weights, λmax, CI = (λmax - n) / (n - 1) and CR = CI / RI."""
    weights, lam = _principal(a)
    index, ratio = _consistency(lam, len(a))
    return Pairwise(a, weights, lam, index, ratio)


def _principal(a: np.ndarray) -> tuple[np.ndarray, float]:
    """The Perron eigenvector of a positive matrix, summing to 1, and its eigenvalue."""
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    return w / w.sum(), float(values[k].real)


def _consistency(lam: float, n: int) -> tuple[float, float]:
    if n < 3:  # every 2 x 2 reciprocal matrix is consistent
        return 0.0, 0.0
    index = max(lam - n, 0.0) / (n - 1)
    return index, index / RANDOM_INDEX[n]


def _fix(a: np.ndarray, ratio: float) -> Fix | None:
    """Of every single change of one judgement to another point of the scale, the one that
    lowers the consistency ratio most; of equal ratios, the smallest change (None when no change
    lowers it). At most 45 pairs x 16 values for 10 criteria."""
    n = len(a)
    best: tuple[float, float, Fix] | None = None
    for i, j in itertools.combinations(range(n), 2):
        now = judgement(a[i, j])
        for better in SCALE:
            if better == now:
                continue
            b = a.copy()
            b[i, j], b[j, i] = float(better), 1 / float(better)
            after = _consistency(_principal(b)[1], n)[1]
            key = (round(after, 12), abs(math.log(better / now)))
            if best is None or key < best[:2]:
                best = (*key, Fix(i, j, now, better, after))
    return best[2] if best is not None and best[2].ratio < ratio else None


def swing(ratings: Sequence[float]) -> np.ndarray:
    """Swing weighting: the swing from worst to best of the criterion that matters most is rated
    100, each other swing 0 to 100 against it; the weights are the ratings over their sum."""
    r = np.asarray(ratings, dtype=float)
    if r.size < 2 or np.isnan(r).any() or r.min() < 0 or r.max() != 100:
        raise PanelError(
            "rate each swing 0 to 100, the one that matters most at 100 "
            f"(got {', '.join(f'{x:g}' for x in r)})"
        )
    return r / r.sum()


def group(weights: np.ndarray, how: Aggregation = "geometric") -> np.ndarray:
    """The panel's weights from each evaluator's (rows): the geometric mean of each criterion's
    weights, renormalised to sum to 1 (the standard aggregation of individual priorities: it
    keeps ratios, so a judgement and its reciprocal aggregate to reciprocals), or the arithmetic
    mean. Under the geometric mean one evaluator's zero makes the criterion zero."""
    w = _rows(weights)
    if how == "geometric":
        with np.errstate(divide="ignore"):
            mean = np.exp(np.log(w).mean(axis=0))
    else:
        mean = w.mean(axis=0)
    if mean.sum() == 0:
        raise PanelError(
            "the geometric mean is zero for every criterion: each has an evaluator who gave it "
            "no weight (hint: use the arithmetic mean)"
        )
    return mean / mean.sum()


def _rows(weights: np.ndarray) -> np.ndarray:
    """Each evaluator's weights (one row each, at least one row), normalised to sum to 1."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or len(w) == 0 or (w < 0).any() or (w.sum(axis=1) <= 0).any():
        raise PanelError("each evaluator's weights are non-negative and not all zero")
    return w / w.sum(axis=1, keepdims=True)


def kendall_w(ranks: np.ndarray) -> float:
    """Kendall's coefficient of concordance W of m evaluators' rankings of n items (rows are
    evaluators; tied items share their mean rank), corrected for ties: 0 is no agreement, 1 the
    same ranking from everyone."""
    r = np.asarray(ranks, dtype=float)
    m, n = r.shape
    if m < 2 or n < 2:
        raise PanelError("agreement needs two evaluators and two items")
    s = ((r.sum(axis=0) - m * (n + 1) / 2) ** 2).sum()
    ties = sum(t**3 - t for row in r for t in np.unique(row, return_counts=True)[1])
    denominator = m**2 * (n**3 - n) - m * ties
    return 1.0 if denominator == 0 else float(12 * s / denominator)


def consensus(weights: np.ndarray, top: int = 9) -> float:
    """Goepel's AHP consensus indicator S* (0 to 1) of the evaluators' weights (rows), from the
    Shannon entropy of each evaluator's weights (alpha) and of their mean (gamma): 1 when all
    give the same weights, 0 when they differ as much as the 1-`top` scale allows
    (K. D. Goepel, "Implementing the Analytic Hierarchy Process as a Standard Method for
    Multi-Criteria Decision Making in Corporate Enterprises", ISAHP 2013; AHP-OS)."""
    w = _rows(weights)
    n = w.shape[1]
    alpha = float(np.mean([_entropy(row) for row in w]))
    gamma = _entropy(w.mean(axis=0))
    beta = gamma - alpha
    # The least diverse weights the scale can give: one criterion `top` times every other.
    extreme = np.array([top] + [1] * (n - 1), dtype=float)
    floor = math.exp(_entropy(extreme / extreme.sum())) / n
    return (math.exp(-beta) - floor) / (1 - floor)


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def ranks(scores: Sequence[float]) -> np.ndarray:
    """Ranks of `scores`, 1 the highest; equal scores share their mean rank."""
    s = -np.asarray(scores, dtype=float)
    order = s.argsort(kind="stable")
    r = np.empty(len(s))
    r[order] = np.arange(1, len(s) + 1)
    for value in np.unique(s):
        tied = s == value
        r[tied] = r[tied].mean()
    return r


@dataclass(frozen=True)
class Agreement:
    """How far the panel agrees on one level's weights: each criterion's spread (the standard
    deviation of the evaluators' weights), the criterion where it is largest, and the evaluator
    furthest from the group (half the sum of absolute differences: the share of weight that
    evaluator would have to move to match the group)."""

    spread: np.ndarray
    widest: int
    distance: np.ndarray
    furthest: int


def agreement(weights: np.ndarray, group_weights: np.ndarray) -> Agreement:
    w = _rows(weights)
    spread = w.std(axis=0)
    distance = np.abs(w - group_weights).sum(axis=1) / 2
    return Agreement(spread, int(spread.argmax()), distance, int(distance.argmax()))


# ---------------------------------------------------------------------------------------------
# A panel's submissions and what they add up to
# ---------------------------------------------------------------------------------------------


class Rating(FrozenModel):
    """An evaluator's rating of one vendor on a panel-scored criterion: a level of its rubric,
    and what they saw."""

    level: int
    comment: Remark = ""


class Submission(FrozenModel):
    """One evaluator's weights of the top-level criteria (percentages summing to 100), and what
    they gave to get them: pairwise judgements (a, b, x: a is x times as important as b) with
    their consistency ratio, or swing ratings (0 to 100, the swing that matters most at 100).
    `scores` holds their ratings of the vendors on the template's panel-scored criteria
    (vendor id -> criterion id -> rating)."""

    evaluator: str
    method: WeightMethod
    weights: dict[Id, float]
    judgements: tuple[tuple[Id, Id, float], ...] = ()
    ratings: dict[Id, float] = Field(default_factory=dict)
    consistency: float | None = None
    scores: dict[Id, dict[Id, Rating]] = Field(default_factory=dict)


def submission(
    evaluator: str,
    criteria: Sequence[str],
    method: WeightMethod,
    *,
    sliders: Mapping[str, float] | None = None,
    judgements: Mapping[tuple[str, str], float] | None = None,
    ratings: Mapping[str, float] | None = None,
) -> Submission:
    """An evaluator's submission from their sliders (any non-negative numbers, not all 0),
    their pairwise judgements of every pair of `criteria`, or their swing ratings; PanelError
    when these cannot give weights."""
    index = {c: i for i, c in enumerate(criteria)}
    if method == "pairwise":
        given = dict(judgements or {})
        found = pairwise(
            matrix(len(criteria), {(index[x], index[y]): v for (x, y), v in given.items()})
        )
        return Submission(
            evaluator=evaluator,
            method=method,
            weights=_percent(criteria, found.weights),
            judgements=tuple((x, y, float(judgement(v))) for (x, y), v in given.items()),
            consistency=round(found.ratio, 4),
        )
    if method == "swing":
        given = {c: float((ratings or {}).get(c, 0.0)) for c in criteria}
        return Submission(
            evaluator=evaluator,
            method=method,
            weights=_percent(criteria, swing(list(given.values()))),
            ratings=given,
        )
    raw = np.array([float((sliders or {}).get(c, 0.0)) for c in criteria])
    return Submission(
        evaluator=evaluator, method=method, weights=_percent(criteria, _rows(raw[None])[0])
    )


def _percent(criteria: Sequence[str], shares: np.ndarray) -> dict[str, float]:
    return {c: round(float(x) * 100, 4) for c, x in zip(criteria, shares, strict=True)}


def panel_claims(
    template: Template, submissions: Sequence[Submission], today: dt.date
) -> dict[tuple[str, str], Claim]:
    """The panel's value of each vendor on each panel-scored criterion someone rated: the
    median of the ratings (or their mean, as the template's `panel_scores` policy says), as
    verified evidence from the buyer, every rating kept as its own source. Ratings outside the
    criterion's scale raise PanelError."""
    how = template.policies.panel_scores
    leaves = {c.id: c for c in template.leaves() if c.panel_scored}
    given: dict[tuple[str, str], list[tuple[str, Rating]]] = {}
    for s in submissions:
        for vendor, rated in s.scores.items():
            for criterion, rating in rated.items():
                leaf = leaves.get(criterion)
                if leaf is None:
                    raise PanelError(f"{criterion!r} is not a panel-scored criterion here")
                measure = leaf.measure
                assert isinstance(measure, RatingMeasure)
                low, high = measure.scale
                if not low <= rating.level <= high:
                    raise PanelError(
                        f"{s.evaluator} rated {vendor} {rating.level} on {leaf.name}: the scale "
                        f"is {low} to {high}"
                    )
                given.setdefault((vendor, criterion), []).append((s.evaluator, rating))
    out = {}
    for (vendor, criterion), found in sorted(given.items()):
        levels = [r.level for _, r in found]
        value = float(np.median(levels) if how == "median" else np.mean(levels))
        shown = ", ".join(f"{who} {r.level}" for who, r in found)
        out[(vendor, criterion)] = Claim(
            value=round(value, 4),
            confidence="verified",
            sources=tuple(
                Source(
                    title=f"Rating by {who}" + (f": {r.comment}" if r.comment else ""),
                    publisher=who,
                    kind="buyer",
                    date=today.isoformat(),
                )
                for who, r in found
            ),
            as_of=today.isoformat(),
            note=f"The panel's {how} of {len(found)} rating(s): {shown}.",
        )
    return out


class Decision(FrozenModel):
    """The vendor a panel chose, why, who recorded it and when."""

    vendor: Id
    rationale: LongText
    by: str
    at: str


class Signature(FrozenModel):
    """An approver's sign-off of a revision's decision, or their refusal with the reason."""

    name: str
    role: str
    vendor: Id
    verdict: Literal["signed", "declined"]
    comment: Remark = ""
    at: str
    revision: int


@dataclass(frozen=True)
class Review:
    """What a panel's submissions add up to: the group's weights (percentages), each
    evaluator's ranking of the vendors and the group's (vendor ids, best first), and how far
    they agree: Kendall's W over the rankings, Goepel's consensus over the pairwise
    submissions (None with fewer than two of either), and per criterion the spread of the
    weights, the widest, and the evaluator furthest from the group."""

    criteria: tuple[str, ...]
    evaluators: tuple[str, ...]
    weights: np.ndarray  # evaluators x criteria, shares of 1
    aggregation: Aggregation
    group: dict[str, float]
    rankings: dict[str, tuple[str, ...]]
    group_ranking: tuple[str, ...]
    kendall_w: float | None
    consensus: float | None
    agreement: Agreement


def review(
    template: Template,
    built: Matrix,
    options: Options,
    submissions: Sequence[Submission],
    how: Aggregation = "geometric",
) -> Review:
    """The panel's review of `submissions` (at least one) on the session's data and policies:
    each evaluator's weights scored as the session scores its own."""
    criteria = tuple(c.id for c in template.criteria)
    w = _rows(np.array([[s.weights.get(c, 0.0) for c in criteria] for s in submissions]))
    shares = group(w, how)
    rankings: dict[str, tuple[str, ...]] = {}
    scores = []
    for s in submissions:
        result = evaluate(template, built, _with(options, criteria, w[len(scores)]))
        rankings[s.evaluator] = tuple(r.vendor for r in result.rows)
        # Those passing every gate rank above those that do not, as in the ranking.
        scores.append([_key(result.row(v)) for v in built.vendor_ids])
    ranked = evaluate(template, built, _with(options, criteria, shares))
    ahp = [i for i, s in enumerate(submissions) if s.method == "pairwise"]
    return Review(
        criteria,
        tuple(s.evaluator for s in submissions),
        w,
        how,
        _percent(criteria, shares),
        rankings,
        tuple(r.vendor for r in ranked.rows),
        kendall_w(np.array([ranks(x) for x in scores])) if len(scores) > 1 else None,
        consensus(w[ahp]) if len(ahp) > 1 else None,
        agreement(w, shares),
    )


def _with(options: Options, criteria: Sequence[str], shares: np.ndarray) -> Options:
    return replace(options, weights={**options.weights, **_percent(criteria, shares)})


def _key(row: VendorResult) -> float:
    return row.score + (1000.0 if row.passed_gates else 0.0)


class PanelRecord(FrozenModel):
    """A panel in the decision record: each submission, how they were combined, how far they
    agree, the decision and its signatures, and the revision signed."""

    revision: int
    aggregation: Aggregation
    submissions: tuple[Submission, ...]
    group: dict[Id, float]
    rankings: dict[str, tuple[Id, ...]]
    group_ranking: tuple[Id, ...]
    kendall_w: float | None
    consensus: float | None
    decision: Decision | None = None
    signatures: tuple[Signature, ...] = ()


def panel_record(
    found: Review,
    submissions: Sequence[Submission],
    revision: int,
    decision: Decision | None,
    signatures: Sequence[Signature],
) -> PanelRecord:
    """The record of a reviewed panel, with the signatures of this revision's decision."""
    return PanelRecord(
        revision=revision,
        aggregation=found.aggregation,
        submissions=tuple(submissions),
        group=found.group,
        rankings=found.rankings,
        group_ranking=found.group_ranking,
        kendall_w=None if found.kendall_w is None else round(found.kendall_w, 4),
        consensus=None if found.consensus is None else round(found.consensus, 4),
        decision=decision,
        signatures=tuple(
            s
            for s in signatures
            if decision is not None and s.revision == revision and s.vendor == decision.vendor
        ),
    )
