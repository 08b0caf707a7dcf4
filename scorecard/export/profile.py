"""Vendor profiles and evidence gaps as plain text, for the terminal and for wikis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from scorecard.evidence import DataReport, Gap, review
from scorecard.model import CONFIDENCE_LEVELS, Source, Template, Vendor
from scorecard.rfi import Layer, layer_text

LAYER_TITLES = {
    "consensus": "What several outlets agree on",
    "attributed": "What one outlet attributes",
    "characterisation": "Media characterisations",
}


def source_head(source: Source) -> str:
    """'Title — Publisher (kind, date)': whose document a source is, and when."""
    when = source.date or f"undated, read {source.accessed}"
    return f"{source.title} — {source.publisher} ({source.kind}, {when})"


def _source_line(source: Source) -> str:
    text = source_head(source)
    if source.locator:
        text += f", {source.locator}"
    if source.quote:
        text += f": “{source.quote}”"
    if source.url:
        text += f" {source.url}"
    if source.via:
        text += f" (read on a copy, {source.via}; the document itself was not read)"
    if source.url_note:
        text += f" (no address: {source.url_note})"
    return text


def vendor_text(
    template: Template,
    vendor: Vendor,
    today: dt.date,
    conditions: Mapping[str, bool] | None = None,
    layers: Sequence[Layer] = (),
) -> str:
    """One profile: every claim with its value, confidence, age, the situation it holds in (with
    the buyer's `conditions` over the template's), and sources; unknowns as gaps. Where the
    vendor answered a questionnaire (`layers`), the answer and the desk research both show."""
    answered = {x.criterion: x for x in layers}
    lines = [f"{vendor.name} — {vendor.company} ({vendor.status})"]
    if vendor.website:
        lines.append(vendor.website)
    lines += [f"  offers: {o}" for o in vendor.offerings]
    if vendor.description:
        lines += ["", vendor.description.strip()]
    if vendor.funding_context:
        lines += ["", "Funding context (context, not proof of quality)"]
        for layer, title in LAYER_TITLES.items():
            statements = [s for s in vendor.funding_context if s.layer == layer]
            if statements:
                lines.append(f"  {title}:")
            for statement in statements:
                who = f" [{statement.attributed_to}]" if statement.attributed_to else ""
                lines.append(f"    - {statement.statement.strip()}{who}")
                lines += [f"        · {_source_line(s)}" for s in statement.sources]
    limit = template.policies.stale_after_days
    group = None
    for view in review(template, vendor, today, conditions):
        if view.group is not group:
            group = view.group
            lines += ["", f"{group.name}"]
        claim = view.claim
        level = claim.confidence if claim else "unknown"
        age = f", {view.dates}" if view.dates else ""
        stale = f" — STALE (older than {limit} days)" if view.stale else ""
        lines.append(f"  {view.criterion.name}: {view.value} [{level}{age}]{stale}")
        if view.criterion.id in answered:
            lines.append(f"      {layer_text(answered[view.criterion.id], view.criterion.measure)}")
        if view.condition:
            lines.append(f"      {view.condition}")
        if claim and claim.note:
            lines.append(f"      {' '.join(claim.note.split())}")
        if claim and claim.derivation:
            lines.append(f"      derived: {' '.join(claim.derivation.split())}")
        lines += [f"      · {_source_line(s)}" for s in (claim.sources if claim else ())]
    return "\n".join(lines) + "\n"


def gaps_text(names: dict[str, str], found: dict[str, list[Gap]]) -> str:
    """Per vendor, the questions to ask: unknowns a gate needs, then by how far an answer could
    move the score."""
    lines: list[str] = []
    for vendor_id, items in found.items():
        if not items:
            continue
        lines += ["", f"{names[vendor_id]}: {len(items)} unknown"]
        for gap in items:
            swing = f"+{gap.gain:.1f}" + (f" / {gap.loss:.1f}" if gap.loss else "")
            blocks = f"; gate {', '.join(gap.gates)} needs it" if gap.gates else ""
            lines.append(
                f"  {swing:>12} points  {gap.name} ({gap.weight:.1%} of the weight{blocks})"
            )
            if gap.note:
                lines.append(f"{'':16}{' '.join(gap.note.split())}")
    return "\n".join(lines).lstrip("\n") + "\n"


def report_text(reports: list[DataReport]) -> str:
    """The data report as a table: one row per vendor, and the totals."""
    header = (
        "vendor",
        *CONFIDENCE_LEVELS,
        "linked",
        "noted",
        "no URL",
        "stale",
        "cond.",
        "open gates",
    )
    rows = [
        (
            r.name,
            *(str(r.grades[level]) for level in CONFIDENCE_LEVELS),
            str(r.linked),
            str(r.noted),
            str(r.bare),
            str(r.stale),
            str(r.conditional),
            ", ".join(r.open_gates) or "-",
        )
        for r in reports
    ]
    total = (
        "total",
        *(str(sum(r.grades[level] for r in reports)) for level in CONFIDENCE_LEVELS),
        *(
            str(sum(getattr(r, f) for r in reports))
            for f in ("linked", "noted", "bare", "stale", "conditional")
        ),
        str(sum(len(r.open_gates) for r in reports)),
    )
    lines = [header, *rows, total]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return (
        "\n".join(
            "  ".join(
                cell.ljust(w) if i in (0, len(header) - 1) else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
            for line in lines
        )
        + "\n"
    )
