"""The dead-letter queues' depths, from RabbitMQ's management API (for ``/metrics``).

The management API lists every queue of the vhost at once, so the gateway needs no list of
the services' handler queues to find each ``<queue>.dead-letter`` (a passive declare would).
"""

from __future__ import annotations

from urllib.parse import quote, urlparse

import requests

from shared.config import Settings
from shared.messaging.topology import amqp_parameters, dead_letter_queue

MANAGEMENT_PORT = 15672


def dead_letter_depths(settings: Settings, timeout: float) -> dict[str, int]:
    """Every ``*.dead-letter`` queue of the AMQP URI's vhost and the messages in it.

    The API is ``metrics.broker_management_url`` (credentials in it, or else the AMQP user's),
    by default the AMQP host's port 15672. Raises when the API does not answer in time or
    refuses.
    """
    amqp = amqp_parameters(settings.amqp_uri)
    configured = str((settings.metrics or {}).get("broker_management_url") or "")
    parts = urlparse(configured or f"http://{amqp['host']}:{MANAGEMENT_PORT}")
    root = f"{parts.scheme}://{parts.hostname}:{parts.port or MANAGEMENT_PORT}"
    answer = requests.get(
        f"{root}{parts.path.rstrip('/')}/api/queues/{quote(str(amqp['virtual_host']), safe='')}",
        params={"columns": "name,messages"},
        auth=(parts.username or str(amqp["username"]), parts.password or str(amqp["password"])),
        timeout=timeout,
    )
    answer.raise_for_status()
    suffix = dead_letter_queue("")
    return {
        str(queue["name"]): int(queue.get("messages") or 0)
        for queue in answer.json()
        if str(queue["name"]).endswith(suffix)
    }
