"""The answer in words: who leads and by how much, how certain that is once the open questions
are counted, which answers matter most, and the choices behind it. Compare shows it on top; every
export opens with it.

Pure: the same matrix, result and options give the same summary (SMAA is seeded).
"""

from __future__ import annotations

from dataclasses import dataclass

from scorecard.model import Template
from scorecard.robustness import (
    Acceptability,
    Draws,
    acceptability,
    certainty_sentence,
    draws,
    flip_clause,
    sensitivity,
    smallest_flip,
)
from scorecard.scoring import (
    METHOD_DESCRIPTIONS,
    Matrix,
    Options,
    Result,
    gates_enabled,
)

#: Samples behind the certainty figure: enough for ±1 percentage point, fast enough to redraw on
#: every weight change. A very large comparison gets fewer (down to MIN_SAMPLES), so that one
#: rerun draws at most DRAW_BUDGET values.
SAMPLES = 10_000
MIN_SAMPLES = 1_000
DRAW_BUDGET = 50_000_000


def samples_for(matrix: Matrix) -> int:
    """How many samples the certainty figure draws for a comparison of this size."""
    cells = matrix.level.size
    return int(min(SAMPLES, max(MIN_SAMPLES, DRAW_BUDGET // max(cells, 1))))


OPEN_GATE_WORDS = {
    "include": "a must-have with no evidence either way is a question to ask: the vendor stays "
    "ranked by its score",
    "exclude": "silence on a must-have counts as no",
}
STALE_WORDS = {
    "full": "full credit",
    "discount": "credited at {factor:.0%}",
    "unknown": "counted as unknown (a question to ask again)",
}
MISSING_WORDS = {
    "worst": "no evidence, no credit",
    "neutral": "half credit",
    "exclude": "left out, the vendor's weights renormalised over what is known",
}


@dataclass(frozen=True)
class Summary:
    recommendation: str  # one sentence: leader, margin, evidence, certainty, smallest flip
    certainty: str  # the certainty figure with and without the open questions
    questions: tuple[str, ...]  # the open questions that matter most, in words
    choices: tuple[tuple[str, str], ...]  # (what, the choice): profile, method, policies, gates


def summarise(
    template: Template,
    matrix: Matrix,
    result: Result,
    options: Options,
    names: dict[str, str],
    drawn: tuple[Draws, Draws] | None = None,
) -> Summary:
    """Everything the first screen and the first page of an export say. `names` maps vendor and
    criterion ids to what a reader calls them. `drawn` (from `summary_draws`, for the same
    matrix and policies) saves drawing the values again when only the weights changed."""
    if not result.rows:  # nothing to be certain about, and no weights to draw for
        return Summary("No vendor is chosen.", "", (), choices(template, matrix, result, options))
    focus = result.rows[0].vendor
    with_answers, weights_only = drawn or summary_draws(template, matrix, options)
    answered = acceptability(
        template,
        matrix,
        options,
        central=False,
        focus=focus,
        drawn=with_answers,
        alone=weights_only,
        first_only=True,
    )
    return Summary(
        recommendation(template, matrix, result, options, answered, names),
        certainty_sentence(answered, names),
        questions(result, answered, names),
        choices(template, matrix, result, options),
    )


def summary_draws(template: Template, matrix: Matrix, options: Options) -> tuple[Draws, Draws]:
    """The values behind the certainty figure, with and without the open questions drawn."""
    return (
        draws(template, matrix, options, samples_for(matrix)),
        draws(template, matrix, options, samples_for(matrix), open_questions=False),
    )


def recommendation(
    template: Template,
    matrix: Matrix,
    result: Result,
    options: Options,
    answered: Acceptability,
    names: dict[str, str],
) -> str:
    """'Google Veo leads with 50.7, 3.9 points ahead of Alibaba Wan; 45% of its weight rests on
    confirmed evidence and 28% is unknown; it ranks first in 53% of …; lowering … would put
    Alibaba Wan first.'"""
    top = result.rows[0]
    if not top.passed_gates:
        return (
            f"No vendor meets every must-have on the evidence: {top.name} scores highest "
            f"({top.score:.1f}) but {top.gates_text}."
        )
    text = f"{top.name} leads with {top.score:.1f}"
    if len(result.rows) > 1:
        second = result.rows[1]
        margin = top.score - second.score
        if not second.passed_gates:  # then no vendor below passes either, whatever its score
            text += ", the only vendor the evidence does not fail on a must-have"
        elif margin < 0.05:
            text += f", level with {second.name}"
        else:
            text += f", {margin:.1f} points ahead of {second.name}"
    if top.open_gates:
        gate_names = dict(zip(matrix.gate_ids, matrix.gate_names, strict=True))
        text += f", pending its answer on {', '.join(gate_names[g] for g in top.open_gates)}"
    text += (
        f"; {top.confirmed_share:.0%} of its weight rests on verified or confirmed evidence and "
        f"{top.coverage['unknown']:.0%} is unknown"
        f"; it ranks first in {answered.ranks[top.vendor][0]:.0%} of plausible weightings and "
        "answers to the open questions"
    )
    flip = smallest_flip(sensitivity(template, matrix, options, points=0))
    if flip is not None and flip.leader == top.vendor:
        text += f"; {flip_clause(flip, names)}"
    elif flip is None and len(result.rows) > 1:
        text += "; no change of one criterion's weight alone would put another vendor first"
    return text + "."


def questions(
    result: Result, answered: Acceptability, names: dict[str, str], top: int = 5
) -> tuple[str, ...]:
    """The open questions that matter most: those that move the leader's chance of ranking first
    (the largest swing first), then open must-haves of vendors in the top three."""
    leader = names.get(answered.focus, answered.focus)
    out = [
        f"Ask {names.get(q.vendor, q.vendor)} about {names.get(q.criterion, q.criterion)}: "
        f"{leader} ranks first in {q.if_good:.0%} of samples if the answer is favourable, "
        f"{q.if_bad:.0%} if not."
        for q in answered.decisive[:top]
        if q.swing >= 0.005
    ]
    for row in result.rows[:3]:
        for gate in row.gates:
            if gate.enabled and gate.outcome == "open":
                line = f"Ask {row.name} about {gate.name}: a must-have with no evidence either way."
                if line not in out:
                    out.append(line)
    return tuple(out)


def choices(
    template: Template,
    matrix: Matrix,
    result: Result,
    options: Options,
) -> tuple[tuple[str, str], ...]:
    """What the ranking depends on besides the evidence, in words."""
    profile = template.profiles[result.profile].name if result.profile else "template weights"
    if options.weights:
        profile += ", with weights changed in the session"
    enabled = gates_enabled(template, matrix, options)
    on = [n for n, e in zip(matrix.gate_names, enabled, strict=True) if e]
    off = [n for n, e in zip(matrix.gate_names, enabled, strict=True) if not e]
    stale = STALE_WORDS[result.stale].format(factor=result.stale_factor)
    judged = f", judged on {result.as_of.isoformat()}" if result.as_of else ""
    situation = [template.conditions[c].name for c, holds in result.situation.items() if holds]
    confidence = (
        "on: " + ", ".join(f"{lv} {f:g}" for lv, f in result.confidence_factors.items())
        if result.confidence
        else "off: every claim credited in full"
    )
    return (
        ("Template", f"{template.name} v{template.version}"),
        ("Weights", profile),
        ("Method", METHOD_DESCRIPTIONS[result.method]),
        ("Missing data", f"{result.missing}: {MISSING_WORDS[result.missing]}"),
        ("Evidence discount", confidence),
        ("Must-haves (gates) on", "; ".join(on) if on else "none"),
        ("Must-haves off", "; ".join(off) if off else "none"),
        ("Open must-haves", f"{result.open_gates}: {OPEN_GATE_WORDS[result.open_gates]}"),
        (
            "Stale evidence",
            f"{result.stale}: older than {template.policies.stale_after_days} days, "
            f"{stale}{judged}",
        ),
        ("Your situation", "; ".join(situation) if situation else "none of the conditions"),
        (
            "Certainty",
            f"SMAA, {samples_for(matrix):,} samples of the top-level weights around the chosen "
            "ones, on the weighted sum whatever the method",
        ),
    )
