"""The data model: criteria templates and vendor profiles.

Pure: pydantic models and the checks that need more than one field (a gate naming a criterion, a
claim fitting its measure). No I/O and no YAML here; `loading` turns files into these models and
gives every problem its file and line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

#: Evidence confidence levels, strongest first. `unknown` means no evidence at all.
CONFIDENCE_LEVELS: tuple[str, ...] = ("verified", "confirmed", "reported", "claimed", "unknown")
Confidence = Literal["verified", "confirmed", "reported", "claimed", "unknown"]
Status = Literal["available", "preview", "discontinued"]
MissingPolicy = Literal["worst", "neutral", "exclude"]
#: A gate with no evidence either way is `open`: `include` ranks the vendor by its score, marked
#: "ask"; `exclude` treats silence as a no, for buyers who must.
OpenGatePolicy = Literal["include", "exclude"]
#: A claim older than `stale_after_days` counts in `full`, at `stale_factor` (`discount`), or not
#: at all (`unknown`: an open question again).
StalePolicy = Literal["full", "discount", "unknown"]

_DIRECTION_ALIASES = {
    "higher": "higher",
    "high": "higher",
    "max": "higher",
    "maximize": "higher",
    "maximise": "higher",
    "+": "higher",
    "benefit": "higher",
    "lower": "lower",
    "low": "lower",
    "min": "lower",
    "minimize": "lower",
    "minimise": "lower",
    "-": "lower",
    "cost": "lower",
}


def _normalise_direction(value: Any) -> Any:
    """Accept the usual spellings of an objective (`max`, `+`, `minimize`...) and keep one."""
    if isinstance(value, str):
        return _DIRECTION_ALIASES.get(value.strip().lower(), value)
    return value


Direction = Annotated[Literal["higher", "lower"], BeforeValidator(_normalise_direction)]
Id = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", min_length=1, max_length=64)
]

#: Limits that keep one file or session from costing a shared server minutes of work.
MAX_CRITERIA = 500  # criteria (groups and leaves) in a template
MAX_VENDORS = 500  # vendors in a workspace or a session
MAX_OVERRIDES = 5000  # buyer overrides in a session
MAX_WEIGHT = 1e6  # weights are relative: no sensible set needs a larger one
MAX_QUOTE_WORDS = 25  # a quote shows the words a value rests on, not the page
MAX_RATING_LEVELS = 101  # a rating scale such as 0..100, each level with its rubric sentence

# Characters that change the direction of the text around them (the "Trojan Source" set): a
# name or note holding one can display differently from what it says.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Control characters other than tab and line breaks: no document has them, and some renderers
# (the SVG of a chart) fail on them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_LOOKALIKE_SCRIPTS = {"LATIN", "CYRILLIC", "GREEK"}


def _no_hidden_controls(value: str) -> str:
    found = _BIDI_CONTROLS.search(value)
    if found:
        raise ValueError(
            f"contains the invisible direction control U+{ord(found.group()):04X}, which makes "
            "text display differently from what it says; remove it"
        )
    found = _CONTROL.search(value)
    if found:
        raise ValueError(
            f"contains the control character U+{ord(found.group()):04X}, which is not text; "
            "remove it"
        )
    return value


def _plain_name(value: str) -> str:
    """A name must look like what it is: no invisible characters, and no word that mixes Latin,
    Cyrillic or Greek letters (a Cyrillic 'а' in 'Runwаy' passes for the real vendor)."""
    found = _INVISIBLE.search(value)
    if found:
        raise ValueError(f"contains the invisible character U+{ord(found.group()):04X}; remove it")
    for word in re.split(r"[\W_]+", value):
        scripts = {unicodedata.name(ch, "").split(" ")[0] for ch in word if ch.isalpha()}
        mixed = scripts & _LOOKALIKE_SCRIPTS
        if len(mixed) > 1:
            raise ValueError(
                f"the word {word!r} mixes {' and '.join(sorted(s.title() for s in mixed))} "
                "letters, so it can pass for another name; write it in one script"
            )
    return value


def name_key(name: str) -> str:
    """Two names that read alike have the same key (case, width and spacing ignored)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_no_hidden_controls),
]
Name = Annotated[Text, AfterValidator(_plain_name)]
LongText = Annotated[str, StringConstraints(max_length=20000), AfterValidator(_no_hidden_controls)]
#: A person's remark (a rating's reason, a sign-off's comment): one paragraph.
Remark = Annotated[str, StringConstraints(max_length=1000), AfterValidator(_no_hidden_controls)]
Weight = Annotated[float, Field(strict=True, ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
#: A template named by its file in the same folder: never a path, so it cannot leave that folder.
TemplateFile = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$", max_length=128)
]


def _to_partial_date(value: Any) -> Any:
    """Dates may be as precise as the source is: 2025, 2025-12 or 2025-12-03."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _check_partial_date(value: str) -> str:
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], *[*parts[1:], 1, 1][:2])
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date ({exc})") from None
    return value


_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
PartialDate = Annotated[
    str,
    BeforeValidator(_to_partial_date),
    StringConstraints(pattern=_DATE_PATTERN),
    AfterValidator(_check_partial_date),
    # Editors read `2025` as a number and `2025-12-03` as text: both are dates here.
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": _DATE_PATTERN}, {"type": "integer"}]}),
]


def earliest_day(value: str) -> dt.date:
    """The first day a partial date can mean: its age is never understated."""
    parts = [int(p) for p in value.split("-")]
    return dt.date(parts[0], *[*parts[1:], 1, 1][:2])


class FrozenModel(BaseModel):
    """Every model: immutable, and a key it does not know is an error, not a silent default."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------------------------------------
# Measures: how a claim becomes a utility in [0, 1]
# ---------------------------------------------------------------------------------------------


class Linear(FrozenModel):
    """Utility rises linearly from 0 at `worst` to 1 at `best`, clamped outside."""

    type: Literal["linear"]
    worst: Number
    best: Number


class Logarithmic(FrozenModel):
    """Linear in log(value) between `worst` and `best` (both > 0): for money and scale."""

    type: Literal["log"]
    worst: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
    best: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]


class Piecewise(FrozenModel):
    """Straight lines between `points` `[value, utility]`, flat beyond the first and last."""

    type: Literal["piecewise"]
    points: Annotated[list[tuple[Number, Annotated[float, Field(ge=0, le=1)]]], Field(min_length=2)]

    @field_validator("points")
    @classmethod
    def _increasing(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        xs = [x for x, _ in points]
        if any(b <= a for a, b in pairwise(xs)):
            raise ValueError("point values must strictly increase, e.g. [[0, 0], [10, 1]]")
        return points


ValueFunction = Annotated[Linear | Logarithmic | Piecewise, Field(discriminator="type")]


class RatingMeasure(FrozenModel):
    """An ordinal rating, with a rubric sentence for every level of the scale."""

    type: Literal["rating"]
    scale: tuple[int, int] = (0, 5)
    rubric: dict[int, Text]

    @model_validator(mode="after")
    def _rubric_covers_scale(self) -> RatingMeasure:
        low, high = self.scale
        if low >= high:
            raise ValueError(f"scale must be [low, high] with low < high, got [{low}, {high}]")
        if high - low > MAX_RATING_LEVELS - 1:
            raise ValueError(
                f"a rating scale has at most {MAX_RATING_LEVELS} levels (one rubric sentence "
                f"each), got [{low}, {high}]"
            )
        levels = set(range(low, high + 1))
        missing = sorted(levels - set(self.rubric))
        extra = sorted(set(self.rubric) - levels)
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"no rubric for level(s) {missing}")
            if extra:
                parts.append(f"rubric level(s) {extra} outside the scale {low}..{high}")
            raise ValueError("; ".join(parts) + " (every level needs one sentence)")
        return self


class NumberMeasure(FrozenModel):
    """A quantity with a unit, a direction and a value function."""

    type: Literal["number"]
    unit: Text
    direction: Direction
    value_function: ValueFunction
    #: The least value a claim can have: 0 by default (times, prices and counts are never
    #: negative); null for a quantity that can be negative.
    minimum: Number | None = 0

    @model_validator(mode="after")
    def _function_agrees_with_direction(self) -> NumberMeasure:
        fn = self.value_function
        higher = self.direction == "higher"
        if isinstance(fn, Linear | Logarithmic):
            if fn.best == fn.worst:
                raise ValueError("value_function: best and worst must differ")
            if not math.isfinite(fn.best - fn.worst):
                raise ValueError(
                    "value_function: best and worst are too far apart to compute with; "
                    "use a larger unit"
                )
            if (fn.best > fn.worst) != higher:
                raise ValueError(
                    f"value_function: direction is {self.direction} but best={fn.best:g} and "
                    f"worst={fn.worst:g}; swap them or change the direction"
                )
        else:
            us = [u for _, u in fn.points]
            pairs = list(pairwise(us))
            monotone = all(b >= a for a, b in pairs) if higher else all(b <= a for a, b in pairs)
            if not monotone:
                trend = "rise" if higher else "fall"
                raise ValueError(
                    f"value_function: utilities of the points must {trend} as the value grows "
                    f"(direction {self.direction})"
                )
        return self


class BooleanMeasure(FrozenModel):
    """Yes is worth 1, no is worth 0."""

    type: Literal["boolean"]


class CoverageMeasure(FrozenModel):
    """A set of options; the utility is the share of the `required` options a vendor covers."""

    type: Literal["coverage"]
    options: Annotated[list[Id], Field(min_length=1)]
    required: list[Id] | None = None

    @model_validator(mode="after")
    def _required_among_options(self) -> CoverageMeasure:
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must not repeat")
        unknown = [r for r in self.required or () if r not in self.options]
        if unknown:
            raise ValueError(f"required option(s) {unknown} are not among options {self.options}")
        if self.required is not None and not self.required:
            raise ValueError("required must name at least one option (or be left out: all)")
        return self

    @property
    def required_options(self) -> list[str]:
        return list(self.required) if self.required is not None else list(self.options)


Measure = Annotated[
    RatingMeasure | NumberMeasure | BooleanMeasure | CoverageMeasure, Field(discriminator="type")
]


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


class Criterion(FrozenModel):
    """A node of the criteria tree: a group (`criteria`) or a leaf (`measure`)."""

    id: Id
    name: Text
    description: LongText = ""
    weight: Weight = 1.0
    measure: Measure | None = None
    criteria: tuple[Criterion, ...] = ()
    #: The buyers judge it themselves (output quality seen in a demo, support in a pilot): in a
    #: panel each evaluator rates each vendor on its rubric, and the panel's value counts as
    #: verified buyer evidence (see `Policies.panel_scores`).
    #: Left out of every dump while False, so that a record made before the field existed
    #: digests as it did.
    panel_scored: Annotated[bool, Field(strict=True, exclude_if=lambda v: not v)] = False

    @model_validator(mode="after")
    def _leaf_or_group(self) -> Criterion:
        if (self.measure is None) == (not self.criteria):
            raise ValueError(
                "a criterion has either a measure (a leaf) or sub-criteria (a group), not both "
                "and not neither"
            )
        if self.panel_scored and not isinstance(self.measure, RatingMeasure):
            raise ValueError(
                "panel_scored needs a rating measure: evaluators rate each vendor on its rubric"
            )
        return self

    def walk(self) -> Iterator[Criterion]:
        yield self
        for child in self.criteria:
            yield from child.walk()


class Gate(FrozenModel):
    """A must-have. `require` reads by the criterion's measure: the least acceptable rating, a
    threshold number (in the measure's direction), `true`/`false`, or the options required."""

    id: Id
    name: Text
    criterion: Id
    require: Annotated[bool, Field(strict=True)] | Number | list[Id]
    enabled: bool = True


class WeightProfile(FrozenModel):
    """A named stakeholder view: weights that replace the template's for the criteria it names."""

    name: Text
    description: LongText = ""
    weights: dict[Id, Weight]


class ConfidenceFactors(FrozenModel):
    """The share of a claim's utility credited at each evidence level."""

    enabled: bool = True
    verified: Annotated[float, Field(ge=0, le=1)] = 1.0
    confirmed: Annotated[float, Field(ge=0, le=1)] = 1.0
    reported: Annotated[float, Field(ge=0, le=1)] = 0.8
    claimed: Annotated[float, Field(ge=0, le=1)] = 0.6

    def factor(self, level: str) -> float:
        return getattr(self, level) if self.enabled else 1.0


class Policies(FrozenModel):
    missing: MissingPolicy = "worst"
    confidence: ConfidenceFactors = ConfidenceFactors()
    open_gates: OpenGatePolicy = "include"
    stale_after_days: Annotated[int, Field(strict=True, gt=0)] = 365
    stale: StalePolicy = "full"
    stale_factor: Annotated[float, Field(ge=0, le=1)] = 0.5
    #: A panel-scored criterion's value: the median of the evaluators' ratings, or their mean.
    panel_scores: Annotated[
        Literal["median", "mean"], Field(exclude_if=lambda v: v == "median")
    ] = "median"


class Condition(FrozenModel):
    """A situation a vendor's answer can depend on ("bought through the API", "on an enterprise
    contract"), and whether it is the buyer's (`holds`). A claim that names conditions counts only
    when all of them hold."""

    name: Text
    holds: Annotated[bool, Field(strict=True)] = False


class Template(FrozenModel):
    """A criteria template: the tree, its gates, stakeholder profiles, policies and the
    conditions its claims may depend on."""

    id: Id
    name: Text
    version: Text
    description: LongText = ""
    criteria: Annotated[tuple[Criterion, ...], Field(min_length=1)]
    gates: tuple[Gate, ...] = ()
    profiles: dict[Id, WeightProfile] = {}
    policies: Policies = Policies()
    conditions: dict[Id, Condition] = {}

    def nodes(self) -> Iterator[Criterion]:
        for top in self.criteria:
            yield from top.walk()

    def leaves(self) -> list[Criterion]:
        return [c for c in self.nodes() if c.measure is not None]

    def node(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.nodes() if c.id == criterion_id), None)

    def with_weights(self, weights: dict[str, float]) -> Template:
        """This template with the weights of the criteria named in `weights` replaced."""

        def reweight(nodes: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
            return tuple(
                n.model_copy(
                    update={
                        "weight": float(weights.get(n.id, n.weight)),
                        "criteria": reweight(n.criteria),
                    }
                )
                for n in nodes
            )

        return self.model_copy(update={"criteria": reweight(self.criteria)}) if weights else self


class TemplateOverlay(FrozenModel):
    """A template that `extends` another by path: it may re-weight criteria and add or replace
    gates, profiles and policies, but the criteria tree is the base's."""

    id: Id
    name: Text
    version: Text
    description: LongText = ""
    extends: TemplateFile
    weights: dict[Id, Weight] = {}
    gates: tuple[Gate, ...] = ()
    profiles: dict[Id, WeightProfile] = {}
    policies: dict[str, Any] = {}
    conditions: dict[Id, Condition] = {}


# ---------------------------------------------------------------------------------------------
# Vendor profiles
# ---------------------------------------------------------------------------------------------


#: What kind of document a source is. `vendor` and `filing` are primary sources.
SourceKind = Literal["vendor", "filing", "media", "third-party", "buyer", "vendor-response"]
#: The source kinds that can carry each level: a level is no stronger than its best source.
LEVEL_NEEDS: dict[str, tuple[str, ...]] = {
    "verified": ("buyer", "vendor", "filing"),
    "confirmed": ("vendor", "filing"),
}


def _short_quote(text: str) -> str:
    words = len(text.split())
    if words > MAX_QUOTE_WORDS:
        raise ValueError(
            f"a quote is at most {MAX_QUOTE_WORDS} words; this one has {words} (quote verbatim, "
            "and mark an omission with …)"
        )
    return text


Quote = Annotated[Text, AfterValidator(_short_quote)]


class Source(FrozenModel):
    """Where a claim comes from. `kind`: `vendor` (its own documents, terms, model pages),
    `filing` (regulatory or exchange), `media` (independent press), `third-party` (resellers,
    aggregators, analysts, blogs), `buyer` (the buyer's own pilot or contract) or
    `vendor-response` (the vendor's answer to the buyer's questionnaire). `publisher` is
    whose document it is. `url` is the document's own address; `via` is the address of a copy that
    was read instead (a GitHub copy of terms, a docs mirror), which says that the document itself
    was not read; `url_note` says why there is no address at all. `quote` holds the words the
    value rests on (verbatim, at most 25) and `locator` where they are (a section, "§6.4"). `date`
    is the publication date, as precise as known (2025, 2025-12, 2025-12-03); `accessed` is when
    the page was read."""

    title: Text
    publisher: Text
    kind: SourceKind
    url: Url | None = None
    via: Url | None = None
    url_note: Text | None = None
    quote: Quote | None = None
    locator: Text | None = None
    date: PartialDate | None = None
    accessed: PartialDate | None = None

    @model_validator(mode="after")
    def _dated(self) -> Source:
        if self.date is None and self.accessed is None:
            raise ValueError(
                "a source needs a `date` (published) or, for an undated page, "
                "`accessed` (when it was read)"
            )
        if self.url_note is not None and (self.url or self.via):
            raise ValueError("`url_note` says why a source has no address; it has one, drop it")
        if self.via is not None and self.via == self.url:
            raise ValueError(
                "`via` is a copy read instead of the document at `url`; when the document "
                "itself was read, give only `url`"
            )
        return self

    @property
    def link(self) -> str | None:
        """The address a reader can open: the document's, else the copy's."""
        return self.url or self.via


def _finite(number: float) -> bool:
    """Finite as a float: an integer of 400 digits is not."""
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


def _check_value_shape(value: Any) -> Any:
    """A claim value is a number, a range [low, high], a rating, a boolean or a list of options."""
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, int | float) and not isinstance(value, bool) and not _finite(value):
            raise ValueError("value must be a finite number (at most about 1.8e308)")
        if isinstance(value, str):
            raise ValueError(
                "a value is a number, a range [low, high], a boolean or a list of options, "
                f"not the text {value!r}; put words in `note`"
            )
        return value
    if isinstance(value, list):
        if not value:
            return value  # a list of options that covers none of them
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            if len(value) != 2:
                raise ValueError(f"a range is [low, high], got {len(value)} numbers")
            if not all(_finite(v) for v in value):
                raise ValueError("a range must hold finite numbers (at most about 1.8e308)")
            if value[0] > value[1]:
                raise ValueError(f"range low {value[0]} is above high {value[1]}")
            return value
        if all(isinstance(v, str) for v in value):
            if len(set(value)) != len(value):
                raise ValueError("list of options repeats an option")
            return value
    raise ValueError(
        f"a value is a number, a range [low, high], a boolean or a list of options; got {value!r}"
    )


class Claim(FrozenModel):
    """One fact about a vendor for one leaf criterion, with its evidence."""

    value: Annotated[Any, BeforeValidator(_check_value_shape)] = None
    unit: Text | None = None
    confidence: Confidence
    sources: tuple[Source, ...] = ()
    as_of: PartialDate | None = None
    #: When the claim was last checked against its sources (a licence published in 2024 and read
    #: again this month is not stale): staleness counts from the later of this and `as_of`.
    checked: PartialDate | None = None
    #: The claim holds only in these situations (ids of the template's `conditions`), all of them:
    #: "paid plans, through the API". Where the buyer's situation differs, it does not count.
    condition: tuple[Id, ...] = ()
    note: LongText = ""
    derivation: LongText = ""  # how a derived value was computed from its sources

    @model_validator(mode="after")
    def _evidence(self) -> Claim:
        if self.confidence == "unknown":
            if self.value is not None:
                raise ValueError(
                    "an unknown claim has no value: drop `value` or grade the evidence"
                )
            if not self.note.strip():
                raise ValueError("an unknown claim needs a `note` saying what to ask the vendor")
        else:
            if self.value is None:
                raise ValueError(
                    f"a claim graded {self.confidence!r} needs a value; "
                    "with no evidence, say confidence: unknown"
                )
            if not self.sources:
                raise ValueError(f"a claim graded {self.confidence!r} needs at least one source")
            needs = LEVEL_NEEDS.get(self.confidence)
            if needs and not any(s.kind in needs for s in self.sources):
                raise ValueError(
                    f"a claim graded {self.confidence!r} needs a source of kind "
                    f"{' or '.join(needs)}; with media or third-party sources only, grade it "
                    "'reported' (or 'claimed' for vendor marketing)"
                )
        return self

    @property
    def is_range(self) -> bool:
        return (
            isinstance(self.value, list)
            and len(self.value) == 2
            and all(isinstance(v, int | float) for v in self.value)
        )


def claim_date(claim: Claim) -> str | None:
    """When a claim was true: its `as_of`, else the newest date among its sources."""
    if claim.as_of:
        return claim.as_of
    dates = [s.date or s.accessed for s in claim.sources if s.date or s.accessed]
    return max(dates, key=earliest_day) if dates else None


def claim_checked(claim: Claim) -> str | None:
    """When a claim was last checked: its `checked`, else the newest `accessed` of its sources
    (when a page was read, as against when it was published)."""
    if claim.checked:
        return claim.checked
    reads = [s.accessed for s in claim.sources if s.accessed]
    return max(reads, key=earliest_day) if reads else None


def claim_age(claim: Claim, today: dt.date) -> int | None:
    """Days from the later of a claim's date and its last check to `today` (None: undated)."""
    latest = max(
        (d for d in (claim_date(claim), claim_checked(claim)) if d), key=earliest_day, default=None
    )
    return (today - earliest_day(latest)).days if latest else None


def is_stale(claim: Claim | None, today: dt.date, limit_days: int) -> bool:
    """A claim with a value, older than `limit_days`."""
    if claim is None or claim.value is None:
        return False
    age = claim_age(claim, today)
    return age is not None and age > limit_days


FundingLayer = Literal["consensus", "attributed", "characterisation"]


class FundingStatement(FrozenModel):
    """One layer of a funding story, kept apart from the others: what several outlets agree on
    (`consensus`), what one outlet attributes (`attributed`), and media characterisations such as
    "a record round" (`characterisation`)."""

    layer: FundingLayer
    statement: Text
    attributed_to: Text | None = None
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]


class Vendor(FrozenModel):
    """A vendor profile: who they are and the claims about them, keyed by leaf criterion id."""

    id: Id
    name: Name
    company: Name
    status: Status
    website: Url | None = None
    offerings: tuple[Text, ...] = ()
    description: LongText = ""
    funding_context: tuple[FundingStatement, ...] = ()
    claims: dict[Id, Claim] = {}


def _full_day(value: str) -> str:
    if value.count("-") != 2:
        raise ValueError(f"{value!r}: give the day the answers came, e.g. 2026-11-26")
    return value


Day = Annotated[PartialDate, AfterValidator(_full_day)]
#: Names the questions of one questionnaire: 16 hex digits of their SHA-256.
Fingerprint = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


class Respondent(FrozenModel):
    """Who answered a questionnaire for the vendor, as they gave it."""

    name: Text
    role: Text | None = None
    email: Text | None = None


class Answer(FrozenModel):
    """A vendor's answer to one question: the value, and where the vendor says it is written."""

    value: Annotated[Any, BeforeValidator(_check_value_shape)]
    document: Text | None = None  # the document the vendor cites
    section: Text | None = None  # where in it
    url: Url | None = None
    comment: LongText = ""


class Response(FrozenModel):
    """A vendor's answers to a questionnaire (`vendors/responses/<vendor>/<date>.yaml`). They
    layer over the desk-research profile when it is loaded; the profile itself is never changed.
    `questionnaire` is the fingerprint of the questions asked, so the answers can be matched to
    them."""

    vendor: Id
    template: Id
    template_version: Text
    questionnaire: Fingerprint
    received: Day
    respondent: Respondent
    answers: Annotated[dict[Id, Answer], Field(min_length=1)]


class Sent(FrozenModel):
    """A questionnaire sent to a vendor (`vendors/responses/<vendor>/sent-<date>.yaml`): when,
    and which questions, so that the answers still open can be counted."""

    vendor: Id
    template: Id
    template_version: Text
    questionnaire: Fingerprint
    sent: Day
    questions: Annotated[tuple[Text, ...], Field(min_length=1, max_length=MAX_CRITERIA * 20)]


# ---------------------------------------------------------------------------------------------
# Checks across fields and files. Each returns problems located by a field path.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by field path (and, once loaded, by file and line)."""

    code: str
    message: str
    loc: tuple[str | int, ...] = ()
    hint: str = ""
    file: str = ""
    line: int | None = None
    column: int | None = None
    cell: str = ""  # in a workbook: "Questions!C12"

    @property
    def field(self) -> str:
        out = ""
        for part in self.loc:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.cell:
            where += f":{self.cell}"
        elif self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        text = f"{where}: [{self.code}] "
        if self.loc:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


def nearest(name: str, known: list[str]) -> str:
    """A 'did you mean' hint, or '' when nothing is close."""
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f"did you mean {match[0]!r}?" if match else ""


def unknown(
    loc: tuple, name: str, known: list[str], what: str, code: str = "unknown-criterion"
) -> Problem:
    """A name that is not among the `known` ones, with the nearest as a hint."""
    hint = nearest(name, known) or f"known: {', '.join(sorted(known)[:12]) or 'none'}"
    where = "" if what == "vendor" else " in the template"
    return Problem(code, f"no {what} {name!r}{where}", loc, hint)


def check_template(template: Template) -> list[Problem]:
    """Problems that span the tree: repeated ids, sibling weights, gates and profiles."""
    problems: list[Problem] = []
    seen: set[str] = set()
    count = sum(1 for _ in template.nodes())
    if count > MAX_CRITERIA:
        return [
            Problem(
                "too-many-criteria",
                f"{count:,} criteria; the limit is {MAX_CRITERIA:,}",
                ("criteria",),
                "split the template, or group the detail into fewer criteria",
            )
        ]

    def visit(nodes: tuple[Criterion, ...], loc: tuple) -> None:
        if nodes and sum(c.weight for c in nodes) == 0:
            problems.append(
                Problem(
                    "zero-weights",
                    "all sibling weights are 0, so this group counts for nothing",
                    loc,
                    "give at least one sibling a positive weight",
                )
            )
        for i, node in enumerate(nodes):
            if node.id in seen:
                problems.append(
                    Problem(
                        "duplicate-id",
                        f"criterion id {node.id!r} is used twice",
                        (*loc, i, "id"),
                        "every criterion id must be unique in the template",
                    )
                )
            seen.add(node.id)
            visit(node.criteria, (*loc, i, "criteria"))

    visit(template.criteria, ("criteria",))
    problems += check_weight_ids(template, template.profiles, template.gates)
    return problems


def check_weight_ids(
    template: Template,
    profiles: dict[str, WeightProfile],
    gates: tuple[Gate, ...],
    weights: dict[str, float] | None = None,
) -> list[Problem]:
    """Profiles, gates and weight overrides must name criteria the template has."""
    problems: list[Problem] = []
    all_ids = [c.id for c in template.nodes()]
    leaves = {c.id: c for c in template.leaves()}
    for key in weights or {}:
        if key not in all_ids:
            problems.append(unknown(("weights", key), key, all_ids, "criterion"))
    for name, profile in profiles.items():
        for key in profile.weights:
            if key not in all_ids:
                problems.append(
                    unknown(("profiles", name, "weights", key), key, all_ids, "criterion")
                )
    gate_ids: set[str] = set()
    for i, gate in enumerate(gates):
        if gate.id in gate_ids:
            problems.append(
                Problem("duplicate-id", f"gate id {gate.id!r} is used twice", ("gates", i, "id"))
            )
        gate_ids.add(gate.id)
        if gate.criterion not in leaves:
            known = list(leaves)
            problems.append(
                unknown(("gates", i, "criterion"), gate.criterion, known, "leaf criterion")
            )
            continue
        problem = _require_fits(gate.require, leaves[gate.criterion].measure)
        if problem:
            problems.append(Problem("gate-mismatch", problem, ("gates", i, "require")))
    return problems


def _require_fits(require: Any, measure: Any) -> str:
    if isinstance(measure, BooleanMeasure):
        return (
            "" if isinstance(require, bool) else "a boolean criterion's gate requires true or false"
        )
    if isinstance(measure, CoverageMeasure):
        if not isinstance(require, list) or not require:
            return "a coverage criterion's gate requires a list of options, e.g. [eu]"
        bad = [r for r in require if r not in measure.options]
        return f"option(s) {bad} are not among {measure.options}" if bad else ""
    if isinstance(require, bool) or not isinstance(require, int | float):
        return "this criterion's gate requires a number (the least acceptable level)"
    if isinstance(measure, RatingMeasure) and not (measure.scale[0] <= require <= measure.scale[1]):
        return f"{require:g} is outside the rating scale {measure.scale[0]}..{measure.scale[1]}"
    return ""


def check_claim(claim: Claim, measure: Any, whole: bool = True) -> list[tuple[str, str, str]]:
    """Does a claim's value fit its criterion's measure? Returns (field, message, hint) triples.
    A rating is a whole level, unless `whole` is False (a panel's median or mean)."""
    value = claim.value
    if value is None:
        return []
    out: list[tuple[str, str, str]] = []
    numbers = value if claim.is_range else [value]
    is_number = all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers)
    if isinstance(measure, BooleanMeasure):
        if not isinstance(value, bool):
            out.append(("value", f"expected true or false, got {value!r}", ""))
    elif isinstance(measure, CoverageMeasure):
        if not isinstance(value, list) or claim.is_range:
            out.append(
                (
                    "value",
                    f"expected a list of options from {measure.options}",
                    f"e.g. [{', '.join(measure.options[:2])}]",
                )
            )
        else:
            for option in value:
                if option not in measure.options:
                    out.append(
                        (
                            "value",
                            f"unknown option {option!r}",
                            nearest(option, measure.options) or f"options: {measure.options}",
                        )
                    )
    elif not is_number:
        out.append(
            (
                "value",
                f"expected a number or a range [low, high], got {value!r}",
                "true/false only fit boolean criteria",
            )
        )
    elif isinstance(measure, RatingMeasure):
        low, high = measure.scale
        for v in numbers:
            if (whole and v != int(v)) or not low <= v <= high:
                out.append(
                    (
                        "value",
                        f"rating {v!r} is not a whole level in {low}..{high}",
                        "see the criterion's rubric",
                    )
                )
                break
    elif isinstance(measure, NumberMeasure):
        if claim.unit is not None and claim.unit != measure.unit:
            out.append(
                (
                    "unit",
                    f"unit {claim.unit!r} differs from the criterion's {measure.unit!r}",
                    f"convert the value to {measure.unit}; units are not converted",
                )
            )
        if measure.minimum is not None and min(numbers) < measure.minimum:
            out.append(
                (
                    "value",
                    f"{min(numbers):g} {measure.unit} is below the least possible value, "
                    f"{measure.minimum:g} {measure.unit}",
                    "check the sign and the unit",
                )
            )
        if isinstance(measure.value_function, Logarithmic) and min(numbers) <= 0:
            out.append(("value", "a logarithmic measure needs values above 0", ""))
    return out


def check_claims(claims: dict[str, Claim], templates: list[Template]) -> list[Problem]:
    """Claims must name leaf criteria of the template(s) and fit their measures."""
    problems: list[Problem] = []
    leaves: dict[str, list[Criterion]] = {}
    groups: set[str] = set()
    conditions = sorted({c for template in templates for c in template.conditions})
    for key, claim in claims.items():
        for i, name in enumerate(claim.condition):
            if name not in conditions:
                problems.append(
                    unknown(
                        ("claims", key, "condition", i),
                        name,
                        conditions,
                        "condition",
                        "unknown-condition",
                    )
                )
    for template in templates:
        for node in template.nodes():
            if node.measure is None:
                groups.add(node.id)
            else:
                leaves.setdefault(node.id, []).append(node)
    for key, claim in claims.items():
        loc = ("claims", key)
        if key not in leaves:
            if key in groups:
                problems.append(
                    Problem(
                        "not-a-leaf",
                        f"{key!r} is a group of criteria",
                        loc,
                        "claim one of its sub-criteria instead",
                    )
                )
            else:
                problems.append(unknown(loc, key, list(leaves), "criterion"))
            continue
        found: set[tuple[str, str, str]] = set()
        for node in leaves[key]:
            found.update(check_claim(claim, node.measure, whole=not node.panel_scored))
        for field, message, hint in sorted(found):
            problems.append(Problem("measure-mismatch", message, (*loc, field), hint))
    return problems


def check_dates(vendor_like: Vendor | Claim, today: dt.date, loc: tuple = ()) -> list[Problem]:
    """Dates after `today` (a source published next year is a typo, and would never go stale)."""
    found: list[tuple[tuple, str]] = []

    def sources(items: tuple[Source, ...], at: tuple) -> None:
        for i, source in enumerate(items):
            for name in ("date", "accessed"):
                value = getattr(source, name)
                if value is not None:
                    found.append(((*at, i, name), value))

    claims = {None: vendor_like} if isinstance(vendor_like, Claim) else dict(vendor_like.claims)
    for key, claim in claims.items():
        at = loc if key is None else (*loc, "claims", key)
        for name in ("as_of", "checked"):
            if getattr(claim, name) is not None:
                found.append(((*at, name), getattr(claim, name)))
        sources(claim.sources, (*at, "sources"))
    if isinstance(vendor_like, Vendor):
        for i, statement in enumerate(vendor_like.funding_context):
            sources(statement.sources, (*loc, "funding_context", i, "sources"))
    return [
        Problem(
            "future-date",
            f"{value} is after today ({today.isoformat()})",
            where,
            "a date says when something was published or read; check the year",
        )
        for where, value in found
        if earliest_day(value) > today
    ]


#: Source kinds a reader can be expected to open: each needs an address, or a note saying why not.
LINKED_KINDS = ("vendor", "filing", "media", "third-party")


def check_sources(vendor: Vendor) -> list[Problem]:
    """Every source a reader could open has an address (`url` or `via`) or says why it has none
    (`url_note`): evidence a buyer can click."""
    found: list[tuple[tuple, Source]] = []
    for key, claim in vendor.claims.items():
        found += [(("claims", key, "sources", i), s) for i, s in enumerate(claim.sources)]
    for i, statement in enumerate(vendor.funding_context):
        at = ("funding_context", i, "sources")
        found += [((*at, j), s) for j, s in enumerate(statement.sources)]
    return [
        Problem(
            "missing-url",
            f"a source of kind {source.kind!r} needs its address",
            loc,
            "add `url` (or `via`, the copy you read), or `url_note` saying why there is none",
        )
        for loc, source in found
        if source.kind in LINKED_KINDS and not source.link and not source.url_note
    ]
