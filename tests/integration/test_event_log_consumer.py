"""The event-log process against a real RabbitMQ vhost: in order, once, never lost."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pika
import pika.exceptions
import pytest
from structlog.testing import capture_logs

from shared.backoff import Backoff
from shared.config import load_settings
from shared.eventlog import EventLogAppender, EventLogReader, verify_chain
from shared.eventlog.consumer import ConsumerOptions, declare_event_log_topology
from shared.eventlog.process import event_log_consumer
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.messaging.topology import EVENT_LOG_QUEUE, amqp_parameters, event_exchange
from tests.support.broker import broker_channel, signed_by_producer
from tests.support.tcp_proxy import TcpProxy

REPO = Path(__file__).resolve().parents[2]
DEAD_LETTERS = "gravity.eventlog.dead-letter"
FAST = ConsumerOptions(
    batch_size=20,
    batch_wait_seconds=0.01,
    idle_poll_seconds=0.05,
    backoff=Backoff(0.05, 0.2),
)


def settings_for(amqp_uri, database_url):
    return load_settings(
        environ={}, overrides={"amqp_uri": amqp_uri, "databases": {"eventlog": database_url}}
    )


@pytest.fixture
def log_engine(sqlite_url):
    engine = create_database_engine(sqlite_url, reader=True)
    yield engine
    engine.dispose()


@contextmanager
def running_consumer(amqp_uri, database_url):
    """The same bootstrap ``python -m shared.eventlog`` uses, run in a thread until the end."""
    with event_log_consumer(settings_for(amqp_uri, database_url), FAST) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        try:
            yield consumer
        finally:
            consumer.stop()
            worker.join(10)
        assert not worker.is_alive()


@contextmanager
def log_channel(amqp_uri):
    """A confirming channel with the event log's queue declared and bound."""
    with broker_channel(amqp_uri) as channel:
        declare_event_log_topology(channel, ["recruitment"])
        channel.confirm_delivery()
        yield channel


def publish(amqp_uri, *messages):
    """Publish persistent messages to recruitment.events, routing key = the event type;
    envelopes go signed with their producer's key, as its relay signs them."""
    with log_channel(amqp_uri) as channel:
        for message in messages:
            if isinstance(message, Envelope):
                signed = signed_by_producer(message)
                key, body = message.event_type, json.dumps(signed.to_dict()).encode()
            else:
                key, body = "Garbled", message
            channel.basic_publish(
                event_exchange("recruitment"),
                key,
                body,
                pika.BasicProperties(delivery_mode=2),
                mandatory=True,
            )


def queue_depth(amqp_uri, queue):
    with log_channel(amqp_uri) as channel:
        return channel.queue_declare(queue, passive=True).method.message_count


def make_envelope(**overrides):
    values = {
        "event_type": "AllianceJoined",
        "schema_version": 1,
        "stream_id": f"student-{uuid.uuid4()}",
        "stream_version": 1,
        "producer": "recruitment",
        "actor": "student:x",
        "correlation_id": "corr-1",
        "payload": {"student_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4())},
    }
    values.update(overrides)
    return Envelope(**values)


def wait_for_head(engine, position, timeout=15.0):
    reader = EventLogReader(engine)
    deadline = time.monotonic() + timeout
    while reader.head() < position:
        assert time.monotonic() < deadline, f"log stuck at {reader.head()}, wanted {position}"
        time.sleep(0.02)


def logged_ids(engine):
    return [entry.envelope.event_id for entry in EventLogReader(engine).read_after(0, 10_000)]


def test_logs_published_events_in_order_exactly_once(amqp_uri, sqlite_url, log_engine):
    envelopes = [make_envelope() for _ in range(75)]

    with running_consumer(amqp_uri, sqlite_url):
        publish(amqp_uri, *envelopes)
        wait_for_head(log_engine, 75)

    assert logged_ids(log_engine) == [envelope.event_id for envelope in envelopes]
    assert EventLogReader(log_engine).read_after(0, 1)[0].envelope == signed_by_producer(
        envelopes[0]
    )
    assert queue_depth(amqp_uri, EVENT_LOG_QUEUE) == 0
    assert verify_chain(log_engine).ok


def test_logs_a_message_published_twice_once(amqp_uri, sqlite_url, log_engine):
    twice, after = make_envelope(), make_envelope()

    with running_consumer(amqp_uri, sqlite_url):
        publish(amqp_uri, twice, twice)
        wait_for_head(log_engine, 1)
        publish(amqp_uri, twice, after)
        wait_for_head(log_engine, 2)
        time.sleep(0.2)

    assert logged_ids(log_engine) == [twice.event_id, after.event_id]
    assert queue_depth(amqp_uri, EVENT_LOG_QUEUE) == 0


def test_moves_a_malformed_message_to_the_dead_letter_queue_and_keeps_going(
    amqp_uri, sqlite_url, log_engine
):
    before, after = make_envelope(), make_envelope()
    secret = b'{"name": "13800138000"}'
    floats = json.dumps(make_envelope(payload={"score": 4.5}).to_dict()).encode()

    with capture_logs() as logs, running_consumer(amqp_uri, sqlite_url):
        publish(amqp_uri, before, b"not json at all", secret, floats, after)
        wait_for_head(log_engine, 2)
        time.sleep(0.2)

    assert logged_ids(log_engine) == [before.event_id, after.event_id]
    assert queue_depth(amqp_uri, EVENT_LOG_QUEUE) == 0
    with log_channel(amqp_uri) as channel:
        parked = [channel.basic_get(DEAD_LETTERS, auto_ack=True) for _ in range(3)]
        assert channel.basic_get(DEAD_LETTERS)[0] is None
    assert [body for _, _, body in parked] == [b"not json at all", secret, floats]
    assert parked[1][1].headers["x-gravity-original-exchange"] == "recruitment.events"
    rejections = [line for line in logs if line["event"] == "eventlog.malformed_message"]
    assert len(rejections) == 3
    assert "13800138000" not in repr(logs)


def test_loses_nothing_when_stopped_mid_stream_and_restarted(
    amqp_uri, sqlite_url, log_engine, monkeypatch
):
    append = EventLogAppender.append_batch

    def slow_append(self, envelopes, refused=()):
        time.sleep(0.005)  # a slow database, which also gives the test a moment to stop it
        return append(self, envelopes, refused)

    monkeypatch.setattr(EventLogAppender, "append_batch", slow_append)
    envelopes = [make_envelope() for _ in range(400)]
    publish(amqp_uri, *envelopes)
    with running_consumer(amqp_uri, sqlite_url):
        wait_for_head(log_engine, 21)
    stopped_at = EventLogReader(log_engine).head()
    left_in_queue = queue_depth(amqp_uri, EVENT_LOG_QUEUE)

    with running_consumer(amqp_uri, sqlite_url):
        wait_for_head(log_engine, 400)

    assert 21 <= stopped_at < 400
    assert left_in_queue == 400 - stopped_at  # what was logged was acked, the rest requeued
    assert logged_ids(log_engine) == [envelope.event_id for envelope in envelopes]
    assert queue_depth(amqp_uri, EVENT_LOG_QUEUE) == 0


def test_absorbs_a_redelivery_after_a_crash_between_append_and_ack(
    amqp_uri, sqlite_url, log_engine
):
    envelopes = [make_envelope() for _ in range(5)]
    with running_consumer(amqp_uri, sqlite_url):
        pass  # migrated and declared; now the log already holds what a crashed run appended
    EventLogAppender(create_database_engine(sqlite_url)).append_batch(envelopes[:3])

    with capture_logs() as logs, running_consumer(amqp_uri, sqlite_url):
        publish(amqp_uri, *envelopes)
        wait_for_head(log_engine, 5)
        time.sleep(0.2)

    assert logged_ids(log_engine) == [envelope.event_id for envelope in envelopes]
    assert queue_depth(amqp_uri, EVENT_LOG_QUEUE) == 0
    assert (
        sum(
            line.get("count", 0) for line in logs if line["event"] == "eventlog.duplicates_absorbed"
        )
        == 3
    )


def test_reconnects_when_the_broker_goes_away(amqp_uri, sqlite_url, log_engine):
    vhost = amqp_parameters(amqp_uri)["virtual_host"]
    proxy = TcpProxy()
    first, during = [make_envelope() for _ in range(5)], [make_envelope() for _ in range(5)]
    try:
        with capture_logs() as logs, running_consumer(proxy.uri(vhost), sqlite_url):
            publish(amqp_uri, *first)
            wait_for_head(log_engine, 5)
            proxy.cut()
            publish(amqp_uri, *during)
            time.sleep(0.5)
            assert EventLogReader(log_engine).head() == 5
            proxy.restore()
            wait_for_head(log_engine, 10)
    finally:
        proxy.close()

    assert logged_ids(log_engine) == [e.event_id for e in first + during]
    events = [line["event"] for line in logs]
    assert events.count("eventlog.broker_unavailable") == 1
    assert events.count("eventlog.consuming") == 2


def test_runs_as_a_process_and_stops_cleanly_on_sigterm(amqp_uri, sqlite_url, log_engine):
    environ = dict(
        os.environ,
        GRAVITY_AMQP_URI=amqp_uri,
        GRAVITY_EVENTLOG_DB=sqlite_url,
        GRAVITY_LOG_FORMAT="json",
        GRAVITY_CONFIG="",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "shared.eventlog"],
        cwd=REPO,
        env=environ,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        envelopes = [make_envelope() for _ in range(30)]
        wait_until_bound(amqp_uri)
        publish(amqp_uri, *envelopes)
        wait_for_head(log_engine, 30)
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 0, errors
    events = [json.loads(line)["event"] for line in errors.splitlines() if line.startswith("{")]
    # Only the tightening of the test's data folder may come first (shared/file_modes.py).
    own = [event for event in events if not event.startswith("data_files.")]
    assert own[0] == "eventlog.started"
    assert "eventlog.appended" in events
    assert events[-2:] == ["eventlog.stopping", "eventlog.stopped"]
    assert logged_ids(log_engine) == [envelope.event_id for envelope in envelopes]


def wait_until_bound(amqp_uri, timeout=15.0):
    """The process declares the log's queue when it starts; publishing earlier is unroutable."""
    deadline = time.monotonic() + timeout
    params = amqp_parameters(amqp_uri)
    while True:
        connection = pika.BlockingConnection(
            pika.ConnectionParameters(
                host=params["host"],
                port=params["port"],
                virtual_host=params["virtual_host"],
                credentials=pika.PlainCredentials(params["username"], params["password"]),
            )
        )
        try:
            consumers = (
                connection.channel()
                .queue_declare(EVENT_LOG_QUEUE, passive=True)
                .method.consumer_count
            )
        except pika.exceptions.ChannelClosedByBroker:
            consumers = 0
        finally:
            if connection.is_open:
                connection.close()
        if consumers:
            return
        assert time.monotonic() < deadline, "the event-log process never started consuming"
        time.sleep(0.1)
