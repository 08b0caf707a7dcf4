"""The comparison as one self-contained HTML file: no scripts, fonts, styles or images fetched from
anywhere; charts are inline SVG (vl-convert). Every piece of vendor and template text is escaped
by Jinja2's autoescaping; links come only from validated http(s) URLs.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import jinja2
import vl_convert
from markupsafe import Markup

from scorecard.evidence import gaps, review
from scorecard.export.charts import (
    chart_note,
    contributions_chart,
    contributions_data,
    with_data,
)
from scorecard.export.profile import LAYER_TITLES
from scorecard.scoring import (
    METHOD_DESCRIPTIONS,
    global_weights,
    requirement_text,
    resolve_weights,
)
from scorecard.session import Comparison

_ENV = jinja2.Environment(
    loader=jinja2.FunctionLoader(
        lambda name: resources.files("scorecard.export").joinpath("templates", name).read_text()
    ),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def to_html(comparison: Comparison, today: dt.date, version: str) -> str:
    """The report as a string of HTML."""
    template, result = comparison.template, comparison.result
    note = chart_note(result)
    chart = with_data(contributions_chart(template), contributions_data(result, template))
    svg = "" if note else vl_convert.vegalite_to_svg(chart)
    shares = global_weights(template, resolve_weights(template, comparison.options))
    vendors = {v.id: v for v in comparison.vendors}
    questions = gaps(template, comparison.vendors, comparison.options)
    overridden = {(o.vendor, o.criterion) for o in comparison.overrides}
    return _ENV.get_template("report.html").render(
        template=template,
        result=result,
        summary=comparison.summary,
        leaves={leaf.id: leaf for leaf in template.leaves()},
        requirement=requirement_text,
        method=METHOD_DESCRIPTIONS[result.method],
        chart=Markup(svg),  # noqa: S704 - our own chart; vl-convert escapes the data text in it
        chart_note=note,
        shares=shares,
        profiles=[
            (
                row,
                vendors[row.vendor],
                review(template, vendors[row.vendor], today, comparison.options.conditions),
                questions[row.vendor],
            )
            for row in result.rows
        ],
        overridden=overridden,
        layers=LAYER_TITLES,
        today=today.isoformat(),
        version=version,
        levels=("verified", "confirmed", "reported", "claimed", "unknown"),
    )
