"""What leaves the tool. One function per format, called by both the CLI and the app:

- `ranking.to_table/to_json/to_csv/to_markdown(result)`: the ranking (`scorecard score`);
- `export_file(fmt, comparison, ...)`: the comparison sheet as XLSX, HTML, Markdown or CSV, or the
  decision record (`scorecard export`, the app's Export page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from scorecard.export import record
from scorecard.export.markdown import markdown_report
from scorecard.export.ranking import (
    FORMATS,
    ranking,
    render,
    safe_cell,
    to_csv,
    to_json,
    to_markdown,
    to_table,
    write_atomic,
)
from scorecard.panel import PanelRecord
from scorecard.session import Comparison

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "export_file",
    "format_for",
    "ranking",
    "render",
    "safe_cell",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_table",
    "write_atomic",
]

#: Export formats and their file suffix.
EXPORT_FORMATS = {"xlsx": ".xlsx", "html": ".html", "md": ".md", "csv": ".csv", "record": ".json"}
MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "md": "text/markdown",
    "csv": "text/csv",
    "record": "application/json",
}


def format_for(path: str | Path) -> str | None:
    """The export format a file name implies (.xlsx, .html/.htm, .md, .csv, .json), if any."""
    suffix = Path(path).suffix.lower()
    suffix = ".html" if suffix == ".htm" else suffix
    return next((fmt for fmt, ext in EXPORT_FORMATS.items() if ext == suffix), None)


def export_file(
    fmt: str,
    comparison: Comparison,
    *,
    version: str,
    created: dt.datetime,
    files: Mapping[str, str],
    vendor_files: Mapping[str, str],
    template_path: str | None,
    panel: PanelRecord | None = None,
) -> bytes:
    """One export as bytes. `files`, `vendor_files` and `template_path` identify the inputs for the
    decision record (see `record.decision_record`), which also carries a panel's `panel`."""
    today = created.date()
    # xlsxwriter and vl-convert load only when their format is asked for.
    if fmt == "xlsx":
        from scorecard.export.xlsx import to_xlsx

        return to_xlsx(comparison)
    if fmt == "html":
        from scorecard.export.html import to_html

        text = to_html(comparison, today, version)
    elif fmt == "md":
        text = markdown_report(comparison, today)
    elif fmt == "csv":
        text = to_csv(comparison.result)
    elif fmt == "record":
        text = record.to_json(
            record.decision_record(
                comparison,
                files=files,
                vendor_files=vendor_files,
                template_path=template_path,
                created=created,
                version=version,
                panel=panel,
            )
        )
    else:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
    return text.encode("utf-8")
