"""What makes a production start unsafe: one set of rules for every way a process starts
(``python -m <component>``, ``gravity up``, the container entrypoint)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from shared.config import Settings

# Values that are placeholders, not secrets. The development JWT secret holds two of the
# markers, so it is refused with them.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "development")
DEFAULT_PASSWORDS = ("", "guest", "postgres", "password", "gravity")
MIN_SECRET_LENGTH = 32  # the JWT and the verification secrets


def is_placeholder(value: str) -> bool:
    """A default password or a value that says it is to be replaced."""
    lowered = value.lower()
    return lowered in DEFAULT_PASSWORDS or any(mark in lowered for mark in PLACEHOLDER_MARKERS)


def production_problems(settings: Settings) -> list[str]:
    """Why a production start would be unsafe; empty when it is not production or all is set."""
    if not settings.is_production:
        return []
    problems = []
    for variable, secret in (
        ("GRAVITY_JWT_SECRET", settings.jwt_secret),
        ("GRAVITY_VERIFICATION_SECRET", settings.verification_secret),
    ):
        if is_placeholder(secret):
            problems.append(f"{variable} is empty or a placeholder")
        elif len(secret) < MIN_SECRET_LENGTH:
            problems.append(f"{variable} is shorter than {MIN_SECRET_LENGTH} characters")
    if is_placeholder(urlparse(settings.amqp_uri).password or ""):
        problems.append("the RabbitMQ password (GRAVITY_RABBITMQ_PASSWORD) is a default")
    for component in settings.components:
        url = settings.database_url(component)
        if not url.startswith("sqlite") and is_placeholder(urlparse(url).password or ""):
            # The components share one password when it comes from GRAVITY_DB_PASSWORD, so
            # the first one found says enough.
            problems.append(f"the {component} database password (GRAVITY_DB_PASSWORD) is a default")
            break
    if settings.oidc is not None and urlparse(settings.oidc.jwks_url).scheme != "https":
        # Keys fetched over plain HTTP could be swapped on the way: any token would pass.
        problems.append("GRAVITY_OIDC_JWKS_URL is not an https URL")
    return problems
