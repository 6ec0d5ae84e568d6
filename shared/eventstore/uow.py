"""The unit of work: one database transaction holding a command's change and its events."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from shared.contracts import CONTRACTS
from shared.domain import Aggregate, CommandContext, EventClasses
from shared.events.envelope import Envelope
from shared.eventstore.store import EventStore
from shared.eventstore.stream_cache import StreamCache

A = TypeVar("A", bound=Aggregate)
StreamLock = Literal["shared", "exclusive"]


class AggregateRepository(Generic[A]):
    """Loads aggregates from their streams and hands new ones to the unit of work."""

    def __init__(self, uow: UnitOfWork, aggregate_class: type[A]) -> None:
        self._uow = uow
        self._aggregate_class = aggregate_class

    def get(self, aggregate_id: str, *, lock: StreamLock | None = None) -> A | None:
        """The aggregate as of now, or None; ``lock`` holds its stream until the commit
        (``"shared"`` to decide on it, ``"exclusive"`` to change what others decide on)."""
        stream_id = self._aggregate_class.stream_id_for(aggregate_id)
        if lock is not None:
            self._uow.store.lock_stream(stream_id, exclusive=lock == "exclusive")
        known = self._uow.stream_cache.prefix(stream_id)
        newer = self._uow.store.load(stream_id, after_version=len(known))
        history = known + tuple(self._uow.to_domain_event(envelope) for envelope in newer)
        if not history:
            return None
        if newer:
            self._uow.stream_cache.remember(stream_id, history)
        aggregate: A = self._aggregate_class.replay(aggregate_id, history)
        self._uow.track(aggregate)
        return aggregate

    def add(self, aggregate: A) -> None:
        self._uow.track(aggregate)


class UnitOfWork:
    """Commits an aggregate's new events and their outbox marks in one transaction.

    After the commit it calls ``on_commit`` so that the relay publishes right away;
    nothing is ever dispatched to the broker from here.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        producer: str,
        event_classes: EventClasses,
        context: CommandContext,
        *,
        on_commit: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        stream_cache: StreamCache | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.producer = producer
        self.event_classes = event_classes
        self.context = context
        self._on_commit = on_commit
        self.clock = clock
        self.stream_cache = stream_cache if stream_cache is not None else StreamCache()
        self._tracked: list[Aggregate] = []
        self.committed: list[Envelope] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.store = EventStore(self.session)
        self._tracked = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def repository(self, aggregate_class: type[A]) -> AggregateRepository[A]:
        return AggregateRepository(self, aggregate_class)

    def track(self, aggregate: Aggregate) -> None:
        if all(seen is not aggregate for seen in self._tracked):
            self._tracked.append(aggregate)

    def to_domain_event(self, envelope: Envelope) -> Any:
        values = CONTRACTS.load(envelope)
        return self.event_classes.get(envelope.event_type)(**values)

    def to_envelope(self, aggregate: Aggregate, event: Any, stream_version: int) -> Envelope:
        event_type = type(event).__name__
        schema_version, payload = CONTRACTS.dump(event_type, dataclasses.asdict(event))
        return Envelope(
            event_type=event_type,
            schema_version=schema_version,
            stream_id=aggregate.stream_id,
            stream_version=stream_version,
            producer=self.producer,
            actor=self.context.actor,
            correlation_id=self.context.correlation_id,
            causation_id=self.context.causation_id,
            payload=payload,
        )

    def commit(self) -> list[Envelope]:
        """Append every tracked aggregate's pending events, then commit."""
        appended: list[Envelope] = []
        for aggregate in self._tracked:
            pending = aggregate.pull_pending_events()
            envelopes = [
                self.to_envelope(aggregate, event, aggregate.version + offset)
                for offset, event in enumerate(pending, start=1)
            ]
            self.store.append(aggregate.stream_id, aggregate.version, envelopes)
            aggregate.version += len(envelopes)
            appended.extend(envelopes)
        self.session.commit()
        self.committed.extend(appended)
        if appended and self._on_commit is not None:
            self._on_commit()
        return appended
