"""The scoring engine: claims -> utility matrix -> weighted scores, gates, ranks, coverage.

Pure and vectorised over a vendors x leaf-criteria matrix. Two steps, so that a weight change does
not re-read any claim:

1. `build_matrix(template, vendors)` turns claims into utilities in [0, 1] through each criterion's
   measure (never through the other vendors, so adding a vendor never changes another's score), and
   evaluates the gates on the raw claims.
2. `evaluate(template, matrix, options)` applies weights, the missing-data and confidence policies
   and the method, and ranks.

`score(template, vendors, options)` does both. The kernels (`weighted_sum`, `weighted_product`,
`topsis`) are plain numpy functions: a NaN in their input means "not known", and that row's weights
are renormalised over what is known.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from scorecard.model import (
    CONFIDENCE_LEVELS,
    BooleanMeasure,
    Claim,
    CoverageMeasure,
    Criterion,
    Linear,
    Logarithmic,
    MissingPolicy,
    NumberMeasure,
    OpenGatePolicy,
    RatingMeasure,
    StalePolicy,
    Template,
    Vendor,
    is_stale,
    nearest,
)

Method = Literal["wsm", "wpm", "topsis"]
METHODS: tuple[str, ...] = ("wsm", "wpm", "topsis")
METHOD_NAMES = {"wsm": "weighted sum", "wpm": "weighted product", "topsis": "TOPSIS"}
#: How each method turns utilities into a 0-100 score, said wherever the method is named.
METHOD_DESCRIPTIONS = {
    "wsm": "weighted sum: each criterion's utility times its share of the weight, added up",
    "wpm": "weighted product: utilities raised to their weight shares and multiplied (a "
    "utility below 0.01 counts as 0.01)",
    "topsis": "TOPSIS: closeness to an ideal vendor, on the utilities after the value functions "
    "and the confidence and missing-data policies, each criterion's column vector-normalised "
    "(divided by its Euclidean length), weighted, and every criterion counted as a benefit",
}
#: Utilities are floored here in the weighted product, where one zero would wipe out a vendor.
WPM_FLOOR = 0.01
#: The built-in gate: a discontinued service cannot be bought, whatever the template says.
AVAILABILITY_GATE = ("available", "Service can be bought (not discontinued)")
UNKNOWN = CONFIDENCE_LEVELS.index("unknown")
#: Gate outcomes: the evidence says yes, says no, or says nothing either way (an open question).
PASS, FAIL, OPEN = 1, 0, -1


class ScoringError(ValueError):
    """Options that do not fit the template (an unknown criterion, profile or gate)."""


# ---------------------------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------------------------


def _row_weights(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per-row weights summing to 1 over the known (non-NaN) entries of each row."""
    weights = np.where(np.isnan(u), 0.0, np.asarray(w, dtype=float))  # pragma: no mutate (dtype)
    total = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)


def weighted_sum(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Σ w·u per row, weights normalised to sum to 1 (over the known entries of each row).

    Row sums rather than a BLAS product: a row's result then depends on that row alone, to the
    last bit, whatever other rows (vendors) are in the matrix."""
    u = np.asarray(u, dtype=float)  # pragma: no mutate (dtype)
    if not np.isnan(u).any():
        w = np.asarray(w, dtype=float)  # pragma: no mutate (dtype)
        return (u * (w / w.sum())).sum(axis=1)
    return np.nansum(u * _row_weights(u, w), axis=1)


def weighted_product(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Π u^w per row, weights normalised to sum to 1; values must be > 0."""
    u = np.asarray(u, dtype=float)  # pragma: no mutate (dtype)
    return np.exp(np.nansum(np.log(u) * _row_weights(u, w), axis=1))


def topsis(x: np.ndarray, w: np.ndarray, benefit: Sequence[bool] | None = None) -> np.ndarray:
    """Closeness to the ideal (Hwang & Yoon): vector-normalised columns, weighted, Euclidean
    distances to the ideal and anti-ideal rows. Returns d⁻ / (d⁺ + d⁻) per row, in [0, 1]."""
    x = np.asarray(x, dtype=float)
    norms = np.sqrt(np.nansum(x**2, axis=0))
    r = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    r[np.isnan(x)] = np.nan  # pragma: no mutate (None is NaN)
    v = r * _row_weights(x, w)  # unknown stays NaN, and drops out of the distances
    best = np.ones(x.shape[1], bool)  # pragma: no mutate (dtype)
    if benefit is not None:
        best = np.asarray(benefit, bool)  # pragma: no mutate (dtype)
    unknown = np.isnan(v)
    high = np.where(unknown, -np.inf, v).max(axis=0, initial=-np.inf)  # ±inf: nobody known
    low = np.where(unknown, np.inf, v).min(axis=0, initial=np.inf)
    ideal, anti = np.where(best, high, low), np.where(best, low, high)
    d_plus = np.sqrt(np.nansum((v - ideal) ** 2, axis=1))
    d_minus = np.sqrt(np.nansum((v - anti) ** 2, axis=1))
    total = d_plus + d_minus
    return np.divide(d_minus, total, out=np.full_like(total, 0.5), where=total > 0)


def rank(scores: np.ndarray, passed: np.ndarray | None = None) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4): passing vendors above failing ones, then by score.
    Scores equal to 1e-9 are ties."""
    keys = np.round(np.asarray(scores, dtype=float), 9)  # pragma: no mutate (tolerance)
    if passed is not None:
        keys = keys + np.where(passed, 1e6, 0.0)
    ordered = np.sort(-keys)
    return np.searchsorted(ordered, -keys) + 1  # the leftmost place: tied vendors share a rank


# ---------------------------------------------------------------------------------------------
# Claims -> utilities
# ---------------------------------------------------------------------------------------------


def utility(measure: object, values: np.ndarray) -> np.ndarray:
    """Utilities in [0, 1] of numeric `values` (NaN stays NaN) under a rating/number measure."""
    x = np.asarray(values, dtype=float)  # pragma: no mutate (dtype)
    if isinstance(measure, RatingMeasure):
        low, high = measure.scale
        return np.clip((x - low) / (high - low), 0.0, 1.0)
    if isinstance(measure, BooleanMeasure):
        return x
    assert isinstance(measure, NumberMeasure)
    fn = measure.value_function
    if isinstance(fn, Linear):
        return np.clip((x - fn.worst) / (fn.best - fn.worst), 0.0, 1.0)
    if isinstance(fn, Logarithmic):
        with np.errstate(invalid="ignore", divide="ignore"):  # pragma: no mutate (warnings)
            logs = np.log(np.where(x > 0, x, np.nan))
        span = math.log(fn.best) - math.log(fn.worst)
        return np.clip((logs - math.log(fn.worst)) / span, 0.0, 1.0)
    xs, us = zip(*fn.points, strict=True)  # pragma: no mutate (strict)
    out = np.interp(x, xs, us)
    out[np.isnan(x)] = np.nan  # pragma: no mutate (None is NaN)
    return out


def _bounds(claim: Claim | None) -> tuple[float, float]:
    if claim is None or claim.value is None:
        return math.nan, math.nan
    if claim.is_range:
        return float(claim.value[0]), float(claim.value[1])
    return float(claim.value), float(claim.value)


@dataclass(frozen=True, eq=False)
class Matrix:
    """Utilities and gate outcomes for vendors (rows) x leaf criteria (columns)."""

    vendor_ids: tuple[str, ...]
    vendor_names: tuple[str, ...]
    leaf_ids: tuple[str, ...]
    low: np.ndarray  # utility at the worse end of a range
    mid: np.ndarray  # utility of the value (a range's midpoint): the point score
    high: np.ndarray  # utility at the better end
    level: np.ndarray  # index into CONFIDENCE_LEVELS; `unknown` where there is no claim
    stale: np.ndarray  # bool: a claim older than the template's limit on `as_of`
    gate_ids: tuple[str, ...]
    gate_names: tuple[str, ...]
    gate_leaf: tuple[int, ...]  # the column each gate reads (-1: the availability gate)
    gate_outcome: np.ndarray  # PASS, FAIL or OPEN, vendors x gates
    gate_detail: tuple[tuple[str, ...], ...]
    as_of: dt.date | None = None  # the day staleness was judged on (None: nothing is stale)


def situation(template: Template, conditions: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """Which of the template's conditions hold for the buyer: the template's defaults, then the
    session's choices. Raises `ScoringError` for a condition the template does not have."""
    holds = {key: c.holds for key, c in template.conditions.items()}
    for key, value in (conditions or {}).items():
        if key not in holds:
            hint = nearest(key, list(holds))
            raise ScoringError(
                f"no condition {key!r} in the template{' (' + hint + ')' if hint else ''}"
            )
        holds[key] = bool(value)
    return holds


def applies(claim: Claim, holds: Mapping[str, bool]) -> bool:
    """Does a claim hold in the buyer's situation (every condition it names holds)?"""
    return all(holds.get(c, False) for c in claim.condition)


def build_matrix(
    template: Template,
    vendors: Sequence[Vendor],
    conditions: Mapping[str, bool] | None = None,
    as_of: dt.date | None = None,
) -> Matrix:
    """Turn every vendor's claims into utilities, and evaluate every gate on the raw claims. A
    claim that holds only in another situation than the buyer's (`conditions`, over the
    template's) counts as no evidence. Claims older than the template's limit on `as_of` are
    marked stale (the stale policy decides what that costs)."""
    holds = situation(template, conditions)
    leaves = template.leaves()
    n, m = len(vendors), len(leaves)
    low, mid, high = (np.full((n, m), np.nan) for _ in range(3))
    level = np.full((n, m), UNKNOWN, dtype=np.int8)  # pragma: no mutate (dtype)
    stale = np.zeros((n, m), dtype=bool)  # pragma: no mutate (dtype)

    def claim_of(vendor: Vendor, leaf_id: str) -> Claim | None:
        claim = vendor.claims.get(leaf_id)
        return claim if claim is None or applies(claim, holds) else None

    for j, leaf in enumerate(leaves):
        claims = [claim_of(v, leaf.id) for v in vendors]
        for i, claim in enumerate(claims):
            if claim is not None and claim.value is not None:
                level[i, j] = CONFIDENCE_LEVELS.index(claim.confidence)
                if as_of is not None:
                    stale[i, j] = is_stale(claim, as_of, template.policies.stale_after_days)
        if isinstance(leaf.measure, CoverageMeasure):
            required = set(leaf.measure.required_options)
            covered = [
                len(required & set(c.value)) / len(required)
                if c and c.value is not None
                else np.nan
                for c in claims
            ]
            low[:, j] = mid[:, j] = high[:, j] = covered
            continue
        bounds = np.array([_bounds(c) for c in claims], dtype=float)  # pragma: no mutate (dtype)
        bounds = bounds.reshape(n, 2)
        a, b = utility(leaf.measure, bounds[:, 0]), utility(leaf.measure, bounds[:, 1])
        low[:, j], high[:, j] = np.fmin(a, b), np.fmax(a, b)
        mid[:, j] = utility(leaf.measure, bounds.mean(axis=1))

    gate_ids, gate_names = [AVAILABILITY_GATE[0]], [AVAILABILITY_GATE[1]]
    outcome = np.empty((n, len(template.gates) + 1), dtype=np.int8)  # pragma: no mutate (dtype)
    detail: list[list[str]] = [[] for _ in vendors]
    for i, vendor in enumerate(vendors):
        ok = vendor.status != "discontinued"
        outcome[i, 0] = PASS if ok else FAIL
        detail[i].append("" if ok else "the vendor has discontinued this service")
    by_id = {leaf.id: leaf for leaf in leaves}
    column = {leaf.id: j for j, leaf in enumerate(leaves)}
    for g, gate in enumerate(template.gates, start=1):
        gate_ids.append(gate.id)
        gate_names.append(gate.name)
        for i, vendor in enumerate(vendors):
            claim, counted = vendor.claims.get(gate.criterion), claim_of(vendor, gate.criterion)
            result, why = check_gate(gate.require, by_id[gate.criterion], counted)
            if claim is not None and counted is None:
                why = f"{by_id[gate.criterion].name}: {condition_text(template, claim, holds)}"
            outcome[i, g] = result
            detail[i].append(why)
    return Matrix(
        tuple(v.id for v in vendors),
        tuple(v.name for v in vendors),
        tuple(leaf.id for leaf in leaves),
        low,
        mid,
        high,
        level,
        stale,
        tuple(gate_ids),
        tuple(gate_names),
        (-1, *(column[g.criterion] for g in template.gates)),  # pragma: no mutate (sort key)
        outcome,
        tuple(tuple(d) for d in detail),
        as_of,
    )


def requirement_text(require: object, leaf: Criterion) -> str:
    """What a gate asks of a criterion, in words: 'yes', 'covers eu, uk', 'at least 3 of 0–5',
    '≤ 120 s'."""
    measure = leaf.measure
    if isinstance(measure, BooleanMeasure):
        return "yes" if require else "no"
    if isinstance(measure, CoverageMeasure):
        return "covers " + ", ".join(require)  # type: ignore[arg-type]
    if isinstance(measure, RatingMeasure):
        return f"at least {require:g} of {measure.scale[0]}–{measure.scale[1]}"
    assert isinstance(measure, NumberMeasure)
    op = "≥" if measure.direction == "higher" else "≤"
    return f"{op} {require:g} {measure.unit}"


def check_gate(require: object, leaf: Criterion, claim: Claim | None) -> tuple[int, str]:
    """Does one claim meet a must-have? (PASS, FAIL or OPEN, and why not.)"""
    if claim is None or claim.value is None:
        return OPEN, f"{leaf.name}: no evidence found"
    measure = leaf.measure
    if isinstance(measure, BooleanMeasure):
        if claim.value == require:
            return PASS, ""
        return (
            FAIL,
            f"{leaf.name}: {'yes' if claim.value else 'no'}, must be {'yes' if require else 'no'}",
        )
    if isinstance(measure, CoverageMeasure):
        missing = [o for o in require if o not in claim.value]  # type: ignore[attr-defined]
        return (FAIL, f"{leaf.name}: lacks {', '.join(missing)}") if missing else (PASS, "")
    lo, hi = _bounds(claim)
    higher = not (isinstance(measure, NumberMeasure) and measure.direction == "lower")
    worst, best = (lo, hi) if higher else (hi, lo)
    need = float(require)  # type: ignore[arg-type]
    meets = (lambda v: v >= need) if higher else (lambda v: v <= need)
    shown = f"{claim.value[0]:g}–{claim.value[1]:g}" if claim.is_range else f"{claim.value:g}"
    op = "≥" if higher else "≤"
    if meets(worst):
        return PASS, ""
    if meets(best):
        return OPEN, f"{leaf.name}: {shown} may or may not be {op} {need:g}"
    return FAIL, f"{leaf.name}: {shown}, must be {op} {need:g}"


# ---------------------------------------------------------------------------------------------
# Options and results
# ---------------------------------------------------------------------------------------------


def condition_text(
    template: Template, claim: Claim, holds: Mapping[str, bool] | None = None
) -> str:
    """'holds only if: bought through the API, on a paid plan' ('' for an unconditional claim);
    with `holds`, whether that is the buyer's situation."""
    if not claim.condition:
        return ""
    names = "; ".join(template.conditions[c].name for c in claim.condition)  # ids checked
    text = f"holds only if: {names}"
    if holds is not None and not applies(claim, holds):
        text += " (not your situation, so not counted)"
    return text


@dataclass(frozen=True)
class Options:
    """How to score: method, weights, policies, gates and the buyer's situation. `None` means the
    template's setting."""

    method: Method = "wsm"
    profile: str | None = None
    weights: Mapping[str, float] = field(default_factory=dict)  # criterion id -> relative weight
    missing: MissingPolicy | None = None
    confidence: bool | None = None
    gates: Mapping[str, bool] = field(default_factory=dict)  # gate id -> on/off
    conditions: Mapping[str, bool] = field(default_factory=dict)  # condition id -> holds
    open_gates: OpenGatePolicy | None = None
    stale: StalePolicy | None = None
    as_of: dt.date | None = None  # the day staleness is judged on (None: nothing is stale)


GateOutcome = Literal["pass", "fail", "open"]


@dataclass(frozen=True)
class GateResult:
    id: str
    name: str
    outcome: GateOutcome  # open: no evidence either way, a question to ask
    detail: str
    enabled: bool
    failed: bool = False  # enabled, and counts against the vendor (`fail`, or `open` excluded)

    @property
    def label(self) -> str:
        """'open: Commercial use of outputs permitted — ask' / 'fails: …' / 'passes: …'."""
        if self.outcome == "open":
            return f"open: {self.name} — ask" + (" (counted as no)" if self.failed else "")
        return f"{'fails' if self.failed else 'passes'}: {self.name}"


@dataclass(frozen=True)
class VendorResult:
    vendor: str
    name: str
    rank: int
    score: float  # 0-100 under the chosen method
    passed_gates: bool
    gates: tuple[GateResult, ...]
    contributions: dict[str, float]  # top-level criterion -> weighted-sum points
    points: dict[str, float]  # leaf criterion -> weighted-sum points
    coverage: dict[str, float]  # confidence level -> share of the weight
    utilities: dict[str, float | None]  # leaf -> utility after policies (None: excluded)
    known_weight: float  # share of the weight backed by any evidence
    stale: tuple[str, ...] = ()  # leaves whose claim is older than the template's limit
    unknown: tuple[str, ...] = ()  # leaves with no evidence that counts: open questions

    @property
    def confirmed_share(self) -> float:
        """Share of the weight backed by the strongest evidence: verified or confirmed."""
        return self.coverage["verified"] + self.coverage["confirmed"]

    @property
    def failed_gates(self) -> list[str]:
        """Enabled gates that count against the vendor: the evidence says no (or, under
        `open_gates: exclude`, says nothing)."""
        return [g.id for g in self.gates if g.failed]

    @property
    def open_gates(self) -> list[str]:
        """Enabled gates with no evidence either way: questions to ask before buying."""
        return [g.id for g in self.gates if g.enabled and g.outcome == "open"]

    @property
    def gates_text(self) -> str:
        """'pass', or every enabled gate that is not passed, in words."""
        shown = [g.label for g in self.gates if g.enabled and g.outcome != "pass"]
        return "; ".join(shown) or "pass"


@dataclass(frozen=True)
class Result:
    template_id: str
    template_version: str
    method: Method
    missing: MissingPolicy
    confidence: bool
    confidence_factors: dict[str, float]
    profile: str | None
    weights: dict[str, float]  # every criterion (groups and leaves) -> its share of the total
    rows: tuple[VendorResult, ...]  # by rank, then vendor id
    situation: dict[str, bool] = field(default_factory=dict)  # condition id -> holds
    open_gates: OpenGatePolicy = "include"
    stale: StalePolicy = "full"
    stale_factor: float = 1.0
    as_of: dt.date | None = None

    def row(self, vendor_id: str) -> VendorResult:
        return next(r for r in self.rows if r.vendor == vendor_id)


def resolve_weights(template: Template, options: Options) -> dict[str, float]:
    """Relative weight of every criterion: the template's, then the profile's, then the options'."""
    weights = {c.id: c.weight for c in template.nodes()}
    overrides: dict[str, float] = {}
    if options.profile is not None:
        if options.profile not in template.profiles:
            known = ", ".join(template.profiles) or "none"
            raise ScoringError(f"no profile {options.profile!r} in the template (known: {known})")
        overrides.update(template.profiles[options.profile].weights)
    overrides.update(options.weights)
    for key, value in overrides.items():
        if key not in weights:
            hint = nearest(key, list(weights))
            raise ScoringError(
                f"no criterion {key!r} in the template{' (' + hint + ')' if hint else ''}"
            )
        if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
            raise ScoringError(f"weight of {key!r} must be a number of 0 or more, got {value!r}")
        weights[key] = float(value)
    return weights


def global_weights(template: Template, relative: Mapping[str, float]) -> dict[str, float]:
    """Each criterion's share of the total: normalised among siblings, multiplied down the tree."""
    out: dict[str, float] = {}

    def visit(nodes: tuple[Criterion, ...], share: float) -> None:
        total = sum(relative[c.id] for c in nodes)
        for node in nodes:
            out[node.id] = share * relative[node.id] / total if total > 0 else 0.0
            visit(node.criteria, out[node.id])

    visit(template.criteria, 1.0)
    return out


def set_share(weights: Mapping[str, float], criterion: str, share: float) -> dict[str, float]:
    """Siblings' weights as percentages after `criterion` is set to `share` percent: the others
    keep their proportions and take the rest (equal parts, if they were all 0)."""
    share = min(max(float(share), 0.0), 100.0)
    others = {k: float(v) for k, v in weights.items() if k != criterion}
    total = sum(others.values())
    rest = 100.0 - share
    out = {criterion: share}
    for key, value in others.items():
        out[key] = rest * value / total if total > 0 else rest / len(others)
    return out


def shares_of(weights: Mapping[str, float]) -> dict[str, float]:
    """Relative weights as percentages of their sum (0 each when they are all 0)."""
    total = sum(weights.values())
    return {k: 100.0 * v / total if total > 0 else 0.0 for k, v in weights.items()}


def total_weight(template: Template, options: Options) -> float:
    """The share of the weight the leaves get: 0 when every weight that counts is 0."""
    shares = global_weights(template, resolve_weights(template, options))
    return sum(shares[leaf.id] for leaf in template.leaves())


ZERO_WEIGHTS = "every weight is 0: give at least one criterion a weight above 0"


@dataclass(frozen=True, eq=False)
class Applied:
    """The template's policies, settled by the options, as they act on one matrix."""

    missing: MissingPolicy
    confidence: bool
    factors: dict[str, float]  # confidence level -> credit
    open_gates: OpenGatePolicy
    stale: StalePolicy
    stale_factor: float
    level: np.ndarray  # evidence level per cell; `unknown` where a stale claim no longer counts
    credit: np.ndarray  # share of a cell's utility credited (NaN: unknown)
    gate_outcome: np.ndarray  # PASS, FAIL or OPEN, with stale claims open under `stale: unknown`


def apply_policies(template: Template, matrix: Matrix, options: Options) -> Applied:
    """The confidence, stale and open-gate policies on a matrix (the missing-data policy is
    applied by whoever reads the utilities, since SMAA draws the unknowns instead)."""
    policies = template.policies
    confidence = policies.confidence.enabled if options.confidence is None else options.confidence
    factors = {lv: policies.confidence.factor(lv) for lv in CONFIDENCE_LEVELS[:-1]}
    stale = options.stale or policies.stale
    by_level = np.array([factors[lv] if confidence else 1.0 for lv in factors] + [np.nan])
    level, outcome = matrix.level, matrix.gate_outcome
    if stale == "unknown" and matrix.stale.any():
        level = np.where(matrix.stale, UNKNOWN, level).astype(np.int8)
        columns = np.array(matrix.gate_leaf)
        readable = columns >= 0
        stale_gate = np.zeros_like(outcome, dtype=bool)  # pragma: no mutate (dtype)
        stale_gate[:, readable] = matrix.stale[:, columns[readable]]
        outcome = np.where(stale_gate, OPEN, outcome).astype(np.int8)  # pragma: no mutate (dtype)
    credit = by_level[level]
    stale_factor = policies.stale_factor if stale == "discount" else 1.0
    if stale == "discount":
        credit = np.where(matrix.stale, credit * stale_factor, credit)
    return Applied(
        options.missing or policies.missing,
        bool(confidence),
        factors,
        options.open_gates or policies.open_gates,
        stale,
        stale_factor,
        level,
        credit,
        outcome,
    )


def fill_missing(u: np.ndarray, missing: MissingPolicy) -> np.ndarray:
    """Unknown utilities (NaN) under the missing-data policy: 0, 0.5, or left out (NaN)."""
    fill = {"worst": 0.0, "neutral": 0.5}.get(missing)
    return u if fill is None else np.nan_to_num(u, nan=fill)


def gates_enabled(template: Template, matrix: Matrix, options: Options) -> np.ndarray:
    """Which of the matrix's gates are on: the options', else the template's (availability: on)."""
    default = {g.id: g.enabled for g in template.gates}
    return np.array([options.gates.get(g, default.get(g, True)) for g in matrix.gate_ids])


def gates_failed(applied: Applied, enabled: np.ndarray) -> np.ndarray:
    """Vendors x gates: an enabled gate the evidence fails (or leaves open, under `exclude`)."""
    outcome = applied.gate_outcome
    against = (outcome == FAIL) | ((outcome == OPEN) & (applied.open_gates == "exclude"))
    return against & enabled


def evaluate(template: Template, matrix: Matrix, options: Options = Options()) -> Result:
    """Score a built matrix under `options`. Raises `ScoringError` for options that do not fit."""
    if options.method not in METHODS:
        raise ScoringError(f"unknown method {options.method!r} (one of {', '.join(METHODS)})")
    unknown_gates = set(options.gates) - set(matrix.gate_ids)
    if unknown_gates:
        raise ScoringError(
            f"no gate {sorted(unknown_gates)[0]!r} (known: {', '.join(matrix.gate_ids)})"
        )

    shares = global_weights(template, resolve_weights(template, options))
    w = np.array([shares[leaf] for leaf in matrix.leaf_ids])
    if w.sum() <= 0:
        raise ScoringError(ZERO_WEIGHTS)

    applied = apply_policies(template, matrix, options)
    u = fill_missing(matrix.mid * applied.credit, applied.missing)

    if options.method == "wsm":
        scores = weighted_sum(u, w)
    elif options.method == "wpm":
        scores = weighted_product(np.fmax(u, WPM_FLOOR), w)
    else:
        scores = topsis(u, w)
    scores = 100 * scores

    # Points per top-level criterion under the weighted sum (they add up to its score).
    tops = [c.id for c in template.criteria]
    top_of = {node.id: top.id for top in template.criteria for node in top.walk()}
    leaf_top = np.array([top_of[leaf] for leaf in matrix.leaf_ids])
    weighted = 100 * np.nan_to_num(u) * _row_weights(u, w)
    points = np.stack([weighted[:, leaf_top == t].sum(axis=1) for t in tops], axis=1)
    shares_w = w / w.sum()
    levels = np.stack(
        [
            np.where(applied.level == k, shares_w, 0.0).sum(axis=1)
            for k in range(len(CONFIDENCE_LEVELS))
        ],
        axis=1,
    )
    known = 1.0 - levels[:, UNKNOWN]

    enabled = gates_enabled(template, matrix, options)
    failed = gates_failed(applied, enabled)
    passed = ~failed.any(axis=1)
    ranks = rank(scores, passed)

    outcome_name = {PASS: "pass", FAIL: "fail", OPEN: "open"}
    rows = [
        VendorResult(
            vendor=vid,
            name=matrix.vendor_names[i],
            rank=int(ranks[i]),
            score=float(scores[i]),
            passed_gates=bool(passed[i]),
            gates=tuple(
                GateResult(
                    gid,
                    matrix.gate_names[g],
                    outcome_name[int(applied.gate_outcome[i, g])],
                    _gate_detail(matrix, applied, i, g),
                    bool(enabled[g]),
                    bool(failed[i, g]),
                )
                for g, gid in enumerate(matrix.gate_ids)
            ),
            contributions={t: float(points[i, k]) for k, t in enumerate(tops)},
            points={leaf: float(weighted[i, j]) for j, leaf in enumerate(matrix.leaf_ids)},
            coverage={lv: float(levels[i, k]) for k, lv in enumerate(CONFIDENCE_LEVELS)},
            utilities={
                leaf: None if math.isnan(u[i, j]) else float(u[i, j])
                for j, leaf in enumerate(matrix.leaf_ids)
            },
            known_weight=float(known[i]),
            stale=tuple(leaf for j, leaf in enumerate(matrix.leaf_ids) if matrix.stale[i, j]),
            unknown=tuple(
                leaf for j, leaf in enumerate(matrix.leaf_ids) if applied.level[i, j] == UNKNOWN
            ),
        )
        for i, vid in enumerate(matrix.vendor_ids)
    ]
    rows.sort(key=lambda r: (r.rank, r.vendor))
    return Result(
        template.id,
        template.version,
        options.method,
        applied.missing,
        applied.confidence,
        applied.factors,
        options.profile,
        shares,
        tuple(rows),
        situation(template, options.conditions),
        applied.open_gates,
        applied.stale,
        applied.stale_factor,
        matrix.as_of,
    )


@dataclass(frozen=True)
class Difference:
    criterion: str
    first: float  # weighted-sum points of the first vendor
    second: float

    @property
    def margin(self) -> float:
        return self.first - self.second


def difference(result: Result, first: str, second: str) -> list[Difference]:
    """Why one vendor ranks above another: their weighted-sum points leaf by leaf, the largest
    margins first. The margins add up to the difference in weighted-sum scores."""
    a, b = result.row(first), result.row(second)
    rows = [Difference(leaf, a.points[leaf], b.points[leaf]) for leaf in a.points]
    return sorted(rows, key=lambda d: (-abs(d.margin), d.criterion))


def _gate_detail(matrix: Matrix, applied: Applied, i: int, g: int) -> str:
    if applied.gate_outcome[i, g] == matrix.gate_outcome[i, g]:
        return matrix.gate_detail[i][g]
    return f"{matrix.gate_names[g]}: the evidence is stale, so it no longer counts"


def score(template: Template, vendors: Sequence[Vendor], options: Options = Options()) -> Result:
    """Score and rank `vendors` against `template`: the one public door to the engine."""
    return evaluate(
        template, build_matrix(template, vendors, options.conditions, options.as_of), options
    )
