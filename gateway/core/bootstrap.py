"""The gateway's one bootstrap: settings in, engines, stores, the relay of its own outbox
(``gateway.trail``) and probes out. The read models are kept up to date by a process of their
own (``gateway.projector``), not by the gateway: its requests never wait behind a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from nameko.extensions import DependencyProvider
from sqlalchemy.engine import Engine

from gateway.core.health import Probes, broker_probe, service_ping_probe
from gateway.core.idempotency import IdempotencyStore
from gateway.core.metrics import GatewayMetrics
from gateway.core.metrics_figures import ScrapeFigures
from gateway.core.pipeline import Edge
from gateway.core.projector import ReadModelCheckpoint
from gateway.core.route import Route
from gateway.core.section import ReadModelQueries, Section
from gateway.trail import gateway_relay
from shared.config import CONFIG_KEY, Settings
from shared.eventlog.reader import EventLogReader
from shared.eventstore.database import create_database_engine
from shared.messaging.relay import OutboxRelay

Q = TypeVar("Q", bound=ReadModelQueries)

# Beyond the RPC timeout, how long a duplicate request waits for the first one's answer.
IDEMPOTENCY_GRACE_SECONDS = 5.0


@dataclass
class GatewayApp:
    """Everything the endpoints use; one per process (or per test container)."""

    settings: Settings
    edge: Edge
    checkpoint: ReadModelCheckpoint  # where the read models stand; the projector moves it
    relay: OutboxRelay
    probes: Probes
    engines: tuple[Engine, ...]
    reads: dict[type[ReadModelQueries], ReadModelQueries]
    routes: tuple[Route, ...]
    metrics: GatewayMetrics
    figures: ScrapeFigures

    def read(self, kind: type[Q]) -> Q:
        """A section's query object (``app.read(RecruitmentReads).get_student(...)``)."""
        found = self.reads[kind]
        assert isinstance(found, kind)
        return found

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()
        self.figures.dispose()


def build_app(
    settings: Settings, sections: Sequence[Section], routes: tuple[Route, ...]
) -> GatewayApp:
    """Wire the gateway from settings; the databases must already be migrated."""
    store = create_database_engine(settings.database_url("gateway"), green=True)
    event_log = create_database_engine(settings.database_url("eventlog"), green=True, reader=True)
    reader = EventLogReader(event_log)
    checkpoint = ReadModelCheckpoint(store)
    idempotency = IdempotencyStore(
        store,
        settings.jwt_secret,
        wait_seconds=settings.rpc_timeout + IDEMPOTENCY_GRACE_SECONDS,
    )
    probes = Probes(
        {
            "broker": broker_probe(settings.amqp_uri),
            "gateway_database": checkpoint.position,
            "event_log": reader.head,
        }
    )
    figures = ScrapeFigures(settings, reader, checkpoint)
    metrics = GatewayMetrics(figures)
    session_checks = [section.sessions(store) for section in sections if section.sessions]
    if len(session_checks) > 1:
        raise ValueError("one section at most checks sessions")
    return GatewayApp(
        settings=settings,
        edge=Edge(settings, idempotency, next(iter(session_checks), None), metrics),
        checkpoint=checkpoint,
        relay=gateway_relay(settings, store),
        probes=probes,
        engines=(store, event_log),
        reads={kind: kind(store) for section in sections for kind in section.reads}
        | {kind: kind(event_log) for section in sections for kind in section.log_reads},
        routes=routes,
        metrics=metrics,
        figures=figures,
    )


class GatewayAppProvider(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """Builds the app from ``config["GRAVITY"]["settings"]`` (with a readiness ping of every
    service through the container's RPC client) and runs the outbox relay as a managed green
    thread for the container's lifetime."""

    def __init__(self, sections: Sequence[Section], routes: tuple[Route, ...]) -> None:
        self.sections = tuple(sections)
        self.routes = routes

    def setup(self) -> None:
        settings = self.container.config[CONFIG_KEY]["settings"]
        self.app = build_app(settings, self.sections, self.routes)
        # Ready means every service answers RPC: the first command after 200 is not a 503.
        for service in settings.services:
            self.app.probes.add(service, service_ping_probe(self.container, service))

    def start(self) -> None:
        self.container.spawn_managed_thread(self.app.relay.run, identifier="outbox-relay")

    def stop(self) -> None:
        self.app.relay.stop()
        self.app.dispose()

    def kill(self) -> None:
        self.app.relay.stop()

    def get_dependency(self, worker_ctx: Any) -> GatewayApp:  # noqa: ARG002 - nameko API
        return self.app
