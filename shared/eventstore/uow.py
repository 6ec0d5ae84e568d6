"""The unit of work: one database transaction holding a command's change and its events.

(The repository and the transaction it serves in one module, near 300 lines with group
commit's ``join``/``stage``/``commit_group``: apart, none can be read without the others.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from shared.contracts import CONTRACTS
from shared.contracts.records import Event
from shared.domain import Aggregate, CommandContext
from shared.events.envelope import Envelope
from shared.eventstore.store import EventStore
from shared.eventstore.stream_cache import StreamCache
from shared.privacy.keystore import KEYS_DESTROYED, KeyStore
from shared.privacy.payloads import open_envelope, seal_envelope, sealed_key_ids
from shared.privacy.traces import truncate_write_ahead_log

A = TypeVar("A", bound=Aggregate)
StreamLock = Literal["shared", "exclusive"]

IndexKeeper = Callable[["UnitOfWork", Any, Sequence[Event]], None]
"""Keeps a service's own index rows in step with an aggregate's new events, in the same
transaction: ``keeper(uow, aggregate, new_events)``, called right after the events are
appended (``aggregate.version`` is still the version they follow). It may refuse (raise a
domain error) when an index's unique key says the change cannot be (one ID number registered
twice); the transaction, or the command's savepoint, is then rolled back with the events."""


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
        uow = self._uow
        known = uow.stream_cache.prefix(stream_id)
        if uow.store.known_version(stream_id) == len(known) or (
            known and uow.alone and uow.store.unchanged_since_read(stream_id, len(known))
        ):
            newer = []  # no one can have moved it on since it was read (store.py says why)
        else:
            newer = uow.load(stream_id, after_version=len(known))
        history = known + tuple(CONTRACTS.to_event(envelope) for envelope in newer)
        if not history:
            return None
        if newer:
            uow.remember(stream_id, history)
        if uow.alone:  # in a group, other commands' uncommitted events may be in ``history``
            uow.store.note_read(stream_id, len(history))
        aggregate = self._aggregate_class.replay(aggregate_id, history)
        self._uow.track(aggregate)
        return aggregate

    def require(self, aggregate_id: str, *, lock: StreamLock | None = None) -> A:
        """The aggregate, or its ``missing`` error (a not-found refusal naming the id)."""
        found = self.get(aggregate_id, lock=lock)
        if found is None:
            raise self._aggregate_class.missing.for_id(aggregate_id)
        return found

    def add(self, aggregate: A) -> None:
        self._uow.add(aggregate)


class UnitOfWork:
    """Commits aggregates' new events, their outbox marks, the indexes that follow them and an
    inbox claim in one transaction.

    After the commit it calls ``on_commit`` so that the relay publishes right away; nothing is
    ever dispatched to the broker from here.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        producer: str,
        context: CommandContext,
        *,
        keepers: Mapping[type[Aggregate], IndexKeeper] | None = None,
        on_commit: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        stream_cache: StreamCache | None = None,
        keys: KeyStore | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.producer = producer
        self.context = context
        self._keepers = keepers or {}
        self._on_commit = on_commit
        self.clock = clock
        self.stream_cache = stream_cache if stream_cache is not None else StreamCache()
        self.keys = keys
        self._tracked: list[Aggregate] = []
        self.committed: list[Envelope] = []
        self._staged: list[Envelope] = []
        # In a group (``join``): the streams read, for the cache once the group commits.
        self._deferred: list[tuple[StreamCache, int, str, tuple[Any, ...]]] | None = None
        self._owner = self  # whose transaction this works in: itself, or the group it joined
        self._session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        # The transaction is the connection's own, not an ORM session's: a session's
        # begin-and-commit cost more than twice a connection's, for nothing the event store
        # or the index keepers use (docs/performance.md, "The command path").
        self._connection = self._engine().connect()
        self._session = None
        self._owner = self
        self.store = EventStore(self._connection)
        self._tracked = []
        self._deferred = None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._close_session()
        self._connection.close()  # rolls back whatever was not committed

    def _engine(self) -> Engine:
        bind = self._session_factory.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("a unit of work needs a session factory bound to an engine")
        return bind

    @property
    def session(self) -> Session:
        """An ORM session in this unit of work's transaction, made when first asked (most
        commands need none). It never commits or rolls back the transaction itself
        (``rollback_only`` as far as SQLAlchemy's joining goes); the unit of work does."""
        owner = self._owner
        if owner._session is None:
            # Joined to a transaction begun here, never one of its own making (which it
            # would roll back on closing).
            if not owner._connection.in_transaction():
                owner._connection.begin()
            owner._session = owner._session_factory(
                bind=owner._connection, join_transaction_mode="rollback_only"
            )
        return owner._session

    @property
    def connection(self) -> Connection:
        """This unit of work's connection, in its transaction (begun here if none is open):
        what the key store seals and opens through, so that a command needs no ORM session
        for it (making one, flushing and closing it cost more than the keys' own work)."""
        owner = self._owner
        if not owner._connection.in_transaction():
            owner._connection.begin()
        return owner._connection

    def _close_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def repository(self, aggregate_class: type[A]) -> AggregateRepository[A]:
        return AggregateRepository(self, aggregate_class)

    def get(self, aggregate_class: type[A], aggregate_id: str) -> A | None:
        return self.repository(aggregate_class).get(aggregate_id)

    def require(
        self, aggregate_class: type[A], aggregate_id: str, *, lock: StreamLock | None = None
    ) -> A:
        """The aggregate, or the not-found refusal its class declares."""
        return self.repository(aggregate_class).require(aggregate_id, lock=lock)

    def get_or_start(self, aggregate_class: type[A], aggregate_id: str) -> A:
        """The aggregate, or an empty one that its first event will start (a candidate
        placement has not heard of yet); either way the commit appends what it records."""
        found = self.get(aggregate_class, aggregate_id)
        if found is None:
            found = aggregate_class(aggregate_id)
            self.add(found)
        return found

    def add(self, aggregate: Aggregate) -> None:
        """A new aggregate whose events the commit appends."""
        self.track(aggregate)

    @property
    def alone(self) -> bool:
        """In a transaction of its own, not ``join``ed to a group's."""
        return self._deferred is None

    def remember(self, stream_id: str, history: tuple[Any, ...]) -> None:
        """Keep a stream's decoded events for later commands: at once when they were read
        alone (committed events, read before this one writes), after the group's commit when
        other commands' uncommitted events may be among them."""
        if self._deferred is None:
            self.stream_cache.remember(stream_id, history)
        else:
            cache = self.stream_cache
            self._deferred.append((cache, cache.generation, stream_id, history))

    def join(self, group: UnitOfWork) -> None:
        """Work in ``group``'s transaction (group commit) instead of a session of its own: this
        unit of work reads what the commands before it staged there, ``stage``s its own events
        and index rows, and commits when ``group`` calls ``commit_group``."""
        if group._deferred is None:
            group._deferred = []
        self._owner, self.store, self._deferred = group, group.store, group._deferred
        self._tracked, self._staged = [], []

    def track(self, aggregate: Aggregate) -> None:
        if all(seen is not aggregate for seen in self._tracked):
            self._tracked.append(aggregate)

    def load(self, stream_id: str, after_version: int = 0) -> list[Envelope]:
        """A stream's stored events with their personal fields opened (``[erased]`` where
        the subject's key is destroyed)."""
        stored = self.store.load(stream_id, after_version)
        if self.keys is None:
            return stored
        keys = self.keys.lookup(self.connection, sealed_key_ids(stored))
        return [open_envelope(envelope, keys) for envelope in stored]

    def _sealed(self, envelopes: list[Envelope]) -> list[Envelope]:
        """What is stored: each personal field sealed under its subject's data key."""
        keys = self.keys
        if keys is None:
            return envelopes
        connection = self.connection
        return [
            seal_envelope(e, lambda subject, new: keys.key_for(connection, subject, new=new))
            for e in envelopes
        ]

    def claim(self, consumer: str, event_id: str) -> bool:
        """Claim an incoming event for ``consumer``; False when it was consumed before (then
        the caller does nothing). The claim commits with the effect, or not at all."""
        return self.store.claim(consumer, event_id)

    def to_envelope(self, aggregate: Aggregate, event: Event, stream_version: int) -> Envelope:
        schema_version, payload = CONTRACTS.dump_event(event)
        return Envelope(
            event_type=type(event).__name__,
            schema_version=schema_version,
            stream_id=aggregate.stream_id,
            stream_version=stream_version,
            producer=self.producer,
            actor=self.context.actor,
            correlation_id=self.context.correlation_id,
            causation_id=self.context.causation_id,
            payload=payload,
        )

    def planned(self) -> list[Envelope]:
        """The events a commit would append, framed, appending nothing (a dry run: it takes
        the aggregates' pending events)."""
        return [
            self.to_envelope(aggregate, event, aggregate.version + offset)
            for aggregate in self._tracked
            for offset, event in enumerate(aggregate.pull_pending_events(), start=1)
        ]

    def commit(self) -> list[Envelope]:
        """Append every tracked aggregate's pending events, keep the indexes, then commit.

        A stream that the aggregate starts must not exist yet. The append's unique key says
        so (a ``ConcurrencyConflictError`` at version 0), before any index keeper runs, so
        that a taken id is reported as that conflict and not as whatever the index would say.
        """
        self._staged = []
        appended = self.stage()
        self._commit_transaction()
        self.committed.extend(appended)
        if appended and self._on_commit is not None:
            self._on_commit()
        return appended

    def commit_group(self, members: Sequence[UnitOfWork]) -> None:
        """Commit the transaction that ``members`` (``join``ed to this one) staged in: then the
        streams they read join their caches (unless a cache was cleared since: an erasure),
        and the relay of each that appended is told."""
        self._commit_transaction()
        deferred, self._deferred = self._deferred or [], None
        for cache, generation, stream_id, history in deferred:
            if cache.generation == generation:
                cache.remember(stream_id, history)
        told: list[Callable[[], None]] = []
        for member in members:
            member.committed.extend(member._staged)
            notify = member._on_commit
            if member._staged and notify is not None and notify not in told:
                told.append(notify)
                notify()

    def _commit_transaction(self) -> None:
        session = self._session
        if session is not None:
            session.flush()
        self._connection.commit()
        if session is not None:
            erased = session.info.pop(KEYS_DESTROYED, False)
            self._close_session()  # its transaction has ended; a later use makes a new one
            if erased:  # an erasure: no old key in the WAL
                truncate_write_ahead_log(self._connection.engine)

    def stage(self) -> list[Envelope]:
        """Append every tracked aggregate's pending events and keep the indexes, in the open
        transaction (``commit`` then commits it)."""
        appended: list[Envelope] = []
        for aggregate in self._tracked:
            pending = aggregate.pull_pending_events()
            if not pending:
                continue
            envelopes = [
                self.to_envelope(aggregate, event, aggregate.version + offset)
                for offset, event in enumerate(pending, start=1)
            ]
            self.store.append(aggregate.stream_id, aggregate.version, self._sealed(envelopes))
            keeper = self._keeper_of(aggregate)
            if keeper is not None:
                keeper(self, aggregate, pending)
            aggregate.version += len(envelopes)
            appended.extend(envelopes)
        self._staged.extend(appended)
        return appended

    def _keeper_of(self, aggregate: Aggregate) -> IndexKeeper | None:
        for kind in type(aggregate).__mro__:
            keeper = self._keepers.get(kind)
            if keeper is not None:
                return keeper
        return None
