"""How much it would take to change the ranking: weight sensitivity, SMAA rank acceptability and
agreement between methods. Pure and vectorised; seeded where random.

Sensitivity and SMAA work on the weighted sum (the method), over the top-level criteria: a
criterion's sub-criteria keep their proportions while its share moves.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy.stats import kendalltau

from scorecard.model import CONFIDENCE_LEVELS, Template
from scorecard.scoring import (
    METHODS,
    Matrix,
    Options,
    evaluate,
    global_weights,
    resolve_weights,
)

#: Half-width of the spread added to a utility, by confidence level (verified and confirmed: none).
SPREAD = {"verified": 0.0, "confirmed": 0.0, "reported": 0.1, "claimed": 0.2, "unknown": 0.0}
EPS = 1e-12


# ---------------------------------------------------------------------------------------------
# The linear structure of the weighted sum
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Setup:
    """Utilities, known mask, leaf shares and groups, under the template's policies."""

    tops: list[str]
    group: np.ndarray  # leaf -> index of its top-level criterion
    leaf_share: np.ndarray  # each leaf's share of the total at the chosen weights
    within: np.ndarray  # each leaf's share within its top-level criterion
    top_share: np.ndarray  # each top-level criterion's share
    u: (
        np.ndarray
    )  # vendors x leaves, after the confidence and missing-data policies (NaN: excluded)
    passed: np.ndarray  # vendors: passes every enabled gate
    exclude: bool


def _setup(template: Template, matrix: Matrix, options: Options) -> _Setup:
    result = evaluate(template, matrix, options)
    shares = global_weights(template, resolve_weights(template, options))
    tops = [c.id for c in template.criteria]
    leaf_top = {leaf.id: i for i, top in enumerate(template.criteria) for leaf in top.walk()}
    group = np.array([leaf_top[leaf] for leaf in matrix.leaf_ids])
    leaf_share = np.array([shares[leaf] for leaf in matrix.leaf_ids])
    top_share = np.array([shares[t] for t in tops])
    with np.errstate(invalid="ignore", divide="ignore"):
        within = np.where(top_share[group] > 0, leaf_share / top_share[group], 0.0)
    # A group weighted 0 still has an internal split: use its own sub-weights.
    relative = resolve_weights(template, options)
    for g, top in enumerate(template.criteria):
        cols = group == g
        if top_share[g] == 0:
            inner = global_weights(template, {**relative, **{t: float(t == top.id) for t in tops}})
            within[cols] = [inner[leaf] for leaf in np.array(matrix.leaf_ids)[cols]]
    order = {row.vendor: row for row in result.rows}
    u = np.array(
        [
            [
                np.nan if order[v].utilities[leaf] is None else order[v].utilities[leaf]
                for leaf in matrix.leaf_ids
            ]
            for v in matrix.vendor_ids
        ]
    )
    passed = np.array([order[v].passed_gates for v in matrix.vendor_ids])
    return _Setup(
        tops,
        group,
        leaf_share,
        within,
        top_share,
        u.reshape(len(matrix.vendor_ids), -1),
        passed,
        result.missing == "exclude",
    )


def _scores(setup: _Setup, leaf_weights: np.ndarray) -> np.ndarray:
    """Weighted-sum scores (0-100) for weight vectors: (..., leaves) -> (..., vendors)."""
    known = ~np.isnan(setup.u)
    u = np.where(known, setup.u, 0.0)
    num = leaf_weights @ u.T
    den = (
        leaf_weights @ known.T.astype(float)
        if setup.exclude
        else leaf_weights.sum(axis=-1, keepdims=True)
    )
    return 100 * np.divide(num, den, out=np.zeros_like(num), where=den > EPS)


def _leaders(setup: _Setup, scores: np.ndarray) -> np.ndarray:
    """Index of the leading vendor per row: the best among those that pass every gate."""
    eligible = setup.passed if setup.passed.any() else np.ones_like(setup.passed)
    masked = np.where(eligible, np.round(scores, 9), -np.inf)
    return masked.argmax(axis=-1)


# ---------------------------------------------------------------------------------------------
# Weight sensitivity
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """At `share` of the total weight for `criterion`, the leader changes."""

    criterion: str
    share: float
    before: str
    after: str


@dataclass(frozen=True)
class Sensitivity:
    criterion: str
    current: float  # its share at the chosen weights
    shares: tuple[float, ...]  # the grid, 0..1
    scores: dict[str, tuple[float, ...]]  # vendor -> score along the grid
    changes: tuple[Change, ...]  # exact points where the leader changes, in order


def _weights_at(setup: _Setup, k: int, t: np.ndarray) -> np.ndarray:
    """Leaf weights when top-level criterion k has share t and the others keep their proportions."""
    t = np.asarray(t, dtype=float)[..., None]
    rest = 1.0 - setup.top_share[k]
    others = np.where(setup.group == k, 0.0, setup.leaf_share)
    others = (
        others / rest
        if rest > EPS
        else np.where(setup.group == k, 0.0, setup.within / max(len(setup.tops) - 1, 1))
    )
    mine = np.where(setup.group == k, setup.within, 0.0)
    return t * mine + (1 - t) * others


def _lines(setup: _Setup, k: int) -> tuple[np.ndarray, ...]:
    """Each vendor's score as criterion k's share t moves: (a + b t) / (c + d t), times 100."""
    w0, w1 = _weights_at(setup, k, np.array(0.0)), _weights_at(setup, k, np.array(1.0))
    known = ~np.isnan(setup.u)
    u = np.where(known, setup.u, 0.0)
    a, b = u @ w0, u @ (w1 - w0)
    if setup.exclude:
        c, d = known @ w0, known @ (w1 - w0)
    else:
        c, d = np.full_like(a, w0.sum()), np.full_like(a, (w1 - w0).sum())
    return a, b, c, d


def _leader_changes(setup: _Setup, k: int) -> list[tuple[float, int, int]]:
    """Where the leader changes as criterion k's share runs from 0 to 1: (share, before, after).

    Walks along the share: while a vendor leads, only a crossing with it can end its lead, and
    two vendors' scores are equal where (a_i + b_i t)(c_j + d_j t) = (a_j + b_j t)(c_i + d_i t),
    a quadratic in t. Each step costs one pass over the vendors, not over every pair."""
    a, b, c, d = _lines(setup, k)
    eligible = setup.passed if setup.passed.any() else np.ones_like(setup.passed)

    def leader(t: float) -> int:
        den = c + d * t
        scores = 100 * np.divide(a + b * t, den, out=np.zeros_like(a), where=den > EPS)
        return int(np.where(eligible, np.round(scores, 9), -np.inf).argmax())

    changes: list[tuple[float, int, int]] = []
    # Who leads just after a share: a step far below any share a person could set, and above
    # the shares at which a vendor's known weight (its denominator) is still zero.
    step = 1e-7
    t, now = 0.0, leader(step)
    while True:
        i = now
        q2 = b[i] * d - b * d[i]
        q1 = a[i] * d + b[i] * c - a * d[i] - b * c[i]
        q0 = a[i] * c - a * c[i]
        with np.errstate(invalid="ignore", divide="ignore"):
            disc = np.where(np.abs(q2) > EPS, q1**2 - 4 * q2 * q0, -1.0)
            root = np.sqrt(np.maximum(disc, 0.0))
            roots = np.concatenate(
                [
                    np.where(disc >= 0, (-q1 - root) / (2 * q2), np.nan),
                    np.where(disc >= 0, (-q1 + root) / (2 * q2), np.nan),
                    np.where((np.abs(q2) <= EPS) & (np.abs(q1) > EPS), -q0 / q1, np.nan),
                ]
            )
        roots = roots[np.tile(eligible, 3) & (roots > t + EPS) & (roots < 1 - EPS)]
        if not roots.size:
            return changes
        t = float(roots.min())
        after = leader(t + min(step, (1 - t) / 2))
        if after != now:
            changes.append((t, now, after))
            now = after


def sensitivity(
    template: Template, matrix: Matrix, options: Options | None = None, points: int = 101
) -> list[Sensitivity]:
    """For each top-level criterion: every vendor's weighted-sum score as its share runs from 0 to
    100% (the others rescaled in proportion), and the exact shares at which the leader changes."""
    setup = _setup(template, matrix, options or Options())
    grid = np.linspace(0.0, 1.0, points)
    out = []
    for k, top in enumerate(setup.tops):
        scores = _scores(setup, _weights_at(setup, k, grid))
        changes = tuple(
            Change(top, share, matrix.vendor_ids[before], matrix.vendor_ids[after])
            for share, before, after in _leader_changes(setup, k)
        )
        out.append(
            Sensitivity(
                top,
                float(setup.top_share[k]),
                tuple(grid.tolist()),
                {v: tuple(scores[:, i].tolist()) for i, v in enumerate(matrix.vendor_ids)},
                changes,
            )
        )
    return out


@dataclass(frozen=True)
class Flip:
    """Moving `criterion` from `current` to `share` of the weight makes `challenger` overtake
    `leader`."""

    criterion: str
    current: float
    share: float
    leader: str
    challenger: str


def smallest_flip(curves: Sequence[Sensitivity]) -> Flip | None:
    """The single smallest change of one criterion's share that changes the leader."""
    found = []
    for curve in curves:
        for change in curve.changes:
            up = change.share > curve.current  # the leader now is on the side of `current`
            leader, challenger = (
                (change.before, change.after) if up else (change.after, change.before)
            )
            found.append(Flip(curve.criterion, curve.current, change.share, leader, challenger))
    return min(
        found, key=lambda f: (round(abs(f.share - f.current), 12), f.criterion), default=None
    )


def flip_sentence(flip: Flip | None, names: dict[str, str]) -> str:
    """'Raise moderation from 15% to 23% and Runway overtakes Kling AI.'"""
    if flip is None:
        return "No change of a single criterion's weight changes the leader."
    verb = "Raise" if flip.share > flip.current else "Lower"
    return (
        f"{verb} {names.get(flip.criterion, flip.criterion)} from {flip.current:.0%} to "
        f"{flip.share:.0%} and {names.get(flip.challenger, flip.challenger)} overtakes "
        f"{names.get(flip.leader, flip.leader)}."
    )


# ---------------------------------------------------------------------------------------------
# SMAA: stochastic multicriteria acceptability analysis
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acceptability:
    vendors: tuple[str, ...]
    criteria: tuple[str, ...]  # top-level
    samples: int
    weights: Literal["uniform", "around"]
    seed: int
    ranks: dict[str, tuple[float, ...]]  # vendor -> probability of rank 1, 2, ...
    central_weights: dict[str, dict[str, float] | None]  # vendor -> mean weights where it wins
    confidence: dict[str, float | None]  # vendor -> P(first) at its central weights


def sample_weights(
    rng: np.random.Generator,
    n: int,
    current: np.ndarray,
    mode: Literal["uniform", "around"],
    concentration: float,
) -> np.ndarray:
    """n weight vectors on the simplex: uniform (Dirichlet(1, ..., 1), not normalised uniforms,
    which crowd the centre) or concentrated around the current weights (mean = current)."""
    if mode == "uniform":
        return rng.dirichlet(np.ones(len(current)), size=n)
    alpha = np.maximum(current * concentration, 1e-3)
    return rng.dirichlet(alpha, size=n)


@dataclass(frozen=True, eq=False)
class _Values:
    """The utility matrix split into what is fixed and what SMAA draws: only cells with a range or
    weaker evidence vary, so a score is a fixed matrix product plus a sum over those cells."""

    base: np.ndarray  # vendors x leaves: the lowest utilities (0 where excluded)
    known: np.ndarray  # vendors x leaves, float: 1 where a utility counts
    vendors: np.ndarray  # the cells that vary, grouped by vendor: their vendor...
    leaves: np.ndarray  # ...their leaf...
    span: np.ndarray  # ...and the width of their uniform draw (float32)
    owners: np.ndarray  # vendors that have varying cells, and where each one's block starts
    starts: np.ndarray


def _values(template: Template, matrix: Matrix, options: Options) -> _Values:
    policies = template.policies
    confidence = policies.confidence.enabled if options.confidence is None else options.confidence
    missing = options.missing or policies.missing
    factor = np.array(
        [policies.confidence.factor(lv) if confidence else 1.0 for lv in CONFIDENCE_LEVELS[:-1]]
        + [np.nan]
    )[matrix.level]
    spread = np.array([SPREAD[lv] for lv in CONFIDENCE_LEVELS])[matrix.level]
    low = np.clip(matrix.low - spread, 0, 1) * factor
    high = np.clip(matrix.high + spread, 0, 1) * factor
    known = ~np.isnan(low)
    fill = {"worst": 0.0, "neutral": 0.5}.get(missing)
    if fill is not None:
        low, high, known = (
            np.where(known, low, fill),
            np.where(known, high, fill),
            np.ones_like(known),
        )
    low, high = np.where(known, low, 0.0), np.where(known, high, 0.0)
    vendors, leaves = np.nonzero(high - low > 0)  # row-major: grouped by vendor
    owners, starts = np.unique(vendors, return_index=True)
    return _Values(
        low,
        known.astype(float),
        vendors,
        leaves,
        (high - low)[vendors, leaves].astype(np.float32),
        owners,
        starts,
    )


def _sampled_scores(
    rng: np.random.Generator, values: _Values, leaf_w: np.ndarray, exclude: bool
) -> np.ndarray:
    """Weighted-sum scores (0-1) for n weight vectors, each with its own draw of the values:
    Σ w·low (one matrix product) + Σ over varying cells of w · span · U(0, 1)."""
    num = leaf_w @ values.base.T
    if len(values.vendors):
        # Single precision for the draws: ample for acceptabilities, half the memory traffic.
        extra = rng.random((len(leaf_w), len(values.vendors)), dtype=np.float32)
        extra *= values.span
        extra *= leaf_w.astype(np.float32)[:, values.leaves]
        num[:, values.owners] += np.add.reduceat(extra, values.starts, axis=1)
    den = leaf_w @ values.known.T if exclude else leaf_w.sum(axis=1, keepdims=True)
    return np.divide(num, den, out=np.zeros_like(num), where=den > EPS)


def _rank_order(rng: np.random.Generator, scores: np.ndarray, passed: np.ndarray) -> np.ndarray:
    """Per sample, the vendors from first to last: those passing every gate first; exact ties
    broken at random (a jitter far below any score difference that matters)."""
    keys = scores + np.where(passed, 10.0, 0.0) + rng.random(scores.shape) * 1e-12
    return np.argsort(-keys, axis=1)


def acceptability(
    template: Template,
    matrix: Matrix,
    options: Options | None = None,
    samples: int = 10_000,
    weights: Literal["uniform", "around"] = "around",
    seed: int = 0,
    concentration: float = 30.0,
    batch: int = 25_000,
) -> Acceptability:
    """SMAA-2: each vendor's probability of each rank over plausible weights (sampled on the
    simplex of top-level criteria) and values (uniform within ranges, spread by weaker evidence);
    the central weights under which each vendor wins, and its confidence factor there."""
    options = options or Options()
    setup = _setup(template, matrix, options)
    values = _values(template, matrix, options)
    rng = np.random.default_rng(seed)
    v, t = len(matrix.vendor_ids), len(setup.tops)
    counts = np.zeros(v * v)
    central = np.zeros((v, t))
    done = 0
    while done < samples:  # batches bound the memory; nothing loops per sample
        n = min(batch, samples - done)
        w_top = sample_weights(rng, n, setup.top_share, weights, concentration)
        order = _rank_order(
            rng,
            _sampled_scores(rng, values, w_top[:, setup.group] * setup.within, setup.exclude),
            setup.passed,
        )
        counts += np.bincount((order * v + np.arange(v)).ravel(), minlength=v * v)
        for k in range(t):
            central[:, k] += np.bincount(order[:, 0], weights=w_top[:, k], minlength=v)
        done += n
    counts = counts.reshape(v, v)  # vendor x rank
    firsts = counts[:, 0]
    factors: dict[str, float | None] = {}
    for i, vid in enumerate(matrix.vendor_ids):
        factors[vid] = None
        if firsts[i]:
            leaf_w = (central[i] / firsts[i])[setup.group] * setup.within
            m = 2_000
            order = _rank_order(
                rng,
                _sampled_scores(rng, values, np.repeat(leaf_w[None], m, 0), setup.exclude),
                setup.passed,
            )
            factors[vid] = float((order[:, 0] == i).mean())
    return Acceptability(
        tuple(matrix.vendor_ids),
        tuple(setup.tops),
        samples,
        weights,
        seed,
        {vid: tuple((counts[i] / samples).tolist()) for i, vid in enumerate(matrix.vendor_ids)},
        {
            vid: dict(zip(setup.tops, (central[i] / firsts[i]).tolist(), strict=True))
            if firsts[i]
            else None
            for i, vid in enumerate(matrix.vendor_ids)
        },
        factors,
    )


# ---------------------------------------------------------------------------------------------
# Method agreement
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    ranks: dict[str, dict[str, int]]  # method -> vendor -> rank
    tau: dict[tuple[str, str], float]  # (method, method) -> Kendall's tau-b of the rankings


def agreement(template: Template, matrix: Matrix, options: Options | None = None) -> Agreement:
    """The ranking under the weighted sum, the weighted product and TOPSIS, and Kendall's tau-b
    between each pair (1: the same order, 0: unrelated, -1: reversed)."""
    options = options or Options()
    results = {m: evaluate(template, matrix, replace(options, method=m)) for m in METHODS}
    ranks = {m: {row.vendor: row.rank for row in r.rows} for m, r in results.items()}
    vendors = list(matrix.vendor_ids)
    tau = {}
    for a, b in itertools.combinations(METHODS, 2):
        x = [ranks[a][v] for v in vendors]
        y = [ranks[b][v] for v in vendors]
        value = kendalltau(x, y).statistic if len(vendors) > 1 else 1.0
        tau[(a, b)] = 1.0 if np.isnan(value) else float(value)
    return Agreement(ranks, tau)


@dataclass(frozen=True)
class Robustness:
    curves: tuple[Sensitivity, ...]
    flip: Flip | None
    acceptability: Acceptability
    agreement: Agreement


def analyse(
    template: Template,
    matrix: Matrix,
    options: Options | None = None,
    samples: int = 10_000,
    weights: Literal["uniform", "around"] = "around",
    seed: int = 0,
) -> Robustness:
    """Sensitivity, the smallest flip, SMAA and method agreement in one call."""
    curves = tuple(sensitivity(template, matrix, options))
    return Robustness(
        curves,
        smallest_flip(curves),
        acceptability(template, matrix, options, samples, weights, seed),
        agreement(template, matrix, options),
    )
