"""What every nameko service shares: its unit-of-work provider, its relay, its dispatcher."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import structlog
from nameko.extensions import DependencyProvider
from sqlalchemy.orm import Session, sessionmaker

from shared.domain import CommandContext, DomainError, EventClasses
from shared.eventstore.database import create_database_engine
from shared.eventstore.store import ConcurrencyConflictError
from shared.eventstore.stream_cache import StreamCache
from shared.eventstore.uow import UnitOfWork
from shared.logging import correlation_scope, get_logger
from shared.messaging.relay import OutboxRelay, RelaySettings
from shared.rpc import CommandRejected

log = get_logger(__name__)

CONFIG_KEY = "GRAVITY"
CONFLICT_RETRIES = 3

UnitOfWorkFactory = Callable[[CommandContext], UnitOfWork]
Handler = Callable[[Any, UnitOfWork], dict[str, Any]]


class UnitOfWorkProvider(DependencyProvider):
    """Injects a unit-of-work factory into workers and runs the service's outbox relay.

    Reads ``config["GRAVITY"]`` = {"database_url", "amqp_uri", "relay": {...}}, which the
    process bootstrap fills in from the YAML settings.
    """

    def __init__(self, producer: str, event_classes: EventClasses) -> None:
        self.producer = producer
        self.event_classes = event_classes

    def setup(self) -> None:
        gravity = self.container.config[CONFIG_KEY]
        self.engine = create_database_engine(gravity["database_url"], green=True)
        self.session_factory: sessionmaker[Session] = sessionmaker(self.engine)
        relay_settings = RelaySettings(**gravity.get("relay", {}))
        self.relay = OutboxRelay(self.engine, gravity["amqp_uri"], self.producer, relay_settings)
        self.stream_cache = StreamCache()

    def start(self) -> None:
        self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")

    def stop(self) -> None:
        self.relay.stop()

    def kill(self) -> None:
        self.relay.stop()

    def get_dependency(self, worker_ctx: Any) -> UnitOfWorkFactory:  # noqa: ARG002 - nameko API
        def unit_of_work(context: CommandContext) -> UnitOfWork:
            return UnitOfWork(
                self.session_factory,
                self.producer,
                self.event_classes,
                context,
                on_commit=self.relay.notify,
                stream_cache=self.stream_cache,
            )

        return unit_of_work


def command_context(raw: Any) -> CommandContext:
    """The caller's context as sent over RPC: ``{"actor": ..., "correlation_id": ...}``."""
    if not isinstance(raw, Mapping):
        raise CommandRejected("InvalidContextError", "context must be an object")
    actor, correlation_id = raw.get("actor"), raw.get("correlation_id")
    if not isinstance(actor, str) or not actor or not isinstance(correlation_id, str):
        raise CommandRejected("InvalidContextError", "context needs actor and correlation_id")
    causation_id = raw.get("causation_id")
    return CommandContext(
        actor=actor,
        correlation_id=correlation_id,
        causation_id=causation_id if isinstance(causation_id, str) else None,
    )


def dispatch(
    handlers: Mapping[type[Any], Handler],
    command: Any,
    unit_of_work: UnitOfWorkFactory,
    context: CommandContext,
) -> dict[str, Any]:
    """Run a command through its handler; turn refusals into ``CommandRejected``.

    A concurrency conflict means the decision was taken on stale state: it is re-run on
    fresh state a few times before giving up, never silently overwritten.
    """
    handler = handlers[type(command)]
    command_name = type(command).__name__
    with correlation_scope(context.correlation_id, command=command_name):
        for attempt in range(1, CONFLICT_RETRIES + 1):
            try:
                result = handler(command, unit_of_work(context))
            except DomainError as error:
                log.info("command.rejected", reason=type(error).__name__)
                raise CommandRejected.from_domain_error(error) from None
            except ConcurrencyConflictError as conflict:
                log.info("command.conflict", stream_id=conflict.stream_id, attempt=attempt)
                if attempt == CONFLICT_RETRIES:
                    raise CommandRejected(
                        "ConcurrencyConflictError", "the record changed meanwhile; retry"
                    ) from None
                continue
            log.info("command.handled")
            return result
    raise AssertionError("unreachable")


class LogContext(DependencyProvider):
    """Binds the incoming message's correlation id to every log line a worker writes.

    Event messages carry it in the ``nameko.correlation_id`` header (the relay sets it from
    the envelope), so handlers of other services log under the same id as the HTTP request
    that started the conversation.
    """

    def worker_setup(self, worker_ctx: Any) -> None:
        correlation_id = worker_ctx.context_data.get("correlation_id")
        structlog.contextvars.clear_contextvars()
        if correlation_id:
            structlog.contextvars.bind_contextvars(correlation_id=str(correlation_id))

    def worker_teardown(self, worker_ctx: Any) -> None:  # noqa: ARG002 - nameko API
        structlog.contextvars.clear_contextvars()
