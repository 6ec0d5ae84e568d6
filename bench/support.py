"""Shared pieces of the benchmarks: a throw-away vhost, a free port, percentiles."""

from __future__ import annotations

import socket

from tests.support.broker import throwaway_vhost

__all__ = ["free_port", "percentile", "throwaway_vhost"]


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
