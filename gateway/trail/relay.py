"""The gateway's outbox relay: the services' relay (``shared.messaging.relay``) as it is, on the
gateway's database, publishing to ``gateway.events`` signed with the ``gateway`` producer key."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from gateway.trail.outbox import wake_on_commit
from shared.config import Settings
from shared.events.producer_keys import ensure_producer_key
from shared.events.producers import GATEWAY_PRODUCER
from shared.messaging.relay import OutboxRelay
from shared.process import relay_settings


def gateway_relay(settings: Settings, engine: Engine) -> OutboxRelay:
    """The relay of the gateway's outbox on ``engine`` (the one its events are appended on,
    so that each commit wakes it). Its key is made on first use on one machine, like a
    service's; a configured key file (a mounted Secret) must exist."""
    signer = ensure_producer_key(settings, GATEWAY_PRODUCER)
    relay = OutboxRelay(
        engine, settings.amqp_uri, GATEWAY_PRODUCER, relay_settings(settings.relay), signer=signer
    )
    wake_on_commit(engine, relay.notify)
    return relay
