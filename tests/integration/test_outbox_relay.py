"""The outbox relay against a real RabbitMQ vhost, including the broker going away."""

import json
import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from shared.backoff import Backoff
from shared.eventstore.store import EventStore
from shared.eventstore.tables import outbox
from shared.messaging.publisher_confirms import PublishFailedError
from shared.messaging.relay import OutboxRelay, RelaySettings
from shared.messaging.topology import EVENT_LOG_QUEUE, amqp_parameters
from tests.factories import make_alliance_joined
from tests.support.broker import broker_channel, producer_signer
from tests.support.tcp_proxy import TcpProxy

SIGNER = producer_signer("recruitment")


@pytest.fixture
def proxy():
    proxy = TcpProxy()
    yield proxy
    proxy.close()


def commit_events(engine, count, stream=None):
    stream = stream or f"student-{uuid.uuid4()}"
    envelopes = [
        make_alliance_joined(n, stream_id=stream, actor="student:x", correlation_id="corr")
        for n in range(1, count + 1)
    ]
    with sessionmaker(engine)() as session:
        EventStore(session).append(stream, 0, envelopes)
        session.commit()
    return [envelope.event_id for envelope in envelopes]


def drain_log_queue(amqp_uri):
    """Every message waiting in the event log's queue, in order (event ids)."""
    received = []
    with broker_channel(amqp_uri) as channel:
        while True:
            method, properties, body = channel.basic_get(EVENT_LOG_QUEUE, auto_ack=True)
            if method is None:
                return received
            assert properties.content_type == "application/json"
            assert properties.delivery_mode == 2
            received.append(json.loads(body)["event_id"])


def pending(engine):
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one()


def test_publishes_committed_events_in_order_and_marks_them(recruitment_engine, amqp_uri):
    event_ids = commit_events(recruitment_engine, 450)
    relay = OutboxRelay(
        recruitment_engine, amqp_uri, "recruitment", RelaySettings(batch_size=200), signer=SIGNER
    )
    assert relay.publish_pending() == 450
    assert pending(recruitment_engine) == 0
    assert drain_log_queue(amqp_uri) == event_ids


def test_publishes_many_small_batches_in_commit_order_while_new_events_arrive(
    recruitment_engine, amqp_uri
):
    # Each batch is read and framed while the broker confirms the one before it.
    relay = OutboxRelay(
        recruitment_engine, amqp_uri, "recruitment", RelaySettings(batch_size=7), signer=SIGNER
    )
    committed = commit_events(recruitment_engine, 60)
    writer = threading.Thread(
        target=lambda: committed.extend(commit_events(recruitment_engine, 40))
    )
    writer.start()
    published = relay.publish_pending()
    writer.join()
    published += relay.publish_pending()
    assert published == 100
    assert pending(recruitment_engine) == 0
    assert drain_log_queue(amqp_uri) == committed


def test_a_misrouted_batch_stays_pending_and_goes_out_in_order_once_routed(
    recruitment_engine, amqp_uri
):
    relay = OutboxRelay(
        recruitment_engine, amqp_uri, "recruitment", RelaySettings(batch_size=4), signer=SIGNER
    )
    first = commit_events(recruitment_engine, 1)
    relay.publish_pending()
    with broker_channel(amqp_uri) as channel:
        channel.queue_unbind(EVENT_LOG_QUEUE, "recruitment.events", "#")
    stranded = commit_events(recruitment_engine, 10)
    with pytest.raises(PublishFailedError, match="confirmed 0 of 4"):
        relay.publish_pending()
    assert pending(recruitment_engine) == 10
    # The relay binds the log's queue again when it reconnects, before publishing.
    assert relay.publish_pending() == 10
    assert drain_log_queue(amqp_uri) == first + stranded


def test_a_database_failure_while_deleting_marks_is_retried_and_the_relay_keeps_running(
    recruitment_engine, amqp_uri
):
    relay = OutboxRelay(
        recruitment_engine,
        amqp_uri,
        "recruitment",
        RelaySettings(backoff=Backoff(0.05, 30.0), idle_poll=0.1),
        signer=SIGNER,
    )
    original, failures = relay._forget_published, []

    def mark_failing_once(seqs):
        if not failures:
            failures.append(seqs)
            raise sa.exc.OperationalError("UPDATE outbox", {}, Exception("database is locked"))
        original(seqs)

    relay._forget_published = mark_failing_once
    event_ids = commit_events(recruitment_engine, 3)
    worker = threading.Thread(target=relay.run, daemon=True)
    worker.start()
    try:
        _wait_until(lambda: pending(recruitment_engine) == 0)
    finally:
        relay.stop()
        worker.join(5)
    assert failures
    assert not worker.is_alive()
    # Confirmed but unmarked events go out again; the log's consumers dedupe by event_id.
    assert drain_log_queue(amqp_uri) == event_ids + event_ids


def test_keeps_events_while_the_broker_is_down_and_publishes_them_when_it_is_back(
    recruitment_engine, amqp_uri, proxy
):
    vhost = amqp_parameters(amqp_uri)["virtual_host"]
    relay = OutboxRelay(
        recruitment_engine,
        proxy.uri(vhost),
        "recruitment",
        RelaySettings(backoff=Backoff(0.05, 0.2), idle_poll=0.1),
        signer=SIGNER,
    )
    worker = threading.Thread(target=relay.run, daemon=True)
    worker.start()
    try:
        first = commit_events(recruitment_engine, 5)
        _wait_until(lambda: pending(recruitment_engine) == 0)
        proxy.cut()
        during_outage = commit_events(recruitment_engine, 7)
        relay.notify()
        time.sleep(0.5)
        assert pending(recruitment_engine) == 7
        proxy.restore()
        _wait_until(lambda: pending(recruitment_engine) == 0)
    finally:
        relay.stop()
        worker.join(5)
    assert drain_log_queue(amqp_uri) == first + during_outage


def test_a_crash_between_confirm_and_mark_republishes_rather_than_loses(
    recruitment_engine, amqp_uri
):
    event_ids = commit_events(recruitment_engine, 3)
    relay = OutboxRelay(recruitment_engine, amqp_uri, "recruitment", signer=SIGNER)
    original = relay._forget_published
    relay._forget_published = lambda seqs: (_ for _ in ()).throw(OSError("process died"))
    with pytest.raises(OSError, match="process died"):
        relay.publish_pending()
    assert pending(recruitment_engine) == 3
    relay._forget_published = original
    relay.publish_pending()
    assert pending(recruitment_engine) == 0
    assert drain_log_queue(amqp_uri) == event_ids + event_ids


def _wait_until(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)
