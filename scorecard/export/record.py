"""The decision record: which files (with their SHA-256), weights, gates, policies and overrides
produced a ranking, and the ranking itself; and `reproduce`, which recomputes it from the files on
disk and says what changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from scorecard.export.ranking import ranking
from scorecard.loading import LoadError, load_template, load_vendors
from scorecard.model import Vendor
from scorecard.session import (
    RECORD_FORMAT,
    SESSION_FORMAT,
    Comparison,
    DecisionRecord,
    RecordedFile,
    Session,
    compare,
)

SCORE_TOLERANCE = 1e-9


def decision_record(
    comparison: Comparison,
    *,
    files: Mapping[str, str],
    vendor_files: Mapping[str, str],
    template_path: str | None,
    created: dt.datetime,
    version: str,
) -> DecisionRecord:
    """The record of one comparison. `files` maps every input path to its SHA-256 (the template
    and the files it extends first, unless the template was edited in the app: then the session
    in the record carries it); `vendor_files` maps vendor ids to their paths."""
    options = comparison.options
    by_path = {path: vendor for vendor, path in vendor_files.items()}
    return DecisionRecord(
        format=RECORD_FORMAT,
        tool="scorecard",
        version=version,
        created=created.isoformat(timespec="seconds"),
        template_path=template_path,
        files=tuple(
            RecordedFile(path=p, sha256=h, vendor=by_path.get(p)) for p, h in files.items()
        ),
        session=Session(
            format=SESSION_FORMAT,
            template=comparison.template,
            vendors=tuple(v.id for v in comparison.vendors),
            profile=options.profile,
            weights=dict(options.weights),
            gates=dict(options.gates),
            missing=options.missing,
            confidence=options.confidence,
            method=options.method,
            overrides=comparison.overrides,
        ),
        result=ranking(comparison.result, detail=True),
    )


def to_json(record: DecisionRecord) -> str:
    return json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reproduce(record: DecisionRecord, root: Path = Path()) -> list[str]:
    """Recompute a recorded ranking from the files on disk (paths relative to `root`). Returns
    what differs: changed or missing files, then vendors whose score, rank or gates changed.
    An empty list means the record is reproduced."""
    found: list[str] = []
    for entry in record.files:
        path = root / entry.path
        if not path.is_file():
            found.append(f"missing: {entry.path}")
        elif (now := _sha256(path)) != entry.sha256:
            found.append(
                f"changed: {entry.path} (sha256 was {entry.sha256[:12]}…, now {now[:12]}…)"
            )
    session = record.session
    template = session.template
    if record.template_path is not None:
        try:
            template = load_template(root / record.template_path)
        except LoadError as exc:
            return [
                *found,
                f"invalid now: {record.template_path} ({len(exc.report.problems)} problem(s))",
            ]
    vendors: list[Vendor] = []
    for entry in record.files:
        if entry.vendor is None or not (root / entry.path).is_file():
            continue
        try:
            vendors += load_vendors([root / entry.path], template)
        except LoadError as exc:
            found.append(f"invalid now: {entry.path} ({len(exc.report.problems)} problem(s))")
    then = {row["vendor"]: row for row in record.result["ranking"]}
    result = compare(template, vendors, session.options(), session.overrides).result
    scored = {row.vendor for row in result.rows}
    found += [
        f"{v}: not scored now (its file is missing or invalid)" for v in then if v not in scored
    ]
    for row in result.rows:
        old = then.get(row.vendor)
        if old is None:
            found.append(f"{row.vendor}: not in the record")
            continue
        if abs(row.score - old["score"]) > max(SCORE_TOLERANCE, 1e-6 * abs(old["score"])):
            found.append(f"{row.vendor}: score {old['score']:.6f} -> {row.score:.6f}")
        if row.rank != old["rank"]:
            found.append(f"{row.vendor}: rank {old['rank']} -> {row.rank}")
        if row.passed_gates != old["passed_gates"]:
            found.append(
                f"{row.vendor}: gates {'pass' if old['passed_gates'] else 'fail'} -> "
                f"{'pass' if row.passed_gates else 'fail'}"
            )
    return found
