"""The comparison as a Markdown page for a wiki: ranking, weights, gates and every vendor's
evidence. Text from the data is escaped so that it cannot turn into links, images or markup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from scorecard.evidence import review
from scorecard.export.ranking import md_file, md_url, summary_markdown, to_markdown
from scorecard.model import Source
from scorecard.scoring import global_weights, requirement_text, resolve_weights
from scorecard.session import Comparison


def source_md(source: Source, md: Callable[[str], str] = md_file) -> str:
    """A source as one line of Markdown: its title linked (an http(s) address checked by the
    model), whose document it is, kind and date, and the words the value rests on."""
    title = md(source.title)
    if source.url:
        title = f"[{title}]({md_url(source.url)})"
    when = source.date or f"undated, read {source.accessed}"
    text = f"{title} — {md(source.publisher)} ({source.kind}, {md(when)})"
    if source.locator:
        text += f", {md(source.locator)}"
    if source.quote:
        text += f": “{md(source.quote)}”"
    if source.via:
        text += f" — read on a [copy]({md_url(source.via)}); the document itself was not read"
    if source.url_note:
        text += f" — no address: {md(source.url_note)}"
    return text


def markdown_report(comparison: Comparison, today: dt.date) -> str:
    template, result = comparison.template, comparison.result
    shares = global_weights(template, resolve_weights(template, comparison.options))
    lines = [
        f"# Vendor comparison: {md_file(template.name)}",
        "",
        *summary_markdown(comparison.summary),
        "",
        "## Ranking",
        "",
        to_markdown(result).rstrip(),
        "",
        "## Weights",
        "",
        "| Criterion | Share |",
        "|---|---:|",
    ]
    for top in template.criteria:
        lines.append(f"| **{md_file(top.name)}** | **{shares[top.id]:.1%}** |")
        lines += [f"| {md_file(n.name)} | {shares[n.id]:.1%} |" for n in top.walk() if n is not top]
    lines += ["", "## Gates", "", "- Service can be bought (not discontinued) — built in"]
    leaves = {leaf.id: leaf for leaf in template.leaves()}
    lines += [
        f"- {md_file(g.name)}: {md_file(leaves[g.criterion].name)} must be "
        f"{md_file(requirement_text(g.require, leaves[g.criterion]))}"
        + ("" if g.enabled else " (off by default)")
        for g in template.gates
    ]
    overridden = {(o.vendor, o.criterion) for o in comparison.overrides}
    vendors = {v.id: v for v in comparison.vendors}
    for row in result.rows:
        vendor = vendors[row.vendor]
        lines += [
            "",
            f"## {row.rank}. {md_file(vendor.name)} — {row.score:.1f}",
            "",
            f"{md_file(vendor.company)} · status: {vendor.status}",
            "",
            "| Criterion | Value | Evidence | Dates | Sources |",
            "|---|---|---|---|---|",
        ]
        for view in review(template, vendor, today, comparison.options.conditions):
            claim = view.claim
            level = claim.confidence if claim else "unknown"
            if (vendor.id, view.criterion.id) in overridden:
                level += " (buyer override)"
            if view.stale:
                level += ", stale"
            sources = "<br>".join(source_md(s) for s in (claim.sources if claim else ()))
            value = md_file(view.value)
            if view.condition:
                value += f" ({md_file(view.condition)})"
            lines.append(
                f"| {md_file(view.criterion.name)} | {value} | {level} | {view.dates} | {sources} |"
            )
    return "\n".join(lines) + "\n"
