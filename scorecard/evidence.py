"""Reading the evidence: claim dates and staleness, values in words, and the gaps to ask about.

Pure: `today` is always passed in, so results are reproducible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from scorecard.model import (
    CONFIDENCE_LEVELS,
    LINKED_KINDS,
    BooleanMeasure,
    Claim,
    CoverageMeasure,
    Criterion,
    NumberMeasure,
    RatingMeasure,
    Template,
    Vendor,
    claim_age,
    claim_checked,
    claim_date,
    is_stale,
)
from scorecard.scoring import (
    Options,
    applies,
    condition_text,
    global_weights,
    resolve_weights,
    score,
    situation,
)


def describe_value(claim: Claim | None, measure: object) -> str:
    """A claim's value in words, as a buyer reads it ("2 of 0–5", "0.15–0.4 USD/s", "yes")."""
    if claim is None or claim.value is None:
        return "unknown"
    value = claim.value
    if isinstance(measure, BooleanMeasure):
        return "yes" if value else "no"
    if isinstance(measure, CoverageMeasure):
        return ", ".join(value) if value else "none"
    shown = f"{value[0]:g}–{value[1]:g}" if claim.is_range else f"{value:g}"
    if isinstance(measure, RatingMeasure):
        return f"{shown} of {measure.scale[0]}–{measure.scale[1]}"
    if isinstance(measure, NumberMeasure):
        return f"{shown} {measure.unit}"
    return shown


@dataclass(frozen=True)
class ClaimView:
    """One leaf of the template as one vendor's profile answers it."""

    criterion: Criterion
    group: Criterion  # the top-level criterion it belongs to
    claim: Claim | None  # None: the profile says nothing (treated as unknown)
    value: str
    date: str | None  # when the claim was true (as of), or its newest source was published
    age_days: int | None  # days since the later of `date` and `checked`
    stale: bool
    condition: str = ""  # "holds only if: …", and whether that is the buyer's situation
    checked: str | None = None  # when the claim was last checked against its sources

    @property
    def dates(self) -> str:
        """'as of 2024-09-29, checked 2026-11 (25 days)': both dates, and the age that counts."""
        parts = [f"as of {self.date}"] if self.date else []
        if self.checked and self.checked != self.date:
            parts.append(f"checked {self.checked}")
        return ", ".join(parts) + (f" ({self.age_days} days)" if parts else "")


def review(
    template: Template,
    vendor: Vendor,
    today: dt.date,
    conditions: Mapping[str, bool] | None = None,
) -> list[ClaimView]:
    """Every leaf criterion with the vendor's claim, its age, whether it is stale, and the
    situation it holds in (judged against the buyer's: the template's, then `conditions`)."""
    holds = situation(template, conditions)
    limit = template.policies.stale_after_days
    out = []
    for group in template.criteria:
        for node in group.walk():
            if node.measure is None:
                continue
            claim = vendor.claims.get(node.id)
            date = claim_date(claim) if claim else None
            checked = claim_checked(claim) if claim else None
            out.append(
                ClaimView(
                    node,
                    group,
                    claim,
                    describe_value(claim, node.measure),
                    date,
                    claim_age(claim, today) if claim else None,
                    is_stale(claim, today, limit),
                    condition_text(template, claim, holds) if claim else "",
                    checked,
                )
            )
    return out


@dataclass(frozen=True)
class Gap:
    """A criterion a vendor has no evidence for, and how far an answer could move its score."""

    vendor: str
    criterion: str
    name: str
    weight: float  # the criterion's share of the total weight
    gain: float  # points added by the best answer, graded confirmed
    loss: float  # points lost by the worst answer (0 or negative)
    gates: tuple[str, ...]  # enabled gates that cannot pass without an answer
    note: str

    @property
    def span(self) -> float:
        return self.gain - self.loss


def gaps(
    template: Template, vendors: Sequence[Vendor], options: Options | None = None
) -> dict[str, list[Gap]]:
    """Per vendor, the unknown claims the buyer should ask about: those a gate needs first, then
    by how much an answer could move the weighted-sum score under `options` (weights, profile,
    missing-data policy)."""
    options = options or Options()
    gate_on = {g.id: options.gates.get(g.id, g.enabled) for g in template.gates}
    shares = global_weights(template, resolve_weights(template, options))
    missing = options.missing or template.policies.missing
    best = (
        template.policies.confidence.factor("confirmed") if options.confidence is not False else 1.0
    )
    result = score(template, vendors, replace(options, method="wsm"))
    holds = situation(template, options.conditions)
    out: dict[str, list[Gap]] = {}
    for vendor in vendors:
        row = result.row(vendor.id)
        known = row.known_weight
        found = []
        for leaf in template.leaves():
            claim = vendor.claims.get(leaf.id)
            if leaf.panel_scored:
                continue  # the buyer's panel rates it: nothing to ask the vendor
            if claim is not None and claim.value is not None and applies(claim, holds):
                continue
            w = shares[leaf.id]
            if missing == "worst":
                gain, loss = 100 * w * best, 0.0
            elif missing == "neutral":
                gain, loss = 100 * w * (best - 0.5), -50 * w
            elif known + w > 0:  # exclude: an answer joins the renormalised weights
                points = row.score * known / 100
                gain = 100 * (points + w * best) / (known + w) - row.score
                loss = 100 * points / (known + w) - row.score
            else:
                gain = loss = 0.0
            note = claim.note if claim is not None else ""
            if claim is not None and claim.value is not None:  # it holds in another situation
                note = f"Ask whether it holds for you: {condition_text(template, claim)}. {note}"
            blocked = tuple(
                g.id for g in template.gates if g.criterion == leaf.id and gate_on[g.id]
            )
            found.append(Gap(vendor.id, leaf.id, leaf.name, w, gain, loss, blocked, note))
        out[vendor.id] = sorted(found, key=lambda g: (not g.gates, -g.span, g.criterion))
    return out


@dataclass(frozen=True)
class DataReport:
    """How well one vendor's profile is evidenced."""

    vendor: str
    name: str
    grades: dict[str, int]  # confidence level -> claims (every leaf of the template)
    linked: int  # sources with an address (`url` or `via`)
    noted: int  # sources without one, that say why (`url_note`)
    bare: int  # sources of a linked kind with neither
    stale: int  # claims older than the template's limit, counted from their last check
    conditional: int  # claims that hold only in some situations
    open_gates: tuple[str, ...]  # enabled gates with no evidence either way


def data_report(
    template: Template, vendors: Sequence[Vendor], today: dt.date, options: Options | None = None
) -> list[DataReport]:
    """Per vendor: claims by grade, sources with and without an address, stale and conditional
    claims, and the gates still open for lack of evidence."""
    options = options or Options()
    result = score(template, vendors, options)
    out = []
    for vendor in vendors:
        views = review(template, vendor, today)
        grades = dict.fromkeys(CONFIDENCE_LEVELS, 0)
        for view in views:
            grades[view.claim.confidence if view.claim else "unknown"] += 1
        sources = [s for v in views if v.claim for s in v.claim.sources]
        sources += [s for f in vendor.funding_context for s in f.sources]
        row = result.row(vendor.id)
        out.append(
            DataReport(
                vendor.id,
                vendor.name,
                grades,
                sum(1 for s in sources if s.link),
                sum(1 for s in sources if not s.link and s.url_note),
                sum(1 for s in sources if not s.link and not s.url_note and s.kind in LINKED_KINDS),
                sum(v.stale for v in views),
                sum(bool(v.claim and v.claim.condition) for v in views),
                tuple(row.open_gates),
            )
        )
    return out
