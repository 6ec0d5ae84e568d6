"""Plain-Python building blocks for event-sourced aggregates (no infrastructure here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar


class DomainError(Exception):
    """A programme rule refused a command. ``details`` says what exactly, for the client."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFoundError(DomainError):
    """The aggregate a command names does not exist."""


@dataclass(frozen=True)
class CommandContext:
    """Who asked, and which conversation the resulting events belong to."""

    actor: str
    correlation_id: str
    causation_id: str | None = None


class Aggregate:
    """Decides on commands and records events; state changes only by applying events.

    Subclasses define ``stream_prefix`` and a ``_when_<EventName>`` method per event type, so
    that replaying a stream and running live take exactly the same path.
    """

    stream_prefix: ClassVar[str]

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
    def replay(cls, aggregate_id: str, history: Sequence[Any]) -> Any:
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

    def pull_pending_events(self) -> list[Any]:
        pending, self._pending = self._pending, []
        return pending


@dataclass
class EventClasses:
    """The domain event classes of one service, looked up by event type name."""

    classes: dict[str, type[Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, *event_classes: type[Any]) -> EventClasses:
        return cls({event_class.__name__: event_class for event_class in event_classes})

    def get(self, event_type: str) -> type[Any]:
        return self.classes[event_type]
