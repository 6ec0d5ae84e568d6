"""From a service's commit to the global log, with the broker going away in between."""

import threading
import time
import uuid

from nameko.events import event_handler
from sqlalchemy.orm import sessionmaker

from shared.backoff import Backoff
from shared.config import load_settings
from shared.eventlog.consumer import ConsumerOptions
from shared.eventlog.process import event_log_consumer
from shared.eventlog.reader import EventLogReader
from shared.eventlog.verify import verify_chain
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import EventStore
from shared.messaging.relay import OutboxRelay, RelaySettings
from shared.messaging.topology import amqp_parameters
from tests.factories import make_alliance_joined
from tests.support.broker import producer_signer
from tests.support.tcp_proxy import TcpProxy

SIGNER = producer_signer("recruitment")

FAST = ConsumerOptions(
    batch_size=50,
    batch_wait_seconds=0.01,
    idle_poll_seconds=0.05,
    backoff=Backoff(0.05, 0.2),
)


def commit(engine, count):
    stream = f"student-{uuid.uuid4()}"
    envelopes = [
        make_alliance_joined(
            n, stream_id=stream, actor="student:x", correlation_id=f"corr-{stream}"
        )
        for n in range(1, count + 1)
    ]
    with sessionmaker(engine)() as session:
        EventStore(session).append(stream, 0, envelopes)
        session.commit()
    return [envelope.event_id for envelope in envelopes]


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_an_outage_at_commit_time_loses_no_event_and_doubles_none_in_the_log(
    recruitment_engine, amqp_uri, sqlite_url
):
    log_url = sqlite_url.replace("test.db", "log.db")
    settings = load_settings(
        environ={}, overrides={"amqp_uri": amqp_uri, "databases": {"eventlog": log_url}}
    )
    proxy = TcpProxy()
    vhost = amqp_parameters(amqp_uri)["virtual_host"]
    relay = OutboxRelay(
        recruitment_engine,
        proxy.uri(vhost),
        "recruitment",
        RelaySettings(backoff=Backoff(0.05, 0.2), idle_poll=0.1),
        signer=SIGNER,
    )
    original_mark = relay._forget_published
    crashes = {"left": 1}

    def mark_or_crash(seqs):
        # The relay dies once between the broker's confirm and deleting the outbox marks.
        if crashes["left"]:
            crashes["left"] -= 1
            raise OSError("relay process died")
        original_mark(seqs)

    relay._forget_published = mark_or_crash
    committed = []
    with event_log_consumer(settings, FAST) as consumer:
        threads = [
            threading.Thread(target=consumer.run, daemon=True),
            threading.Thread(target=relay.run, daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            committed += commit(recruitment_engine, 10)
            relay.notify()
            time.sleep(0.3)
            proxy.cut()
            committed += commit(recruitment_engine, 15)
            relay.notify()
            time.sleep(0.5)
            proxy.restore()
            committed += commit(recruitment_engine, 5)
            relay.notify()
            reader = EventLogReader(create_database_engine(log_url, reader=True))
            wait_for(lambda: reader.head() >= len(committed) and relay.pending_count() == 0)
            time.sleep(0.3)  # any late duplicate would land now
        finally:
            relay.stop()
            consumer.stop()
            for thread in threads:
                thread.join(10)
            proxy.close()
    logged = [entry.envelope.event_id for entry in reader.read_after(0, 1000)]
    assert logged == committed
    assert verify_chain(create_database_engine(log_url, reader=True)).ok


RECEIVED: list[dict] = []


class PlainListener:
    """A consumer written the plain nameko way, knowing nothing of Gravity."""

    name = "listener"

    @event_handler("recruitment", "AllianceJoined")
    def on_joined(self, body):
        RECEIVED.append(body)


def test_relayed_events_reach_a_plain_nameko_event_handler(
    recruitment_engine, amqp_uri, container_factory, rabbit_config
):
    RECEIVED.clear()
    container = container_factory(PlainListener, rabbit_config)
    container.start()
    event_ids = commit(recruitment_engine, 3)
    OutboxRelay(recruitment_engine, amqp_uri, "recruitment", signer=SIGNER).publish_pending()
    wait_for(lambda: len(RECEIVED) == 3)
    assert [body["event_id"] for body in RECEIVED] == event_ids
    assert {body["event_type"] for body in RECEIVED} == {"AllianceJoined"}
