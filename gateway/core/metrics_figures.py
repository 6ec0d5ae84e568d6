"""Figures the gateway reads when it is scraped: the event log's head, the read models' lag,
each service's relay backlog and the dead-letter queues' depths.

Each source is read under a short deadline, and one that cannot be read never fails the
scrape: its ``*_up`` gauge says 0 and its figures are left out (not reported as zeros, which
would read as "all is well").

The relay backlog is read from each service's own database (two aggregates over its outbox:
how many events are unpublished and how old the oldest is), with the connection URL every
Gravity process is configured with. It is the one place the gateway looks into a service's
database: read-only, counts only, never a row, and the only honest measure of a relay that
cannot publish (the event log sees nothing of events that never left). Asking each service by
RPC instead would make a scrape wait on every service's workers and fail with the broker.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import eventlet
import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from gateway.core.broker_queues import dead_letter_depths
from gateway.core.projector import ReadModelCheckpoint
from shared.config import Settings
from shared.eventlog.reader import EventLogReader
from shared.events.canonical import parse_timestamp
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events, outbox
from shared.logging import get_logger

log = get_logger(__name__)

SOURCE_TIMEOUT_SECONDS = 2.0  # per source; Prometheus' own scrape timeout is 10 s by default
T = TypeVar("T")


class SourceDownError(Exception):
    """A source of figures did not answer within its deadline."""


def _within_deadline(source: str, read: Callable[[], T], down: set[str]) -> T | None:
    """``read()``, or None when it fails or takes too long; logged (without the error's text)
    when a source goes down and when it is back, not at every scrape."""
    try:
        with eventlet.Timeout(SOURCE_TIMEOUT_SECONDS, SourceDownError):
            figures = read()
    except Exception as error:
        if source not in down:
            down.add(source)
            log.warning("metrics.source_down", source=source, error=type(error).__name__)
        return None
    if source in down:
        down.discard(source)
        log.info("metrics.source_back", source=source)
    return figures


def _gauge(name: str, documentation: str, labels: Sequence[str] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=list(labels))


class ScrapeFigures(Collector):
    """The collector behind the figures (see the module docstring)."""

    def __init__(
        self, settings: Settings, reader: EventLogReader, checkpoint: ReadModelCheckpoint
    ) -> None:
        self._settings = settings
        self._reader = reader
        self._checkpoint = checkpoint
        self._outboxes: dict[str, Engine] = {}
        self._down: set[str] = set()  # sources that failed at the last scrape

    def collect(self) -> Iterator[Metric]:
        """Every source read at once, so that a scrape takes one deadline at most, not one
        per source."""
        reads: dict[str, Callable[[], Any]] = {
            "event_log": self._reader.head,
            "gateway_database": self._checkpoint.position,
            "broker_management": functools.partial(
                dead_letter_depths, self._settings, SOURCE_TIMEOUT_SECONDS
            ),
        }
        for service in self._settings.services:
            reads[f"outbox:{service}"] = functools.partial(self._backlog, service)
        pool = eventlet.GreenPool(len(reads))
        found = dict(
            zip(
                reads,
                pool.imap(lambda name: _within_deadline(name, reads[name], self._down), reads),
                strict=True,
            )
        )
        yield from self._log_and_read_models(found["event_log"], found["gateway_database"])
        yield from self._relays(
            {service: found[f"outbox:{service}"] for service in self._settings.services}
        )
        yield from self._dead_letters(found["broker_management"])

    def _log_and_read_models(self, head: int | None, position: int | None) -> Iterator[Metric]:
        up = _gauge("gravity_event_log_up", "1 when the event log could be read at this scrape")
        up.add_metric([], 0 if head is None else 1)
        yield up
        if head is not None:
            yield self._single("gravity_event_log_head_position", "The last position logged", head)
        if position is not None:
            yield self._single(
                "gravity_read_model_position",
                "The last log position whose effects are in the gateway's read models",
                position,
            )
        if head is not None and position is not None:
            yield self._single(
                "gravity_read_model_lag_events",
                "Logged events not yet in the gateway's read models (head minus checkpoint)",
                max(head - position, 0),
            )

    @staticmethod
    def _single(name: str, documentation: str, value: float) -> GaugeMetricFamily:
        return GaugeMetricFamily(name, documentation, value=value)

    def _relays(self, backlogs: dict[str, tuple[int, float] | None]) -> Iterator[Metric]:
        up = _gauge("gravity_relay_up", "1 when the service's outbox could be read", ["service"])
        pending = _gauge(
            "gravity_relay_unpublished_events",
            "Events committed by the service and not yet confirmed by the broker",
            ["service"],
        )
        age = _gauge(
            "gravity_relay_oldest_unpublished_age_seconds",
            "Age of the oldest unpublished event (0 when none is waiting)",
            ["service"],
        )
        for service, backlog in backlogs.items():
            up.add_metric([service], 0 if backlog is None else 1)
            if backlog is not None:
                pending.add_metric([service], backlog[0])
                age.add_metric([service], backlog[1])
        yield from (up, pending, age)

    def _backlog(self, service: str) -> tuple[int, float]:
        engine = self._outbox(service)
        query = sa.select(sa.func.count(), sa.func.min(events.c.occurred_at)).select_from(
            outbox.join(events, outbox.c.seq == events.c.seq)
        )
        with engine.connect() as connection:
            count, oldest = connection.execute(query).one()
        if not oldest:
            return int(count), 0.0
        waited = datetime.now(UTC) - parse_timestamp(str(oldest))
        return int(count), max(waited.total_seconds(), 0.0)

    def _outbox(self, service: str) -> Engine:
        if service not in self._outboxes:
            url = self._settings.database_url(service)
            database = sa.engine.make_url(url).database if url.startswith("sqlite") else None
            if database and not Path(database).exists():
                # Opening it would create an empty file in the service's place.
                raise FileNotFoundError(service)
            self._outboxes[service] = create_database_engine(url, green=True, reader=True)
        return self._outboxes[service]

    def _dead_letters(self, depths: dict[str, int] | None) -> Iterator[Metric]:
        up = _gauge(
            "gravity_dead_letters_up",
            "1 when the broker's management API listed the dead-letter queues at this scrape",
        )
        up.add_metric([], 0 if depths is None else 1)
        yield up
        if depths is not None:
            parked = _gauge(
                "gravity_dead_letter_messages",
                "Messages parked in a dead-letter queue, by queue",
                ["queue"],
            )
            for queue, messages in sorted(depths.items()):
                parked.add_metric([queue], messages)
            yield parked

    def dispose(self) -> None:
        for engine in self._outboxes.values():
            engine.dispose()
