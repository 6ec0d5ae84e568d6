"""Outbox relay publish rate beside a raw pika loop with batched confirms, same broker, same run.

.venv/bin/python bench/relay.py [--events 20000] [--batch 200] [--amqp-uri URI]

With ``--amqp-uri`` it measures on that vhost instead of a throw-away one and prints the two
rates as one JSON line: bench/registrations.py runs it so on each revision it compares.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

# Appended, not prepended: a PYTHONPATH pointing at another revision's tree must win.
sys.path.append(str(Path(__file__).resolve().parent.parent))

import pika
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import sessionmaker

from shared.events.envelope import Envelope
from shared.events.producer_keys import ProducerSigner
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import EventStore
from shared.logging import configure_logging
from shared.messaging.relay import OutboxRelay, RelaySettings
from shared.messaging.topology import EVENT_LOG_QUEUE, amqp_parameters
from shared.migrations import upgrade_to_head


def sample_envelopes(count: int) -> list[Envelope]:
    stream = f"student-{uuid.uuid4()}"
    return [
        Envelope(
            event_type="AllianceJoined",
            schema_version=1,
            stream_id=stream,
            stream_version=n,
            producer="recruitment",
            actor="operator:bench",
            correlation_id=str(uuid.uuid4()),
            payload={"student_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4())},
        )
        for n in range(1, count + 1)
    ]


def relay_rate(amqp_uri: str, count: int, batch: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/relay.db"
        upgrade_to_head(url, "services.recruitment.migrations")
        engine = create_database_engine(url)
        envelopes = sample_envelopes(count)
        with sessionmaker(engine)() as session:
            EventStore(session).append(envelopes[0].stream_id, 0, envelopes)
            session.commit()
        relay = OutboxRelay(
            engine,
            amqp_uri,
            "recruitment",
            RelaySettings(batch_size=batch),
            signer=ProducerSigner(Ed25519PrivateKey.generate()),
        )
        started = time.perf_counter()
        published = relay.publish_pending()
        elapsed = time.perf_counter() - started
        assert published == count, (published, count)
        engine.dispose()
        return count / elapsed


def raw_pika_rate(amqp_uri: str, count: int, batch: int) -> float:
    """Publish with confirms on pika's asynchronous connection, waiting once per batch."""
    params = amqp_parameters(amqp_uri)
    bodies = [json.dumps(e.to_dict()).encode() for e in sample_envelopes(count)]
    state = {"sent": 0, "acked": 0, "started": 0.0, "elapsed": 0.0}

    def publish_batch(channel: pika.channel.Channel) -> None:
        upto = min(count, state["sent"] + batch)
        for body in bodies[state["sent"] : upto]:
            channel.basic_publish(
                "recruitment.events",
                "AllianceJoined",
                body,
                pika.BasicProperties(content_type="application/json", delivery_mode=2),
                mandatory=True,
            )
        state["sent"] = upto

    def on_confirm(frame: pika.frame.Method, channel: pika.channel.Channel) -> None:
        tag, multiple = frame.method.delivery_tag, frame.method.multiple
        state["acked"] = tag if multiple else max(state["acked"], tag)
        if state["acked"] >= count:
            state["elapsed"] = time.perf_counter() - state["started"]
            channel.connection.close()
        elif state["acked"] >= state["sent"]:
            publish_batch(channel)

    def on_channel(channel: pika.channel.Channel) -> None:
        def start(_frame: object) -> None:
            state["started"] = time.perf_counter()
            publish_batch(channel)

        channel.exchange_declare(
            "recruitment.events",
            "topic",
            durable=True,
            callback=lambda _f: channel.confirm_delivery(
                lambda frame: on_confirm(frame, channel), callback=start
            ),
        )

    connection = pika.SelectConnection(
        pika.ConnectionParameters(
            host=params["host"],
            port=params["port"],
            virtual_host=params["virtual_host"],
            credentials=pika.PlainCredentials(params["username"], params["password"]),
        ),
        on_open_callback=lambda conn: conn.channel(on_open_callback=on_channel),
        on_close_callback=lambda conn, _reason: conn.ioloop.stop(),
    )
    connection.ioloop.start()
    return count / state["elapsed"]


def purge(amqp_uri: str) -> None:
    params = amqp_parameters(amqp_uri)
    connection = pika.BlockingConnection(
        pika.ConnectionParameters(
            host=params["host"], port=params["port"], virtual_host=params["virtual_host"]
        )
    )
    connection.channel().queue_purge(EVENT_LOG_QUEUE)
    connection.close()


def both_rates(amqp_uri: str, count: int, batch: int) -> tuple[float, float]:
    relay = relay_rate(amqp_uri, count, batch)  # also declares and binds the log
    purge(amqp_uri)
    raw = raw_pika_rate(amqp_uri, count, batch)
    purge(amqp_uri)
    return relay, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--amqp-uri", help="measure on this vhost (default: a throw-away one)")
    args = parser.parse_args()
    configure_logging("bench", "console", "warning")
    if args.amqp_uri:
        relay, raw = both_rates(args.amqp_uri, args.events, args.batch)
        print(json.dumps({"relay": relay, "raw_pika": raw}))
        return
    from bench.support import throwaway_vhost  # only here: another revision may lack it

    with throwaway_vhost("gravity-bench") as amqp_uri:
        relay, raw = both_rates(amqp_uri, args.events, args.batch)
    print(f"{'publisher':<42}{'msg/s':>10}")
    print(f"{'raw pika, confirms per batch of ' + str(args.batch):<42}{raw:>10,.0f}  (baseline)")
    print(
        f"{'outbox relay (SQLite outbox, py-amqp)':<42}{relay:>10,.0f}  "
        f"= {relay / raw:.2f}x baseline (target >= 0.50x)"
    )


if __name__ == "__main__":
    main()
