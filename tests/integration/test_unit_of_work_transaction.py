"""A unit of work's transaction is its connection's own; an ORM session, when a handler asks
for one, works inside it: what both write commits together or not at all."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from shared.domain import CommandContext
from shared.eventstore.tables import events, inbox
from shared.eventstore.uow import UnitOfWork
from tests.factories import make_alliance_joined
from tests.support.database import count_rows

CONTEXT = CommandContext(actor="operator:test", correlation_id="corr-test")


def note_in_inbox(session, event_id):
    session.execute(
        inbox.insert().values(consumer="test", event_id=event_id, consumed_at="2026-07-01")
    )


def test_what_the_session_and_the_store_write_commits_together(recruitment_engine):
    with UnitOfWork(sessionmaker(recruitment_engine), "recruitment", CONTEXT) as uow:
        note_in_inbox(uow.session, "e-1")
        uow.store.append("student-s", 0, [make_alliance_joined()])
        uow.commit()
    assert (count_rows(recruitment_engine, inbox), count_rows(recruitment_engine, events)) == (1, 1)


def test_a_unit_of_work_left_without_a_commit_keeps_nothing_of_either(recruitment_engine):
    def fail_midway() -> None:
        with UnitOfWork(sessionmaker(recruitment_engine), "recruitment", CONTEXT) as uow:
            uow.store.append("student-s", 0, [make_alliance_joined()])
            note_in_inbox(uow.session, "e-1")
            raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):
        fail_midway()
    assert (count_rows(recruitment_engine, inbox), count_rows(recruitment_engine, events)) == (0, 0)


def test_the_session_asked_for_after_a_commit_works_in_the_next_transaction(recruitment_engine):
    with UnitOfWork(sessionmaker(recruitment_engine), "recruitment", CONTEXT) as uow:
        first = uow.session
        note_in_inbox(first, "e-1")
        uow.commit()
        assert uow.session is not first
        note_in_inbox(uow.session, "e-2")
        uow.store.append("student-s", 0, [make_alliance_joined()])
        uow.commit()
    assert (count_rows(recruitment_engine, inbox), count_rows(recruitment_engine, events)) == (2, 1)


def test_the_connection_cannot_be_used_once_the_unit_of_work_has_ended(recruitment_engine):
    with UnitOfWork(sessionmaker(recruitment_engine), "recruitment", CONTEXT) as uow:
        uow.store.append("student-s", 0, [make_alliance_joined()])
        uow.commit()
    with pytest.raises(sa.exc.ResourceClosedError):
        uow.store.append("student-s", 1, [make_alliance_joined(2)])
    assert count_rows(recruitment_engine, events) == 1
