"""Running the gateway as its own OS process (``python -m gateway``)."""

from __future__ import annotations

from typing import Any

from shared.config import Settings
from shared.migrations import upgrade_to_head
from shared.process import nameko_config, run_service

MIGRATIONS = "gateway.migrations"
EVENT_LOG_MIGRATIONS = "shared.eventlog.migrations"


def gateway_config(settings: Settings) -> dict[str, Any]:
    """The nameko container config: AMQP, the web address, and the settings themselves."""
    return nameko_config(settings, "gateway")


def prepare_databases(settings: Settings) -> None:
    """Migrate the gateway's database; make sure the event log's schema exists to read from
    (harmless when the event-log process has already done it)."""
    upgrade_to_head(settings.database_url("gateway"), MIGRATIONS)
    upgrade_to_head(settings.database_url("eventlog"), EVENT_LOG_MIGRATIONS)


def run_gateway(settings: Settings) -> None:
    """Serve HTTP until SIGTERM or SIGINT (eventlet must already be monkey-patched)."""
    from gateway.service import GatewayService

    run_service(
        GatewayService,
        settings,
        [("gateway", MIGRATIONS), ("eventlog", EVENT_LOG_MIGRATIONS)],
        listens=(settings.gateway_host, settings.gateway_port),
    )
