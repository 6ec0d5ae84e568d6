"""The real broker for tests and benchmarks: a vhost of one's own, a pika channel, and
publishing events the way a service's relay does."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pika
import requests

from shared.config import load_settings
from shared.eventlog.keys import ensure_private_key, load_private_key
from shared.events.envelope import Envelope
from shared.events.producer_keys import PRODUCERS_DIR, ProducerSigner
from shared.messaging.topology import amqp_parameters, event_exchange

MANAGEMENT = "http://127.0.0.1:15672/api"
AUTH = ("guest", "guest")


@contextlib.contextmanager
def throwaway_vhost(prefix: str = "gravity-test") -> Iterator[str]:
    """A RabbitMQ vhost of its own (management API), deleted afterwards; yields the AMQP URI."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/vhosts/{name}", auth=AUTH, timeout=10).raise_for_status()
    requests.put(
        f"{MANAGEMENT}/permissions/{name}/guest",
        json={"configure": ".*", "write": ".*", "read": ".*"},
        auth=AUTH,
        timeout=10,
    ).raise_for_status()
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        delete_vhost(name)


def delete_vhost(name: str) -> None:
    """Delete a vhost (gone already is fine): its connections are closed by the broker."""
    response = requests.delete(f"{MANAGEMENT}/vhosts/{name}", auth=AUTH, timeout=30)
    if response.status_code != 404:
        response.raise_for_status()


@contextlib.contextmanager
def broker_channel(amqp_uri: str) -> Iterator[Any]:
    """A pika channel on the URI's vhost, closed afterwards."""
    params = amqp_parameters(amqp_uri)
    connection = pika.BlockingConnection(
        pika.ConnectionParameters(
            host=str(params["host"]),
            port=int(params["port"]),
            virtual_host=str(params["virtual_host"]),
            credentials=pika.PlainCredentials(str(params["username"]), str(params["password"])),
        )
    )
    try:
        yield connection.channel()
    finally:
        if connection.is_open:
            connection.close()


def default_keys_dir() -> Path:
    """The keys directory of settings loaded without a config or environment (``./var/keys``),
    where a consumer built without Gravity settings looks for producers' keys too."""
    return load_settings(environ={}).keys_dir


def signed_by_producer(envelope: Envelope, keys_dir: Path | None = None) -> Envelope:
    """``envelope`` signed with its producer's key in ``keys_dir`` (made if missing), as the
    producer's relay signs it; an envelope signed already is left as it is."""
    if envelope.signature is not None:
        return envelope
    return producer_signer(envelope.producer, keys_dir).sign(envelope)


def producer_signer(service: str, keys_dir: Path | None = None) -> ProducerSigner:
    """``service``'s signer from its key in ``keys_dir`` (default ``./var/keys``), made if
    missing: what its relay signs with."""
    path = (keys_dir or default_keys_dir()) / PRODUCERS_DIR / f"{service}.key"
    try:
        return ProducerSigner(ensure_private_key(path))
    except FileExistsError:
        return ProducerSigner(load_private_key(path))


def publish_on(channel: Any, envelopes: Iterable[Envelope], keys_dir: Path | None = None) -> None:
    """Publish events as their producer's relay does: signed with the producer's key (from
    ``keys_dir``, default ``./var/keys``), to ``<producer>.events``, routed by event type,
    persistent, ``mandatory`` (an unroutable event raises on a confirming channel)."""
    for unsigned in envelopes:
        envelope = signed_by_producer(unsigned, keys_dir)
        channel.basic_publish(
            event_exchange(envelope.producer),
            envelope.event_type,
            json.dumps(envelope.to_dict()).encode(),
            pika.BasicProperties(
                content_type="application/json",
                delivery_mode=2,
                message_id=envelope.event_id,
                headers={"nameko.correlation_id": envelope.correlation_id},
            ),
            mandatory=True,
        )


def publish_events(
    amqp_uri: str, envelopes: Iterable[Envelope], keys_dir: Path | None = None
) -> None:
    """Publish events and wait for the broker's confirms before leaving.

    Without confirms, a quorum queue (every reliable handler's queue) may drop messages whose
    publisher disconnects before the queue has taken them in: the broker counts them as
    published, and nobody ever receives them. The relay always waits for confirms.
    """
    with broker_channel(amqp_uri) as channel:
        channel.confirm_delivery()
        publish_on(channel, envelopes, keys_dir)
