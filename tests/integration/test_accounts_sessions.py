"""Sessions and refresh tokens in the gateway's database, on SQLite and PostgreSQL: rotation,
the reuse of a rotated token closing its whole family, sign-out, a disabled account, the
session check of every request, and invitations used once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gateway.accounts.cause import Cause
from gateway.accounts.invitations import InvitationStore
from gateway.accounts.sessions import SessionStore
from gateway.accounts.store import AccountStore, now_utc
from gateway.accounts.tables import refresh_tokens
from gateway.core.errors import ApiError
from gateway.core.tokens import Principal
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events, outbox
from shared.migrations import upgrade_to_head

PASSWORD = "summer-orchard-walk"
BY_OPERATOR = Cause("operator:op", "req-1", "command_line")


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.engine.Engine]:
    upgrade_to_head(database_url, "gateway.migrations")
    made = create_database_engine(database_url)
    yield made
    made.dispose()


def open_session(engine: sa.engine.Engine, username: str = "wang.li"):
    account = AccountStore(engine).create_account(username, PASSWORD, "operator", cause=BY_OPERATOR)
    session, token = SessionStore(engine).open(account, now_utc() + timedelta(hours=1))
    return account, session, token


def principal_of(session) -> Principal:
    return Principal(session["subject"], session["role"], session["session_id"])


def refused(call) -> str:
    with pytest.raises(ApiError) as refusal:
        call()
    return refusal.value.code


def test_a_refresh_token_is_replaced_by_a_new_one_of_the_same_session(engine):
    _, session, first = open_session(engine)
    sessions = SessionStore(engine)
    rotated, second = sessions.rotate(first)
    assert rotated["session_id"] == session["session_id"]
    assert second != first
    third_session, _ = sessions.rotate(second)
    assert third_session["session_id"] == session["session_id"]
    assert sessions.is_open(principal_of(session))


def test_reusing_a_rotated_refresh_token_closes_the_whole_family(engine):
    _, session, first = open_session(engine)
    sessions = SessionStore(engine)
    _, second = sessions.rotate(first)
    assert refused(lambda: sessions.rotate(first)) == "REFRESH_TOKEN_INVALID"
    assert refused(lambda: sessions.rotate(second)) == "REFRESH_TOKEN_INVALID"
    assert not sessions.is_open(principal_of(session))
    closed = sessions.session(session["session_id"])
    assert closed is not None
    assert closed["revoked_because"] == "refresh_token_reused"


def test_refresh_tokens_are_stored_only_as_their_hashes(engine):
    _, _, token = open_session(engine)
    with engine.connect() as connection:
        stored = [row.token_hash for row in connection.execute(sa.select(refresh_tokens))]
    assert len(stored) == 1
    assert token not in stored[0]


def test_an_unknown_refresh_token_is_refused_and_closes_nothing(engine):
    _, session, _ = open_session(engine)
    sessions = SessionStore(engine)
    assert refused(lambda: sessions.rotate("A" * 43)) == "REFRESH_TOKEN_INVALID"
    assert sessions.is_open(principal_of(session))


def test_a_signed_out_session_refuses_its_tokens_and_refreshes(engine):
    _, session, token = open_session(engine)
    sessions = SessionStore(engine)
    sessions.close(session["session_id"], "signed_out")
    assert not sessions.is_open(principal_of(session))
    assert refused(lambda: sessions.rotate(token)) == "REFRESH_TOKEN_INVALID"


def test_a_session_check_refuses_another_role_or_subject_and_an_expired_session(engine):
    account, session, _ = open_session(engine)
    sessions = SessionStore(engine)
    sid = session["session_id"]
    assert not sessions.is_open(Principal(session["subject"], "auditor", sid))
    assert not sessions.is_open(Principal("someone-else", "operator", sid))
    expired, _ = sessions.open(account, now_utc() - timedelta(seconds=1))
    assert not sessions.is_open(principal_of(expired))


def test_disabling_an_account_closes_its_sessions_and_a_new_password_too(engine):
    account, session, _ = open_session(engine)
    other, other_session, _ = open_session(engine, "zhao.min")
    accounts, sessions = AccountStore(engine), SessionStore(engine)
    when, closed = accounts.change_password(other, "another-long-secret", BY_OPERATOR)
    assert closed == 1
    assert not sessions.is_open(principal_of(other_session))
    assert when.endswith("Z")
    disabled = accounts.disable(account["account_id"], BY_OPERATOR)
    assert disabled is not None
    assert disabled["status"] == "disabled"
    assert not sessions.is_open(principal_of(session))
    assert accounts.disable("00000000-0000-0000-0000-000000000000", BY_OPERATOR) is None


def test_a_username_is_taken_whatever_its_case(engine):
    open_session(engine, "wang.li")
    store = AccountStore(engine)
    assert refused(
        lambda: store.create_account("Wang.Li", PASSWORD, "operator", cause=BY_OPERATOR)
    ) == ("USERNAME_TAKEN")


def test_an_invitation_makes_one_account_and_is_then_used(engine):
    invitations = InvitationStore(engine)
    invitation, token = invitations.invite(
        "student", "9b1c2d3e-0000-4000-8000-000000000001", None, "operator:op", timedelta(hours=1)
    )
    assert invitation["token_hash"] != token
    account = invitations.accept(token, "sun.yue", PASSWORD)
    assert (account["role"], account["subject"]) == ("student", invitation["subject"])
    assert refused(lambda: invitations.accept(token, "sun.yue2", PASSWORD)) == "INVITATION_USED"


def test_a_refused_acceptance_leaves_the_invitation_unused(engine):
    invitations = InvitationStore(engine)
    open_session(engine, "taken.name")
    _, token = invitations.invite("auditor", None, None, "operator:op", timedelta(hours=1))
    assert refused(lambda: invitations.accept(token, "taken.name", PASSWORD)) == "USERNAME_TAKEN"
    assert refused(lambda: invitations.accept(token, "free.name", "qwertyuiop")) == (
        "WEAK_PASSWORD"
    )
    assert invitations.accept(token, "free.name", PASSWORD)["role"] == "auditor"


def test_an_expired_invitation_is_refused(engine):
    invitations = InvitationStore(engine)
    _, token = invitations.invite("auditor", None, None, "operator:op", timedelta(seconds=-1))
    assert refused(lambda: invitations.accept(token, "late.one", PASSWORD)) == (
        "INVITATION_EXPIRED"
    )


def outbox_events(engine: sa.engine.Engine) -> list[tuple[str, str, str, dict]]:
    """The gateway's recorded events, oldest first: (type, stream, actor, payload), each with
    its outbox mark (a row without one would never be published)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(events, outbox.c.seq.label("marked"))
            .join(outbox, outbox.c.seq == events.c.seq, isouter=True)
            .order_by(events.c.seq)
        ).all()
    assert all(row.marked == row.seq for row in rows)
    return [(row.event_type, row.stream_id, row.actor, json.loads(row.payload)) for row in rows]


def test_each_account_change_records_its_event_in_the_same_transaction(engine):
    account, _, _ = open_session(engine)
    accounts = AccountStore(engine)
    accounts.change_password(account, "another-long-secret", Cause("operator:self", "req-2"))
    accounts.disable(account["account_id"], BY_OPERATOR)
    accounts.disable(account["account_id"], BY_OPERATOR)  # already disabled: nothing happens
    stream = f"account-{account['account_id']}"
    assert outbox_events(engine) == [
        (
            "AccountCreated",
            stream,
            "operator:op",
            {
                "account_id": account["account_id"],
                "username": "wang.li",
                "role": "operator",
                "subject_id": account["account_id"],
                "origin": "command_line",
                "invitation_id": None,
            },
        ),
        (
            "PasswordChanged",
            stream,
            "operator:self",
            {"account_id": account["account_id"], "sessions_closed": 1},
        ),
        (
            "AccountDisabled",
            stream,
            "operator:op",
            {"account_id": account["account_id"], "sessions_closed": 0},
        ),
    ]
    with engine.connect() as connection:
        versions = connection.execute(
            sa.select(events.c.stream_version).order_by(events.c.seq)
        ).scalars()
        assert list(versions) == [1, 2, 3]


def test_a_refused_change_records_nothing(engine):
    account, _, _ = open_session(engine)
    accounts = AccountStore(engine)
    before = outbox_events(engine)
    assert (
        refused(lambda: accounts.create_account("Wang.Li", PASSWORD, "operator", cause=BY_OPERATOR))
        == "USERNAME_TAKEN"
    )
    assert refused(lambda: accounts.change_password(account, "qwertyuiop", BY_OPERATOR)) == (
        "WEAK_PASSWORD"
    )
    invitations = InvitationStore(engine)
    _, token = invitations.invite("auditor", None, None, "operator:op", timedelta(hours=1))
    assert refused(lambda: invitations.accept(token, "wang.li", PASSWORD)) == "USERNAME_TAKEN"
    assert [kind for kind, *_ in outbox_events(engine)] == [
        *(kind for kind, *_ in before),
        "InvitationIssued",
    ]


def test_an_accepted_invitation_records_the_account_and_the_acceptance_never_the_token(engine):
    invitations = InvitationStore(engine)
    unit = "9b1c2d3e-0000-4000-8000-000000000002"
    invitation, token = invitations.invite(
        "host_unit", unit, "civil.affairs", "operator:op", timedelta(hours=1), correlation_id="c9"
    )
    account = invitations.accept(token, "civil.affairs", PASSWORD, correlation_id="c10")
    recorded = outbox_events(engine)
    assert [(kind, stream, actor) for kind, stream, actor, _ in recorded] == [
        ("InvitationIssued", f"invitation-{invitation['invitation_id']}", "operator:op"),
        ("AccountCreated", f"account-{account['account_id']}", f"host_unit:{unit}"),
        ("InvitationAccepted", f"invitation-{invitation['invitation_id']}", f"host_unit:{unit}"),
    ]
    issued, created, accepted = (payload for *_, payload in recorded)
    assert issued["username"] == "civil.affairs"
    assert (issued["role"], issued["subject_id"]) == ("host_unit", unit)
    assert (created["origin"], created["invitation_id"]) == (
        "invitation",
        invitation["invitation_id"],
    )
    assert accepted == {
        "invitation_id": invitation["invitation_id"],
        "account_id": account["account_id"],
    }
    with engine.connect() as connection:
        stored = " ".join(
            str(value) for row in connection.execute(sa.select(events)) for value in row
        )
    for secret in (token, invitation["token_hash"], PASSWORD, account["password_hash"]):
        assert secret not in stored
