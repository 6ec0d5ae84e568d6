"""Group commit: commands that arrive together are committed in one transaction.

A registration's own work is small beside what its transaction costs around it: the
session's setup, ``BEGIN IMMEDIATE``, the commit and its fsync (docs/performance.md). So a
command waits in a queue for one scheduling turn, and whichever waiting command gets the turn
first runs every command queued by then in one transaction, each inside a SAVEPOINT of its
own (``CommandHandlers``): one command's refusal rolls back its own savepoint only, and each
caller hears its own result or its own error, only after the transaction has committed.

Under eventlet (the services) the turn is a green lock and the wait one ``eventlet.sleep(0)``
(a switch through the hub, which lets the workers of the RPC messages that came in with this
one queue their commands), so a command that arrives alone runs at once, as before. With plain
threads there is no wait: a thread's ``time.sleep(0)`` gives its CPU to other processes on a
busy machine (5 ms a command, measured); threads queue while a group runs.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import eventlet
from eventlet import patcher

from shared.contracts.records import Command, Result
from shared.domain import CommandContext

if TYPE_CHECKING:
    from shared.eventstore.uow import UnitOfWork
    from shared.kit.handlers import InboxClaim

DEFAULT_GROUP_SIZE = 32


@dataclass
class Job:
    """One command waiting for its group: its outcome is a result or an error (None for an
    event consumed before: ``claim`` names the event a consumed one comes from)."""

    command: Command
    unit_of_work: Callable[[CommandContext], UnitOfWork]
    context: CommandContext
    claim: InboxClaim | None = None
    done: bool = False
    result: Result | None = None
    error: BaseException | None = None

    def succeed(self, result: Result | None) -> None:
        self.result, self.done = result, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True

    def outcome(self) -> Result | None:
        if self.error is not None:
            raise self.error
        return self.result


class GroupCommit:
    """The queue of commands of one handler table; ``run_together(jobs)`` settles a group."""

    def __init__(
        self, run_together: Callable[[list[Job]], None], size: int = DEFAULT_GROUP_SIZE
    ) -> None:
        self._run_together = run_together
        self._size = size
        self._waiting: deque[Job] = deque()
        self._turn = threading.Lock()

    def run(self, job: Job) -> Result | None:
        """Queue ``job``, settle it (with whatever else is queued then) or wait until another
        caller's turn has settled it, and answer its outcome."""
        self._waiting.append(job)
        if patcher.is_monkey_patched("thread"):
            eventlet.sleep(0)  # one turn of the hub: the commands that came in with this one queue
        while not job.done:
            with self._turn:
                if job.done:
                    break
                group = [
                    self._waiting.popleft() for _ in range(min(self._size, len(self._waiting)))
                ]
                try:
                    self._run_together(group)
                finally:
                    interrupted = GroupInterruptedError("the command's group was interrupted")
                    for other in group:
                        if not other.done:
                            other.fail(interrupted)
        return job.outcome()


class GroupInterruptedError(RuntimeError):
    """The caller that ran a group stopped half-way (its process is being killed): what the
    group did is not known to its other commands."""
