"""Sessions kept in a database, so that a refresh, a closed tab or a restarted server loses
nothing: the only module that touches it. SQLite (one file, WAL) by default; PostgreSQL is the
same code with a `postgresql+psycopg://` URL, and several app servers can share it.

A session is stored as its document (the `Session` the YAML file carries) with a version that
every change increments: a save names the version it read, and a save from a stale version is
refused (`Conflict`) rather than overwriting what someone else saved. Every change is also an
event in an append-only history, each event holding the SHA-256 of the one before it, so that an
edited or deleted event is detected (`verify`).

The schema is versioned in a table of its own (`scorecard_schema`): on connecting, the steps a
database lacks are applied in order, in one transaction. A step is only ever added, never edited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection, Engine

from scorecard.model import FrozenModel, Text
from scorecard.panel import Aggregation, Decision, Signature, Submission
from scorecard.session import Session

M = TypeVar("M", bound=FrozenModel)
#: The session database where $SCORECARD_DB does not say: this file in the data folder.
DEFAULT_DB = "sessions.db"
#: An email address as a person types it: enough to catch a slip, not a full RFC 5322 parser.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
#: An event's `previous` when it is the first of its session.
GENESIS = "0" * 64

metadata = sa.MetaData()
schema = sa.Table("scorecard_schema", metadata, sa.Column("version", sa.Integer, nullable=False))
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created", sa.String(32), nullable=False),
    sa.Column("updated", sa.String(32), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
)
events = sa.Table(
    "events",
    metadata,
    sa.Column("session", sa.String(32), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("previous", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

#: A panel's people: who may do what is checked here, on every call, not only in the app.
members = sa.Table(
    "members",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("session", sa.String(32), sa.ForeignKey("sessions.id"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # never the token
    sa.Column("created", sa.String(32), nullable=False),
    sa.Column("revoked", sa.String(32)),
    sa.Column("email", sa.String(320)),  # who they log in as, where single sign-on is set up
)
#: A panel's state: how the group's weights are made, which revision the session is at, whether
#: the evaluators' weights are revealed, the decision, and when the first approver signed it.
panels = sa.Table(
    "panels",
    metadata,
    sa.Column("session", sa.String(32), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("aggregation", sa.String(16), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("revealed", sa.String(32)),
    sa.Column("decision", sa.Text),  # a Decision, as JSON
    sa.Column("locked", sa.String(32)),
)
#: Each evaluator's weights: one row per evaluator, replaced when they submit again.
submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("session", sa.String(32), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("member", sa.String(16), sa.ForeignKey("members.id"), primary_key=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("document", sa.Text, nullable=False),  # a Submission, as JSON
)
#: Approvers' signatures (or refusals) of a revision's decision.
signatures = sa.Table(
    "signatures",
    metadata,
    sa.Column("session", sa.String(32), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("member", sa.String(16), sa.ForeignKey("members.id"), primary_key=True),
    sa.Column("document", sa.Text, nullable=False),  # a Signature, as JSON
)
#: The roles of a panel: the facilitator runs it (and alone changes the shared session),
#: evaluators give weights and scores, viewers read, approvers sign.
ROLES = ("facilitator", "evaluator", "viewer", "approver")


def _v1(connection: Connection) -> None:
    metadata.create_all(connection, tables=[sessions, events])


def _v2(connection: Connection) -> None:
    metadata.create_all(connection, tables=[members])


def _v3(connection: Connection) -> None:
    metadata.create_all(connection, tables=[panels, submissions, signatures])
    # A panel started at version 2 (its members are in) gets its state.
    started = sa.select(members.c.session, sa.literal("geometric"), sa.literal(1)).distinct()
    connection.execute(panels.insert().from_select(["session", "aggregation", "revision"], started))


def _v4(connection: Connection) -> None:
    # A database made at version 2 or later already has the column: members is created whole.
    if "email" not in {c["name"] for c in sa.inspect(connection).get_columns("members")}:
        connection.execute(sa.text("ALTER TABLE members ADD COLUMN email VARCHAR(320)"))


#: The schema's steps: MIGRATIONS[k] takes a database from version k to k + 1.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_v1, _v2, _v3, _v4)


class StoreError(Exception):
    """A store operation that cannot be done, in words for the person who asked."""


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    """The session changed since it was read: read it again and redo the change."""


class Refused(StoreError):
    """Not allowed: an unknown or revoked link, or a role that may not do this."""


@dataclass(frozen=True)
class Member:
    id: str
    session: str
    name: str
    role: str
    created: str
    revoked: str | None
    email: str | None = None

    @property
    def actor(self) -> str:
        """Who this is, in the history."""
        return f"{self.name} ({self.role})"


@dataclass(frozen=True)
class Panel:
    """A panel's state (see the `panels` table)."""

    aggregation: Aggregation
    revision: int
    revealed: str | None
    decision: Decision | None
    locked: str | None


@dataclass(frozen=True)
class Submitted:
    """An evaluator's submission as the asker may see it: its weights only once they are
    revealed, or when it is the asker's own."""

    member: Member
    at: str
    submission: Submission | None


@dataclass(frozen=True)
class Stored:
    id: str
    name: str
    created: str
    updated: str
    version: int
    session: Session


@dataclass(frozen=True)
class Event:
    session: str
    seq: int
    at: str
    actor: str
    kind: str
    detail: dict[str, Any]
    previous: str
    hash: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _digest(session: str, seq: int, at: str, actor: str, kind: str, detail: str, previous: str):
    text = json.dumps([session, seq, at, actor, kind, detail, previous], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class Store:
    """A database of sessions at `url` (an SQLAlchemy URL), its schema brought up to date."""

    def __init__(self, url: str) -> None:
        try:
            self.url = sa.engine.make_url(url)
            self.engine = _engine(self.url)
            with self.engine.begin() as c:
                self._migrate(c)
        except sa.exc.SQLAlchemyError as exc:
            where = getattr(self, "url", None)
            shown = where.render_as_string(hide_password=True) if where else repr(url)
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise StoreError(
                f"cannot open the session database {shown}: {reason} (hint: a database is "
                "sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME)"
            ) from exc

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One transaction that may write; SQLite takes its write lock at the start, so two
        writers queue (for up to the busy timeout) instead of failing half-way."""
        with self._failures(), self.engine.begin() as c:
            yield c

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._failures(), self.engine.connect() as c:
            yield c

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """A database that fails (gone, full, refusing) as a StoreError that says so."""
        try:
            yield
        except sa.exc.SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise StoreError(f"the session database {self.where} failed: {reason}") from exc

    def _migrate(self, c: Connection) -> None:
        schema.create(c, checkfirst=True)
        if self.url.get_backend_name() == "postgresql":  # one migrating server at a time
            c.execute(sa.text("LOCK TABLE scorecard_schema IN EXCLUSIVE MODE"))
        found = c.execute(sa.select(schema.c.version)).scalar()
        version = found or 0
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the database's schema is version {version}, newer than this Scorecard "
                f"knows ({len(MIGRATIONS)}): upgrade Scorecard"
            )
        for step in MIGRATIONS[version:]:
            step(c)
        if found is None:
            c.execute(schema.insert().values(version=len(MIGRATIONS)))
        else:
            c.execute(schema.update().values(version=len(MIGRATIONS)))

    # -- sessions -----------------------------------------------------------------------------

    def create(self, session: Session, *, name: str, actor: str) -> Stored:
        """A new stored session, with an unguessable id (it is what a link to it carries)."""
        id_ = secrets.token_urlsafe(16)
        at = _now()
        with self._write() as c:
            c.execute(
                sessions.insert().values(
                    id=id_, name=name, created=at, updated=at, version=1, document=_dump(session)
                )
            )
            self._append(c, id_, 1, at, actor, "created", {"name": name})
        return Stored(id_, name, at, at, 1, session)

    def get(self, id_: str) -> Stored:
        with self._read() as c:
            row = c.execute(sa.select(sessions).where(sessions.c.id == id_)).one_or_none()
        if row is None:
            raise NotFound(f"no session {id_!r} in {self.where}")
        return _stored(row)

    def version(self, id_: str) -> int:
        """The session's version: what a page compares with its own to know it is behind."""
        with self._read() as c:
            found = c.execute(sa.select(sessions.c.version).where(sessions.c.id == id_)).scalar()
        if found is None:
            raise NotFound(f"no session {id_!r} in {self.where}")
        return found

    def save(
        self,
        id_: str,
        session: Session,
        *,
        expected: int,
        actor: str,
        kind: str,
        detail: dict[str, Any],
        by: Member | None = None,
    ) -> Stored:
        """Replace the session's document, if it is still at version `expected`, and record the
        change as an event; returns the session at its new version. Conflict when someone saved
        first. In a panel only its facilitator (`by`) may change the session."""
        at = _now()
        with self._write() as c:
            if self._is_panel(c, id_):
                actor = self._allowed(c, id_, by, ("facilitator",), "change the session").actor
                self._unlocked(c, id_)
            done = c.execute(
                sessions.update()
                .where(sessions.c.id == id_, sessions.c.version == expected)
                .values(document=_dump(session), updated=at, version=expected + 1)
            )
            if done.rowcount != 1:
                current = c.execute(
                    sa.select(sessions.c.version).where(sessions.c.id == id_)
                ).scalar()
                if current is None:
                    raise NotFound(f"no session {id_!r} in {self.where}")
                raise Conflict(
                    f"the session changed since you read it (version {expected}, now {current})"
                )
            self._append(c, id_, expected + 1, at, actor, kind, detail)
            row = c.execute(sa.select(sessions).where(sessions.c.id == id_)).one()
        return _stored(row)

    def count(self) -> int:
        """How many sessions there are (without reading them)."""
        with self._read() as c:
            return c.execute(sa.select(sa.func.count()).select_from(sessions)).scalar_one()

    def list(self) -> list[Stored]:
        """Every session, the most recently changed first."""
        with self._read() as c:
            rows = c.execute(sa.select(sessions).order_by(sessions.c.updated.desc())).all()
        return [_stored(r) for r in rows]

    # -- panels -------------------------------------------------------------------------------

    def start_panel(self, id_: str, *, name: str) -> tuple[Member, str]:
        """Make the session a panel, with `name` as its facilitator. Returns the facilitator and
        their personal token: it is shown once, and only its hash is kept."""
        with self._write() as c:
            if self._is_panel(c, id_):
                raise Refused("this session is a panel already: its facilitator invites people")
            c.execute(panels.insert().values(session=id_, aggregation="geometric", revision=1))
            return self._add(c, id_, name, "facilitator", by=None)

    def invite(
        self, id_: str, by: Member, *, name: str, role: str, email: str | None = None
    ) -> tuple[Member, str]:
        """A new member of the panel, invited by its facilitator; returns them and their token
        (shown once). With `email`, they can also log in with that address where the app has
        single sign-on (`member_by_email`)."""
        if role not in ROLES[1:]:
            raise StoreError(f"a role is one of {', '.join(ROLES[1:])}, not {role!r}")
        if email is not None:
            email = email.strip().lower()
            if not _EMAIL.fullmatch(email):
                raise StoreError(f"{email!r} is not an email address (name@example.com)")
        with self._write() as c:
            self._allowed(c, id_, by, ("facilitator",), "invite people")
            if email is not None and self._by_email(c, id_, email) is not None:
                raise StoreError(f"{email} is already a member of this panel")
            return self._add(c, id_, name, role, by=by, email=email)

    def revoke(self, id_: str, by: Member, member_id: str) -> None:
        """End a member's access: their token is refused from now on."""
        with self._write() as c:
            facilitator = self._allowed(c, id_, by, ("facilitator",), "revoke access")
            at = _now()
            done = c.execute(
                members.update()
                .where(
                    members.c.id == member_id,
                    members.c.session == id_,
                    members.c.revoked.is_(None),
                )
                .values(revoked=at)
            )
            if done.rowcount != 1:
                raise NotFound(f"no member {member_id!r} with access to session {id_!r}")
            name = c.execute(sa.select(members.c.name).where(members.c.id == member_id)).scalar()
            self._event(c, id_, at, facilitator.actor, "membership", {"revoked": name})

    def member(self, id_: str, token: str) -> Member:
        """The member whose token this is, or Refused: a token that is unknown, revoked or for
        another session is refused alike, saying no more than that."""
        with self._read() as c:
            row = c.execute(
                sa.select(members).where(members.c.token_hash == _hash(token))
            ).one_or_none()
        if row is None or row.session != id_ or row.revoked is not None:
            raise Refused(
                "this link does not open this session: it was mistyped, changed or revoked; "
                "ask the facilitator for a new one"
            )
        return _member(row)

    def member_by_email(self, id_: str, email: str) -> Member:
        """The member who logs in as `email` (single sign-on: the identity provider vouches for
        the address), or Refused."""
        with self._read() as c:
            row = self._by_email(c, id_, email.strip().lower())
        if row is None:
            raise Refused(
                f"{email} is not a member of this panel: ask the facilitator to invite that "
                "address, or open your personal link"
            )
        return _member(row)

    def _by_email(self, c: Connection, id_: str, email: str) -> Any:
        return c.execute(
            sa.select(members).where(
                members.c.session == id_, members.c.email == email, members.c.revoked.is_(None)
            )
        ).one_or_none()

    def members(self, id_: str) -> list[Member]:
        """The panel's members, in the order they joined (revoked ones included)."""
        with self._read() as c:
            rows = c.execute(
                sa.select(members).where(members.c.session == id_).order_by(members.c.created)
            ).all()
        return [_member(r) for r in rows]

    def panel(self, id_: str) -> Panel | None:
        """The panel's state, or None when the session is not a panel."""
        with self._read() as c:
            return self._panel(c, id_)

    def submit(self, id_: str, by: Member, submission: Submission) -> None:
        """Keep an evaluator's weights (replacing any they gave before). Their name in it is
        theirs, whatever the caller put there."""
        with self._write() as c:
            member = self._allowed(c, id_, by, ("evaluator",), "submit weights")
            self._unlocked(c, id_)
            at = _now()
            document = submission.model_copy(update={"evaluator": member.name})
            key = {"session": id_, "member": member.id}
            c.execute(submissions.delete().filter_by(**key))
            c.execute(
                submissions.insert().values(**key, at=at, document=document.model_dump_json())
            )
            detail: dict[str, Any] = {"submitted": submission.method}
            if submission.consistency is not None:
                detail["consistency ratio"] = submission.consistency
            if submission.scores:
                detail["ratings"] = sum(map(len, submission.scores.values()))
            self._event(c, id_, at, member.actor, "weight", detail)

    def submissions(self, id_: str, by: Member) -> list[Submitted]:
        """Every evaluator's submission, in the order they first joined. Before the facilitator
        reveals them, each sees only their own weights (and who has submitted)."""
        with self._read() as c:
            asker = self._allowed(c, id_, by, ROLES, "see the panel")
            panel = self._panel(c, id_)
            rows = c.execute(
                sa.select(submissions, members)
                .join(members, members.c.id == submissions.c.member)
                .where(submissions.c.session == id_, members.c.revoked.is_(None))
                .order_by(members.c.created)
            ).all()
        shown = panel is not None and panel.revealed is not None
        return [
            Submitted(
                _member(r),
                r.at,
                Submission.model_validate_json(r.document)
                if shown or r.member == asker.id
                else None,
            )
            for r in rows
        ]

    def reveal(self, id_: str, by: Member) -> None:
        """Show every evaluator's weights to the panel."""
        with self._write() as c:
            facilitator = self._allowed(c, id_, by, ("facilitator",), "reveal the weights")
            at = _now()
            c.execute(panels.update().where(panels.c.session == id_).values(revealed=at))
            self._event(c, id_, at, facilitator.actor, "panel", {"revealed": True})

    def aggregate(self, id_: str, by: Member, how: Aggregation) -> None:
        """How the group's weights are made: the geometric or the arithmetic mean."""
        if how not in ("geometric", "arithmetic"):
            raise StoreError(f"the group's weights are a geometric or arithmetic mean, not {how!r}")
        with self._write() as c:
            facilitator = self._allowed(c, id_, by, ("facilitator",), "choose the aggregation")
            self._unlocked(c, id_)
            at = _now()
            c.execute(panels.update().where(panels.c.session == id_).values(aggregation=how))
            self._event(c, id_, at, facilitator.actor, "panel", {"aggregation": how})

    def decide(self, id_: str, by: Member, *, vendor: str, rationale: str) -> None:
        """The facilitator records the vendor chosen and why (replacing an unsigned decision)."""
        if not rationale.strip() or len(rationale) > 5000:
            raise StoreError("the rationale is 1 to 5,000 characters: say why this vendor")
        with self._write() as c:
            facilitator = self._allowed(c, id_, by, ("facilitator",), "record the decision")
            self._unlocked(c, id_)
            at = _now()
            decision = _model(
                Decision, vendor=vendor, rationale=rationale.strip(), by=facilitator.name, at=at
            )
            c.execute(
                panels.update()
                .where(panels.c.session == id_)
                .values(decision=decision.model_dump_json())
            )
            self._event(c, id_, at, facilitator.actor, "decision", {"vendor": vendor})

    def sign(self, id_: str, by: Member, *, approve: bool, comment: str = "") -> None:
        """An approver signs the decision (which locks the session) or declines it, saying why."""
        comment = comment.strip()
        if not approve and not comment:
            raise StoreError("declining needs a comment: say why")
        with self._write() as c:
            approver = self._allowed(c, id_, by, ("approver",), "sign the decision")
            panel = self._panel(c, id_)
            if panel is None or panel.decision is None:
                raise Refused("there is no decision to sign yet")
            at = _now()
            signature = _model(
                Signature,
                name=approver.name,
                role=approver.role,
                vendor=panel.decision.vendor,
                verdict="signed" if approve else "declined",
                comment=comment,
                at=at,
                revision=panel.revision,
            )
            key = {"session": id_, "revision": panel.revision, "member": approver.id}
            c.execute(signatures.delete().filter_by(**key))
            c.execute(signatures.insert().values(**key, document=signature.model_dump_json()))
            if approve and panel.locked is None:
                c.execute(panels.update().where(panels.c.session == id_).values(locked=at))
            detail = {signature.verdict: panel.decision.vendor, "revision": panel.revision}
            self._event(
                c,
                id_,
                at,
                approver.actor,
                "sign-off",
                detail | ({"comment": comment} if comment else {}),
            )

    def signatures(self, id_: str) -> list[Signature]:
        """Every approver's signature or refusal, of every revision, oldest first."""
        with self._read() as c:
            rows = c.execute(
                sa.select(signatures.c.document).where(signatures.c.session == id_)
            ).scalars()
            found = [Signature.model_validate_json(r) for r in rows]
        return sorted(found, key=lambda s: (s.revision, s.at))

    def new_revision(self, id_: str, by: Member) -> int:
        """Unlock a signed session for changes, as its next revision: the decision is to be
        made and signed again; what was signed stays in the history."""
        with self._write() as c:
            facilitator = self._allowed(c, id_, by, ("facilitator",), "start a revision")
            revision = self._panel(c, id_).revision + 1
            at = _now()
            c.execute(
                panels.update()
                .where(panels.c.session == id_)
                .values(revision=revision, decision=None, locked=None)
            )
            self._event(c, id_, at, facilitator.actor, "revision", {"revision": revision})
        return revision

    def _panel(self, c: Connection, id_: str) -> Panel | None:
        row = c.execute(sa.select(panels).where(panels.c.session == id_)).one_or_none()
        if row is None:
            return None
        decision = Decision.model_validate_json(row.decision) if row.decision else None
        return Panel(row.aggregation, row.revision, row.revealed, decision, row.locked)

    def _unlocked(self, c: Connection, id_: str) -> None:
        panel = self._panel(c, id_)
        if panel is not None and panel.locked is not None:
            raise Refused(
                f"revision {panel.revision} is signed, so it no longer changes: the facilitator "
                "starts a new revision to change it"
            )

    def _add(
        self,
        c: Connection,
        id_: str,
        name: str,
        role: str,
        by: Member | None,
        email: str | None = None,
    ) -> tuple[Member, str]:
        if not name.strip() or len(name) > 200:
            raise StoreError("a member's name is 1 to 200 characters")
        name = _model(Person, name=name).name
        token, at = secrets.token_urlsafe(32), _now()
        member = Member(secrets.token_urlsafe(8), id_, name, role, at, None, email)
        c.execute(
            members.insert().values(
                id=member.id,
                session=id_,
                name=member.name,
                role=role,
                token_hash=_hash(token),
                created=at,
                email=email,
            )
        )
        actor = by.actor if by is not None else member.actor
        self._event(c, id_, at, actor, "membership", {"invited": member.name, "role": role})
        return member, token

    def _is_panel(self, c: Connection, id_: str) -> bool:
        found = c.execute(sa.select(members.c.id).where(members.c.session == id_).limit(1))
        return found.first() is not None

    def _allowed(
        self, c: Connection, id_: str, by: Member | None, roles: tuple[str, ...], what: str
    ) -> Member:
        """`by` as the database has them now (not as the caller remembers them), if they may
        do `what` in this session; else Refused."""
        row = None
        if by is not None:
            row = c.execute(sa.select(members).where(members.c.id == by.id)).one_or_none()
        if row is None or row.session != id_ or row.revoked is not None:
            raise Refused(f"only a member of this panel may {what}")
        if row.role not in roles:
            article = "an" if row.role[0] in "aeiou" else "a"
            raise Refused(f"{article} {row.role} may not {what}; the {' or '.join(roles)} may")
        return _member(row)

    def _event(self, c: Connection, id_: str, at: str, actor: str, kind: str, detail: dict) -> None:
        """An event that changes no document: it takes the session's next version."""
        done = c.execute(
            sessions.update()
            .where(sessions.c.id == id_)
            .values(version=sessions.c.version + 1, updated=at)
        )
        if done.rowcount != 1:
            raise NotFound(f"no session {id_!r} in {self.where}")
        seq = c.execute(sa.select(sessions.c.version).where(sessions.c.id == id_)).scalar_one()
        self._append(c, id_, seq, at, actor, kind, detail)

    # -- history ------------------------------------------------------------------------------

    def _append(
        self, c: Connection, id_: str, seq: int, at: str, actor: str, kind: str, detail: dict
    ) -> None:
        previous = c.execute(
            sa.select(events.c.hash).where(events.c.session == id_, events.c.seq == seq - 1)
        ).scalar()
        text = json.dumps(detail, sort_keys=True, ensure_ascii=False)
        previous = previous or GENESIS
        c.execute(
            events.insert().values(
                session=id_,
                seq=seq,
                at=at,
                actor=actor,
                kind=kind,
                detail=text,
                previous=previous,
                hash=_digest(id_, seq, at, actor, kind, text, previous),
            )
        )

    def events(self, id_: str) -> list[Event]:
        """The session's history, oldest first."""
        with self._read() as c:
            rows = c.execute(
                sa.select(events).where(events.c.session == id_).order_by(events.c.seq)
            ).all()
        return [
            Event(r.session, r.seq, r.at, r.actor, r.kind, json.loads(r.detail), r.previous, r.hash)
            for r in rows
        ]

    def verify(self, id_: str | None = None) -> list[str]:
        """Every break in the history of one session (or of all): an event whose hash does not
        match its content, one that does not follow the one before, a missing event. Empty
        when the history is intact."""
        with self._read() as c:
            query = sa.select(events).order_by(events.c.session, events.c.seq)
            if id_ is not None:
                query = query.where(events.c.session == id_)
            rows = c.execute(query).all()
            versions = dict(c.execute(sa.select(sessions.c.id, sessions.c.version)).all())
        problems: list[str] = []
        last: dict[str, Any] = {}
        for r in rows:
            before = last.get(r.session)
            expected_seq = 1 if before is None else before.seq + 1
            expected_previous = GENESIS if before is None else before.hash
            where = f"session {r.session}, event {r.seq}"
            if r.seq != expected_seq:
                problems.append(f"{where}: event {expected_seq} is missing")
            if r.previous != expected_previous:
                problems.append(f"{where}: does not follow the event before it")
            if r.hash != _digest(r.session, r.seq, r.at, r.actor, r.kind, r.detail, r.previous):
                problems.append(f"{where}: its content does not match its hash (edited)")
            last[r.session] = r
        for session, version in versions.items():
            if id_ is not None and session != id_:
                continue
            seen = last.get(session)
            if seen is None or seen.seq != version:
                problems.append(
                    f"session {session}: history ends at event {seen.seq if seen else 0}, "
                    f"the session is at version {version}"
                )
        return problems

    @property
    def where(self) -> str:
        """The database, for messages: its URL without the password."""
        return self.url.render_as_string(hide_password=True)


def database_url(root: Path) -> str:
    """The session database: $SCORECARD_DB (an SQLAlchemy URL, e.g.
    postgresql+psycopg://user@host/db), or an SQLite file in the data folder `root`."""
    return os.environ.get("SCORECARD_DB") or f"sqlite:///{(root / DEFAULT_DB).resolve()}"


class Person(FrozenModel):
    name: Text


def _model(model: type[M], **fields: Any) -> M:
    """`model` of `fields`, or a StoreError that says what is wrong with them."""
    try:
        return model(**fields)
    except ValidationError as exc:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise StoreError(wrong) from exc


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _member(row: Any) -> Member:
    return Member(row.id, row.session, row.name, row.role, row.created, row.revoked, row.email)


def _stored(row: Any) -> Stored:
    session = Session.model_validate_json(row.document)
    return Stored(row.id, row.name, row.created, row.updated, row.version, session)


def _dump(session: Session) -> str:
    return session.model_dump_json(exclude_defaults=True)


def _engine(url: sa.URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions begin where we say, below
        cursor = dbapi_connection.cursor()
        if url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
