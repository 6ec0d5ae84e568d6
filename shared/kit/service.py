"""The nameko side of a service: one line per RPC method and per consumed event type.

    class RecruitmentService:
        name = "recruitment"
        kit = ServiceKit(HANDLERS, KEEPERS)
        register_student = command_rpc(RegisterStudent)
        on_student_screened = consume_event(StudentScreened, admission_for)

``kit`` (the attribute must have that name) owns the service's database, its outbox relay
and its stream cache, and binds each worker's correlation id to its log lines. An RPC method
parses its arguments with the command's contract and runs the handler; any refusal crosses
RPC as ``CommandRejected`` with its code. A consumed event is parsed with its contract,
turned into a command (or skipped) and run with an inbox claim, so a redelivery is a no-op.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import structlog
from nameko.extensions import DependencyProvider
from sqlalchemy.orm import Session, sessionmaker

from shared.config import CONFIG_KEY
from shared.contracts import CONTRACTS
from shared.contracts.records import Command, Event, InvalidArgumentsError, Result, snake_case
from shared.domain import Aggregate, CommandContext, DomainError
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.eventstore.stream_cache import StreamCache
from shared.eventstore.uow import IndexKeeper, UnitOfWork
from shared.kit.handlers import CommandHandlers, InboxClaim
from shared.logging import get_logger
from shared.messaging.inbox import reliable_event_handler
from shared.messaging.relay import OutboxRelay, RelaySettings
from shared.rpc import CommandRejected, rpc

log = get_logger(__name__)

E = TypeVar("E", bound=Event)


class ServiceRunner:
    """What an entrypoint's worker uses: the service's handlers with a fresh unit of work."""

    def __init__(self, kit: ServiceKit) -> None:
        self._kit = kit

    def unit_of_work(self, context: CommandContext) -> UnitOfWork:
        kit = self._kit
        return UnitOfWork(
            kit.session_factory,
            kit.container.service_name,
            context,
            keepers=kit.keepers,
            on_commit=kit.relay.notify,
            stream_cache=kit.stream_cache,
        )

    def execute(
        self, raw_context: object, command_class: type[Command], arguments: object
    ) -> Result:
        """Parse and run an RPC call; every refusal leaves as ``CommandRejected``."""
        try:
            context = caller_context(raw_context)
            command = command_class.parse(arguments)
            if command.creates is not None and not getattr(command, command.creates):
                command = command.with_values(**{command.creates: str(uuid.uuid4())})
            result = self._kit.handlers.run(command, self.unit_of_work, context)
        except DomainError as error:
            if isinstance(error, InvalidArgumentsError):
                log.info("command.rejected", code=error.code, command=command_class.__name__)
            raise CommandRejected.from_domain_error(error) from None
        assert result is not None, "only a consumed event is ever skipped"
        return result

    def consume(self, envelope: Envelope, command: Command, consumer: str) -> None:
        """Run the command an event asked for, once per event id and consumer."""
        context = CommandContext(
            actor=f"event:{envelope.producer}",
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
        )
        claim = InboxClaim(consumer, envelope.event_id)
        self._kit.handlers.run(command, self.unit_of_work, context, claim)


class WorkerLogContext(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """Binds each worker's correlation id to every log line it writes.

    Event messages carry it in the ``nameko.correlation_id`` header (the relay sets it from
    the envelope), so another service's handlers log under the same id as the HTTP request
    that started the conversation.
    """

    def worker_setup(self, worker_ctx: Any) -> None:
        correlation_id = worker_ctx.context_data.get("correlation_id")
        structlog.contextvars.clear_contextvars()
        if correlation_id:
            structlog.contextvars.bind_contextvars(correlation_id=str(correlation_id))

    def worker_teardown(self, worker_ctx: Any) -> None:  # noqa: ARG002 - nameko API
        structlog.contextvars.clear_contextvars()


class ServiceKit(WorkerLogContext):
    """A service's handlers, keepers, database, outbox relay and stream cache.

    Reads ``config["GRAVITY"]`` = {"database_url", "amqp_uri", "relay": RelaySettings}, which the
    process bootstrap fills in from the YAML settings.
    """

    def __init__(
        self,
        handlers: CommandHandlers,
        keepers: Mapping[type[Aggregate], IndexKeeper] | None = None,
    ) -> None:
        self.handlers = handlers
        self.keepers = dict(keepers or {})

    def setup(self) -> None:
        gravity = self.container.config[CONFIG_KEY]
        self.engine = create_database_engine(gravity["database_url"], green=True)
        self.session_factory: sessionmaker[Session] = sessionmaker(self.engine)
        relay_settings: RelaySettings = gravity.get("relay") or RelaySettings()
        self.relay = OutboxRelay(
            self.engine, gravity["amqp_uri"], self.container.service_name, relay_settings
        )
        self.stream_cache = StreamCache()

    def start(self) -> None:
        self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")

    def stop(self) -> None:
        self.relay.stop()

    def kill(self) -> None:
        self.relay.stop()

    def get_dependency(self, worker_ctx: Any) -> ServiceRunner:  # noqa: ARG002 - nameko API
        return ServiceRunner(self)


def caller_context(raw: object) -> CommandContext:
    """The caller's context as sent over RPC: ``{"actor": ..., "correlation_id": ...}``."""
    if not isinstance(raw, Mapping):
        raise _bad_context("must be an object")
    actor, correlation_id = raw.get("actor"), raw.get("correlation_id")
    if not isinstance(actor, str) or not actor or not isinstance(correlation_id, str):
        raise _bad_context("needs actor and correlation_id")
    causation_id = raw.get("causation_id")
    return CommandContext(
        actor=actor,
        correlation_id=correlation_id,
        causation_id=causation_id if isinstance(causation_id, str) else None,
    )


def _bad_context(problem: str) -> InvalidArgumentsError:
    return InvalidArgumentsError(
        f"the call's context {problem}", {"fields": {"context": [problem]}}
    )


def command_rpc(command_class: type[Command]) -> Callable[..., Result]:
    """The RPC method for one command: ``method(context, arguments)``."""
    if not command_class.exposed:
        raise ValueError(f"{command_class.__name__} is not exposed over RPC")

    def entrypoint(self: Any, context: object, arguments: object) -> Result:
        runner: ServiceRunner = self.kit
        return runner.execute(context, command_class, arguments)

    entrypoint.__name__ = entrypoint.__qualname__ = command_class.rpc_name
    decorated: Callable[..., Result] = rpc(expected_exceptions=CommandRejected)(entrypoint)
    return decorated


def consume_event(
    event_class: type[E], command_for: Callable[[E], Command | None]
) -> Callable[..., None]:
    """The handler of another service's event type: ``command_for(event)`` says what to do.

    A malformed envelope or a schema version this build does not know raises: the message is
    retried, then parked in the dead-letter queue for an operator to replay after an upgrade,
    rather than silently dropped.
    """
    event_type = event_class.__name__
    source = event_class.__module__.split(".")[2]  # shared.contracts.<service>.events

    def entrypoint(self: Any, body: object) -> None:
        envelope = Envelope.from_dict(body)
        event = CONTRACTS.to_event(envelope)
        assert isinstance(event, event_class)
        command = command_for(event)
        if command is None:
            log.info("event.skipped", event_type=event_type, event_id=envelope.event_id)
            return
        runner: ServiceRunner = self.kit
        runner.consume(envelope, command, f"{self.name}.on_{snake_case(event_type)}")

    entrypoint.__name__ = entrypoint.__qualname__ = f"on_{snake_case(event_type)}"
    decorated: Callable[..., None] = reliable_event_handler(source, event_type)(entrypoint)
    return decorated
