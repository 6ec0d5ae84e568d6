"""Readiness: can this process reach the broker, both of its databases and every service's
RPC consumer right now?

A readiness probe may be asked many times a second (a load balancer per replica, a
supervisor, an operator's curl loop): the answer is kept for ``CACHE_SECONDS``, and callers
that arrive while a check runs wait for that check instead of starting their own, so a probe
storm never becomes an RPC storm. The checks of one round run side by side, so one service
that does not answer costs one timeout, not one per service.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import eventlet
from eventlet.semaphore import Semaphore
from kombu import Connection
from nameko.containers import WorkerContext

from shared.kit.client import CommandClient
from shared.kit.entrypoints import PING_METHOD
from shared.logging import get_logger
from shared.rpc import unconfirmed_call

log = get_logger(__name__)

PROBE_TIMEOUT_SECONDS = 3.0
# A service's RPC consumer answers a ping in a few milliseconds; one that takes longer than
# this is not ready to take commands either.
PING_TIMEOUT_SECONDS = 1.0
CACHE_SECONDS = 1.5
Probe = Callable[[], object]


class ProbeTimeoutError(Exception):
    """A dependency did not answer within the probe's deadline."""


def broker_probe(amqp_uri: str, timeout: float = PROBE_TIMEOUT_SECONDS) -> Probe:
    def probe() -> object:
        with Connection(amqp_uri, connect_timeout=timeout) as connection:
            connection.connect()
        return None

    return probe


class Probes:
    """Named checks; each either returns or raises, within a deadline of its own."""

    def __init__(
        self,
        probes: dict[str, Probe],
        timeout: float = PROBE_TIMEOUT_SECONDS,
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self._probes: dict[str, tuple[Probe, float]] = {
            name: (probe, timeout) for name, probe in probes.items()
        }
        self._cache_seconds = cache_seconds
        self._lock = Semaphore()
        self._checked_at = float("-inf")
        self._last: dict[str, str] = {}

    def add(self, name: str, probe: Probe, timeout: float = PING_TIMEOUT_SECONDS) -> None:
        """One more check (a service's RPC ping, once the gateway's RPC client exists)."""
        self._probes[name] = (probe, timeout)
        self._checked_at = float("-inf")

    def check(self) -> dict[str, str]:
        """``{"broker": "up", "gateway_database": "down", "recruitment": "up", ...}``."""
        with self._lock:
            if time.monotonic() - self._checked_at >= self._cache_seconds:
                pool = eventlet.GreenPool(max(1, len(self._probes)))
                names = list(self._probes)
                states = pool.imap(self._run, names)
                self._last = dict(zip(names, states, strict=True))
                self._checked_at = time.monotonic()
            return dict(self._last)

    def _run(self, name: str) -> str:
        probe, timeout = self._probes[name]
        try:
            with eventlet.Timeout(timeout, ProbeTimeoutError):
                probe()
        except Exception as error:
            log.warning("readiness.down", dependency=name, error=type(error).__name__)
            return "down"
        return "up"


def service_ping_probe(
    container: Any, service: str, timeout: float = PING_TIMEOUT_SECONDS
) -> Probe:
    """Ping ``service`` over RPC through the gateway's own RPC client (``CommandClient``, in
    ``container``): up only once the service's RPC consumer answers. The request expires with
    the probe, so pings sent while the service is stopped never pile up in its queue."""

    def probe() -> object:
        client = next(p for p in container.dependencies if isinstance(p, CommandClient))
        worker_ctx = WorkerContext(container, None, _READINESS_ENTRYPOINT)
        return unconfirmed_call(
            worker_ctx, client.rpc_reply_listener, service, PING_METHOD, expires_in=timeout
        )

    return probe


# What the ping's call id names as its caller (nameko puts it in the request's headers).
_READINESS_ENTRYPOINT = SimpleNamespace(method_name="readyz")
