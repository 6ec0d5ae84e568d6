"""Who produces events: every configured service, and the gateway (its account changes and
its records of personal data read, ``gateway.trail``). Each has its own exchange
(``<producer>.events``) and its own signing key; the event log listens to all of them."""

from __future__ import annotations

from shared.config import Settings

GATEWAY_PRODUCER = "gateway"


def producers(settings: Settings) -> tuple[str, ...]:
    """Every producer of the configured suite: the services, then the gateway."""
    return (*settings.services, GATEWAY_PRODUCER)
