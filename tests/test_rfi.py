"""Questionnaires: which questions go to a vendor, how answers are read back from a filled
workbook or text form (and every hostile file refused with a located error), and how the
answers layer over the desk research."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import (
    ROOT,
    claim,
    leaf,
    linear,
    needs_libreoffice,
    rating,
    soffice_convert,
    template,
    vendor,
)

from scorecard.export.questionnaire import COLUMN, HEADER_ROW, QUESTIONS, to_xlsx, to_yaml
from scorecard.export.record import decision_record, digest, reproduce
from scorecard.loading import (
    LoadError,
    answers_folder,
    answers_owner,
    dump_yaml,
    load_workspace,
    validate,
)
from scorecard.model import Answer, Claim, Response, Sent
from scorecard.responses import MAX_CELL_CHARS, MAX_ROWS, read_form, save
from scorecard.rfi import (
    LEVEL,
    NUMBER,
    YES_NO,
    AnswerError,
    Question,
    answer_claim,
    layer,
    preview,
    questionnaire,
    read_answer,
    sent_record,
    status,
)
from scorecard.scoring import score
from scorecard.session import compare

TODAY = dt.date(2026, 11, 27)
SHIPPED = load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [ROOT / "vendors"])
VENDORS = {v.id: v for v in SHIPPED.vendors}
OLD = {**claim(10), "sources": [{**claim(10)["sources"][0], "date": "2024-01-01"}]}


def tpl():
    return template(
        leaf("quality", rating(0, 4), weight=3),
        leaf("latency", linear(120, 10), weight=2),
        leaf("terms", {"type": "boolean"}),
        leaf("regions", {"type": "coverage", "options": ["eu", "us"]}),
        gates=[{"id": "ok", "name": "Terms allow use", "criterion": "terms", "require": True}],
    )


def test_the_questions_are_the_weak_claims_gates_first_then_by_points():
    v = vendor(
        "v",
        quality=claim(3, "reported"),  # below confirmed
        latency=OLD,  # stale: from 2024
        regions=claim(["eu"], "confirmed"),  # confirmed and fresh: not asked
    )  # terms: unknown, and a gate needs it
    q = questionnaire(tpl(), v, TODAY)
    assert [(x.id, x.kind, round(x.points, 2), x.gates) for x in q.questions] == [
        ("terms", YES_NO, 14.29, ("Terms allow use",)),
        ("quality", LEVEL, 42.86, ()),
        ("latency", NUMBER, 28.57, ()),
    ]
    assert [x.why for x in q.questions] == [
        "no evidence yet",
        "only reported: please confirm with a document",
        "the evidence is over 365 days old: is it still true?",
    ]
    assert q.questions[1].choices == tuple(f"{k} — level {k}" for k in range(5))
    assert q.questions[1].current == "3 of 0–4 (reported, as of 2026-01-01)"
    assert (q.questions[2].unit, q.questions[2].minimum) == ("s", 0)
    everything = questionnaire(tpl(), v, TODAY, everything=True)
    assert [x.id for x in everything.questions] == [
        "terms",
        "quality",
        "latency",
        "regions/eu",
        "regions/us",
    ]
    assert everything.questions[-1].why == "please confirm"


def test_the_fingerprint_names_the_questions_not_their_order_or_the_day():
    v = vendor("v")
    q = questionnaire(tpl(), v, TODAY)
    again = questionnaire(tpl(), v, TODAY + dt.timedelta(days=3))
    assert q.fingerprint == again.fingerprint and len(q.fingerprint) == 16
    other = questionnaire(tpl(), vendor("w"), TODAY)
    assert other.fingerprint != q.fingerprint


def _question(kind, choices=(), unit="", minimum=None):
    return Question("q", "q", None, "G", "Q", "ask", kind, choices, unit, minimum, "", "", (), 1)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (YES_NO, "Yes", True),
        (YES_NO, " no ", False),
        (YES_NO, True, True),
        (YES_NO, "FALSE", False),
        (LEVEL, "3 — level 3", 3),
        (LEVEL, 2, 2),
        (LEVEL, 2.0, 2),
        (LEVEL, "4", 4),
        (NUMBER, 45, 45),
        (NUMBER, 0.5, 0.5),
        (NUMBER, "45 s", 45),  # the question's own unit is a documented tolerance
        (NUMBER, "45s", 45),
        (NUMBER, "10-20", [10, 20]),
        (NUMBER, "10 – 20 s", [10, 20]),
        (NUMBER, "1e3", 1000),
    ],
)
def test_an_answer_is_read_as_the_claim_value_it_gives(kind, raw, expected):
    choices = tuple(f"{k} — level {k}" for k in range(5)) if kind == LEVEL else ()
    assert read_answer(_question(kind, choices, "s", 0), raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "code", "message"),
    [
        (YES_NO, "maybe", "not-yes-or-no", "'maybe' is not yes or no"),
        (LEVEL, "7", "not-a-level", "'7' is not one of the levels 0..4"),
        (LEVEL, "high", "not-a-level", "'high' is not one of the levels 0..4"),
        (LEVEL, True, "not-a-level", "True is not one of the levels 0..4"),
        (NUMBER, "45 min", "not-a-number", "'45 min' is not a number"),
        (NUMBER, "1,000", "not-a-number", "'1,000' is not a number"),
        (NUMBER, "20-10", "not-a-number", "the range '20-10' runs backwards"),
        (NUMBER, "nan", "not-a-number", "'nan' is not a finite number"),
        (NUMBER, True, "not-a-number", "True is not a number"),
        (NUMBER, -5, "below-minimum", "-5 s is below the least possible value, 0 s"),
    ],
)
def test_an_answer_that_does_not_fit_says_why(kind, raw, code, message):
    choices = tuple(f"{k} — level {k}" for k in range(5)) if kind == LEVEL else ()
    with pytest.raises(AnswerError) as raised:
        read_answer(_question(kind, choices, "s", 0), raw)
    assert (raised.value.code, str(raised.value)) == (code, message)
    assert raised.value.hint


def test_a_number_with_thousands_separators_gets_the_hint_to_drop_them():
    with pytest.raises(AnswerError) as raised:
        read_answer(_question(NUMBER, unit="s"), "1,000")
    assert raised.value.hint == (
        "a number in s alone, e.g. 45, or a range such as 10-20; no thousands separators, and a "
        "point for decimals"
    )


# ---------------------------------------------------------------------------------------------
# Filling the workbook as a vendor would, and reading it back
# ---------------------------------------------------------------------------------------------


def _answer_for(question):
    """A valid answer of each kind: the best level, yes, a number in range."""
    if question.kind == LEVEL:
        return question.choices[-1]
    if question.kind == YES_NO:
        return "yes"
    return max(question.minimum or 0, 1) * 3


def _fill(q, answers=None, respondent=("Jane Doe", "Head of Sales", "jane@example.com"), book=None):
    """The questionnaire `q` (or the workbook `book` holding it) as a vendor fills it in."""
    book = book or openpyxl.load_workbook(io.BytesIO(to_xlsx(q)))
    sheet = book[QUESTIONS]
    for row, value in zip((4, 5, 6, 7), (*respondent, "2026-11-26"), strict=True):
        sheet.cell(row, 4).value = value
    for i, question in enumerate(q.questions):
        r = HEADER_ROW + 2 + i
        assert sheet.cell(r, COLUMN["id"] + 1).value == question.id
        value = (answers or {}).get(question.id, _answer_for(question))
        sheet.cell(r, COLUMN["answer"] + 1).value = value
        sheet.cell(r, COLUMN["evidence"] + 1).value = "https://example.com/terms"
        sheet.cell(r, COLUMN["section"] + 1).value = "§2"
        sheet.cell(r, COLUMN["comment"] + 1).value = f"answer to {question.id}"
    return book


def _bytes(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read(data, name="answers.xlsx"):
    return read_form(name, data, SHIPPED.template, VENDORS, TODAY)


@pytest.mark.parametrize("vendor_id", sorted(VENDORS))
def test_every_shipped_vendor_round_trips_a_filled_questionnaire(vendor_id, tmp_path):
    q = questionnaire(SHIPPED.template, VENDORS[vendor_id], TODAY)
    got = _read(_bytes(_fill(q)))
    assert (got.problems, got.unanswered, got.vendor) == ([], [], vendor_id)
    response = got.response
    assert response.respondent.model_dump() == {
        "name": "Jane Doe",
        "role": "Head of Sales",
        "email": "jane@example.com",
    }
    asked = {x.criterion for x in q.questions}
    assert set(response.answers) == asked
    for question in q.questions:
        answer = response.answers[question.criterion]
        assert (answer.url, answer.section) == ("https://example.com/terms", "§2")
        if question.option is not None:  # every option answered yes, each with a comment
            options = [x for x in q.questions if x.criterion == question.criterion]
            assert answer.value == [x.option for x in options]
            assert answer.comment == "; ".join(f"{x.option}: answer to {x.id}" for x in options)
        else:
            assert answer.value == read_answer(question, _answer_for(question))
            assert answer.comment == f"answer to {question.id}"
    # Written beside the profiles, the answers layer over them and the ranking is rescored.
    root = tmp_path / "project"
    shutil.copytree(ROOT / "vendors", root / "vendors")
    folder = root / "vendors" / "responses" / vendor_id
    folder.mkdir(parents=True)
    (folder / "2026-11-26.yaml").write_text(dump_yaml(response))
    assert validate([ROOT / "criteria", root / "vendors"]).ok
    layered = load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [root / "vendors"])
    mine = {x.criterion: x for x in layered.layers[vendor_id]}
    assert set(mine) == asked
    merged = {v.id: v for v in layered.vendors}[vendor_id]
    for key, x in mine.items():
        desk = VENDORS[vendor_id].claims.get(key)
        assert x.desk == desk
        counted = merged.claims[key]
        if desk is None or desk.value is None or desk.confidence == "unknown":
            assert x.counts == "answer" and counted.confidence == "claimed"
            assert counted.sources[0].kind == "vendor-response"
        else:
            assert counted == (x.answer if x.counts == "answer" else desk)
    expected, _ = layer(VENDORS[vendor_id], [response])
    rescored = score(layered.template, layered.vendors)
    by_hand = score(
        SHIPPED.template, [expected if v.id == vendor_id else v for v in SHIPPED.vendors]
    )
    assert [(r.vendor, r.score, r.rank) for r in rescored.rows] == [
        (r.vendor, r.score, r.rank) for r in by_hand.rows
    ]


def test_a_coverage_criterion_is_asked_option_by_option_and_read_as_one_list():
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    options = [x for x in q.questions if x.criterion == "regions"]
    assert [x.id for x in options] == [f"regions/{o}" for o in ("us", "eu", "uk", "apac", "cn")]
    answers = {"regions/us": "yes", "regions/eu": "no", "regions/uk": "YES", "regions/apac": "no"}
    answers["regions/cn"] = "no"
    got = _read(_bytes(_fill(q, answers)))
    assert got.response.answers["regions"].value == ["us", "uk"]
    answers["regions/cn"] = None
    partial = _read(_bytes(_fill(q, answers)))
    row = HEADER_ROW + 2 + [x.id for x in q.questions].index("regions/cn")
    assert [str(p) for p in partial.problems] == [
        f"answers.xlsx:Questions!G{row}: [partial-answer] regions/cn: 'regions': some options "
        "are answered and 'cn' is not (hint: answer yes or no for every option, or leave them "
        "all blank)"
    ]
    assert "regions" not in partial.response.answers


def test_blank_answers_are_listed_and_the_rest_kept():
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    first, second = q.questions[0].id, q.questions[1].id
    got = _read(_bytes(_fill(q, {first: None, second: None})))
    assert got.problems == [] and got.unanswered == [first, second]
    assert first not in got.response.answers and len(got.response.answers) > 3


def test_rows_may_be_reordered_answers_follow_their_question_id():
    q = questionnaire(SHIPPED.template, VENDORS["runway"], TODAY)
    book = _fill(q)
    sheet = book[QUESTIONS]
    sheet.protection.sheet = False
    first, last = HEADER_ROW + 2, HEADER_ROW + 1 + len(q.questions)
    rows = [[c.value for c in sheet[r]] for r in (first, last)]
    for r, values in zip((first, last), reversed(rows), strict=True):
        for col, value in enumerate(values, 1):
            sheet.cell(r, col).value = value
    got = _read(_bytes(book))
    assert got.problems == []
    assert got.response == _read(_bytes(_fill(q))).response


def _bad(q, edit, name="answers.xlsx"):
    book = _fill(q)
    edit(book)
    return [str(p) for p in _read(_bytes(book), name).problems]


def test_hostile_cells_are_located_errors_and_nothing_partial_is_returned():
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    ids = [x.id for x in q.questions]
    level = next(i for i, x in enumerate(q.questions) if x.kind == LEVEL)
    number = next(i for i, x in enumerate(q.questions) if x.kind == NUMBER)
    yes = next(i for i, x in enumerate(q.questions) if x.kind == YES_NO and x.option is None)
    r_level, r_number, r_yes = (HEADER_ROW + 2 + i for i in (level, number, yes))

    def hostile(book):
        sheet = book[QUESTIONS]
        sheet.cell(r_level, COLUMN["answer"] + 1).value = "=1+1"
        sheet.cell(r_number, COLUMN["answer"] + 1).value = "45 min"
        sheet.cell(r_number, COLUMN["comment"] + 1).value = "x" * (MAX_CELL_CHARS + 1)
        sheet.cell(r_level, COLUMN["evidence"] + 1).value = '=HYPERLINK("http://evil","x")'
        sheet.cell(r_yes, COLUMN["section"] + 1).value = "§" * 1_000_000

    book = _fill(q)
    hostile(book)
    got = _read(_bytes(book))
    assert sorted(map(str, got.problems)) == sorted(
        [
            f"answers.xlsx:Questions!G{r_level}: [formula] {ids[level]}: a formula is not read "
            "(hint: type the value)",
            f"answers.xlsx:Questions!I{r_level}: [formula] {ids[level]}: a formula is not read "
            "(hint: type the value)",
            f"answers.xlsx:Questions!K{r_number}: [too-long] {ids[number]}: 2,001 characters; the "
            "limit is 2,000 (hint: shorten it, or cite a document)",
            f"answers.xlsx:Questions!G{r_number}: [not-a-number] {ids[number]}: '45 min' is not a "
            "number (hint: a number in s alone, e.g. 45, or a range such as 10-20)",
            # A 1 MB text: a workbook cell holds at most 32,767 characters, and openpyxl keeps that.
            f"answers.xlsx:Questions!J{r_yes}: [too-long] {ids[yes]}: 32,767 characters; the "
            "limit is 2,000 (hint: shorten it, or cite a document)",
        ]
    )
    # A question with a problem is left out whole; the answers that are valid are kept apart,
    # for a buyer who chooses to import only them.
    assert not {ids[level], ids[number], ids[yes]} & set(got.response.answers)
    assert len(got.response.answers) == len({x.criterion for x in q.questions}) - 3
    assert got.unanswered == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda b: setattr(b[QUESTIONS], "title", "Answers"),
            "answers.xlsx: [missing-sheet] no sheet 'Questions' (sheets: Instructions, Answers, "
            "Lists, About) (hint: a sheet was renamed or deleted: answer in the workbook as it "
            "was sent)",
        ),
        (
            lambda b: b["About"].cell(4, 2, "runway"),
            "answers.xlsx:About!B5: [questions-changed] questionnaire: the questions in this file "
            "are not the ones that were sent (hint: questions were edited or deleted: answer in "
            "the file as it was sent)",
        ),
        (
            lambda b: b["About"].cell(3, 2, "0.9"),
            "answers.xlsx:About!B3: [other-template] template_version: answers to the criteria "
            "'ai-video-enterprise' version '0.9'; the criteria now are 'ai-video-enterprise' "
            "version '1.0' (hint: send the vendor a new questionnaire)",
        ),
        (
            lambda b: b["About"].cell(4, 2, "acme"),
            "answers.xlsx:About!B4: [unknown-vendor] vendor: no vendor 'acme' (hint: the "
            "vendor's profile must be loaded)",
        ),
        (
            lambda b: setattr(b[QUESTIONS].cell(4, 4), "value", None),
            "answers.xlsx:Questions!D4: [no-respondent] respondent: who answered? the name is "
            "empty",
        ),
        (
            lambda b: b[QUESTIONS].cell(7, 4, "2099-01-01"),
            "answers.xlsx:Questions!D7: [bad-date] received: the date of the answers is "
            "'2099-01-01' (in the future) (hint: the day you answered, as YYYY-MM-DD)",
        ),
        (
            lambda b: b[QUESTIONS].cell(7, 4, "soon"),
            "answers.xlsx:Questions!D7: [bad-date] received: the date of the answers is 'soon' "
            "(hint: the day you answered, as YYYY-MM-DD)",
        ),
    ],
)
def test_a_workbook_changed_where_it_must_not_be_says_where(edit, expected):
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    assert _bad(q, edit) == [expected]


def test_a_deleted_row_or_a_changed_question_id_is_a_located_error():
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    row = HEADER_ROW + 2
    first = q.questions[0].id

    def rename(book):
        book[QUESTIONS].cell(row, COLUMN["id"] + 1).value = "comercial_use"

    assert _bad(q, rename) == [
        f"answers.xlsx:Questions!B{row}: [unknown-question] comercial_use: no question "
        f"'comercial_use' (hint: did you mean '{first}'?)",
        f"answers.xlsx: [missing-question] {first}: question '{first}' is not in the file "
        "(hint: a row was deleted: answer in the file as it was sent)",
    ]

    def delete(book):
        book[QUESTIONS].delete_rows(row)

    assert _bad(q, delete) == [
        f"answers.xlsx: [missing-question] {first}: question '{first}' is not in the file "
        "(hint: a row was deleted: answer in the file as it was sent)"
    ]


def test_too_many_rows_are_refused_at_the_first_row_past_the_limit():
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    book = _fill(q)
    sheet = book[QUESTIONS]
    for r in range(HEADER_ROW + 2 + len(q.questions), HEADER_ROW + 2 + 100_000):
        sheet.cell(r, 1).value = "x"
    got = _read(_bytes(book))
    limit = HEADER_ROW + 2 + MAX_ROWS
    assert [str(p) for p in got.problems] == [
        f"answers.xlsx:Questions!A{limit}: [too-many-rows] more than 2,000 rows of questions "
        "(hint: answer in the workbook as it was sent)"
    ]
    assert got.response is None


def _zip(parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_files_that_are_not_plain_workbooks_are_refused_before_they_are_opened():
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    good = _bytes(_fill(q))
    archive = zipfile.ZipFile(io.BytesIO(good))
    parts = {i.filename: archive.read(i) for i in archive.infolist()}
    macro = _zip({**parts, "xl/vbaProject.bin": b"\0" * 100})
    linked = _zip({**parts, "xl/externalLinks/externalLink1.xml": b"<x/>"})
    bomb = _zip({**parts, "xl/media/big.bin": b"\0" * 60_000_000})
    assert len(bomb) < 1_000_000  # it is small on the wire
    cases = {
        ("answers.xlsx", macro): "answers.xlsx: [macro] the workbook contains macros (hint: save "
        "it as .xlsx without macros)",
        ("answers.xlsx", linked): "answers.xlsx: [external-link] the workbook links to other "
        "files (hint: paste the values instead of links to other workbooks)",
        ("answers.xlsx", bomb): "answers.xlsx: [too-large] the workbook unpacks to more than "
        "50,000,000 bytes (hint: it is not the questionnaire we sent; send that one back)",
        ("answers.xlsm", good): "answers.xlsm: [not-xlsx] a .xlsm file is not read (it can "
        "carry macros, or is an old binary format) (hint: save it as an Excel workbook (.xlsx))",
        ("answers.xlsx", b"PK\3\4 not really"): "answers.xlsx: [not-xlsx] not an XLSX workbook "
        "(hint: save it as .xlsx)",
        ("answers.xlsx", b"x" * 5_000_001): "answers.xlsx: [too-large] file is 5,000,001 bytes; "
        "the limit is 5,000,000 (hint: a filled questionnaire is small: check that this is the "
        "file you meant)",
        ("answers.pdf", good): "answers.pdf: [not-a-questionnaire] expected a .xlsx or .yaml "
        "questionnaire",
    }
    for (name, data), expected in cases.items():
        got = _read(data, name)
        assert ([str(p) for p in got.problems], got.response) == ([expected], None), name


# ---------------------------------------------------------------------------------------------
# The text form
# ---------------------------------------------------------------------------------------------


def test_the_yaml_form_round_trips_and_locates_its_problems_by_line():
    q = questionnaire(SHIPPED.template, VENDORS["luma"], TODAY)
    form = yaml.safe_load(to_yaml(q))
    form["respondent"] = {"name": "Sam", "role": "CTO", "email": None}
    form["received"] = "2026-11-25"
    for question in q.questions:
        entry = form["answers"][question.id]
        entry["answer"] = _answer_for(question)
        entry["document"] = "Luma API terms"
    got = _read(yaml.safe_dump(form, sort_keys=False).encode(), "luma.yaml")
    assert (got.problems, got.unanswered) == ([], [])
    sheet = _read(_bytes(_fill(q))).response
    assert (got.response.received, got.response.respondent.model_dump()) == (
        "2026-11-25",
        {"name": "Sam", "role": "CTO", "email": None},
    )
    assert {k: a.value for k, a in got.response.answers.items()} == {
        k: a.value for k, a in sheet.answers.items()
    }
    assert {(a.document, a.url) for a in got.response.answers.values()} == {
        ("Luma API terms", None)
    }
    first = q.questions[0]
    form["answers"][first.id]["answer"] = "=cmd|' /C calc'!A0"
    text = yaml.safe_dump(form, sort_keys=False)
    line, at = next(
        (i, s.index("=cmd") + 1) for i, s in enumerate(text.splitlines(), 1) if "=cmd" in s
    )
    got = _read(text.encode(), "luma.yaml")
    assert [str(p) for p in got.problems] == [
        f"luma.yaml:{line}:{at}: [formula] {first.id}: a formula is not read (hint: type the value)"
    ]


# ---------------------------------------------------------------------------------------------
# Layering
# ---------------------------------------------------------------------------------------------


def _response(value, received="2026-11-26", key="quality"):
    return Response(
        vendor="v",
        template="t",
        template_version="1",
        questionnaire="0" * 16,
        received=received,
        respondent={"name": "Jane"},
        answers={key: Answer(value=value, document="Spec sheet", section="§4")},
    )


@pytest.mark.parametrize(
    ("desk", "counts"),
    [
        (None, "answer"),
        (claim(None, "unknown"), "answer"),
        (claim(1, "reported"), "desk"),  # a higher grade counts
        (claim(1, "claimed"), "answer"),  # equal grade: the newer (2026-11-26 > 2026-01-01)
        ({**claim(1, "claimed"), "as_of": "2026-11-26"}, "desk"),  # equal date: the desk
        ({**claim(1, "claimed"), "as_of": "2026-12"}, "desk"),  # the desk is newer
    ],
)
def test_the_higher_grade_counts_and_at_equal_grade_the_newer(desk, counts):
    v = vendor("v", **({"quality": desk} if desk else {}))
    merged, (found,) = layer(v, [_response(4)])
    assert found.counts == counts
    assert merged.claims["quality"] == (found.answer if counts == "answer" else v.claims["quality"])
    assert found.desk == v.claims.get("quality")


def test_an_answer_is_a_claimed_claim_that_names_who_answered_and_the_document():
    response = _response(4)
    got = answer_claim(response.answers["quality"], response, "V Inc.")
    assert got == Claim.model_validate(
        {
            "value": 4,
            "confidence": "claimed",
            "as_of": "2026-11-26",
            "note": "Answered by Jane on 2026-11-26.",
            "sources": [
                {
                    "title": "Spec sheet",
                    "publisher": "V Inc.",
                    "kind": "vendor-response",
                    "locator": "§4",
                    "date": "2026-11-26",
                }
            ],
        }
    )


def test_of_several_responses_the_latest_answer_stands():
    v = vendor("v")
    merged, (found,) = layer(v, [_response(4, "2026-11-26"), _response(2, "2026-10-01")])
    assert merged.claims["quality"].value == 4 and found.answer.as_of == "2026-11-26"


def test_a_response_file_that_does_not_fit_is_reported_with_its_lines(tmp_path):
    shutil.copytree(ROOT / "vendors", tmp_path / "vendors")
    folder = tmp_path / "vendors" / "responses" / "kling-ai"
    folder.mkdir(parents=True)
    good = _read(_bytes(_fill(questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY))))
    data = good.response.model_dump(mode="json", exclude_defaults=True)
    data["vendor"] = "klingai"
    data["answers"]["sla"]["value"] = 9
    (folder / "2026-11-26.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    report = validate([ROOT / "criteria", tmp_path / "vendors"])
    text = (folder / "2026-11-26.yaml").read_text().splitlines()
    vendor_line = next(i for i, s in enumerate(text, 1) if s.startswith("vendor:"))
    sla = next(i for i, s in enumerate(text) if s.strip() == "sla:")
    value_line = next(i for i in range(sla, len(text)) if text[i].strip() == "value: 9") + 1
    assert [str(p).replace(f"{folder}/", "") for p in report.problems] == [
        f"2026-11-26.yaml:{vendor_line}:9: [unknown-vendor] vendor: no vendor 'klingai' (hint: "
        "did you mean 'kling-ai'?)",
        f"2026-11-26.yaml:{value_line}:12: [measure-mismatch] answers.sla.value: rating 9 is not "
        "a whole level in 0..5 (hint: see the criterion's rubric)",
    ]


def test_the_shipped_data_has_no_responses_yet():
    assert SHIPPED.responses == {} and SHIPPED.layers == {}
    assert not (ROOT / "vendors" / "responses").exists() or not any(
        Path(ROOT / "vendors" / "responses").rglob("*.yaml")
    )


def _record_of(ws):
    """The decision record of a workspace loaded from the project folder, on a fixed day."""
    return decision_record(
        compare(ws.template, ws.vendors),
        files=ws.files,
        vendor_files=ws.vendor_files,
        template_path="criteria/ai-video-enterprise.yaml",
        created=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        version="t",
    )


def test_a_decision_record_names_the_answers_and_reproduce_layers_them_again(tmp_path, monkeypatch):
    for name in ("criteria", "vendors"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    response = _read(_bytes(_fill(q))).response
    where = answers_folder("vendors/kling-ai.yaml", "kling-ai")
    earlier = questionnaire(SHIPPED.template, VENDORS["kling-ai"], dt.date(2026, 11, 20))
    assert save(where, sent_record(earlier), "sent-2026-11-20") == where / "sent-2026-11-20.yaml"
    answers = save(where, response, response.received, ["From the vendor."])
    assert answers == Path("vendors/responses/kling-ai/2026-11-26.yaml")
    assert answers.read_text().startswith("# From the vendor.\nvendor: kling-ai\n")
    ws = load_workspace("criteria/ai-video-enterprise.yaml", ["vendors"])
    assert ws.sent == {"kling-ai": (sent_record(earlier),)}
    assert ws.responses == {"kling-ai": (response,)}
    found = status("kling-ai", ws.sent["kling-ai"], ws.responses["kling-ai"])
    assert found.text == f"sent 2026-11-20; answered 2026-11-26 ({len(response.answers)}); 0 open"
    assert found.short == "answered"
    record = _record_of(ws)
    mine = [(f.path, f.vendor) for f in record.files if f.vendor == "kling-ai"]
    assert mine == [
        ("vendors/kling-ai.yaml", "kling-ai"),
        (str(answers), "kling-ai"),
        (str(where / "sent-2026-11-20.yaml"), "kling-ai"),
    ]
    kling = next(r for r in record.result["ranking"] if r["vendor"] == "kling-ai")
    assert kling["score"] == next(
        r.score for r in score(ws.template, ws.vendors).rows if r.vendor == "kling-ai"
    )
    assert reproduce(record, tmp_path) == []
    data = yaml.safe_load(answers.read_text())
    data["answers"]["generation_time"]["value"] = 600  # an answer that counts: none known
    answers.write_text(yaml.safe_dump(data, sort_keys=False))
    found = reproduce(record, tmp_path)
    assert found[0].startswith(f"changed: {answers} (sha256 was ")
    assert any(line.startswith("kling-ai: score ") for line in found[1:])


@needs_libreoffice
def test_the_questionnaire_survives_a_save_in_libreoffice_with_its_drop_downs(tmp_path):
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    sent = tmp_path / "questionnaire.xlsx"
    sent.write_bytes(to_xlsx(q))
    saved = soffice_convert(sent, "xlsx", tmp_path / "saved", tmp_path / "profile")
    book = openpyxl.load_workbook(saved)
    sheet = book[QUESTIONS]
    assert sheet.protection.sheet and book["About"].sheet_state == "hidden"
    answer = openpyxl.utils.get_column_letter(COLUMN["answer"] + 1)
    rules = {}
    for rule in sheet.data_validations.dataValidation:
        for cells in rule.sqref.ranges:
            for row in range(cells.min_row, cells.max_row + 1):
                rules[f"{answer}{row}"] = (rule.type, rule.formula1)
    for i, question in enumerate(q.questions):
        kind, source = rules[f"{answer}{HEADER_ROW + 2 + i}"]
        if question.kind == LEVEL:
            assert kind == "list" and source.startswith(("Lists!", "$Lists!")), source
        elif question.kind == YES_NO:
            assert (kind, source.replace(" ", "")) == ("list", '"yes,no"')
        else:
            assert kind == "decimal"
    # Filled in after LibreOffice saved it, it reads back like the workbook we wrote.
    got = _read(_bytes(_fill(q, book=book)))
    assert got.problems == [] and got.response == _read(_bytes(_fill(q))).response


def test_the_record_lists_questionnaires_sent_and_answered_and_old_records_still_verify():
    files = {
        "criteria/t.yaml": "0" * 64,
        "vendors/v.yaml": "1" * 64,
        "vendors/responses/v/sent-2026-11-20.yaml": "2" * 64,
        "vendors/responses/v/2026-11-26.yaml": "3" * 64,
        "vendors/responses/v/2026-11-26-2.yaml": "4" * 64,
        "vendors/responses/w/2026-11-26.yaml": "5" * 64,  # no such vendor: not its file
    }
    tpl_ = tpl()
    record = decision_record(
        compare(tpl_, [vendor("v")]),
        files=files,
        vendor_files={"v": "vendors/v.yaml"},
        template_path="criteria/t.yaml",
        created=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        version="t",
    )
    assert [(f.path, f.vendor) for f in record.files][1:] == [
        ("vendors/v.yaml", "v"),
        ("vendors/responses/v/sent-2026-11-20.yaml", "v"),
        ("vendors/responses/v/2026-11-26.yaml", "v"),
        ("vendors/responses/v/2026-11-26-2.yaml", "v"),
        ("vendors/responses/w/2026-11-26.yaml", None),
    ]
    assert [(e.event, e.date, e.file) for e in record.questionnaires] == [
        ("sent", "2026-11-20", "vendors/responses/v/sent-2026-11-20.yaml"),
        ("answered", "2026-11-26", "vendors/responses/v/2026-11-26.yaml"),
        ("answered", "2026-11-26", "vendors/responses/v/2026-11-26-2.yaml"),
    ]
    # A record made before questionnaires (and panels) existed has no such fields: its digest
    # still holds.
    old = record.model_copy(update={"questionnaires": ()})
    data = old.model_dump(mode="json", exclude={"digest", "questionnaires", "panel"})
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    assert digest(old) == hashlib.sha256(text.encode()).hexdigest()


def test_status_reads_as_sent_answered_and_open():
    def sent(day, *questions):
        return Sent(
            vendor="v",
            template="t",
            template_version="1",
            questionnaire="0" * 16,
            sent=day,
            questions=questions,
        )

    assert (status("v", (), ()).text, status("v", (), ()).short) == ("not sent", "not sent")
    asked = [sent("2026-11-01", "a"), sent("2026-11-20", "quality", "regions/eu", "regions/us")]
    waiting = status("v", asked, ())
    assert (waiting.text, waiting.short) == ("sent 2026-11-20; no answer; 3 open", "sent, 3 open")
    before = _response(4, "2026-11-10")  # answered before the latest was sent: still open
    assert status("v", asked, [before]).text == "sent 2026-11-20; answered 2026-11-10 (1); 3 open"
    after = _response(["eu"], "2026-11-26", key="regions")
    done = status("v", asked, [before, after])
    assert (done.text, done.short) == (
        "sent 2026-11-20; answered 2026-11-26 (2); 1 open",
        "answered, 1 open",
    )
    unasked = status("v", (), [after])
    assert (unasked.text, unasked.short) == ("not sent; answered 2026-11-26 (1)", "answered")


def test_the_preview_says_which_gates_open_close_or_pass():
    tpl_ = tpl()
    others = [vendor("w", terms=claim(True), quality=claim(2))]
    v = vendor("v", quality=claim(4))  # terms unknown: the gate is open
    response = _response(True, key="terms")
    # V: quality 4 of 0-4 (3 of 7 parts of the weight) = 42.86; a claimed yes on terms (1 part)
    # adds 0.6 of it: 51.43. W (35.71) does not move, and is not listed.
    assert preview(tpl_, [v, *others], response) == [
        "terms: vendor answered: yes (claimed, 2026-11-26) — desk research: unknown; the answer "
        "counts",
        "V: 42.9 -> 51.4 points, rank 1 -> 1",
        "V: gate Terms allow use: open -> pass",
    ]


def test_responses_and_records_of_sending_that_do_not_fit_are_located(tmp_path):
    shutil.copytree(ROOT / "vendors", tmp_path / "vendors")
    where = tmp_path / "vendors" / "responses" / "kling-ai"
    where.mkdir(parents=True)
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    good = _read(_bytes(_fill(q))).response.model_dump(mode="json", exclude_defaults=True)
    (where / "other.yaml").write_text(yaml.safe_dump({**good, "template": "another-rfp"}))
    (where / "later.yaml").write_text(yaml.safe_dump({**good, "received": "2999-01-01"}))
    sent = sent_record(q).model_dump(mode="json")
    (where / "sent.yaml").write_text(yaml.safe_dump({**sent, "vendor": "klingai"}))
    report = validate([ROOT / "criteria", tmp_path / "vendors"])

    def at(name, key):
        lines = (where / name).read_text().splitlines()
        row = next(i for i, s in enumerate(lines, 1) if s.startswith(f"{key}:"))
        return f"{name}:{row}:{len(key) + 3}"

    assert sorted(str(p).replace(f"{where}/", "") for p in report.problems) == [
        f"{at('later.yaml', 'received')}: [future-date] received: the answers are dated after "
        "today",
        f"{at('other.yaml', 'template')}: [other-template] template: answers to the criteria "
        "'another-rfp', which are not loaded (hint: loaded: ai-video-enterprise)",
        f"{at('sent.yaml', 'vendor')}: [unknown-vendor] vendor: no vendor 'klingai' (hint: did "
        "you mean 'kling-ai'?)",
    ]


def test_text_the_models_refuse_is_located_in_its_own_cell():
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    row = HEADER_ROW + 2
    book = _fill(q)
    book[QUESTIONS].cell(row, COLUMN["comment"] + 1).value = "fine\u202eenif"  # a bidi override
    got = _read(_bytes(book))
    assert [(p.code, p.cell, p.loc) for p in got.problems] == [
        ("invalid", f"Questions!K{row}", (q.questions[0].id,))
    ]
    assert q.questions[0].criterion not in got.response.answers


def _answers_file(where, name, **changes):
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    data = _read(_bytes(_fill(q))).response.model_dump(mode="json", exclude_defaults=True)
    (where / name).write_text(yaml.safe_dump({**data, **changes}, sort_keys=False))


def test_files_beside_the_profiles_are_told_apart_and_checked(tmp_path):
    shutil.copytree(ROOT / "vendors", tmp_path / "vendors")
    where = tmp_path / "vendors" / "responses" / "kling-ai"
    where.mkdir(parents=True)
    _answers_file(where, "a.yaml", received=TODAY.isoformat())  # today is not after today
    _answers_file(where, "b.yaml", received="2026-11-20")  # older, though it sorts after
    ws = load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [tmp_path / "vendors"])
    assert [r.received for r in ws.responses["kling-ai"]] == ["2026-11-20", TODAY.isoformat()]
    # A profile that carries a `questionnaire` key is still a profile, and says what is wrong.
    (where / "odd.yaml").write_text("questionnaire: 0123456789abcdef\nid: x\n")
    _answers_file(where, "c.yaml", respondent=None)
    report = validate([ROOT / "criteria", tmp_path / "vendors"])
    assert [str(p).replace(f"{where}/", "") for p in report.problems] == [
        "odd.yaml:1:1: [missing-field] name: required field 'name' is missing",
        "odd.yaml:1:1: [missing-field] company: required field 'company' is missing",
        "odd.yaml:1:1: [missing-field] status: required field 'status' is missing",
        "odd.yaml:1:1: [unknown-field] questionnaire: unknown field 'questionnaire' (hint: did "
        "you mean 'description'?)",
        "c.yaml:6:13: [type] respondent: expected a mapping of fields (name: value, one per line)",
    ]


def test_a_record_whose_questionnaires_were_edited_is_caught():
    record = decision_record(
        compare(tpl(), [vendor("v")]),
        files={"vendors/v.yaml": "1" * 64, "vendors/responses/v/2026-11-26.yaml": "3" * 64},
        vendor_files={"v": "vendors/v.yaml"},
        template_path=None,
        created=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        version="t",
    )
    assert digest(record) == record.digest
    [event] = record.questionnaires
    edited = record.model_copy(
        update={"questionnaires": (event.model_copy(update={"date": "2026-11-01"}),)}
    )
    assert digest(edited) != record.digest


def test_a_repeated_question_and_a_date_typed_as_a_date_are_read_as_meant():
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    book = _fill(q)
    sheet = book[QUESTIONS]
    sheet.cell(7, 4).value = dt.datetime(2026, 11, 25)  # a spreadsheet turns a typed date into one
    last = HEADER_ROW + 2 + len(q.questions)
    sheet.cell(last, COLUMN["id"] + 1).value = q.questions[0].id
    got = _read(_bytes(book))
    assert [str(p) for p in got.problems] == [
        f"answers.xlsx:Questions!B{last}: [repeated-question] {q.questions[0].id}: question "
        f"'{q.questions[0].id}' appears twice"
    ]
    assert got.response.received == "2026-11-25"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a list\n", "form.yaml:1:1: [not-a-questionnaire] expected a questionnaire form"),
        (
            "format: scorecard-questionnaire/1\nanswers: [1, 2]\n",
            "form.yaml:2:10: [not-a-questionnaire] answers: expected `answers`, one per question",
        ),
    ],
)
def test_a_text_form_of_the_wrong_shape_says_so(text, expected):
    got = _read(text.encode(), "form.yaml")
    assert ([str(p) for p in got.problems], got.response) == ([expected], None)


def test_a_damaged_workbook_that_is_still_an_archive_is_refused():
    got = _read(_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not/>"}))
    assert [(p.code, p.message.split(" (")[0]) for p in got.problems] == [
        ("not-xlsx", "the workbook cannot be read")
    ]


def test_reproduce_names_the_file_of_a_vendor_that_is_invalid_now(tmp_path, monkeypatch):
    for name in ("criteria", "vendors"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    q = questionnaire(SHIPPED.template, VENDORS["kling-ai"], TODAY)
    answers = save(
        answers_folder("vendors/kling-ai.yaml", "kling-ai"),
        _read(_bytes(_fill(q))).response,
        "2026-11-26",
    )
    ws = load_workspace("criteria/ai-video-enterprise.yaml", ["vendors"])
    record = _record_of(ws)
    answers.write_text(answers.read_text().replace("vendor: kling-ai", "vendor: nobody"))
    found = reproduce(record, tmp_path)
    assert f"invalid now: {answers} (1 problem(s))" in found  # the profile itself is valid
    assert "kling-ai: not scored now (its file is missing or invalid)" in found
    # Both of the vendor's files invalid: both are named.
    profile = Path("vendors/kling-ai.yaml")
    profile.write_text(profile.read_text().replace("name: Kling AI", "name: ''", 1))
    assert f"invalid now: {profile}, {answers} (2 problem(s))" in reproduce(record, tmp_path)


def test_only_files_in_responses_belong_to_a_vendor_and_an_invalid_profile_is_not_layered(
    tmp_path,
):
    assert answers_owner("vendors/responses/kling-ai/2026-11-26.yaml") == "kling-ai"
    assert answers_owner("vendors/kling-ai.yaml") is None
    assert answers_owner("vendors/other/kling-ai/2026-11-26.yaml") is None
    shutil.copytree(ROOT / "vendors", tmp_path / "vendors")
    where = tmp_path / "vendors" / "responses" / "kling-ai"
    where.mkdir(parents=True)
    _answers_file(where, "a.yaml", received="2026-11-20")
    profile = tmp_path / "vendors" / "kling-ai.yaml"
    profile.write_text(profile.read_text().replace("name: Kling AI", "name: ''", 1))
    with pytest.raises(LoadError) as caught:
        load_workspace(ROOT / "criteria" / "ai-video-enterprise.yaml", [tmp_path / "vendors"])
    # The answers are reported, not layered over a profile that did not load.
    assert [(p.file, p.code) for p in caught.value.report.problems] == [
        (str(profile), "invalid"),
        (str(where / "a.yaml"), "unknown-vendor"),
    ]
