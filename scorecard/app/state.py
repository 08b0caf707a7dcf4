"""The app's shared state: the shipped data (cached by content hash) and the one `Session` that
every page reads and changes. Widgets are initialised from the session and write back to it in
their callbacks, so a page switch (which forgets widget state) loses nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from scorecard.loading import (
    DEFAULT_TEMPLATE,
    DEFAULT_VENDORS,
    LoadError,
    Report,
    answers_owner,
    expand,
    load_template,
    load_workspace,
)
from scorecard.model import Response, Sent, Template, Vendor
from scorecard.panel import PanelRecord, review
from scorecard.panel import panel_record as make_panel_record
from scorecard.rfi import Layer
from scorecard.scoring import (
    ZERO_WEIGHTS,
    Matrix,
    Options,
    Result,
    ScoringError,
    build_matrix,
    evaluate,
    total_weight,
)
from scorecard.session import SESSION_FORMAT, Session, apply_overrides, changes, check_session
from scorecard.store import (
    Conflict,
    Event,
    Member,
    Panel,
    Refused,
    Store,
    Stored,
    StoreError,
    database_url,
)
from scorecard.summary import Summary, summarise, summary_draws

PROJECT = Path(__file__).resolve().parents[2]
#: Who changed a session, in its history, when the app does not know the person.
ACTOR = "app"


def data_root() -> Path:
    """The folder holding criteria/ and vendors/: $SCORECARD_DATA, or the project's own."""
    return Path(os.environ.get("SCORECARD_DATA") or PROJECT)


@dataclass(frozen=True)
class Shipped:
    """What ships in criteria/ and vendors/: valid templates and vendors, any problems, and the
    files each came from (for the decision record)."""

    templates: dict[str, Template]  # file name -> template
    vendors: tuple[Vendor, ...]
    report: Report
    template_files: dict[str, dict[str, str]]  # file name -> {path: SHA-256}, extends chain
    vendor_files: dict[str, str]  # vendor id -> path
    vendor_hashes: dict[str, str]  # path -> SHA-256: the profiles, their answers and records
    #: Vendor id -> questionnaires sent, answers received, and what the answers changed.
    sent: dict[str, tuple[Sent, ...]] = field(default_factory=dict)
    responses: dict[str, tuple[Response, ...]] = field(default_factory=dict)
    layers: dict[str, tuple[Layer, ...]] = field(default_factory=dict)


def _fingerprint(root: Path) -> str:
    """Which files there are, their sizes and modification times: a change to any of them loads
    the data again (and hashes its content), without reading every file on every rerun."""
    digest = hashlib.sha256()
    for path in expand([root / DEFAULT_TEMPLATE.parent, root / DEFAULT_VENDORS]):
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_shipped(root: Path, fingerprint: str) -> Shipped:
    del fingerprint  # part of the cache key: the files' content
    report = Report()
    templates: dict[str, Template] = {}
    template_files: dict[str, dict[str, str]] = {}
    for path in expand([root / DEFAULT_TEMPLATE.parent]):
        files: dict[str, str] = {}
        try:
            templates[path.name] = load_template(path, files=files)
        except LoadError as exc:
            report.problems += exc.report.problems
        template_files[path.name] = {os.path.relpath(p, root): h for p, h in files.items()}
    workspace = None
    if DEFAULT_TEMPLATE.name in templates:
        try:
            workspace = load_workspace(root / DEFAULT_TEMPLATE, [root / DEFAULT_VENDORS])
        except LoadError as exc:
            report.problems += exc.report.problems
    if workspace is None:
        return Shipped(templates, (), report, template_files, {}, {})
    return Shipped(
        templates,
        workspace.vendors,
        report,
        template_files,
        {v: os.path.relpath(p, root) for v, p in workspace.vendor_files.items()},
        {
            os.path.relpath(p, root): h
            for p, h in workspace.files.items()
            if p in workspace.vendor_files.values() or answers_owner(p)
        },
        workspace.sent,
        workspace.responses,
        workspace.layers,
    )


def shipped() -> Shipped:
    root = data_root()
    return _load_shipped(root, _fingerprint(root))


def new_session(template: Template, vendors: tuple[Vendor, ...]) -> Session:
    return Session(format=SESSION_FORMAT, template=template, vendors=tuple(v.id for v in vendors))


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store | str:
    """The session database, shared by every browser session of this server; or why it could
    not be opened."""
    try:
        return Store(url)
    except StoreError as exc:
        return str(exc)


def store() -> Store | None:
    """The session database, or None (and a notice for the page) when it cannot be used."""
    found = _store(database_url(data_root()))
    if isinstance(found, str):
        st.session_state["store_notice"] = f"Changes are not being saved: {found}"
        return None
    return found


def session() -> Session:
    """The current session. A new browser session opens the stored one its link names
    (?session=...), or starts a new one (on the default template and every shipped vendor) and
    puts its id in the link, so that a refresh or the link reopens it."""
    if "session" not in st.session_state:
        _open()
    return st.session_state["session"]


def _open() -> None:
    data, kept = shipped(), store()
    wanted = st.query_params.get("session")
    if token := st.query_params.get("token"):
        st.session_state["token"] = token
    if kept is not None and wanted:
        try:
            found = kept.get(wanted)
        except StoreError as exc:
            st.session_state["store_notice"] = f"{exc}: a new session was started."
        else:
            problems = check_session(found.session, [v.id for v in data.vendors])
            if not problems:
                _show(found)
                return
            st.session_state["store_notice"] = (
                f"Session {wanted} no longer fits the data here ({problems[0]}): a new session "
                "was started; the stored one is kept."
            )
    template = data.templates[DEFAULT_TEMPLATE.name]
    fresh = new_session(template, data.vendors)
    st.session_state["session"] = fresh
    st.session_state["template_origin"] = template
    if kept is not None:
        made = kept.create(fresh, name=f"Session of {today():%d %b %Y}", actor=ACTOR)
        st.session_state["stored"] = (made.id, made.version)
        st.query_params["session"] = made.id


def _forget_widgets() -> None:
    """Clear the widgets that mirror the session, so that they read the values of another."""
    for key in [k for k in st.session_state if str(k).startswith(("compare_", "templates_"))]:
        del st.session_state[key]


def _show(found: Stored) -> None:
    """Show the stored session `found`."""
    _forget_widgets()
    st.session_state["session"] = found.session
    st.session_state["template_origin"] = found.session.template
    st.session_state["stored"] = (found.id, found.version)
    st.query_params["session"] = found.id


def sync() -> None:
    """Once per run: if the stored session changed elsewhere (another tab, another person,
    another server), show its current state."""
    kept, stored = store(), st.session_state.get("stored")
    if kept is None or stored is None:
        return
    if st.query_params.get("session") != stored[0]:  # switching pages drops it from the link
        st.query_params["session"] = stored[0]
    token = st.session_state.get("token")
    if token and st.query_params.get("token") != token:
        st.query_params["token"] = token
    try:
        if kept.version(stored[0]) != stored[1]:
            _show(kept.get(stored[0]))
    except StoreError as exc:
        st.session_state["store_notice"] = f"Changes are not being saved: {exc}"


def sign_in(token: str) -> None:
    """Be the panel member whose personal token this is, in this browser and in its link."""
    st.session_state["token"] = token
    st.query_params["token"] = token


def panel() -> Panel | None:
    """The stored session's panel, or None (not a panel, or not stored)."""
    kept, stored = store(), st.session_state.get("stored")
    if kept is None or stored is None:
        return None
    try:
        return kept.panel(stored[0])
    except StoreError as exc:
        st.session_state["store_notice"] = f"Changes are not being saved: {exc}"
        return None


def single_sign_on() -> bool:
    """Whether the deployment has OpenID Connect set up for `st.login` (an [auth] section in
    .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def member() -> Member | None:
    """The panel member this browser is, as the store has them now (a revoked member is
    refused at once): the one whose token its link carries, or else, where single sign-on is
    set up, the one invited with the address the person logged in as. None outside a panel,
    or for someone who is neither."""
    kept, stored, token = store(), st.session_state.get("stored"), st.session_state.get("token")
    if kept is None or stored is None:
        return None
    try:
        if token:
            return kept.member(stored[0], token)
        if single_sign_on() and st.user.is_logged_in and st.user.get("email"):
            return kept.member_by_email(stored[0], str(st.user.email))
    except StoreError:
        return None
    return None


def panel_record() -> PanelRecord | None:
    """The panel as the decision record carries it: once the weights are revealed, every
    submission, the group's weights and rankings, the agreement, the decision and this
    revision's signatures. None outside a panel, or before the reveal."""
    found, kept, who = panel(), store(), member()
    if found is None or found.revealed is None or kept is None or who is None:
        return None
    stored = st.session_state["stored"]
    try:
        shown = [s.submission for s in kept.submissions(stored[0], who) if s.submission]
        signed = kept.signatures(stored[0])
    except StoreError:
        return None
    if not shown:
        return None
    reviewed = review(session().template, matrix(), options(), shown, found.aggregation)
    return make_panel_record(reviewed, shown, found.revision, found.decision, signed)


def history(session_id: str) -> list[Event]:
    """The stored session's history, oldest first (empty if it cannot be read now)."""
    kept = store()
    try:
        return kept.events(session_id) if kept is not None else []
    except StoreError as exc:
        st.session_state["store_notice"] = f"Changes are not being saved: {exc}"
        return []


def update(**fields: Any) -> Session:
    """Replace fields of the session (from a widget callback or a page action), and save it."""
    return _save(session().model_copy(update=fields))


def replace(new: Session, origin: Template | None = None) -> None:
    """Start over from another session (an uploaded one, or another template): the widgets that
    mirrored the old one are cleared so that they read the new values."""
    _forget_widgets()
    if _save(new) is new:
        st.session_state["template_origin"] = origin or new.template


def _save(new: Session) -> Session:
    """Make `new` the session and store it as the next version. If someone else saved first,
    theirs stands and is shown, with a notice that this change was not kept."""
    old = session()
    st.session_state["session"] = new
    kept, stored = store(), st.session_state.get("stored")
    kind, detail = changes(old, new)
    if kept is None or stored is None or kind == "none":
        return new
    try:
        saved = kept.save(
            stored[0], new, expected=stored[1], actor=ACTOR, kind=kind, detail=detail, by=member()
        )
    except Refused as exc:
        _show(kept.get(stored[0]))
        st.session_state["store_notice"] = f"Not changed: {exc}."
    except Conflict:
        _show(kept.get(stored[0]))
        st.session_state["store_notice"] = (
            "Someone changed this session at the same time: their change is shown, and yours "
            "was not kept. Make it again if it still applies."
        )
    except StoreError as exc:
        st.session_state["store_notice"] = f"Changes are not being saved: {exc}"
    else:
        st.session_state["stored"] = (saved.id, saved.version)
    return st.session_state["session"]


def vendors_without_overrides() -> list[Vendor]:
    """The chosen vendors as shipped."""
    chosen = set(session().vendors)
    return [v for v in shipped().vendors if v.id in chosen]


def vendors() -> list[Vendor]:
    """The chosen vendors with the buyer's overrides applied."""
    return apply_overrides(vendors_without_overrides(), session().overrides)


def overridden() -> set[tuple[str, str]]:
    return {(o.vendor, o.criterion) for o in session().overrides}


def options() -> Options:
    """The session's scoring options, staleness judged today unless the session says a day."""
    return session().options(today())


@st.cache_resource(show_spinner=False, max_entries=32)
def _matrix(
    key: str,
    _template: Template,
    _vendors: tuple[Vendor, ...],
    _conditions: dict[str, bool],
    as_of: dt.date | None,
) -> Matrix:
    del key  # the cache key: a hash of the template, the vendors, overrides and situation
    return build_matrix(_template, _vendors, _conditions, as_of)


def matrix() -> Matrix:
    """The utility matrix of the session's template, vendors and overrides. A weight change
    keeps all three (the same objects), so the last matrix is reused without hashing them."""
    current = session()
    inputs = (
        current.template,
        current.vendors,
        current.overrides,
        current.conditions,
        shipped().vendors,
        options().as_of,
    )
    last = st.session_state.get("state_matrix")
    if last is not None and all(a is b or a == b for a, b in zip(last[0], inputs, strict=True)):
        return last[1]
    chosen = tuple(vendors())
    key = hashlib.sha256(
        current.template.model_dump_json().encode()
        + b"\0".join(v.model_dump_json().encode() for v in chosen)
        + repr(sorted(current.conditions.items())).encode()
    ).hexdigest()
    built = _matrix(key, current.template, chosen, dict(current.conditions), inputs[-1])
    st.session_state["state_matrix"] = (inputs, built, f"{key}:{inputs[-1]}")
    return built


@st.cache_resource(show_spinner=False, max_entries=32)
def _draws(key: str, policies: tuple, _template: Template, _built: Matrix, _options: Options):
    del policies  # with the matrix's key, the cache key: the draws do not depend on weights
    return summary_draws(_template, _built, _options)


def scoring_problem() -> str | None:
    """Why the session cannot be scored (every weight is 0), or None."""
    current = session()
    try:
        total = total_weight(current.template, options())
    except ScoringError as exc:
        return str(exc)
    return ZERO_WEIGHTS if total <= 0 else None


def result(built: Matrix | None = None) -> Result:
    """The ranking under the session's weights, gates and policies (on `built`, if the caller
    already has the matrix)."""
    return evaluate(session().template, built or matrix(), options())


def names() -> dict[str, str]:
    """What a reader calls every vendor and criterion of the session, by id."""
    return {v.id: v.name for v in vendors()} | {c.id: c.name for c in session().template.nodes()}


def summary(built: Matrix, ranked: Result) -> Summary:
    """The recommendation, certainty and open questions of `ranked`. The values SMAA draws
    depend on the matrix and the policies, not on the weights: they are drawn once (for every
    session on the same data) and reused while only weights move."""
    current = options()
    policies = (current.missing, current.confidence, current.open_gates, current.stale)
    policies += (tuple(sorted(current.gates.items())),)
    key = st.session_state["state_matrix"][2]
    drawn = _draws(key, policies, session().template, built, current)
    return summarise(session().template, built, ranked, current, names(), drawn)


def today() -> dt.date:
    return dt.date.today()


def record_inputs() -> dict:
    """The `files`, `vendor_files` and `template_path` of this session's decision record:
    paths relative to the data folder; a template edited or uploaded here has no file, and the
    record carries the template itself."""
    data, current = shipped(), session()
    chosen = set(current.vendors)
    vendor_files = {v: p for v, p in data.vendor_files.items() if v in chosen}
    # A vendor's files: its profile, then its answers and records of questionnaires.
    files = {
        p: h
        for p, h in data.vendor_hashes.items()
        if p in vendor_files.values() or answers_owner(p) in chosen
    }
    name = next((n for n, t in data.templates.items() if t == current.template), None)
    inputs = {"files": files, "vendor_files": vendor_files, "template_path": None}
    if name is not None:
        inputs["files"] = {**data.template_files[name], **files}
        inputs["template_path"] = str(DEFAULT_TEMPLATE.parent / name)
    return inputs
