"""The ranking as a table, JSON, CSV or Markdown, and atomic writes.

Each format is one function of a `Result`; the CLI and the app call the same ones. Text cells that
a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from scorecard.model import CONFIDENCE_LEVELS
from scorecard.scoring import METHOD_DESCRIPTIONS, METHOD_NAMES, Result
from scorecard.summary import Summary

FORMATS = ("table", "json", "csv", "md")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&])")
# GitHub-flavoured Markdown turns `http://…`, `www.…` and `a@b.c` into links even when every
# character is escaped; an invisible word joiner (U+2060) inside each trigger stops that.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=[wW]{3})(?=\\\.)|(?=@)")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# In a Markdown file (GitHub, a wiki) only these read as markup inside a line: an underscore
# between letters (eu_uk) or a colon does not, and escaping them would show the backslashes.
_FILE_SPECIALS = re.compile(r"[\\`*\[\]<>|&~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_FILE_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=[wW]{3})(?=\.)|(?=@)")
# At the start of a block (a list item, a paragraph) these begin a heading or a list.
_FILE_BLOCK_START = re.compile(r"^(?=#|[-+](?:\s|$))|^\d+(?=[.)](?:\s|$))")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def ranking(result: Result, detail: bool = False) -> dict[str, Any]:
    """The ranking as plain data (the JSON form). With `detail` (for the decision record): scores
    at full precision, every gate with its outcome, and the points of every leaf criterion."""
    digits = None if detail else 6
    rows = [_row(row, digits) for row in result.rows]
    if detail:
        for out, row in zip(rows, result.rows, strict=True):  # pragma: no mutate (strict)
            out["gates"] = [
                {"id": g.id, "outcome": g.outcome, "detail": g.detail, "enabled": g.enabled}
                for g in row.gates
            ]
            out["points"] = dict(row.points)
    return {
        "template": {"id": result.template_id, "version": result.template_version},
        "method": result.method,
        "profile": result.profile,
        "policies": {
            "missing": result.missing,
            "confidence": result.confidence,
            "open_gates": result.open_gates,
            "stale": result.stale,
        },
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "ranking": rows,
    }


def _row(row: Any, digits: int | None) -> dict[str, Any]:
    def num(value: float) -> float:
        return value if digits is None else round(value, digits)

    return {
        "vendor": row.vendor,
        "name": row.name,
        "rank": row.rank,
        "score": num(row.score),
        "passed_gates": row.passed_gates,
        "failed_gates": row.failed_gates,
        "open_gates": row.open_gates,
        "stale": list(row.stale),
        "contributions": {k: num(v) for k, v in row.contributions.items()},
        "coverage": {k: num(v) for k, v in row.coverage.items()},
    }


def _gates_text(row: Any) -> str:
    return row.gates_text


def _evidence_text(row: Any) -> str:
    strong = row.confirmed_share
    return f"{strong:.0%} confirmed, {row.coverage['unknown']:.0%} unknown"


def summary_data(summary: Summary) -> dict[str, Any]:
    """The executive summary as plain data (the decision record's `summary`)."""
    return {
        "recommendation": summary.recommendation,
        "certainty": summary.certainty,
        "open_questions": list(summary.questions),
        "choices": {label: value for label, value in summary.choices},
    }


def summary_markdown(summary: Summary) -> list[str]:
    """The executive summary as Markdown lines: what a reader who signs reads first."""
    lines = ["## Summary", "", f"**{md_file(summary.recommendation)}**", ""]
    lines += [md_file(summary.certainty), ""]
    if summary.questions:
        lines += ["Open questions that matter most:", ""]
        lines += [f"- {md_file(q)}" for q in summary.questions] + [""]
    lines += ["| Choice | Setting |", "|---|---|"]
    lines += [f"| {md_file(label)} | {md_file(value)} |" for label, value in summary.choices]
    return lines


def to_json(result: Result) -> str:
    return json.dumps(ranking(result), indent=2, ensure_ascii=False) + "\n"


def to_csv(result: Result) -> str:
    tops = list(result.rows[0].contributions) if result.rows else []
    out = io.StringIO()
    # RFC 4180 (CRLF, so a CR inside a field gets quoted), and every text cell in quotes: a
    # spreadsheet set to split on ';' or tabs would otherwise cut `x;=1+1` into a formula.
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(
        [
            "rank",
            "vendor",
            "name",
            "score",
            "passed_gates",
            "failed_gates",
            *(f"points_{t}" for t in tops),
            *(f"evidence_{lv}" for lv in CONFIDENCE_LEVELS),
        ]
    )
    for row in result.rows:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    row.rank,
                    row.vendor,
                    row.name,
                    round(row.score, 6),
                    row.passed_gates,
                    " ".join(row.failed_gates),
                    *(round(row.contributions[t], 6) for t in tops),
                    *(round(row.coverage[lv], 6) for lv in CONFIDENCE_LEVELS),
                )
            ]
        )
    return out.getvalue()


def md(text: str) -> str:
    """Data text as literal Markdown on one line: every Markdown and HTML character escaped,
    `$` and `:` too (Streamlit reads them as LaTeX and icon codes), and nothing that could
    become a link."""
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(str(text).split()))
    return _AUTOLINK.sub("\u2060", escaped)


def md_file(text: str) -> str:
    """Data text as literal Markdown on one line, for a file read on GitHub or a wiki: only
    what would be read as markup is escaped, and nothing can become a link."""
    escaped = _FILE_SPECIALS.sub(lambda m: "\\" + m.group(0), " ".join(str(text).split()))
    escaped = _FILE_BLOCK_START.sub(r"\g<0>\\", escaped)  # a backslash before the marker
    return _FILE_AUTOLINK.sub("\u2060", escaped)


def md_url(url: str) -> str:
    """An http(s) URL (validated by the model) made safe as a Markdown link target."""
    return quote(url, safe=":/?#=&%~+,;@!$*")


def to_markdown(result: Result) -> str:
    lines = [
        f"Ranking by {METHOD_NAMES[result.method]}, template `{result.template_id}` "
        f"v{result.template_version}, profile {result.profile or 'default'}, missing data: "
        f"{result.missing}, confidence discount: {'on' if result.confidence else 'off'}, "
        f"open must-haves: {result.open_gates}, stale evidence: {result.stale}. "
        f"Method: {METHOD_DESCRIPTIONS[result.method]}.",
        "",
        "| Rank | Vendor | Score | Must-haves | Evidence |",
        "|---:|---|---:|---|---|",
    ]
    for row in result.rows:
        lines.append(
            f"| {row.rank} | {md_file(row.name)} | {row.score:.1f} | {md_file(_gates_text(row))} "
            f"| {_evidence_text(row)} |"
        )
    return "\n".join(lines) + "\n"


def to_table(result: Result) -> str:
    header = ("rank", "vendor", "score", "must-haves", "evidence")
    body = [
        (str(r.rank), r.name, f"{r.score:.1f}", _gates_text(r), _evidence_text(r))
        for r in result.rows
    ]
    widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.rjust(widths[i]) if i in (0, 2) else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ).rstrip()
        for line in (header, *body)
    ]
    title = (
        f"{METHOD_NAMES[result.method]} · {result.template_id} v{result.template_version} · "
        f"profile {result.profile or 'default'} · missing: {result.missing} · "
        f"confidence: {'on' if result.confidence else 'off'} · open must-haves: "
        f"{result.open_gates} · stale: {result.stale}"
    )
    method = f"method: {METHOD_DESCRIPTIONS[result.method]}"
    return "\n".join([title, method, *lines]) + "\n"


RENDERERS = {"table": to_table, "json": to_json, "csv": to_csv, "md": to_markdown}


def render(result: Result, fmt: str) -> str:
    """The ranking in one of `FORMATS`."""
    return RENDERERS[fmt](result)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write a file so that readers see the old content or the new, never a half-written one.
    A new file gets the permissions the user's umask gives; a replaced one keeps its own. An
    error names `path`, never the temporary file beside it."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
