"""Decoded events of recently read streams, kept per process.

Every registration reads its campaign; decoding that campaign's events from JSON and
validating them against their contracts on every command is the single largest cost of a
registration. Events are immutable and only ever appended, so a cached prefix of a stream
never goes stale: the store is still asked for whatever came after it, in the command's own
transaction, so a decision is never taken on a missing event.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

DEFAULT_MAX_STREAMS = 10_000


class StreamCache:
    """A bounded, least-recently-used map of stream id to its decoded domain events."""

    def __init__(self, max_streams: int = DEFAULT_MAX_STREAMS) -> None:
        self._streams: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
        self._max_streams = max_streams
        self.generation = 0  # counts ``clear``s: what was read before one must not come back

    def prefix(self, stream_id: str) -> tuple[Any, ...]:
        events = self._streams.get(stream_id, ())
        if events:
            self._streams.move_to_end(stream_id)
        return events

    def remember(self, stream_id: str, events: tuple[Any, ...]) -> None:
        """Keep ``events`` (read from the store, so committed) unless a longer prefix is known."""
        if len(events) <= len(self._streams.get(stream_id, ())):
            return
        self._streams[stream_id] = events
        self._streams.move_to_end(stream_id)
        while len(self._streams) > self._max_streams:
            self._streams.popitem(last=False)

    def clear(self) -> None:
        """Forget every stream (a subject was erased: its opened values must not linger)."""
        self._streams.clear()
        self.generation += 1
