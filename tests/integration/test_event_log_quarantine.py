"""What the log refuses to chain in, on a real RabbitMQ vhost: events through another producer's
exchange, of no known contract, breaking their contract, or reusing a logged event id with
other content are quarantined (kept with the reason, listed by ``gravity audit quarantine``),
and the log, its verification and its head do not move."""

from __future__ import annotations

import json
import time
import uuid

import pika
import pytest
from structlog.testing import capture_logs

from shared.eventlog import EventLogReader, verify_chain
from shared.eventlog.tables import log_quarantine
from shared.eventstore.database import create_database_engine
from shared.messaging.topology import event_exchange
from tests.integration.test_event_log_consumer import (
    log_channel,
    make_envelope,
    publish,
    running_consumer,
    wait_for_head,
)
from tests.integration.test_event_log_export import audit
from tests.support.broker import signed_by_producer


@pytest.fixture
def log_engine(sqlite_url):
    engine = create_database_engine(sqlite_url, reader=True)
    yield engine
    engine.dispose()


def publish_through(amqp_uri, exchange, envelope):
    with log_channel(amqp_uri) as channel:
        channel.basic_publish(
            exchange,
            envelope.event_type,
            json.dumps(signed_by_producer(envelope).to_dict()).encode(),
            pika.BasicProperties(delivery_mode=2),
            mandatory=True,
        )


def quarantined(engine, count, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as connection:
            rows = connection.execute(log_quarantine.select().order_by(log_quarantine.c.id)).all()
        if len(rows) >= count:
            return rows
        assert time.monotonic() < deadline, f"{len(rows)} quarantined, wanted {count}"
        time.sleep(0.02)


def test_forged_and_broken_events_are_quarantined_and_the_log_does_not_move(
    amqp_uri, sqlite_url, log_engine, tmp_path, capsys
):
    genuine = make_envelope()
    wrong_exchange = make_envelope(actor="operator:forger")
    unknown = make_envelope(event_type="StudentCrowned")
    broken = make_envelope(payload={"student_id": "not-an-id", "campaign_id": str(uuid.uuid4())})
    twin = make_envelope(event_id=genuine.event_id, actor="operator:forger")

    with capture_logs() as logs, running_consumer(amqp_uri, sqlite_url):
        publish(amqp_uri, genuine)
        wait_for_head(log_engine, 1)
        publish_through(amqp_uri, event_exchange("placement"), wrong_exchange)
        # The same event again first (a redelivery, harmless): the queue keeps order, so it
        # has been handled by the time the twin after it is quarantined.
        publish(amqp_uri, genuine, unknown, broken, twin)
        quarantined(log_engine, 4)
    rows = quarantined(log_engine, 0)

    assert EventLogReader(log_engine).head() == 1
    assert verify_chain(log_engine).ok
    reasons = {row.event_id: row.reason for row in rows}
    assert reasons[wrong_exchange.event_id] == "recruitment's event came through placement.events"
    assert reasons[unknown.event_id] == "no contract for StudentCrowned v1"
    assert reasons[broken.event_id] == "the payload breaks its contract (fields: student_id)"
    assert reasons[genuine.event_id] == "its event id is logged at position 1 with other content"
    assert len(rows) == 4  # the identical redelivery was absorbed, not quarantined
    warnings = [line for line in logs if line["event"] == "eventlog.quarantined"]
    assert {line["event_id"] for line in warnings} == set(reasons)

    assert audit(sqlite_url, tmp_path, "quarantine") == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["event_id"] for line in listed] == [row.event_id for row in rows]
    assert all("envelope" not in line for line in listed)
    assert audit(sqlite_url, tmp_path, "quarantine", "--reveal-personal-data") == 0
    revealed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    forged = json.loads(revealed[-1]["envelope"])
    assert forged["actor"] == "operator:forger"
