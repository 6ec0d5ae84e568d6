"""An incoming event is claimed in the consumer's inbox once: a second claim answers False
with no row written and no error, so the transaction around it goes on (on PostgreSQL a
failed INSERT would have aborted it), on SQLite and PostgreSQL."""

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import EventStore
from shared.eventstore.tables import events, inbox
from shared.migrations import upgrade_to_head


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    upgrade_to_head(database_url, "services.recruitment.migrations")
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


def joined() -> Envelope:
    return Envelope(
        event_type="AllianceJoined",
        schema_version=1,
        stream_id="student-s",
        stream_version=1,
        producer="recruitment",
        actor="a",
        correlation_id="c",
        payload={"student_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4())},
    )


def test_an_event_claimed_and_committed_is_not_claimed_again(engine: sa.Engine) -> None:
    event_id = str(uuid.uuid4())
    with sessionmaker(engine)() as session:
        assert EventStore(session).claim("tally.on_joined", event_id) is True
        session.commit()
    with sessionmaker(engine)() as session:
        assert EventStore(session).claim("tally.on_joined", event_id) is False
        assert EventStore(session).claim("other.consumer", event_id) is True
        session.commit()
    with engine.connect() as connection:
        rows = connection.execute(sa.select(inbox.c.consumer).order_by(inbox.c.consumer)).all()
    assert [row.consumer for row in rows] == ["other.consumer", "tally.on_joined"]


def test_a_second_claim_in_the_same_transaction_leaves_it_usable(engine: sa.Engine) -> None:
    event_id = str(uuid.uuid4())
    envelope = joined()
    with sessionmaker(engine)() as session:
        store = EventStore(session)
        assert store.claim("tally.on_joined", event_id) is True
        assert store.claim("tally.on_joined", event_id) is False
        store.append("student-s", 0, [envelope])
        session.commit()
    with engine.connect() as connection:
        appended = connection.execute(sa.select(events.c.event_id)).scalars().all()
        claims = connection.execute(sa.select(sa.func.count()).select_from(inbox)).scalar()
    assert appended == [envelope.event_id]
    assert claims == 1


def test_a_claim_rolled_back_with_its_transaction_can_be_made_again(engine: sa.Engine) -> None:
    event_id = str(uuid.uuid4())
    with sessionmaker(engine)() as session:
        assert EventStore(session).claim("tally.on_joined", event_id) is True
        session.rollback()
    with sessionmaker(engine)() as session:
        assert EventStore(session).claim("tally.on_joined", event_id) is True
        session.commit()
