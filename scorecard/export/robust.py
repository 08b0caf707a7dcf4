"""Robustness results as JSON (`scorecard robustness --format json`) and as a plain-text table."""

from __future__ import annotations

import json
from typing import Any

from scorecard.robustness import Robustness, certainty_sentence, flip_sentence

#: Said wherever sensitivity or SMAA are shown: they do not follow the chosen method.
ON_WEIGHTED_SUM = (
    "Sensitivity and rank acceptability are computed on the weighted sum, whatever method ranks "
    "the table."
)


def robustness_data(analysis: Robustness, names: dict[str, str]) -> dict[str, Any]:
    acc, flip = analysis.acceptability, analysis.flip
    return {
        "samples": acc.samples,
        "weights": acc.weights,
        "seed": acc.seed,
        "method": "wsm",
        "certainty": certainty_sentence(acc, names),
        "acceptability": {v: list(p) for v, p in acc.ranks.items()},
        "first_weights_only": acc.weights_only,
        "open_questions": [
            {
                "vendor": q.vendor,
                "criterion": q.criterion,
                "leader_first_if_favourable": q.if_good,
                "leader_first_if_not": q.if_bad,
            }
            for q in acc.decisive
        ],
        "central_weights": acc.central_weights,
        "confidence_factor": acc.confidence,
        "sensitivity": {
            c.criterion: [
                {"share": ch.share, "before": ch.before, "after": ch.after} for ch in c.changes
            ]
            for c in analysis.curves
        },
        "smallest_flip": None
        if flip is None
        else {
            "criterion": flip.criterion,
            "current": flip.current,
            "share": flip.share,
            "leader": flip.leader,
            "challenger": flip.challenger,
            "sentence": flip_sentence(flip, names),
        },
        "agreement": {
            "ranks": analysis.agreement.ranks,
            "kendall_tau": {f"{a}-{b}": t for (a, b), t in analysis.agreement.tau.items()},
        },
    }


def robustness_json(analysis: Robustness, names: dict[str, str]) -> str:
    return json.dumps(robustness_data(analysis, names), indent=2, ensure_ascii=False) + "\n"


def robustness_text(analysis: Robustness, names: dict[str, str]) -> str:
    acc = analysis.acceptability
    alone = acc.weights_only or {}
    lines = [
        certainty_sentence(acc, names),
        flip_sentence(analysis.flip, names),
        ON_WEIGHTED_SUM,
        "",
        f"Rank acceptability ({acc.samples:,} samples, weights {acc.weights}, seed {acc.seed}); "
        "'first' draws the weights and the answers to the open questions, 'weights only' "
        "scores the open questions by the missing-data policy",
        f"{'vendor':<40} {'first':>7} {'top 3':>7} {'weights only':>13} {'confidence':>11}",
    ]
    by_first = sorted(acc.ranks, key=lambda v: (-acc.ranks[v][0], -sum(acc.ranks[v][:3]), v))
    for v in by_first:
        p = acc.ranks[v]
        conf = "-" if acc.confidence[v] is None else f"{acc.confidence[v]:.0%}"
        lines.append(
            f"{names.get(v, v):<40} {p[0]:>7.1%} {sum(p[:3]):>7.1%} {alone.get(v, 0.0):>13.1%} "
            f"{conf:>11}"
        )
    if acc.decisive:
        leader = names.get(acc.focus, acc.focus)
        lines += ["", f"Open questions that matter most ({leader} first if the answer is …)"]
        lines += [
            f"  {names.get(q.vendor, q.vendor)}: {names.get(q.criterion, q.criterion)} — "
            f"favourable {q.if_good:.0%}, not {q.if_bad:.0%}"
            for q in acc.decisive[:5]
        ]
    lines += ["", "Where the leader changes (share of one criterion, others in proportion)"]
    for curve in analysis.curves:
        moves = (
            ", ".join(
                f"{c.share:.1%}: {names.get(c.before, c.before)} -> {names.get(c.after, c.after)}"
                for c in curve.changes
            )
            or "never"
        )
        lines.append(
            f"  {names.get(curve.criterion, curve.criterion)} (now {curve.current:.1%}): {moves}"
        )
    lines += ["", "Method agreement (Kendall's tau-b between rankings)"]
    lines += [f"  {a} vs {b}: {t:+.2f}" for (a, b), t in analysis.agreement.tau.items()]
    return "\n".join(lines) + "\n"
