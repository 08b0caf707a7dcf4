"""The decision record: which files (with their SHA-256), weights, gates, policies and overrides
produced a ranking, and the ranking itself; and `reproduce`, which recomputes it from the files on
disk and says what changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from scorecard.export.ranking import ranking, summary_data
from scorecard.loading import (
    MAX_FILE_BYTES,
    LoadError,
    answers_owner,
    load_template,
    load_vendors,
)
from scorecard.model import Vendor
from scorecard.panel import PanelRecord
from scorecard.scoring import ScoringError, score
from scorecard.session import (
    RECORD_FORMAT,
    SESSION_FORMAT,
    Comparison,
    DecisionRecord,
    QuestionnaireEvent,
    RecordedFile,
    Session,
    apply_overrides,
)

SCORE_TOLERANCE = 1e-9
#: How `scorecard rfi` names a record of sending and a response: sent-2026-11-27.yaml,
#: 2026-11-26.yaml (-2, -3, ... for another on the same day).
_EVENT_FILE = re.compile(r"(sent-)?(\d{4}-\d{2}-\d{2})(?:-\d+)?\.yaml")


def decision_record(
    comparison: Comparison,
    *,
    files: Mapping[str, str],
    vendor_files: Mapping[str, str],
    template_path: str | None,
    created: dt.datetime,
    version: str,
    panel: PanelRecord | None = None,
) -> DecisionRecord:
    """The record of one comparison. `files` maps every input path (relative to the project
    folder) to its SHA-256 (the template and the files it extends first, unless the template was
    edited in the app: then the session in the record carries it); `vendor_files` maps vendor ids
    to their paths. A vendor's answers and records of questionnaires, which sit under
    `responses/<vendor>/`, are recorded as that vendor's files too."""
    options = comparison.options
    by_path = {path: vendor for vendor, path in vendor_files.items()}
    events = []
    for path in files:
        owner = answers_owner(path)
        if owner in vendor_files:
            by_path[path] = owner
            if named := _EVENT_FILE.fullmatch(PurePath(path).name):
                event = "sent" if named[1] else "answered"
                events.append(
                    QuestionnaireEvent(vendor=owner, event=event, date=named[2], file=path)
                )
    content = {
        "format": RECORD_FORMAT,
        "tool": "scorecard",
        "version": version,
        "created": created.isoformat(timespec="seconds"),
        "template_path": template_path,
        "files": tuple(
            RecordedFile(path=p, sha256=h, vendor=by_path.get(p)) for p, h in files.items()
        ),
        "session": Session(
            format=SESSION_FORMAT,
            template=comparison.template,
            vendors=tuple(v.id for v in comparison.vendors),
            profile=options.profile,
            weights=dict(options.weights),
            gates=dict(options.gates),
            missing=options.missing,
            confidence=options.confidence,
            method=options.method,
            conditions=dict(options.conditions),
            # The policies as applied, defaults included: the record says what was chosen.
            open_gates=comparison.result.open_gates,
            stale=comparison.result.stale,
            as_of=options.as_of,
            overrides=comparison.overrides,
        ),
        "result": ranking(comparison.result, detail=True),
        "summary": summary_data(comparison.summary),
        "questionnaires": tuple(sorted(events, key=lambda e: (e.date, e.vendor, e.event))),
        "panel": panel,
    }
    unsigned = DecisionRecord(**content, digest="0" * 64)  # the digest leaves itself out
    return unsigned.model_copy(update={"digest": digest(unsigned)})


def digest(record: DecisionRecord) -> str:
    """SHA-256 of the record's content without its digest, as canonical JSON."""
    # A record without questionnaires (or a panel) digests as records did before the field.
    left_out = {"digest"} | {f for f in ("questionnaires", "panel") if not getattr(record, f)}
    data = record.model_dump(mode="json", exclude=left_out)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))  # ASCII, json's default
    return hashlib.sha256(text.encode()).hexdigest()


def to_json(record: DecisionRecord) -> str:
    return json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _inside(root: Path, name: str) -> Path | None:
    """The file a record names, if it is a plain relative path that stays inside `root`."""
    relative = Path(name)
    if not name or relative.is_absolute() or ".." in relative.parts or "\\" in name:
        return None
    path = root / relative
    try:
        return path if path.resolve().is_relative_to(root.resolve()) else None
    except (OSError, RuntimeError):  # a symlink loop
        return None


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _differences(then: Any, now: Any, where: str) -> list[str]:
    """Where two rankings (as plain data) differ, numbers within the score tolerance."""
    if isinstance(then, dict) and isinstance(now, dict):
        out = []
        for key in list(then) + [k for k in now if k not in then]:
            if key not in now or key not in then:
                side = "now" if key not in then else "in the record"
                out.append(f"{where}.{key}: only {side}".lstrip("."))
            else:
                out += _differences(then[key], now[key], f"{where}.{key}")
        return out
    if isinstance(then, list) and isinstance(now, list) and len(then) == len(now):
        return [
            d
            for i, (a, b) in enumerate(zip(then, now, strict=True))  # pragma: no mutate (strict)
            for d in _differences(a, b, f"{where}[{i}]")
        ]
    numbers = (int, float)
    if (
        isinstance(then, numbers)
        and isinstance(now, numbers)
        and not isinstance(then, bool)
        and not isinstance(now, bool)
    ):
        if abs(now - then) <= max(SCORE_TOLERANCE, 1e-6 * abs(then)):
            return []
    elif then == now:
        return []
    return [f"{where.lstrip('.')} {_shown(then)} -> {_shown(now)}"]


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6f}"
    return json.dumps(value, ensure_ascii=False)


def reproduce(record: DecisionRecord, root: Path = Path()) -> list[str]:
    """Recompute a recorded ranking from the files on disk under `root` (the project folder the
    record's paths are relative to). Reads only the files the record names, and only inside
    `root`, each up to `MAX_FILE_BYTES`. Returns what differs: an edited record, refused, changed
    or missing files, vendors without a file, then every value of the ranking that changed. An
    empty list means the record is reproduced."""
    found: list[str] = []
    if digest(record) != record.digest:
        found.append("edited: the record's content does not match its digest")
    paths: dict[str, Path] = {}
    for entry in record.files:
        path = _inside(root, entry.path)
        if path is None:
            found.append(f"refused: {entry.path!r} is not a path inside the project folder")
        elif not path.is_file():
            found.append(f"missing: {entry.path}")
        elif path.stat().st_size > MAX_FILE_BYTES:
            found.append(f"refused: {entry.path} is over {MAX_FILE_BYTES:,} bytes")
        else:
            if (now := _sha256(path)) != entry.sha256:
                found.append(
                    f"changed: {entry.path} (sha256 was {entry.sha256[:12]}…, now {now[:12]}…)"
                )
            paths[entry.path] = path
    session = record.session
    template = session.template
    if record.template_path is not None:
        if record.template_path not in paths:
            if not any(record.template_path == e.path for e in record.files):
                found.append(
                    f"refused: the template {record.template_path!r} is not among the files"
                )
            return found
        try:
            template = load_template(paths[record.template_path])
        except LoadError as exc:
            problems = len(exc.report.problems)
            return [*found, f"invalid now: {record.template_path} ({problems} problem(s))"]
    with_file = {e.vendor for e in record.files if e.vendor is not None}
    found += [f"{v}: no file in the record" for v in session.vendors if v not in with_file]
    vendors: list[Vendor] = []
    by_vendor: dict[str, list[str]] = {}  # a profile, then the answers layered over it
    for entry in record.files:
        if entry.vendor is not None and entry.path in paths:
            by_vendor.setdefault(entry.vendor, []).append(entry.path)
    for vendor, files in by_vendor.items():
        if vendor not in session.vendors:
            found.append(f"{vendor}: a file in the record, but not among its vendors")
            continue
        try:
            loaded = load_vendors([paths[p] for p in files], template)
        except LoadError as exc:
            named = {str(paths[p]): p for p in files}
            bad = [named.get(f, f) for f in dict.fromkeys(p.file for p in exc.report.problems)]
            found.append(f"invalid now: {', '.join(bad)} ({len(exc.report.problems)} problem(s))")
            continue
        if [v.id for v in loaded] != [vendor]:
            found.append(f"changed: {files[0]} no longer holds vendor {vendor}")
            continue
        vendors += loaded
    try:
        # The ranking only: the summary is derived from it (and sampled), and the digest covers
        # the one in the record.
        result = score(template, apply_overrides(vendors, session.overrides), session.options())
    except ScoringError as exc:
        return [*found, f"cannot score now: {exc}"]
    rows = record.result.get("ranking")
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return [*found, "edited: the record's result holds no ranking to compare"]
    then = {row.get("vendor"): row for row in rows}
    now = ranking(result, detail=True)
    scored = {row["vendor"]: row for row in now["ranking"]}
    for vendor, old in then.items():
        if vendor not in scored:
            found.append(f"{vendor}: not scored now (its file is missing or invalid)")
            continue
        found += [f"{vendor}: {d}" for d in _differences(old, scored[vendor], "")]
    found += [f"{v}: not in the record" for v in scored if v not in then]
    header = {k: v for k, v in record.result.items() if k != "ranking"}
    found += _differences(header, {k: v for k, v in now.items() if k != "ranking"}, "")
    return found
