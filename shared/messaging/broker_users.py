"""A broker user of its own for every Gravity process, allowed to write only where it must.

A producer's user may publish to its own ``<service>.events`` exchange and no other, so a
stolen login cannot put events into another producer's exchange, and the ``user_id`` of every
message it publishes is checked by RabbitMQ against that login: the event log and the consumers
then know which login published an event (``ProducerKeys.publisher_refusal``). The rest of
what each user may do is what nameko and Gravity's own code declare and use:

- its own queues (``rpc-<name>``, nameko's reply queues ``rpc.reply-<name>-...``, its event
  handlers' ``evt-...--<name>.<method>`` and their ``.dead-letter`` queues): everything;
- the shared ``nameko-rpc`` exchange (requests and replies) and ``gravity.dead-letters``
  (parking a failed message): declare, publish, bind to;
- every producer's ``<service>.events``: declare and bind to (nameko's event handlers declare
  their source's exchange again), but publish only to its own;
- the event log's queue ``gravity.eventlog``: declare and bind to its own exchange (the relay
  binds it before its first publish, so that a ``mandatory`` return means a real misroute).

The event log's user declares every producer's exchange and its own queues, binds them, and
publishes only to the default exchange (its dead letters). RabbitMQ's permissions are three
regular expressions over resource names (configure, write, read). ``gravity broker-users``
(``gravity/broker_users.py``) creates the users through the management API with these
patterns; the operator's own user keeps every right.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.messaging.topology import DEAD_LETTER_EXCHANGE, EVENT_LOG_QUEUE, event_exchange

EVENT_LOG = "eventlog"
RPC_EXCHANGE = "nameko-rpc"
HASHING_ALGORITHM = "rabbit_password_hashing_sha256"
# The gateway reads dead-letter counts for its metrics through the management API, which
# lets in only users with a tag; ``management`` shows it the queues of its vhost, nothing more.
TAGS = {"gateway": "management"}


@dataclass(frozen=True)
class Permissions:
    """RabbitMQ's three permission patterns, each matched against a resource's whole name."""

    configure: str
    write: str
    read: str


@dataclass(frozen=True)
class BrokerUser:
    """The login one Gravity component (a service, the gateway, the event log) connects with."""

    name: str
    component: str
    password: str


def _any_of(names: Iterable[str]) -> str:
    return "^(" + "|".join(names) + ")$"


def permissions(component: str, producers: Sequence[str]) -> Permissions:
    """What ``component``'s user may configure, write and read, given every producer."""
    exchanges = "(" + "|".join(re.escape(p) for p in producers) + r")\.events"
    log_queue = re.escape(EVENT_LOG_QUEUE)
    if component == EVENT_LOG:
        queues = f"{log_queue}(\\.dead-letter)?"
        return Permissions(
            configure=_any_of([queues, exchanges]),
            write=_any_of([queues, r"amq\.default"]),
            read=_any_of([queues, exchanges]),
        )
    name = re.escape(component)
    own_queues = [f"rpc-{name}", rf"rpc\.reply-{name}-.*", f"evt-.*--{name}\\..*"]
    shared = [re.escape(RPC_EXCHANGE), re.escape(DEAD_LETTER_EXCHANGE)]
    return Permissions(
        configure=_any_of([*own_queues, *shared, exchanges, log_queue]),
        write=_any_of([*own_queues, *shared, re.escape(event_exchange(component)), log_queue]),
        read=_any_of([*own_queues, *shared, exchanges]),
    )


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's salted SHA-256 password hash: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4) if salt is None else salt
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    return base64.b64encode(salt + digest).decode("ascii")


def ensure_password(path: Path) -> str:
    """The password in ``path`` (mode 0600), made at random if there is none yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago
            return path.read_text("utf-8").strip()
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(32) + "\n")
    password = path.read_text("utf-8").strip()
    if not password:
        raise ValueError(f"{path} holds no password")
    return password
