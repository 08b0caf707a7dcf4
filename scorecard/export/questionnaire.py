"""A questionnaire as a vendor fills it in: an XLSX workbook (first-class) or a YAML form.

The workbook has an instructions sheet, the questions sheet (drop-downs for levels and yes/no,
number checks with the unit, every cell but the answers locked, set up to print), a hidden sheet
of choices, and a hidden `About` sheet that carries what matches the answers back: the template
and its version, the vendor, the questionnaire's fingerprint and each question's id and row.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
import yaml
from xlsxwriter.utility import xl_range_abs

from scorecard.export.xlsx import row_height
from scorecard.rfi import LEVEL, NUMBER, YES_NO, Question, Questionnaire

FORMAT = "scorecard-questionnaire/1"
QUESTIONS, ABOUT, LISTS, INSTRUCTIONS = "Questions", "About", "Lists", "Instructions"
#: The respondent's cells on the Questions sheet: (row, label, key), labelled in A:C and
#: answered in column D (0-based 3).
RESPONDENT_COLUMN = 3
RESPONDENT = (
    (3, "Your name", "name"),
    (4, "Your role", "role"),
    (5, "Your e-mail", "email"),
    (6, "Date of your answers (YYYY-MM-DD)", "received"),
)
HEADER_ROW = 8  # 0-based: the questions start on the row after it
#: (heading, width, key) of each column of the Questions sheet.
COLUMNS = (
    ("No.", 5, "number"),
    ("Question id", 16, "id"),
    ("Criterion", 20, "name"),
    ("Question", 44, "ask"),
    ("What we have now", 24, "current"),
    ("Why we ask", 26, "why"),
    ("Your answer", 22, "answer"),
    ("Unit", 8, "unit"),
    ("Evidence: document name or URL", 26, "evidence"),
    ("Section of the document", 14, "section"),
    ("Comment", 26, "comment"),
)
COLUMN = {key: i for i, (_, _, key) in enumerate(COLUMNS)}
ANSWER_KEYS = ("answer", "evidence", "section", "comment")


def _instructions(q: Questionnaire) -> list[str]:
    return [
        f"Questionnaire for {q.vendor_name} ({q.company})",
        f"From a buyer comparing AI video vendors with the criteria '{q.template_name}', "
        f"version {q.template_version}, written on {q.created}.",
        "",
        "How to answer",
        f"1. On the {QUESTIONS} sheet, fill in your name, role, e-mail and the date (yellow "
        "cells at the top).",
        "2. Answer each question in the yellow 'Your answer' cell. Where there is a drop-down, "
        "choose from it; where a number is asked, type the number alone in the unit shown "
        "(a range such as 10-20 if it varies).",
        "3. For each answer, name the document that states it (or its URL) and the section, so "
        "that we can check it. An answer with a document we can read counts for more.",
        "4. Leave a question blank if you cannot answer it; say why in the comment.",
        "5. Save the file as .xlsx (not .xlsm, not another format) and send it back. Do not "
        "rename the sheets or change the question ids: they match your answers to our "
        "questions. Formulas are not read: type values.",
        "",
        f"Questions marked 'Must-have' decide whether {q.vendor_name} can be shortlisted.",
    ]


def to_xlsx(q: Questionnaire) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties({"title": f"Questionnaire for {q.vendor_name}", "comments": FORMAT})
    # pragma: no mutate start
    wrap = book.add_format({"text_wrap": True, "valign": "top", "locked": True})
    head = book.add_format(
        {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True, "valign": "top"}
    )
    answer = book.add_format(
        {"bg_color": "#FFF2CC", "border": 1, "text_wrap": True, "valign": "top", "locked": False}
    )
    title = book.add_format({"bold": True, "font_size": 14})
    bold = book.add_format({"bold": True, "valign": "top"})
    # pragma: no mutate end

    guide = book.add_worksheet(INSTRUCTIONS)
    guide.set_column(0, 0, 75)
    for r, line in enumerate(_instructions(q)):
        guide.write_string(
            r, 0, line, title if r == 0 else bold if line == "How to answer" else wrap
        )
        guide.set_row(r, row_height(line, 75))
    guide.protect("", {"format_columns": True, "format_rows": True})
    guide.set_paper(9)  # A4
    guide.fit_to_pages(1, 0)

    sheet = book.add_worksheet(QUESTIONS)
    lists = book.add_worksheet(LISTS)
    about = book.add_worksheet(ABOUT)
    sheet.activate()
    heading = f"{q.vendor_name}: questionnaire on {q.template_name}"
    sheet.merge_range(0, 0, 0, COLUMN["current"], heading, title)
    help_line = f"Answer in the yellow cells. See the {INSTRUCTIONS} sheet."
    sheet.merge_range(1, 0, 1, COLUMN["current"], help_line, wrap)
    for r, label, _ in RESPONDENT:
        sheet.merge_range(r, 0, r, RESPONDENT_COLUMN - 1, label, bold)
        sheet.write_blank(r, RESPONDENT_COLUMN, None, answer)
    for col, (label, width, _) in enumerate(COLUMNS):
        sheet.write_string(HEADER_ROW, col, label, head)
        sheet.set_column(col, col, width)
    sheet.set_row(HEADER_ROW, max(row_height(label, width) for label, width, _ in COLUMNS))

    lists_col = 0
    for i, question in enumerate(q.questions):
        r = HEADER_ROW + 1 + i
        why = question.why
        if question.gates:
            why = f"Must-have ({'; '.join(question.gates)}). {why}"
        cells = {
            "number": str(i + 1),
            "id": question.id,
            "name": question.name,
            "ask": question.ask,
            "current": question.current,
            "why": why,
            "unit": question.unit,
        }
        for key, text in cells.items():
            sheet.write_string(r, COLUMN[key], text, wrap)
        for key in ANSWER_KEYS:
            sheet.write_blank(r, COLUMN[key], None, answer)
        at = (r, COLUMN["answer"])
        if question.kind == LEVEL:
            for j, choice in enumerate(question.choices):
                lists.write_string(j, lists_col, choice)
            source = f"={LISTS}!{xl_range_abs(0, lists_col, len(question.choices) - 1, lists_col)}"
            lists_col += 1
            sheet.data_validation(*at, *at, _choice(source, "a level from the list"))
        elif question.kind == YES_NO:
            sheet.data_validation(*at, *at, _choice(["yes", "no"], "yes or no"))
        else:
            assert question.kind == NUMBER
            sheet.data_validation(*at, *at, _number(question))
        sheet.set_row(
            r, max(row_height(cells[key], COLUMNS[COLUMN[key]][1]) for key in cells if cells[key])
        )

    last = HEADER_ROW + len(q.questions)
    sheet.freeze_panes(HEADER_ROW + 1, 2)
    sheet.protect("", {"format_columns": True, "format_rows": True})
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # the width of one page, as many pages down as it takes
    sheet.repeat_rows(HEADER_ROW)
    sheet.print_area(0, 0, max(last, HEADER_ROW), len(COLUMNS) - 1)
    sheet.set_footer("&L&A&RPage &P of &N")

    meta = {
        "format": FORMAT,
        "template": q.template,
        "template_version": q.template_version,
        "vendor": q.vendor,
        "questionnaire": q.fingerprint,
        "created": q.created,
    }
    for r, (key, value) in enumerate(meta.items()):
        about.write_string(r, 0, key)
        about.write_string(r, 1, value)
    for i, question in enumerate(q.questions):
        about.write_string(len(meta) + i, 0, "question")
        about.write_string(len(meta) + i, 1, question.id)
    for hidden in (lists, about):
        hidden.hide()
        hidden.protect("")
    book.close()
    return out.getvalue()


def _choice(source: Any, what: str) -> dict[str, Any]:
    return {
        "validate": "list",
        "source": source,
        "input_title": "Choose",
        "input_message": f"Choose {what}."[:255],
        "error_title": "Not on the list",
        "error_message": f"Choose {what}."[:255],
    }


def _number(question: Question) -> dict[str, Any]:
    unit = f" in {question.unit}" if question.unit else ""
    low = question.minimum if question.minimum is not None else -1e300
    return {
        "validate": "decimal",
        "criteria": ">=",
        "value": low,
        "input_title": f"A number{unit}"[:32],
        "input_message": f"Type the number{unit} alone. For a range, type it as 10-20 and "
        "confirm the warning."[:255],
        "error_type": "warning",
        "error_title": "Not a plain number",
        "error_message": f"Expected a number{unit}. Keep it only if it is a range such as 10-20."[
            :255
        ],
    }


def to_yaml(q: Questionnaire) -> str:
    """The same questionnaire as a text form, for vendors who prefer one."""
    form: dict[str, Any] = {
        "format": FORMAT,
        "template": q.template,
        "template_version": q.template_version,
        "vendor": q.vendor,
        "questionnaire": q.fingerprint,
        "respondent": {"name": "", "role": "", "email": ""},
        "received": "",
        "answers": {
            question.id: {
                "question": f"{question.name}: {question.ask}",
                "now": question.current,
                "why": (f"Must-have ({'; '.join(question.gates)}). " if question.gates else "")
                + question.why,
                **({"choices": list(question.choices)} if question.kind == LEVEL else {}),
                **({"choices": ["yes", "no"]} if question.kind == YES_NO else {}),
                **({"unit": question.unit} if question.kind == NUMBER else {}),
                "answer": None,
                "document": "",
                "section": "",
                "url": None,
                "comment": "",
            }
            for question in q.questions
        },
    }
    lines = [f"# {line}" if line else "#" for line in _instructions(q)]
    lines.append(
        "# In this text form: fill in `respondent`, `received` and, under each question, "
        "`answer`, `document`, `section`, `url` and `comment`. Leave the rest as it is."
    )
    return (
        "\n".join(lines)
        + "\n"
        + yaml.safe_dump(form, sort_keys=False, allow_unicode=True, width=100)
    )


def questionnaire_form(q: Questionnaire, suffix: str) -> bytes | None:
    """The questionnaire in the form its file name asks for (.xlsx, or .yaml/.yml), or None."""
    if suffix == ".xlsx":
        return to_xlsx(q)
    if suffix in (".yaml", ".yml"):
        return to_yaml(q).encode()
    return None
