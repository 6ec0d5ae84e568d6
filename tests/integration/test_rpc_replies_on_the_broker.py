"""RPC replies on real RabbitMQ: every caller hears its own answer; a reply travels transient
and is taken without an acknowledgement, while the request is still acknowledged by the
service once it has answered."""

from __future__ import annotations

import time
from typing import Any

import eventlet
import requests
from kombu import Connection, Exchange, Queue
from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook
from nameko.testing.utils import get_extension

from shared.rpc import ReplyListener, rpc, unconfirmed_call
from tests.support.broker import AUTH, MANAGEMENT


class Echo:
    name = "echo"

    @rpc  # type: ignore[misc] # nameko is untyped
    def echo(self, number: int) -> dict[str, int]:
        eventlet.sleep(0.01 * (number % 3))  # answers come back out of order
        return {"number": number}


class EchoCall(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """``echo(number)`` as the gateway's ``CommandClient`` calls a service."""

    rpc_reply_listener = ReplyListener()

    def get_dependency(self, worker_ctx: Any) -> Any:
        def echo(number: int) -> Any:
            return unconfirmed_call(
                worker_ctx, self.rpc_reply_listener, "echo", "echo", number, expires_in=10.0
            )

        return echo


class Caller:
    name = "caller"
    call = EchoCall()

    @rpc  # type: ignore[misc] # nameko is untyped
    def ask(self, number: int) -> Any:
        return self.call(number)


def consumers(amqp_uri: str) -> dict[str, bool]:
    """Each consumer's queue on the vhost, and whether it acknowledges what it takes."""
    vhost = amqp_uri.rsplit("/", 1)[1]
    answer = requests.get(f"{MANAGEMENT}/consumers/{vhost}", auth=AUTH, timeout=10)
    answer.raise_for_status()
    return {found["queue"]["name"]: found["ack_required"] for found in answer.json()}


def started(container_factory: Any, rabbit_config: dict[str, Any]) -> tuple[Any, Any]:
    echo = container_factory(Echo, rabbit_config)
    caller = container_factory(Caller, rabbit_config)
    echo.start()
    caller.start()
    return echo, caller


def test_every_caller_hears_its_own_answer(container_factory: Any, rabbit_config: Any) -> None:
    started(container_factory, rabbit_config)
    pool = eventlet.GreenPool(12)

    def ask(number: int) -> Any:  # through the caller, whose worker asks echo
        with ServiceRpcProxy("caller", rabbit_config) as caller:
            return caller.ask(number)

    assert list(pool.imap(ask, range(24))) == [{"number": n} for n in range(24)]


def test_a_reply_is_transient_and_taken_without_an_acknowledgement(
    container_factory: Any, rabbit_config: Any, amqp_uri: str
) -> None:
    _echo, caller = started(container_factory, rabbit_config)
    listener = get_extension(caller, ReplyListener)
    copies = Queue(
        "gravity-test.reply-copies",
        Exchange("nameko-rpc", type="topic", durable=True, no_declare=True),
        routing_key=listener.routing_key,
        durable=False,
    )
    with Connection(amqp_uri) as connection:
        copies(connection.default_channel).declare()
        with entrypoint_hook(caller, "ask") as ask_echo:
            assert ask_echo(7) == {"number": 7}
        copy = None
        for _ in range(50):
            copy = copies(connection.default_channel).get(no_ack=True)
            if copy is not None:
                break
            time.sleep(0.05)
    assert copy is not None
    assert copy.properties["delivery_mode"] == 1  # a reply lives only as its caller waits

    deadline = time.monotonic() + 15  # the management API lists consumers a little late
    taking = consumers(amqp_uri)
    while listener.queue.name not in taking:
        assert time.monotonic() < deadline, f"no consumer of the replies among {taking}"
        time.sleep(0.2)
        taking = consumers(amqp_uri)
    assert taking[listener.queue.name] is False  # no acknowledgement per reply
    assert taking["rpc-echo"] is True  # a request is still acknowledged once answered
