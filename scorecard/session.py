"""A procurement session as data: the template, the vendors chosen, weights, gates, policies and
the buyer's own overrides. It can be saved as one file and loaded later to carry on.

Pure: `loading` reads and writes session files; the app keeps one in its state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from scorecard.model import (
    MAX_OVERRIDES,
    MAX_VENDORS,
    Claim,
    FrozenModel,
    Id,
    MissingPolicy,
    OpenGatePolicy,
    Problem,
    StalePolicy,
    Template,
    Vendor,
    Weight,
    check_claims,
    check_dates,
    check_template,
    check_weight_ids,
    unknown,
)
from scorecard.panel import PanelRecord
from scorecard.scoring import (
    AVAILABILITY_GATE,
    Method,
    Options,
    Result,
    build_matrix,
    evaluate,
    total_weight,
)
from scorecard.summary import Summary, summarise

SESSION_FORMAT = "scorecard-session/1"


class Override(FrozenModel):
    """A claim the buyer adds or replaces for one vendor (say, latency from their own pilot)."""

    vendor: Id
    criterion: Id
    claim: Claim


class Session(FrozenModel):
    """Everything needed to carry on a comparison later, in one file."""

    format: Literal["scorecard-session/1"]  # no default: every saved file says what it is
    template: Template
    vendors: Annotated[tuple[Id, ...], Field(max_length=MAX_VENDORS)]
    profile: Id | None = None
    weights: dict[Id, Weight] = Field(default_factory=dict)
    gates: dict[Id, bool] = Field(default_factory=dict)
    missing: MissingPolicy | None = None
    confidence: bool | None = None
    method: Method = "wsm"
    conditions: dict[Id, bool] = Field(default_factory=dict)  # the buyer's situation
    open_gates: OpenGatePolicy | None = None
    stale: StalePolicy | None = None
    #: The day claims are judged stale on; left out, the day the session is scored. A decision
    #: record sets it, so that reproducing it later judges staleness as it was.
    as_of: dt.date | None = None
    overrides: Annotated[tuple[Override, ...], Field(max_length=MAX_OVERRIDES)] = ()

    def options(self, today: dt.date | None = None) -> Options:
        """The scoring options of this session, judged on `as_of` (or else `today`)."""
        return Options(
            method=self.method,
            profile=self.profile,
            weights=dict(self.weights),
            missing=self.missing,
            confidence=self.confidence,
            gates=dict(self.gates),
            conditions=dict(self.conditions),
            open_gates=self.open_gates,
            stale=self.stale,
            as_of=self.as_of or today,
        )


def apply_overrides(vendors: Iterable[Vendor], overrides: Sequence[Override]) -> list[Vendor]:
    """The vendors with the buyer's claims in place of (or added to) the profile's."""
    out = []
    for vendor in vendors:
        mine = {o.criterion: o.claim for o in overrides if o.vendor == vendor.id}
        out.append(
            vendor.model_copy(update={"claims": {**vendor.claims, **mine}}) if mine else vendor
        )
    return out


#: What kind of change each field of a session is, in the history of a stored session.
CHANGE_KINDS: dict[str, str] = {
    "template": "template",
    "vendors": "vendors",
    "profile": "weight",
    "weights": "weight",
    "gates": "gate",
    "open_gates": "gate",
    "missing": "policy",
    "confidence": "policy",
    "stale": "policy",
    "method": "policy",
    "as_of": "policy",
    "conditions": "situation",
    "overrides": "override",
}


def changes(old: Session, new: Session) -> tuple[str, dict[str, Any]]:
    """What changed from `old` to `new`, as the history records it: the kind (that of the first
    field changed, in CHANGE_KINDS' order; "none" if nothing changed) and, per field changed, a
    mapping's changed keys with [before, after], the template's id and version before and after,
    the overrides added and removed (vendor/criterion), or any other field's [before, after]."""
    detail: dict[str, Any] = {}
    for name in CHANGE_KINDS:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if isinstance(before, dict):
            keys = sorted(set(before) | set(after))
            detail[name] = {
                k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)
            }
        elif name == "template":
            detail[name] = [f"{t.id} {t.version}" for t in (before, after)]
        elif name == "overrides":
            was = {o.model_dump_json(): o for o in before}
            now = {o.model_dump_json(): o for o in after}
            detail[name] = {
                "added": sorted(f"{now[k].vendor}/{now[k].criterion}" for k in now.keys() - was),
                "removed": sorted(f"{was[k].vendor}/{was[k].criterion}" for k in was.keys() - now),
            }
        else:
            detail[name] = [_plain(before), _plain(after)]
    kind = CHANGE_KINDS[next(iter(detail))] if detail else "none"
    return kind, detail


def change_text(detail: dict[str, Any]) -> str:
    """A history entry's detail (as `changes` makes it) in words: "weights latency: 1 → 2;
    missing: not set → neutral; override added: kling-ai/generation_time"."""
    parts: list[str] = []
    for name, value in detail.items():
        if name == "overrides":
            parts += [f"override added: {x}" for x in value["added"]]
            parts += [f"override removed: {x}" for x in value["removed"]]
        elif isinstance(value, dict):
            parts += [f"{name} {k}: {_shown(a)} → {_shown(b)}" for k, (a, b) in value.items()]
        elif isinstance(value, list):
            parts.append(f"{name}: {_shown(value[0])} → {_shown(value[1])}")
        else:
            parts.append(f"{name}: {_shown(value)}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(map(_shown, value)) or "none"
    return str(value)


def _plain(value: Any) -> Any:
    """A field's value as JSON carries it."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def check_session(
    session: Session, available: Sequence[str], today: dt.date | None = None
) -> list[Problem]:
    """Problems a session has against the vendors on hand and its own template (and, given
    `today`, override dates after it)."""
    template, available = session.template, list(available)
    inside = check_template(template)  # repeated ids, zero weights, gates: as in a file
    if inside:
        return [Problem(p.code, p.message, ("template", *p.loc), p.hint) for p in inside]
    problems = check_weight_ids(template, {}, (), session.weights)
    problems += [
        unknown(("vendors", i), v, available, "vendor", "unknown-vendor")
        for i, v in enumerate(session.vendors)
        if v not in available
    ]
    if session.profile is not None and session.profile not in template.profiles:
        problems.append(
            unknown(
                ("profile",), session.profile, list(template.profiles), "profile", "unknown-profile"
            )
        )
    gate_ids = [AVAILABILITY_GATE[0], *(g.id for g in template.gates)]
    problems += [
        unknown(("gates", key), key, gate_ids, "gate", "unknown-gate")
        for key in session.gates
        if key not in gate_ids
    ]
    problems += [
        unknown(
            ("conditions", key), key, list(template.conditions), "condition", "unknown-condition"
        )
        for key in session.conditions
        if key not in template.conditions
    ]
    for i, override in enumerate(session.overrides):
        if override.vendor not in available:
            problems.append(
                unknown(
                    ("overrides", i, "vendor"),
                    override.vendor,
                    available,
                    "vendor",
                    "unknown-vendor",
                )
            )
        for p in check_claims({override.criterion: override.claim}, [template]):
            loc = (
                ("overrides", i, "criterion")
                if len(p.loc) == 2
                else ("overrides", i, "claim", *p.loc[2:])
            )
            problems.append(Problem(p.code, p.message, loc, p.hint))
        if today is not None:
            problems += check_dates(override.claim, today, ("overrides", i, "claim"))
    if not problems and total_weight(template, session.options()) <= 0:
        problems.append(
            Problem(
                "zero-weights",
                "every weight is 0, so there is nothing to score",
                ("weights",),
                "give at least one criterion a weight above 0",
            )
        )
    return problems


@dataclass(frozen=True)
class Comparison:
    """Everything an export needs: the inputs as scored (overrides applied) and the result."""

    template: Template
    vendors: tuple[Vendor, ...]
    options: Options
    overrides: tuple[Override, ...]
    result: Result
    summary: Summary  # what every export opens with


def compare(
    template: Template,
    vendors: Sequence[Vendor],
    options: Options | None = None,
    overrides: Sequence[Override] = (),
) -> Comparison:
    """Apply the buyer's overrides, score and summarise: the one call behind every export."""
    options = options or Options()
    effective = tuple(apply_overrides(vendors, overrides))
    matrix = build_matrix(template, effective, options.conditions, options.as_of)
    result = evaluate(template, matrix, options)
    names = {v.id: v.name for v in effective} | {c.id: c.name for c in template.nodes()}
    summary = summarise(template, matrix, result, options, names)
    return Comparison(template, effective, options, tuple(overrides), result, summary)


RECORD_FORMAT = "scorecard-decision-record/2"


class RecordedFile(FrozenModel):
    """An input file as it was when the record was made."""

    path: str
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    vendor: Id | None = None  # set for vendor profiles


class QuestionnaireEvent(FrozenModel):
    """A questionnaire sent to a vendor, or its answers received, as the files say."""

    vendor: Id
    event: Literal["sent", "answered"]
    date: str
    file: str


class DecisionRecord(FrozenModel):
    """Which inputs, weights and policies produced a ranking, so it can be reproduced later."""

    format: Literal["scorecard-decision-record/2"]
    tool: str
    version: str
    created: str
    template_path: str | None  # None: a template edited or uploaded in the app (see session)
    files: tuple[RecordedFile, ...]
    session: Session  # template as scored, vendors, weights, gates, policies, overrides
    result: dict[str, Any]  # the ranking as exported (see export.ranking)
    #: The executive summary as exported: recommendation, certainty, open questions, choices.
    summary: dict[str, Any] | None = None
    #: Questionnaires sent and answered, from the files under `responses/` (see `files`).
    questionnaires: tuple[QuestionnaireEvent, ...] = ()
    #: A panel session's submissions, agreement, decision and signatures.
    panel: PanelRecord | None = None
    #: SHA-256 of everything above (see `export.record.digest`): an edit anywhere shows. It is a
    #: check against mistakes and casual edits, not a signature: anyone can recompute it.
    digest: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
