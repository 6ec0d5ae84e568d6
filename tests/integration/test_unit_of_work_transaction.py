"""A unit of work's transaction is its connection's own; an ORM session, when a handler asks
for one, works inside it: what both write commits together or not at all."""

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from shared.domain import CommandContext
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events, inbox
from shared.eventstore.uow import UnitOfWork
from shared.migrations import upgrade_to_head

CONTEXT = CommandContext(actor="operator:test", correlation_id="corr-test")


@pytest.fixture
def engine(database_url):
    upgrade_to_head(database_url, "services.recruitment.migrations")
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


def joined(stream_version=1):
    return Envelope(
        event_type="AllianceJoined",
        schema_version=1,
        stream_id="student-s",
        stream_version=stream_version,
        producer="recruitment",
        actor="a",
        correlation_id="c",
        payload={"student_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4())},
    )


def note_in_inbox(session, event_id):
    session.execute(
        inbox.insert().values(consumer="test", event_id=event_id, consumed_at="2026-07-01")
    )


def count(engine, table):
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_what_the_session_and_the_store_write_commits_together(engine):
    with UnitOfWork(sessionmaker(engine), "recruitment", CONTEXT) as uow:
        note_in_inbox(uow.session, "e-1")
        uow.store.append("student-s", 0, [joined()])
        uow.commit()
    assert (count(engine, inbox), count(engine, events)) == (1, 1)


def test_a_unit_of_work_left_without_a_commit_keeps_nothing_of_either(engine):
    def fail_midway() -> None:
        with UnitOfWork(sessionmaker(engine), "recruitment", CONTEXT) as uow:
            uow.store.append("student-s", 0, [joined()])
            note_in_inbox(uow.session, "e-1")
            raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):
        fail_midway()
    assert (count(engine, inbox), count(engine, events)) == (0, 0)


def test_the_session_asked_for_after_a_commit_works_in_the_next_transaction(engine):
    with UnitOfWork(sessionmaker(engine), "recruitment", CONTEXT) as uow:
        first = uow.session
        note_in_inbox(first, "e-1")
        uow.commit()
        assert uow.session is not first
        note_in_inbox(uow.session, "e-2")
        uow.store.append("student-s", 0, [joined()])
        uow.commit()
    assert (count(engine, inbox), count(engine, events)) == (2, 1)


def test_the_connection_cannot_be_used_once_the_unit_of_work_has_ended(engine):
    with UnitOfWork(sessionmaker(engine), "recruitment", CONTEXT) as uow:
        uow.store.append("student-s", 0, [joined()])
        uow.commit()
    with pytest.raises(sa.exc.ResourceClosedError):
        uow.store.append("student-s", 1, [joined(2)])
    assert count(engine, events) == 1
