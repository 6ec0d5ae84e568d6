"""A request as an endpoint sees it (``ApiCall``) and what it answers (``Reply``).

A command route needs no endpoint of its own: ``send_command`` is its action. Its body and
path became the route's command in the pipeline (validated with the command's contract); the
route may adjust the command to its caller, a missing id of what it creates is filled in, and
the command goes to its service. The answer is the command's public fields and the service's
result, dumped through the route's response schema.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gateway.core.errors import ApiError
from gateway.core.remote import call_remote
from gateway.core.route import Route
from gateway.core.schemas import dump
from gateway.core.tokens import Principal
from shared.contracts.records import Command, Result
from shared.kit.client import CommandSender

T = TypeVar("T")
_IDS = uuid.UUID("6f1c1f0e-8d0b-4a4e-9a43-4c1f7f0c2a11")  # namespace of ids derived from keys


@dataclass(frozen=True)
class Reply:
    """What an endpoint answers: a status and a JSON object, or a document's bytes
    (``content``, of ``media_type``) instead. Content that is an iterable of byte chunks
    (an export) is streamed as it is produced, with chunked transfer encoding, after the
    endpoint's worker has returned."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | Iterable[bytes] | None = None
    media_type: str = "application/json"


@dataclass(frozen=True)
class ApiCall:
    """A validated request, as an endpoint sees it."""

    route: Route
    principal: Principal | None
    path: dict[str, str]
    query: dict[str, Any]
    command: Command | None
    correlation_id: str
    rpc_timeout: float
    sender: CommandSender | None = None
    id_seed: str | None = None

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "public routes have no caller"
        return self.principal

    def new_id(self) -> str:
        """A fresh id; under an Idempotency-Key the same one on every retry."""
        if self.id_seed is None:
            return str(uuid.uuid4())
        return str(uuid.uuid5(_IDS, self.id_seed))

    def answer(self, body: Mapping[str, object]) -> Reply:
        """The route's success, ``body`` dumped through the route's response schema."""
        assert self.route.response is not None, "a route that answers declares its response"
        return Reply(self.route.status, dump(self.route.response, body))

    def found(self, record: T | None, what: str) -> T:
        """``record``, or 404 ``no such <what>`` naming the path's ids."""
        if record is None:
            raise ApiError("NOT_FOUND", f"no such {what}", self.path)
        return record

    def send(self, command: Command, arguments: dict[str, object] | None = None) -> Result:
        """Send a command (its ``arguments()``, if already made) to its service, with this
        request's actor and correlation id."""
        assert self.sender is not None, "only command routes send commands"
        context = {"actor": self.caller.actor, "correlation_id": self.correlation_id}
        return call_remote(self.sender, command, context, arguments, timeout=self.rpc_timeout)


def send_command(call: ApiCall) -> Reply:
    """The action of every command route (see the module docstring)."""
    command = call.command
    assert command is not None, "a command route's pipeline built its command"
    if call.route.prepare is not None:
        command = call.route.prepare(call, command)
    if command.creates is not None and not getattr(command, command.creates):
        command = command.with_values(**{command.creates: call.new_id()})
    arguments = command.arguments()
    result = call.send(command, arguments)
    return call.answer(command.public_arguments(arguments) | result)
