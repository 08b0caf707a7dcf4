"""The app's shared state: the shipped data (cached by content hash) and the one `Session` that
every page reads and changes. Widgets are initialised from the session and write back to it in
their callbacks, so a page switch (which forgets widget state) loses nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from scorecard.loading import (
    DEFAULT_TEMPLATE,
    DEFAULT_VENDORS,
    LoadError,
    Report,
    expand,
    load_template,
    load_vendors,
)
from scorecard.model import Template, Vendor
from scorecard.scoring import Matrix, Result, build_matrix, evaluate
from scorecard.session import SESSION_FORMAT, Session, apply_overrides

PROJECT = Path(__file__).resolve().parents[2]


def data_root() -> Path:
    """The folder holding criteria/ and vendors/: $SCORECARD_DATA, or the project's own."""
    return Path(os.environ.get("SCORECARD_DATA") or PROJECT)


def criteria_dir() -> Path:
    return data_root() / DEFAULT_TEMPLATE.parent


@dataclass(frozen=True)
class Shipped:
    """What ships in criteria/ and vendors/: valid templates and vendors, and any problems."""

    templates: dict[str, Template]  # file name -> template
    vendors: tuple[Vendor, ...]
    report: Report


def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in expand([root / DEFAULT_TEMPLATE.parent, root / DEFAULT_VENDORS]):
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_shipped(root: Path, fingerprint: str) -> Shipped:
    del fingerprint  # part of the cache key: the files' content
    report = Report()
    templates: dict[str, Template] = {}
    for path in expand([root / DEFAULT_TEMPLATE.parent]):
        try:
            templates[path.name] = load_template(path)
        except LoadError as exc:
            report.problems += exc.report.problems
    vendors: tuple[Vendor, ...] = ()
    default = templates.get(DEFAULT_TEMPLATE.name)
    if default is not None:
        try:
            vendors = tuple(load_vendors([root / DEFAULT_VENDORS], default))
        except LoadError as exc:
            report.problems += exc.report.problems
    return Shipped(templates, vendors, report)


def shipped() -> Shipped:
    root = data_root()
    return _load_shipped(root, _fingerprint(root))


def new_session(template: Template, vendors: tuple[Vendor, ...]) -> Session:
    return Session(format=SESSION_FORMAT, template=template, vendors=tuple(v.id for v in vendors))


def session() -> Session:
    """The current session; a fresh one on the default template and every shipped vendor."""
    if "session" not in st.session_state:
        data = shipped()
        template = data.templates[DEFAULT_TEMPLATE.name]
        st.session_state["session"] = new_session(template, data.vendors)
        st.session_state["template_origin"] = template
    return st.session_state["session"]


def update(**changes: Any) -> Session:
    """Replace fields of the session (from a widget callback or a page action)."""
    st.session_state["session"] = session().model_copy(update=changes)
    return st.session_state["session"]


def replace(new: Session, origin: Template | None = None) -> None:
    """Start over from another session (an uploaded one, or another template): the widgets that
    mirrored the old one are cleared so that they read the new values."""
    for key in [k for k in st.session_state if str(k).startswith(("compare_", "templates_"))]:
        del st.session_state[key]
    st.session_state["session"] = new
    st.session_state["template_origin"] = origin or new.template


def vendors() -> list[Vendor]:
    """The chosen vendors with the buyer's overrides applied."""
    chosen = set(session().vendors)
    base = [v for v in shipped().vendors if v.id in chosen]
    return apply_overrides(base, session().overrides)


def overridden() -> set[tuple[str, str]]:
    return {(o.vendor, o.criterion) for o in session().overrides}


@st.cache_resource(show_spinner=False, max_entries=32)
def _matrix(key: str, _template: Template, _vendors: tuple[Vendor, ...]) -> Matrix:
    del key  # the cache key: a hash of the template, the vendors and the overrides
    return build_matrix(_template, _vendors)


def matrix() -> Matrix:
    current = session()
    chosen = tuple(vendors())
    key = hashlib.sha256(
        current.template.model_dump_json().encode()
        + b"\0".join(v.model_dump_json().encode() for v in chosen)
    ).hexdigest()
    return _matrix(key, current.template, chosen)


def result() -> Result:
    """The ranking under the session's weights, gates and policies."""
    return evaluate(session().template, matrix(), session().options())


def today() -> dt.date:
    return dt.date.today()
