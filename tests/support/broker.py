"""The real broker for tests and benchmarks: a vhost of one's own, and a plain pika channel."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pika
import requests

from shared.messaging.topology import amqp_parameters

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
