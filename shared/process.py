"""Running a nameko service as its own OS process: the one bootstrap every service shares."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from shared import worker_logs
from shared.backoff import Backoff
from shared.broker_tuning import cache_broker_url_parsing, reconnect_consumers_promptly
from shared.config import CONFIG_KEY, ConfigError, Settings
from shared.file_modes import protect_data_files
from shared.logging import configure_logging, get_logger
from shared.messaging.relay import RelaySettings
from shared.migrations import at_head, upgrade_to_head
from shared.ports import PortTakenError, check_port_free

log = get_logger(__name__)

# How long a stopping service may take to finish its running workers. nameko's graceful stop
# also waits for its consumers to cancel, which never happens while the broker is gone; past
# this deadline the containers are killed instead. Shorter than the supervisor's and the
# compose file's grace periods, so the process ends on its own terms.
STOP_DEADLINE_SECONDS = 10.0
# A database that is down when the process starts is waited for, not a reason to exit.
DATABASE_WAIT = Backoff(first=0.5, longest=10.0)
# Another process's migrations take seconds: looked for often, so that the waiter starts soon.
SCHEMA_WAIT = Backoff(first=0.25, longest=2.0)


def nameko_config(settings: Settings, database_component: str) -> dict[str, Any]:
    """The nameko container config for one service, built from Gravity's settings."""
    return {
        "AMQP_URI": settings.amqp_uri,
        "WEB_SERVER_ADDRESS": f"{settings.gateway_host}:{settings.gateway_port}",
        "rpc_timeout": settings.rpc_timeout,
        CONFIG_KEY: {
            "database_url": settings.database_url(database_component),
            "amqp_uri": settings.amqp_uri,
            "relay": relay_settings(settings.relay),
            "settings": settings,
        },
    }


def _refuse_to_start_badly(name: str, settings: Settings, listens: tuple[str, int] | None) -> None:
    """Exit 2 on an unsafe production configuration or a taken port, before any database or
    broker is touched; the message, not a traceback, is the news."""
    try:
        settings.check_safe_to_run()
        if listens is not None:
            check_port_free(*listens)
    except ConfigError as error:
        print(f"{name}: {error}", file=sys.stderr)
        sys.exit(2)
    except PortTakenError as taken:
        print(f"{name}: {taken}; stop it or configure another port", file=sys.stderr)
        sys.exit(2)


def relay_settings(configured: dict[str, Any]) -> RelaySettings:
    """The outbox relay's settings from the YAML ``relay`` section."""
    defaults = RelaySettings()
    longest = float(configured.get("max_backoff_seconds", defaults.backoff.longest))
    return RelaySettings(
        batch_size=int(configured.get("batch_size", defaults.batch_size)),
        confirm_timeout=float(configured.get("confirm_timeout", defaults.confirm_timeout)),
        backoff=Backoff(defaults.backoff.first, longest),
    )


def migrate_when_reachable(database_url: str, package: str) -> None:
    """Bring a database to its newest schema, waiting (with back-off) while it is down."""
    pauses = DATABASE_WAIT.pauses()
    while True:
        try:
            upgrade_to_head(database_url, package)
            return
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
            pause = next(pauses)
            log.warning(
                "process.database_unavailable",
                migrations=package,
                error_type=type(error.orig or error).__name__,
                retry_in_seconds=pause,
            )
            time.sleep(pause)


def wait_for_schema(database_url: str, package: str) -> None:
    """Wait (with back-off, saying so) until a database another process migrates has its
    newest schema: two processes migrating one database at once would race."""
    pauses = SCHEMA_WAIT.pauses()
    while True:
        try:
            if at_head(database_url, package):
                return
            reason = "not migrated yet"
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
            reason = type(error.orig or error).__name__
        pause = next(pauses)
        log.info(
            "process.waiting_for_schema", migrations=package, reason=reason, retry_in_seconds=pause
        )
        time.sleep(pause)


def run_service(
    service_class: type[Any],
    settings: Settings,
    migrations: Sequence[tuple[str, str]] = (),
    listens: tuple[str, int] | None = None,
    schemas: Sequence[tuple[str, str]] = (),
) -> None:
    """Migrate the databases the process needs, then run its nameko container until SIGTERM
    or SIGINT. A broker or database that is down at the start is waited for (the consumers
    connect when the broker comes), and one lost while running is reconnected to.
    ``migrations`` lists (database component, migrations package) pairs; ``schemas`` the same
    pairs for databases another process migrates, waited for; ``listens`` is the
    (host, port) the process serves HTTP on: a taken one ends the process with exit code 2
    and a message naming the port and its holder."""
    import eventlet
    from nameko.runners import ServiceRunner

    name = service_class.name
    configure_logging(name, settings.log_format, settings.log_level)
    protect_data_files(settings)  # umask 077 before any database, key or document is made
    worker_logs.install()
    cache_broker_url_parsing()
    reconnect_consumers_promptly()
    _refuse_to_start_badly(name, settings, listens)
    for component, package in migrations:
        migrate_when_reachable(settings.database_url(component), package)
    for component, package in schemas:
        wait_for_schema(settings.database_url(component), package)
    runner = ServiceRunner(nameko_config(settings, name))
    try:
        runner.add_service(service_class)  # binds the dependencies: some load a secret
    except ConfigError as error:  # e.g. recruitment's lookup key is missing in production
        print(f"{name}: {error}", file=sys.stderr)
        sys.exit(2)
    stopping = eventlet.event.Event()
    started = eventlet.event.Event()
    crashed: list[str] = []

    def request_stop(signum: int, _frame: Any) -> None:
        log.info("process.stopping", signal=signal.Signals(signum).name)
        if not started.ready():
            # Still waiting for the broker: nothing is running that a stop could finish.
            log.info("process.stopped", service=name, while_starting=True)
            os._exit(0)
        if not stopping.ready():
            stopping.send(None)

    def watch_containers() -> None:
        # A container that dies (e.g. its broker connection broke mid-ack) must end the
        # process, so that the supervisor or the orchestrator restarts it, instead of leaving
        # a live process that consumes nothing.
        try:
            runner.wait()
        except Exception as error:
            crashed.append(type(error).__name__)
        else:
            crashed.append("stopped")
        if not stopping.ready():
            stopping.send(None)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        runner.start()
    except PortTakenError as taken:  # taken between the check and the bind
        print(f"{name}: {taken}", file=sys.stderr)
        runner.kill()
        sys.exit(2)
    started.send(None)
    eventlet.spawn(watch_containers)
    log.info("process.started", service=name)
    stopping.wait()
    _end(runner, name, crashed)


def _end(runner: Any, name: str, crashed: list[str]) -> None:
    """Exit 1 after a container died; else stop gracefully, within the deadline."""
    import eventlet

    if crashed:
        log.error("process.container_died", service=name, reason=crashed[0])
        runner.kill()
        sys.exit(1)
    try:
        with eventlet.Timeout(STOP_DEADLINE_SECONDS):
            runner.stop()
    except eventlet.Timeout:
        log.warning("process.stop_timed_out", service=name, deadline_seconds=STOP_DEADLINE_SECONDS)
        runner.kill()
    log.info("process.stopped", service=name)
