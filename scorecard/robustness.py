"""How much it would take to change the ranking: weight sensitivity, SMAA rank acceptability and
agreement between methods. Pure and vectorised; seeded where random.

Sensitivity and SMAA work on the weighted sum (the method), over the top-level criteria: a
criterion's sub-criteria keep their proportions while its share moves.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from scorecard.model import (
    CONFIDENCE_LEVELS,
    BooleanMeasure,
    Claim,
    CoverageMeasure,
    Criterion,
    Linear,
    Logarithmic,
    NumberMeasure,
    RatingMeasure,
    Template,
)
from scorecard.scoring import (
    METHOD_NAMES,
    METHODS,
    OPEN,
    PASS,
    ZERO_WEIGHTS,
    Matrix,
    Options,
    ScoringError,
    apply_policies,
    check_gate,
    evaluate,
    fill_missing,
    gates_enabled,
    gates_failed,
    global_weights,
    resolve_weights,
    utility,
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
    u: np.ndarray  # vendors x leaves, after the evidence and missing-data policies (NaN: excluded)
    passed: np.ndarray  # vendors: passes every enabled gate
    exclude: bool


def _setup(template: Template, matrix: Matrix, options: Options) -> _Setup:
    relative = resolve_weights(template, options)
    shares = global_weights(template, relative)
    if sum(shares[leaf] for leaf in matrix.leaf_ids) <= 0:
        raise ScoringError(ZERO_WEIGHTS)
    applied = apply_policies(template, matrix, options)
    failed = gates_failed(applied, gates_enabled(template, matrix, options))
    tops = [c.id for c in template.criteria]
    leaf_top = {leaf.id: i for i, top in enumerate(template.criteria) for leaf in top.walk()}
    group = np.array([leaf_top[leaf] for leaf in matrix.leaf_ids])
    leaf_share = np.array([shares[leaf] for leaf in matrix.leaf_ids])
    top_share = np.array([shares[t] for t in tops])
    # Each leaf's share within its top-level criterion, from the sub-weights alone (every top
    # weighted alike), so that it is the same to the last bit whatever the top-level weights; a
    # group weighted 0 keeps its internal split.
    alike = dict.fromkeys(tops, 1.0)  # pragma: no mutate (scale)
    inner = global_weights(template, {**relative, **alike})
    within = np.array([inner[leaf] * len(tops) for leaf in matrix.leaf_ids])
    return _Setup(
        tops,
        group,
        leaf_share,
        within,
        top_share,
        fill_missing(matrix.mid * applied.credit, applied.missing),
        ~failed.any(axis=1),
        applied.missing == "exclude",
    )


def _scores(setup: _Setup, leaf_weights: np.ndarray) -> np.ndarray:
    """Weighted-sum scores (0-100) for weight vectors: (..., leaves) -> (..., vendors)."""
    known = ~np.isnan(setup.u)
    u = np.where(known, setup.u, 0.0)
    num = leaf_weights @ u.T
    den = (
        leaf_weights @ known.T.astype(float)  # pragma: no mutate (dtype)
        if setup.exclude
        else leaf_weights.sum(axis=-1, keepdims=True)  # pragma: no mutate (axis)
    )
    return 100 * np.divide(num, den, out=np.zeros_like(num), where=den > EPS)


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
    t = np.asarray(t, dtype=float)[..., None]  # pragma: no mutate (dtype)
    rest = 1.0 - setup.top_share[k]
    others = np.where(setup.group == k, 0.0, setup.leaf_share)
    others = (
        others / rest
        if rest > EPS  # pragma: no mutate (tolerance)
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
        c, d = np.ones_like(a), np.zeros_like(a)  # the weights sum to 1 at every share
    return a, b, c, d


def _leader_changes(setup: _Setup, k: int) -> list[tuple[float, int, int]]:
    """Where the leader changes as criterion k's share runs from 0 to 1: (share, before, after).

    Walks along the share: while a vendor leads, only a crossing with it can end its lead, and
    two vendors' scores are equal where (a_i + b_i t)(c_j + d_j t) = (a_j + b_j t)(c_i + d_i t),
    a quadratic in t. Each step costs one pass over the vendors, not over every pair.

    Of the two roots, only (-q1 - sqrt(disc)) / (2 q2) can end a lead: q2 t² + q1 t + q0 is the
    leader's score minus the other's (times both denominators), positive just after t. With q2 > 0
    it is positive outside the roots, so t lies before the smaller root, which is that one; with
    q2 < 0 it is positive between them, and the lead ends at the larger root, again that one."""
    a, b, c, d = _lines(setup, k)
    eligible = setup.passed if setup.passed.any() else np.ones_like(setup.passed)

    def leader(t: float) -> int:
        den = c + d * t
        # pragma: no mutate start (scale, tolerance and rounding: who leads is the same)
        scores = 100 * np.divide(a + b * t, den, out=np.zeros_like(a), where=den > EPS)
        return int(np.where(eligible, np.round(scores, 9), -np.inf).argmax())
        # pragma: no mutate end

    changes: list[tuple[float, int, int]] = []
    # Who leads just after a share: a step far below any share a person could set, and above
    # the shares at which a vendor's known weight (its denominator) is still zero.
    step = 1e-7
    t, now = 0.0, leader(step)
    # Each step ends at a crossing after the last one, and two vendors cross at most twice: the
    # walk takes at most n(n - 1) + 1 steps, whatever rounding does.
    for _ in range(len(a) ** 2 + 1):  # pragma: no mutate (a bound, never reached)
        i = now
        q2 = b[i] * d - b * d[i]
        q1 = a[i] * d + b[i] * c - a * d[i] - b * c[i]
        q0 = a[i] * c - a * c[i]
        with np.errstate(invalid="ignore", divide="ignore"):  # pragma: no mutate (warnings)
            disc = np.where(np.abs(q2) > EPS, q1**2 - 4 * q2 * q0, -1.0)
            roots = np.concatenate(
                [
                    np.where(disc >= 0, (-q1 - np.sqrt(np.maximum(disc, 0.0))) / (2 * q2), np.nan),
                    np.where((np.abs(q2) <= EPS) & (np.abs(q1) > EPS), -q0 / q1, np.nan),
                ]
            )
        # pragma: no mutate start (tolerance: leader() checks each crossing)
        roots = roots[np.tile(eligible, 2) & (roots > t + EPS) & (roots < 1 - EPS)]
        # pragma: no mutate end
        if not roots.size:
            return changes
        t = float(roots.min())
        after = leader(t + step)
        if after != now:
            changes.append((t, now, after))
            now = after
    return changes


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


def sensitivity_sentence(curve: Sensitivity, leader: str, names: dict[str, str]) -> str:
    """'Changing how much you care about Latency would not change the winner unless it counts
    for more than 43% (now 10%).'"""
    name = names.get(curve.criterion, curve.criterion)
    # A change at the current share (a tie now) limits the side the leader does not hold.
    now = [c for c in curve.changes if abs(c.share - curve.current) <= EPS]
    below = [c.share for c in curve.changes if c.share < curve.current - EPS]
    below += [c.share for c in now if c.after == leader]
    above = [c.share for c in curve.changes if c.share > curve.current + EPS]
    above += [c.share for c in now if c.before == leader]
    who = names.get(leader, leader)
    if not below and not above:
        return (
            f"However much {name} counts, from 0% to 100% of the weight, {who} stays first "
            f"(it counts for {curve.current:.0%} now)."
        )
    limits = []
    if above:
        limits.append(f"more than {min(above):.0%}")
    if below:
        limits.append(f"less than {max(below):.0%}")
    return (
        f"Changing how much you care about {name} would not change the winner ({who}) unless "
        f"it counts for {' or '.join(limits)} of the weight (now {curve.current:.0%})."
    )


def agreement_sentence(found: Agreement, names: dict[str, str]) -> str:
    """'The weighted product and TOPSIS put Google Veo first too.' or which method differs."""
    firsts = {m: min(r, key=lambda v: (r[v], v)) for m, r in found.ranks.items() if r}
    if not firsts:
        return "No vendor to rank."
    leader = firsts["wsm"]
    differ = [m for m in firsts if firsts[m] != leader]
    if not differ:
        return (
            f"The weighted product and TOPSIS put {names.get(leader, leader)} first too: the "
            "winner does not depend on how the scores are combined."
        )
    parts = [f"{METHOD_NAMES[m]} puts {names.get(firsts[m], firsts[m])} first" for m in differ]
    return (
        f"The winner depends on how the scores are combined: the weighted sum puts "
        f"{names.get(leader, leader)} first, but {' and '.join(parts)}."
    )


def flip_clause(flip: Flip, names: dict[str, str]) -> str:
    """'lowering Moderation from 14% to 10% would put Alibaba Wan ahead of Google Veo'."""
    verb = "raising" if flip.share > flip.current else "lowering"
    return (
        f"{verb} {names.get(flip.criterion, flip.criterion)} from {flip.current:.0%} to "
        f"{flip.share:.0%} would put {names.get(flip.challenger, flip.challenger)} ahead of "
        f"{names.get(flip.leader, flip.leader)}"
    )


def flip_sentence(flip: Flip | None, names: dict[str, str]) -> str:
    """'Lowering Moderation from 14% to 10% would put Alibaba Wan ahead of Google Veo.'"""
    if flip is None:
        return "No change of a single criterion's weight changes the leader."
    clause = flip_clause(flip, names)
    return clause[0].upper() + clause[1:] + "."


# ---------------------------------------------------------------------------------------------
# SMAA: stochastic multicriteria acceptability analysis
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenQuestion:
    """An unknown claim, and how its answer moves the leader's chance of ranking first: with an
    answer in the better half of the measure's range (`if_good`) and in the worse half."""

    vendor: str
    criterion: str
    if_good: float
    if_bad: float

    @property
    def swing(self) -> float:
        return abs(self.if_good - self.if_bad)


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
    #: Whether the unknown claims were drawn too (every answer equally likely), or scored as the
    #: missing-data policy says.
    open_questions: bool = False
    #: The open questions, the one whose answer moves `focus`'s chance of ranking first most
    #: first; `focus` is the vendor asked about (by default the one most often first).
    decisive: tuple[OpenQuestion, ...] = ()
    focus: str = ""
    #: With the open questions drawn: each vendor's chance of ranking first over the same
    #: weights with the open questions scored by the missing-data policy instead.
    weights_only: dict[str, float] | None = None


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


#: A number's open question is answered by one of this many values, evenly spread over the value
#: function's range [worst, best]; a coverage question by one of at most MAX_SUBSETS option sets.
NUMBER_ANSWERS = 64
MAX_SUBSETS = 4096


@dataclass(frozen=True, eq=False)
class _Answers:
    """The answers an open question could get, all equally likely, per leaf: their utilities
    (ascending) and, per gate, whether each answer passes it."""

    size: np.ndarray  # leaves: how many answers
    utility: np.ndarray  # leaves x answers (padded), float32
    passes: np.ndarray  # gates (as in the matrix) x answers of the gate's leaf, bool


def _possible(leaf: Criterion, options: list[str]) -> list[Any]:
    """Every answer a claim on `leaf` could give (for coverage, sets of `options`)."""
    measure = leaf.measure
    if isinstance(measure, BooleanMeasure):
        return [False, True]
    if isinstance(measure, RatingMeasure):
        return list(range(measure.scale[0], measure.scale[1] + 1))
    if isinstance(measure, CoverageMeasure):
        k = len(options)
        if 2**k <= MAX_SUBSETS:
            bits = (np.arange(2**k)[:, None] >> np.arange(k)) & 1
        else:  # a fair sample of the subsets, the same every time
            uniform = np.random.default_rng(0).random(
                (MAX_SUBSETS, k)
            )  # pragma: no mutate (sample)
            bits = uniform < 0.5  # pragma: no mutate (sample)
        return [list(itertools.compress(options, row)) for row in bits]
    assert isinstance(measure, NumberMeasure)
    fn = measure.value_function
    if isinstance(fn, Linear | Logarithmic):
        lo, hi = sorted((fn.worst, fn.best))
    else:
        lo, hi = fn.points[0][0], fn.points[-1][0]
    return (lo + (np.arange(NUMBER_ANSWERS) + 0.5) / NUMBER_ANSWERS * (hi - lo)).tolist()


def _answer_utility(leaf: Criterion, answers: list[Any]) -> np.ndarray:
    measure = leaf.measure
    if isinstance(measure, CoverageMeasure):
        required = set(measure.required_options)
        return np.array([len(required & set(a)) / len(required) for a in answers])
    return utility(measure, np.array(answers, dtype=float))  # pragma: no mutate (dtype)


def _answers(template: Template, matrix: Matrix) -> _Answers:
    leaves = {leaf.id: leaf for leaf in template.leaves()}
    gates_on: dict[str, list[Any]] = {}
    for gate in template.gates:
        gates_on.setdefault(gate.criterion, []).append(gate)
    per_leaf: list[tuple[np.ndarray, list[Any]]] = []
    for leaf_id in matrix.leaf_ids:
        leaf = leaves[leaf_id]
        options: list[str] = []
        if isinstance(leaf.measure, CoverageMeasure):
            wanted = set(leaf.measure.required_options)
            wanted |= {o for g in gates_on.get(leaf_id, ()) for o in g.require}
            options = [o for o in leaf.measure.options if o in wanted]
        answers = _possible(leaf, options)
        values = _answer_utility(leaf, answers)
        order = np.argsort(values, kind="stable")  # pragma: no mutate (dtype)
        per_leaf.append((values[order], [answers[k] for k in order]))
    width = max(len(values) for values, _ in per_leaf)
    size = np.array([len(values) for values, _ in per_leaf])
    table = np.zeros((len(per_leaf), width), dtype=np.float32)  # pragma: no mutate (dtype)
    for j, (values, _) in enumerate(per_leaf):
        table[j, : len(values)] = values
    passes = np.ones((len(matrix.gate_ids), width), dtype=bool)
    for g, gate in enumerate(template.gates, start=1):
        j = matrix.gate_leaf[g]
        leaf, answers = leaves[gate.criterion], per_leaf[j][1]
        passes[g, : len(answers)] = [
            check_gate(gate.require, leaf, Claim.model_construct(value=a))[0] == PASS
            for a in answers
        ]
    return _Answers(size, table, passes)


@dataclass(frozen=True, eq=False)
class _Values:
    """The utility matrix split into what is fixed and what SMAA draws: cells with a range or
    weaker evidence vary uniformly between two utilities; open questions (unknown claims, when
    drawn) take one of their measure's answers. A score is a fixed matrix product plus sums over
    the drawn cells."""

    base: np.ndarray  # vendors x leaves: the lowest utilities (0 where excluded or open)
    known: np.ndarray  # vendors x leaves, float: 1 where a utility is known or drawn
    vendors: np.ndarray  # the cells that vary, grouped by vendor: their vendor...
    leaves: np.ndarray  # ...their leaf...
    span: np.ndarray  # ...and the width of their uniform draw (float32)
    failed: np.ndarray  # vendors: fail an enabled gate whatever the open questions' answers
    # Open questions (empty unless drawn), grouped by vendor like the varying cells:
    open_vendors: np.ndarray
    open_leaves: np.ndarray
    open_credit: float  # the share of an answer credited: it would come as a vendor's claim
    answers: _Answers | None
    gate_cells: np.ndarray  # (open question, gate) pairs whose answer decides an open gate
    gate_ids: np.ndarray
    gate_vendor: np.ndarray  # vendors x those pairs: 1 where the pair is that vendor's


def _values(template: Template, matrix: Matrix, options: Options, open_questions: bool) -> _Values:
    applied = apply_policies(template, matrix, options)
    spread = np.array([SPREAD[lv] for lv in CONFIDENCE_LEVELS])[applied.level]
    low = np.maximum(matrix.low - spread, 0) * applied.credit
    high = np.minimum(matrix.high + spread, 1) * applied.credit
    unknown = np.isnan(low)
    # Read under `exclude` only, where an unknown claim's weight drops out of the score; every
    # open question drawn gets an answer in every sample.
    known = np.ones_like(unknown) if open_questions else ~unknown
    if applied.missing == "neutral" and not open_questions:
        low, high = np.where(unknown, 0.5, low), np.where(unknown, 0.5, high)
    low, high = np.where(np.isnan(low), 0.0, low), np.where(np.isnan(high), 0.0, high)
    vendors, leaves = np.nonzero(high - low > 0)  # row-major: grouped by vendor

    enabled = gates_enabled(template, matrix, options)
    failed = gates_failed(applied, enabled)
    open_v, open_l = np.nonzero(unknown) if open_questions else (np.array([], int),) * 2
    gate_cells = gate_ids = np.array([], dtype=int)
    if open_questions and len(open_v):
        position = np.full(unknown.shape, -1)  # pragma: no mutate (sentinel)
        position[open_v, open_l] = np.arange(len(open_v))
        columns = np.array(matrix.gate_leaf)
        drawn = (applied.gate_outcome == OPEN) & enabled & (columns >= 0)
        drawn &= unknown[:, np.maximum(columns, 0)]
        pairs_v, gate_ids = np.nonzero(drawn)
        gate_cells = position[pairs_v, columns[gate_ids]]
        failed = failed & ~drawn
    shape = (len(matrix.vendor_ids), len(gate_cells))
    gate_vendor = np.zeros(shape, dtype=np.float32)  # pragma: no mutate (dtype)
    gate_vendor[open_v[gate_cells], np.arange(len(gate_cells))] = 1
    claimed = applied.factors["claimed"] if applied.confidence else 1.0
    return _Values(
        low,
        known.astype(float),  # pragma: no mutate (dtype)
        vendors,
        leaves,
        (high - low)[vendors, leaves].astype(np.float32),  # pragma: no mutate (dtype)
        failed.any(axis=1),
        open_v,
        open_l,
        claimed,
        _answers(template, matrix) if open_questions and len(open_v) else None,
        gate_cells,
        gate_ids,
        gate_vendor,
    )


@dataclass(frozen=True, eq=False)
class _ValueDraw:
    """One batch of drawn values: everything random in SMAA except the weights."""

    # Cells by samples, so that summing a vendor's cells adds up whole rows.
    spread: np.ndarray  # varying cells x samples: the point drawn, 0..255 (see _group_sums)
    answers: np.ndarray | None  # open questions x samples: the answer's credited utility
    better: np.ndarray | None  # open questions x samples: the answer is in the better half
    failed: np.ndarray  # samples x vendors: fails an enabled gate in that sample


@dataclass(frozen=True, eq=False)
class Draws:
    """The values SMAA draws for a matrix under its policies (within ranges, by weaker evidence,
    and the open questions' answers), reproducible batch by batch from the seed. Weights do not
    enter: re-weighting the same comparison reuses them, and only the weights are sampled again.
    Small batches are kept, with their sums per vendor and top-level criterion at the last
    sub-criterion weights (a live page redraws 10,000 samples on every change)."""

    values: _Values
    samples: int
    seed: int
    open_questions: bool
    kept: dict[tuple[int, int], tuple[_ValueDraw, bytes, np.ndarray]] = field(default_factory=dict)

    def batch(
        self, start: int, n: int, within: np.ndarray, group: np.ndarray, tops: int
    ) -> tuple[_ValueDraw, np.ndarray]:
        """Samples start..start+n: the draw, and per vendor, top-level criterion and sample the
        utilities weighted by their share `within` it (vendors x tops x samples)."""
        key = within.tobytes()
        if (start, n) in self.kept:
            part, at, sums = self.kept[(start, n)]
            if at == key:
                return part, sums
        else:
            part = _draw_values(np.random.default_rng([self.seed, 1, start]), self.values, n)
        sums = _group_sums(self.values, part, within, group, tops)
        self._keep(start, n, (part, key, sums))
        return part, sums

    def _keep(self, start: int, n: int, entry: tuple) -> None:  # pragma: no mutate block
        """Keep a batch for the next call while all that is kept fits in KEEP_BYTES. It decides
        only what is drawn again, never a result, so mutation testing leaves it alone."""

        def size(part: _ValueDraw, sums: np.ndarray) -> int:
            answers = part.answers.nbytes if part.answers is not None else 0
            return part.spread.nbytes + sums.nbytes + answers

        part, _, sums = entry
        held = sum(size(p, s) for p, _, s in self.kept.values() if p is not part)
        if held + size(part, sums) <= KEEP_BYTES:
            self.kept[(start, n)] = entry


#: Draws are kept for the next call up to this many bytes in all (the rest is drawn again).
KEEP_BYTES = 64_000_000


def draws(
    template: Template,
    matrix: Matrix,
    options: Options | None = None,
    samples: int = 10_000,
    seed: int = 0,
    open_questions: bool = True,
) -> Draws:
    """The value draws of `acceptability` for these policies; pass them back to it (with any
    weights) to skip drawing them again."""
    options = options or Options()
    return Draws(_values(template, matrix, options, open_questions), samples, seed, open_questions)


def _draw_values(rng: np.random.Generator, values: _Values, n: int) -> _ValueDraw:
    # Random bytes, not random floats: ten times cheaper to make. A spread is drawn at one of
    # 256 evenly spaced points of its width, an answer by a 16-bit number (exactly uniform
    # over 2, 64 or 2^k answers; within 1e-4 of it otherwise): far finer than an acceptability.
    cells = len(values.vendors)
    spread = np.frombuffer(rng.bytes(cells * n), dtype=np.uint8).reshape(cells, n)
    failed = np.broadcast_to(values.failed, (n, len(values.failed)))
    if values.answers is None:
        return _ValueDraw(spread, None, None, failed)
    questions = len(values.open_leaves)
    size = values.answers.size[values.open_leaves].astype(np.uint32)[:, None]
    pick = np.frombuffer(rng.bytes(2 * questions * n), dtype=np.uint16).reshape(questions, n)
    pick = (pick.astype(np.uint32) * size) >> 16
    better = 2 * pick >= size
    if len(values.gate_cells):
        ok = values.answers.passes[values.gate_ids[:, None], pick[values.gate_cells]]
        failed = failed | ((~ok).T @ values.gate_vendor.T > 0)
    pick += (values.open_leaves * values.answers.utility.shape[1]).astype(np.uint32)[:, None]
    answers = np.take(values.answers.utility, pick)
    answers *= values.open_credit
    return _ValueDraw(spread, answers, better, failed)


def _group_sums(
    values: _Values, part: _ValueDraw, within: np.ndarray, group: np.ndarray, tops: int
) -> np.ndarray:
    """Per vendor, top-level criterion and sample: Σ within · utility over its leaves (the fixed
    part, the spread within ranges and the open questions' answers)."""
    from scipy import sparse  # here: scipy takes most of a second to import

    n, v = len(part.failed), len(values.base)
    # A spread's point k of 256 stands for low + (k + 1/2) x span / 256: the halves go into the
    # fixed part, the steps into the product's weights.
    step = values.span / 256
    base = values.base.copy()
    base[values.vendors, values.leaves] += step / 2
    fixed = np.zeros((v, tops))
    np.add.at(fixed.T, group, (base * within).T)
    out = np.empty((v * tops, n), dtype=np.float32)  # pragma: no mutate (dtype)
    out[:] = fixed.reshape(-1, 1)  # pragma: no mutate (reshape)
    w32 = within.astype(np.float32)  # pragma: no mutate (dtype)
    cells = [(values.vendors, values.leaves, part.spread, step)]
    if part.answers is not None:
        cells.append((values.open_vendors, values.open_leaves, part.answers, 1))
    for vendors, leaves, drawn, scale in cells:
        if len(vendors):
            # Cells come grouped by vendor, leaves in order, so each (vendor, top) is one run
            # of rows.
            # One sparse product: row (vendor, top) adds its cells' rows, each times its share.
            cells = len(vendors)
            spread = sparse.csr_matrix(
                (
                    (w32[leaves] * scale).astype(np.float32),  # pragma: no mutate (dtype)
                    (vendors * tops + group[leaves], np.arange(cells)),
                ),
                shape=(v * tops, cells),
            )
            out += spread @ drawn
    return out.reshape(v, tops, n)


def _sampled_scores(
    setup: _Setup, values: _Values, sums: np.ndarray, w_top: np.ndarray
) -> np.ndarray:
    """Weighted-sum scores (0-1) per sample: Σ over top-level criteria of the sampled share
    times the vendor's sum there. Under `exclude`, over the share of the weight that is known."""
    # einsum's own loops, not BLAS: the matrices are small, and BLAS threads would spin for
    # longer than they work, on every rerun of a page.
    w32 = w_top.astype(np.float32)  # pragma: no mutate (dtype)
    num = np.einsum("vtn,nt->nv", sums, w32).astype(float)  # pragma: no mutate (dtype)
    if setup.exclude:
        known = np.zeros((len(values.known), len(setup.tops)))
        np.add.at(known.T, setup.group, (values.known * setup.within).T)
        den = np.einsum("nt,vt->nv", w_top, known)  # pragma: no mutate (subscripts)
    else:
        den = w_top.sum(axis=1, keepdims=True)  # pragma: no mutate (scale)
    return np.divide(num, den, out=np.zeros_like(num), where=den > EPS)


def _rank_order(
    rng: np.random.Generator,
    scores: np.ndarray,
    failed: np.ndarray,
    first_only: bool = False,  # pragma: no mutate (where it is left out, only the first is read)
) -> np.ndarray:
    """Per sample, the vendors from first to last (or only the first, as a column): those
    passing every gate first; exact ties broken at random (a jitter far below any score
    difference that matters)."""
    # pragma: no mutate start (offsets above the scores' range of 0 to 1, and a random jitter)
    keys = scores + np.where(failed, 0.0, 10.0) + rng.random(scores.shape) * 1e-12
    # pragma: no mutate end
    if first_only:
        return keys.argmax(axis=1)[:, None]
    return np.argsort(-keys, axis=1)  # pragma: no mutate (axis)


def acceptability(
    template: Template,
    matrix: Matrix,
    options: Options | None = None,
    samples: int = 10_000,
    weights: Literal["uniform", "around"] = "around",
    seed: int = 0,
    concentration: float = 30.0,
    batch: int = 25_000,  # pragma: no mutate (batch)
    open_questions: bool = True,
    central: bool = True,
    focus: str | None = None,
    drawn: Draws | None = None,
    first_only: bool = False,
    alone: Draws | None = None,
) -> Acceptability:
    """SMAA-2: each vendor's probability of each rank over plausible weights (sampled on the
    simplex of top-level criteria) and values (uniform within ranges, spread by weaker evidence,
    and with `open_questions` every unknown claim answered at random, each possible answer
    equally likely, a gate it decides included); which open question moves the chance of
    ranking first of `focus` (default: the vendor most often first) most; with `central`, the
    central weights under which each vendor wins, and its confidence factor there.

    With the open questions drawn, the same weight samples also give each vendor's chance of
    ranking first with the open questions scored by the missing-data policy (`weights_only`).
    `drawn` and `alone` (from `draws`, with and without the open questions, for the same matrix
    and policies) replace `samples`, `seed` and `open_questions`, and save drawing the values
    again. With `first_only`, only the chance of
    ranking first is counted (each vendor's `ranks` holds that one figure): what a headline
    needs, at a fraction of the cost."""
    options = options or Options()
    setup = _setup(template, matrix, options)
    if drawn is None:
        drawn = draws(template, matrix, options, samples, seed, open_questions)
    values, samples, seed = drawn.values, drawn.samples, drawn.seed
    if drawn.open_questions and alone is None:
        alone = draws(template, matrix, options, samples, seed, open_questions=False)
    rng = np.random.default_rng(seed)
    v, t, q = len(matrix.vendor_ids), len(setup.tops), len(values.open_vendors)
    counts = np.zeros(v * v)
    firsts_alone = np.zeros(v)
    central_w = np.zeros((v, t))
    good_first = np.zeros((v, q))  # times a vendor was first with question c answered well
    good = np.zeros(q)
    # Batches bound the memory (a few million drawn cells at a time); nothing loops per sample.
    # Their size changes which random numbers are drawn, not how they are distributed.
    cells = max(1, len(values.vendors) + q, v * t)  # pragma: no mutate (batch)
    batch = max(1, min(batch, 4_000_000 // cells))  # pragma: no mutate (batch)
    for start in range(0, samples, batch):
        n = min(batch, samples - start)
        w_top = sample_weights(rng, n, setup.top_share, weights, concentration)
        part, sums = drawn.batch(start, n, setup.within, setup.group, t)
        scores = _sampled_scores(setup, values, sums, w_top)
        order = _rank_order(rng, scores, part.failed, first_only)  # pragma: no mutate (speed)
        counts += np.bincount((order * v + np.arange(order.shape[1])).ravel(), minlength=v * v)
        first = order[:, 0]
        if alone is not None:
            part_alone, sums_alone = alone.batch(start, n, setup.within, setup.group, t)
            scores = _sampled_scores(setup, alone.values, sums_alone, w_top)
            # pragma: no mutate start (speed: only the first is read)
            winners = _rank_order(rng, scores, part_alone.failed, first_only=True)[:, 0]
            # pragma: no mutate end
            firsts_alone += np.bincount(winners, minlength=v)
        for k in range(t):
            central_w[:, k] += np.bincount(first, weights=w_top[:, k], minlength=v)
        if part.better is not None:
            if focus:  # only the vendor asked about: the samples it wins
                mine = first == matrix.vendor_ids.index(focus)
                good_first[matrix.vendor_ids.index(focus)] += part.better[:, mine].sum(axis=1)
            else:
                by_first = np.argsort(first, kind="stable")  # pragma: no mutate (dtype)
                winners, at = np.unique(first[by_first], return_index=True)
                good_first[winners] += np.add.reduceat(part.better[:, by_first], at, axis=1).T
            good += part.better.sum(axis=1)
    counts = counts.reshape(v, v)  # vendor x rank
    firsts = counts[:, 0]
    factors: dict[str, float | None] = dict.fromkeys(matrix.vendor_ids)
    for i, vid in enumerate(matrix.vendor_ids):
        if central and firsts[i]:
            m = min(2_000, samples)
            part, sums = drawn.batch(0, m, setup.within, setup.group, t)
            w_top = np.repeat((central_w[i] / firsts[i])[None], m, 0)
            scores = _sampled_scores(setup, values, sums, w_top)
            factors[vid] = float((_rank_order(rng, scores, part.failed)[:, 0] == i).mean())
    leader = matrix.vendor_ids.index(focus) if focus else int(np.argmax(firsts))
    bad = samples - good
    with np.errstate(invalid="ignore", divide="ignore"):  # pragma: no mutate (warnings)
        if_good = good_first[leader] / good
        if_bad = (firsts[leader] - good_first[leader]) / bad
    decisive = sorted(
        (
            OpenQuestion(
                matrix.vendor_ids[values.open_vendors[c]],
                matrix.leaf_ids[values.open_leaves[c]],
                float(if_good[c]),
                float(if_bad[c]),
            )
            for c in range(q)
            if good[c] and bad[c]
        ),
        key=lambda o: (-round(o.swing, 12), o.vendor, o.criterion),
    )
    return Acceptability(
        tuple(matrix.vendor_ids),
        tuple(setup.tops),
        samples,
        weights,
        seed,
        {
            vid: tuple((counts[i, : 1 if first_only else v] / samples).tolist())
            for i, vid in enumerate(matrix.vendor_ids)
        },
        {
            vid: dict(zip(setup.tops, (central_w[i] / firsts[i]).tolist(), strict=True))
            if central and firsts[i]
            else None
            for i, vid in enumerate(matrix.vendor_ids)
        },
        factors,
        drawn.open_questions,
        tuple(decisive),
        matrix.vendor_ids[leader],
        None
        if alone is None
        else {vid: float(firsts_alone[i] / samples) for i, vid in enumerate(matrix.vendor_ids)},
    )


def certainty_sentence(answered: Acceptability, names: dict[str, str]) -> str:
    """'Google Veo ranks first in 53% of plausible weightings and answers to the open questions
    (67% over the weightings alone); the answer that matters most: …'."""
    leader = answered.focus
    share = answered.ranks[leader][0]
    text = f"{names.get(leader, leader)} ranks first in {share:.0%} of plausible weightings"
    if answered.open_questions:
        text += " and plausible answers to the open questions"
    if answered.weights_only is not None:
        text += f" ({answered.weights_only[leader]:.0%} over the weightings alone)"
    if answered.decisive:
        q = answered.decisive[0]
        text += (
            f"; the answer that matters most is {names.get(q.vendor, q.vendor)}'s on "
            f"{names.get(q.criterion, q.criterion)}: {q.if_good:.0%} if it is favourable, "
            f"{q.if_bad:.0%} if not"
        )
    return text + "."


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
    from scipy.stats import kendalltau  # here: scipy takes most of a second to import

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
    acceptability: Acceptability  # weights and the open questions' answers drawn
    agreement: Agreement


def analyse(
    template: Template,
    matrix: Matrix,
    options: Options | None = None,
    samples: int = 10_000,
    weights: Literal["uniform", "around"] = "around",
    seed: int = 0,
) -> Robustness:
    """Sensitivity, the smallest flip, SMAA (with and without the open questions) and method
    agreement in one call."""
    curves = tuple(sensitivity(template, matrix, options))
    return Robustness(
        curves,
        smallest_flip(curves),
        acceptability(template, matrix, options, samples, weights, seed),
        agreement(template, matrix, options),
    )
