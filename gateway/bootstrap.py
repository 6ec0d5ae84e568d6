"""The gateway's one bootstrap: settings in, engines, stores, subscription and probes out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy.engine import Engine

from gateway.health import Probes, broker_probe
from gateway.idempotency import IdempotencyStore
from gateway.pipeline import Edge
from gateway.readmodels.placement_queries import PlacementQueries
from gateway.readmodels.projector import Projector
from gateway.readmodels.queries import ReadModelQueries
from gateway.readmodels.subscription import CatchUpSubscription
from shared.config import Settings
from shared.eventlog.reader import EventLogReader
from shared.eventstore.database import create_database_engine
from shared.runtime import CONFIG_KEY

# Beyond the RPC timeout, how long a duplicate request waits for the first one's answer.
IDEMPOTENCY_GRACE_SECONDS = 5.0


@dataclass
class GatewayApp:
    """Everything the endpoints use; one per process (or per test container)."""

    settings: Settings
    edge: Edge
    queries: ReadModelQueries
    placements: PlacementQueries
    subscription: CatchUpSubscription
    probes: Probes
    engines: tuple[Engine, ...]

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()


def build_app(settings: Settings) -> GatewayApp:
    """Wire the gateway from settings; the databases must already be migrated."""
    store = create_database_engine(settings.database_url("gateway"), green=True)
    event_log = create_database_engine(settings.database_url("eventlog"), green=True, reader=True)
    reader = EventLogReader(event_log)
    queries = ReadModelQueries(store)
    idempotency = IdempotencyStore(
        store,
        settings.jwt_secret,
        wait_seconds=settings.rpc_timeout + IDEMPOTENCY_GRACE_SECONDS,
    )
    probes = Probes(
        {
            "broker": broker_probe(settings.amqp_uri),
            "gateway_database": queries.position,
            "event_log": reader.head,
        }
    )
    return GatewayApp(
        settings=settings,
        edge=Edge(settings, idempotency),
        queries=queries,
        placements=PlacementQueries(store),
        subscription=CatchUpSubscription(reader, Projector(store)),
        probes=probes,
        engines=(store, event_log),
    )


class GatewayAppProvider(DependencyProvider):
    """Builds the app from ``config["GRAVITY"]["settings"]`` and runs the read-model
    subscription as a managed green thread for the container's lifetime."""

    def setup(self) -> None:
        self.app = build_app(self.container.config[CONFIG_KEY]["settings"])

    def start(self) -> None:
        self.container.spawn_managed_thread(
            self.app.subscription.run, identifier="read-model-subscription"
        )

    def stop(self) -> None:
        self.app.subscription.stop()
        self.app.dispose()

    def kill(self) -> None:
        self.app.subscription.stop()

    def get_dependency(self, worker_ctx: Any) -> GatewayApp:  # noqa: ARG002 - nameko API
        return self.app
