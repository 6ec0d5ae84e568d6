"""The lean AMQP processes of bench/rpc_floor.py's ``lean-*`` shapes: what a leaner transport
would cost the service side of a registration, beside nameko's (bench/floor_services.py).

Each is one py-amqp connection and one channel in a plain loop: no eventlet, no nameko
container or worker context, no kombu producer or consumer machinery.

* ``registrar``: consumes nameko's RPC queue for ``registrar`` (``rpc-registrar`` on
  ``nameko-rpc``, the same message format), so the nameko edge's call (``shared.rpc``) reaches
  it unchanged; answers on the same channel; with ``--events`` also publishes the event to
  ``registrar.events`` (persistent, in confirm mode, the confirms taken as they come back, a
  batch at a time, as the outbox relay takes them).
* ``listener NAME``: consumes the event into a queue of its own and acknowledges what it has
  taken in one ``basic.ack`` with ``multiple`` once the socket has no more for it.

No database, no domain work, as in bench/floor_services.py.

    python bench/lean_services.py registrar AMQP_URI [--events] [--green]
    python bench/lean_services.py listener AMQP_URI NAME

``--green``: the registrar under eventlet, as a nameko container runs (every module patched),
each request handled in a green thread of its own, as a nameko worker is, and answered on the
one channel under a lock: how much of the lean saving is left inside the services' runtime.
"""

from __future__ import annotations

import json
import sys
import uuid
from typing import Any

import amqp

from shared.messaging.topology import amqp_parameters

RPC_EXCHANGE = "nameko-rpc"
EVENTS_EXCHANGE = "registrar.events"
EVENT_TYPE = "student_registered"
PREFETCH = 200


def connect(uri: str) -> amqp.Connection:
    parts = amqp_parameters(uri)
    connection = amqp.Connection(
        host=f"{parts['host']}:{parts['port']}",
        userid=str(parts["username"]),
        password=str(parts["password"]),
        virtual_host=str(parts["virtual_host"]),
    )
    connection.connect()
    return connection


def registrar(uri: str, events: bool, green: bool = False) -> None:
    if green:
        import eventlet

        eventlet.monkey_patch()
        writing = eventlet.semaphore.Semaphore()
        pool = eventlet.GreenPool(PREFETCH)
    connection = connect(uri)
    channel = connection.channel()
    channel.exchange_declare(RPC_EXCHANGE, "topic", durable=True, auto_delete=False)
    channel.queue_declare("rpc-registrar", durable=True, auto_delete=False)
    channel.queue_bind("rpc-registrar", RPC_EXCHANGE, "registrar.*")
    if events:
        channel.exchange_declare(EVENTS_EXCHANGE, "topic", durable=True, auto_delete=False)
        channel.confirm_select()
        # Confirms are counted as they come back, never waited for one by one.
        channel.events["basic_ack"].add(lambda *_: None)
    channel.basic_qos(0, PREFETCH, False)

    def answer(message: Any) -> None:
        request = json.loads(message.body)
        payload = request["args"][0]
        student_id = str(payload.get("student_id") or uuid.uuid4())
        if events:
            event = json.dumps({**payload, "student_id": student_id})
            channel.basic_publish(
                amqp.Message(event, content_type="application/json", delivery_mode=2),
                exchange=EVENTS_EXCHANGE,
                routing_key=EVENT_TYPE,
            )
        reply = json.dumps(
            {"result": {"student_id": student_id, "status": "registered"}, "error": None}
        )
        channel.basic_publish(
            amqp.Message(
                reply,
                content_type="application/json",
                correlation_id=message.properties["correlation_id"],
            ),
            exchange=RPC_EXCHANGE,
            routing_key=message.properties["reply_to"],
        )
        channel.basic_ack(message.delivery_tag)

    def answer_in_turn(message: Any) -> None:
        with writing:
            answer(message)

    def on_request(message: Any) -> None:
        if green:
            pool.spawn_n(answer_in_turn, message)
        else:
            answer(message)

    channel.basic_consume("rpc-registrar", callback=on_request)
    while True:
        connection.drain_events()


def listener(uri: str, name: str) -> None:
    connection = connect(uri)
    channel = connection.channel()
    channel.exchange_declare(EVENTS_EXCHANGE, "topic", durable=True, auto_delete=False)
    queue = f"evt-registrar-{EVENT_TYPE}--{name}"
    channel.queue_declare(queue, durable=True, auto_delete=False)
    channel.queue_bind(queue, EVENTS_EXCHANGE, EVENT_TYPE)
    channel.basic_qos(0, PREFETCH, False)
    taken: list[int] = []

    def on_event(message: Any) -> None:
        json.loads(message.body)  # consumed: the transport's part is what is measured
        taken.append(message.delivery_tag)

    channel.basic_consume(queue, callback=on_event)
    while True:
        connection.drain_events()  # waits for the next frame
        while True:  # and takes what else has come, before one ack for all of it
            try:
                connection.drain_events(timeout=0)
            except TimeoutError:  # socket.timeout
                break
        if taken:
            channel.basic_ack(taken[-1], multiple=True)
            taken.clear()


def main() -> None:
    role, uri, *rest = sys.argv[1:]
    if role == "registrar":
        registrar(uri, events="--events" in rest, green="--green" in rest)
    elif role == "listener":
        listener(uri, rest[0])
    else:
        raise SystemExit(f"unknown role {role!r}")


if __name__ == "__main__":
    main()
