"""A procurement session as data: the template, the vendors chosen, weights, gates, policies and
the buyer's own overrides. It can be saved as one file and loaded later to carry on.

Pure: `loading` reads and writes session files; the app keeps one in its state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from scorecard.model import (
    Claim,
    FrozenModel,
    Id,
    MissingPolicy,
    Problem,
    Template,
    Vendor,
    Weight,
    check_claims,
    nearest,
)
from scorecard.scoring import Method, Options, Result, score

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
    vendors: tuple[Id, ...]
    profile: Id | None = None
    weights: dict[Id, Weight] = Field(default_factory=dict)
    gates: dict[Id, bool] = Field(default_factory=dict)
    missing: MissingPolicy | None = None
    confidence: bool | None = None
    method: Method = "wsm"
    overrides: tuple[Override, ...] = ()

    def options(self) -> Options:
        return Options(
            method=self.method,
            profile=self.profile,
            weights=dict(self.weights),
            missing=self.missing,
            confidence=self.confidence,
            gates=dict(self.gates),
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


def check_session(session: Session, available: Sequence[str]) -> list[Problem]:
    """Problems a session has against the vendors on hand and its own template."""
    problems: list[Problem] = []
    template = session.template
    node_ids = [c.id for c in template.nodes()]
    for i, vendor_id in enumerate(session.vendors):
        if vendor_id not in available:
            hint = nearest(vendor_id, list(available)) or "it may have been removed from vendors/"
            problems.append(
                Problem("unknown-vendor", f"no vendor {vendor_id!r}", ("vendors", i), hint)
            )
    if session.profile is not None and session.profile not in template.profiles:
        problems.append(
            Problem(
                "unknown-profile",
                f"no profile {session.profile!r} in the template",
                ("profile",),
                nearest(session.profile, list(template.profiles)),
            )
        )
    for key in session.weights:
        if key not in node_ids:
            problems.append(
                Problem(
                    "unknown-criterion",
                    f"no criterion {key!r} in the template",
                    ("weights", key),
                    nearest(key, node_ids),
                )
            )
    gate_ids = ["available", *(g.id for g in template.gates)]
    for key in session.gates:
        if key not in gate_ids:
            problems.append(
                Problem(
                    "unknown-gate",
                    f"no gate {key!r} in the template",
                    ("gates", key),
                    nearest(key, gate_ids),
                )
            )
    for i, override in enumerate(session.overrides):
        if override.vendor not in available:
            problems.append(
                Problem(
                    "unknown-vendor",
                    f"no vendor {override.vendor!r}",
                    ("overrides", i, "vendor"),
                    nearest(override.vendor, list(available)),
                )
            )
        for p in check_claims({override.criterion: override.claim}, [template]):
            loc = (
                ("overrides", i, "criterion")
                if len(p.loc) == 2
                else ("overrides", i, "claim", *p.loc[2:])
            )
            problems.append(Problem(p.code, p.message, loc, p.hint))
    return problems


@dataclass(frozen=True)
class Comparison:
    """Everything an export needs: the inputs as scored (overrides applied) and the result."""

    template: Template
    vendors: tuple[Vendor, ...]
    options: Options
    overrides: tuple[Override, ...]
    result: Result


def compare(
    template: Template,
    vendors: Sequence[Vendor],
    options: Options | None = None,
    overrides: Sequence[Override] = (),
) -> Comparison:
    """Apply the buyer's overrides and score: the one call behind every export."""
    options = options or Options()
    effective = tuple(apply_overrides(vendors, overrides))
    return Comparison(
        template, effective, options, tuple(overrides), score(template, effective, options)
    )


RECORD_FORMAT = "scorecard-decision-record/1"


class RecordedFile(FrozenModel):
    """An input file as it was when the record was made."""

    path: str
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    vendor: Id | None = None  # set for vendor profiles


class DecisionRecord(FrozenModel):
    """Which inputs, weights and policies produced a ranking, so it can be reproduced later."""

    format: Literal["scorecard-decision-record/1"]
    tool: str
    version: str
    created: str
    template_path: str | None  # None: a template edited or uploaded in the app (see session)
    files: tuple[RecordedFile, ...]
    session: Session  # template as scored, vendors, weights, gates, policies, overrides
    result: dict[str, Any]  # the ranking as exported (see export.ranking)
