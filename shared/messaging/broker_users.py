"""A broker user of its own for every Gravity process, allowed to touch only what it must.

A producer's user may publish to its own ``<service>.events`` exchange and no other, so a
stolen login cannot put events into another producer's exchange, and the ``user_id`` of every
message it publishes is checked by RabbitMQ against that login: the event log and the consumers
then know which login published an event (``ProducerKeys.publisher_refusal``). The rest of
what each user may do is what nameko and Gravity's own code declare and use:

- its own queues, named as nameko names them: ``rpc-<name>`` (its RPC entrypoints),
  ``rpc.reply-<name>-<uuid>`` (its RPC proxies' replies) and
  ``evt-<source>-<EventType>--<name>.<method>`` (its event handlers, ``source`` one of the
  producers it consumes), each with its ``.dead-letter`` queue: everything;
- its own ``<name>.events``: declare (the relay does, before its first publish) and publish;
- the shared ``nameko-rpc`` exchange (requests and replies): declare (nameko declares it with
  every RPC queue, and has no switch to only check it), publish, and bind to, with a topic
  permission on the binding keys: only its own requests' ``<name>.*`` and a reply uuid
  (``rpc_topic_permissions``);
- ``gravity.dead-letters`` (parking a failed message): publish and bind its own dead-letter
  queues to, not declare (``gravity broker-users`` declares it; ``inbox.py`` checks it exists);
- the ``<source>.events`` of each producer it consumes: bind its own queues to, nothing more.
  It may not declare (nor so delete) another producer's exchange: its event handlers only
  check that it exists (``inbox.py``), as ``gravity broker-users`` declares every producer's
  exchange beforehand.

The event log's queues ``gravity.eventlog`` and ``gravity.eventlog.dead-letter`` are the
event log's alone: no other user may declare, bind, delete, read or publish to them.
``gravity broker-users`` declares them and binds the log's queue to every producer's exchange
before any process starts, so a relay finds the log's queue bound before its first publish.
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
class TopicPermissions:
    """RabbitMQ's topic permissions on one topic exchange: patterns over the routing keys a
    user may publish with (write) and bind its queues with (read)."""

    exchange: str
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


def permissions(
    component: str, producers: Sequence[str], consumes: Sequence[str] | None = None
) -> Permissions:
    """What ``component``'s user may configure, write and read, given every producer and the
    producers whose events it consumes (None: any of them)."""
    exchanges = _events_of(producers)
    log_queues = re.escape(EVENT_LOG_QUEUE) + r"(\.dead-letter)?"
    if component == EVENT_LOG:
        return Permissions(
            configure=_any_of([log_queues, exchanges]),
            write=_any_of([log_queues, r"amq\.default"]),
            read=_any_of([log_queues, exchanges]),
        )
    sources = producers if consumes is None else consumes
    name = re.escape(component)
    own_queues = [
        f"rpc-{name}",
        rf"rpc\.reply-{name}-{_UUID}",
        *([rf"evt-({_either(sources)})-\w+--{name}\.\w+(\.dead-letter)?"] if sources else []),
    ]
    own_exchange = re.escape(event_exchange(component))
    rpc, dead_letters = re.escape(RPC_EXCHANGE), re.escape(DEAD_LETTER_EXCHANGE)
    consumed = [_events_of(sources)] if sources else []
    return Permissions(
        configure=_any_of([*own_queues, own_exchange, rpc]),
        write=_any_of([*own_queues, own_exchange, rpc, dead_letters]),
        read=_any_of([*own_queues, rpc, dead_letters, *consumed]),
    )


def rpc_topic_permissions(component: str) -> TopicPermissions | None:
    """The routing keys ``component``'s queues may be bound with on ``nameko-rpc``: nameko
    binds a service's RPC queue with ``<service>.*`` and each reply queue with its own uuid.
    So no service binds a queue of its own with ``recruitment.*`` (or ``#``) to read the
    requests sent to another, personal data among them. Publishing keeps every key: requests
    name any service, replies the caller's uuid. None for the event log, which uses no RPC."""
    if component == EVENT_LOG:
        return None
    own_requests = re.escape(component) + r"\.\*"
    return TopicPermissions(RPC_EXCHANGE, write=".*", read=_any_of([own_requests, _UUID]))


_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _either(names: Iterable[str]) -> str:
    return "|".join(re.escape(name) for name in names)


def _events_of(producers: Iterable[str]) -> str:
    return f"({_either(producers)})" + r"\.events"


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
