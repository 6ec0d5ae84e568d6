"""An incoming event is claimed in the consumer's inbox once: a second claim answers False
with no row written and no error, so the transaction around it goes on (on PostgreSQL a
failed INSERT would have aborted it), on SQLite and PostgreSQL."""

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from shared.eventstore.store import EventStore
from shared.eventstore.tables import events, inbox
from tests.factories import make_alliance_joined


def test_an_event_claimed_and_committed_is_not_claimed_again(recruitment_engine: sa.Engine) -> None:
    event_id = str(uuid.uuid4())
    with sessionmaker(recruitment_engine)() as session:
        assert EventStore(session).claim("tally.on_joined", event_id) is True
        session.commit()
    with sessionmaker(recruitment_engine)() as session:
        assert EventStore(session).claim("tally.on_joined", event_id) is False
        assert EventStore(session).claim("other.consumer", event_id) is True
        session.commit()
    with recruitment_engine.connect() as connection:
        rows = connection.execute(sa.select(inbox.c.consumer).order_by(inbox.c.consumer)).all()
    assert [row.consumer for row in rows] == ["other.consumer", "tally.on_joined"]


def test_a_second_claim_in_the_same_transaction_leaves_it_usable(
    recruitment_engine: sa.Engine,
) -> None:
    event_id = str(uuid.uuid4())
    envelope = make_alliance_joined()
    with sessionmaker(recruitment_engine)() as session:
        store = EventStore(session)
        assert store.claim("tally.on_joined", event_id) is True
        assert store.claim("tally.on_joined", event_id) is False
        store.append("student-s", 0, [envelope])
        session.commit()
    with recruitment_engine.connect() as connection:
        appended = connection.execute(sa.select(events.c.event_id)).scalars().all()
        claims = connection.execute(sa.select(sa.func.count()).select_from(inbox)).scalar()
    assert appended == [envelope.event_id]
    assert claims == 1


def test_a_claim_rolled_back_with_its_transaction_can_be_made_again(
    recruitment_engine: sa.Engine,
) -> None:
    event_id = str(uuid.uuid4())
    with sessionmaker(recruitment_engine)() as session:
        assert EventStore(session).claim("tally.on_joined", event_id) is True
        session.rollback()
    with sessionmaker(recruitment_engine)() as session:
        assert EventStore(session).claim("tally.on_joined", event_id) is True
        session.commit()
