"""How many slow clients one address may have, and how long anyone may take: the edge's limits.

``HttpLimits`` is the ``http`` section of the configuration. ``ClientBook`` keeps, per client
address, the connections that are unfinished (opened, or in the middle of a request) and
those idle between requests, oldest first; past a bound the oldest is closed, so that one
address cannot hold more than its share of the server however slowly it sends.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

from gateway.core.request_body import MAX_BODY_BYTES


class Evictable(Protocol):
    """A connection the book can close: it knows its address and how to end itself."""

    address: str

    def evict(self) -> None: ...


@dataclass(frozen=True)
class HttpLimits:
    """How long and how many: the ``http`` section of the configuration."""

    header_timeout: float = 10.0
    body_timeout: float = 20.0
    idle_timeout: float = 60.0
    slow_clients_per_address: int = 32
    max_connections: int = 2000
    max_body_bytes: int = MAX_BODY_BYTES

    @classmethod
    def from_config(cls, configured: dict[str, Any]) -> HttpLimits:
        default = cls()
        return cls(
            header_timeout=float(configured.get("header_timeout_seconds", default.header_timeout)),
            body_timeout=float(configured.get("body_timeout_seconds", default.body_timeout)),
            idle_timeout=float(configured.get("idle_timeout_seconds", default.idle_timeout)),
            slow_clients_per_address=int(
                configured.get("slow_clients_per_address", default.slow_clients_per_address)
            ),
            max_connections=int(configured.get("max_connections", default.max_connections)),
        )


class ClientBook:
    """Which connections of each address are unfinished or idle, oldest first; past a bound
    the oldest is closed (its socket shut down, which wakes its green thread to an end)."""

    def __init__(self, limits: HttpLimits) -> None:
        self.unfinished_bound = limits.slow_clients_per_address
        self.idle_bound = 4 * limits.slow_clients_per_address
        self._unfinished: dict[str, OrderedDict[int, Evictable]] = defaultdict(OrderedDict)
        self._idle: dict[str, OrderedDict[int, Evictable]] = defaultdict(OrderedDict)

    def unfinished(self, connection: Evictable) -> None:
        self._enter(self._unfinished, connection, self.unfinished_bound)

    def idle(self, connection: Evictable) -> None:
        self._enter(self._idle, connection, self.idle_bound)

    def done(self, connection: Evictable) -> None:
        for book in (self._unfinished, self._idle):
            held = book.get(connection.address)
            if held is not None:
                held.pop(id(connection), None)
                if not held:
                    del book[connection.address]

    def _enter(
        self, book: dict[str, OrderedDict[int, Evictable]], connection: Evictable, bound: int
    ) -> None:
        self.done(connection)
        held = book[connection.address]
        held[id(connection)] = connection
        while len(held) > bound:
            _key, oldest = held.popitem(last=False)
            oldest.evict()
