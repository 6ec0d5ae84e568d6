"""One way in: a command goes to its handler through ``CommandHandlers.run``.

A handler is ``handler(command, uow) -> result``: it loads what it needs (``uow.require``),
lets the aggregates decide and returns a view. The table opens the unit of work around it,
claims the causing event in the inbox when there is one, commits, retries on a concurrency
conflict with fresh state, and logs each committed event. A create repeated by its own caller
with the same arguments answers its first result (``first_result``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from shared.contracts import CONTRACTS
from shared.contracts.records import Command, Result
from shared.contracts.schemas import to_wire
from shared.domain import (
    Aggregate,
    AlreadyExistsError,
    CommandContext,
    ConcurrencyConflictError,
    DomainError,
)
from shared.events.envelope import Envelope
from shared.eventstore.uow import UnitOfWork
from shared.kit.group_commit import GroupCommit, Job
from shared.logging import correlation_scope, get_logger

log = get_logger(__name__)

CONFLICT_RETRIES = 3

C = TypeVar("C", bound=Command)
Handler = Callable[[Any, UnitOfWork], Result]
UnitOfWorkFactory = Callable[[CommandContext], UnitOfWork]


@dataclass(frozen=True)
class InboxClaim:
    """The event a command comes from: ``consumer`` consumes ``event_id`` at most once."""

    consumer: str
    event_id: str


class CommandHandlers:
    """A service's table of handlers, keyed by command class."""

    def __init__(
        self,
        table: Mapping[type[Command], Handler],
        *,
        group_commit: bool = False,
        group_events: bool = False,
    ) -> None:
        """``group_commit``: commands that arrive together (not those consuming an event)
        commit in one transaction (``shared.kit.group_commit``); ``group_events``: so do
        the commands of consumed events, each with its inbox claim."""
        services = {command.service for command in table}
        if len(services) > 1:
            raise ValueError(f"one table serves one service, not {sorted(services)}")
        self._table = dict(table)
        self._group_commands, self._group_events = group_commit, group_events
        grouped = group_commit or group_events
        self._group = GroupCommit(self.run_together) if grouped else None

    def with_group_commit(self) -> CommandHandlers:
        """The same table with group commit on for commands (``shared.kit.group_commit``)."""
        return CommandHandlers(self._table, group_commit=True, group_events=self._group_events)

    def one_by_one(self) -> CommandHandlers:
        """The same table with every command in a transaction of its own."""
        return CommandHandlers(self._table)

    def for_database(self, dialect: str) -> CommandHandlers:
        """This table as it runs on ``dialect``: its groups on SQLite only. There every
        commit is a sync of the disk and writers take turns anyway; on PostgreSQL the
        transactions of a service's workers overlap on connections of their own, and a group
        would put their round trips in a row (``bench/consumed_events.py``: 0.65x the rate
        of one transaction per event, 1.24x the CPU)."""
        return self if dialect == "sqlite" else self.one_by_one()

    def with_grouped_events(self) -> CommandHandlers:
        """The same table with the consumed events' commands committed in groups: no caller
        waits on them (only their acknowledgements do), so a group costs no one a reply."""
        return CommandHandlers(self._table, group_commit=self._group_commands, group_events=True)

    def __iter__(self) -> Iterator[type[Command]]:
        return iter(self._table)

    def __contains__(self, command_class: object) -> bool:
        return command_class in self._table

    def run(
        self,
        command: Command,
        unit_of_work: UnitOfWorkFactory,
        context: CommandContext,
        claim: InboxClaim | None = None,
    ) -> Result | None:
        """Handle ``command``; None when ``claim`` names an event consumed before.

        Domain errors propagate unchanged (nothing is written). A concurrency conflict means
        the decision was taken on stale state: it is taken again on fresh state a few times,
        then refused, never silently overwritten.
        """
        grouped = self._group_events if claim is not None else self._group_commands
        if self._group is not None and grouped:
            return self._group.run(Job(command, unit_of_work, context, claim))
        return self._run_alone(command, unit_of_work, context, claim)

    def _run_alone(
        self,
        command: Command,
        unit_of_work: UnitOfWorkFactory,
        context: CommandContext,
        claim: InboxClaim | None = None,
    ) -> Result | None:
        handler = self._table[type(command)]
        command_name = type(command).__name__
        with correlation_scope(context.correlation_id, command=command_name):
            for attempt in range(1, CONFLICT_RETRIES + 1):
                try:
                    with unit_of_work(context) as uow:
                        if claim is not None and not uow.claim(claim.consumer, claim.event_id):
                            log.info("event.already_consumed", event_id=claim.event_id)
                            return None
                        result = handler(command, uow)
                        committed = uow.commit()
                except ConcurrencyConflictError as conflict:
                    if _starts_taken_stream(command, conflict):
                        first = first_result(handler, command, unit_of_work, context, conflict)
                        if first is not None:
                            log.info("command.repeated", stream_id=conflict.stream_id)
                            return first
                        taken = AlreadyExistsError.for_field(str(command.creates))
                        log.info("command.rejected", code=taken.code, reason="AlreadyExistsError")
                        raise taken from None
                    log.info("command.conflict", stream_id=conflict.stream_id, attempt=attempt)
                    if attempt == CONFLICT_RETRIES:
                        raise
                    continue
                except DomainError as error:
                    log.info("command.rejected", code=error.code, reason=type(error).__name__)
                    raise
                for envelope in committed:
                    log_committed(envelope)
                log.info("command.handled")
                return result
        raise AssertionError("unreachable")

    def run_together(self, jobs: list[Job]) -> None:
        """Settle ``jobs`` in one transaction, each in a savepoint of its own.

        A refused command rolls back its savepoint and hears its error; one that met a
        concurrency conflict is decided again on its own after the group (with the retries
        and the first-result answer of ``run``). A consumed event's inbox claim is taken in
        its command's savepoint: an event consumed before (in an earlier transaction, or
        earlier in this group) runs nothing and hears None. Anything else going wrong before
        the commit rolls the whole group back and every command runs on its own, as if it
        had come alone; a failed commit is every kept command's error, as it would have been
        alone.
        """
        if len(jobs) == 1:
            self._settle_alone(jobs[0])
            return
        staged = _Staged()
        with jobs[0].unit_of_work(jobs[0].context) as group:
            try:
                for job in jobs:
                    self._stage(job, group, staged)
            except Exception as failure:
                log.warning("command.group_abandoned", error_type=type(failure).__name__)
                staged = _Staged(alone=list(jobs))
            else:
                try:
                    group.commit_group([member for _, member, _ in staged.kept])
                except Exception as failure:
                    staged.refused[:0] = [(job, failure) for job, _, _ in staged.kept]
                    staged.kept = []
        for job, error in staged.refused:
            job.fail(error)
        for job, member, result in staged.kept:
            with correlation_scope(job.context.correlation_id, command=type(job.command).__name__):
                for envelope in member.committed:
                    log_committed(envelope)
                log.info("command.handled", group=len(jobs))
            job.succeed(result)
        for job in staged.repeated:
            assert job.claim is not None
            with correlation_scope(job.context.correlation_id, command=type(job.command).__name__):
                log.info("event.already_consumed", event_id=job.claim.event_id)
            job.succeed(None)
        for job in staged.alone:
            self._settle_alone(job)

    def _stage(self, job: Job, group: UnitOfWork, staged: _Staged) -> None:
        handler = self._table[type(job.command)]
        claim = job.claim
        with correlation_scope(job.context.correlation_id, command=type(job.command).__name__):
            member = job.unit_of_work(job.context)
            member.join(group)
            try:
                with group.store.savepoint():
                    if claim is not None and not member.claim(claim.consumer, claim.event_id):
                        staged.repeated.append(job)
                        return
                    result = handler(job.command, member)
                    member.stage()
            except ConcurrencyConflictError:
                group.store.forget_versions()
                staged.alone.append(job)
                return
            except DomainError as error:
                group.store.forget_versions()
                log.info("command.rejected", code=error.code, reason=type(error).__name__)
                staged.refused.append((job, error))
                return
        staged.kept.append((job, member, result))

    def _settle_alone(self, job: Job) -> None:
        try:
            job.succeed(self._run_alone(job.command, job.unit_of_work, job.context, job.claim))
        except Exception as error:
            job.fail(error)


@dataclass
class _Staged:
    """What staging a group's jobs found: those kept for the commit (with their unit of work
    and result), those refused, those to decide again alone after the group, and the events
    consumed before (nothing to do)."""

    kept: list[tuple[Job, UnitOfWork, Result]] = field(default_factory=list)
    refused: list[tuple[Job, BaseException]] = field(default_factory=list)
    alone: list[Job] = field(default_factory=list)
    repeated: list[Job] = field(default_factory=list)


def first_result(
    handler: Handler,
    command: Command,
    unit_of_work: UnitOfWorkFactory,
    context: CommandContext,
    conflict: ConcurrencyConflictError,
) -> Result | None:
    """The answer a create gave the first time, when this one repeats it exactly; else None.

    A client that chose the id of what it creates and sends the same command again (its
    first answer was lost: a 503, a timeout) is given the first result instead of a 409. It
    is the same command only if the same actor started the stream, and deciding the command
    again, without committing, records the very events that stream begins with (types,
    versions and payloads). Anyone else, any other argument that shows in the events, or a
    decision that would now differ (a window since closed), still hears ALREADY_EXISTS.
    """
    with unit_of_work(context) as uow:
        stored = uow.load(conflict.stream_id)
        if not stored or stored[0].actor != context.actor:
            return None
        try:
            result = handler(command, uow)
        except DomainError:
            return None
        planned = [e for e in uow.planned() if e.stream_id == conflict.stream_id]
        if not planned or len(planned) > len(stored):
            return None
        if any(_recorded(new) != _recorded(old) for new, old in zip(planned, stored, strict=False)):
            return None
        return result


def _recorded(envelope: Envelope) -> tuple[str, int, str]:
    """What an event says, as stored: its type, schema version and payload as JSON text."""
    payload = json.dumps(envelope.payload, sort_keys=True, default=str, ensure_ascii=False)
    return envelope.event_type, envelope.schema_version, payload


def _starts_taken_stream(command: Command, conflict: ConcurrencyConflictError) -> bool:
    """The command creates a record under an id its caller chose, and that id's stream exists:
    no retry can help (the caller is told the id is taken, not whose it is)."""
    if command.creates is None or conflict.expected != 0:
        return False
    chosen = getattr(command, command.creates)
    return bool(chosen) and conflict.stream_id.endswith(f"-{chosen}")


def state_view(aggregate: Aggregate, id_field: str, *names: str, **extra: object) -> Result:
    """What a handler answers about an aggregate: its id as ``id_field``, the named attributes
    and ``extra``, as they travel in JSON (tuples as lists, dates as ISO text)."""
    view: Result = {id_field: aggregate.id}
    view |= {name: to_wire(getattr(aggregate, name)) for name in names}
    return view | {name: to_wire(value) for name, value in extra.items()}


def log_committed(envelope: Envelope) -> None:
    """One line per committed event: its type, stream and the ids its payload names (never a
    personal field: ids are not personal data)."""
    log.info(
        "event.committed",
        event_type=envelope.event_type,
        stream_id=envelope.stream_id,
        **CONTRACTS.id_values(envelope),
    )
