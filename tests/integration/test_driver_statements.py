"""The event store's hot statements run on the driver's cursor, on SQLite and PostgreSQL: the
same rows as through SQLAlchemy, SQLAlchemy's own errors with no parameter quoted, a lost
connection invalidated, and never a connection kept past its transaction."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from shared.eventstore.database import create_database_engine
from shared.eventstore.driver_sql import DriverStatement
from shared.eventstore.store import EventStore
from shared.eventstore.tables import events, inbox, outbox
from shared.migrations import upgrade_to_head
from tests.factories import make_alliance_joined
from tests.support.database import admin_query, last_statement

SECRET = "410102199001010011"  # stands for a value that must never show in an error
CLAIM = DriverStatement(
    inbox.insert().values(
        consumer=sa.bindparam("consumer"),
        event_id=sa.bindparam("event_id"),
        consumed_at=sa.literal("2026-07-01T00:00:00.000000Z"),
    )
)


def test_an_append_writes_the_rows_sqlalchemy_reads_back_with_their_outbox_marks(
    recruitment_engine,
):
    envelopes = [make_alliance_joined(1), make_alliance_joined(2), make_alliance_joined(3)]
    with sessionmaker(recruitment_engine)() as session:
        EventStore(session).append("student-s", 0, envelopes)
        session.commit()
    with recruitment_engine.connect() as connection:
        rows = connection.execute(sa.select(events).order_by(events.c.seq)).all()
        marks = connection.execute(sa.select(outbox).order_by(outbox.c.seq)).all()
    assert [row.event_id for row in rows] == [e.event_id for e in envelopes]
    assert [row.stream_version for row in rows] == [1, 2, 3]
    assert [mark.seq for mark in marks] == [row.seq for row in rows]


def test_a_constant_of_the_statement_is_written_with_the_call_s_parameters(recruitment_engine):
    with recruitment_engine.begin() as connection:
        CLAIM.run(connection, {"consumer": "placement", "event_id": "e-1"})
        row = connection.execute(sa.select(inbox)).one()
    assert tuple(row) == ("placement", "e-1", "2026-07-01T00:00:00.000000Z")


def test_a_driver_error_is_sqlalchemy_s_error_with_its_parameters_hidden(recruitment_engine):
    """As the engine's own ``hide_parameters``: no parameter list in the error. (PostgreSQL's
    own message may still name a unique key's value, as it did through SQLAlchemy.)"""
    with recruitment_engine.begin() as connection:
        CLAIM.run(connection, {"consumer": "placement", "event_id": SECRET})
    with (
        recruitment_engine.connect() as connection,
        connection.begin(),
        pytest.raises(sa.exc.IntegrityError) as refused,
    ):
        CLAIM.run(connection, {"consumer": "placement", "event_id": SECRET})
    assert refused.value.hide_parameters
    assert "[parameters" not in str(refused.value)


def test_many_rows_go_in_one_call_and_a_clash_among_them_writes_none(recruitment_engine):
    rows = [{"consumer": "placement", "event_id": f"e-{n}"} for n in range(3)]
    with recruitment_engine.begin() as connection:
        CLAIM.run_many(connection, rows)
    with (
        pytest.raises(sa.exc.IntegrityError) as refused,
        recruitment_engine.connect() as connection,
        connection.begin(),  # rolled back by the error
    ):
        CLAIM.run_many(connection, [{"consumer": "placement", "event_id": SECRET}, rows[1]])
    assert refused.value.hide_parameters
    assert SECRET not in str(refused.value)
    with recruitment_engine.connect() as connection:
        logged = connection.execute(sa.select(inbox.c.event_id).order_by(inbox.c.event_id))
        assert list(logged.scalars()) == ["e-0", "e-1", "e-2"]


def test_a_store_takes_the_session_s_new_connection_after_a_commit(recruitment_engine):
    with sessionmaker(recruitment_engine)() as session:
        store = EventStore(session)
        store.append("student-s", 0, [make_alliance_joined(1)])
        before = store.connection
        session.commit()
        assert store.connection is not before
        store.append("student-s", 1, [make_alliance_joined(2)])
        session.rollback()
        store.append("student-s", 1, [make_alliance_joined(2)])
        session.commit()
    with recruitment_engine.connect() as connection:
        versions = connection.execute(sa.select(events.c.stream_version)).scalars().all()
    assert sorted(versions) == [1, 2]


def test_a_lost_postgresql_connection_is_invalidated_not_handed_on(postgres_url):
    upgrade_to_head(postgres_url, "services.recruitment.migrations")
    engine = create_database_engine(postgres_url)
    try:
        with engine.connect() as connection:
            connection.begin()
            backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            assert admin_query("SELECT pg_terminate_backend(%s)", backend) is True
            with pytest.raises(sa.exc.DBAPIError) as lost:
                CLAIM.run(connection, {"consumer": "placement", "event_id": "e-1"})
            assert lost.value.connection_invalidated
            assert connection.invalidated
        with engine.connect() as connection:  # the pool hands out a working connection
            assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
    finally:
        engine.dispose()


def test_on_postgresql_an_event_and_its_outbox_mark_go_in_one_statement(postgres_url):
    upgrade_to_head(postgres_url, "services.recruitment.migrations")
    engine = create_database_engine(postgres_url)
    try:
        with sessionmaker(engine)() as session:
            store = EventStore(session)
            store.append("student-s", 0, [make_alliance_joined(1)])
            backend = store.connection.connection.dbapi_connection.get_backend_pid()
            last = str(last_statement(backend))  # what the server ran last for the append
            session.commit()
        assert last.startswith("WITH appended AS")
        assert "INSERT INTO outbox" in last
        with engine.connect() as connection:
            seqs = connection.execute(sa.select(events.c.seq)).scalars().all()
            marked = connection.execute(sa.select(outbox.c.seq)).scalars().all()
        assert marked == seqs != []
    finally:
        engine.dispose()
