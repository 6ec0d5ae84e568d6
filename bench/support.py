"""Shared pieces of the benchmarks: a throw-away vhost, a free port, percentiles.

Nothing here imports the product or its tests: ``bench/registrations.py`` measures other
revisions of the product (``--baseline``), and must keep working while the working tree is
half-way through a refactor.
"""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import Iterator

import requests

MANAGEMENT = "http://127.0.0.1:15672/api"
AUTH = ("guest", "guest")

__all__ = ["free_port", "percentile", "throwaway_vhost"]


@contextlib.contextmanager
def throwaway_vhost(prefix: str = "gravity-bench") -> Iterator[str]:
    """A RabbitMQ vhost of its own (management API), deleted afterwards; yields the AMQP URI."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/vhosts/{name}", auth=AUTH, timeout=10).raise_for_status()
    requests.put(
        f"{MANAGEMENT}/permissions/{name}/guest",
        json={"configure": ".*", "write": ".*", "read": ".*"},
        auth=AUTH,
        timeout=10,
    ).raise_for_status()
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{name}"
    finally:
        # The broker closes the vhost's connections; gone already is fine.
        response = requests.delete(f"{MANAGEMENT}/vhosts/{name}", auth=AUTH, timeout=30)
        if response.status_code != 404:
            response.raise_for_status()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
