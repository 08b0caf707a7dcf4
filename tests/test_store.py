"""The session store, on SQLite and on a real PostgreSQL server: sessions survive, a stale save
is refused, concurrent writers lose nothing, and an edited history is detected."""

from __future__ import annotations

import re
import threading

import pytest
import sqlalchemy as sa
from conftest import ROOT

from scorecard.loading import load_template
from scorecard.panel import submission
from scorecard.session import SESSION_FORMAT, Session, change_text
from scorecard.store import (
    MIGRATIONS,
    Conflict,
    NotFound,
    Refused,
    Store,
    StoreError,
    events,
    members,
    schema,
)

TEMPLATE = load_template(ROOT / "criteria" / "ai-video-enterprise.yaml")


def _session(**changes) -> Session:
    base = Session(format=SESSION_FORMAT, template=TEMPLATE, vendors=("kling-ai", "runway"))
    return base.model_copy(update=changes)


def _save(store, id_, session, expected):
    return store.save(id_, session, expected=expected, actor="Ana", kind="weights", detail={})


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'scorecard.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    opened = Store(url)
    yield opened
    opened.close()


def test_a_saved_session_reads_back_equal_and_its_history_says_who_changed_what(store):
    created = store.create(_session(), name="Video RFP", actor="Ana")
    assert (created.version, created.name) == (1, "Video RFP")
    again = store.get(created.id)
    assert again.session == _session()
    changed = _session(weights={"latency": 3.0})
    saved = store.save(
        created.id,
        changed,
        expected=1,
        actor="Ben",
        kind="weights",
        detail={"latency": [None, 3.0]},
    )
    assert saved.version == 2 and store.version(created.id) == 2
    assert store.get(created.id).session == changed
    history = store.events(created.id)
    assert [(e.seq, e.actor, e.kind, e.detail) for e in history] == [
        (1, "Ana", "created", {"name": "Video RFP"}),
        (2, "Ben", "weights", {"latency": [None, 3.0]}),
    ]
    assert history[1].previous == history[0].hash
    assert store.verify() == []
    assert [s.id for s in store.list()] == [created.id]


def test_a_save_from_a_stale_version_is_refused_and_changes_nothing(store):
    created = store.create(_session(), name="s", actor="Ana")
    _save(store, created.id, _session(profile="legal"), 1)
    with pytest.raises(Conflict, match=r"changed since you read it \(version 1, now 2\)"):
        _save(store, created.id, _session(profile="security"), 1)
    assert store.get(created.id).session.profile == "legal"
    assert len(store.events(created.id)) == 2


def test_an_unknown_session_is_named_in_the_refusal(store):
    for call in (
        lambda: store.get("nope"),
        lambda: store.version("nope"),
        lambda: _save(store, "nope", _session(), 1),
    ):
        with pytest.raises(NotFound, match="no session 'nope' in "):
            call()


def test_thirty_writers_at_once_lose_no_update(store):
    created = store.create(_session(), name="panel", actor="facilitator")
    done: list[int] = []
    failures: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            while True:  # optimistic concurrency: read, change, save; on conflict, again
                current = store.get(created.id)
                weights = {**current.session.weights, f"w{k}": float(k + 1)}
                try:
                    store.save(
                        created.id,
                        current.session.model_copy(update={"weights": weights}),
                        expected=current.version,
                        actor=f"evaluator {k}",
                        kind="weights",
                        detail={f"w{k}": k + 1},
                    )
                    done.append(k)
                    return
                except Conflict:
                    continue
        except BaseException as exc:  # a failure in a thread fails the test, below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    final = store.get(created.id)
    assert final.session.weights == {f"w{k}": float(k + 1) for k in range(30)}
    assert final.version == 31
    assert sorted(e.actor for e in store.events(created.id)[1:]) == sorted(
        f"evaluator {k}" for k in range(30)
    )
    assert store.verify() == []


def test_an_edited_or_deleted_event_is_detected(store):
    created = store.create(_session(), name="s", actor="Ana")
    for k in range(3):
        _save(store, created.id, _session(weights={"latency": float(k)}), k + 1)
    with store.engine.begin() as c:
        c.execute(
            events.update()
            .where(events.c.session == created.id, events.c.seq == 2)
            .values(actor="Mallory")
        )
    assert store.verify(created.id) == [
        f"session {created.id}, event 2: its content does not match its hash (edited)"
    ]
    with store.engine.begin() as c:
        c.execute(events.delete().where(events.c.session == created.id, events.c.seq == 3))
    assert store.verify() == [
        f"session {created.id}, event 2: its content does not match its hash (edited)",
        f"session {created.id}, event 4: event 3 is missing",
        f"session {created.id}, event 4: does not follow the event before it",
    ]
    with store.engine.begin() as c:
        c.execute(events.delete().where(events.c.session == created.id, events.c.seq == 4))
    assert store.verify()[-1] == (
        f"session {created.id}: history ends at event 2, the session is at version 4"
    )


def test_reopening_a_database_keeps_everything_and_migrates_nothing_twice(store):
    created = store.create(_session(), name="s", actor="Ana")
    again = Store(store.url.render_as_string(hide_password=False))
    try:
        assert again.get(created.id).session == _session()
        with again.engine.connect() as c:
            assert c.execute(sa.select(schema.c.version)).scalars().all() == [len(MIGRATIONS)]
    finally:
        again.close()


def test_a_database_from_a_newer_scorecard_is_refused(store):
    with store.engine.begin() as c:
        c.execute(schema.update().values(version=len(MIGRATIONS) + 1))
    knows = rf"newer than this Scorecard knows \({len(MIGRATIONS)}\): upgrade"
    with pytest.raises(StoreError, match=knows):
        Store(store.url.render_as_string(hide_password=False))


def test_a_database_that_fails_says_so_in_words(store):
    created = store.create(_session(), name="s", actor="Ana")
    with store.engine.begin() as c:
        c.execute(sa.text("DROP TABLE events"))
    with pytest.raises(
        StoreError, match=rf"the session database {re.escape(store.where)} failed: "
    ):
        store.events(created.id)
    with pytest.raises(StoreError, match="failed: "):
        _save(store, created.id, _session(profile="legal"), 1)
    assert store.get(created.id).version == 1  # the failed save changed nothing


def test_a_panel_checks_every_role_at_the_store_and_keeps_only_token_hashes(store):
    created = store.create(_session(), name="panel", actor="Ana")
    ana, ana_token = store.start_panel(created.id, name="Ana")
    ben, ben_token = store.invite(created.id, ana, name="Ben", role="evaluator")
    vic, vic_token = store.invite(created.id, ana, name="Vic", role="viewer")
    assert [(m.name, m.role) for m in store.members(created.id)] == [
        ("Ana", "facilitator"),
        ("Ben", "evaluator"),
        ("Vic", "viewer"),
    ]
    assert store.member(created.id, ben_token) == ben
    # Only hashes are stored: no token appears anywhere in the database.
    with store.engine.connect() as c:
        dumped = "\n".join(
            str(row) for table in (members, events) for row in c.execute(sa.select(table))
        )
    assert all(t not in dumped for t in (ana_token, ben_token, vic_token))
    version = store.version(created.id)
    # A viewer, an evaluator and someone outside the panel cannot change the session.
    for who, message in (
        (vic, "a viewer may not change the session; the facilitator may"),
        (ben, "an evaluator may not change the session; the facilitator may"),
        (None, "only a member of this panel may change the session"),
    ):
        with pytest.raises(Refused, match=message):
            store.save(
                created.id, _session(profile="legal"), expected=version, actor="x",
                kind="weight", detail={}, by=who,
            )  # fmt: skip
    with pytest.raises(Refused, match="a viewer may not invite people"):
        store.invite(created.id, vic, name="Eve", role="approver")
    saved = store.save(
        created.id, _session(profile="legal"), expected=version, actor="x", kind="weight",
        detail={}, by=ana,
    )  # fmt: skip
    assert store.events(created.id)[-1].actor == "Ana (facilitator)"
    # Revoked, a token opens nothing and its holder can do nothing, even with a Member in hand.
    store.revoke(created.id, ana, vic.id)
    with pytest.raises(Refused, match="mistyped, changed or revoked"):
        store.member(created.id, vic_token)
    with pytest.raises(Refused, match="mistyped, changed or revoked"):
        store.member(created.id, vic_token[:-1] + ("A" if vic_token[-1] != "A" else "B"))
    with pytest.raises(Refused, match="mistyped, changed or revoked"):
        store.member("another-session", ben_token)
    with pytest.raises(NotFound, match="no member"):
        store.revoke(created.id, ana, vic.id)
    with pytest.raises(Refused, match="already"):
        store.start_panel(created.id, name="Mallory")
    with pytest.raises(StoreError, match="a role is one of evaluator, viewer, approver"):
        store.invite(created.id, ana, name="Eve", role="facilitator")
    with pytest.raises(StoreError, match="1 to 200 characters"):
        store.invite(created.id, ana, name="  ", role="viewer")
    with pytest.raises(StoreError, match="name: Value error, contains the invisible direction"):
        store.invite(created.id, ana, name="Eve\u202e", role="viewer")
    assert [change_text(e.detail) for e in store.events(created.id) if e.kind == "membership"] == [
        "invited: Ana; role: facilitator",
        "invited: Ben; role: evaluator",
        "invited: Vic; role: viewer",
        "revoked: Vic",
    ]
    assert store.version(created.id) == saved.version + 1
    assert store.verify(created.id) == []


def test_a_database_of_an_older_schema_is_brought_up_to_date_and_keeps_its_sessions(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = sa.create_engine(url)
    with old.begin() as c:  # what the first release made: version 1, no panels
        schema.create(c)
        MIGRATIONS[0](c)
        c.execute(schema.insert().values(version=1))
        c.execute(
            sa.text(
                "INSERT INTO sessions VALUES ('s1', 'old', '2026-11-01', '2026-11-01', 1, :doc)"
            ),
            {"doc": _session().model_dump_json(exclude_defaults=True)},
        )
    old.dispose()
    upgraded = Store(url)
    try:
        assert upgraded.get("s1").session == _session()
        assert upgraded.members("s1") == []
        with upgraded.engine.connect() as c:
            assert c.execute(sa.select(schema.c.version)).scalar() == len(MIGRATIONS) == 4
    finally:
        upgraded.close()


def test_a_panel_weighs_blind_reveals_decides_signs_and_locks(store):
    created = store.create(_session(), name="panel", actor="Ana")
    ana, _ = store.start_panel(created.id, name="Ana")
    ben, _ = store.invite(created.id, ana, name="Ben", role="evaluator")
    cai, _ = store.invite(created.id, ana, name="Cai", role="evaluator")
    vic, _ = store.invite(created.id, ana, name="Vic", role="viewer")
    pat, _ = store.invite(created.id, ana, name="Pat", role="approver")
    tops = [c.id for c in TEMPLATE.criteria]
    by_ben = submission("anyone", tops, "sliders", sliders=dict.fromkeys(tops, 1.0))
    by_cai = submission(
        "Cai", tops[:3], "pairwise", judgements={(tops[0], tops[1]): 3, (tops[0], tops[2]): 5,
        (tops[1], tops[2]): 2},
    )  # fmt: skip
    store.submit(created.id, ben, by_ben)
    store.submit(created.id, cai, by_cai)
    for who in (ana, vic, pat):  # only evaluators submit
        with pytest.raises(Refused, match="may not submit weights; the evaluator may"):
            store.submit(created.id, who, by_ben)
    # Blind: each evaluator sees their own weights only; the others see who has submitted.
    seen = store.submissions(created.id, ben)
    assert [(s.member.name, s.submission is not None) for s in seen] == [
        ("Ben", True),
        ("Cai", False),
    ]
    assert seen[0].submission.evaluator == "Ben"  # their name, whatever the caller wrote
    assert all(s.submission is None for s in store.submissions(created.id, ana))
    with pytest.raises(Refused, match="an evaluator may not reveal the weights"):
        store.reveal(created.id, ben)
    store.reveal(created.id, ana)
    shown = {s.member.name: s.submission for s in store.submissions(created.id, vic)}
    assert shown["Cai"].weights == by_cai.weights and shown["Cai"].consistency is not None
    store.aggregate(created.id, ana, "arithmetic")
    assert store.panel(created.id).aggregation == "arithmetic"
    with pytest.raises(Refused, match="no decision to sign yet"):
        store.sign(created.id, pat, approve=True)
    with pytest.raises(StoreError, match="say why"):
        store.decide(created.id, ana, vendor="runway", rationale=" ")
    store.decide(created.id, ana, vendor="runway", rationale="Best on rights and latency")
    with pytest.raises(StoreError, match="declining needs a comment"):
        store.sign(created.id, pat, approve=False)
    with pytest.raises(StoreError, match="comment: String should have at most 1000 characters"):
        store.sign(created.id, pat, approve=True, comment="x" * 1001)
    with pytest.raises(Refused, match="a viewer may not sign the decision"):
        store.sign(created.id, vic, approve=True)
    store.sign(created.id, pat, approve=True, comment="ok")
    panel = store.panel(created.id)
    assert panel.locked and panel.decision.vendor == "runway" and panel.revision == 1
    # Signed, it is locked: no change, no new weights, no other decision.
    version = store.version(created.id)
    with pytest.raises(Refused, match="revision 1 is signed"):
        store.save(
            created.id, _session(profile="legal"), expected=version, actor="x", kind="weight",
            detail={}, by=ana,
        )  # fmt: skip
    with pytest.raises(Refused, match="revision 1 is signed"):
        store.submit(created.id, ben, by_ben)
    with pytest.raises(Refused, match="revision 1 is signed"):
        store.decide(created.id, ana, vendor="kling-ai", rationale="cheaper")
    assert store.new_revision(created.id, ana) == 2
    panel = store.panel(created.id)
    assert (panel.revision, panel.locked, panel.decision) == (2, None, None)
    store.save(
        created.id, _session(profile="legal"), expected=store.version(created.id), actor="x",
        kind="weight", detail={}, by=ana,
    )  # fmt: skip
    [signed] = store.signatures(created.id)
    assert (signed.name, signed.verdict, signed.vendor, signed.revision) == (
        "Pat", "signed", "runway", 1,
    )  # fmt: skip
    kinds = [e.kind for e in store.events(created.id)]
    assert kinds[-8:] == [
        "weight", "weight", "panel", "panel", "decision", "sign-off", "revision", "weight",
    ]  # fmt: skip
    assert store.verify(created.id) == []


def test_a_panel_started_before_panels_had_state_gets_it_on_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'v2.db'}"
    old = sa.create_engine(url)
    with old.begin() as c:  # as version 2 made it: members without an email column
        schema.create(c)
        MIGRATIONS[0](c)
        c.execute(
            sa.text(
                "CREATE TABLE members (id VARCHAR(16) PRIMARY KEY, session VARCHAR(32) NOT NULL "
                "REFERENCES sessions (id), name TEXT NOT NULL, role VARCHAR(16) NOT NULL, "
                "token_hash VARCHAR(64) NOT NULL UNIQUE, created VARCHAR(32) NOT NULL, "
                "revoked VARCHAR(32))"
            )
        )
        c.execute(schema.insert().values(version=2))
        c.execute(
            sa.text(
                "INSERT INTO sessions VALUES ('s1', 'old', '2026-11-01', '2026-11-01', 1, :doc)"
            ),
            {"doc": _session().model_dump_json(exclude_defaults=True)},
        )
        for id_, name in (("m1", "Ana"), ("m2", "Ben")):
            c.execute(
                members.insert().values(
                    id=id_, session="s1", name=name, role="facilitator", token_hash=id_ * 32,
                    created="2026-11-01",
                )
            )  # fmt: skip
    old.dispose()
    upgraded = Store(url)
    try:
        panel = upgraded.panel("s1")
        assert (panel.aggregation, panel.revision, panel.revealed) == ("geometric", 1, None)
        assert [m.email for m in upgraded.members("s1")] == [None, None]
    finally:
        upgraded.close()


def test_where_single_sign_on_is_set_up_a_member_is_found_by_the_address_they_log_in_as(store):
    created = store.create(_session(), name="panel", actor="Ana")
    ana, _ = store.start_panel(created.id, name="Ana")
    pat, _ = store.invite(created.id, ana, name="Pat", role="approver", email=" Pat@Example.com")
    assert pat.email == "pat@example.com"
    assert store.member_by_email(created.id, "PAT@example.com ") == pat
    with pytest.raises(StoreError, match="already a member of this panel"):
        store.invite(created.id, ana, name="Pat 2", role="viewer", email="pat@example.com")
    with pytest.raises(StoreError, match="'pat' is not an email address"):
        store.invite(created.id, ana, name="Pat 3", role="viewer", email="pat")
    with pytest.raises(Refused, match=r"eve@example\.com is not a member of this panel"):
        store.member_by_email(created.id, "eve@example.com")
    with pytest.raises(Refused, match="not a member"):
        store.member_by_email("another-session", "pat@example.com")
    store.revoke(created.id, ana, pat.id)
    with pytest.raises(Refused, match="not a member"):
        store.member_by_email(created.id, "pat@example.com")
