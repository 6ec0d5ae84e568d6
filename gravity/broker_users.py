"""``gravity broker-users``: a broker user of its own for each Gravity process.

Run as the operator's broker user (the one in the configuration's ``amqp_uri``, an
administrator), it declares every producer's exchange and the event log's queues (bound to
each exchange), which no service's user may declare, then creates or updates, through
RabbitMQ's management API, one user per component (every service, the gateway, the event
log) with the permissions of ``shared.messaging.broker_users`` (a service binding only to the
exchanges of the producers its event handlers consume), and gives the operator's user the
``impersonator`` tag (``gravity dead-letters replay`` gives a parked message back the user_id
it was published with). Each component's password is read from
``<passwords>/<component>.password``, made at random (mode 0600) if missing: compose keeps
them in a volume, Kubernetes in a Secret per service. Running it again changes nothing but a
password file that was replaced.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import inspect
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shared.config import Settings
from shared.eventlog.topology import EVENT_LOG_DEAD_LETTER_QUEUE
from shared.events.producers import producers
from shared.messaging.broker_users import (
    EVENT_LOG,
    HASHING_ALGORITHM,
    TAGS,
    BrokerUser,
    ensure_password,
    password_hash,
    permissions,
    rpc_topic_permissions,
)
from shared.messaging.topology import (
    DEAD_LETTER_EXCHANGE,
    EVENT_LOG_QUEUE,
    amqp_parameters,
    event_exchange,
)

OPERATOR_TAGS = ("administrator", "impersonator")


class ManagementApiError(RuntimeError):
    """The management API refused a request; the message names the request, never a password."""


class ManagementApi:
    """The few management API calls this needs, with the operator's credentials."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self._url = url.rstrip("/") + "/api"
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._authorization = f"Basic {token}"

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - the operator's own broker URL
            self._url + path, data=data, method=method
        )
        request.add_header("Authorization", self._authorization)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                text = response.read()
        except urllib.error.HTTPError as error:
            raise ManagementApiError(f"{method} {path}: HTTP {error.code}") from None
        return json.loads(text) if text else None


def quoted(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def apply_broker_users(
    api: ManagementApi,
    vhost: str,
    users: Sequence[BrokerUser],
    producers: Sequence[str],
    operator: str | None = None,
) -> None:
    """Declare the event log's queues bound to every producer's exchange, then create or
    update ``users`` on ``vhost`` with their components' permissions (each service reading
    only the exchanges of the producers it consumes: ``consumed_producers``)."""
    declare_shared_topology(api, vhost, producers)
    for user in users:
        api.call(
            "PUT",
            f"/users/{quoted(user.name)}",
            {
                "password_hash": password_hash(user.password),
                "hashing_algorithm": HASHING_ALGORITHM,
                "tags": TAGS.get(user.component, ""),
            },
        )
        granted = permissions(user.component, producers, consumed_producers(user.component))
        api.call(
            "PUT",
            f"/permissions/{quoted(vhost)}/{quoted(user.name)}",
            {"configure": granted.configure, "write": granted.write, "read": granted.read},
        )
        topic = rpc_topic_permissions(user.component)
        if topic is not None:
            api.call(
                "PUT",
                f"/topic-permissions/{quoted(vhost)}/{quoted(user.name)}",
                {"exchange": topic.exchange, "write": topic.write, "read": topic.read},
            )
    if operator is not None:
        _tag_operator(api, operator)


def declare_shared_topology(api: ManagementApi, vhost: str, producers: Sequence[str]) -> None:
    """As the operator: the dead letters' exchange, every producer's exchange, and the event
    log's queues with the log's queue bound to each exchange, declared as the log, nameko and
    ``inbox.py`` declare them. The log alone may touch its queues and a service declares no
    exchange but its own and nameko's (``permissions``), so they must exist before the first
    relay publishes or the first event handler binds."""
    where = quoted(vhost)
    api.call(
        "PUT",
        f"/exchanges/{where}/{quoted(DEAD_LETTER_EXCHANGE)}",
        {"type": "direct", "durable": True, "auto_delete": False, "internal": False},
    )
    for queue in (EVENT_LOG_QUEUE, EVENT_LOG_DEAD_LETTER_QUEUE):
        api.call("PUT", f"/queues/{where}/{quoted(queue)}", {"durable": True, "auto_delete": False})
    for producer in producers:
        exchange = quoted(event_exchange(producer))
        api.call(
            "PUT",
            f"/exchanges/{where}/{exchange}",
            {"type": "topic", "durable": True, "auto_delete": False, "internal": False},
        )
        api.call(
            "POST",
            f"/bindings/{where}/e/{exchange}/q/{quoted(EVENT_LOG_QUEUE)}",
            {"routing_key": "#"},
        )


def consumed_producers(component: str) -> tuple[str, ...] | None:
    """The producers whose events ``component``'s event handlers consume (nameko's
    ``source_service`` of each), read from its service class; None for a component that is no
    service of this suite (it then may bind to any producer's exchange, as before)."""
    from nameko.events import EventHandler
    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

    service = _service_class(component)
    if service is None:
        return None
    sources = {
        entrypoint.source_service
        for _, method in inspect.getmembers(service)
        for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ())
        if isinstance(entrypoint, EventHandler)
    }
    return tuple(sorted(sources))


def _service_class(component: str) -> type[Any] | None:
    module_name = "gateway.service" if component == "gateway" else f"services.{component}.service"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    for _, candidate in inspect.getmembers(module, inspect.isclass):
        if getattr(candidate, "name", None) == component:
            return candidate
    return None


def _tag_operator(api: ManagementApi, operator: str) -> None:
    """Add the impersonator tag to the operator's user, keeping its password hash."""
    current = api.call("GET", f"/users/{quoted(operator)}")
    tags = current.get("tags") or []
    tags = tags.split(",") if isinstance(tags, str) else list(tags)
    if all(tag in tags for tag in OPERATOR_TAGS):
        return
    api.call(
        "PUT",
        f"/users/{quoted(operator)}",
        {
            "password_hash": current["password_hash"],
            "hashing_algorithm": current["hashing_algorithm"],
            "tags": ",".join(dict.fromkeys([*tags, *OPERATOR_TAGS])),
        },
    )


def _broker_users(args: argparse.Namespace, settings: Settings) -> int:
    broker = amqp_parameters(settings.amqp_uri)
    management = args.management_url or f"http://{broker['host']}:15672"
    api = ManagementApi(management, str(broker["username"]), str(broker["password"]))
    folder = Path(args.passwords)
    every_producer = producers(settings)
    try:
        users = [
            BrokerUser(
                args.user_prefix + component,
                component,
                ensure_password(folder / f"{component}.password"),
            )
            for component in (*every_producer, EVENT_LOG)
        ]
    except (OSError, ValueError) as error:
        print(f"gravity broker-users: {error}", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.wait
    while True:
        try:
            apply_broker_users(
                api, str(broker["virtual_host"]), users, every_producer, str(broker["username"])
            )
            break
        except ManagementApiError as error:
            print(f"gravity broker-users: {error} ({management})", file=sys.stderr)
            return 2
        except OSError as error:  # the management API is not listening yet
            if time.monotonic() > deadline:
                print(f"gravity broker-users: {management} unreachable: {error}", file=sys.stderr)
                return 2
            time.sleep(2)
    for user in users:
        print(f"broker user {user.name}: permissions set on {broker['virtual_host']}")
    return 0


def add_broker_users_command(commands: Any) -> None:
    parser = commands.add_parser(
        "broker-users", help="give each Gravity process a broker user of its own"
    )
    parser.add_argument(
        "--passwords", required=True, help="folder of <component>.password files (made if missing)"
    )
    parser.add_argument(
        "--management-url", help="RabbitMQ's management API (default http://<amqp host>:15672)"
    )
    parser.add_argument(
        "--user-prefix",
        default="",
        help="put before each component's name to make its user's (default none: recruitment, "
        "placement, ..., as GRAVITY_<SERVICE>_BROKER_USER names them)",
    )
    parser.add_argument(
        "--wait", type=float, default=60.0, help="seconds to wait for the management API"
    )
    parser.set_defaults(handler=_broker_users)
