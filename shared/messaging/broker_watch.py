"""Knowing that the broker is down, so that callers fail fast instead of waiting it out.

While the broker is away every RPC request fails anyway, after the publisher's retries or
the caller's whole timeout. A ``BrokerWatch`` is told when a request could not be sent
(``mark_down``); from then on ``known_down()`` answers True at once, and one green thread
probes the broker every ``probe_interval`` seconds until it answers again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kombu import Connection

from shared.logging import get_logger

log = get_logger(__name__)

PROBE_INTERVAL_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 2.0


class BrokerUnavailableError(ConnectionError):
    """The broker is known to be down; the request was not sent."""


def connect_probe(amqp_uri: str, timeout: float = PROBE_TIMEOUT_SECONDS) -> Callable[[], None]:
    """A probe that opens (and closes) one AMQP connection, raising when it cannot."""

    def probe() -> None:
        with Connection(amqp_uri, connect_timeout=timeout) as connection:
            connection.connect()

    return probe


class BrokerWatch:
    """The last known state of the broker, as seen by the requests sent through it."""

    def __init__(
        self,
        probe: Callable[[], None],
        probe_interval: float = PROBE_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self._interval = probe_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None

    def known_down(self) -> bool:
        return self._down_since is not None

    def retry_after(self) -> int:
        """Seconds a client should wait before retrying (for ``Retry-After``)."""
        return max(1, round(self._interval))

    def mark_down(self, error: BaseException) -> None:
        """A request could not be sent: fail fast until a probe reaches the broker again."""
        with self._lock:
            if self._down_since is not None:
                return
            self._down_since = self._clock()
        log.warning("rpc.broker_down", error_type=type(error).__name__)
        threading.Thread(target=self._probe_until_up, daemon=True, name="broker-watch").start()

    def _probe_until_up(self) -> None:
        while True:
            time.sleep(self._interval)
            try:
                self._probe()
            except Exception:  # noqa: S112 - any failure means "still down"
                continue
            with self._lock:
                since, self._down_since = self._down_since, None
            down_for = self._clock() - since if since is not None else 0.0
            log.info("rpc.broker_up", down_seconds=round(down_for, 1))
            return
