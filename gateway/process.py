"""Running the gateway as its own OS process (``python -m gateway``)."""

from __future__ import annotations

import signal
from typing import Any

from shared.config import Settings
from shared.logging import configure_logging, get_logger
from shared.migrations import upgrade_to_head
from shared.process import nameko_config

log = get_logger(__name__)

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
    import eventlet
    from nameko.runners import ServiceRunner

    from gateway.service import GatewayService

    configure_logging("gateway", settings.log_format, settings.log_level)
    settings.check_safe_to_run()
    prepare_databases(settings)
    runner = ServiceRunner(gateway_config(settings))
    runner.add_service(GatewayService)
    stopping = eventlet.event.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        log.info("process.stopping", signal=signal.Signals(signum).name)
        if not stopping.ready():
            stopping.send(None)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    runner.start()
    log.info(
        "process.started",
        service="gateway",
        address=f"{settings.gateway_host}:{settings.gateway_port}",
    )
    stopping.wait()
    runner.stop()
    log.info("process.stopped", service="gateway")
