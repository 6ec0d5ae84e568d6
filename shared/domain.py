"""Plain-Python building blocks for event-sourced aggregates (no infrastructure here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Self


class ErrorKind(StrEnum):
    """What sort of refusal an error is; the gateway answers each kind with one HTTP status."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"


class DomainError(Exception):
    """A programme rule refused a command.

    Each concrete error declares the stable ``code`` clients see and its ``kind``; its
    docstring is the code's description in the API document. ``details`` says what exactly.
    """

    code: ClassVar[str]
    kind: ClassVar[ErrorKind]

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFoundError(DomainError):
    """No such resource, or none that this caller may see."""

    code = "NOT_FOUND"
    kind = ErrorKind.NOT_FOUND
    subject: ClassVar[str] = "record"
    id_field: ClassVar[str] = "id"

    @classmethod
    def for_id(cls, record_id: str) -> Self:
        """``no such <subject>`` with the id the caller named."""
        return cls(f"no such {cls.subject}", {cls.id_field: record_id})


class ConcurrencyConflictError(DomainError):
    """The record changed meanwhile; retry the request."""

    code = "CONCURRENT_UPDATE"
    kind = ErrorKind.CONFLICT

    def __init__(self, stream_id: str, expected: int) -> None:
        super().__init__("the record changed meanwhile; retry")
        self.stream_id = stream_id
        self.expected = expected


class AlreadyExistsError(DomainError):
    """A record with this id exists already (whoever made it): send another id, or leave the
    id out to have one made. Nothing is said about the record that holds it."""

    code = "ALREADY_EXISTS"
    kind = ErrorKind.CONFLICT

    @classmethod
    def for_field(cls, field: str) -> AlreadyExistsError:
        return cls(f"this {field} is taken; send another or leave it out", {"field": field})


def known_errors() -> list[type[DomainError]]:
    """Every concrete error class imported so far (one that declares its own code)."""
    found: list[type[DomainError]] = []
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        error = pending.pop()
        pending.extend(error.__subclasses__())
        if error is not DomainError and hasattr(error, "code"):
            found.append(error)
    return sorted(found, key=lambda error: (error.code, error.__name__))


@dataclass(frozen=True)
class CommandContext:
    """Who asked, and which conversation the resulting events belong to."""

    actor: str
    correlation_id: str
    causation_id: str | None = None


class Aggregate:
    """Decides on commands and records events; state changes only by applying events.

    A subclass names its stream and the error that answers for a missing one,
    ``class Campaign(Aggregate, stream="campaign", missing=CampaignNotFoundError)``, and
    defines a ``_when_<EventName>`` method per event type, so that replaying a stream and
    running live take exactly the same path.
    """

    stream_prefix: ClassVar[str]
    missing: ClassVar[type[NotFoundError]] = NotFoundError

    def __init_subclass__(
        cls,
        *,
        stream: str | None = None,
        missing: type[NotFoundError] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if stream is not None:
            cls.stream_prefix = stream
        if missing is not None:
            cls.missing = missing

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self._pending: list[Any] = []

    @classmethod
    def stream_id_for(cls, aggregate_id: str) -> str:
        return f"{cls.stream_prefix}-{aggregate_id}"

    @property
    def stream_id(self) -> str:
        return self.stream_id_for(self.id)

    @classmethod
    def replay(cls, aggregate_id: str, history: Sequence[Any]) -> Self:
        aggregate = cls.__new__(cls)
        Aggregate.__init__(aggregate, aggregate_id)
        for event in history:
            aggregate._apply(event)
            aggregate.version += 1
        return aggregate

    def _record(self, event: Any) -> None:
        self._apply(event)
        self._pending.append(event)

    def _apply(self, event: Any) -> None:
        getattr(self, f"_when_{type(event).__name__}")(event)

    @property
    def pending_events(self) -> tuple[Any, ...]:
        """What was recorded since the aggregate was loaded, not yet committed."""
        return tuple(self._pending)

    def pull_pending_events(self) -> list[Any]:
        pending, self._pending = self._pending, []
        return pending
