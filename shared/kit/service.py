"""What a service's workers run on: its handlers, database, outbox relay and stream cache.

    class RecruitmentService:
        name = "recruitment"
        kit = ServiceKit(HANDLERS, KEEPERS)
        register_student = command_rpc(RegisterStudent)  # shared.kit.entrypoints

``kit`` (the entrypoints look for that attribute name) owns the service's database, its
outbox relay and its stream cache, and binds each worker's correlation id to its log lines.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

import sqlalchemy as sa
import structlog
from nameko.extensions import DependencyProvider
from sqlalchemy.orm import Session, sessionmaker

from shared.config import CONFIG_KEY, Settings
from shared.contracts.records import Command, Event, Result
from shared.contracts.schemas import InvalidArgumentsError
from shared.domain import Aggregate, CommandContext, DomainError
from shared.events.envelope import Envelope
from shared.events.producer_keys import ProducerKeys, ensure_producer_key
from shared.eventstore.database import create_database_engine
from shared.eventstore.stream_cache import StreamCache
from shared.eventstore.uow import IndexKeeper, UnitOfWork
from shared.kit.handlers import CommandHandlers, InboxClaim
from shared.logging import get_logger
from shared.messaging.relay import OutboxRelay, RelaySettings
from shared.privacy.fetching import KeyFetcher
from shared.privacy.keystore import KeyStore
from shared.privacy.master_key import component_master_key
from shared.privacy.sharing import KeyRequester
from shared.rpc import CommandRejected, ServiceUnavailable

log = get_logger(__name__)

E = TypeVar("E", bound=Event)

# The database is away, full, read-only or locked past the wait: nothing was committed, and the
# same command may succeed later. The caller hears ServiceUnavailable (503), never INTERNAL.
PASSING_DATABASE_FAULTS = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


class ServiceRunner:
    """What an entrypoint's worker uses: the service's handlers with a fresh unit of work."""

    def __init__(self, kit: ServiceKit) -> None:
        self._kit = kit
        self.kit = kit

    def unit_of_work(self, context: CommandContext) -> UnitOfWork:
        kit = self._kit
        return UnitOfWork(
            kit.session_factory,
            kit.container.service_name,
            context,
            keepers=kit.keepers,
            on_commit=kit.relay.notify,
            stream_cache=kit.stream_cache,
            keys=kit.keys,
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
        except PASSING_DATABASE_FAULTS as fault:
            # The class only: a driver's message may quote the statement's context.
            cause = getattr(fault, "orig", None) or fault
            log.warning("command.database_unavailable", error_type=type(cause).__name__)
            raise ServiceUnavailable("database unavailable") from None
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
        self.handlers = self.handlers.for_database(self.engine.dialect.name)
        relay_settings: RelaySettings = gravity.get("relay") or RelaySettings()
        signer = ensure_producer_key(gravity["settings"], self.container.service_name)
        self.relay = OutboxRelay(
            self.engine,
            gravity["amqp_uri"],
            self.container.service_name,
            relay_settings,
            signer=signer,
        )
        self.stream_cache = StreamCache()
        settings: Settings = gravity["settings"]
        name = self.container.service_name
        self.key_fetcher = KeyFetcher(
            KeyRequester(name, signer), gravity["amqp_uri"], settings.rpc_timeout
        )
        self.keys = KeyStore(name, component_master_key(settings, name), self.key_fetcher)
        self.producer_keys = ProducerKeys.from_settings(settings)

    def start(self) -> None:
        self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")

    def stop(self) -> None:
        self.relay.stop()
        self.key_fetcher.close()

    def kill(self) -> None:
        self.relay.stop()
        self.key_fetcher.close()

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
