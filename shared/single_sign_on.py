"""Single sign-on settings: which OpenID Connect provider's tokens the gateway accepts.

Off unless an issuer is configured. With one, a JWKS URL and an audience are required: without
an audience, a token the provider made for any other application of the same realm would do.
The issuer must differ from the gateway's own, so that a token says by its ``iss`` alone which
of the two ways it is checked (``gateway/core/single_sign_on.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse


class SingleSignOnConfigError(ValueError):
    """The ``oidc`` settings are incomplete or unsafe; the message names the variable."""


@dataclass(frozen=True)
class SingleSignOnSettings:
    """One OpenID Connect provider: where its keys are, whom its tokens must be for, and
    which claims name the caller's role and the caller's id in Gravity."""

    issuer: str
    jwks_url: str
    audience: str
    role_claim: str = "gravity_role"  # a claim name, or a dotted path: realm_access.roles
    subject_claim: str = "sub"  # for a student or host unit: its student / host unit id
    jwks_lifetime_seconds: float = 300.0  # the key set is fetched again after this
    jwks_timeout_seconds: float = 5.0  # one fetch of the key set, in all
    jwks_cooldown_seconds: float = 10.0  # an unknown key id refetches at most this often


def single_sign_on_settings(raw: dict[str, Any], own_issuer: str) -> SingleSignOnSettings | None:
    """The ``oidc`` section read and checked; None when no issuer is configured."""
    issuer = str(raw.get("issuer") or "").strip()
    if not issuer:
        return None
    jwks_url = str(raw.get("jwks_url") or "").strip()
    audience = str(raw.get("audience") or "").strip()
    if issuer == own_issuer:
        raise SingleSignOnConfigError(
            "GRAVITY_OIDC_ISSUER must differ from the gateway's own GRAVITY_JWT_ISSUER"
        )
    if urlparse(jwks_url).scheme not in ("http", "https") or not urlparse(jwks_url).netloc:
        raise SingleSignOnConfigError("GRAVITY_OIDC_JWKS_URL must be an http(s) URL")
    if not audience:
        raise SingleSignOnConfigError("GRAVITY_OIDC_AUDIENCE is required with GRAVITY_OIDC_ISSUER")
    numbers = {}
    for name, variable in (
        ("jwks_lifetime_seconds", "GRAVITY_OIDC_JWKS_LIFETIME"),
        ("jwks_timeout_seconds", "GRAVITY_OIDC_JWKS_TIMEOUT"),
        ("jwks_cooldown_seconds", "GRAVITY_OIDC_JWKS_COOLDOWN"),
    ):
        value = float(raw.get(name) or getattr(SingleSignOnSettings, name))
        if not 0 < value <= 3600:
            raise SingleSignOnConfigError(f"{variable} must be from 0 to 3600 seconds")
        numbers[name] = value
    return SingleSignOnSettings(
        issuer=issuer,
        jwks_url=jwks_url,
        audience=audience,
        role_claim=str(raw.get("role_claim") or "gravity_role").strip(),
        subject_claim=str(raw.get("subject_claim") or "sub").strip(),
        **numbers,
    )
