"""The container's entrypoint: connection settings from their parts, a safety check, then the
component itself, which replaces this process (so it receives the stop signal directly).

The command names what to run:

    gateway | projector | eventlog | <service>
                                     the long-running process (``python -m ...``)
    migrate                          create any missing database and the ID-number lookup
                                     key, then ``gravity migrate``
    gravity ...                      the CLI, e.g. ``gravity audit verify``
    anything else                    run as given (``sh``)

Connection settings come whole (``GRAVITY_AMQP_URI``, ``GRAVITY_<COMPONENT>_DB``) or in parts
that a deployment can fill from its secrets: ``GRAVITY_RABBITMQ_HOST/PORT/USER/PASSWORD/VHOST``
(or ``GRAVITY_RABBITMQ_PASSWORD_FILE``, a process's own broker user's password file)
and ``GRAVITY_DB_HOST/PORT/USER/PASSWORD`` (one database per component, named after it). Parts
are quoted into the URLs here, so passwords may hold any character.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from shared.config import DEVELOPMENT_SECRET, ConfigError, Settings, load_settings
from shared.lookup_digest import lookup_key_path, make_lookup_key
from shared.production import production_problems

PROCESS_MODULES = {
    "gateway": "gateway",
    "projector": "gateway.projector",
    "eventlog": "shared.eventlog",
}
DATABASE_WAIT_SECONDS = 60.0


def components(settings: Settings) -> tuple[str, ...]:
    """Every component that owns a database (the health check imports this name)."""
    return settings.components


def broker_password(environ: Mapping[str, str]) -> str:
    """The broker password: from ``GRAVITY_RABBITMQ_PASSWORD_FILE`` (a process's own broker
    user, whose password ``gravity broker-users`` made), else ``GRAVITY_RABBITMQ_PASSWORD``."""
    path = environ.get("GRAVITY_RABBITMQ_PASSWORD_FILE")
    if not path:
        return environ.get("GRAVITY_RABBITMQ_PASSWORD", "guest")
    try:
        return Path(path).read_text("utf-8").strip()
    except OSError as error:
        raise ConfigError(
            f"cannot read the broker password file {path} ({type(error).__name__}); "
            "has `gravity broker-users` run?"
        ) from None


def amqp_uri(environ: Mapping[str, str]) -> str:
    user = quote(environ.get("GRAVITY_RABBITMQ_USER", "guest"), safe="")
    password = quote(broker_password(environ), safe="")
    host = environ["GRAVITY_RABBITMQ_HOST"]
    port = environ.get("GRAVITY_RABBITMQ_PORT", "5672")
    vhost = environ.get("GRAVITY_RABBITMQ_VHOST", "/")
    path = "/" if vhost == "/" else "/" + quote(vhost, safe="")
    return f"amqp://{user}:{password}@{host}:{port}{path}"


def database_url(environ: Mapping[str, str], component: str) -> str:
    user = quote(environ.get("GRAVITY_DB_USER", "gravity"), safe="")
    password = quote(environ.get("GRAVITY_DB_PASSWORD", ""), safe="")
    host = environ["GRAVITY_DB_HOST"]
    port = environ.get("GRAVITY_DB_PORT", "5432")
    return f"postgresql+psycopg2://{user}:{password}@{host}:{port}/{component}"


def connection_environment(
    environ: Mapping[str, str], component_names: Iterable[str]
) -> dict[str, str]:
    """The URL variables to add: built from parts where the whole URL was not given."""
    derived: dict[str, str] = {}
    if not environ.get("GRAVITY_AMQP_URI") and environ.get("GRAVITY_RABBITMQ_HOST"):
        derived["GRAVITY_AMQP_URI"] = amqp_uri(environ)
    if environ.get("GRAVITY_DB_HOST"):
        for component in component_names:
            variable = f"GRAVITY_{component.upper()}_DB"
            if not environ.get(variable):
                derived[variable] = database_url(environ, component)
    return derived


def configuration_problems(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    """A database URL derived from parts that the configuration does not read is a mistake."""
    if not environ.get("GRAVITY_DB_HOST"):
        return []
    return [
        f"the configuration has no databases.{component} entry, so {component} would use "
        f"SQLite inside the container; add `{component}: ${{GRAVITY_{component.upper()}_DB:}}`"
        for component in settings.components
        if settings.database_url(component).startswith("sqlite")
    ]


def command_for(argv: Sequence[str], settings: Settings) -> list[str]:
    """What to execute for the container's command (see the module docstring)."""
    name, rest = (argv[0], list(argv[1:])) if argv else ("gateway", [])
    python = sys.executable
    if name in PROCESS_MODULES:
        return [python, "-m", PROCESS_MODULES[name], *rest]
    if name in settings.services:
        return [python, "-m", f"services.{name}", *rest]
    if name == "gravity":
        # The console script beside this interpreter, not the PATH shim that leads back here.
        return [str(Path(python).parent / "gravity"), *rest]
    if name.isidentifier() and importlib.util.find_spec(f"services.{name}") is not None:
        raise ConfigError(
            f"{name} is a service, but the configuration's services list "
            f"({', '.join(settings.services)}) leaves it out: the event log would not record it"
        )
    return [name, *rest]


def ensure_databases(environ: Mapping[str, str], component_names: Iterable[str]) -> None:
    """Create each component's database if it is missing (the role needs CREATEDB)."""
    if not environ.get("GRAVITY_DB_HOST"):
        return
    import psycopg2  # type: ignore[import-untyped]
    import psycopg2.errors  # type: ignore[import-untyped]
    from psycopg2 import sql

    deadline = time.monotonic() + DATABASE_WAIT_SECONDS
    while True:
        try:
            connection = psycopg2.connect(
                host=environ["GRAVITY_DB_HOST"],
                port=environ.get("GRAVITY_DB_PORT", "5432"),
                user=environ.get("GRAVITY_DB_USER", "gravity"),
                password=environ.get("GRAVITY_DB_PASSWORD", ""),
                dbname=environ.get("GRAVITY_DB_MAINTENANCE_DATABASE", "postgres"),
                connect_timeout=5,
            )
            break
        except psycopg2.OperationalError as error:
            if time.monotonic() > deadline:
                raise ConfigError(f"PostgreSQL is not reachable: {error}".strip()) from error
            time.sleep(2)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for component in component_names:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (component,))
                if cursor.fetchone() is None:
                    try:
                        cursor.execute(
                            sql.SQL("CREATE DATABASE {}").format(sql.Identifier(component))
                        )
                    except psycopg2.errors.DuplicateDatabase:
                        continue  # another replica's migrate step was quicker
                    print(f"gravity-entrypoint: created database {component}", file=sys.stderr)
    finally:
        connection.close()


def main(argv: Sequence[str]) -> int:
    settings = load_settings()
    os.environ.update(connection_environment(os.environ, settings.components))
    settings = load_settings()
    problems = configuration_problems(settings, os.environ)
    problems += production_problems(settings)
    if problems:
        for problem in problems:
            print(f"gravity-entrypoint: refusing to start: {problem}", file=sys.stderr)
        return 2
    if not settings.is_production and settings.jwt_secret == DEVELOPMENT_SECRET:
        print(
            "gravity-entrypoint: WARNING: development mode with the development JWT secret; "
            "set GRAVITY_ENV=production and real secrets before real data goes in",
            file=sys.stderr,
        )
    if argv[:1] == ["migrate"]:
        ensure_databases(os.environ, settings.components)
        lookup = lookup_key_path(settings)
        # Made where compose mounts lookup-keys; a configured file (a Kubernetes Secret) is
        # never made, nor one in a read-only folder (an init container: docs/privacy.md).
        if not settings.lookup_key_file and os.access(lookup.parent, os.W_OK):
            make_lookup_key(lookup)
        argv = ["gravity", "migrate", *argv[1:]]
    return become(command_for(argv, settings))


def become(command: list[str]) -> int:
    """Replace this process with ``command``: it becomes PID 1 and gets the stop signal."""
    os.execvp(command[0], command)  # noqa: S606 - the container's own command, by design


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ConfigError as error:
        print(f"gravity-entrypoint: refusing to start: {error}", file=sys.stderr)
        sys.exit(2)
