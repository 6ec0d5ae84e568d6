"""Consumers: duplicates are absorbed, a failing handler keeps its message until parked."""

import time
import uuid

import pytest
import sqlalchemy as sa
import structlog
from sqlalchemy.orm import sessionmaker

from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import EventStore
from shared.kit.service import WorkerLogContext
from shared.messaging.dead_letters import inspect_dead_letters, replay_dead_letters
from shared.messaging.inbox import reliable_event_handler
from shared.migrations import upgrade_to_head
from tests.factories import make_alliance_joined
from tests.support.broker import publish_events

QUEUE = "evt-recruitment-AllianceJoined--tally.on_joined"
effects = sa.Table("effects", sa.MetaData(), sa.Column("event_id", sa.String(36)))
STATE = {"engine": None, "fail_for": set(), "fail_once": set(), "calls": 0, "correlations": []}


class Tally:
    """A stand-in for a downstream service: counts AllianceJoined events it has applied."""

    name = "tally"
    log_context = WorkerLogContext()

    @reliable_event_handler("recruitment", "AllianceJoined", delivery_limit=2)
    def on_joined(self, body):
        STATE["calls"] += 1
        envelope = Envelope.from_dict(body)
        STATE["correlations"].append(structlog.contextvars.get_contextvars().get("correlation_id"))
        if envelope.event_id in STATE["fail_for"]:
            raise RuntimeError("downstream is broken for this event")
        if envelope.event_id in STATE["fail_once"]:
            STATE["fail_once"].discard(envelope.event_id)
            raise RuntimeError("transient failure")
        with sessionmaker(STATE["engine"])() as session:
            if EventStore(session).claim("tally.on_joined", envelope.event_id):
                session.execute(effects.insert().values(event_id=envelope.event_id))
            session.commit()


@pytest.fixture
def tally(container_factory, rabbit_config, sqlite_url):
    upgrade_to_head(sqlite_url, "services.recruitment.migrations")
    engine = create_database_engine(sqlite_url)
    effects.create(engine)
    STATE.update(engine=engine, fail_for=set(), fail_once=set(), calls=0, correlations=[])
    container = container_factory(Tally, rabbit_config)
    container.start()
    yield engine
    container.stop()
    engine.dispose()


def publish(amqp_uri, envelope, times=1):
    publish_events(amqp_uri, [envelope] * times)


def joined():
    return make_alliance_joined(
        student_id=str(uuid.uuid4()), actor="student:x", correlation_id="corr"
    )


def applied(engine):
    with engine.connect() as connection:
        return connection.execute(sa.select(effects.c.event_id)).scalars().all()


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"condition not met in time; state: {STATE}"
        time.sleep(0.05)


def test_a_redelivered_event_takes_effect_once(tally, amqp_uri):
    event = joined()
    publish(amqp_uri, event, times=3)
    wait_for(lambda: STATE["calls"] == 3)
    assert applied(tally) == [event.event_id]
    assert STATE["correlations"] == ["corr"] * 3


def test_a_transient_failure_is_retried_not_dropped(tally, amqp_uri):
    event = joined()
    STATE["fail_once"].add(event.event_id)
    publish(amqp_uri, event)
    wait_for(lambda: applied(tally) == [event.event_id])
    assert STATE["calls"] == 2


def test_a_handler_that_keeps_failing_parks_its_message_for_the_operator(tally, amqp_uri):
    broken, fine = joined(), joined()
    STATE["fail_for"].add(broken.event_id)
    publish(amqp_uri, broken)
    publish(amqp_uri, fine)
    wait_for(lambda: len(inspect_dead_letters(amqp_uri, QUEUE)) == 1)
    parked = inspect_dead_letters(amqp_uri, QUEUE)
    assert [(p.event_id, p.event_type) for p in parked] == [(broken.event_id, "AllianceJoined")]
    assert applied(tally) == [fine.event_id]

    STATE["fail_for"].clear()
    assert replay_dead_letters(amqp_uri, QUEUE) == 1
    wait_for(lambda: sorted(applied(tally)) == sorted([fine.event_id, broken.event_id]))
    assert inspect_dead_letters(amqp_uri, QUEUE) == []
