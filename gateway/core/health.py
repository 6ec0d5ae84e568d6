"""Readiness: can this process reach the broker and both of its databases right now?"""

from __future__ import annotations

from collections.abc import Callable

import eventlet
from kombu import Connection

from shared.logging import get_logger

log = get_logger(__name__)

PROBE_TIMEOUT_SECONDS = 3.0
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
    """Named checks; each either returns or raises, within a deadline."""

    def __init__(self, probes: dict[str, Probe], timeout: float = PROBE_TIMEOUT_SECONDS) -> None:
        self._probes = probes
        self._timeout = timeout

    def check(self) -> dict[str, str]:
        """``{"broker": "up", "gateway_database": "down", ...}``."""
        return {name: self._run(name, probe) for name, probe in self._probes.items()}

    def _run(self, name: str, probe: Probe) -> str:
        try:
            with eventlet.Timeout(self._timeout, ProbeTimeoutError):
                probe()
        except Exception as error:
            log.warning("readiness.down", dependency=name, error=type(error).__name__)
            return "down"
        return "up"
