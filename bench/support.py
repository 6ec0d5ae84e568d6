"""Shared pieces of the benchmarks: a throw-away vhost, throw-away PostgreSQL databases, a
process's CPU from /proc, a free port, percentiles.

Nothing here imports the product or its tests: ``bench/registrations.py`` measures other
revisions of the product (``--baseline``), and must keep working while the working tree is
half-way through a refactor.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import requests
import sqlalchemy as sa

MANAGEMENT = "http://127.0.0.1:15672/api"
AUTH = ("guest", "guest")
POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"  # the machine's server, trust
TICKS = os.sysconf("SC_CLK_TCK")

__all__ = ["free_port", "percentile", "process_seconds", "throwaway_databases", "throwaway_vhost"]


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


@contextlib.contextmanager
def throwaway_databases(count: int, prefix: str = "gravity_bench") -> Iterator[list[str]]:
    """Names of ``count`` fresh databases on the machine's PostgreSQL (``POSTGRES``), dropped
    with their sessions on the way out, whatever happened meanwhile."""
    run = uuid.uuid4().hex[:8]
    names = [f"{prefix}_{run}_{number}" for number in range(count)]
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield names
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def process_seconds(pid: int) -> float:
    """A process's CPU so far (utime + stime of all its threads, /proc/<pid>/stat); OSError
    once it has gone."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


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
