"""The projector's nameko service: no entrypoint, two managed threads for its lifetime."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy.engine import Engine

from gateway.core.keys_ahead import KeysAhead
from gateway.core.privacy import gateway_keys
from gateway.core.projection import Projected, projection_of
from gateway.core.projector import Projector
from gateway.core.subscription import CatchUpSubscription
from gateway.projector.heartbeat import Heartbeat, heartbeat_file
from gateway.readmodels import READ_MODELS
from shared.config import CONFIG_KEY, Settings
from shared.eventlog.reader import EventLogReader
from shared.eventstore.database import create_database_engine


@dataclass
class Projection:
    """The read models' subscription to the event log, and the keys asked for ahead of it."""

    projector: Projector
    subscription: CatchUpSubscription
    keys_ahead: KeysAhead
    engines: tuple[Engine, ...]

    def stop(self) -> None:
        self.subscription.stop()
        self.keys_ahead.stop()
        self.projector.close()

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()


def build_projection(settings: Settings, read_models: Iterable[Projected]) -> Projection:
    """Wire the projection from settings; the databases must already be migrated."""
    store = create_database_engine(settings.database_url("gateway"), green=True)
    event_log = create_database_engine(settings.database_url("eventlog"), green=True, reader=True)
    keys = gateway_keys(settings, store)
    projector = Projector(store, projection_of(read_models), keys)
    beating = heartbeat_file()
    beat = Heartbeat(beating).beat if beating else (lambda: None)
    return Projection(
        projector=projector,
        subscription=CatchUpSubscription(EventLogReader(event_log), projector, beat=beat),
        keys_ahead=KeysAhead(keys),
        engines=(store, event_log),
    )


class ProjectionProvider(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """Builds the projection from ``config["GRAVITY"]["settings"]`` and runs the subscription
    and the keys asked ahead as managed green threads for the container's lifetime."""

    def __init__(self, read_models: Iterable[Projected]) -> None:
        self.read_models = tuple(read_models)

    def setup(self) -> None:
        settings = self.container.config[CONFIG_KEY]["settings"]
        self.projection = build_projection(settings, self.read_models)

    def start(self) -> None:
        self.container.spawn_managed_thread(
            self.projection.subscription.run, identifier="read-model-subscription"
        )
        self.container.spawn_managed_thread(self.projection.keys_ahead.run, identifier="keys-ahead")

    def stop(self) -> None:
        self.projection.stop()
        self.projection.dispose()

    def kill(self) -> None:
        self.projection.stop()

    def get_dependency(self, worker_ctx: Any) -> Projection:  # noqa: ARG002 - nameko API
        return self.projection


class ProjectorService:
    """The read models' projector (``gateway.projector``): it serves nothing, it writes."""

    name = "projector"
    projection = ProjectionProvider(READ_MODELS)
