"""Reading a vendor's filled questionnaire (XLSX or the YAML form) back as a `Response`.

Every file is hostile until checked: size capped before anything is read; an XLSX must be a
plain workbook (no macros, no external links, no archive that inflates past a cap), is read
with openpyxl in read-only mode, and every cell is data: a formula, or text starting with `=`,
is an error and never evaluated. Each problem is located (`FILE:Questions!G12` or
`FILE:LINE:COLUMN`) and all are reported at once; the answers that are valid are returned
apart, so that a caller writes nothing, or only those, as the buyer chooses.

Tolerances, documented in the README: rows may be reordered (answers are matched by question
id); a number may carry the question's own unit ("45 s"); "yes"/"no" in any case, or TRUE/FALSE.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scorecard.export.questionnaire import (
    ABOUT,
    ANSWER_KEYS,
    COLUMN,
    FORMAT,
    HEADER_ROW,
    QUESTIONS,
    RESPONDENT,
    RESPONDENT_COLUMN,
)
from scorecard.export.ranking import write_atomic
from scorecard.loading import dump_yaml, read_document
from scorecard.model import (
    Answer,
    Claim,
    Problem,
    Response,
    Sent,
    Template,
    Vendor,
    check_claim,
    nearest,
)
from scorecard.rfi import AnswerError, Question, questionnaire, read_answer

MAX_FORM_BYTES = 5_000_000  # a filled questionnaire is tens of kilobytes
MAX_UNZIPPED_BYTES = 50_000_000  # what the workbook's parts may inflate to, in all
MAX_PARTS = 500
MAX_ROWS = 2_000  # questions in one questionnaire
MAX_CELL_CHARS = 2_000
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Cell:
    """A value read from a form, and where it is (the fields of `Problem` that locate it)."""

    value: Any
    at: Mapping[str, Any]


@dataclass
class _Form:
    path: str
    meta: dict[str, Cell] = field(default_factory=dict)
    listed: list[str] = field(default_factory=list)  # the question ids the form was sent with
    respondent: dict[str, Cell] = field(default_factory=dict)
    rows: list[dict[str, Cell]] = field(default_factory=list)  # id, answer, evidence, ...
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False  # the file as a whole cannot be read: nothing in it is checked further

    def problem(
        self, cell: Cell | None, code: str, message: str, loc: tuple = (), hint: str = ""
    ) -> None:
        at = dict(cell.at) if cell else {}
        self.problems.append(Problem(code, message, loc, hint, self.path, **at))

    def refuse(self, code: str, message: str, hint: str = "", cell: Cell | None = None) -> None:
        self.problem(cell, code, message, hint=hint)
        self.fatal = True


@dataclass(frozen=True)
class Imported:
    """A filled questionnaire, read: the valid answers as a `Response` (None when there are
    none, or the file could not be matched to a vendor and template), every problem, and the
    questions left blank."""

    path: str
    vendor: str | None
    response: Response | None
    problems: list[Problem]
    unanswered: list[str]


def read_form(
    path: str, data: bytes, template: Template, vendors: Mapping[str, Vendor], today: dt.date
) -> Imported:
    """Read a filled questionnaire (by its name's suffix: .xlsx, or .yaml/.yml) against the
    template and vendors it was written for."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    form = _Form(path)
    if len(data) > MAX_FORM_BYTES:
        form.refuse(
            "too-large",
            f"file is {len(data):,} bytes; the limit is {MAX_FORM_BYTES:,}",
            hint="a filled questionnaire is small: check that this is the file you meant",
        )
    elif suffix == "xlsx":
        _read_xlsx(form, data)
    elif suffix in ("yaml", "yml"):
        _read_yaml(form, data)
    elif suffix in ("xlsm", "xltm", "xlsb", "xls"):
        form.refuse(
            "not-xlsx",
            f"a .{suffix} file is not read (it can carry macros, or is an old binary format)",
            hint="save it as an Excel workbook (.xlsx)",
        )
    else:
        form.refuse("not-a-questionnaire", "expected a .xlsx or .yaml questionnaire", hint="")
    if form.fatal:
        return Imported(path, None, None, form.problems, [])
    return _check(form, template, vendors, today)


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------


def _read_xlsx(form: _Form, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        form.refuse("not-xlsx", "not an XLSX workbook", hint="save it as .xlsx")
        return
    names = [p.filename for p in parts]
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNZIPPED_BYTES:
        form.refuse(
            "too-large",
            f"the workbook unpacks to more than {MAX_UNZIPPED_BYTES:,} bytes",
            hint="it is not the questionnaire we sent; send that one back",
        )
        return
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        form.refuse("macro", "the workbook contains macros", hint="save it as .xlsx without macros")
        return
    if any(n.startswith("xl/externalLinks/") for n in names):
        form.refuse(
            "external-link",
            "the workbook links to other files",
            hint="paste the values instead of links to other workbooks",
        )
        return
    import openpyxl  # the app and most commands never read a workbook

    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        form.refuse("not-xlsx", f"the workbook cannot be read ({type(exc).__name__})", hint="")
        return
    try:
        missing = [s for s in (QUESTIONS, ABOUT) if s not in book.sheetnames]
        if missing:
            form.refuse(
                "missing-sheet",
                f"no sheet {missing[0]!r} (sheets: {', '.join(book.sheetnames)})",
                hint="a sheet was renamed or deleted: answer in the workbook as it was sent",
            )
            return
        _read_about(form, book[ABOUT])
        _read_questions(form, book[QUESTIONS])
    finally:
        book.close()


def _value(form: _Form, sheet: str, cell: Any, row: int, col: int, loc: tuple = ()) -> Cell:
    from openpyxl.utils import get_column_letter

    at = {"cell": f"{sheet}!{get_column_letter(col)}{row}"}
    return _as_data(form, getattr(cell, "value", None), at, loc)


def _as_data(form: _Form, value: Any, at: Mapping[str, Any], loc: tuple) -> Cell:
    """A value as data: formulas and formula-like text, and overlong text, are refused."""
    if isinstance(value, str):
        if value.startswith("="):
            form.problem(Cell(value, at), "formula", "a formula is not read", loc, "type the value")
            return Cell(None, at)
        if len(value) > MAX_CELL_CHARS:
            form.problem(
                Cell(value, at),
                "too-long",
                f"{len(value):,} characters; the limit is {MAX_CELL_CHARS:,}",
                loc,
                "shorten it, or cite a document",
            )
            return Cell(None, at)
        value = value.strip() or None
    return Cell(value, at)


def _read_about(form: _Form, sheet: Any) -> None:
    for r, row in enumerate(sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 20, max_col=2), 1):
        key, value = (_value(form, ABOUT, c, r, i) for i, c in enumerate(row[:2], 1))
        if key.value == "question":
            form.listed.append(str(value.value))
        elif isinstance(key.value, str):
            form.meta[key.value] = value


def _read_questions(form: _Form, sheet: Any) -> None:
    col = RESPONDENT_COLUMN + 1
    for r, _, key in RESPONDENT:
        row = r + 1
        cells = next(sheet.iter_rows(min_row=row, max_row=row, min_col=col, max_col=col), ())
        form.respondent[key] = _value(
            form, QUESTIONS, cells[0] if cells else None, row, col, ("respondent", key)
        )
    first = HEADER_ROW + 2
    width = max(COLUMN.values()) + 1
    for r, row in enumerate(
        sheet.iter_rows(min_row=first, max_row=first + MAX_ROWS, max_col=width), first
    ):
        if r == first + MAX_ROWS:
            if any(getattr(c, "value", None) is not None for c in row):
                form.refuse(
                    "too-many-rows",
                    f"more than {MAX_ROWS:,} rows of questions",
                    "answer in the workbook as it was sent",
                    Cell(None, {"cell": f"{QUESTIONS}!A{r}"}),
                )
            break
        qid = _column(form, row, r, "id")
        loc = (str(qid.value),) if qid.value is not None else ()
        cells = {"id": qid} | {key: _column(form, row, r, key, loc) for key in ANSWER_KEYS}
        if any(c.value is not None for c in cells.values()):
            form.rows.append(cells)


def _column(form: _Form, row: tuple, r: int, key: str, loc: tuple = ()) -> Cell:
    col = COLUMN[key]
    return _value(form, QUESTIONS, row[col] if col < len(row) else None, r, col + 1, loc)


# ---------------------------------------------------------------------------------------------
# The YAML form
# ---------------------------------------------------------------------------------------------


def _read_yaml(form: _Form, data: bytes) -> None:
    doc = read_document(form.path, data)
    if doc.problems:
        form.problems += doc.problems
        form.fatal = True
        return
    if not isinstance(doc.data, dict):
        form.problems.append(doc.problem("not-a-questionnaire", "expected a questionnaire form"))
        form.fatal = True
        return

    def cell(loc: tuple, value: Any, about: tuple = ()) -> Cell:
        line, column = doc.position(loc, at_key=False)
        return _as_data(form, value, {"line": line, "column": column}, about)

    for key in ("format", "template", "template_version", "vendor", "questionnaire"):
        form.meta[key] = cell((key,), doc.data.get(key))
    who = doc.data.get("respondent")
    who = who if isinstance(who, dict) else {}
    for key in ("name", "role", "email"):
        form.respondent[key] = cell(("respondent", key), who.get(key))
    form.respondent["received"] = cell(("received",), doc.data.get("received"))
    answers = doc.data.get("answers")
    if not isinstance(answers, dict):
        form.problems.append(
            doc.problem("not-a-questionnaire", "expected `answers`, one per question", ("answers",))
        )
        form.fatal = True
        return
    for qid, body in answers.items():
        form.listed.append(str(qid))
        body = body if isinstance(body, dict) else {}
        loc, about = ("answers", qid), (str(qid),)
        row = {
            "id": cell(loc, str(qid)),
            "answer": cell((*loc, "answer"), body.get("answer"), about),
        }
        row["evidence"] = cell((*loc, "url"), body.get("url") or body.get("document"), about)
        row["section"] = cell((*loc, "section"), body.get("section"), about)
        row["comment"] = cell((*loc, "comment"), body.get("comment"), about)
        if body.get("url") and body.get("document"):
            row["document"] = cell((*loc, "document"), body.get("document"), about)
        form.rows.append(row)


# ---------------------------------------------------------------------------------------------
# Checking what was read
# ---------------------------------------------------------------------------------------------


def _check(
    form: _Form, template: Template, vendors: Mapping[str, Vendor], today: dt.date
) -> Imported:
    meta = form.meta
    fmt = meta.get("format")
    if fmt is None or fmt.value != FORMAT:
        form.problem(
            fmt,
            "not-a-questionnaire",
            "this is not a Scorecard questionnaire (or its hidden About sheet was changed)",
            hint="answer in the workbook or form as it was sent",
        )
        return Imported(form.path, None, None, form.problems, [])
    vendor_cell = meta.get("vendor")
    vendor_id = str(vendor_cell.value) if vendor_cell else ""
    if vendor_id not in vendors:
        hint = nearest(vendor_id, list(vendors)) or "the vendor's profile must be loaded"
        form.problem(vendor_cell, "unknown-vendor", f"no vendor {vendor_id!r}", ("vendor",), hint)
        return Imported(form.path, None, None, form.problems, [])
    vendor = vendors[vendor_id]
    got = (_text(meta.get("template")), _text(meta.get("template_version")))
    if got != (template.id, template.version):
        form.problem(
            meta.get("template_version"),
            "other-template",
            f"answers to the criteria {got[0]!r} version {got[1]!r}; the criteria now are "
            f"{template.id!r} version {template.version!r}",
            ("template_version",),
            "send the vendor a new questionnaire",
        )
        return Imported(form.path, vendor_id, None, form.problems, [])
    full = questionnaire(template, vendor, today, everything=True)
    every = {q.id: q for q in full.questions}
    unknown = [qid for qid in form.listed if qid not in every]
    sent = replace(full, questions=tuple(every[qid] for qid in form.listed if qid in every))
    if unknown or sent.fingerprint != _text(meta.get("questionnaire")):
        form.problem(
            meta.get("questionnaire"),
            "questions-changed",
            "the questions in this file are not the ones that were sent"
            + (f" (no question {unknown[0]!r})" if unknown else ""),
            ("questionnaire",),
            "questions were edited or deleted: answer in the file as it was sent",
        )
        return Imported(form.path, vendor_id, None, form.problems, [])

    values: dict[str, Any] = {}
    seen: set[str] = set()
    details: dict[str, dict[str, Cell]] = {}
    for row in form.rows:
        qid = _text(row["id"])
        if qid not in every or qid not in form.listed:
            hint = nearest(qid, form.listed) or "do not change the question ids"
            form.problem(row["id"], "unknown-question", f"no question {qid!r}", (qid,), hint)
            continue
        if qid in seen:
            form.problem(row["id"], "repeated-question", f"question {qid!r} appears twice", (qid,))
            continue
        seen.add(qid)
        details[qid] = row
        answer = row["answer"]
        if answer.value is None:
            continue
        try:
            values[qid] = read_answer(every[qid], answer.value)
        except AnswerError as exc:
            form.problem(answer, exc.code, str(exc), (qid,), exc.hint)
    missing = [qid for qid in form.listed if qid not in seen]
    for qid in missing:
        form.problem(
            None,
            "missing-question",
            f"question {qid!r} is not in the file",
            (qid,),
            "a row was deleted: answer in the file as it was sent",
        )
    who = _respondent(form, today)
    # A question with any problem (its answer, evidence, section or comment) is left out whole.
    troubled = {p.loc[0] for p in form.problems if p.loc}
    values = {qid: value for qid, value in values.items() if qid not in troubled}
    answers = _answers(form, every, values, details, template)
    unanswered = [q for q in form.listed if q not in values and q in every and q not in troubled]
    response = None
    if answers and who is not None:
        try:
            response = Response(
                vendor=vendor_id,
                template=template.id,
                template_version=template.version,
                questionnaire=sent.fingerprint,
                received=who["received"],
                respondent={k: v or None for k, v in who.items() if k != "received"},
                answers=answers,
            )
        except ValidationError as exc:  # the models' own checks, after ours: should not happen
            form.problem(None, "invalid", str(exc.errors()[0]["msg"]))
    return Imported(form.path, vendor_id, response, form.problems, unanswered)


def _text(cell: Cell | None) -> str:
    return "" if cell is None or cell.value is None else str(cell.value).strip()


def _respondent(form: _Form, today: dt.date) -> dict[str, str] | None:
    who = form.respondent
    found = {key: _text(who.get(key)) for key in ("name", "role", "email")}
    ok = True
    if not found["name"]:
        form.problem(
            who.get("name"), "no-respondent", "who answered? the name is empty", ("respondent",)
        )
        ok = False
    received = who.get("received")
    value = received.value if received else None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day: dt.date | None = value
    else:
        try:
            day = dt.date.fromisoformat(str(value)) if value is not None else None
        except ValueError:
            day = None
    if day is None or day > today:
        form.problem(
            received,
            "bad-date",
            f"the date of the answers is {'missing' if value is None else repr(str(value))}"
            + (" (in the future)" if day is not None else ""),
            ("received",),
            "the day you answered, as YYYY-MM-DD",
        )
        ok = False
    return {**found, "received": day.isoformat()} if ok and day else None


def _answers(
    form: _Form,
    every: Mapping[str, Question],
    values: Mapping[str, Any],
    details: Mapping[str, Mapping[str, Cell]],
    template: Template,
) -> dict[str, Answer]:
    measures = {leaf.id: leaf.measure for leaf in template.leaves()}
    by_criterion: dict[str, list[Question]] = {}
    for qid in details:
        by_criterion.setdefault(every[qid].criterion, []).append(every[qid])
    out: dict[str, Answer] = {}
    for criterion, questions in by_criterion.items():
        given = [q for q in questions if q.id in values]
        if not given:
            continue
        if questions[0].option is not None:  # a coverage criterion: one yes/no per option
            blank = [q for q in questions if q.id not in values]
            if blank:
                form.problem(
                    details[blank[0].id]["answer"],
                    "partial-answer",
                    f"{criterion!r}: some options are answered and {blank[0].option!r} is not",
                    (blank[0].id,),
                    "answer yes or no for every option, or leave them all blank",
                )
                continue
            value: Any = [q.option for q in questions if values[q.id]]
        else:
            value = values[questions[0].id]
        rows = [details[q.id] for q in questions]
        misfits = check_claim(Claim.model_construct(value=value), measures[criterion])
        for _, message, hint in misfits:
            form.problem(rows[0]["answer"], "measure-mismatch", message, (questions[0].id,), hint)
        if misfits:
            continue
        # Of an option-by-option answer: the first evidence given, and every comment.
        evidence = next((_text(r["evidence"]) for r in rows if _text(r["evidence"])), "")
        url = evidence if _URL.match(evidence) else None
        named = next((_text(r["document"]) for r in rows if _text(r.get("document"))), "")
        comments = [(q.option, _text(r["comment"])) for q, r in zip(questions, rows, strict=True)]
        comment = "; ".join(f"{o}: {c}" if o else c for o, c in comments if c)
        try:
            out[criterion] = Answer(
                value=value,
                document=named or (None if url else evidence or None),
                section=next((_text(r["section"]) for r in rows if _text(r["section"])), None),
                url=url,
                comment=comment,
            )
        except ValidationError as exc:  # text the models refuse: control characters, say
            for error in exc.errors():
                column = _FIELD_COLUMN.get(str(error["loc"][0]), "answer")
                form.problem(rows[0][column], "invalid", error["msg"], (questions[0].id,))
    return out


#: The column of the form that holds each field of an `Answer`.
_FIELD_COLUMN = {
    "document": "evidence",
    "url": "evidence",
    "section": "section",
    "comment": "comment",
}


# ---------------------------------------------------------------------------------------------
# Keeping answers and records of sending beside the profile
# ---------------------------------------------------------------------------------------------


def save(where: Path, record: Response | Sent, stem: str, header: Sequence[str] = ()) -> Path:
    """Write a response or a record of sending as `where/<stem>.yaml` (`<stem>-2.yaml`, ... when
    that exists), atomically; `header` lines go first, as comments."""
    where.mkdir(parents=True, exist_ok=True)
    path, n = where / f"{stem}.yaml", 2
    while path.exists():
        path, n = where / f"{stem}-{n}.yaml", n + 1
    comments = "".join(f"# {line}\n" for line in header)
    write_atomic(path, comments + dump_yaml(record))
    return path
