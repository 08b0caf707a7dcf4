"""Questionnaires (RFI): which questions to send a vendor, how an answer is read, and how the
answers layer over the desk-research profile.

Pure: no files and no workbook. `export/questionnaire.py` writes the forms, `responses.py`
reads them back, and `loading` layers the response files over the profiles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scorecard.evidence import describe_value
from scorecard.model import (
    CONFIDENCE_LEVELS,
    Answer,
    BooleanMeasure,
    Claim,
    CoverageMeasure,
    Criterion,
    NumberMeasure,
    RatingMeasure,
    Response,
    Sent,
    Source,
    Template,
    Vendor,
    claim_date,
    earliest_day,
    is_stale,
)
from scorecard.scoring import (
    Options,
    condition_text,
    global_weights,
    resolve_weights,
    score,
)

#: Kinds of answer a question expects.
LEVEL, NUMBER, YES_NO = "level", "number", "yes/no"
#: A level's choice reads "3 — rubric sentence"; an answer may give the number alone.
DASH = " — "


@dataclass(frozen=True)
class Question:
    """One line of a questionnaire. A coverage criterion asks one question per option
    (`id` "regions/eu"), each answered yes or no."""

    id: str
    criterion: str
    option: str | None
    group: str  # the name of the top-level criterion it belongs to
    name: str
    ask: str  # the question in plain words
    kind: str  # LEVEL, NUMBER or YES_NO
    choices: tuple[str, ...]  # what a person picks from (empty for a number)
    unit: str  # for a number
    minimum: float | None  # for a number: the least value it can have
    current: str  # the evidence now: "unknown", "1080 px (reported, as of 2025-03)"
    why: str  # why it is asked
    gates: tuple[str, ...]  # names of the enabled gates the answer decides
    points: float  # points out of 100 the criterion carries under the buyer's weights


@dataclass(frozen=True)
class Questionnaire:
    template: str
    template_name: str
    template_version: str
    vendor: str
    vendor_name: str
    company: str
    created: str  # the day it was written, ISO
    questions: tuple[Question, ...]

    @property
    def fingerprint(self) -> str:
        """16 hex digits naming exactly these questions for this vendor and template version:
        answers carry it back, so they are matched to what was asked."""
        asked = [
            [q.id, q.kind, list(q.choices), q.unit, q.minimum]
            for q in sorted(self.questions, key=lambda q: q.id)
        ]
        text = json.dumps(
            [self.template, self.template_version, self.vendor, asked], ensure_ascii=False
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _why(claim: Claim | None, stale: bool, template: Template, limit: int) -> str:
    if claim is None or claim.value is None:
        return "no evidence yet"
    reasons = []
    if claim.confidence in ("reported", "claimed"):
        reasons.append(f"only {claim.confidence}: please confirm with a document")
    if stale:
        reasons.append(f"the evidence is over {limit} days old: is it still true?")
    if claim.condition:
        reasons.append(f"the evidence {condition_text(template, claim)}: does it hold for us?")
    return "; ".join(reasons)


def _current(claim: Claim | None, measure: Any) -> str:
    if claim is None or claim.value is None:
        return "unknown"
    date = claim_date(claim)
    when = f", as of {date}" if date else ""
    return f"{describe_value(claim, measure)} ({claim.confidence}{when})"


def _ask(leaf: Criterion) -> str:
    text = leaf.description.strip() or leaf.name
    measure = leaf.measure
    if isinstance(measure, RatingMeasure):
        return f"{text} Choose the level that describes your offer."
    if isinstance(measure, NumberMeasure):
        return f"{text} Give a number in {measure.unit} (a range such as 10-20 if it varies)."
    if isinstance(measure, BooleanMeasure):
        return f"{text} Answer yes or no."
    return text


def questionnaire(
    template: Template,
    vendor: Vendor,
    today: dt.date,
    options: Options | None = None,
    everything: bool = False,
) -> Questionnaire:
    """The questions for `vendor`: every criterion whose claim is unknown, stale, conditional or
    graded below `confirmed` (or every criterion, with `everything`). Questions a gate needs come
    first, then by the points the criterion carries under the buyer's weights (`options`)."""
    options = options or Options()
    shares = global_weights(template, resolve_weights(template, options))
    limit = template.policies.stale_after_days
    enabled = [g for g in template.gates if options.gates.get(g.id, g.enabled)]
    group_of = {leaf.id: top.name for top in template.criteria for leaf in top.walk()}
    found: list[Question] = []
    for leaf in template.leaves():
        claim = vendor.claims.get(leaf.id)
        stale = is_stale(claim, today, limit)
        why = _why(claim, stale, template, limit)
        if not why and not everything:
            continue
        measure = leaf.measure
        common = {
            "criterion": leaf.id,
            "group": group_of[leaf.id],
            "current": _current(claim, measure),
            "why": why or "please confirm",
            "gates": tuple(g.name for g in enabled if g.criterion == leaf.id),
            "points": 100 * shares[leaf.id],
        }
        if isinstance(measure, CoverageMeasure):
            found += [
                Question(
                    id=f"{leaf.id}/{option}",
                    option=option,
                    name=f"{leaf.name}: {option}",
                    ask=f"{leaf.description.strip() or leaf.name} Do you offer {option}?",
                    kind=YES_NO,
                    choices=("yes", "no"),
                    unit="",
                    minimum=None,
                    **common,
                )
                for option in measure.options
            ]
            continue
        if isinstance(measure, RatingMeasure):
            kind = LEVEL
            low, high = measure.scale
            choices = tuple(
                f"{level}{DASH}{measure.rubric[level]}" for level in range(low, high + 1)
            )
        elif isinstance(measure, NumberMeasure):
            kind, choices = NUMBER, ()
        else:
            kind, choices = YES_NO, ("yes", "no")
        found.append(
            Question(
                id=leaf.id,
                option=None,
                name=leaf.name,
                ask=_ask(leaf),
                kind=kind,
                choices=choices,
                unit=measure.unit if isinstance(measure, NumberMeasure) else "",
                minimum=measure.minimum if isinstance(measure, NumberMeasure) else None,
                **common,
            )
        )
    order = {leaf.id: i for i, leaf in enumerate(template.leaves())}
    found.sort(key=lambda q: (not q.gates, -round(q.points, 9), order[q.criterion]))
    return Questionnaire(
        template.id,
        template.name,
        template.version,
        vendor.id,
        vendor.name,
        vendor.company,
        today.isoformat(),
        tuple(found),
    )


class AnswerError(ValueError):
    """An answer that does not fit its question: `code`, the message, and a hint."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code, self.hint = code, hint


_NUMBER = r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
_RANGE = re.compile(rf"^({_NUMBER})\s*(?:-|–|to)\s*({_NUMBER})$")


def _number(text: str, question: Question) -> float | list[float]:
    unit = question.unit
    # A documented tolerance: the question's own unit after the number ("45 s") is dropped.
    if unit and text.endswith(unit) and text[: -len(unit)].strip():
        text = text[: -len(unit)].strip()
    try:
        return float(text)
    except ValueError:
        pass
    if match := _RANGE.match(text):
        low, high = float(match[1]), float(match[2])
        if low > high:
            raise AnswerError("not-a-number", f"the range {text!r} runs backwards", "low-high")
        return [low, high]
    hint = f"a number in {unit} alone, e.g. 45, or a range such as 10-20"
    if "," in text:
        hint += "; no thousands separators, and a point for decimals"
    raise AnswerError("not-a-number", f"{text!r} is not a number", hint)


def read_answer(question: Question, raw: Any) -> Any:
    """The value an answer gives, in the form a claim holds; raises `AnswerError`. `raw` is what
    a cell or a text form holds: a number, a boolean or a string (never a formula)."""
    if isinstance(raw, str):
        raw = raw.strip()
    if question.kind == YES_NO:
        if isinstance(raw, bool):
            return raw
        word = str(raw).lower()
        if word in ("yes", "true"):
            return True
        if word in ("no", "false"):
            return False
        raise AnswerError("not-yes-or-no", f"{raw!r} is not yes or no", "choose yes or no")
    if question.kind == LEVEL:
        levels = [int(choice.split(DASH, 1)[0]) for choice in question.choices]
        text = str(raw).split(DASH, 1)[0].strip() if not isinstance(raw, bool) else ""
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        if not re.fullmatch(r"-?[0-9]+", text) or int(text) not in levels:
            raise AnswerError(
                "not-a-level",
                f"{raw!r} is not one of the levels {levels[0]}..{levels[-1]}",
                "choose a level from the list",
            )
        return int(text)
    if isinstance(raw, bool) or raw == "":
        raise AnswerError(
            "not-a-number", f"{raw!r} is not a number", f"a number in {question.unit}"
        )
    value = float(raw) if isinstance(raw, int | float) else _number(raw, question)
    numbers = value if isinstance(value, list) else [value]
    if not all(math.isfinite(v) for v in numbers):
        raise AnswerError("not-a-number", f"{raw!r} is not a finite number", "a plain number")
    if question.minimum is not None and min(numbers) < question.minimum:
        raise AnswerError(
            "below-minimum",
            f"{min(numbers):g} {question.unit} is below the least possible value, "
            f"{question.minimum:g} {question.unit}",
            "check the sign and the unit",
        )
    return [_whole(v) for v in numbers] if isinstance(value, list) else _whole(value)


def _whole(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def answer_claim(answer: Answer, response: Response, company: str) -> Claim:
    """An answer as a claim: graded `claimed` (the vendor's own statement), with a source of
    kind `vendor-response` naming who answered and the document they cite. A buyer who checks
    that document can add it as a source and raise the grade."""
    who = response.respondent
    by = ", ".join(part for part in (who.name, who.role, who.email) if part)
    note = f"Answered by {by} on {response.received}."
    if answer.comment:
        note += f" {answer.comment}"
    source = Source(
        title=answer.document or "Answer to the buyer's questionnaire",
        publisher=company,
        kind="vendor-response",
        url=answer.url,
        locator=answer.section or None,
        date=response.received,
    )
    return Claim(
        value=answer.value,
        confidence="claimed",
        sources=(source,),
        as_of=response.received,
        note=note,
    )


@dataclass(frozen=True)
class Layer:
    """For one criterion: the vendor's answer, the desk research, and which one counts."""

    criterion: str
    answer: Claim
    desk: Claim | None
    counts: str  # "answer" or "desk"


_GRADE = {level: len(CONFIDENCE_LEVELS) - i for i, level in enumerate(CONFIDENCE_LEVELS)}


def _counts(answer: Claim, desk: Claim | None) -> str:
    """The rule: the higher grade counts; at equal grade the newer (the desk research when the
    dates are equal or unknown)."""
    if desk is None or desk.value is None:
        return "answer"
    if _GRADE[answer.confidence] != _GRADE[desk.confidence]:
        return "answer" if _GRADE[answer.confidence] > _GRADE[desk.confidence] else "desk"
    then, now = claim_date(desk), claim_date(answer)
    newer = then is not None and now is not None and earliest_day(now) > earliest_day(then)
    return "answer" if newer else "desk"


def layer(vendor: Vendor, responses: Sequence[Response]) -> tuple[Vendor, list[Layer]]:
    """The vendor with its answers layered over the desk research, and what was layered. Of
    several responses, the latest answer to a criterion is the one that stands."""
    answers: dict[str, Claim] = {}
    for response in sorted(responses, key=lambda r: r.received):
        for key, answer in response.answers.items():
            answers[key] = answer_claim(answer, response, vendor.company)
    layers = [
        Layer(key, claim, vendor.claims.get(key), _counts(claim, vendor.claims.get(key)))
        for key, claim in answers.items()
    ]
    claims = dict(vendor.claims)
    claims.update({x.criterion: x.answer for x in layers if x.counts == "answer"})
    return vendor.model_copy(update={"claims": claims}), layers


def layer_text(x: Layer, measure: Any) -> str:
    """'vendor answered: 90 s (claimed, 2026-11-26) — desk research: unknown; the answer counts'."""
    said = f"{describe_value(x.answer, measure)} (claimed, {x.answer.as_of})"
    counts = "the answer counts" if x.counts == "answer" else "the desk research counts"
    return f"vendor answered: {said} — desk research: {_current(x.desk, measure)}; {counts}"


def preview(
    template: Template,
    vendors: Sequence[Vendor],
    response: Response,
    options: Options | None = None,
) -> list[str]:
    """What importing `response` would change, in lines a buyer reads before saying yes: each
    answer and whether it counts, then every vendor whose score or rank moves, and every gate of
    the answering vendor that opens, closes or passes."""
    options = options or Options()
    (vendor,) = [v for v in vendors if v.id == response.vendor]
    merged, layers = layer(vendor, [response])
    measures = {leaf.id: leaf.measure for leaf in template.leaves()}
    lines = [f"{x.criterion}: {layer_text(x, measures[x.criterion])}" for x in layers]
    before = score(template, vendors, options)
    after = score(template, [merged if v.id == vendor.id else v for v in vendors], options)
    for row in after.rows:
        then = before.row(row.vendor)
        if (round(then.score, 1), then.rank) != (round(row.score, 1), row.rank):
            lines.append(
                f"{row.name}: {then.score:.1f} -> {row.score:.1f} points, rank {then.rank} -> "
                f"{row.rank}"
            )
    gates = {g.id: g for g in before.row(vendor.id).gates}
    for gate in after.row(vendor.id).gates:
        if gate.enabled and gate.outcome != gates[gate.id].outcome:
            lines.append(
                f"{vendor.name}: gate {gate.name}: {gates[gate.id].outcome} -> {gate.outcome}"
            )
    return lines


def sent_record(q: Questionnaire) -> Sent:
    """The record of sending `q`: kept beside the vendor's answers, it is what `status` counts
    the open questions from."""
    return Sent(
        vendor=q.vendor,
        template=q.template,
        template_version=q.template_version,
        questionnaire=q.fingerprint,
        sent=q.created,
        questions=tuple(x.id for x in q.questions),
    )


@dataclass(frozen=True)
class Status:
    """Where a vendor's questionnaire stands."""

    vendor: str
    sent: str | None  # the day the latest was sent
    asked: int  # questions in it
    answered: str | None  # the day of the latest answers
    answers: int  # criteria answered, in every response
    open: int  # questions of the latest questionnaire with no answer since it was sent

    @property
    def short(self) -> str:
        """'not sent', 'sent, 29 open', 'answered, 5 open', 'answered': for a table column."""
        if self.sent is None and self.answered is None:
            return "not sent"
        said = "answered" if self.answered else "sent"
        return f"{said}, {self.open} open" if self.sent and self.open else said

    @property
    def text(self) -> str:
        """'sent 2026-11-20; answered 2026-11-26 (24); 5 open' for a table cell."""
        if self.sent is None and self.answered is None:
            return "not sent"
        parts = [f"sent {self.sent}" if self.sent else "not sent"]
        parts.append(f"answered {self.answered} ({self.answers})" if self.answered else "no answer")
        if self.sent:
            parts.append(f"{self.open} open")
        return "; ".join(parts)


def status(vendor: str, sent: Sequence[Sent], responses: Sequence[Response]) -> Status:
    """Sent, answered and still open, from the records of sending and the responses."""
    latest = max(sent, key=lambda s: s.sent, default=None)
    answered = {key for r in responses for key in r.answers}
    since = {
        key for r in responses if latest is None or r.received >= latest.sent for key in r.answers
    }
    last = max((r.received for r in responses), default=None)
    open_ = sum(1 for qid in latest.questions if qid.split("/", 1)[0] not in since) if latest else 0
    return Status(
        vendor,
        latest.sent if latest else None,
        len(latest.questions) if latest else 0,
        last,
        len(answered),
        open_,
    )
