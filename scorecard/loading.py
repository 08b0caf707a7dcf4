"""Files to models. Every problem in every file is collected in one pass and located.

Two doors, as in frictionless: `validate(paths)` never raises and returns a `Report`;
`load_template`, `load_vendors` and `load_workspace` return models or raise one `LoadError` that
carries the whole report. Nothing is half-loaded: a caller gets every model or none.

YAML is read through a safe loader and then checked node by node: anchors and aliases, duplicate
keys and tags other than the plain YAML types are refused, and files over `MAX_FILE_BYTES` are not
parsed at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import os
import re
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from scorecard.model import (
    MAX_VENDORS,
    Claim,
    Problem,
    Response,
    Sent,
    Template,
    TemplateOverlay,
    Vendor,
    check_claims,
    check_dates,
    check_sources,
    check_template,
    check_weight_ids,
    earliest_day,
    name_key,
    nearest,
    unknown,
)
from scorecard.rfi import Layer, layer
from scorecard.session import DecisionRecord, Session, check_session

MAX_FILE_BYTES = 1_000_000
#: Decision records carry the template and every vendor's points, so they may be larger.
MAX_RECORD_BYTES = 20_000_000
#: Maps and lists inside maps and lists: no Scorecard file needs more than a dozen levels.
MAX_DEPTH = 50
YAML_SUFFIXES = (".yaml", ".yml")
DEFAULT_TEMPLATE = Path("criteria/ai-video-enterprise.yaml")
DEFAULT_VENDORS = Path("vendors")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = _TAG + "str"
_NUMBER_START = frozenset("0123456789+-.")
# What a person means by a number: YAML 1.1 also reads 0x1A, 012 (octal), 1_000 and 1:30
# (sexagesimal, = 90) as numbers, which nobody writing a weight expects.
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+")


class LoadError(Exception):
    """Raised by the `load_*` functions; `report` holds every problem found."""

    def __init__(self, report: Report) -> None:
        super().__init__(str(report))
        self.report = report


@dataclass
class Report:
    """The outcome of validating some files: every problem, and which files were read."""

    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            return f"{len(self.files)} file(s) valid"
        lines = [str(p) for p in self.problems]
        files = len({p.file for p in self.problems})
        lines.append(f"{len(self.problems)} problem(s) in {files} file(s)")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# YAML with positions
# ---------------------------------------------------------------------------------------------


@dataclass
class Document:
    """A parsed file: plain data plus the line and column of every key and value."""

    path: str
    data: Any = None
    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    scalars: dict[tuple, str] = field(default_factory=dict)  # source text of typed scalars
    numeric_text: set[tuple] = field(default_factory=set)  # unquoted text that looks like a number
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""  # of the bytes read, for the decision record

    def problem(
        self, code: str, message: str, loc: tuple = (), hint: str = "", at_key: bool = False
    ) -> Problem:
        line, column = self.position(loc, at_key)
        return Problem(code, message, loc, hint, self.path, line, column)

    def position(self, loc: tuple, at_key: bool) -> tuple[int | None, int | None]:
        """The line and column of `loc`'s key (with `at_key`) or of its value; a missing field
        is placed at the nearest enclosing value."""
        if at_key and loc in self.keys:
            return self.keys[loc]
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.values:
                return self.values[loc[:end]]
        return None, None

    def locate(self, problem: Problem) -> Problem:
        """Give a problem found on the model (by field path) this file's name and line."""
        return self.problem(problem.code, problem.message, problem.loc, problem.hint)


def read_document(
    path: str | Path, text: str | bytes | None = None, limit: int = MAX_FILE_BYTES
) -> Document:
    """Parse one YAML file (or the given text under that name) safely, with positions. A file
    over `limit` bytes is not read at all."""
    doc = Document(str(path))
    try:
        size = os.stat(path).st_size if text is None else len(text)
        if size > limit:
            doc.problems.append(
                doc.problem(
                    "too-large",
                    f"file is {size:,} bytes; the limit is {limit:,}",
                    hint="split it, or check that this is the file you meant",
                )
            )
            return doc
        if text is None:
            text = Path(path).read_bytes()
        raw = text if isinstance(text, bytes) else text.encode()
        doc.sha256 = hashlib.sha256(raw).hexdigest()
        if isinstance(text, bytes):
            text = text.decode()
    except UnicodeDecodeError as exc:
        doc.problems.append(
            doc.problem(
                "encoding",
                f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                hint="save the file as UTF-8",
            )
        )
        return doc
    except OSError as exc:
        # pragma: no mutate start (fallback)
        doc.problems.append(doc.problem("unreadable", exc.strerror or str(exc)))
        # pragma: no mutate end
        return doc
    try:
        node = yaml.compose(text, Loader=_Loader)  # a safe loader: CSafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        # pragma: no mutate start (fallback)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        # pragma: no mutate end
        doc.problems.append(
            Problem("yaml-syntax", message, (), _syntax_hint(message), doc.path, line, column)
        )
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(doc.problem("yaml-syntax", str(exc)))
        return doc
    if node is None:
        doc.problems.append(doc.problem("empty", "the file is empty"))
        return doc
    doc.data = _build(doc, node, (), set())
    return doc


def _syntax_hint(message: str) -> str:
    if "tab" in message:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in message:
        return "a value containing ': ' needs quotes"
    if "alias" in message:  # "found undefined alias", "while scanning an alias"
        return "anchors and aliases are not allowed; write the value out"
    if "nesting depth" in message:
        return f"no Scorecard file nests more than {MAX_DEPTH} levels; look for unclosed brackets"
    return ""


def _build(doc: Document, node: yaml.Node, loc: tuple, seen: set[int], depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        if not any(p.code == "too-deep" for p in doc.problems):
            doc.problems.append(
                Problem(
                    "too-deep",
                    f"maps and lists are nested more than {MAX_DEPTH} levels deep",
                    loc[:MAX_DEPTH],
                    "no Scorecard file needs this; look for unclosed brackets",
                    doc.path,
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
            )
        return None
    if id(node) in seen:
        doc.problems.append(
            doc.problem(
                "yaml-alias",
                "anchors and aliases (&name / *name) are not allowed",
                loc,
                "write the value out in full where it is needed",
                at_key=True,
            )
        )
        return None
    seen.add(id(node))
    doc.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _TAG + "map":
            return _bad_tag(doc, node, loc)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                doc.problems.append(
                    Problem(
                        "yaml-key",
                        "keys must be plain text (no merge keys, lists or maps as keys)",
                        loc,
                        "",
                        doc.path,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                )
                continue
            key = _scalar(key_node)
            key_loc = (*loc, key)
            key_pos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in out:
                first = doc.keys[key_loc][0]
                doc.problems.append(
                    Problem(
                        "yaml-duplicate-key",
                        f"key {key!r} appears twice (first on line {first})",
                        key_loc,
                        "remove one; YAML would silently keep only the last",
                        doc.path,
                        *key_pos,
                    )
                )
                continue
            doc.keys[key_loc] = key_pos
            out[key] = _build(doc, value_node, key_loc, seen, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _TAG + "seq":
            return _bad_tag(doc, node, loc)
        return [_build(doc, item, (*loc, i), seen, depth + 1) for i, item in enumerate(node.value)]
    if node.tag == _STR:  # most scalars: text is its own value
        if not node.style and node.value[:1] in _NUMBER_START and _looks_numeric(node.value):
            doc.numeric_text.add(loc)  # `1e308`: YAML 1.1 reads it as text
        return node.value
    if node.tag not in _PLAIN_TAGS:
        return _bad_tag(doc, node, loc)
    try:
        value = _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    except ValueError as exc:  # 2026-02-30 looks like a date but is not one
        doc.problems.append(
            doc.problem(
                "yaml-value", f"{node.value!r} cannot be read: {exc}", loc, "quote it if it is text"
            )
        )
        return None
    if node.tag in (_TAG + "int", _TAG + "float"):
        return _number(doc, node, loc, value)
    if node.value:
        doc.scalars[loc] = node.value
    return value


def _scalar(node: yaml.ScalarNode) -> Any:
    return (
        node.value
        if node.tag == _STR  # pragma: no mutate (fast path: the constructor gives the same)
        else _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    )


def _number(doc: Document, node: yaml.ScalarNode, loc: tuple, value: int | float) -> Any:
    """A number as a person means it: plain decimal, finite as a float, and not -0."""
    doc.scalars[loc] = text = node.value
    if not _DECIMAL.fullmatch(text):
        finite = text.lstrip("+-").lower() not in (".inf", ".nan")  # pragma: no mutate (falsy)
        doc.problems.append(
            doc.problem(
                "number-format",
                f"{text!r} is not a plain decimal number"
                + ("" if finite else " (infinity and NaN cannot be scored)"),
                loc,
                "write the number in decimal, e.g. 90 (YAML reads 1:30 as 90, 012 as 10 and "
                "0x1A as 26), or quote it if it is text",
            )
        )
        return None
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        finite = False  # pragma: no mutate (falsy)
    if not finite:
        doc.problems.append(
            doc.problem(
                "number-range",
                f"{text} is beyond the largest number that can be scored (about 1.8e308)",
                loc,
                "check the number; use a smaller unit if it is real",
            )
        )
        return None
    if value == 0 and text.startswith("-"):
        doc.problems.append(
            doc.problem("number-format", f"{text!r} is a negative zero", loc, "write 0")
        )
        return None
    return value


def _bad_tag(doc: Document, node: yaml.Node, loc: tuple) -> None:
    doc.problems.append(
        doc.problem(
            "yaml-tag",
            f"tag {node.tag!r} is not allowed",
            loc,
            "use plain values: text, numbers, true/false, dates, lists and maps",
        )
    )
    return None


# ---------------------------------------------------------------------------------------------
# Pydantic errors -> located problems
# ---------------------------------------------------------------------------------------------

_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "literal_error": "choice",
    "string_pattern_mismatch": "pattern",
    "union_tag_invalid": "choice",
    "union_tag_not_found": "missing-field",
}


@functools.cache
def _field_names(root: type[BaseModel]) -> tuple[str, ...]:
    """Every field name a file of kind `root` can hold, at any depth."""
    names: set[str] = set()
    seen: set[type] = set()

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in seen:
                return
            seen.add(annotation)
            names.update(annotation.model_fields)
            for info in annotation.model_fields.values():
                visit(info.annotation)
        for arg in typing.get_args(annotation):
            visit(arg)

    visit(root)
    return tuple(sorted(names))


def _clean_loc(data: Any, loc: tuple, names_field: bool) -> tuple:
    """Keep the parts of a pydantic loc that index into the data (drop union tags). A missing
    field is named by the last part even though the data lacks it."""
    out: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif names_field and i == len(loc) - 1 and isinstance(node, dict):
            out.append(part)
            break
        else:
            continue
        out.append(part)
    return tuple(out)


def _describe(
    error: dict, doc: Document, loc: tuple, root: type[BaseModel]
) -> tuple[str, str, str]:
    kind = error["type"]
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    hint = ""
    raw = doc.scalars.get(loc)
    if kind in ("missing", "union_tag_not_found"):  # the second: a measure without its type
        message = f"required field {loc[-1]!r} is missing"
    elif kind == "extra_forbidden":
        message = f"unknown field {loc[-1]!r}"
        names = _field_names(root)
        if loc[-1] in names:
            hint = f"{loc[-1]!r} belongs at another level of this file: check the indentation"
        else:
            name = str(loc[-1])
            plain = "fields are snake_case" if name != name.lower() or "-" in name else ""
            hint = nearest(name, [n for n in names if n != name]) or (
                f"remove it; {plain or 'no file of this kind has such a field'}"
            )
    elif kind == "string_type" and isinstance(value, dt.datetime):  # only dates are text-like
        message, hint = f"{raw or value!s} is a date and time", "write the date alone: YYYY-MM-DD"
    elif kind == "string_type" and raw is not None:
        hint = f'{raw!r} was read as {value!r}; put it in quotes: "{raw}"'
    elif kind in ("float_type", "int_type", "bool_type") and isinstance(value, str):
        if loc in doc.numeric_text:
            shown = f"{float(value):.1e}"
            hint = (
                f"YAML reads {value} as text: write it as {shown}"
                if math.isfinite(float(value))
                else "it is beyond the largest number that can be scored"
            )
        elif _looks_numeric(value):
            hint = f"write it without quotes: {value}"
        message = f"{message}, got text {value!r}"
    elif kind in ("float_type", "int_type") and isinstance(value, bool):
        message = f"{message}, got {raw or value!r} (read as a boolean)"
    elif kind == "string_pattern_mismatch":
        pattern = error["ctx"]["pattern"]
        if "http" in pattern:
            message, hint = f"{value!r} is not a web address", "start it with https://"
        elif "ya?ml" in pattern:
            message = f"{value!r} is not the file name of a template"
            hint = "name a template in the same folder, e.g. base.yaml: paths are not allowed"
        elif "\\d{4}" in pattern:
            message, hint = f"{value!r} is not a date", "write YYYY, YYYY-MM or YYYY-MM-DD"
        else:
            message = f"{value!r} is not a valid id"
            hint = "use lowercase letters, digits, '-' and '_', starting with a letter or digit"
    elif kind in ("model_type", "dict_type"):
        message = "expected a mapping of fields (name: value, one per line)"
    elif kind == "too_long":
        ctx = error["ctx"]
        message = f"{ctx['actual_length']:,} items; the limit is {ctx['max_length']:,}"
    elif kind == "too_short":
        ctx = error["ctx"]
        message = f"needs at least {ctx['min_length']} item(s), got {ctx['actual_length']}"
    elif kind == "union_tag_invalid":
        expected = error["ctx"]["expected_tags"].replace("'", "")
        message = f"{error['ctx']['tag']!r} is not one of {expected}"
    elif kind == "literal_error":
        expected = re.findall(r"'([^']*)'", error["ctx"]["expected"])  # "'a', 'b' or 'c'"
        message = f"{raw or value!r} is not one of {', '.join(expected)}"
        hint = nearest(str(value), expected)
    elif kind.startswith("date_") and isinstance(value, str | dt.datetime):
        hint = "write a date as YYYY-MM-DD, without quotes or time"
    elif kind == "greater_than_equal" and {"weight", "weights"} & set(map(str, loc)):
        hint = "weights are relative and must be 0 or more"
    elif kind == "less_than_equal" and {"weight", "weights"} & set(map(str, loc)):
        hint = "weights are relative: scale them all down"
    return (
        _CODES.get(kind, "type" if kind.endswith(("_type", "_parsing")) else "invalid"),
        message,
        hint,
    )


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _validate(doc: Document, model: type[BaseModel], data: Any, base: tuple = ()) -> Any:
    """Validate `data` (at `base` within the document) as `model`, collecting located problems."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        merged: dict[tuple, list[tuple[str, str, str, str]]] = {}
        reported = [p.loc for p in doc.problems]  # already said by the YAML reader
        errors = exc.errors()
        for error in errors:
            loc = (*base, *_clean_loc(data, tuple(error["loc"]), error["type"] == "missing"))
            if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
                loc = (*loc, error["ctx"]["discriminator"].strip("'"))  # pragma: no mutate (quotes)
            if any(loc[: len(r)] == r for r in reported):
                continue  # inside a value the YAML reader refused
            if error["type"] == "value_error" and any(r[: len(loc)] == loc for r in reported):
                continue  # a model check that failed because of that refused value
            if error["type"] == "too_short" and any(
                len(e["loc"]) > len(error["loc"]) and e["loc"][: len(error["loc"])] == error["loc"]
                for e in errors
            ):
                continue  # "at least 1 item" only because its items failed: noise
            code, message, hint = _describe(error, doc, loc, model)
            merged.setdefault(loc, []).append((code, message, hint, error["type"]))
        for loc, found in merged.items():
            if len(found) > 1:  # one error per member of a union: say it once
                messages = list(dict.fromkeys(m for _, m, _, _ in found))
                hints = [h for _, _, h, _ in found if h]
                found = [("type", "; or ".join(messages), hints[0] if hints else "", "")]
            code, message, hint, kind = found[0]
            at_key = kind in ("extra_forbidden",)
            doc.problems.append(doc.problem(code, message, loc, hint, at_key=at_key))
        return None


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


def _template(
    path: Path,
    chain: tuple[Path, ...] = (),
    doc: Document | None = None,
    parents: Mapping[str, Template] | None = None,
    files: dict[str, str] | None = None,
) -> tuple[Template | None, list[Problem]]:
    doc = doc or read_document(path)
    if files is not None and doc.sha256:
        files[doc.path] = doc.sha256
    if doc.data is not None and not isinstance(doc.data, dict):
        doc.problems.append(doc.problem("type", "a template is a mapping of fields at the top"))
    if doc.data is None or (doc.problems and not isinstance(doc.data, dict)):
        return None, doc.problems
    if "extends" not in doc.data:
        template = _validate(doc, Template, doc.data)
        if template is not None:
            doc.problems += [doc.locate(p) for p in check_template(template)]
        else:
            doc.problems += [doc.locate(p) for p in _raw_references(doc.data)]
        return (template if not doc.problems else None), doc.problems
    overlay = _validate(doc, TemplateOverlay, doc.data)
    if overlay is None or doc.problems:
        return None, doc.problems
    if parents is not None:  # an upload: only the templates on offer, never a file
        parent = parents.get(overlay.extends)
        if parent is None:
            doc.problems.append(
                doc.problem(
                    "extends-missing",
                    f"no template {overlay.extends!r} to extend here",
                    ("extends",),
                    f"one of: {', '.join(sorted(parents)) or 'none'}",
                )
            )
            return None, doc.problems
    else:
        parent, problems = _parent(doc, path, overlay.extends, chain, files)
        if parent is None:
            return None, problems
    doc.problems += [
        doc.locate(p)
        for p in check_weight_ids(parent, overlay.profiles, overlay.gates, overlay.weights)
    ]
    policies = _validate(
        doc,
        type(parent.policies),
        _deep_merge(parent.policies.model_dump(), overlay.policies),
        ("policies",),
    )
    if doc.problems:
        return None, doc.problems
    return extend(parent, overlay, policies), []


def _raw_references(data: dict) -> list[Problem]:
    """The ids a template's gates and profiles name, checked on the raw data of a template that
    failed validation: a misspelt id shows in the same pass as the other mistakes."""
    nodes: list[str] = []
    leaves: list[str] = []

    def walk(items: Any) -> None:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                nodes.append(item["id"])
                if "measure" in item:
                    leaves.append(item["id"])
                walk(item.get("criteria"))

    walk(data.get("criteria"))
    problems = []
    gates = data.get("gates")
    for i, gate in enumerate(gates if isinstance(gates, list) else []):
        criterion = gate.get("criterion") if isinstance(gate, dict) else None
        if isinstance(criterion, str) and criterion not in leaves:
            problems.append(unknown(("gates", i, "criterion"), criterion, leaves, "leaf criterion"))
    profiles = data.get("profiles")
    for name, profile in (profiles if isinstance(profiles, dict) else {}).items():
        weights = profile.get("weights") if isinstance(profile, dict) else None
        for key in weights if isinstance(weights, dict) else {}:
            if isinstance(key, str) and key not in nodes:
                problems.append(
                    unknown(("profiles", name, "weights", key), key, nodes, "criterion")
                )
    return problems


def _parent(
    doc: Document, path: Path, name: str, chain: tuple[Path, ...], files: dict[str, str] | None
) -> tuple[Template | None, list[Problem]]:
    """The template a file extends: `name` (a bare file name) in the same folder."""
    parent_path = path.parent / name
    if parent_path.resolve() in (*chain, path.resolve()):
        cycle = " -> ".join(p.name for p in (*chain, path.resolve(), parent_path))
        doc.problems.append(
            doc.problem(
                "extends-cycle",
                f"templates extend each other: {cycle}",
                ("extends",),
                "a template cannot extend itself",
            )
        )
        return None, doc.problems
    if not parent_path.is_file():
        doc.problems.append(
            doc.problem(
                "extends-missing",
                f"no file {name!r} beside this one",
                ("extends",),
                "a template extends another in the same folder",
            )
        )
        return None, doc.problems
    parent, parent_problems = _template(parent_path, (*chain, path.resolve()), files=files)
    if parent is None:
        if any(p.code == "extends-cycle" for p in parent_problems):
            return None, parent_problems  # the cycle is the whole story
        doc.problems.append(
            doc.problem(
                "extends-invalid",
                f"the template it extends ({name}) has problems",
                ("extends",),
                "they are listed for that file",
            )
        )
        return None, parent_problems + doc.problems
    return parent, []


def extend(parent: Template, overlay: TemplateOverlay, policies: Any) -> Template:
    """The template an overlay describes: the parent re-weighted, gates and profiles merged."""

    def reweight(nodes: tuple) -> tuple:
        return tuple(
            node.model_copy(
                update={
                    "weight": overlay.weights.get(node.id, node.weight),
                    "criteria": reweight(node.criteria),
                }
            )
            for node in nodes
        )

    gates = {g.id: g for g in parent.gates} | {g.id: g for g in overlay.gates}
    return parent.model_copy(
        update={
            "id": overlay.id,
            "name": overlay.name,
            "version": overlay.version,
            "description": overlay.description or parent.description,
            "criteria": reweight(parent.criteria),
            "gates": tuple(gates.values()),
            "profiles": parent.profiles | overlay.profiles,
            "policies": policies,
            "conditions": parent.conditions | overlay.conditions,
        }
    )


def _deep_merge(base: dict, patch: dict) -> dict:
    out = dict(base)
    for key, value in patch.items():
        out[key] = (
            _deep_merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def load_template(
    path: str | Path,
    text: str | bytes | None = None,
    parents: Mapping[str, Template] | None = None,
    files: dict[str, str] | None = None,
) -> Template:
    """Load a criteria template, following `extends` to a file in the same folder; raise
    `LoadError` with every problem. With `text` (an upload), `path` only names it, and `extends`
    may name only one of `parents` (file name -> template): no file is read. `files`, if given,
    receives the path and SHA-256 of every file read."""
    doc = read_document(path, text) if text is not None else None
    if text is not None and parents is None:
        parents = {}
    template, problems = _template(Path(path), doc=doc, parents=parents, files=files)
    if template is None:
        raise LoadError(Report(problems, [str(path)]))
    return template


# ---------------------------------------------------------------------------------------------
# Vendors
# ---------------------------------------------------------------------------------------------


def _vendor(doc: Document) -> Vendor | None:
    if doc.data is None:
        return None
    if not isinstance(doc.data, dict):
        doc.problems.append(doc.problem("type", "a vendor profile is a mapping of fields"))
        return None
    vendor = _validate(doc, Vendor, doc.data)
    return None if doc.problems else vendor


@dataclass
class _Vendors:
    """Vendor profiles and the questionnaire responses beside them, read and checked."""

    pairs: list[tuple[Document, Vendor | None]]  # each profile, its answers layered over it
    responses: list[tuple[Document, Response | None]]
    sent: list[tuple[Document, Sent | None]]
    layers: dict[str, tuple[Layer, ...]]  # vendor id -> what its answers changed
    problems: list[Problem]


def _vendors(docs: Iterable[Document], templates: list[Template]) -> _Vendors:
    """Validate vendor documents and responses, check them across files, layer the answers
    over the profiles, and collect every problem."""
    docs = list(docs)
    pairs = [(doc, _vendor(doc)) for doc in docs if _kind(doc.data) == "vendor"]
    _check_vendors(pairs, templates)
    known = {v.id: v for _, v in pairs if v is not None}
    responses = [
        (doc, _response(doc, known, templates)) for doc in docs if _kind(doc.data) == "response"
    ]
    sent = [(doc, _sent(doc, known)) for doc in docs if _kind(doc.data) == "sent"]
    problems = [p for doc, _ in [*pairs, *responses, *sent] for p in doc.problems]
    layers: dict[str, tuple[Layer, ...]] = {}
    if not problems:
        for i, (doc, vendor) in enumerate(pairs):
            answers = [
                r for _, r in responses if r is not None and vendor and r.vendor == vendor.id
            ]
            if vendor is not None and answers:
                merged, found = layer(vendor, answers)
                pairs[i] = (doc, merged)
                layers[vendor.id] = tuple(found)
    return _Vendors(pairs, responses, sent, layers, problems)


#: A vendor's answers to questionnaires, and the records of sending them, sit in
#: `responses/<vendor id>/` beside its profile.
RESPONSES = "responses"


def answers_folder(profile: str | Path, vendor: str) -> Path:
    """Where the answers and records of questionnaires of `vendor` (profile: `profile`) go."""
    return Path(profile).parent / RESPONSES / vendor


def answers_owner(path: str | Path) -> str | None:
    """The vendor whose answers or record of a questionnaire `path` is, by where it sits."""
    folder = Path(path).parent
    return folder.name if folder.parent.name == RESPONSES else None


def _kind(data: Any) -> str:
    """What a file beside the vendor profiles is, by the fields it has: a vendor's answers to a
    questionnaire, the record of one sent (both under `responses/<vendor>/`), or a profile."""
    if isinstance(data, dict) and "questionnaire" in data:
        return "response" if "answers" in data else "sent" if "sent" in data else "vendor"
    return "vendor"


def _sent(doc: Document, vendors: Mapping[str, Vendor]) -> Sent | None:
    sent = _validate(doc, Sent, doc.data)
    if sent is not None and sent.vendor not in vendors:
        doc.problems.append(
            doc.locate(unknown(("vendor",), sent.vendor, list(vendors), "vendor", "unknown-vendor"))
        )
    return None if doc.problems else sent


def _response(
    doc: Document, vendors: Mapping[str, Vendor], templates: list[Template]
) -> Response | None:
    """A response file: valid, for a vendor on hand and a template on hand, with answers that
    fit their criteria, and not dated after today."""
    response = _validate(doc, Response, doc.data)
    if response is None:
        return None
    if response.vendor not in vendors:
        doc.problems.append(
            doc.locate(
                unknown(("vendor",), response.vendor, list(vendors), "vendor", "unknown-vendor")
            )
        )
    matching = [t for t in templates if t.id == response.template]
    if templates and not matching:
        doc.problems.append(
            doc.problem(
                "other-template",
                f"answers to the criteria {response.template!r}, which are not loaded",
                ("template",),
                f"loaded: {', '.join(t.id for t in templates)}",
            )
        )
    claims = {key: Claim.model_construct(value=a.value) for key, a in response.answers.items()}
    for problem in check_claims(claims, matching) if matching else ():
        loc = ("answers", *problem.loc[1:2], "value")
        doc.problems.append(doc.problem(problem.code, problem.message, loc, problem.hint))
    if earliest_day(response.received) > dt.date.today():
        doc.problems.append(
            doc.problem("future-date", "the answers are dated after today", ("received",))
        )
    return None if doc.problems else response


def _check_vendors(pairs: list[tuple[Document, Vendor | None]], templates: list[Template]) -> None:
    """Checks across files: unique vendor ids and names, claims that fit the template(s), and no
    date after today. They run on whatever parts of a file are valid, so a typo elsewhere does
    not hide them."""
    first: dict[str, str] = {}
    named: dict[str, str] = {}
    today = dt.date.today()
    for doc, vendor in pairs:
        data = doc.data if isinstance(doc.data, dict) else {}
        claims = vendor.claims if vendor else _valid_claims(data.get("claims"))
        dated = (
            check_dates(vendor, today)
            if vendor
            else [
                p
                for key, claim in claims.items()
                for p in check_dates(claim, today, ("claims", key))
            ]
        )
        doc.problems += [doc.locate(p) for p in dated]
        if vendor is not None:
            doc.problems += [doc.locate(p) for p in check_sources(vendor)]
            key = name_key(vendor.name)
            if key in named:
                doc.problems.append(
                    doc.problem(
                        "duplicate-name",
                        f"vendor name {vendor.name!r} reads the same as the one in {named[key]}",
                        ("name",),
                        "a buyer must be able to tell vendors apart by name",
                    )
                )
            named.setdefault(key, doc.path)
        vendor_id = vendor.id if vendor else data.get("id")
        if isinstance(vendor_id, str) and vendor_id in first:
            doc.problems.append(
                doc.problem(
                    "duplicate-id",
                    f"vendor id {vendor_id!r} is also used by {first[vendor_id]}",
                    ("id",),
                    "every vendor needs its own id",
                )
            )
        if isinstance(vendor_id, str):
            first.setdefault(vendor_id, doc.path)
        if templates:
            doc.problems += [doc.locate(p) for p in check_claims(claims, templates)]


def _valid_claims(raw: Any) -> dict[str, Claim]:
    out: dict[str, Claim] = {}
    for key, value in (raw if isinstance(raw, dict) else {}).items():
        if not isinstance(key, str):
            continue  # already reported: ids are text
        try:
            out[key] = Claim.model_validate(value)
        except ValidationError:
            continue  # already reported where the vendor was validated
    return out


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the YAML files inside folders named, in a stable order."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        else:
            out.append(path)
    return out


def load_vendors(paths: Iterable[str | Path], template: Template) -> list[Vendor]:
    """Load vendor profiles (files or folders), checked against `template`; raise on any problem."""
    files = expand(paths)
    found = _vendors(map(read_document, files), [template])
    if found.problems:
        raise LoadError(Report(found.problems, [str(f) for f in files]))
    return [vendor for _, vendor in found.pairs if vendor is not None]


@dataclass(frozen=True)
class Workspace:
    """A template and the vendor profiles checked against it, and the files they came from."""

    template: Template
    vendors: tuple[Vendor, ...]
    files: dict[str, str] = field(default_factory=dict)  # path -> SHA-256, template chain first
    vendor_files: dict[str, str] = field(default_factory=dict)  # vendor id -> path
    #: Vendor id -> the questionnaires sent to it and the answers it gave, oldest first, and
    #: what the answers changed.
    sent: dict[str, tuple[Sent, ...]] = field(default_factory=dict)
    responses: dict[str, tuple[Response, ...]] = field(default_factory=dict)
    layers: dict[str, tuple[Layer, ...]] = field(default_factory=dict)


def load_workspace(
    template: str | Path = DEFAULT_TEMPLATE, vendors: Sequence[str | Path] = (DEFAULT_VENDORS,)
) -> Workspace:
    """Load a template and vendors together; `LoadError` reports the problems of both."""
    hashes: dict[str, str] = {}
    loaded, problems = _template(Path(template), files=hashes)
    files = expand(vendors)
    found = _vendors(map(read_document, files), [loaded] if loaded else [])
    problems += found.problems
    if not files:
        problems.append(
            Problem(
                "no-vendors", "no vendor profiles (*.yaml) found", file=", ".join(map(str, vendors))
            )
        )
    if len(found.pairs) > MAX_VENDORS:
        problems.append(
            Problem(
                "too-many-vendors",
                f"{len(found.pairs):,} vendor profiles; the limit is {MAX_VENDORS:,}",
                file=", ".join(map(str, vendors)),
                hint="compare a shortlist: put the others in another folder",
            )
        )
    if problems or loaded is None:
        raise LoadError(Report(problems, [str(template), *map(str, files)]))
    for doc, _ in [*found.pairs, *found.responses, *found.sent]:
        hashes[doc.path] = doc.sha256
    return Workspace(
        loaded,
        tuple(v for _, v in found.pairs if v is not None),
        hashes,
        {v.id: doc.path for doc, v in found.pairs if v is not None},
        _by_vendor([s for _, s in found.sent], "sent"),
        _by_vendor([r for _, r in found.responses], "received"),
        found.layers,
    )


def _by_vendor(items: list[Any], date: str) -> dict[str, tuple[Any, ...]]:
    out: dict[str, list[Any]] = {}
    for item in sorted(items, key=lambda x: getattr(x, date)):
        out.setdefault(item.vendor, []).append(item)
    return {key: tuple(found) for key, found in out.items()}


# ---------------------------------------------------------------------------------------------
# Validate anything
# ---------------------------------------------------------------------------------------------


def load_session(name: str | Path, text: str | bytes | None, available: Sequence[str]) -> Session:
    """Read a saved session (YAML or JSON: the file `name`, or `text` under that name) and check
    it against the vendors on hand."""
    doc = read_document(name, text)
    session = None
    if isinstance(doc.data, dict):
        session = _validate(doc, Session, doc.data)
    elif doc.data is not None:
        doc.problems.append(doc.problem("type", "a session file is a mapping of fields"))
    if session is not None:
        doc.problems += [doc.locate(p) for p in check_session(session, available, dt.date.today())]
    elif isinstance(doc.data, dict):  # the vendors it names, checked on the raw data
        named = doc.data.get("vendors")
        doc.problems += [
            doc.locate(unknown(("vendors", i), v, list(available), "vendor", "unknown-vendor"))
            for i, v in enumerate(named if isinstance(named, list) else [])
            if isinstance(v, str) and v not in available
        ]
    if doc.problems or session is None:
        raise LoadError(Report(doc.problems, [str(name)]))
    return session


def load_record(path: str | Path) -> DecisionRecord:
    """Read a decision record (JSON) with located errors."""
    doc = read_document(path, limit=MAX_RECORD_BYTES)
    record = None
    if isinstance(doc.data, dict):
        record = _validate(doc, DecisionRecord, doc.data)
    elif doc.data is not None:
        doc.problems.append(doc.problem("type", "a decision record is a JSON object"))
    if doc.problems or record is None:
        raise LoadError(Report(doc.problems, [str(path)]))
    return record


def is_template(data: Any) -> bool:
    """Whether a file is a template (else a vendor profile), by the fields it has."""
    return isinstance(data, dict) and ("criteria" in data or "extends" in data)


def validate(paths: Iterable[str | Path]) -> Report:
    """Check templates and vendor profiles (files or folders) and report every problem.

    Vendors are checked against every valid template among the paths. Never raises.
    """
    paths = list(paths)
    files = expand(paths)
    report = Report(files=[str(f) for f in files])
    templates: list[Template] = []
    vendor_docs: list[Document] = []
    for path in files:
        if not path.exists():
            report.problems.append(Problem("not-found", "no such file or folder", file=str(path)))
            continue
        doc = read_document(path)
        if not is_template(doc.data):
            vendor_docs.append(doc)
            continue
        template, problems = _template(path, doc=doc)
        report.problems += problems
        if template is not None:
            templates.append(template)
    report.problems += _vendors(vendor_docs, templates).problems
    report.problems = list(dict.fromkeys(report.problems))  # a base is read by each overlay
    if not files:
        report.problems.append(
            Problem("not-found", "no YAML files found", file=", ".join(map(str, paths)))
        )
    return report


# ---------------------------------------------------------------------------------------------
# Writing YAML
# ---------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value == 0:
        return 0.0  # never -0.0, which the reader refuses
    return value


def dump_yaml(model: BaseModel) -> str:
    """A template or vendor profile as YAML that loads back into an equal model."""
    data = _plain(model.model_dump(exclude_defaults=True))
    # pragma: no mutate start (falsy, wrap)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    # pragma: no mutate end
