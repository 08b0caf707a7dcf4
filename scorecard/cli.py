"""The `scorecard` command: parses arguments, calls the library, prints. Nothing else.

Exit codes: 0 success, 1 invalid input files (every problem is printed), 2 a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import TypeAdapter

from scorecard import __version__, export
from scorecard.diff import diff_templates
from scorecard.evidence import data_report, gaps
from scorecard.export.profile import gaps_text, report_text, vendor_text
from scorecard.export.questionnaire import questionnaire_form
from scorecard.export.record import reproduce
from scorecard.loading import (
    DEFAULT_TEMPLATE,
    DEFAULT_VENDORS,
    LoadError,
    Workspace,
    answers_folder,
    dump_yaml,
    load_record,
    load_session,
    load_template,
    load_workspace,
    validate,
)
from scorecard.model import MAX_WEIGHT, Template, TemplateOverlay, Vendor, nearest
from scorecard.responses import read_form, save
from scorecard.rfi import preview, questionnaire, sent_record, status
from scorecard.scoring import METHODS, Options, ScoringError, build_matrix, score
from scorecard.session import change_text, compare
from scorecard.store import DEFAULT_DB, Store, Stored, StoreError, database_url

STARTER = Path(__file__).resolve().parent / "starter-template.yaml"

SCHEMAS = {"template": TypeAdapter(Template | TemplateOverlay), "vendor": TypeAdapter(Vendor)}


class UsageError(Exception):
    """A problem with the command line itself (exit 2)."""


def _weight(text: str) -> tuple[str, float]:
    key, sep, value = text.partition("=")
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not sep or not key or not 0 <= number <= MAX_WEIGHT:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected ID=WEIGHT with a number from 0 to {MAX_WEIGHT:,.0f}, "
            "e.g. moderation=25"
        )
    return key, number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scorecard",
        description="Compare AI video generation vendors on weighted, evidence-graded criteria.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("validate", help="check templates and vendor profiles")
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders (default: criteria/ and vendors/)",
    )

    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--criteria",
        type=Path,
        default=DEFAULT_TEMPLATE,
        metavar="FILE",
        help=f"criteria template (default: {DEFAULT_TEMPLATE})",
    )
    data.add_argument(
        "--vendors",
        type=Path,
        action="append",
        metavar="PATH",
        help=f"vendor file or folder, repeatable (default: {DEFAULT_VENDORS}/)",
    )
    scoring = argparse.ArgumentParser(add_help=False, parents=[data])
    scoring.add_argument("--profile", metavar="NAME", help="stakeholder weight profile")
    scoring.add_argument(
        "--weight",
        type=_weight,
        action="append",
        default=[],
        metavar="ID=W",
        help="set a criterion's relative weight, repeatable",
    )
    scoring.add_argument(
        "--missing",
        choices=("worst", "neutral", "exclude"),
        help="missing-data policy (default: the template's)",
    )
    scoring.add_argument(
        "--no-confidence",
        action="store_true",
        help="credit every claim in full, whatever its evidence level",
    )
    scoring.add_argument(
        "--open-gates",
        choices=("include", "exclude"),
        help="a gate with no evidence either way: include ranks the vendor by its score, marked "
        "'ask'; exclude counts silence as a no (default: the template's, include)",
    )
    scoring.add_argument(
        "--stale",
        choices=("full", "discount", "unknown"),
        help="claims older than the template's limit: full credit, discounted, or counted as "
        "unknown (default: the template's, full)",
    )
    scoring.add_argument("--method", choices=METHODS, default="wsm", help="aggregation method")
    scoring.add_argument(
        "--gate",
        type=_gate,
        action="append",
        default=[],
        metavar="ID=on|off",
        help="turn a gate on or off, repeatable",
    )
    scoring.add_argument(
        "--condition",
        type=_condition,
        action="append",
        default=[],
        metavar="ID=yes|no",
        help="whether a condition of the template is your situation, repeatable",
    )

    rank = commands.add_parser("score", parents=[scoring], help="score and rank the vendors")
    rank.add_argument("--format", choices=export.FORMATS, default="table")
    rank.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")

    vendor = commands.add_parser("vendor", help="show one vendor profile with its evidence")
    vendor_commands = vendor.add_subparsers(dest="vendor_command", required=True, metavar="ACTION")
    show = vendor_commands.add_parser(
        "show", parents=[data], help="every claim with its confidence, sources and age"
    )
    show.add_argument("vendor_id", metavar="ID", help="vendor id, e.g. kling-ai")

    commands.add_parser(
        "report",
        parents=[scoring],
        help="per vendor: claims by grade, sources with and without a URL, stale and "
        "conditional claims, open gates",
    )
    gaps = commands.add_parser(
        "gaps",
        parents=[scoring],
        help="per vendor, the unknown claims that could move its score most",
    )
    gaps.add_argument("--vendor", dest="only", metavar="ID", help="only this vendor")

    out = commands.add_parser(
        "export",
        parents=[scoring],
        help="write the comparison sheet (XLSX, HTML, Markdown, CSV) or the decision record",
    )
    out.add_argument(
        "--format", choices=list(export.EXPORT_FORMATS), help="default: from the file's suffix"
    )
    out.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")

    robust = commands.add_parser(
        "robustness", parents=[scoring], help="how much it would take to change the ranking"
    )
    robust.add_argument(
        "--samples",
        type=_positive,
        default=10_000,
        metavar="N",
        help="SMAA samples (default 10,000)",
    )
    robust.add_argument(
        "--weights",
        choices=("around", "uniform"),
        default="around",
        help="sample weights around the chosen ones, or uniformly",
    )
    robust.add_argument("--seed", type=int, default=0, metavar="S")
    robust.add_argument("--format", choices=("table", "json"), default="table")

    rfi = commands.add_parser(
        "rfi",
        parents=[scoring],
        help="questionnaires: write one for a vendor, import its answers, or see where they stand",
        description="scorecard rfi VENDOR [-o FILE] writes a questionnaire (.xlsx, or .yaml for "
        "a text form) and records it as sent; scorecard rfi import FILE reads the filled one, "
        "shows what it would change and keeps the answers beside the profile; scorecard rfi "
        "status shows, per vendor, what was sent, answered and is still open.",
    )
    rfi.add_argument("target", metavar="VENDOR|import|status", nargs="?")
    rfi.add_argument("file", type=Path, nargs="?", metavar="FILE", help="for import: the file")
    rfi.add_argument("--all", action="store_true", help="a questionnaire for every vendor")
    rfi.add_argument(
        "--all-criteria",
        action="store_true",
        help="ask about every criterion, not only the unknown, stale, conditional or weak ones",
    )
    rfi.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="the questionnaire's file (with --all: a folder); .xlsx or .yaml",
    )
    rfi.add_argument(
        "--valid-only",
        action="store_true",
        help="import the valid answers and list the rest in the response file",
    )
    rfi.add_argument(
        "--dry-run", action="store_true", help="show what an import would change; write nothing"
    )

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--db",
        metavar="URL",
        help=f"the session database (default: $SCORECARD_DB, else {DEFAULT_DB} here)",
    )
    kept = commands.add_parser(
        "session",
        parents=[data, database],
        help="sessions kept in the database: list, show, export or import one",
        description="scorecard session list; show ID; export ID [-o FILE] writes the session "
        "file the app downloads; import FILE [--name NAME] stores a session file as a new "
        "session (checked against the vendors here).",
    )
    kept.add_argument("action", choices=("list", "show", "export", "import"))
    kept.add_argument("target", nargs="?", metavar="ID|FILE")
    kept.add_argument("-o", "--output", type=Path, metavar="FILE", help="export: default, print")
    kept.add_argument("--name", help="import: the session's name (default: the file's)")
    audit = commands.add_parser(
        "audit",
        parents=[database],
        help="a stored session's history, or `audit verify` to check every history",
    )
    audit.add_argument("target", metavar="SESSION|verify")

    again = commands.add_parser("reproduce", help="recompute a decision record from the files")
    again.add_argument("record", type=Path, metavar="RECORD")

    tpl = commands.add_parser("template", help="share criteria templates")
    tpl_commands = tpl.add_subparsers(dest="template_command", required=True, metavar="ACTION")
    diff = tpl_commands.add_parser("diff", help="what changed from template A to template B")
    diff.add_argument("old", type=Path, metavar="A")
    diff.add_argument("new", type=Path, metavar="B")
    new = tpl_commands.add_parser("new", help="write a starter template to edit")
    new.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: print it")

    schema = commands.add_parser("schema", help="print the JSON Schema of a file kind")
    schema.add_argument("kind", choices=sorted(SCHEMAS))
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1 or int(text) > 10_000_000:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number from 1 to 10,000,000")
    return int(text)


def _condition(text: str) -> tuple[str, bool]:
    key, _, value = text.partition("=")
    if not key or value not in ("yes", "no"):
        raise argparse.ArgumentTypeError(f"{text!r}: expected ID=yes or ID=no")
    return key, value == "yes"


def _gate(text: str) -> tuple[str, bool]:
    key, _, value = text.partition("=")
    if not key or value not in ("on", "off"):
        raise argparse.ArgumentTypeError(f"{text!r}: expected ID=on or ID=off")
    return key, value == "on"


def _validate(args: argparse.Namespace) -> int:
    paths = args.paths or [p for p in (DEFAULT_TEMPLATE.parent, DEFAULT_VENDORS) if p.exists()]
    if not paths:
        raise UsageError("nothing to validate: no criteria/ or vendors/ here; name the files")
    report = validate(paths)
    print(report, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def _workspace(args: argparse.Namespace) -> Workspace:
    return load_workspace(args.criteria, args.vendors or [DEFAULT_VENDORS])


def _options(args: argparse.Namespace) -> Options:
    return Options(
        method=args.method,
        profile=args.profile,
        weights=dict(args.weight),
        missing=args.missing,
        confidence=False if args.no_confidence else None,
        gates=dict(args.gate),
        conditions=dict(args.condition),
        open_gates=args.open_gates,
        stale=args.stale,
        as_of=dt.date.today(),
    )


def _score(args: argparse.Namespace) -> int:
    workspace = _workspace(args)
    result = score(workspace.template, workspace.vendors, _options(args))
    text = export.render(result, args.format)
    if args.output:
        export.write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def _find_vendor(workspace: Workspace, vendor_id: str) -> Vendor:
    ids = [v.id for v in workspace.vendors]
    if vendor_id not in ids:
        hint = nearest(vendor_id, ids) or f"known: {', '.join(ids)}"
        raise UsageError(f"no vendor {vendor_id!r} ({hint})")
    return workspace.vendors[ids.index(vendor_id)]


def _vendor(args: argparse.Namespace) -> int:
    workspace = _workspace(args)
    vendor = _find_vendor(workspace, args.vendor_id)
    layers = workspace.layers.get(vendor.id, ())
    sys.stdout.write(vendor_text(workspace.template, vendor, dt.date.today(), layers=layers))
    return 0


def _report(args: argparse.Namespace) -> int:
    workspace = _workspace(args)
    found = data_report(workspace.template, workspace.vendors, dt.date.today(), _options(args))
    sys.stdout.write(report_text(found))
    return 0


def _gaps(args: argparse.Namespace) -> int:
    workspace = _workspace(args)
    found = gaps(workspace.template, workspace.vendors, _options(args))
    if args.only:
        found = {args.only: found[_find_vendor(workspace, args.only).id]}
    names = {v.id: v.name for v in workspace.vendors}
    sys.stdout.write(gaps_text(names, found))
    return 0


def _export(args: argparse.Namespace) -> int:
    fmt = args.format or export.format_for(args.output)
    if fmt is None:
        suffixes = ", ".join(export.EXPORT_FORMATS.values())
        raise UsageError(f"say --format, or name the file with one of {suffixes}")
    workspace = _workspace(args)
    comparison = compare(workspace.template, workspace.vendors, _options(args))
    # Only the decision record names its input files; the other formats take any path.
    here = {path: _project_path(path) if fmt == "record" else path for path in workspace.files}
    data = export.export_file(
        fmt,
        comparison,
        version=__version__,
        created=dt.datetime.now(dt.UTC),
        files={here[p]: h for p, h in workspace.files.items()},
        vendor_files={v: here[p] for v, p in workspace.vendor_files.items()},
        template_path=here[str(args.criteria)],
    )
    export.write_atomic(args.output, data)
    print(f"wrote {args.output} ({fmt}, {len(data):,} bytes)")
    return 0


def _project_path(path: str) -> str:
    """A path as the decision record names it: relative to the current (project) folder, which
    is the only place `reproduce` will look."""
    relative = os.path.relpath(path)
    if relative.startswith(".."):
        raise UsageError(
            f"{path} is outside the current folder; run scorecard from the folder that holds "
            "the criteria and vendors, so that the record can be reproduced there"
        )
    return relative


def _robustness(args: argparse.Namespace) -> int:
    # Imported here: scipy takes most of a second to load, and only this command needs it.
    from scorecard.export.robust import robustness_json, robustness_text
    from scorecard.robustness import analyse

    workspace = _workspace(args)
    options = _options(args)
    matrix = build_matrix(workspace.template, workspace.vendors, options.conditions, options.as_of)
    analysis = analyse(workspace.template, matrix, options, args.samples, args.weights, args.seed)
    names = {v.id: v.name for v in workspace.vendors} | {
        c.id: c.name for c in workspace.template.nodes()
    }
    render = robustness_json if args.format == "json" else robustness_text
    sys.stdout.write(render(analysis, names))
    return 0


def _rfi(args: argparse.Namespace) -> int:
    workspace = _workspace(args)
    if args.target == "import":
        return _rfi_import(args, workspace)
    if args.target == "status":
        width = max(len(v.name) for v in workspace.vendors)
        print(f"{'vendor':<{width}}  questionnaire")
        for v in workspace.vendors:
            found = status(v.id, workspace.sent.get(v.id, ()), workspace.responses.get(v.id, ()))
            print(f"{v.name:<{width}}  {found.text}")
        return 0
    if args.all == bool(args.target):
        raise UsageError("name a vendor (scorecard rfi kling-ai), or say --all")
    chosen = workspace.vendors if args.all else [_find_vendor(workspace, args.target)]
    today = dt.date.today()
    if args.all and args.output:
        args.output.mkdir(parents=True, exist_ok=True)
    for vendor in chosen:
        q = questionnaire(workspace.template, vendor, today, _options(args), args.all_criteria)
        if not q.questions:
            print(f"nothing to ask {vendor.name}: every claim is confirmed and fresh")
            continue
        name = Path(f"questionnaire-{vendor.id}-{today}.xlsx")
        path = (args.output or Path()) / name if args.all else args.output or name
        form = questionnaire_form(q, path.suffix.lower())
        if form is None:
            raise UsageError(f"{path}: a questionnaire is .xlsx, or .yaml for a text form")
        export.write_atomic(path, form)
        where = answers_folder(workspace.vendor_files[vendor.id], vendor.id)
        kept = save(where, sent_record(q), f"sent-{today}")
        print(f"wrote {path} ({len(q.questions)} questions); recorded as sent in {kept}")
    return 0


def _rfi_import(args: argparse.Namespace, workspace: Workspace) -> int:
    if args.file is None:
        raise UsageError("say which file: scorecard rfi import FILE")
    vendors = {v.id: v for v in workspace.vendors}
    data = args.file.read_bytes()
    found = read_form(str(args.file), data, workspace.template, vendors, dt.date.today())
    for problem in found.problems:
        print(problem, file=sys.stderr)
    if found.unanswered:
        print(f"left blank: {', '.join(found.unanswered)}")
    response = found.response
    if response is None:
        print(f"nothing imported: {len(found.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{vendors[response.vendor].name}: {len(response.answers)} answer(s), if imported:")
    for line in preview(workspace.template, workspace.vendors, response, _options(args)):
        print(f"  {line}")
    if found.problems and not args.valid_only:
        print(
            f"nothing imported: {len(found.problems)} problem(s); fix them and import again, or "
            "import the valid answers with --valid-only",
            file=sys.stderr,
        )
        return 1
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    header = [f"From {args.file}."]
    if found.problems:
        header += ["Not imported, to fix and import again:", *map(str, found.problems)]
    where = answers_folder(workspace.vendor_files[response.vendor], response.vendor)
    kept = save(where, response, response.received, header)
    print(f"wrote {kept}")
    return 0


def _store(args: argparse.Namespace) -> Store:
    return Store(args.db or database_url(Path()))


def _actor() -> str:
    return f"{getpass.getuser()} (command line)"


def _session(args: argparse.Namespace) -> int:
    if args.action != "list" and not args.target:
        what = "FILE" if args.action == "import" else "ID"
        raise UsageError(f"say which session: scorecard session {args.action} {what}")
    store = _store(args)
    try:
        if args.action == "list":
            found = store.list()
            print("id                       version  updated           name")
            for s in found:
                print(f"{s.id:<24} {s.version:>7}  {s.updated[:16]:<16}  {s.name}")
            print(f"{len(found)} session(s) in {store.where}")
        elif args.action == "show":
            _show_session(store, store.get(args.target))
        elif args.action == "export":
            text = dump_yaml(store.get(args.target).session)
            if args.output:
                export.write_atomic(args.output, text)
                print(f"wrote {args.output}")
            else:
                sys.stdout.write(text)
        else:
            available = [v.id for v in _workspace(args).vendors]
            session = load_session(Path(args.target), None, available)
            name = args.name or Path(args.target).stem
            made = store.create(session, name=name, actor=_actor())
            print(f"stored {args.target} as session {made.id} ({name!r})")
            print(f"open it in the app with ?session={made.id} after the app's address")
    finally:
        store.close()
    return 0


def _show_session(store: Store, found: Stored) -> None:
    session, history = found.session, store.events(found.id)
    print(f"{found.name}  (session {found.id}, version {found.version})")
    print(f"created {found.created[:16]}, last changed {found.updated[:16]}")
    print(f"template: {session.template.name} {session.template.version}")
    print(f"vendors: {', '.join(session.vendors)}")
    if session.profile:
        print(f"profile: {session.profile}")
    for key, value in sorted(session.weights.items()):
        print(f"weight: {key} = {value:g}")
    for o in session.overrides:
        print(f"override: {o.vendor}/{o.criterion} ({o.claim.confidence})")
    panel = store.panel(found.id)
    if panel is not None:
        state = "signed, so locked" if panel.locked else "open"
        print(f"panel: revision {panel.revision}, {state}; group weights: {panel.aggregation} mean")
        for m in store.members(found.id):
            print(f"member: {m.name} ({m.role}){', revoked' if m.revoked else ''}")
        if panel.decision is not None:
            print(f"decision: {panel.decision.vendor}, by {panel.decision.by}")
        for s in store.signatures(found.id):
            print(f"revision {s.revision}: {s.verdict} by {s.name} ({s.vendor})")
    print(f"history: {len(history)} event(s); scorecard audit {found.id}")


def _audit(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        if args.target == "verify":
            problems = store.verify()
            for line in problems:
                print(line, file=sys.stderr)
            count = store.count()
            if problems:
                print(
                    f"{len(problems)} problem(s) in the history of {store.where}", file=sys.stderr
                )
                return 1
            print(f"every history is intact: {count} session(s) in {store.where}")
            return 0
        store.get(args.target)
        for e in store.events(args.target):
            print(f"{e.seq:>4}  {e.at[:19]}  {e.actor}  {e.kind}  {change_text(e.detail)}")
    finally:
        store.close()
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    record = load_record(args.record)
    found = reproduce(record)
    if found:
        print(f"not reproduced: {len(found)} difference(s)", file=sys.stderr)
        for line in found:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"reproduced: {len(record.result['ranking'])} vendor(s) ranked as on {record.created}")
    return 0


def _template(args: argparse.Namespace) -> int:
    if args.template_command == "diff":
        changes = diff_templates(load_template(args.old), load_template(args.new))
        print("\n".join(map(str, changes)) if changes else "no differences")
        return 0
    text = STARTER.read_text()
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if args.output.exists():
        raise UsageError(f"{args.output} exists; choose another name")
    export.write_atomic(args.output, text)
    print(f"wrote {args.output}: edit it, then run scorecard validate {args.output}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(SCHEMAS[args.kind].json_schema(), indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (and never shows a traceback)."""
    args = _parser().parse_args(argv)
    handlers = {
        "robustness": _robustness,
        "export": _export,
        "reproduce": _reproduce,
        "rfi": _rfi,
        "template": _template,
        "validate": _validate,
        "score": _score,
        "vendor": _vendor,
        "gaps": _gaps,
        "report": _report,
        "schema": _schema,
        "session": _session,
        "audit": _audit,
    }
    try:
        return handlers[args.command](args)
    except LoadError as exc:
        print(exc.report, file=sys.stderr)
        return 1
    except (ScoringError, UsageError) as exc:
        print(f"scorecard: error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"scorecard: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the exit flush cannot fail
        return 0
    except OSError as exc:  # after BrokenPipeError, which is one
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"scorecard: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours: say so briefly, never a traceback
        print(f"scorecard: internal error: {exc!r} (please report it)", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
