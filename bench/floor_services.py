"""The nameko services of bench/rpc_floor.py: the suite's message shape with no domain work.

``Edge`` answers ``POST /registrations`` over nameko's HTTP entrypoint as the gateway does:
alone (``FLOOR_MODE=http``), or after an RPC call to ``Registrar`` (``rpc``), which in
``events`` mode also dispatches one event that two ``Listener`` processes consume, as the event
log and placement consume ``StudentRegistered``. The RPC goes as the product sends it
(``shared.rpc``: requests and replies without publisher confirms, pooled producers, the
signature read once), or with ``FLOOR_RPC=plain`` as nameko's own ``RpcProxy`` and ``rpc``
send it, or with ``FLOOR_RPC=lean`` by ``LeanCall``: a plain py-amqp client under the
container's eventlet (a connection to publish on, one to take replies on, no kombu, no nameko
proxy). No database, no domain work: what the framework alone costs a request.

    nameko run --config CONFIG bench.floor_services:Edge   (or :Registrar, :Listener)
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import amqp
from eventlet.event import Event
from eventlet.semaphore import Semaphore
from nameko.events import EventDispatcher, event_handler
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.rpc import rpc as plain_rpc
from nameko.web.handlers import http
from werkzeug.wrappers import Request

from bench.lean_services import RPC_EXCHANGE, connect
from shared.rpc import ReplyListener, unconfirmed_call
from shared.rpc import rpc as product_rpc

MODE = os.environ.get("FLOOR_MODE", "rpc")
PLAIN = os.environ.get("FLOOR_RPC") == "plain"
LEAN = os.environ.get("FLOOR_RPC") == "lean"
LISTENER = os.environ.get("FLOOR_LISTENER", "listener")
rpc = plain_rpc if PLAIN else product_rpc


class ProductCall(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """``registrar.register(payload)`` as the gateway's ``CommandClient`` sends a command."""

    rpc_reply_listener = ReplyListener()

    def get_dependency(self, worker_ctx: Any) -> Any:
        def register(payload: dict[str, Any]) -> Any:
            return unconfirmed_call(
                worker_ctx,
                self.rpc_reply_listener,
                "registrar",
                "register",
                payload,
                expires_in=10.0,
            )

        return register


class LeanCall(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """``registrar.register(payload)`` as nameko's message, sent and answered on plain py-amqp
    connections of the edge's own (nameko's format, so either registrar answers it)."""

    def start(self) -> None:
        uri = self.container.config["AMQP_URI"]
        self._waiting: dict[str, Event] = {}
        self._writing = Semaphore()
        self._publisher = connect(uri)
        self._out = self._publisher.channel()
        self._replies = connect(uri)
        channel = self._replies.channel()
        self._reply_to = f"rpc.reply-edge-{uuid.uuid4()}"
        channel.exchange_declare(RPC_EXCHANGE, "topic", durable=True, auto_delete=False)
        channel.queue_declare(self._reply_to, exclusive=True, auto_delete=True)
        channel.queue_bind(self._reply_to, RPC_EXCHANGE, self._reply_to)
        channel.basic_consume(self._reply_to, callback=self._on_reply, no_ack=True)
        self.container.spawn_managed_thread(self._take_replies)

    def _take_replies(self) -> None:
        while True:
            self._replies.drain_events()

    def _on_reply(self, message: Any) -> None:
        waiting = self._waiting.pop(message.properties.get("correlation_id"), None)
        if waiting is not None:
            waiting.send(json.loads(message.body))

    def get_dependency(self, worker_ctx: Any) -> Any:
        def register(payload: dict[str, Any]) -> Any:
            correlation_id = str(uuid.uuid4())
            waiting = self._waiting[correlation_id] = Event()
            body = json.dumps({"args": [payload], "kwargs": {}})
            message = amqp.Message(
                body,
                content_type="application/json",
                correlation_id=correlation_id,
                reply_to=self._reply_to,
                expiration="10000",
                delivery_mode=1,
                application_headers={"nameko.call_id_stack": worker_ctx.call_id_stack},
            )
            with self._writing:
                self._out.basic_publish(message, RPC_EXCHANGE, "registrar.register")
            reply = waiting.wait()
            if reply.get("error"):
                raise RuntimeError(reply["error"])
            return reply["result"]

        return register


class Registrar:
    """The service side of the RPC: the event it dispatches, when asked to, is the payload."""

    name = "registrar"
    dispatch = EventDispatcher()

    @rpc  # type: ignore[misc] # nameko is untyped
    def register(self, payload: dict[str, Any]) -> dict[str, Any]:
        student_id = str(payload.get("student_id") or uuid.uuid4())
        if MODE == "events":
            self.dispatch("student_registered", {**payload, "student_id": student_id})
        return {"student_id": student_id, "status": "registered"}


class Edge:
    """The HTTP side: parses the JSON body, answers 201 with a JSON body."""

    name = "edge"
    registrar = RpcProxy("registrar")
    register_call = LeanCall() if LEAN else ProductCall()

    @http("POST", "/registrations")  # type: ignore[misc] # nameko is untyped
    def register(self, request: Request) -> tuple[int, dict[str, str], str]:
        payload = json.loads(request.get_data(as_text=True))
        if MODE == "http":
            answer = {"student_id": str(payload.get("student_id")), "status": "registered"}
        elif PLAIN:
            answer = self.registrar.register(payload)
        else:
            answer = self.register_call(payload)
        return 201, {"Content-Type": "application/json"}, json.dumps(answer)


class Listener:
    """One consumer of the registrar's events (its queue named by ``FLOOR_LISTENER``)."""

    name = LISTENER

    @event_handler("registrar", "student_registered")  # type: ignore[misc] # nameko is untyped
    def on_registered(self, payload: dict[str, Any]) -> None:
        del payload  # consumed and acknowledged: the framework's part is what is measured
